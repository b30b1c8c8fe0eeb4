#pragma once

// SQL for the query ledger: the atomic reservation step, outcomes and reconciliation.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::QuotaLedger {

/// Counts one query for `userId` in `period` ("2026-11") and writes its usage_events row. Must run
/// inside a write transaction so that the counter and the ledger row commit together. The counter
/// restarts at 1 when the stored period is an older one. Fails with QuotaExceeded when the limit
/// is met, AccountDisabled or NotFound; nothing is written then.
Result<Reservation> reserve(const QSqlDatabase &db, qint64 userId, const QString &agentId,
                            std::optional<qint64> conversationId, const QString &period, qint64 nowMs);

/// The two statements reserve() runs, in this order, in the caller's write transaction: the
/// counting UPDATE, whose `?` are bound to the period, the period, the user's id, the period and
/// the period; and the ledger INSERT, whose `?` are bound to the user's id, the agent's id, the
/// conversation's id (or NULL), the period and the time in ms. Both return a row (RETURNING).
/// Public so that the same SQL text can run elsewhere (bench_quota_pg gives it to pgbench).
QString reserveCountSql();
QString reserveLedgerSql();

/// Records how a reserved query ended. The query stays counted whatever the outcome; an outcome
/// already recorded is not overwritten.
Result<void> finish(const QSqlDatabase &db, qint64 usageEventId, UsageOutcome outcome, const QString &error, qint64 nowMs);

/// Ledger rows still "reserved" whose answer was marked interrupted become "failed" with `error`.
Result<int> failInterrupted(const QSqlDatabase &db, const QString &error, qint64 nowMs);

/// Each user's counter beside their ledger rows for `period`.
Result<QList<ReconciliationRow>> reconcile(const QSqlDatabase &db, const QString &period);

/// Ledger rows of `period` per user and agent, with their outcomes; all users when userId is empty.
Result<QList<UsageRow>> usage(const QSqlDatabase &db, const QString &period, std::optional<qint64> userId);

} // namespace heliodesk::QuotaLedger
