#pragma once

// The admin feedback report: the ratings analysts gave answers, with the question and the answer,
// and the survey answers.

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/feedbackreportstore.h"

#include <QCoreApplication>

#include <memory>

namespace heliodesk {

class FeedbackReportService
{
    Q_DECLARE_TR_FUNCTIONS(FeedbackReportService)

public:
    /// How many rows a list holds at most: the newest ones.
    static constexpr int defaultLimit = 5000;

    FeedbackReportService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    /// Admins only. The newest ratings that pass `filter` (rating -1, 1, or 0 for both).
    Result<QList<RatingReportRow>> ratings(const Actor &actor, const RatingFilter &filter = {}, int limit = defaultLimit);
    /// Admins only. The newest survey answers; with `score` 1 to 5 only those, 0 for all.
    Result<QList<SurveyReportRow>> surveyResponses(const Actor &actor, int score = 0, int limit = defaultLimit);
    /// Admins only. Every agent, for the agent filter.
    Result<QList<AgentName>> agents(const Actor &actor);

    /// Admins only: saves the CSV `bytes` (`rows` rows of `report`, "ratings" or "survey") in `path`
    /// and records the export in the audit log, both or neither.
    Result<void> exportCsv(const Actor &actor, const QString &report, const QString &path, const QByteArray &bytes, int rows);

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
