#include "feedbackservice.h"

#include "storage/conversationstore.h"
#include "storage/transaction.h"

namespace heliodesk {

namespace {

Error notSignedIn()
{
    return Error(ErrorCode::NotAllowed, FeedbackService::tr("Not allowed: sign in to rate answers."));
}

Error noSuchAnswer(qint64 id)
{
    // Someone else's answer gets the same words as a missing one: nothing about it leaks.
    return Error(ErrorCode::NotFound, FeedbackService::tr("There is no answer %1.").arg(id));
}

/// The answer, if it is one the actor may rate: it exists, lies in one of their conversations,
/// is the agent's (not a question) and has finished.
Result<MessageRecord> rateableAnswer(const QSqlDatabase &db, qint64 userId, qint64 answerId)
{
    auto message = ConversationStore::findMessage(db, answerId);
    if (!message)
        return Unexpected(message.error());
    if (!*message)
        return Unexpected(noSuchAnswer(answerId));
    auto conversation = ConversationStore::find(db, (*message)->conversationId);
    if (!conversation)
        return Unexpected(conversation.error());
    if (!*conversation || (*conversation)->userId != userId)
        return Unexpected(noSuchAnswer(answerId));
    if ((*message)->role != MessageRole::Assistant)
        return fail(ErrorCode::InvalidInput, FeedbackService::tr("Only the agents' answers can be rated, not your own questions."));
    if ((*message)->status == MessageStatus::Streaming)
        return fail(ErrorCode::InvalidInput,
                    FeedbackService::tr("This answer is still being written. Rate it once it has finished."));
    return **message;
}

} // namespace

FeedbackService::FeedbackService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

Result<FeedbackRecord> FeedbackService::rate(const Actor &actor, qint64 answerId, int rating, const QString &comment)
{
    if (!actor.userId())
        return Unexpected(notSignedIn());
    if (rating != 1 && rating != -1)
        return fail(ErrorCode::InvalidInput,
                    tr("Rate an answer with thumbs up (1) or thumbs down (-1); %1 is not a rating.").arg(rating));
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
    if (auto answer = rateableAnswer(*db, *actor.userId(), answerId); !answer)
        return Unexpected(answer.error());
    auto saved = FeedbackStore::upsert(*db, *actor.userId(), answerId, rating, text, m_clock->nowMs());
    if (!saved)
        return Unexpected(saved.error().withContext(tr("Could not save the rating")));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(tr("Could not save the rating")));
    return saved;
}

Result<void> FeedbackService::clear(const Actor &actor, qint64 answerId)
{
    if (!actor.userId())
        return Unexpected(notSignedIn());
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto answer = rateableAnswer(*db, *actor.userId(), answerId); !answer)
        return Unexpected(answer.error());
    if (auto removed = FeedbackStore::remove(*db, *actor.userId(), answerId); !removed)
        return Unexpected(removed.error().withContext(tr("Could not take back the rating")));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(tr("Could not take back the rating")));
    return {};
}

Result<QHash<qint64, FeedbackRecord>> FeedbackService::feedbackFor(const Actor &actor, qint64 conversationId)
{
    if (!actor.userId())
        return Unexpected(notSignedIn());
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    auto conversation = ConversationStore::find(*db, conversationId);
    if (!conversation)
        return Unexpected(conversation.error());
    if (!*conversation || (*conversation)->userId != *actor.userId())
        return fail(ErrorCode::NotFound, tr("There is no conversation %1.").arg(conversationId));
    return FeedbackStore::forConversation(*db, *actor.userId(), conversationId);
}

} // namespace heliodesk
