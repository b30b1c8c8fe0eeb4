#pragma once

// The admin usage report: queries per UTC day, user and agent, with their outcomes, read from the
// ledger (usage_events).

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/usagereportstore.h"

#include <QCoreApplication>
#include <QDate>

#include <memory>

namespace heliodesk {

class UsageReportService
{
    Q_DECLARE_TR_FUNCTIONS(UsageReportService)

public:
    static constexpr qint64 maxDays = 366;

    UsageReportService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    /// Admins only. The ledger from `from` to `to` (both included, UTC days, at most maxDays),
    /// one row per day, user and agent that had queries.
    Result<QList<UsageDayRow>> dailyUsage(const Actor &actor, QDate from, QDate to);

    /// Admins only: saves the report's CSV `bytes` (`rows` rows) in `path` and records the export in
    /// the audit log, both or neither.
    Result<void> exportCsv(const Actor &actor, const QString &path, const QByteArray &bytes, int rows);

    /// Today, as the ledger's days count (UTC).
    [[nodiscard]] QDate today() const;
    /// The presets of the range picker: the last 7 days up to `today`, and this month up to it.
    static std::pair<QDate, QDate> lastSevenDays(QDate today);
    static std::pair<QDate, QDate> thisMonth(QDate today);

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
