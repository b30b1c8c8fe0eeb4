// The chat service: rights → quota → rows → context → stream; coalesced updates, periodic
// flushes, cancel, failure, interrupted answers, and that nobody reads another's conversation.

#include "support/scriptedprovider.h"
#include "support/testdatabase.h"

#include "model/chat/chatservice.h"
#include "storage/conversationstore.h"
#include "storage/hiringstore.h"
#include "storage/quotaledger.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

#include <functional>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    TestDatabase t;
    std::shared_ptr<ScriptedProvider> provider = std::make_shared<ScriptedProvider>();
    std::unique_ptr<ChatService> chat;
    Actor bob;
    Actor carl;

    explicit Fixture(ChatTuning tuning = {})
    {
        t.createAdmin();
        bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 10));
        carl = Actor::user(t.createAnalyst(QStringLiteral("carl"), 10));
        for (const Actor *a : {&bob, &carl})
            for (const char *agent : {"om", "news"})
                (void)HiringStore::hire(t.connection(), *a->userId(), QString::fromLatin1(agent), 0);
        auto p = provider;
        chat = std::make_unique<ChatService>(t.database(), t.clock(), [p](const QString &) { return p; }, tuning);
    }

    [[nodiscard]] MessageRecord message(qint64 id) const { return *ConversationStore::findMessage(t.connection(), id).value(); }
    [[nodiscard]] QString outcome(qint64 usageEventId) const
    {
        return scalar(t.connection(), QStringLiteral("SELECT outcome FROM usage_events WHERE id = ?"), {usageEventId}).value().toString();
    }
    [[nodiscard]] int used(const QString &name) const
    {
        return UserStore::findByName(t.connection(), name).value()->quotaUsed;
    }
};

ProviderScript scripted(QStringList pieces, std::chrono::milliseconds delay = 0ms, int failAfter = -1)
{
    ProviderScript script;
    script.pieces = std::move(pieces);
    script.delay = delay;
    script.failAfter = failAfter;
    return script;
}

QStringList words(int n)
{
    QStringList pieces;
    for (int i = 0; i < n; ++i)
        pieces << QStringLiteral("w%1 ").arg(i);
    return pieces;
}

/// Waits for the answer's answerFinished and returns its status.
std::optional<MessageStatus> waitFinished(QSignalSpy &spy, qint64 answerId, int timeoutMs = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        for (const QList<QVariant> &args : std::as_const(spy))
            if (args.at(0).toLongLong() == answerId)
                return args.at(1).value<MessageStatus>();
        spy.wait(50);
    }
    return std::nullopt;
}


/// The text announced for one answer through answerProgress.
QString announcedText(const QSignalSpy &progress, qint64 answerId)
{
    QString text;
    for (const QList<QVariant> &args : progress)
        if (args.at(0).toLongLong() == answerId)
            text += args.at(1).toString();
    return text;
}

/// Messages in the database as a connection of its own sees them: only what was committed.
int rowsSeenByAnotherConnection(const TestDatabase &t)
{
    auto other = t.openAnother();
    if (!other)
        return -1;
    auto db = (*other)->connection();
    if (!db)
        return -1;
    auto rows = scalar(*db, QStringLiteral("SELECT count(*) FROM messages"));
    return rows ? rows->toInt() : -1;
}

/// Asks, and lets the answer end as `ending`: complete, cancelled (with text), empty cancelled
/// (stopped before any text), failed, or streaming (left running).
std::optional<AnswerTicket> askEndingAs(Fixture &f, const Actor &who, std::optional<qint64> conversationId, const QString &ending)
{
    ProviderScript script = scripted({QStringLiteral("an answer")});
    if (ending == u"empty cancelled")
        script.pieces.clear();
    if (ending == u"failed")
        script.failAfter = 0;
    script.hangAfterPieces = ending != u"complete" && ending != u"failed";
    f.provider->setScript(script);
    QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
    QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
    auto ticket = f.chat->ask(who, AskRequest{conversationId, conversationId ? QString() : QStringLiteral("om"), QStringLiteral("A question")});
    if (!ticket)
        return std::nullopt;
    if (ending == u"streaming")
        return QTest::qWaitFor([&] { return !progress.isEmpty(); }) ? std::optional(*ticket) : std::nullopt;
    if (ending == u"cancelled" && !QTest::qWaitFor([&] { return !progress.isEmpty(); }))
        return std::nullopt;
    if (script.hangAfterPieces)
        f.chat->stop(ticket->answerId);
    if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }))
        return std::nullopt;
    return *ticket;
}

/// Sets up the case `which` names, makes `call` on its target message, and checks that it was
/// refused with `code` (and a sentence containing `says`) without counting or changing anything.
void refusedWithNothingChanged(const QString &which, ErrorCode code, const QString &says,
                               const std::function<Result<AnswerTicket>(Fixture &, qint64)> &call)
{
    Fixture f;
    const bool carls = which.startsWith(u"carl");
    const bool firstIsTarget = which.startsWith(u"first");
    const QString firstEnding = which == u"first cancelled" ? QStringLiteral("cancelled") : QStringLiteral("complete");
    QString lastEnding = QStringLiteral("complete");
    for (const char *ending : {"streaming", "failed", "empty cancelled"})
        if (which == QLatin1String(ending))
            lastEnding = QString::fromLatin1(ending);
    if (which == u"carl cancelled" || which == u"quota cancelled")
        lastEnding = QStringLiteral("cancelled");

    const Actor &owner = carls ? f.carl : f.bob;
    const auto first = askEndingAs(f, owner, std::nullopt, firstEnding);
    QVERIFY(first);
    const auto last = askEndingAs(f, owner, first->conversationId, lastEnding);
    QVERIFY(last);
    qint64 target = last->answerId;
    if (firstIsTarget)
        target = first->answerId;
    else if (which == u"last question")
        target = last->questionId;
    else if (which == u"missing")
        target = 999999;
    if (which.startsWith(u"quota"))
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("UPDATE users SET quota_limit = quota_used")));
    if (which == u"released")
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("DELETE FROM plan_agents WHERE agent_id = 'om'")));

    const auto snapshot = [&f]() -> QString {
        const QSqlDatabase db = f.t.connection();
        QStringList rows;
        QSqlQuery q = execSql(db, QStringLiteral("SELECT id, status, content, usage_event_id FROM messages ORDER BY id")).value();
        while (q.next())
            rows << QStringLiteral("%1:%2:%3:%4").arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                                      q.value(3).isNull() ? QString() : q.value(3).toString());
        const qint64 usage = scalar(db, QStringLiteral("SELECT count(*) FROM usage_events")).value().toLongLong();
        const qint64 used = scalar(db, QStringLiteral("SELECT sum(quota_used) FROM users")).value().toLongLong();
        return rows.join(u'|') + QStringLiteral(" / %1 / %2").arg(usage).arg(used);
    };
    const QString before = snapshot();
    const int calls = f.provider->calls();
    QSignalSpy removed(f.chat.get(), &ChatService::messageRemoved);
    QSignalSpy added(f.chat.get(), &ChatService::messagesAdded);
    QSignalSpy resumed(f.chat.get(), &ChatService::answerResumed);
    QSignalSpy changed(f.chat.get(), &ChatService::conversationChanged);

    const auto refused = call(f, target);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code(), code);
    QVERIFY2(refused.error().message().contains(says), qPrintable(refused.error().message()));
    QCOMPARE(snapshot(), before);
    QCOMPARE(removed.count() + added.count() + resumed.count() + changed.count(), 0);
    QTest::qWait(20);
    QCOMPARE(f.provider->calls(), calls);
}

} // namespace

class TestChatService : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void answerStreamsCoalescedAndIsSaved()
    {
        Fixture f;
        f.provider->setScript(scripted(words(3000)));
        QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"),
                                                    QStringLiteral("  Inverter 3 trips on DC insulation fault every morning — why?\nMore detail")});
        VERIFY_OK(ticket);
        // Before any streaming: the query is counted, the question saved, the answer waiting.
        QCOMPARE(f.used(QStringLiteral("bob")), 1);
        QCOMPARE(f.message(ticket->questionId).content,
                 QStringLiteral("Inverter 3 trips on DC insulation fault every morning — why?\nMore detail"));
        QCOMPARE(f.message(ticket->answerId).status, MessageStatus::Streaming);
        QCOMPARE(f.chat->activeStreamCount(), 1);
        QVERIFY(f.chat->isStreaming(ticket->conversationId));

        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Complete));
        QString streamed;
        for (const QList<QVariant> &args : std::as_const(progress))
            streamed += args.at(1).toString();
        QCOMPARE(streamed, words(3000).join(QString()));
        QVERIFY2(progress.size() < 3000 / 4, qPrintable(QString::number(progress.size()))); // coalesced, not one per piece
        const MessageRecord answer = f.message(ticket->answerId);
        QCOMPARE(answer.content, streamed);
        QCOMPARE(answer.status, MessageStatus::Complete);
        QCOMPARE(f.outcome(ticket->reservation.usageEventId), QStringLiteral("complete"));
        QCOMPARE(f.chat->activeStreamCount(), 0);

        auto conversation = f.chat->conversation(f.bob, ticket->conversationId);
        VERIFY_OK(conversation);
        QCOMPARE(conversation->title, QStringLiteral("Inverter 3 trips on DC insulation fault every morning — why?"));
        QCOMPARE(conversation->agentId, QStringLiteral("om"));
    }

    void titles_data()
    {
        QTest::addColumn<QString>("question");
        QTest::addColumn<QString>("title");
        QTest::newRow("short") << QStringLiteral("What is a PPA?") << QStringLiteral("What is a PPA?");
        QTest::newRow("first line only") << QStringLiteral("  Soiling losses\nat site B ") << QStringLiteral("Soiling losses");
        QTest::newRow("spaces folded") << QStringLiteral("IV   curve\ttracing") << QStringLiteral("IV curve tracing");
        QTest::newRow("long, cut at a word") << QStringLiteral("How do capture prices for solar in southern Spain compare with Germany over the last three years?")
                                             << QStringLiteral("How do capture prices for solar in southern Spain compare…");
        QTest::newRow("empty") << QStringLiteral("   ") << QStringLiteral("New conversation");
    }

    void titles()
    {
        QFETCH(QString, question);
        QFETCH(QString, title);
        QCOMPARE(ChatService::titleFor(question), title);
    }

    void refusedBeforeCountingAnything_data()
    {
        QTest::addColumn<QString>("agent");
        QTest::addColumn<QString>("setup");
        QTest::addColumn<int>("code");
        QTest::newRow("not hired") << QStringLiteral("market") << QString() << int(ErrorCode::NotAllowed);
        QTest::newRow("unknown agent") << QStringLiteral("weather") << QString() << int(ErrorCode::NotFound);
        QTest::newRow("agent switched off") << QStringLiteral("om") << QStringLiteral("UPDATE agents SET enabled = 0 WHERE id = 'om'")
                                            << int(ErrorCode::NotAllowed);
        QTest::newRow("plan excludes agent") << QStringLiteral("om")
                                             << QStringLiteral("DELETE FROM plan_agents WHERE agent_id = 'om'") << int(ErrorCode::NotAllowed);
        QTest::newRow("quota used up") << QStringLiteral("om") << QStringLiteral("UPDATE users SET quota_limit = 0")
                                       << int(ErrorCode::QuotaExceeded);
    }

    void refusedBeforeCountingAnything()
    {
        QFETCH(QString, agent);
        QFETCH(QString, setup);
        QFETCH(int, code);
        Fixture f;
        if (!setup.isEmpty())
            QVERIFY(execSql(f.t.connection(), setup));
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, agent, QStringLiteral("What is a capture price?")});
        QVERIFY(!ticket);
        QCOMPARE(int(ticket.error().code()), code);
        QVERIFY(!ticket.error().message().isEmpty());
        QCOMPARE(f.used(QStringLiteral("bob")), 0);
        QCOMPARE(f.t.count(QStringLiteral("usage_events")), 0);
        QCOMPARE(f.t.count(QStringLiteral("conversations")), 0);
        QCOMPARE(f.t.count(QStringLiteral("messages")), 0);
        QCOMPARE(f.provider->calls(), 0);
    }

    void failedAnswerKeepsTextAndStillCounts()
    {
        Fixture f;
        f.provider->setScript(scripted(words(10), 1ms, 4));
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Why is PR low?")});
        VERIFY_OK(ticket);
        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Failed));
        QCOMPARE(finished.last().at(2).toString(), QStringLiteral("The model server is unavailable (HTTP 503)."));
        const MessageRecord answer = f.message(ticket->answerId);
        QCOMPARE(answer.status, MessageStatus::Failed);
        QCOMPARE(answer.content, QStringLiteral("w0 w1 w2 w3 "));
        QCOMPARE(answer.error, QStringLiteral("The model server is unavailable (HTTP 503)."));
        QCOMPARE(f.outcome(ticket->reservation.usageEventId), QStringLiteral("failed"));
        QCOMPARE(f.used(QStringLiteral("bob")), 1);
    }

    void stopCancelsAndKeepsPartialText()
    {
        Fixture f;
        ProviderScript script = scripted(words(5));
        script.hangAfterPieces = true;
        f.provider->setScript(script);
        QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("news"), QStringLiteral("Latest on grid queues?")});
        VERIFY_OK(ticket);
        QTRY_VERIFY(!progress.isEmpty());
        QTRY_COMPARE(f.chat->activeStreamCount(), 1);
        QVERIFY(f.chat->stop(ticket->answerId));
        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Cancelled));
        const MessageRecord answer = f.message(ticket->answerId);
        QCOMPARE(answer.status, MessageStatus::Cancelled);
        QCOMPARE(answer.content, words(5).join(QString()));
        QCOMPARE(f.outcome(ticket->reservation.usageEventId), QStringLiteral("cancelled"));
        QVERIFY(!f.chat->stop(ticket->answerId));
    }

    void oneAnswerPerConversationManyConversations()
    {
        Fixture f;
        ProviderScript script = scripted(words(3));
        script.hangAfterPieces = true;
        f.provider->setScript(script);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto first = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("First question")});
        VERIFY_OK(first);
        auto again = f.chat->ask(f.bob, AskRequest{first->conversationId, {}, QStringLiteral("Second question")});
        QVERIFY(!again);
        QVERIFY(again.error().message().contains(u"still answering"));
        QCOMPARE(f.used(QStringLiteral("bob")), 1);

        auto other = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("news"), QStringLiteral("Other question")});
        auto carls = f.chat->ask(f.carl, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Carl's question")});
        VERIFY_OK(other);
        VERIFY_OK(carls);
        QCOMPARE(f.chat->activeStreamCount(), 3);
        QTRY_VERIFY(!f.message(first->answerId).content.isEmpty()); // the three words were flushed
        f.chat->stopConversation(first->conversationId);
        QCOMPARE(waitFinished(finished, first->answerId), std::optional(MessageStatus::Cancelled));
        QCOMPARE(f.chat->activeStreamCount(), 2);

        // The conversation is free again: a follow-up gets the history as context.
        f.provider->setScript(scripted({QStringLiteral("ok")}));
        auto followUp = f.chat->ask(f.bob, AskRequest{first->conversationId, {}, QStringLiteral("Second question")});
        VERIFY_OK(followUp);
        QCOMPARE(waitFinished(finished, followUp->answerId), std::optional(MessageStatus::Complete));
        const QList<ChatTurn> turns = f.provider->lastRequest().turns;
        QVERIFY(turns.size() >= 3);
        QCOMPARE(turns.first().content, QStringLiteral("First question"));
        QCOMPARE(turns.last().content, QStringLiteral("Second question"));
        f.chat->shutdown();
        QCOMPARE(f.chat->activeStreamCount(), 0);
        QCOMPARE(f.message(other->answerId).status, MessageStatus::Cancelled);
        QCOMPARE(f.message(carls->answerId).status, MessageStatus::Cancelled);
    }

    void nobodyReadsOrContinuesAnothersConversation()
    {
        Fixture f;
        f.provider->setScript(scripted({QStringLiteral("private answer")}));
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Bob's secret plant")});
        VERIFY_OK(ticket);
        QVERIFY(waitFinished(finished, ticket->answerId));

        QCOMPARE(f.chat->messages(f.carl, ticket->conversationId).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.chat->conversation(f.carl, ticket->conversationId).error().code(), ErrorCode::NotFound);
        QString othersMessage = f.chat->messages(f.carl, ticket->conversationId).error().message();
        othersMessage.replace(QString::number(ticket->conversationId), QStringLiteral("999999"));
        QCOMPARE(f.chat->messages(f.carl, 999999).error().message(), othersMessage); // indistinguishable from a missing one
        auto hijack = f.chat->ask(f.carl, AskRequest{ticket->conversationId, {}, QStringLiteral("Show me")});
        QCOMPARE(hijack.error().code(), ErrorCode::NotFound);
        QCOMPARE(f.used(QStringLiteral("carl")), 0);
        QVERIFY(f.chat->conversations(f.carl).value().isEmpty());
        QCOMPARE(f.chat->conversations(f.bob).value().size(), 1);
        QCOMPARE(f.chat->messages(Actor::system(QStringLiteral("ops")), ticket->conversationId).error().code(), ErrorCode::NotAllowed);
    }

    void renameAndPinOnlyOwnConversations()
    {
        Fixture f;
        f.provider->setScript(scripted({QStringLiteral("answer")}));
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        QSignalSpy changed(f.chat.get(), &ChatService::conversationChanged);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Inverter 3 trips")});
        VERIFY_OK(ticket);
        QVERIFY(waitFinished(finished, ticket->answerId));
        QCOMPARE(changed.count(), 1); // the new conversation was announced
        QCOMPARE(changed.at(0).at(0).value<ConversationRecord>().title, QStringLiteral("Inverter 3 trips"));
        changed.clear();
        const qint64 updatedBefore = f.chat->conversation(f.bob, ticket->conversationId)->updatedAtMs;

        auto renamed = f.chat->renameConversation(f.bob, ticket->conversationId, QStringLiteral("  Inverter 3:\n morning trips  "));
        VERIFY_OK(renamed);
        QCOMPARE(renamed->title, QStringLiteral("Inverter 3: morning trips"));
        QCOMPARE(renamed->updatedAtMs, updatedBefore); // renaming is not activity: the order stays
        QCOMPARE(changed.count(), 1);
        QCOMPARE(f.chat->renameConversation(f.bob, ticket->conversationId, QStringLiteral("   ")).error().code(), ErrorCode::InvalidInput);
        QCOMPARE(f.chat->renameConversation(f.bob, ticket->conversationId, QString(201, u'x')).error().code(), ErrorCode::InvalidInput);

        auto pinned = f.chat->setConversationPinned(f.bob, ticket->conversationId, true);
        VERIFY_OK(pinned);
        QVERIFY(pinned->pinned);
        QVERIFY(f.chat->conversation(f.bob, ticket->conversationId)->pinned);
        QVERIFY(!f.chat->setConversationPinned(f.bob, ticket->conversationId, false)->pinned);

        // Carl can neither rename nor pin Bob's conversation, and learns nothing from trying.
        QCOMPARE(f.chat->renameConversation(f.carl, ticket->conversationId, QStringLiteral("mine")).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.chat->setConversationPinned(f.carl, ticket->conversationId, true).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.chat->conversation(f.bob, ticket->conversationId)->title, QStringLiteral("Inverter 3: morning trips"));
        QCOMPARE(changed.count(), 3);
    }

    void deleteConversationTakesItsMessagesNotItsCount()
    {
        Fixture f;
        f.provider->setScript(scripted({QStringLiteral("first answer")}));
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        QSignalSpy deleted(f.chat.get(), &ChatService::conversationDeleted);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Soiling losses?")});
        VERIFY_OK(ticket);
        QVERIFY(waitFinished(finished, ticket->answerId));
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("INSERT INTO feedback (user_id, message_id, rating, created_at) VALUES (?, ?, 1, 0)"),
                          {*f.bob.userId(), ticket->answerId}));
        auto keep = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("news"), QStringLiteral("Keep this one")});
        VERIFY_OK(keep);
        QVERIFY(waitFinished(finished, keep->answerId));

        QCOMPARE(f.chat->deleteConversation(f.carl, ticket->conversationId).error().code(), ErrorCode::NotFound);
        QCOMPARE(deleted.count(), 0);
        auto removed = f.chat->deleteConversation(f.bob, ticket->conversationId);
        VERIFY_OK(removed);
        QCOMPARE(*removed, 2); // the question and the answer
        QCOMPARE(deleted.count(), 1);
        QCOMPARE(f.chat->conversation(f.bob, ticket->conversationId).error().code(), ErrorCode::NotFound);
        const auto count = [&f](const char *sql) { return scalar(f.t.connection(), QString::fromLatin1(sql)).value().toInt(); };
        QCOMPARE(count("SELECT count(*) FROM feedback"), 0);
        QCOMPARE(count("SELECT count(*) FROM messages"), 2); // the other conversation's
        // The query still counts: its ledger row stays, without the conversation.
        QCOMPARE(f.used(QStringLiteral("bob")), 2);
        QCOMPARE(count("SELECT count(*) FROM usage_events WHERE conversation_id IS NULL"), 1);
        QCOMPARE(f.chat->conversations(f.bob).value().size(), 1);
        QCOMPARE(f.chat->deleteConversation(f.bob, ticket->conversationId).error().code(), ErrorCode::NotFound);
    }

    void deletingAStreamingConversationStopsItFirst()
    {
        Fixture f;
        ProviderScript script = scripted(words(3));
        script.hangAfterPieces = true;
        f.provider->setScript(script);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Long answer please")});
        VERIFY_OK(ticket);
        QTRY_COMPARE(f.chat->activeStreamCount(), 1);
        QTRY_VERIFY(!f.message(ticket->answerId).content.isEmpty());
        VERIFY_OK(f.chat->deleteConversation(f.bob, ticket->conversationId));
        // Ended before the rows went: the signal came, nothing streams, the ledger says cancelled.
        QCOMPARE(waitFinished(finished, ticket->answerId, 100), std::optional(MessageStatus::Cancelled));
        QCOMPARE(f.chat->activeStreamCount(), 0);
        QCOMPARE(f.outcome(ticket->reservation.usageEventId), QStringLiteral("cancelled"));
        QTest::qWait(50); // the provider's task ends on a later turn and must find nothing to write
        QCOMPARE(f.chat->activeStreamCount(), 0);
    }

    void partialAnswerIsFlushedWhileStreaming()
    {
        Fixture f;
        ProviderScript script = scripted(words(40), 25ms);
        f.provider->setScript(script);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Slow answer please")});
        VERIFY_OK(ticket);
        // Well before the end (40 × 25 ms), the database already holds part of the answer.
        QTRY_VERIFY_WITH_TIMEOUT(!f.message(ticket->answerId).content.isEmpty(), 700);
        QCOMPARE(f.message(ticket->answerId).status, MessageStatus::Streaming);
        QVERIFY(!finished.count());
        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Complete));
        QCOMPARE(f.message(ticket->answerId).content, words(40).join(QString()));
    }

    void interruptedAnswersAreRecovered()
    {
        Fixture f;
        const qint64 now = f.t.clock()->nowMs();
        auto conversation = ConversationStore::createConversation(f.t.connection(), *f.bob.userId(), QStringLiteral("om"), QStringLiteral("t"), now);
        VERIFY_OK(conversation);
        auto usage = QuotaLedger::reserve(f.t.connection(), *f.bob.userId(), QStringLiteral("om"), *conversation, QStringLiteral("2026-11"), now);
        VERIFY_OK(usage);
        auto old = ConversationStore::insertMessage(f.t.connection(), *conversation, MessageRole::Assistant, QStringLiteral("half an ans"),
                                                    MessageStatus::Streaming, usage->usageEventId, now - 60000);
        auto fresh = ConversationStore::insertMessage(f.t.connection(), *conversation, MessageRole::Assistant, QStringLiteral("live"),
                                                      MessageStatus::Streaming, std::nullopt, now - 500);
        VERIFY_OK(old);
        VERIFY_OK(fresh);
        auto recovered = f.chat->recoverInterruptedAnswers(5s);
        VERIFY_OK(recovered);
        QCOMPARE(*recovered, 1);
        QCOMPARE(f.message(*old).status, MessageStatus::Interrupted);
        QCOMPARE(f.message(*old).content, QStringLiteral("half an ans"));
        QCOMPARE(f.message(*fresh).status, MessageStatus::Streaming); // may belong to a live process
        QCOMPARE(f.outcome(usage->usageEventId), QStringLiteral("failed"));
    }

    void contextKeepsNewestWithinBudget()
    {
        ChatTuning tuning;
        tuning.contextBudgetChars = 200;
        Fixture f(tuning);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        f.provider->setScript(scripted({QString(60, u'a')}));
        auto first = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QString(50, u'q')});
        VERIFY_OK(first);
        QVERIFY(waitFinished(finished, first->answerId));
        f.provider->setScript(scripted({QString(60, u'b')}));
        auto second = f.chat->ask(f.bob, AskRequest{first->conversationId, {}, QString(50, u'r')});
        VERIFY_OK(second);
        QVERIFY(waitFinished(finished, second->answerId));
        f.provider->setScript(scripted({QStringLiteral("c")}));
        auto third = f.chat->ask(f.bob, AskRequest{first->conversationId, {}, QStringLiteral("third")});
        VERIFY_OK(third);
        QVERIFY(waitFinished(finished, third->answerId));
        QStringList contents;
        for (const ChatTurn &turn : f.provider->lastRequest().turns)
            contents << turn.content.left(1);
        // Budget 200 - 5 for the question: newest first, b (60), r (50) and a (60) fit; q (50) does not.
        QCOMPARE(contents.join(u','), QStringLiteral("a,r,b,t"));
    }

    void askAnnouncesItsRowsOnceSaved()
    {
        Fixture f;
        f.provider->setScript(scripted({QStringLiteral("ok")}));
        QStringList events;
        int committedWhenAnnounced = -1;
        QObject listening; // disconnects before `events` goes, whichever way the test ends
        connect(f.chat.get(), &ChatService::conversationChanged, &listening, [&events] { events << QStringLiteral("changed"); });
        connect(f.chat.get(), &ChatService::messagesAdded, &listening,
                [&](qint64, const QList<MessageRecord> &messages) {
                    QStringList ids;
                    for (const MessageRecord &m : messages)
                        ids << nameOf(m.role) + u':' + nameOf(m.status);
                    events << u"added " + ids.join(u',');
                    committedWhenAnnounced = rowsSeenByAnotherConnection(f.t);
                });
        connect(f.chat.get(), &ChatService::answerProgress, &listening, [&events] { events << QStringLiteral("progress"); });
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Why is PR low?")});
        VERIFY_OK(ticket);
        // Announced before ask() returned, after the commit (another connection sees both rows).
        QCOMPARE(events, QStringList({QStringLiteral("changed"), QStringLiteral("added user:complete,assistant:streaming")}));
        QCOMPARE(committedWhenAnnounced, 2);
        QSignalSpy added(f.chat.get(), &ChatService::messagesAdded);
        VERIFY_OK(f.chat->messages(f.bob, ticket->conversationId));
        QCOMPARE(added.count(), 0);
        f.chat->shutdown();
    }

    void regenerateReplacesTheLastAnswer()
    {
        Fixture f;
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        f.provider->setScript(scripted({QStringLiteral("first answer")}));
        auto first = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Earlier question")});
        VERIFY_OK(first);
        QVERIFY(waitFinished(finished, first->answerId));
        f.provider->setScript(scripted({QStringLiteral("weak answer")}));
        auto asked = f.chat->ask(f.bob, AskRequest{first->conversationId, {}, QStringLiteral("Why does inverter 3 trip?")});
        VERIFY_OK(asked);
        QVERIFY(waitFinished(finished, asked->answerId));
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("INSERT INTO feedback (user_id, message_id, rating, created_at) VALUES (?, ?, -1, 0)"),
                          {*f.bob.userId(), asked->answerId}));
        QCOMPARE(f.used(QStringLiteral("bob")), 2);

        QStringList events;
        QObject listening; // disconnects before `events` goes, whichever way the test ends
        connect(f.chat.get(), &ChatService::conversationChanged, &listening, [&events] { events << QStringLiteral("changed"); });
        connect(f.chat.get(), &ChatService::messageRemoved, &listening,
                [&events](qint64, qint64 id) { events << QStringLiteral("removed %1").arg(id); });
        connect(f.chat.get(), &ChatService::messagesAdded, &listening, [&events](qint64, const QList<MessageRecord> &messages) {
            for (const MessageRecord &m : messages)
                events << QStringLiteral("added %1 %2").arg(m.id).arg(nameOf(m.status));
        });
        connect(f.chat.get(), &ChatService::answerFinished, &listening,
                [&events](qint64 id, MessageStatus status) { events << QStringLiteral("finished %1 %2").arg(id).arg(nameOf(status)); });
        f.provider->setScript(scripted({QStringLiteral("better "), QStringLiteral("answer")}));
        auto again = f.chat->regenerate(f.bob, asked->answerId);
        VERIFY_OK(again);
        QCOMPARE(again->conversationId, asked->conversationId);
        QCOMPARE(again->questionId, asked->questionId);
        QVERIFY(again->answerId > asked->answerId);
        // Counted, and the rows replaced, before it returned; the stream comes later.
        QCOMPARE(f.used(QStringLiteral("bob")), 3);
        QVERIFY(!ConversationStore::findMessage(f.t.connection(), asked->answerId).value().has_value());
        QCOMPARE(f.t.count(QStringLiteral("feedback")), 0);
        QCOMPARE(f.message(again->answerId).status, MessageStatus::Streaming);
        QCOMPARE(f.message(again->answerId).usageEventId, std::optional(again->reservation.usageEventId));
        QCOMPARE(events, QStringList({QStringLiteral("changed"), QStringLiteral("removed %1").arg(asked->answerId),
                                      QStringLiteral("added %1 streaming").arg(again->answerId)}));
        QCOMPARE(f.provider->calls(), 2);

        QCOMPARE(waitFinished(finished, again->answerId), std::optional(MessageStatus::Complete));
        QCOMPARE(events.last(), QStringLiteral("finished %1 complete").arg(again->answerId));
        QCOMPARE(f.message(again->answerId).content, QStringLiteral("better answer"));
        QCOMPARE(f.outcome(again->reservation.usageEventId), QStringLiteral("complete"));
        QCOMPARE(f.outcome(asked->reservation.usageEventId), QStringLiteral("complete")); // the old query stays counted
        // The context: the history before the question (not the replaced answer), then the question.
        QStringList turns;
        for (const ChatTurn &turn : f.provider->lastRequest().turns)
            turns << turn.content;
        QCOMPARE(turns.mid(turns.size() - 3),
                 QStringList({QStringLiteral("Earlier question"), QStringLiteral("first answer"), QStringLiteral("Why does inverter 3 trip?")}));
        QVERIFY(f.provider->lastRequest().continueAfter.isEmpty());
        auto messages = f.chat->messages(f.bob, asked->conversationId);
        VERIFY_OK(messages);
        QCOMPARE(messages->size(), 4);
        QCOMPARE(messages->last().id, again->answerId);
    }

    void regenerateRefused_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        QTest::newRow("not the last answer") << QStringLiteral("first answer") << int(ErrorCode::InvalidInput) << QStringLiteral("last answer");
        QTest::newRow("a question") << QStringLiteral("last question") << int(ErrorCode::InvalidInput) << QStringLiteral("not a question");
        QTest::newRow("still streaming") << QStringLiteral("streaming") << int(ErrorCode::InvalidInput) << QStringLiteral("still answering");
        QTest::newRow("someone else's") << QStringLiteral("carl") << int(ErrorCode::NotFound) << QStringLiteral("There is no message");
        QTest::newRow("no such message") << QStringLiteral("missing") << int(ErrorCode::NotFound) << QStringLiteral("There is no message");
        QTest::newRow("quota reached") << QStringLiteral("quota") << int(ErrorCode::QuotaExceeded) << QStringLiteral("Query limit reached");
        QTest::newRow("agent released") << QStringLiteral("released") << int(ErrorCode::NotAllowed) << QString();
    }

    void regenerateRefused()
    {
        QFETCH(QString, which);
        QFETCH(int, code);
        QFETCH(QString, says);
        refusedWithNothingChanged(which, ErrorCode(code), says, [](Fixture &f, qint64 id) { return f.chat->regenerate(f.bob, id); });
    }

    void continueAppendsToAStoppedAnswer_data()
    {
        QTest::addColumn<bool>("interrupted");
        QTest::newRow("stopped") << false;
        QTest::newRow("interrupted by a crash") << true;
    }

    void continueAppendsToAStoppedAnswer()
    {
        QFETCH(bool, interrupted);
        Fixture f;
        ProviderScript script = scripted(words(4));
        script.hangAfterPieces = true;
        f.provider->setScript(script);
        QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Explain soiling losses")});
        VERIFY_OK(ticket);
        QTRY_COMPARE(announcedText(progress, ticket->answerId), words(4).join(QString()));
        QVERIFY(f.chat->stop(ticket->answerId));
        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Cancelled));
        if (interrupted)
            VERIFY_OK(execSql(f.t.connection(), QStringLiteral("UPDATE messages SET status = 'interrupted' WHERE id = ?"), {ticket->answerId}));
        const QString partial = f.message(ticket->answerId).content;
        QCOMPARE(partial, words(4).join(QString()));

        finished.clear();
        progress.clear();
        QSignalSpy resumed(f.chat.get(), &ChatService::answerResumed);
        QSignalSpy added(f.chat.get(), &ChatService::messagesAdded);
        f.provider->setScript(scripted({QStringLiteral("and "), QStringLiteral("the rest.")}));
        auto more = f.chat->continueAnswer(f.bob, ticket->answerId);
        VERIFY_OK(more);
        QCOMPARE(more->answerId, ticket->answerId);
        QCOMPARE(more->questionId, ticket->questionId);
        QVERIFY(more->reservation.usageEventId != ticket->reservation.usageEventId);
        QCOMPARE(f.used(QStringLiteral("bob")), 2);
        QCOMPARE(resumed.count(), 1);
        QCOMPARE(resumed.first().first().toLongLong(), ticket->answerId);
        QCOMPARE(added.count(), 0);
        const MessageRecord streaming = f.message(ticket->answerId);
        QCOMPARE(streaming.status, MessageStatus::Streaming);
        QVERIFY(streaming.error.isEmpty());
        QCOMPARE(streaming.usageEventId, std::optional(more->reservation.usageEventId));
        QCOMPARE(f.chat->message(f.bob, ticket->answerId)->content, partial); // nothing new announced yet

        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Complete));
        QCOMPARE(announcedText(progress, ticket->answerId), QStringLiteral("and the rest."));
        QCOMPARE(f.message(ticket->answerId).content, QString(partial + u"and the rest."));
        QCOMPARE(f.outcome(more->reservation.usageEventId), QStringLiteral("complete"));
        QCOMPARE(f.t.count(QStringLiteral("messages")), 2);
        // The request: the question as the last turn, and the partial answer to continue.
        QCOMPARE(f.provider->lastRequest().continueAfter, partial);
        QCOMPARE(f.provider->lastRequest().turns.last().content, QStringLiteral("Explain soiling losses"));
        QCOMPARE(f.provider->requests().size(), 2);
        QVERIFY(f.provider->requests().first().continueAfter.isEmpty());
    }

    void continueWithNothingMoreToSayCompletes()
    {
        Fixture f;
        ProviderScript script = scripted({QStringLiteral("The whole answer.")});
        script.hangAfterPieces = true;
        f.provider->setScript(script);
        QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Short one")});
        VERIFY_OK(ticket);
        QTRY_VERIFY(!progress.isEmpty());
        f.chat->stop(ticket->answerId);
        QVERIFY(waitFinished(finished, ticket->answerId));
        finished.clear();
        f.provider->setScript(scripted({}));
        VERIFY_OK(f.chat->continueAnswer(f.bob, ticket->answerId));
        // Not "an empty answer": the answer has its text, the model had nothing to add.
        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Complete));
        QCOMPARE(f.message(ticket->answerId).content, QStringLiteral("The whole answer."));
    }

    void continueRefused_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        QTest::newRow("complete answer") << QStringLiteral("last answer") << int(ErrorCode::InvalidInput) << QStringLiteral("complete");
        QTest::newRow("failed answer") << QStringLiteral("failed") << int(ErrorCode::InvalidInput) << QStringLiteral("Regenerate");
        QTest::newRow("stopped before any text") << QStringLiteral("empty cancelled") << int(ErrorCode::InvalidInput) << QStringLiteral("no text");
        QTest::newRow("not the last answer") << QStringLiteral("first cancelled") << int(ErrorCode::InvalidInput) << QStringLiteral("last answer");
        QTest::newRow("a question") << QStringLiteral("last question") << int(ErrorCode::InvalidInput) << QStringLiteral("not a question");
        QTest::newRow("still streaming") << QStringLiteral("streaming") << int(ErrorCode::InvalidInput) << QStringLiteral("still answering");
        QTest::newRow("someone else's") << QStringLiteral("carl cancelled") << int(ErrorCode::NotFound) << QStringLiteral("There is no message");
        QTest::newRow("quota reached") << QStringLiteral("quota cancelled") << int(ErrorCode::QuotaExceeded) << QStringLiteral("Query limit reached");
    }

    void continueRefused()
    {
        QFETCH(QString, which);
        QFETCH(int, code);
        QFETCH(QString, says);
        refusedWithNothingChanged(which, ErrorCode(code), says, [](Fixture &f, qint64 id) { return f.chat->continueAnswer(f.bob, id); });
    }

    void messagePages_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("limit");
        QTest::newRow("empty") << 0 << 3;
        QTest::newRow("fewer than a page") << 2 << 3;
        QTest::newRow("exactly a page") << 3 << 3;
        QTest::newRow("one more than a page") << 4 << 3;
        QTest::newRow("several pages, last one short") << 11 << 3;
        QTest::newRow("several full pages") << 12 << 4;
        QTest::newRow("pages of one") << 3 << 1;
    }

    void messagePages()
    {
        QFETCH(int, count);
        QFETCH(int, limit);
        Fixture f;
        // Two conversations written in turns, so that their ids interleave.
        const qint64 now = f.t.clock()->nowMs();
        const qint64 mine = ConversationStore::createConversation(f.t.connection(), *f.bob.userId(), QStringLiteral("om"), QStringLiteral("a"), now).value();
        const qint64 other = ConversationStore::createConversation(f.t.connection(), *f.bob.userId(), QStringLiteral("om"), QStringLiteral("b"), now).value();
        QList<qint64> ids;
        for (int i = 0; i < count; ++i) {
            ids << ConversationStore::insertMessage(f.t.connection(), mine, i % 2 ? MessageRole::Assistant : MessageRole::User,
                                                    QStringLiteral("m%1").arg(i), MessageStatus::Complete, std::nullopt, now + i)
                       .value();
            VERIFY_OK(ConversationStore::insertMessage(f.t.connection(), other, MessageRole::User, QStringLiteral("x"),
                                                       MessageStatus::Complete, std::nullopt, now + i));
        }

        QList<qint64> seen;
        std::optional<qint64> before;
        int pages = 0;
        for (bool more = true; more; ++pages) {
            auto page = f.chat->messagePage(f.bob, mine, before, limit);
            VERIFY_OK(page);
            QList<qint64> pageIds;
            for (const MessageRecord &m : std::as_const(page->messages)) {
                QCOMPARE(m.conversationId, mine);
                pageIds << m.id;
            }
            QVERIFY(std::is_sorted(pageIds.cbegin(), pageIds.cend())); // oldest first
            more = page->hasOlder;
            QCOMPARE(pageIds.size(), more ? limit : count - int(seen.size()));
            seen = pageIds + seen;
            if (!pageIds.isEmpty())
                before = pageIds.first();
            QVERIFY(pages <= count);
        }
        QCOMPARE(seen, ids);
        QCOMPARE(pages, std::max(1, (count + limit - 1) / limit));
        if (count > 0) {
            auto beyond = f.chat->messagePage(f.bob, mine, ids.first(), limit);
            VERIFY_OK(beyond);
            QVERIFY(beyond->messages.isEmpty());
            QVERIFY(!beyond->hasOlder);
        }
        QCOMPARE(f.chat->messagePage(f.bob, mine, std::nullopt, 0).error().code(), ErrorCode::InvalidInput);
        QCOMPARE(f.chat->messagePage(f.carl, mine, std::nullopt, limit).error().code(), ErrorCode::NotFound);
        if (count > 0) {
            QCOMPARE(f.chat->message(f.bob, ids.last())->content, QStringLiteral("m%1").arg(count - 1));
            QCOMPARE(f.chat->message(f.carl, ids.last()).error().code(), ErrorCode::NotFound);
        }
    }

    void readersMidStreamGetTheAnnouncedText()
    {
        ChatTuning tuning;
        tuning.flushInterval = 10s; // the database lags far behind the signals
        Fixture f(tuning);
        f.provider->setScript(scripted(words(200), 1ms));
        QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("A long one")});
        VERIFY_OK(ticket);
        QTRY_VERIFY(progress.count() >= 2);
        const QString announced = announcedText(progress, ticket->answerId);
        QCOMPARE(f.message(ticket->answerId).content, QString()); // not flushed yet
        auto page = f.chat->messagePage(f.bob, ticket->conversationId, std::nullopt, 10);
        VERIFY_OK(page);
        QCOMPARE(page->messages.last().content, announced);
        QCOMPARE(f.chat->message(f.bob, ticket->answerId)->content, announced);
        QCOMPARE(waitFinished(finished, ticket->answerId), std::optional(MessageStatus::Complete));
        QCOMPARE(f.chat->message(f.bob, ticket->answerId)->content, words(200).join(QString()));
    }
};

QTEST_GUILESS_MAIN(TestChatService)
#include "tst_chatservice.moc"
