#include "searchresultsmodel.h"

namespace heliodesk {

SearchResultsModel::SearchResultsModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void SearchResultsModel::setHits(QList<SearchHit> hits)
{
    beginResetModel();
    m_hits = std::move(hits);
    endResetModel();
}

void SearchResultsModel::clear()
{
    if (m_hits.isEmpty())
        return;
    setHits({});
}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hits.size());
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SearchHit &hit = m_hits.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return hit.snippet;
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        //: A search hit read by a screen reader: conversation title, who wrote it (You/Answer), the words around the match.
        return tr("%1, %2: %3").arg(hit.conversationTitle.isEmpty() ? tr("New conversation") : hit.conversationTitle,
                                   authorLabel(hit.role), hit.snippet);
    case MessageIdRole: return hit.messageId;
    case ConversationIdRole: return hit.conversationId;
    case TitleRole: return hit.conversationTitle;
    case AgentIdRole: return hit.agentId;
    case AgentNameRole: return hit.agentName.isEmpty() ? hit.agentId : hit.agentName;
    case AuthorRole: return QVariant::fromValue(hit.role);
    case HighlightsRole: return QVariant::fromValue(hit.highlights);
    case CreatedAtRole: return hit.createdAtMs;
    case HitRole: return QVariant::fromValue(hit);
    default: return {};
    }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(MessageIdRole, "messageId");
    names.insert(ConversationIdRole, "conversationId");
    names.insert(TitleRole, "title");
    names.insert(AgentIdRole, "agentId");
    names.insert(AgentNameRole, "agentName");
    names.insert(AuthorRole, "author");
    names.insert(HighlightsRole, "highlights");
    names.insert(CreatedAtRole, "createdAt");
    names.insert(HitRole, "hit");
    return names;
}

QString SearchResultsModel::authorLabel(MessageRole role)
{
    switch (role) {
    case MessageRole::User: return tr("You");
    case MessageRole::Assistant: return tr("Answer");
    case MessageRole::System: break;
    }
    return tr("Instructions");
}

} // namespace heliodesk
