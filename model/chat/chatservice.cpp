#include "chatservice.h"

#include "model/authorization.h"
#include "model/quotaservice.h"

#include "storage/conversationstore.h"
#include "storage/hiringstore.h"
#include "storage/quotaledger.h"
#include "storage/transaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcChat, "heliodesk.chat", QtInfoMsg)

namespace {

ChatTurn::Role turnRole(MessageRole role)
{
    switch (role) {
    case MessageRole::Assistant: return ChatTurn::Role::Assistant;
    case MessageRole::System: return ChatTurn::Role::System;
    case MessageRole::User: break;
    }
    return ChatTurn::Role::User;
}

QString sourcesToJson(const QList<AnswerSource> &sources)
{
    if (sources.isEmpty())
        return {};
    QJsonArray array;
    for (const AnswerSource &s : sources)
        array.append(QJsonObject{{QStringLiteral("title"), s.title},
                                 {QStringLiteral("location"), s.location},
                                 {QStringLiteral("excerpt"), s.excerpt}});
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

Error noSuchConversation(qint64 id)
{
    // Someone else's conversation gets the same answer as a missing one: nothing about it leaks.
    return Error(ErrorCode::NotFound, QStringLiteral("There is no conversation %1.").arg(id));
}

Error noSuchMessage(qint64 id)
{
    return Error(ErrorCode::NotFound, ChatService::tr("There is no message %1.").arg(id));
}

MessageRecord newMessage(qint64 id, qint64 conversationId, MessageRole role, const QString &content, MessageStatus status,
                         std::optional<qint64> usageEventId, qint64 nowMs)
{
    MessageRecord message;
    message.id = id;
    message.conversationId = conversationId;
    message.role = role;
    message.content = content;
    message.status = status;
    message.usageEventId = usageEventId;
    message.createdAtMs = nowMs;
    message.updatedAtMs = nowMs;
    return message;
}

/// A counted query whose rows could not be written ends as failed in the ledger (it stays counted).
void recordFailedQuery(QuotaService &quotas, qint64 usageEventId, const Error &error)
{
    if (auto recorded = quotas.recordOutcome(usageEventId, UsageOutcome::Failed, error.message()); !recorded)
        qCWarning(lcChat) << "could not record the failed query" << usageEventId << ":" << recorded.error();
}

} // namespace

/// The agent a user may ask, and what answers for it.
struct ChatService::Agent {
    AgentAccess access;
    std::shared_ptr<ChatProvider> provider;
};

/// An answer to regenerate or continue, with its conversation and question.
struct ChatService::Retry {
    ConversationRecord conversation;
    MessageRecord question;
    MessageRecord answer;
    Agent agent;
};

/// What a stream needs once its rows are saved.
struct ChatService::JobStart {
    qint64 userId = 0;
    qint64 answerId = 0;
    qint64 conversationId = 0;
    qint64 usageEventId = 0;
    qint64 questionId = 0;
    QString agentId;
    QString question;
    QString continueAfter; // the partial answer being continued
    Agent agent;
};

/// One answer being streamed: the sink the provider writes into, and the timers that pass the
/// text on to listeners (coalesced) and to the database (in small appends).
struct ChatService::Job final : StreamSink {
    qint64 userId = 0; // whose question it answers (stopUser)
    qint64 answerId = 0;
    qint64 conversationId = 0;
    qint64 usageEventId = 0;
    std::shared_ptr<ChatProvider> provider;
    ChatRequest request;
    std::shared_ptr<CancelToken> cancel = std::make_shared<CancelToken>();
    bool continued = false; // continueAnswer(): the answer had text before this stream
    QString announced;      // the text listeners have heard of (for readers that come in mid-stream)
    QString unsignalled;
    QString unsaved;
    qint64 received = 0;
    qint64 lastWriteMs = 0;
    bool finished = false;
    QTimer signalTimer;
    QTimer flushTimer;

    void onText(const QString &piece) override
    {
        if (finished || piece.isEmpty())
            return;
        unsignalled += piece;
        unsaved += piece;
        received += piece.size();
        if (!signalTimer.isActive())
            signalTimer.start();
    }
};

ChatService::ChatService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, ProviderFor providerFor,
                         ChatTuning tuning, QObject *parent)
    : QObject(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_providerFor(std::move(providerFor))
    , m_tuning(tuning)
{
}

ChatService::~ChatService()
{
    shutdown();
}

QString ChatService::titleFor(const QString &question)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QString line = question.trimmed().section(u'\n', 0, 0).trimmed();
    line.replace(spaces, QStringLiteral(" "));
    constexpr qsizetype maxLength = 60;
    if (line.size() <= maxLength)
        return line.isEmpty() ? QStringLiteral("New conversation") : line;
    QString cut = line.left(maxLength);
    const qsizetype space = cut.lastIndexOf(u' ');
    if (space > maxLength / 2)
        cut.truncate(space);
    return cut + u'…';
}

bool ChatService::isStreaming(qint64 conversationId) const
{
    return std::any_of(m_active.cbegin(), m_active.cend(),
                       [conversationId](const auto &entry) { return entry.second->conversationId == conversationId; });
}

Result<ConversationRecord> ChatService::ownedConversation(const QSqlDatabase &db, const Actor &actor, qint64 conversationId)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: sign in to use conversations."));
    auto found = ConversationStore::find(db, conversationId);
    if (!found)
        return Unexpected(found.error());
    if (!*found || (*found)->userId != *actor.userId())
        return Unexpected(noSuchConversation(conversationId));
    return **found;
}

Result<ChatService::Agent> ChatService::askableAgent(const QSqlDatabase &db, qint64 userId, const QString &agentId)
{
    auto access = HiringStore::accessOf(db, userId, agentId);
    if (!access)
        return Unexpected(access.error());
    if (auto allowed = requireAgentAccess(*access, agentId, AgentUse::Ask); !allowed)
        return Unexpected(allowed.error());
    auto provider = m_providerFor(agentId);
    if (!provider)
        return fail(ErrorCode::Internal, QStringLiteral("No answer source is set up for the %1 agent.").arg(access->agentName));
    return Agent{*access, std::move(provider)};
}

Result<AnswerTicket> ChatService::ask(const Actor &actor, const AskRequest &request)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: sign in as a user to ask the agents."));
    const QString question = request.question.trimmed();
    if (question.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("Type a question first."));
    if (question.size() > m_tuning.maxQuestionChars)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The question is too long (%1 characters; at most %2). Shorten it or split it up.")
                        .arg(question.size())
                        .arg(m_tuning.maxQuestionChars));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());

    // 1. Rights: the conversation is the actor's, and the actor may ask its agent.
    QString agentId = request.agentId.trimmed();
    std::optional<ConversationRecord> existing;
    if (request.conversationId) {
        auto conversation = ownedConversation(*db, actor, *request.conversationId);
        if (!conversation)
            return Unexpected(conversation.error());
        existing = *conversation;
        if (!agentId.isEmpty() && agentId != conversation->agentId)
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("Conversation %1 is with another agent (%2).").arg(conversation->id).arg(conversation->agentId));
        agentId = conversation->agentId;
        if (isStreaming(conversation->id))
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("This conversation is still answering. Wait for the answer or stop it first."));
    } else if (agentId.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("Choose an agent for the new conversation."));
    }
    auto agent = askableAgent(*db, *actor.userId(), agentId);
    if (!agent)
        return Unexpected(agent.error());

    // 2. The query is counted before any agent work, and stays counted whatever happens next.
    QuotaService quotas(m_database, m_clock);
    auto reservation = quotas.reserve(actor, agentId, request.conversationId);
    if (!reservation)
        return Unexpected(reservation.error());

    // 3. The question and an empty answer, together.
    const qint64 now = m_clock->nowMs();
    AnswerTicket ticket;
    ticket.reservation = *reservation;
    auto saved = [&]() -> Result<void> {
        auto txn = Transaction::begin(*db);
        if (!txn)
            return Unexpected(txn.error());
        if (request.conversationId) {
            ticket.conversationId = *request.conversationId;
            if (auto touched = ConversationStore::touch(*db, ticket.conversationId, now); !touched)
                return touched;
        } else {
            auto created = ConversationStore::createConversation(*db, *actor.userId(), agentId, titleFor(question), now);
            if (!created)
                return Unexpected(created.error());
            ticket.conversationId = *created;
            if (auto linked = ConversationStore::linkUsageEvent(*db, reservation->usageEventId, ticket.conversationId); !linked)
                return linked;
        }
        auto questionId = ConversationStore::insertMessage(*db, ticket.conversationId, MessageRole::User, question,
                                                           MessageStatus::Complete, std::nullopt, now);
        if (!questionId)
            return Unexpected(questionId.error());
        ticket.questionId = *questionId;
        auto answerId = ConversationStore::insertMessage(*db, ticket.conversationId, MessageRole::Assistant, QString(),
                                                         MessageStatus::Streaming, reservation->usageEventId, now);
        if (!answerId)
            return Unexpected(answerId.error());
        ticket.answerId = *answerId;
        return txn->commit();
    }();
    if (!saved) {
        recordFailedQuery(quotas, reservation->usageEventId, saved.error());
        return Unexpected(saved.error().withContext(QStringLiteral("The question could not be saved")));
    }
    // The conversation as it is now, for lists that show it (a new one, or one more active).
    ConversationRecord record = existing.value_or(ConversationRecord{ticket.conversationId, *actor.userId(), agentId,
                                                                     titleFor(question), false, now, now});
    record.updatedAtMs = now;
    Q_EMIT conversationChanged(record);
    Q_EMIT messagesAdded(ticket.conversationId,
                         {newMessage(ticket.questionId, ticket.conversationId, MessageRole::User, question,
                                     MessageStatus::Complete, std::nullopt, now),
                          newMessage(ticket.answerId, ticket.conversationId, MessageRole::Assistant, QString(),
                                     MessageStatus::Streaming, reservation->usageEventId, now)});

    // 4. The context (system prompt, history within the budget, the question), then the stream.
    startJob(*db, JobStart{*actor.userId(), ticket.answerId, ticket.conversationId, reservation->usageEventId, ticket.questionId,
                           agentId, question, QString(), std::move(*agent)});
    return ticket;
}

Result<ChatService::Retry> ChatService::retryable(const QSqlDatabase &db, const Actor &actor, qint64 answerId, RetryKind kind)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, tr("Not allowed: sign in as a user to ask the agents."));
    auto found = ConversationStore::findMessage(db, answerId);
    if (!found)
        return Unexpected(found.error());
    if (!*found)
        return Unexpected(noSuchMessage(answerId));
    const MessageRecord &answer = **found;
    auto conversation = ownedConversation(db, actor, answer.conversationId);
    if (!conversation) {
        if (conversation.error().code() == ErrorCode::NotFound)
            return Unexpected(noSuchMessage(answerId)); // someone else's message: as if it did not exist
        return Unexpected(conversation.error());
    }
    const bool regenerating = kind == RetryKind::Regenerate;
    if (answer.role != MessageRole::Assistant)
        return fail(ErrorCode::InvalidInput, regenerating ? tr("Only an agent's answer can be regenerated, not a question.")
                                                          : tr("Only an agent's answer can be continued, not a question."));
    if (answer.status == MessageStatus::Streaming || isStreaming(answer.conversationId))
        return fail(ErrorCode::InvalidInput, tr("This conversation is still answering. Wait for the answer or stop it first."));
    if (!regenerating) {
        if (answer.status != MessageStatus::Interrupted && answer.status != MessageStatus::Cancelled)
            return fail(ErrorCode::InvalidInput,
                        answer.status == MessageStatus::Complete
                            ? tr("This answer is complete: there is nothing to continue. Regenerate it for a new answer.")
                            : tr("Only a stopped or interrupted answer can be continued. Regenerate this one instead."));
        if (answer.content.isEmpty())
            return fail(ErrorCode::InvalidInput, tr("This answer has no text to continue. Regenerate it instead."));
    }
    // The answer and the message before it, which must be its question.
    auto last = ConversationStore::newestMessages(db, answer.conversationId, std::nullopt, 2);
    if (!last)
        return Unexpected(last.error());
    if (last->constFirst().id != answerId)
        return fail(ErrorCode::InvalidInput, regenerating ? tr("Only the last answer of a conversation can be regenerated.")
                                                          : tr("Only the last answer of a conversation can be continued."));
    if (last->size() < 2 || last->at(1).role != MessageRole::User)
        return fail(ErrorCode::InvalidInput, tr("This answer has no question before it to answer again. Ask the question anew."));
    auto agent = askableAgent(db, *actor.userId(), conversation->agentId);
    if (!agent)
        return Unexpected(agent.error());
    return Retry{*conversation, last->at(1), answer, std::move(*agent)};
}

Result<void> ChatService::stillLast(const QSqlDatabase &db, const MessageRecord &answer)
{
    // Another window or process may have asked, regenerated or continued since the checks.
    auto last = ConversationStore::newestMessages(db, answer.conversationId, std::nullopt, 1);
    if (!last)
        return Unexpected(last.error());
    if (last->isEmpty() || last->constFirst().id != answer.id || last->constFirst().status != answer.status)
        return fail(ErrorCode::InvalidInput, tr("The conversation changed in the meantime. Look at it again and retry."));
    return {};
}

Result<AnswerTicket> ChatService::regenerate(const Actor &actor, qint64 answerId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    // 1. Rights and state.
    auto retry = retryable(*db, actor, answerId, RetryKind::Regenerate);
    if (!retry)
        return Unexpected(retry.error());
    const ConversationRecord &conversation = retry->conversation;

    // 2. Counted first, like a question.
    QuotaService quotas(m_database, m_clock);
    auto reservation = quotas.reserve(actor, conversation.agentId, conversation.id);
    if (!reservation)
        return Unexpected(reservation.error());

    // 3. The old answer and its feedback go, a new streaming answer takes its place, together.
    const qint64 now = m_clock->nowMs();
    AnswerTicket ticket;
    ticket.conversationId = conversation.id;
    ticket.questionId = retry->question.id;
    ticket.reservation = *reservation;
    auto saved = [&]() -> Result<void> {
        auto txn = Transaction::begin(*db);
        if (!txn)
            return Unexpected(txn.error());
        if (auto last = stillLast(*db, retry->answer); !last)
            return last;
        if (auto removed = ConversationStore::removeMessage(*db, answerId); !removed)
            return removed;
        auto newId = ConversationStore::insertMessage(*db, conversation.id, MessageRole::Assistant, QString(),
                                                      MessageStatus::Streaming, reservation->usageEventId, now);
        if (!newId)
            return Unexpected(newId.error());
        ticket.answerId = *newId;
        if (auto touched = ConversationStore::touch(*db, conversation.id, now); !touched)
            return touched;
        return txn->commit();
    }();
    if (!saved) {
        recordFailedQuery(quotas, reservation->usageEventId, saved.error());
        return Unexpected(saved.error().withContext(tr("The answer could not be replaced")));
    }
    ConversationRecord record = conversation;
    record.updatedAtMs = now;
    Q_EMIT conversationChanged(record);
    Q_EMIT messageRemoved(conversation.id, answerId);
    Q_EMIT messagesAdded(conversation.id, {newMessage(ticket.answerId, conversation.id, MessageRole::Assistant, QString(),
                                                      MessageStatus::Streaming, reservation->usageEventId, now)});

    // 4. The history before the question, the question, and the stream.
    startJob(*db, JobStart{*actor.userId(), ticket.answerId, conversation.id, reservation->usageEventId, ticket.questionId,
                           conversation.agentId, retry->question.content, QString(), std::move(retry->agent)});
    return ticket;
}

Result<AnswerTicket> ChatService::continueAnswer(const Actor &actor, qint64 answerId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto retry = retryable(*db, actor, answerId, RetryKind::Continue);
    if (!retry)
        return Unexpected(retry.error());
    const ConversationRecord &conversation = retry->conversation;

    QuotaService quotas(m_database, m_clock);
    auto reservation = quotas.reserve(actor, conversation.agentId, conversation.id);
    if (!reservation)
        return Unexpected(reservation.error());

    // The answer streams again, counted by the new query; its text stays for the rest to follow.
    const qint64 now = m_clock->nowMs();
    auto saved = [&]() -> Result<void> {
        auto txn = Transaction::begin(*db);
        if (!txn)
            return Unexpected(txn.error());
        if (auto last = stillLast(*db, retry->answer); !last)
            return last;
        if (auto resumed = ConversationStore::resumeMessage(*db, answerId, reservation->usageEventId, now); !resumed)
            return resumed;
        if (auto touched = ConversationStore::touch(*db, conversation.id, now); !touched)
            return touched;
        return txn->commit();
    }();
    if (!saved) {
        recordFailedQuery(quotas, reservation->usageEventId, saved.error());
        return Unexpected(saved.error().withContext(tr("The answer could not be continued")));
    }
    ConversationRecord record = conversation;
    record.updatedAtMs = now;
    Q_EMIT conversationChanged(record);
    Q_EMIT answerResumed(answerId);

    startJob(*db, JobStart{*actor.userId(), answerId, conversation.id, reservation->usageEventId, retry->question.id, conversation.agentId,
                           retry->question.content, retry->answer.content, std::move(retry->agent)});
    return AnswerTicket{conversation.id, retry->question.id, answerId, *reservation};
}

void ChatService::startJob(const QSqlDatabase &db, JobStart start)
{
    auto job = std::make_shared<Job>();
    job->userId = start.userId;
    job->answerId = start.answerId;
    job->conversationId = start.conversationId;
    job->usageEventId = start.usageEventId;
    job->continued = !start.continueAfter.isEmpty();
    job->announced = start.continueAfter;
    auto turns = buildContext(db, start.conversationId, start.questionId, start.agent.access.systemPrompt, start.question);
    if (!turns) {
        finishJob(job, MessageStatus::Failed, turns.error(), {});
        return;
    }

    // Streams from the event loop's next turn, so callers hold the ticket before any signal.
    job->provider = std::move(start.agent.provider);
    job->request = ChatRequest{start.agentId, start.agent.access.model, *turns, start.continueAfter};
    job->lastWriteMs = m_clock->nowMs();
    Job *raw = job.get();
    job->signalTimer.setSingleShot(true);
    job->signalTimer.setInterval(m_tuning.coalesceInterval);
    connect(&job->signalTimer, &QTimer::timeout, this, [this, raw] { announce(*raw); });
    job->flushTimer.setInterval(m_tuning.flushInterval);
    connect(&job->flushTimer, &QTimer::timeout, this, [this, raw] {
        const qint64 nowMs = m_clock->nowMs();
        // Text since the last write, or a heartbeat each second so that a live stream is never
        // taken for one abandoned by a dead process.
        if (raw->unsaved.isEmpty() && nowMs - raw->lastWriteMs < 1000)
            return;
        auto conn = m_database->connection();
        if (!conn)
            return;
        const QString piece = std::exchange(raw->unsaved, QString());
        if (auto appended = ConversationStore::appendToMessage(*conn, raw->answerId, piece, nowMs); !appended) {
            raw->unsaved.prepend(piece); // kept in memory, written with the next flush
            qCWarning(lcChat) << "could not save part of answer" << raw->answerId << ":" << appended.error();
            return;
        }
        raw->lastWriteMs = nowMs;
    });
    m_active.emplace(job->answerId, job);
    job->flushTimer.start();
    QMetaObject::invokeMethod(this, [this, job] { runJob(job); }, Qt::QueuedConnection);
    qCInfo(lcChat) << "answer" << job->answerId << "of conversation" << job->conversationId
                   << (job->continued ? "continued with" : "started with") << job->provider->description();
}

void ChatService::announce(Job &job)
{
    if (job.unsignalled.isEmpty())
        return;
    job.announced += job.unsignalled;
    Q_EMIT answerProgress(job.answerId, std::exchange(job.unsignalled, QString()));
}

QCoro::Task<> ChatService::runJob(std::shared_ptr<Job> job)
{
    if (job->finished)
        co_return; // stopped before it started
    ChatRequest request = job->request;
    auto outcome = co_await job->provider->stream(std::move(request), job.get(), job->cancel);
    // shutdown() ends every job synchronously; a job it ended must not touch this object again.
    if (job->finished)
        co_return;
    if (!outcome) {
        finishJob(job, MessageStatus::Failed, outcome.error(), {});
    } else if (outcome->cancelled || job->cancel->isCancelled()) {
        finishJob(job, MessageStatus::Cancelled, Error(), sourcesToJson(outcome->sources));
    } else if (job->received == 0 && !job->continued) {
        finishJob(job, MessageStatus::Failed,
                  Error(ErrorCode::ProviderProtocol, QStringLiteral("The agent sent an empty answer. Try again, or rephrase the question.")),
                  {});
    } else {
        finishJob(job, MessageStatus::Complete, Error(), sourcesToJson(outcome->sources));
    }
}

void ChatService::finishJob(const std::shared_ptr<Job> &job, MessageStatus status, const Error &error, const QString &sourcesJson)
{
    if (job->finished)
        return;
    job->finished = true;
    job->signalTimer.stop();
    job->flushTimer.stop();
    const QString errorText = status == MessageStatus::Failed ? error.message() : QString();
    // A provider refusing or failing is part of normal operation and reaches the user through
    // answerFinished(); the log keeps the detail, as a note rather than a warning, so that
    // heliodeskctl's stderr holds only its own one-line sentence.
    if (status == MessageStatus::Failed)
        qCInfo(lcChat) << "answer" << job->answerId << "failed:" << error;

    // The rest of the text, the final status and the ledger outcome, in one transaction.
    const qint64 now = m_clock->nowMs();
    auto written = [&]() -> Result<void> {
        auto db = m_database->connection();
        if (!db)
            return Unexpected(db.error());
        auto txn = Transaction::begin(*db);
        if (!txn)
            return Unexpected(txn.error());
        if (!job->unsaved.isEmpty()) {
            if (auto appended = ConversationStore::appendToMessage(*db, job->answerId, job->unsaved, now); !appended)
                return appended;
        }
        if (auto done = ConversationStore::finishMessage(*db, job->answerId, status, errorText, sourcesJson, now); !done)
            return done;
        if (job->usageEventId != 0) {
            const UsageOutcome outcome = status == MessageStatus::Complete ? UsageOutcome::Complete
                : status == MessageStatus::Cancelled                       ? UsageOutcome::Cancelled
                                                                           : UsageOutcome::Failed;
            if (auto recorded = QuotaLedger::finish(*db, job->usageEventId, outcome, errorText, now); !recorded)
                return recorded;
        }
        if (auto touched = ConversationStore::touch(*db, job->conversationId, now); !touched)
            return touched;
        return txn->commit();
    }();
    if (!written) {
        // The answer stays "streaming" in the database with the text of the last flush; the next
        // start marks it interrupted. Listeners still hear how it ended.
        qCWarning(lcChat) << "could not save the end of answer" << job->answerId << ":" << written.error();
    }
    job->unsaved.clear();
    announce(*job);
    m_active.erase(job->answerId);
    const QString shownError = written || status == MessageStatus::Failed
        ? errorText
        : QStringLiteral("The answer could not be saved completely: %1").arg(written.error().message());
    Q_EMIT answerFinished(job->answerId, status, shownError);
}

bool ChatService::stop(qint64 answerId)
{
    const auto it = m_active.find(answerId);
    if (it == m_active.end())
        return false;
    it->second->cancel->cancel();
    return true;
}

void ChatService::stopConversation(qint64 conversationId)
{
    std::vector<qint64> ids;
    for (const auto &[id, job] : m_active)
        if (job->conversationId == conversationId)
            ids.push_back(id);
    for (qint64 id : ids)
        stop(id);
}

int ChatService::stopUser(qint64 userId)
{
    int stopped = 0;
    endNow([userId, &stopped](const Job &job) {
        const bool theirs = job.userId == userId;
        stopped += theirs ? 1 : 0;
        return theirs;
    });
    if (stopped > 0)
        qCInfo(lcChat) << stopped << "answer(s) of user" << userId << "stopped at once";
    return stopped;
}

void ChatService::shutdown()
{
    endNow([](const Job &) { return true; });
}

void ChatService::endNow(const std::function<bool(const Job &)> &which)
{
    std::vector<std::shared_ptr<Job>> jobs;
    for (const auto &entry : m_active)
        if (which(*entry.second))
            jobs.push_back(entry.second);
    for (const auto &job : jobs) {
        job->cancel->cancel(); // the provider aborts its request
        finishJob(job, MessageStatus::Cancelled, Error(), {});
    }
}

Result<int> ChatService::recoverInterruptedAnswers(std::chrono::milliseconds grace)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    const qint64 now = m_clock->nowMs();
    // Nearly always there is nothing to recover: a read says so without taking the write lock.
    auto abandoned = ConversationStore::hasAbandonedStreams(*db, now - grace.count());
    if (!abandoned)
        return Unexpected(abandoned.error());
    if (!*abandoned)
        return 0;
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    auto count = ConversationStore::interruptAbandonedStreams(*db, now - grace.count(), now);
    if (!count)
        return Unexpected(count.error());
    if (auto failed = QuotaLedger::failInterrupted(*db, QStringLiteral("Heliodesk stopped before the answer was complete."), now);
        !failed)
        return Unexpected(failed.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    if (*count > 0)
        qCInfo(lcChat) << *count << "answer(s) left streaming by a previous run marked interrupted";
    return *count;
}

Result<ConversationRecord> ChatService::changeConversation(const Actor &actor, qint64 conversationId,
                                                          const std::function<Result<void>(const QSqlDatabase &)> &change)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto owned = ownedConversation(*db, actor, conversationId); !owned)
        return Unexpected(owned.error());
    if (auto changed = change(*db); !changed)
        return Unexpected(changed.error());
    auto now = ConversationStore::find(*db, conversationId);
    if (!now)
        return Unexpected(now.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    Q_EMIT conversationChanged(**now);
    return **now;
}

Result<ConversationRecord> ChatService::renameConversation(const Actor &actor, qint64 conversationId, const QString &title)
{
    const QString name = title.simplified();
    if (name.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("Give the conversation a name."));
    constexpr qsizetype maxLength = 200;
    if (name.size() > maxLength)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The name is too long (%1 characters; at most %2).").arg(name.size()).arg(maxLength));
    return changeConversation(actor, conversationId,
                              [&](const QSqlDatabase &db) { return ConversationStore::rename(db, conversationId, name); });
}

Result<ConversationRecord> ChatService::setConversationPinned(const Actor &actor, qint64 conversationId, bool pinned)
{
    return changeConversation(actor, conversationId,
                              [&](const QSqlDatabase &db) { return ConversationStore::setPinned(db, conversationId, pinned); });
}

Result<int> ChatService::deleteConversation(const Actor &actor, qint64 conversationId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    // Ownership first: someone else's streams are not stopped on their behalf.
    if (auto owned = ownedConversation(*db, actor, conversationId); !owned)
        return Unexpected(owned.error());
    // An answer still streaming ends now, written as cancelled, before its rows go.
    endNow([conversationId](const Job &job) { return job.conversationId == conversationId; });
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto owned = ownedConversation(*db, actor, conversationId); !owned)
        return Unexpected(owned.error());
    auto removed = ConversationStore::remove(*db, conversationId);
    if (!removed)
        return Unexpected(removed.error().withContext(QStringLiteral("Could not delete the conversation")));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(QStringLiteral("Could not delete the conversation")));
    qCInfo(lcChat) << "conversation" << conversationId << "deleted with" << *removed << "messages";
    Q_EMIT conversationDeleted(conversationId);
    return *removed;
}

Result<QList<ConversationRecord>> ChatService::conversations(const Actor &actor)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: sign in to see conversations."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    return ConversationStore::listForUser(*db, *actor.userId());
}

Result<ConversationRecord> ChatService::conversation(const Actor &actor, qint64 conversationId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    return ownedConversation(*db, actor, conversationId);
}

Result<QList<MessageRecord>> ChatService::messages(const Actor &actor, qint64 conversationId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    auto conversation = ownedConversation(*db, actor, conversationId);
    if (!conversation)
        return Unexpected(conversation.error());
    return ConversationStore::messages(*db, conversationId);
}

void ChatService::withAnnouncedText(MessageRecord &message) const
{
    if (message.status != MessageStatus::Streaming)
        return;
    if (const auto it = m_active.find(message.id); it != m_active.end())
        message.content = it->second->announced;
}

Result<ChatService::MessagePage> ChatService::messagePage(const Actor &actor, qint64 conversationId,
                                                           std::optional<qint64> beforeMessageId, int limit)
{
    if (limit < 1)
        return fail(ErrorCode::InvalidInput, tr("Ask for at least one message (asked for %1).").arg(limit));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto owned = ownedConversation(*db, actor, conversationId); !owned)
        return Unexpected(owned.error());
    // One more than asked for says whether older ones exist, without counting them.
    auto newest = ConversationStore::newestMessages(*db, conversationId, beforeMessageId, qint64(limit) + 1);
    if (!newest)
        return Unexpected(newest.error());
    MessagePage page;
    page.hasOlder = newest->size() > limit;
    if (page.hasOlder)
        newest->removeLast();
    page.messages.reserve(newest->size());
    for (auto it = newest->crbegin(); it != newest->crend(); ++it) {
        page.messages.append(*it);
        withAnnouncedText(page.messages.last());
    }
    return page;
}

Result<MessageRecord> ChatService::message(const Actor &actor, qint64 messageId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    auto found = ConversationStore::findMessage(*db, messageId);
    if (!found)
        return Unexpected(found.error());
    if (!*found)
        return Unexpected(noSuchMessage(messageId));
    if (auto owned = ownedConversation(*db, actor, (*found)->conversationId); !owned) {
        if (owned.error().code() == ErrorCode::NotFound)
            return Unexpected(noSuchMessage(messageId));
        return Unexpected(owned.error());
    }
    MessageRecord message = **found;
    withAnnouncedText(message);
    return message;
}

Result<QList<ChatTurn>> ChatService::buildContext(const QSqlDatabase &db, qint64 conversationId, qint64 beforeMessageId,
                                                  const QString &systemPrompt, const QString &question)
{
    QList<ChatTurn> earlier;
    int budget = m_tuning.contextBudgetChars - int(systemPrompt.size()) - int(question.size());
    // Newest first, a page at a time, so the most recent exchange survives when the budget runs
    // out, and a long conversation costs only the pages the budget reaches (this runs on the
    // event loop's thread, at the moment the question is sent).
    constexpr int pageSize = 32;
    std::optional<qint64> before = beforeMessageId;
    bool full = false;
    while (!full) {
        auto page = ConversationStore::newestMessages(db, conversationId, before, pageSize);
        if (!page)
            return Unexpected(page.error());
        for (const MessageRecord &message : std::as_const(*page)) {
            if (message.content.isEmpty() || message.status == MessageStatus::Failed)
                continue;
            if (message.content.size() > budget) {
                full = true;
                break;
            }
            budget -= int(message.content.size());
            earlier.prepend(ChatTurn{turnRole(message.role), message.content});
        }
        if (page->size() < pageSize)
            break;
        before = page->constLast().id;
    }
    QList<ChatTurn> turns;
    if (!systemPrompt.isEmpty())
        turns.append(ChatTurn{ChatTurn::Role::System, systemPrompt});
    turns += earlier;
    turns.append(ChatTurn{ChatTurn::Role::User, question});
    return turns;
}

} // namespace heliodesk
