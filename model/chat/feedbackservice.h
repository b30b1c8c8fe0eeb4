#pragma once

// Thumbs up or down, with an optional comment, on the agents' answers in one's own conversations.

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/feedbackstore.h"

#include <QCoreApplication>
#include <QHash>

#include <memory>

namespace heliodesk {

class FeedbackService
{
    Q_DECLARE_TR_FUNCTIONS(FeedbackService)

public:
    static constexpr qsizetype maxCommentChars = 2000;

    FeedbackService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    /// Sets the actor's verdict on an answer (1 thumbs up, -1 thumbs down), replacing an earlier
    /// one; the comment is trimmed and at most maxCommentChars long. Only finished (not streaming)
    /// answers in the actor's own conversations can be rated; someone else's answer gets the same
    /// NotFound as a missing one.
    Result<FeedbackRecord> rate(const Actor &actor, qint64 answerId, int rating, const QString &comment = {});
    /// Takes back the actor's verdict on an answer; nothing to take back is not an error.
    Result<void> clear(const Actor &actor, qint64 answerId);
    /// The actor's verdicts on the answers of one of their conversations, by message id.
    Result<QHash<qint64, FeedbackRecord>> feedbackFor(const Actor &actor, qint64 conversationId);

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
