#pragma once

// SQL for the admin panel's health figures: answers that failed recently, with their errors.

#include "error.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace heliodesk::HealthStore {

struct FailedAnswer {
    qint64 usageEventId = 0;
    qint64 atMs = 0;     // when the answer ended
    QString username;
    QString agentId;
    QString agentName;   // the agent's name as admins see it (its id when the agent is gone)
    QString error;       // the sentence the user saw; empty when none was kept
};

/// Answers that ended as failed at or after `sinceMs`, the newest first, at most `limit`.
Result<QList<FailedAnswer>> failedAnswers(const QSqlDatabase &db, qint64 sinceMs, int limit);
/// How many answers ended as failed at or after `sinceMs`.
Result<int> failedAnswerCount(const QSqlDatabase &db, qint64 sinceMs);

} // namespace heliodesk::HealthStore
