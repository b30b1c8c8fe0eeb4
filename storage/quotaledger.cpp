#include "quotaledger.h"

#include "sql.h"
#include "userstore.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace heliodesk::QuotaLedger {

QString reserveCountSql()
{
    static const QString sql = QStringLiteral(
        "UPDATE users SET "
        "  quota_used = CASE WHEN quota_period = ? THEN quota_used + 1 ELSE 1 END, "
        "  quota_period = ? "
        "WHERE id = ? AND status = 'active' AND ("
        "  CASE quota_mode "
        "    WHEN 'unlimited' THEN 1 "
        "    WHEN 'limit' THEN CASE WHEN (CASE WHEN quota_period = ? THEN quota_used ELSE 0 END) < quota_limit THEN 1 ELSE 0 END "
        "    ELSE COALESCE((SELECT CASE WHEN (CASE WHEN users.quota_period = ? THEN users.quota_used ELSE 0 END) < p.monthly_limit "
        "                               THEN 1 ELSE 0 END "
        "                   FROM plans p WHERE p.id = users.plan_id AND p.monthly_limit IS NOT NULL), 1) "
        "  END) = 1 "
        "RETURNING quota_used, CASE quota_mode WHEN 'unlimited' THEN NULL WHEN 'limit' THEN quota_limit "
        "  ELSE (SELECT p.monthly_limit FROM plans p WHERE p.id = users.plan_id) END");
    return sql;
}

QString reserveLedgerSql()
{
    static const QString sql = QStringLiteral("INSERT INTO usage_events (user_id, agent_id, conversation_id, period, outcome, created_at) "
                                              "VALUES (?, ?, ?, ?, 'reserved', ?) RETURNING id");
    return sql;
}

Result<Reservation> reserve(const QSqlDatabase &db, qint64 userId, const QString &agentId,
                            std::optional<qint64> conversationId, const QString &period, qint64 nowMs)
{
    // One statement checks the limit, rolls the period over and counts the query, so two clients
    // can never both take the last query: the row lock (SQLite: the write lock) serialises them.
    auto counted = execSql(db, reserveCountSql(), {period, period, userId, period, period});
    if (!counted)
        return Unexpected(counted.error());

    if (!counted->next()) {
        if (counted->lastError().isValid())
            return Unexpected(errorFromSql(counted->lastError(), u"reserve"));
        counted->finish();
        // Nothing was counted: say why, from the same transaction's view of the user.
        auto user = UserStore::findById(db, userId);
        if (!user)
            return Unexpected(user.error());
        if (!*user)
            return fail(ErrorCode::NotFound, QStringLiteral("That user does not exist (any more)."));
        if ((*user)->status != UserStatus::Active)
            return fail(ErrorCode::AccountDisabled,
                        QStringLiteral("This account is disabled, so it cannot ask the agents. Ask an administrator to enable it."));
        const int limit = (*user)->effectiveLimit.value_or(0);
        return fail(ErrorCode::QuotaExceeded,
                    QStringLiteral("Query limit reached (%1 of %2 this month). Ask an administrator to raise it, or wait until next month.")
                        .arg((*user)->usedIn(period))
                        .arg(limit));
    }
    Reservation reservation;
    reservation.used = counted->value(0).toInt();
    if (!counted->value(1).isNull())
        reservation.limit = counted->value(1).toInt();
    reservation.period = period;
    counted->finish();

    auto ledgerRow = execSql(db, reserveLedgerSql(),
        {userId, agentId, conversationId ? QVariant(*conversationId) : QVariant(QMetaType::fromType<qint64>()), period, nowMs});
    if (!ledgerRow)
        return Unexpected(ledgerRow.error());
    if (!ledgerRow->next())
        return fail(ErrorCode::Internal, QStringLiteral("The query could not be counted."), QStringLiteral("INSERT returned no id"));
    reservation.usageEventId = ledgerRow->value(0).toLongLong();
    ledgerRow->finish();
    return reservation;
}

Result<void> finish(const QSqlDatabase &db, qint64 usageEventId, UsageOutcome outcome, const QString &error, qint64 nowMs)
{
    if (outcome == UsageOutcome::Reserved)
        return fail(ErrorCode::InvalidInput, QStringLiteral("A query cannot end as “reserved”."));
    auto q = execSql(db,
                     QStringLiteral("UPDATE usage_events SET outcome = ?, error = ?, finished_at = ? WHERE id = ? AND outcome = 'reserved'"),
                     {nameOf(outcome), error.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(error), nowMs,
                      usageEventId});
    if (!q)
        return Unexpected(q.error());
    if (q->numRowsAffected() == 0) {
        auto exists = scalar(db, QStringLiteral("SELECT count(*) FROM usage_events WHERE id = ?"), {usageEventId});
        if (!exists)
            return Unexpected(exists.error());
        if (exists->toInt() == 0)
            return fail(ErrorCode::NotFound, QStringLiteral("That query is not in the ledger (any more)."));
    }
    return {};
}

Result<int> failInterrupted(const QSqlDatabase &db, const QString &error, qint64 nowMs)
{
    auto q = execSql(db,
                     QStringLiteral("UPDATE usage_events SET outcome = 'failed', error = ?, finished_at = ? "
                                    "WHERE outcome = 'reserved' AND id IN "
                                    "(SELECT usage_event_id FROM messages WHERE status = 'interrupted' AND usage_event_id IS NOT NULL)"),
                     {error, nowMs});
    if (!q)
        return Unexpected(q.error());
    return q->numRowsAffected();
}

Result<QList<ReconciliationRow>> reconcile(const QSqlDatabase &db, const QString &period)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT u.id, u.username, CASE WHEN u.quota_period = ? THEN u.quota_used ELSE 0 END, "
                                    "(SELECT count(*) FROM usage_events e WHERE e.user_id = u.id AND e.period = ?) "
                                    "FROM users u ORDER BY u.username"),
                     {period, period});
    if (!q)
        return Unexpected(q.error());
    QList<ReconciliationRow> rows;
    while (q->next())
        rows.append(ReconciliationRow{q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toInt(), q->value(3).toInt()});

    // A reset sets the counter to zero and leaves the ledger alone; its audit entry (written in the
    // same transaction) says how many queries it took off, so those still add up.
    auto resets = execSql(db,
                          QStringLiteral("SELECT target_id, details FROM audit_log WHERE action = 'user.quota-reset' "
                                         "AND target_type = 'user'"));
    if (!resets)
        return Unexpected(resets.error());
    QHash<qint64, int> resetByUser;
    while (resets->next()) {
        const QJsonObject details = QJsonDocument::fromJson(resets->value(1).toString().toUtf8()).object();
        if (details.value(QStringLiteral("period")).toString() == period)
            resetByUser[resets->value(0).toString().toLongLong()] += details.value(QStringLiteral("count_before")).toInt();
    }
    for (ReconciliationRow &row : rows)
        row.reset = resetByUser.value(row.userId);
    return rows;
}

Result<QList<UsageRow>> usage(const QSqlDatabase &db, const QString &period, std::optional<qint64> userId)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT u.username, e.agent_id, "
                                    "SUM(CASE WHEN e.outcome = 'reserved' THEN 1 ELSE 0 END), "
                                    "SUM(CASE WHEN e.outcome = 'complete' THEN 1 ELSE 0 END), "
                                    "SUM(CASE WHEN e.outcome = 'failed' THEN 1 ELSE 0 END), "
                                    "SUM(CASE WHEN e.outcome = 'cancelled' THEN 1 ELSE 0 END) "
                                    "FROM usage_events e JOIN users u ON u.id = e.user_id "
                                    "WHERE e.period = ? AND (CAST(? AS BIGINT) IS NULL OR e.user_id = ?) "
                                    "GROUP BY u.username, e.agent_id ORDER BY u.username, e.agent_id"),
                     {period, userId ? QVariant(*userId) : QVariant(QMetaType::fromType<qint64>()),
                      userId ? QVariant(*userId) : QVariant(QMetaType::fromType<qint64>())});
    if (!q)
        return Unexpected(q.error());
    QList<UsageRow> rows;
    while (q->next())
        rows.append(UsageRow{q->value(0).toString(), q->value(1).toString(), q->value(2).toInt(), q->value(3).toInt(),
                             q->value(4).toInt(), q->value(5).toInt()});
    return rows;
}

} // namespace heliodesk::QuotaLedger
