#include "messagelistmodel.h"

#include "chatservice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace heliodesk {

namespace {

bool idBefore(const MessageRecord &message, qint64 id)
{
    return message.id < id;
}

} // namespace

MessageListModel::MessageListModel(ChatService *chat, Actor actor, QObject *parent)
    : QAbstractListModel(parent)
    , m_chat(chat)
    , m_actor(std::move(actor))
{
    connect(m_chat, &ChatService::messagesAdded, this, &MessageListModel::append);
    connect(m_chat, &ChatService::answerProgress, this, &MessageListModel::appendText);
    connect(m_chat, &ChatService::answerFinished, this, &MessageListModel::finish);
    connect(m_chat, &ChatService::messageRemoved, this, &MessageListModel::removeMessage);
    connect(m_chat, &ChatService::answerResumed, this, &MessageListModel::resume);
    connect(m_chat, &ChatService::conversationDeleted, this, [this](qint64 conversationId) {
        if (conversationId == m_conversationId)
            clear();
    });
}

Result<void> MessageListModel::open(qint64 conversationId)
{
    auto page = m_chat->messagePage(m_actor, conversationId, std::nullopt, m_pageSize);
    if (!page)
        return Unexpected(page.error());
    beginResetModel();
    m_conversationId = conversationId;
    m_rows = std::move(page->messages);
    m_hasOlder = page->hasOlder;
    m_sources.clear();
    endResetModel();
    return {};
}

void MessageListModel::clear()
{
    beginResetModel();
    m_conversationId = 0;
    m_rows.clear();
    m_hasOlder = false;
    m_sources.clear();
    endResetModel();
}

qint64 MessageListModel::conversationId() const
{
    return m_conversationId;
}

const MessageRecord &MessageListModel::at(int row) const
{
    return m_rows.at(row);
}

int MessageListModel::rowOf(qint64 messageId) const
{
    // Rows are in id order: loaded pages are, and new messages have newer ids.
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), messageId, idBefore);
    return it != m_rows.cend() && it->id == messageId ? int(it - m_rows.cbegin()) : -1;
}

int MessageListModel::rowFromEnd(qint64 messageId) const
{
    // A streaming answer is nearly always the last row.
    if (!m_rows.isEmpty() && m_rows.constLast().id == messageId)
        return int(m_rows.size()) - 1;
    return rowOf(messageId);
}

Result<int> MessageListModel::reveal(qint64 messageId)
{
    if (const int row = rowOf(messageId); row >= 0)
        return row;
    if (m_conversationId == 0)
        return fail(ErrorCode::InvalidInput, tr("No conversation is open to show message %1 in.").arg(messageId));
    // Whether it is in this conversation at all, before loading pages in search of it.
    auto message = m_chat->message(m_actor, messageId);
    if (!message)
        return Unexpected(message.error());
    if (message->conversationId != m_conversationId)
        return fail(ErrorCode::NotFound, tr("Message %1 is not in this conversation.").arg(messageId));
    while (m_hasOlder && !m_rows.isEmpty() && m_rows.constFirst().id > messageId) {
        if (auto loaded = loadOlder(); !loaded)
            return Unexpected(loaded.error());
    }
    if (const int row = rowOf(messageId); row >= 0)
        return row;
    return fail(ErrorCode::NotFound, tr("Message %1 is not in this conversation (any more).").arg(messageId));
}

void MessageListModel::setPageSize(int size)
{
    m_pageSize = std::max(1, size);
}

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageRecord &message = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return message.content;
    case IdRole: return message.id;
    case RoleRole: return int(message.role);
    case StatusRole: return int(message.status);
    case ErrorRole: return message.error;
    case SourcesRole: return sourcesOf(message);
    case CreatedAtRole: return message.createdAtMs;
    case IsLastAnswerRole: return index.row() == m_rows.size() - 1 && message.role == MessageRole::Assistant;
    default: return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "messageId");
    names.insert(RoleRole, "role");
    names.insert(StatusRole, "status");
    names.insert(ErrorRole, "error");
    names.insert(SourcesRole, "sources");
    names.insert(CreatedAtRole, "createdAt");
    names.insert(IsLastAnswerRole, "isLastAnswer");
    return names;
}

bool MessageListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_conversationId != 0 && m_hasOlder;
}

void MessageListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    if (auto loaded = loadOlder(); !loaded)
        Q_EMIT loadFailed(loaded.error());
}

Result<void> MessageListModel::loadOlder()
{
    if (m_rows.isEmpty()) {
        m_hasOlder = false;
        return {};
    }
    auto page = m_chat->messagePage(m_actor, m_conversationId, m_rows.constFirst().id, m_pageSize);
    if (!page)
        return Unexpected(page.error());
    m_hasOlder = page->hasOlder;
    if (page->messages.isEmpty())
        return {};
    beginInsertRows({}, 0, int(page->messages.size()) - 1);
    m_rows = page->messages + m_rows;
    endInsertRows();
    return {};
}

QVariantList MessageListModel::sourcesOf(const MessageRecord &message) const
{
    if (message.sourcesJson.isEmpty())
        return {};
    // Parsed once per message: views ask for the role at every paint.
    auto cached = m_sources.constFind(message.id);
    if (cached == m_sources.cend()) {
        QVariantList sources;
        const QJsonArray array = QJsonDocument::fromJson(message.sourcesJson.toUtf8()).array();
        for (const auto &value : array) {
            const QJsonObject object = value.toObject();
            sources.append(QVariantMap{{QStringLiteral("title"), object.value(u"title").toString()},
                                       {QStringLiteral("location"), object.value(u"location").toString()},
                                       {QStringLiteral("excerpt"), object.value(u"excerpt").toString()}});
        }
        cached = m_sources.insert(message.id, sources);
    }
    return *cached;
}

void MessageListModel::lastRowChanged(int row)
{
    if (row < 0 || row >= m_rows.size())
        return;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {IsLastAnswerRole});
}

void MessageListModel::append(qint64 conversationId, const QList<MessageRecord> &messages)
{
    if (conversationId == 0 || conversationId != m_conversationId)
        return;
    for (const MessageRecord &message : messages) {
        if (rowOf(message.id) >= 0)
            continue; // already read with a page
        const int previousLast = int(m_rows.size()) - 1;
        const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), message.id, idBefore);
        const int row = int(at - m_rows.cbegin());
        beginInsertRows({}, row, row);
        m_rows.insert(row, message);
        endInsertRows();
        if (row == m_rows.size() - 1)
            lastRowChanged(previousLast);
    }
}

void MessageListModel::appendText(qint64 answerId, const QString &newText)
{
    const int row = rowFromEnd(answerId);
    if (row < 0)
        return;
    m_rows[row].content += newText;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {Qt::DisplayRole});
}

void MessageListModel::finish(qint64 answerId, MessageStatus status, const QString &error)
{
    const int row = rowFromEnd(answerId);
    if (row < 0)
        return;
    MessageRecord &message = m_rows[row];
    message.status = status;
    message.error = error;
    // The sources are saved with the end; the text is already here, from the signals.
    if (auto saved = m_chat->message(m_actor, answerId)) {
        message.sourcesJson = saved->sourcesJson;
        message.updatedAtMs = saved->updatedAtMs;
    } else {
        Q_EMIT loadFailed(saved.error());
    }
    m_sources.remove(answerId);
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {StatusRole, ErrorRole, SourcesRole});
}

void MessageListModel::removeMessage(qint64 conversationId, qint64 messageId)
{
    if (conversationId == 0 || conversationId != m_conversationId)
        return;
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    const bool wasLast = row == m_rows.size() - 1;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    m_sources.remove(messageId);
    if (wasLast)
        lastRowChanged(int(m_rows.size()) - 1);
}

void MessageListModel::resume(qint64 answerId)
{
    const int row = rowFromEnd(answerId);
    if (row < 0)
        return;
    MessageRecord &message = m_rows[row];
    message.status = MessageStatus::Streaming;
    message.error.clear();
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {StatusRole, ErrorRole});
}

} // namespace heliodesk
