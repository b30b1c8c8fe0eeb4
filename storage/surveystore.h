#pragma once

// SQL for the usage survey: the answers, and how far along a user was when last asked.

#include "error.h"

#include <QSqlDatabase>

namespace heliodesk::SurveyStore {

/// The user's finished answers: ledger rows with outcome 'complete'. The ledger outlives deleted
/// conversations, so deleting one does not bring the survey back sooner.
Result<int> finishedAnswers(const QSqlDatabase &db, qint64 userId);
/// users.survey_prompted_at: the finished-answer count at which the user was last asked. NotFound
/// for a user who does not exist (any more).
Result<int> promptedAt(const QSqlDatabase &db, qint64 userId);
Result<void> setPromptedAt(const QSqlDatabase &db, qint64 userId, int finishedAnswers);
/// Stores one survey answer (score 1 to 5) and returns its id.
Result<qint64> insertResponse(const QSqlDatabase &db, qint64 userId, int score, const QString &comment, qint64 nowMs);

} // namespace heliodesk::SurveyStore
