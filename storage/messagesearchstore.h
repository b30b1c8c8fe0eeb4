#pragma once

// SQL for searching a user's own messages (schema v4: messages_fts on SQLite, the messages_search
// GIN index on PostgreSQL). Runs on the connection it is given, inside the caller's transaction
// when there is one.

#include "error.h"
#include "records.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace heliodesk::MessageSearchStore {

/// search() marks the matched words of a snippet with these private-use characters.
inline constexpr char16_t MatchStart = u'\uE000';
inline constexpr char16_t MatchEnd = u'\uE001';

struct Row {
    qint64 messageId = 0;
    qint64 conversationId = 0;
    QString conversationTitle;
    QString agentId;
    QString agentName; // the agent's name, or its id when the agent is gone from the catalogue
    MessageRole role = MessageRole::User;
    QString snippet; // a few words around the matches, which are between MatchStart and MatchEnd
    qint64 createdAtMs = 0;
};

/// The messages of `userId`'s conversations that match `ftsQuery` (an FTS5 MATCH expression the
/// caller built so that nothing typed acts as syntax), best first by BM25, then newest first; at
/// most `limit`. Only finished messages are indexed, so a streaming answer is never found.
/// On PostgreSQL the same expression is read back into words and phrases and runs as a tsquery on
/// the messages_search GIN index: stemmed English words, the last one a prefix when it ends in *,
/// ranked by ts_rank_cd (then newest first), snippets by ts_headline with the same markers. Words
/// that are English stop words there ("or", "not") are still required, checked as exact words.
Result<QList<Row>> search(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit);

/// The query plan of the statement search() runs for these values (EXPLAIN on PostgreSQL, EXPLAIN
/// QUERY PLAN on SQLite), one line per step: for tests and benchmarks that check the index is used.
Result<QString> searchPlan(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit);

/// The SQLite statement search() runs. Its `?` are bound, in order, to: the MATCH expression, the
/// user's id, the limit, MatchStart, MatchEnd, "…", and the MATCH expression again. Public so that
/// the same SQL text can be run elsewhere (the search benchmark gives it to the sqlite3 shell).
QString searchSql();

} // namespace heliodesk::MessageSearchStore
