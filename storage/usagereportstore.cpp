#include "usagereportstore.h"

#include "sql.h"

namespace heliodesk::UsageReportStore {

Result<QList<UsageDayRow>> daily(const QSqlDatabase &db, qint64 fromMs, qint64 toMs)
{
    // Integer division of non-negative BIGINTs truncates alike in SQLite and PostgreSQL, so the
    // UTC day is computed in the database and each group is one row, however many queries it holds.
    // The divisor is written in the SQL, not bound: PostgreSQL matches the selected expression with
    // the grouped one only when they are the same text, and $1 and $4 are not.
    auto q = execSql(db,
                     QStringLiteral("SELECT e.created_at / 86400000, e.user_id, u.username, e.agent_id, COALESCE(a.name, e.agent_id), "
                                    "SUM(CASE WHEN e.outcome = 'complete' THEN 1 ELSE 0 END), "
                                    "SUM(CASE WHEN e.outcome = 'failed' THEN 1 ELSE 0 END), "
                                    "SUM(CASE WHEN e.outcome = 'cancelled' THEN 1 ELSE 0 END), "
                                    "SUM(CASE WHEN e.outcome = 'reserved' THEN 1 ELSE 0 END) "
                                    "FROM usage_events e JOIN users u ON u.id = e.user_id "
                                    "LEFT JOIN agents a ON a.id = e.agent_id "
                                    "WHERE e.created_at >= ? AND e.created_at < ? "
                                    "GROUP BY e.created_at / 86400000, e.user_id, u.username, e.agent_id, a.name "
                                    "ORDER BY 1, u.username, e.agent_id"),
                     {fromMs, toMs});
    if (!q)
        return Unexpected(q.error());
    const QDate epoch(1970, 1, 1);
    QList<UsageDayRow> rows;
    while (q->next()) {
        UsageDayRow row;
        row.day = epoch.addDays(q->value(0).toLongLong());
        row.userId = q->value(1).toLongLong();
        row.username = q->value(2).toString();
        row.agentId = q->value(3).toString();
        row.agentName = q->value(4).toString();
        row.complete = q->value(5).toInt();
        row.failed = q->value(6).toInt();
        row.cancelled = q->value(7).toInt();
        row.reserved = q->value(8).toInt();
        rows.append(row);
    }
    return rows;
}

} // namespace heliodesk::UsageReportStore
