#pragma once

// The hits of one search, one row each, for the results list under the search field.

#include "model/chat/searchhit.h"

#include <QAbstractListModel>
#include <QList>

namespace heliodesk {

class SearchResultsModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        MessageIdRole = Qt::UserRole + 1,
        ConversationIdRole,
        TitleRole,      // the conversation's title
        AgentIdRole,
        AgentNameRole,
        AuthorRole,     // heliodesk::MessageRole: who wrote the message (the person, or the agent's answer)
        HighlightsRole, // QList<std::pair<int, int>>: (start, length) of the matches in the snippet
        CreatedAtRole,  // milliseconds since the epoch
        HitRole,        // the whole heliodesk::SearchHit
    };
    Q_ENUM(Role)

    explicit SearchResultsModel(QObject *parent = nullptr);

    /// Replaces the rows with the hits of a new search (a reset: a new search is a new list).
    void setHits(QList<SearchHit> hits);
    void clear();

    [[nodiscard]] const QList<SearchHit> &hits() const { return m_hits; }
    [[nodiscard]] const SearchHit &at(int row) const { return m_hits.at(row); }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// "You" for the person's own messages, "Answer" for the agent's.
    [[nodiscard]] static QString authorLabel(MessageRole role);

private:
    QList<SearchHit> m_hits;
};

} // namespace heliodesk
