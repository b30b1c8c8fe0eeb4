#include "feedbackreportservice.h"

#include "exportaudit.h"

#include "model/authorization.h"

#include "storage/transaction.h"

namespace heliodesk {

FeedbackReportService::FeedbackReportService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

Result<QList<RatingReportRow>> FeedbackReportService::ratings(const Actor &actor, const RatingFilter &filter, int limit)
{
    if (filter.rating < -1 || filter.rating > 1)
        return fail(ErrorCode::InvalidInput, tr("A rating is thumbs up (1) or thumbs down (-1); %1 is neither.").arg(filter.rating));
    if (limit < 1)
        return fail(ErrorCode::InvalidInput, tr("Ask for at least one row."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto rows = FeedbackReportStore::ratings(*db, filter, limit);
    if (!rows)
        return Unexpected(rows.error().withContext(tr("Could not read the ratings")));
    return rows;
}

Result<QList<SurveyReportRow>> FeedbackReportService::surveyResponses(const Actor &actor, int score, int limit)
{
    if (score < 0 || score > 5)
        return fail(ErrorCode::InvalidInput, tr("A survey score is 1 to 5; %1 is not one of them.").arg(score));
    if (limit < 1)
        return fail(ErrorCode::InvalidInput, tr("Ask for at least one row."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto rows = FeedbackReportStore::surveyResponses(*db, score, limit);
    if (!rows)
        return Unexpected(rows.error().withContext(tr("Could not read the survey answers")));
    return rows;
}

Result<QList<AgentName>> FeedbackReportService::agents(const Actor &actor)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return FeedbackReportStore::agents(*db);
}

Result<void> FeedbackReportService::exportCsv(const Actor &actor, const QString &report, const QString &path,
                                              const QByteArray &bytes, int rows)
{
    return exportWithAudit(*m_database, m_clock->nowMs(), actor, report, rows, path, bytes);
}

} // namespace heliodesk
