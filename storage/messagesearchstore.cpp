#include "messagesearchstore.h"

#include "sql.h"

namespace heliodesk::MessageSearchStore {

namespace {

// Tokens of context snippet() keeps around the matched words: about one line of a results list.
constexpr int SnippetTokens = 14;

Result<QList<Row>> searchSqlite(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit)
{
    auto q = execSql(db, searchSql(),
                     {ftsQuery, userId, limit, QString(QChar(MatchStart)), QString(QChar(MatchEnd)), QStringLiteral("…"),
                      ftsQuery});
    if (!q)
        return Unexpected(q.error().withContext(QStringLiteral("Searching your conversations failed")));
    QList<Row> rows;
    while (q->next()) {
        Row row;
        row.messageId = q->value(0).toLongLong();
        row.conversationId = q->value(1).toLongLong();
        row.conversationTitle = q->value(2).toString();
        row.agentId = q->value(3).toString();
        row.agentName = q->value(4).toString();
        row.role = messageRoleFromString(q->value(5).toString()).value_or(MessageRole::User);
        row.createdAtMs = q->value(6).toLongLong();
        row.snippet = q->value(7).toString();
        rows << row;
    }
    return rows;
}

} // namespace

QString searchSql()
{
    // The best rows are chosen first and snippet() runs only for them: computed in the ranking
    // query it would read back and re-tokenize every matching message before the LIMIT applies.
    // The outer MATCH on the chosen rowids gives snippet() its query context; FTS5 answers it by
    // seeking to each rowid.
    static const QString sql = QStringLiteral("WITH best AS ("
                                              "  SELECT m.id AS id, bm25(messages_fts) AS score, m.created_at AS created_at "
                                              "  FROM messages_fts "
                                              "  JOIN messages m ON m.id = messages_fts.rowid "
                                              "  JOIN conversations c ON c.id = m.conversation_id "
                                              "  WHERE messages_fts MATCH ? AND c.user_id = ? "
                                              "  ORDER BY score, m.created_at DESC, m.id DESC LIMIT ?) "
                                              "SELECT m.id, m.conversation_id, c.title, c.agent_id, COALESCE(a.name, c.agent_id), "
                                              "       m.role, m.created_at, snippet(messages_fts, 0, ?, ?, ?, %1) "
                                              "FROM best "
                                              "JOIN messages_fts ON messages_fts.rowid = best.id "
                                              "JOIN messages m ON m.id = best.id "
                                              "JOIN conversations c ON c.id = m.conversation_id "
                                              "LEFT JOIN agents a ON a.id = c.agent_id "
                                              "WHERE messages_fts MATCH ? "
                                              "ORDER BY best.score, best.created_at DESC, best.id DESC")
                                   .arg(SnippetTokens);
    return sql;
}

Result<QList<Row>> search(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit)
{
    if (ftsQuery.isEmpty() || limit <= 0)
        return QList<Row>();
    if (db.driverName() != u"QSQLITE") {
        // PostgreSQL (issue 7) has the messages_search GIN index already; the query comes with it.
        return fail(ErrorCode::Internal,
                    QStringLiteral("Searching messages is not available with a PostgreSQL database yet. "
                                   "Open the conversation from the list instead."),
                    QStringLiteral("MessageSearchStore::search has no PostgreSQL query (issue 7)"));
    }
    return searchSqlite(db, userId, ftsQuery, limit);
}

} // namespace heliodesk::MessageSearchStore
