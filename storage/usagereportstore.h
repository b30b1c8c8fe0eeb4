#pragma once

// SQL for the admin usage report: ledger rows counted per UTC day, user and agent, by outcome.

#include "error.h"

#include <QDate>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace heliodesk {

/// The queries one user asked one agent on one day (UTC), by how they ended.
struct UsageDayRow {
    QDate day;
    qint64 userId = 0;
    QString username;
    QString agentId;
    QString agentName; // the agent's id when the agent no longer exists
    int complete = 0;
    int failed = 0;
    int cancelled = 0;
    int reserved = 0; // still running, or ended without an outcome (a killed process)

    [[nodiscard]] int total() const { return complete + failed + cancelled + reserved; }
    bool operator==(const UsageDayRow &) const = default;
};

} // namespace heliodesk

namespace heliodesk::UsageReportStore {

/// Ledger rows created in [fromMs, toMs), grouped by UTC day, user and agent; ordered by day,
/// username, agent id.
Result<QList<UsageDayRow>> daily(const QSqlDatabase &db, qint64 fromMs, qint64 toMs);

} // namespace heliodesk::UsageReportStore
