#include "feedbackstore.h"

#include "sql.h"

#include <QCoreApplication>

namespace heliodesk::FeedbackStore {

namespace {

FeedbackRecord readFeedback(const QSqlQuery &q)
{
    return FeedbackRecord{q.value(0).toLongLong(), q.value(1).toInt(), q.value(2).toString(), q.value(3).toLongLong()};
}

} // namespace

Result<FeedbackRecord> upsert(const QSqlDatabase &db, qint64 userId, qint64 messageId, int rating, const QString &comment,
                              qint64 nowMs)
{
    // ON CONFLICT … DO UPDATE and RETURNING are understood alike by SQLite (3.35+) and PostgreSQL.
    auto q = execSql(db,
                     QStringLiteral("INSERT INTO feedback (user_id, message_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?) "
                                    "ON CONFLICT (user_id, message_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment "
                                    "RETURNING message_id, rating, comment, created_at"),
                     {userId, messageId, rating, nonNullText(comment), nowMs});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return fail(ErrorCode::Internal,
                    QCoreApplication::translate("FeedbackStore", "The rating could not be saved. Try again."),
                    QStringLiteral("feedback upsert returned no row"));
    FeedbackRecord record = readFeedback(*q);
    q->finish();
    return record;
}

Result<bool> remove(const QSqlDatabase &db, qint64 userId, qint64 messageId)
{
    auto q = execSql(db, QStringLiteral("DELETE FROM feedback WHERE user_id = ? AND message_id = ?"), {userId, messageId});
    if (!q)
        return Unexpected(q.error());
    return q->numRowsAffected() > 0;
}

Result<QHash<qint64, FeedbackRecord>> forConversation(const QSqlDatabase &db, qint64 userId, qint64 conversationId)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT f.message_id, f.rating, f.comment, f.created_at FROM feedback f "
                                    "JOIN messages m ON m.id = f.message_id "
                                    "WHERE f.user_id = ? AND m.conversation_id = ?"),
                     {userId, conversationId});
    if (!q)
        return Unexpected(q.error());
    QHash<qint64, FeedbackRecord> byMessage;
    while (q->next()) {
        FeedbackRecord record = readFeedback(*q);
        byMessage.insert(record.messageId, record); // Qt 6.4 has no QHash::insert(Key, T &&)
    }
    return byMessage;
}

} // namespace heliodesk::FeedbackStore
