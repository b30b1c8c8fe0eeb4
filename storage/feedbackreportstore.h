#pragma once

// SQL for the admin feedback report: every rating with the question and answer it refers to, and
// the survey answers, newest first.

#include "error.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace heliodesk {

/// One user's rating of one answer, with what was asked and answered.
struct RatingReportRow {
    qint64 messageId = 0; // the answer
    qint64 conversationId = 0;
    qint64 createdAtMs = 0;
    QString username;
    QString agentId;
    QString agentName; // the agent's id when the agent no longer exists
    QString question;  // the user's message before the answer; empty when there is none
    QString answer;
    int rating = 0; // -1 or 1
    QString comment;
    bool operator==(const RatingReportRow &) const = default;
};

struct SurveyReportRow {
    qint64 id = 0;
    qint64 createdAtMs = 0;
    QString username;
    int score = 0; // 1 to 5
    QString comment;
    bool operator==(const SurveyReportRow &) const = default;
};

/// Which ratings to list: an agent's (all when empty), thumbs up or down (both when 0).
struct RatingFilter {
    QString agentId;
    int rating = 0;
};

/// An agent as the filters name it.
struct AgentName {
    QString id;
    QString name;
    bool operator==(const AgentName &) const = default;
};

} // namespace heliodesk

namespace heliodesk::FeedbackReportStore {

/// The newest `limit` ratings that pass `filter`.
Result<QList<RatingReportRow>> ratings(const QSqlDatabase &db, const RatingFilter &filter, int limit);
/// The newest `limit` survey answers; only those with `score` unless it is 0.
Result<QList<SurveyReportRow>> surveyResponses(const QSqlDatabase &db, int score, int limit);
/// Every agent (switched on or not), in the catalogue's order.
Result<QList<AgentName>> agents(const QSqlDatabase &db);

} // namespace heliodesk::FeedbackReportStore
