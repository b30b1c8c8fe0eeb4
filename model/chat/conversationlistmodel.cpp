#include "conversationlistmodel.h"

#include "chatservice.h"

#include <QDateTime>

#include <algorithm>

namespace heliodesk {

namespace {

/// Pinned first; then the most recently active; the newest id breaks ties.
bool before(const ConversationRecord &a, const ConversationRecord &b)
{
    if (a.pinned != b.pinned)
        return a.pinned;
    if (a.updatedAtMs != b.updatedAtMs)
        return a.updatedAtMs > b.updatedAtMs;
    return a.id > b.id;
}

} // namespace

ConversationListModel::ConversationListModel(ChatService *chat, Actor actor, std::shared_ptr<const Clock> clock, QObject *parent)
    : QAbstractListModel(parent)
    , m_chat(chat)
    , m_actor(std::move(actor))
    , m_clock(std::move(clock))
{
    connect(m_chat, &ChatService::conversationChanged, this, [this](const ConversationRecord &conversation) {
        if (m_actor.userId() && conversation.userId == *m_actor.userId())
            upsert(conversation);
    });
    connect(m_chat, &ChatService::conversationDeleted, this, &ConversationListModel::remove);
}

Result<void> ConversationListModel::reload()
{
    auto conversations = m_chat->conversations(m_actor);
    if (!conversations)
        return Unexpected(conversations.error());
    beginResetModel();
    m_rows = *conversations;
    std::stable_sort(m_rows.begin(), m_rows.end(), before);
    endResetModel();
    return {};
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConversationRecord &conversation = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return conversation.title.isEmpty() ? tr("New conversation") : conversation.title;
    case IdRole: return conversation.id;
    case AgentIdRole: return conversation.agentId;
    case PinnedRole: return conversation.pinned;
    case UpdatedAtRole: return conversation.updatedAtMs;
    case SectionRole: return sectionOf(conversation, m_clock->nowMs());
    default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "conversationId");
    names.insert(AgentIdRole, "agentId");
    names.insert(PinnedRole, "pinned");
    names.insert(UpdatedAtRole, "updatedAt");
    names.insert(SectionRole, "section");
    return names;
}

int ConversationListModel::rowOf(qint64 conversationId) const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).id == conversationId)
            return row;
    return -1;
}

QString ConversationListModel::sectionOf(const ConversationRecord &conversation, qint64 nowMs)
{
    if (conversation.pinned)
        return tr("Pinned");
    const QDate today = QDateTime::fromMSecsSinceEpoch(nowMs).date();
    const qint64 daysAgo = QDateTime::fromMSecsSinceEpoch(conversation.updatedAtMs).date().daysTo(today);
    if (daysAgo <= 0)
        return tr("Today");
    if (daysAgo == 1)
        return tr("Yesterday");
    if (daysAgo <= 7)
        return tr("Previous 7 days");
    return tr("Older");
}

int ConversationListModel::insertionRow(const ConversationRecord &conversation) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), conversation, before);
    return int(it - m_rows.cbegin());
}

void ConversationListModel::upsert(const ConversationRecord &conversation)
{
    const int from = rowOf(conversation.id);
    if (from >= 0) {
        m_rows[from] = conversation;
        // Move it where the order wants it: the rows around it are still in order.
        ConversationRecord moved = m_rows.takeAt(from);
        const int to = insertionRow(moved);
        m_rows.insert(from, moved);
        if (to != from) {
            beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
            m_rows.move(from, to);
            endMoveRows();
        }
        const QModelIndex changed = index(to);
        Q_EMIT dataChanged(changed, changed);
        return;
    }
    const int row = insertionRow(conversation);
    beginInsertRows({}, row, row);
    m_rows.insert(row, conversation);
    endInsertRows();
}

void ConversationListModel::remove(qint64 conversationId)
{
    const int row = rowOf(conversationId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

} // namespace heliodesk
