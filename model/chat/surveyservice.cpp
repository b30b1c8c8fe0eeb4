#include "surveyservice.h"

#include "storage/surveystore.h"
#include "storage/transaction.h"

namespace heliodesk {

namespace {

Error notSignedIn()
{
    return Error(ErrorCode::NotAllowed, SurveyService::tr("Not allowed: sign in to answer the survey."));
}

/// Records that the user was asked at their current count of finished answers, in the caller's
/// write transaction.
Result<void> markPrompted(const QSqlDatabase &db, qint64 userId)
{
    auto finished = SurveyStore::finishedAnswers(db, userId);
    if (!finished)
        return Unexpected(finished.error());
    return SurveyStore::setPromptedAt(db, userId, *finished);
}

} // namespace

SurveyService::SurveyService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

int SurveyService::nextMilestone(int promptedAt)
{
    if (promptedAt < firstMilestone)
        return firstMilestone;
    return firstMilestone + ((promptedAt - firstMilestone) / milestoneStep + 1) * milestoneStep;
}

Result<bool> SurveyService::isDue(const Actor &actor)
{
    if (!actor.userId())
        return Unexpected(notSignedIn());
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    auto prompted = SurveyStore::promptedAt(*db, *actor.userId());
    if (!prompted)
        return Unexpected(prompted.error());
    auto finished = SurveyStore::finishedAnswers(*db, *actor.userId());
    if (!finished)
        return Unexpected(finished.error());
    return *finished >= nextMilestone(*prompted);
}

Result<void> SurveyService::dismiss(const Actor &actor)
{
    if (!actor.userId())
        return Unexpected(notSignedIn());
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto marked = markPrompted(*db, *actor.userId()); !marked)
        return Unexpected(marked.error().withContext(tr("Could not postpone the survey")));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(tr("Could not postpone the survey")));
    return {};
}

Result<void> SurveyService::submit(const Actor &actor, int score, const QString &comment)
{
    if (!actor.userId())
        return Unexpected(notSignedIn());
    if (score < 1 || score > 5)
        return fail(ErrorCode::InvalidInput,
                    tr("Choose a score from 1 (not useful) to 5 (very useful); %1 is not one of them.").arg(score));
    const QString text = comment.trimmed();
    if (text.size() > maxCommentChars)
        return fail(ErrorCode::InvalidInput,
                    tr("The comment is too long (%1 characters; at most %2). Shorten it.").arg(text.size()).arg(maxCommentChars));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    // The user's row first: a user who no longer exists gets NotFound, not a refused foreign key.
    if (auto marked = markPrompted(*db, *actor.userId()); !marked)
        return Unexpected(marked.error().withContext(tr("Could not save the survey answer")));
    if (auto inserted = SurveyStore::insertResponse(*db, *actor.userId(), score, text, m_clock->nowMs()); !inserted)
        return Unexpected(inserted.error().withContext(tr("Could not save the survey answer")));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(tr("Could not save the survey answer")));
    return {};
}

} // namespace heliodesk
