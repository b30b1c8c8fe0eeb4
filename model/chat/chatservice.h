#pragma once

// Asking an agent: rights → quota → question and answer rows → context → stream, always in that
// order. Answers stream as QCoro tasks on the Qt event loop; listeners get coalesced updates and
// the partial answer reaches the database in small appends.

#include "model/actor.h"
#include "model/clock.h"
#include "model/agents/chatprovider.h"

#include "storage/database.h"
#include "storage/records.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>

namespace heliodesk {


struct AskRequest {
    std::optional<qint64> conversationId; // empty: start a new conversation with `agentId`
    QString agentId;                      // for a new conversation; checked against an existing one
    QString question;
};

struct AnswerTicket {
    qint64 conversationId = 0;
    qint64 questionId = 0;
    qint64 answerId = 0;
    Reservation reservation;
};

/// A page of a conversation's messages, oldest first.
struct MessagePage {
    QList<MessageRecord> messages;
    bool hasOlder = false; // messages older than the first one exist
};

struct ChatTuning {
    std::chrono::milliseconds coalesceInterval{16}; // at most ~60 updates a second to listeners
    std::chrono::milliseconds flushInterval{250};   // partial answers reach the database this often
    int contextBudgetChars = 24000;                 // history sent with a question, newest first
    int maxQuestionChars = 32000;
};

class ChatService : public QObject
{
    Q_OBJECT

public:
    using MessagePage = heliodesk::MessagePage;

    /// Chooses the provider for an agent (an OpenAI-compatible endpoint, or the offline knowledge base).
    using ProviderFor = std::function<std::shared_ptr<ChatProvider>(const QString &agentId)>;

    ChatService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, ProviderFor providerFor,
                ChatTuning tuning = {}, QObject *parent = nullptr);
    ~ChatService() override;

    /// Checks that the actor may ask the agent and owns the conversation, counts the query, saves
    /// the question and an empty answer (status streaming), then starts streaming and returns.
    /// Progress arrives through answerProgress(); the end through answerFinished().
    Result<AnswerTicket> ask(const Actor &actor, const AskRequest &request);

    /// Answers the last question of the actor's conversation again. `answerId` must be the
    /// conversation's last message, an assistant answer that is no longer streaming. The query is
    /// counted; the old answer and its feedback are replaced by a new streaming answer.
    /// Emits messageRemoved (the old answer), then messagesAdded (the new one).
    /// ticket.questionId is the question being answered again.
    Result<AnswerTicket> regenerate(const Actor &actor, qint64 answerId);
    /// Lets an interrupted or cancelled answer go on where it stopped: the query is counted, the
    /// answer streams again and the new text is appended to it. `answerId` must be the
    /// conversation's last message and have text. Emits answerResumed.
    Result<AnswerTicket> continueAnswer(const Actor &actor, qint64 answerId);

    /// Stops one answer (Stop button, Ctrl-C): it ends as cancelled, keeping its text.
    bool stop(qint64 answerId);
    /// Stops every answer of a conversation (closing it).
    void stopConversation(qint64 conversationId);
    /// Ends every stream of one user's questions now, each written as cancelled before this
    /// returns (before the user is deleted). Returns how many were stopped.
    int stopUser(qint64 userId);
    /// Ends every stream now, writing each as cancelled before returning (quitting).
    void shutdown();

    [[nodiscard]] int activeStreamCount() const { return int(m_active.size()); }
    [[nodiscard]] bool isStreaming(qint64 conversationId) const;

    /// Marks answers left "streaming" by a process that died as "interrupted". Streams that were
    /// written to within `grace` may belong to another live process and are left alone.
    Result<int> recoverInterruptedAnswers(std::chrono::milliseconds grace = std::chrono::seconds(5));

    Result<QList<ConversationRecord>> conversations(const Actor &actor);
    /// The conversation's messages, only for its owner.
    Result<QList<MessageRecord>> messages(const Actor &actor, qint64 conversationId);
    Result<ConversationRecord> conversation(const Actor &actor, qint64 conversationId);
    /// The newest `limit` messages of the conversation (older than `beforeMessageId` when
    /// given), oldest first; only for its owner. An answer streaming here holds the text
    /// announced through answerProgress() so far, so that listeners can go on from it.
    Result<MessagePage> messagePage(const Actor &actor, qint64 conversationId, std::optional<qint64> beforeMessageId,
                                    int limit);
    /// One message of the actor's own conversations (a streaming answer as in messagePage()).
    Result<MessageRecord> message(const Actor &actor, qint64 messageId);

    /// Renames one of the actor's conversations (trimmed; 1 to 200 characters).
    Result<ConversationRecord> renameConversation(const Actor &actor, qint64 conversationId, const QString &title);
    /// Pins one of the actor's conversations to the top of their list, or unpins it.
    Result<ConversationRecord> setConversationPinned(const Actor &actor, qint64 conversationId, bool pinned);
    /// Deletes one of the actor's conversations with its messages and feedback, in one
    /// transaction; an answer still streaming in it is stopped first (and ends as cancelled).
    /// The queries it used stay counted. Returns how many messages went.
    Result<int> deleteConversation(const Actor &actor, qint64 conversationId);

    /// A title from the first question: its first line, shortened at a word boundary.
    static QString titleFor(const QString &question);

Q_SIGNALS:
    /// New text of an answer since the previous signal, at most about 60 times a second.
    void answerProgress(qint64 answerId, const QString &newText);
    /// The answer ended: complete, cancelled or failed (with the error's sentence).
    void answerFinished(qint64 answerId, heliodesk::MessageStatus status, const QString &error);
    /// A conversation was started, asked in again (also by regenerating or continuing an answer),
    /// renamed or pinned (the record as it is now), or deleted.
    void conversationChanged(const heliodesk::ConversationRecord &conversation);
    void conversationDeleted(qint64 conversationId);
    /// ask(): the question and its empty streaming answer, after they were saved and before ask()
    /// returns; regenerate(): the new answer.
    void messagesAdded(qint64 conversationId, const QList<heliodesk::MessageRecord> &messages);
    /// regenerate() removed the old answer.
    void messageRemoved(qint64 conversationId, qint64 messageId);
    /// continueAnswer(): the answer is streaming again (status streaming, error cleared).
    void answerResumed(qint64 answerId);

private:
    struct Job;
    struct JobStart;
    struct Agent;
    struct Retry;
    enum class RetryKind { Regenerate, Continue };
    /// Builds the context and starts streaming on the event loop's next turn (a context that
    /// cannot be built ends the answer as failed at once).
    void startJob(const QSqlDatabase &db, JobStart start);
    /// The agent the actor may ask, and the provider that answers for it.
    Result<Agent> askableAgent(const QSqlDatabase &db, qint64 userId, const QString &agentId);
    /// The answer regenerate() or continueAnswer() works on, after every check of rights and state.
    Result<Retry> retryable(const QSqlDatabase &db, const Actor &actor, qint64 answerId, RetryKind kind);
    /// Inside the write transaction: the answer is still the conversation's last message and as it was checked.
    Result<void> stillLast(const QSqlDatabase &db, const MessageRecord &answer);
    /// A streaming answer's text as announced through answerProgress() so far (the database lags behind).
    void withAnnouncedText(MessageRecord &message) const;
    /// Passes the text not yet announced on to listeners (answerProgress).
    void announce(Job &job);
    QCoro::Task<> runJob(std::shared_ptr<Job> job);
    void finishJob(const std::shared_ptr<Job> &job, MessageStatus status, const Error &error, const QString &sourcesJson);
    /// Ends the chosen streams at once, each written as cancelled before this returns.
    void endNow(const std::function<bool(const Job &)> &which);
    Result<ConversationRecord> ownedConversation(const QSqlDatabase &db, const Actor &actor, qint64 conversationId);
    /// Runs `change` on one of the actor's conversations in a write transaction; returns the
    /// record as it is afterwards and announces it.
    Result<ConversationRecord> changeConversation(const Actor &actor, qint64 conversationId,
                                                  const std::function<Result<void>(const QSqlDatabase &)> &change);
    Result<QList<ChatTurn>> buildContext(const QSqlDatabase &db, qint64 conversationId, qint64 beforeMessageId,
                                         const QString &systemPrompt, const QString &question);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    ProviderFor m_providerFor;
    ChatTuning m_tuning;
    std::map<qint64, std::shared_ptr<Job>> m_active; // by answer id
};

} // namespace heliodesk
