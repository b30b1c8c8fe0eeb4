#include "healthstore.h"

#include "sql.h"

namespace heliodesk::HealthStore {

namespace {

// The ledger row is where every answer's outcome is written. Answers are short, so one that ended
// since `sinceMs` started at most a day before: that bound lets the time index find the rows.
constexpr qint64 kLongestAnswerMs = 24LL * 60 * 60 * 1000;

} // namespace

Result<QList<FailedAnswer>> failedAnswers(const QSqlDatabase &db, qint64 sinceMs, int limit)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT e.id, COALESCE(e.finished_at, e.created_at), u.username, e.agent_id, "
                                    "COALESCE((SELECT a.name FROM agents a WHERE a.id = e.agent_id), e.agent_id), "
                                    "COALESCE(e.error, (SELECT m.error FROM messages m WHERE m.usage_event_id = e.id "
                                    "AND m.error IS NOT NULL ORDER BY m.id DESC LIMIT 1), '') "
                                    "FROM usage_events e JOIN users u ON u.id = e.user_id "
                                    "WHERE e.created_at >= ? AND e.outcome = 'failed' AND COALESCE(e.finished_at, e.created_at) >= ? "
                                    "ORDER BY COALESCE(e.finished_at, e.created_at) DESC, e.id DESC LIMIT ?"),
                     {sinceMs - kLongestAnswerMs, sinceMs, limit});
    if (!q)
        return Unexpected(q.error());
    QList<FailedAnswer> answers;
    while (q->next()) {
        FailedAnswer a;
        a.usageEventId = q->value(0).toLongLong();
        a.atMs = q->value(1).toLongLong();
        a.username = q->value(2).toString();
        a.agentId = q->value(3).toString();
        a.agentName = q->value(4).toString();
        a.error = q->value(5).toString();
        answers.append(a);
    }
    return answers;
}

Result<int> failedAnswerCount(const QSqlDatabase &db, qint64 sinceMs)
{
    auto count = scalar(db,
                        QStringLiteral("SELECT COUNT(*) FROM usage_events WHERE created_at >= ? AND outcome = 'failed' "
                                       "AND COALESCE(finished_at, created_at) >= ?"),
                        {sinceMs - kLongestAnswerMs, sinceMs}, 0);
    if (!count)
        return Unexpected(count.error());
    return count->toInt();
}

} // namespace heliodesk::HealthStore
