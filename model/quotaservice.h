#pragma once

// Monthly query quotas: the atomic reservation that comes before any agent work, outcomes,
// usage figures and the reconciliation of counters with the ledger.

#include "actor.h"
#include "clock.h"

#include "storage/database.h"
#include "storage/records.h"

#include <memory>

namespace heliodesk {

class QuotaService
{
public:
    QuotaService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    /// The quota period now: "2026-11" (calendar month, UTC).
    [[nodiscard]] QString currentPeriod() const;

    /// Counts one query of the signed-in actor against their limit and writes its ledger row, in
    /// one transaction. Call it before the agent starts: a reserved query stays counted whatever
    /// happens next. Fails with QuotaExceeded ("Query limit reached (N of N this month)…").
    Result<Reservation> reserve(const Actor &actor, const QString &agentId, std::optional<qint64> conversationId = {});

    /// Records how the reserved query ended (complete, failed or cancelled).
    Result<void> recordOutcome(qint64 usageEventId, UsageOutcome outcome, const QString &error = {});

    /// Each user's counter beside their ledger rows this period (admins only).
    Result<QList<ReconciliationRow>> reconcile(const Actor &actor);

    /// This period's ledger by user and agent: admins see anyone (or one user), others themselves.
    Result<QList<UsageRow>> usage(const Actor &actor, const QString &username = {});

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
