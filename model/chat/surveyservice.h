#pragma once

// The occasional "how useful were the agents?" survey: when to ask, and the answers.

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"

#include <QCoreApplication>

#include <memory>

namespace heliodesk {

class SurveyService
{
    Q_DECLARE_TR_FUNCTIONS(SurveyService)

public:
    static constexpr int firstMilestone = 10; // the 10th finished answer…
    static constexpr int milestoneStep = 50;  // …then every 50th after it: 60, 110, …
    static constexpr qsizetype maxCommentChars = 2000;

    SurveyService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    /// Whether to show the actor the survey now: they have finished at least as many answers as the
    /// first milestone after the count at which they were last asked.
    Result<bool> isDue(const Actor &actor);
    /// "Not now": the survey waits for the next milestone after the actor's answers so far.
    Result<void> dismiss(const Actor &actor);
    /// Stores the actor's score (1 to 5) and comment (trimmed, optional) and, in the same
    /// transaction, postpones the next survey as dismiss() does.
    Result<void> submit(const Actor &actor, int score, const QString &comment);

    /// The first milestone greater than `promptedAt`: 0…9 → 10, 10…59 → 60, 60…109 → 110, …
    static int nextMilestone(int promptedAt);

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
