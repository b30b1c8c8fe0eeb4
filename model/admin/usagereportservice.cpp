#include "usagereportservice.h"

#include "exportaudit.h"

#include "model/authorization.h"

#include "storage/transaction.h"

#include <QTimeZone>

namespace heliodesk {

namespace {

qint64 startOfUtcDay(QDate day)
{
    return QDateTime(day, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
}

} // namespace

UsageReportService::UsageReportService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

QDate UsageReportService::today() const
{
    return m_clock->nowUtc().toUTC().date();
}

std::pair<QDate, QDate> UsageReportService::lastSevenDays(QDate today)
{
    return {today.addDays(-6), today};
}

std::pair<QDate, QDate> UsageReportService::thisMonth(QDate today)
{
    return {QDate(today.year(), today.month(), 1), today};
}

Result<QList<UsageDayRow>> UsageReportService::dailyUsage(const Actor &actor, QDate from, QDate to)
{
    if (!from.isValid() || !to.isValid())
        return fail(ErrorCode::InvalidInput, tr("Choose both the first and the last day of the range."));
    if (to < from)
        return fail(ErrorCode::InvalidInput,
                    tr("The range ends (%1) before it starts (%2). Choose a last day on or after the first.")
                        .arg(to.toString(Qt::ISODate), from.toString(Qt::ISODate)));
    if (from.daysTo(to) + 1 > maxDays)
        return fail(ErrorCode::InvalidInput,
                    tr("The range has %1 days; choose at most %2.").arg(from.daysTo(to) + 1).arg(maxDays));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto rows = UsageReportStore::daily(*db, startOfUtcDay(from), startOfUtcDay(to.addDays(1)));
    if (!rows)
        return Unexpected(rows.error().withContext(tr("Could not read the usage")));
    return rows;
}

Result<void> UsageReportService::exportCsv(const Actor &actor, const QString &path, const QByteArray &bytes, int rows)
{
    return exportWithAudit(*m_database, m_clock->nowMs(), actor, QStringLiteral("usage"), rows, path, bytes);
}

} // namespace heliodesk
