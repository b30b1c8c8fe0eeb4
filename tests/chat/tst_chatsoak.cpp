// Soak: 1,000 answers streamed back to back in one process through ChatService and the real
// OpenAiProvider against a local OpenAI-compatible server, some stopped mid-stream and some
// failing; afterwards nothing may be left behind and resident memory must not keep growing.

#include "support/openaitestserver.h"
#include "support/testdatabase.h"
#include "support/testprinters.h"

#include "model/agents/openaiprovider.h"
#include "model/net/httpclient.h"
#include "model/chat/chatservice.h"
#include "storage/conversationstore.h"
#include "storage/hiringstore.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QEventLoop>
#include <QLoggingCategory>
#include <QTest>
#include <QTimer>

#include <fstream>
#include <map>

#include <unistd.h>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr int kAnswers = 1000;
constexpr int kPieces = 20;
constexpr int kEarlySample = 100;                       // memory is sampled after this answer and the last
constexpr qint64 kMaxGrowthBytes = 16LL * 1024 * 1024;  // generous: a leak of 1 KiB per answer shows well below
constexpr int kConversationLength = 20;                 // answers per conversation before a new one starts
constexpr auto kAnswerTimeout = 30s;

/// What happens to answer `i` (1-based).
enum class Plan {
    Complete,   // the full stream
    StopDirect, // stopped from inside the progress signal, mid-stream
    StopQueued, // stopped from a later event-loop turn (a Stop button), mid-stream
    Http500,    // the server answers 500 with an error body
    Reset,      // the server resets the connection mid-stream
};

Plan planFor(int i)
{
    if (i % 25 == 0)
        return (i / 25) % 2 == 1 ? Plan::Http500 : Plan::Reset;
    if (i % 10 == 0)
        return (i / 10) % 2 == 1 ? Plan::StopDirect : Plan::StopQueued;
    return Plan::Complete;
}

MessageStatus expectedStatus(Plan plan)
{
    switch (plan) {
    case Plan::Complete: return MessageStatus::Complete;
    case Plan::StopDirect:
    case Plan::StopQueued: return MessageStatus::Cancelled;
    case Plan::Http500:
    case Plan::Reset: return MessageStatus::Failed;
    }
    return MessageStatus::Failed;
}

QStringList piecesFor(int i)
{
    QStringList pieces;
    pieces.reserve(kPieces);
    for (int k = 0; k < kPieces; ++k)
        pieces << QStringLiteral("a%1t%2 ").arg(i).arg(k);
    return pieces;
}

ScriptedResponse responseFor(int i, Plan plan)
{
    // The role chunk plus half of the pieces, then the stream stalls (to be stopped) or is reset.
    constexpr int kHalf = 1 + kPieces / 2;
    switch (plan) {
    case Plan::Complete:
        return ScriptedResponse::stream(piecesFor(i));
    case Plan::StopDirect:
    case Plan::StopQueued:
        return ScriptedResponse::stream(piecesFor(i)).truncatedAfter(kHalf, ScriptedResponse::Ending::Stall);
    case Plan::Http500:
        return ScriptedResponse::jsonError(500, QStringLiteral("The soak server is overloaded."), QStringLiteral("server_error"));
    case Plan::Reset:
        return ScriptedResponse::stream(piecesFor(i)).truncatedAfter(kHalf, ScriptedResponse::Ending::Reset);
    }
    return {};
}

/// Resident set size of this process from /proc/self/statm (its second field, in pages).
qint64 residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    long long sizePages = 0;
    long long residentPages = 0;
    statm >> sizePages >> residentPages;
    return statm ? residentPages * sysconf(_SC_PAGESIZE) : -1;
}

QString mib(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 2) + u" MiB";
}

} // namespace

class TestChatSoak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void thousandAnswersLeaveNothingBehind();

private:
    int m_baseline = 0;
};

void TestChatSoak::initTestCase()
{
    // A line per answer started, and one per failure this test provokes, would bury the figures it
    // prints. Warnings (a part of an answer that could not be saved) stay visible.
    QLoggingCategory::setFilterRules(QStringLiteral("heliodesk.chat.info=false"));
}

void TestChatSoak::thousandAnswersLeaveNothingBehind()
{
    TestDatabase t;
    QVERIFY2(t.isValid(), qPrintable(t.openError().toLogString()));
    t.createAdmin();
    const UserRecord user = t.createAnalyst(QStringLiteral("soak"));
    VERIFY_OK(UserStore::setQuota(t.connection(), user.id, QuotaMode::Unlimited, std::nullopt));
    VERIFY_OK(HiringStore::hire(t.connection(), user.id, QStringLiteral("om"), 0));
    const Actor actor = Actor::user(user);

    OpenAiTestServer server;
    QVERIFY(server.listen());
    OpenAiSettings settings;
    settings.baseUrl = server.baseUrl();
    settings.model = QStringLiteral("test-model");
    settings.idleTimeout = 20s; // a stream that should have been stopped must not hang the run for a minute
    const auto provider = std::make_shared<OpenAiProvider>(settings);
    const auto liveReplies = [&provider] { return provider->runningRequests(); };

    // The answer being streamed, as the signals report it. Declared before the service, whose
    // destructor may still signal.
    qint64 currentAnswer = 0;
    Plan currentPlan = Plan::Complete;
    bool stopRequested = false;
    QString streamed;
    std::optional<MessageStatus> finishedStatus;
    QString finishedError;
    QEventLoop *waiting = nullptr;

    auto chat = std::make_unique<ChatService>(t.database(), t.clock(),
                                              [provider](const QString &) -> std::shared_ptr<ChatProvider> { return provider; });
    ChatService *service = chat.get();
    connect(service, &ChatService::answerProgress, service, [&](qint64 answerId, const QString &text) {
        if (answerId != currentAnswer)
            return;
        streamed += text;
        if (stopRequested)
            return;
        if (currentPlan == Plan::StopDirect) {
            stopRequested = true;
            service->stop(answerId);
        } else if (currentPlan == Plan::StopQueued) {
            stopRequested = true;
            QTimer::singleShot(0, service, [service, answerId] { service->stop(answerId); });
        }
    });
    connect(service, &ChatService::answerFinished, service, [&](qint64 answerId, MessageStatus status, const QString &error) {
        if (answerId != currentAnswer)
            return;
        finishedStatus = status;
        finishedError = error;
        if (waiting)
            waiting->quit();
    });

    const int connectionsBefore = Database::openConnectionCount();
    std::map<MessageStatus, int> expected;
    std::optional<qint64> conversationId;
    qint64 rssEarly = 0;
    int peakReplies = 0;
    QElapsedTimer elapsed;
    elapsed.start();

    for (int i = 1; i <= kAnswers; ++i) {
        const Plan plan = planFor(i);
        ++expected[expectedStatus(plan)];
        server.enqueue(responseFor(i, plan));

        currentPlan = plan;
        stopRequested = false;
        streamed.clear();
        finishedStatus.reset();
        finishedError.clear();
        if ((i - 1) % kConversationLength == 0)
            conversationId.reset();
        const auto ticket = chat->ask(actor, AskRequest{conversationId, QStringLiteral("om"),
                                                        QStringLiteral("Soak question %1: why does string 4 trip?").arg(i)});
        VERIFY_OK(ticket);
        currentAnswer = ticket->answerId;
        conversationId = ticket->conversationId;

        if (!finishedStatus) {
            QEventLoop loop;
            QTimer::singleShot(kAnswerTimeout, &loop, &QEventLoop::quit);
            waiting = &loop;
            loop.exec();
            waiting = nullptr;
        }
        QVERIFY2(finishedStatus, qPrintable(u"answer " + QString::number(i) + u" did not finish"));
        QCOMPARE(*finishedStatus, expectedStatus(plan));

        // What listeners were told is what the database keeps.
        const auto answer = ConversationStore::findMessage(t.connection(), ticket->answerId);
        VERIFY_OK(answer);
        QVERIFY(answer->has_value());
        QCOMPARE((*answer)->status, expectedStatus(plan));
        QCOMPARE((*answer)->content, streamed);
        switch (plan) {
        case Plan::Complete:
            QCOMPARE(streamed, piecesFor(i).join(QString()));
            break;
        case Plan::StopDirect:
        case Plan::StopQueued:
            QVERIFY2(!streamed.isEmpty() && streamed.size() < piecesFor(i).join(QString()).size(),
                     qPrintable(u"answer " + QString::number(i) + u" was not stopped mid-stream: " + streamed));
            break;
        case Plan::Http500:
        case Plan::Reset:
            QVERIFY(!finishedError.isEmpty());
            break;
        }

        QCOMPARE(server.requests().size(), 1);
        server.forgetRequests();
        peakReplies = std::max(peakReplies, liveReplies());
        if (i == kEarlySample)
            rssEarly = residentBytes();
    }
    const qint64 rssLate = residentBytes();
    const qint64 runMs = elapsed.elapsed();

    QVERIFY2(QTest::qWaitFor([&] { return liveReplies() == 0; }, 15'000),
             qPrintable(QString::number(liveReplies()) + u" requests are still running"));
    QVERIFY(provider->idleConnections() <= HttpClient::kMaxIdlePerOrigin);
    QCOMPARE(liveReplies(), 0);
    QCOMPARE(chat->activeStreamCount(), 0);
    QCOMPARE(Database::openConnectionCount(), connectionsBefore);
    QCOMPARE(server.pendingResponses(), 0);

    // Every answer ended with a final status, and the ledger says the same for each.
    const QSqlDatabase db = t.connection();
    const auto countOf = [&db](const QString &sql, const QVariantList &values = {}) {
        auto n = scalar(db, sql, values);
        return n ? n->toInt() : -1;
    };
    QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM messages WHERE role = 'assistant'")), kAnswers);
    QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM messages WHERE status = 'streaming'")), 0);
    QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM usage_events")), kAnswers);
    QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM usage_events WHERE outcome = 'reserved'")), 0);
    QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM messages m JOIN usage_events u ON u.id = m.usage_event_id "
                                    "WHERE m.role = 'assistant' AND m.status = u.outcome")),
             kAnswers);
    for (const auto &[status, n] : expected) {
        QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM messages WHERE role = 'assistant' AND status = ?"), {nameOf(status)}), n);
        QCOMPARE(countOf(QStringLiteral("SELECT count(*) FROM usage_events WHERE outcome = ?"), {nameOf(status)}), n);
    }
    QCOMPARE(expected[MessageStatus::Complete], 880);
    QCOMPARE(expected[MessageStatus::Cancelled], 80);
    QCOMPARE(expected[MessageStatus::Failed], 40);
    QCOMPARE(UserStore::findByName(db, QStringLiteral("soak")).value()->quotaUsed, kAnswers);

    const qint64 growth = rssLate - rssEarly;
    const QString timing = u"soak: " + QString::number(kAnswers) + u" answers in " + QString::number(runMs) + u" ms ("
        + QString::number(double(runMs) / kAnswers, 'f', 2) + u" ms each); peak live replies " + QString::number(peakReplies)
        + u"; server connections accepted " + QString::number(server.connectionsAccepted());
    const QString memory = u"soak: resident memory after answer " + QString::number(kEarlySample) + u": " + mib(rssEarly)
        + u", after answer " + QString::number(kAnswers) + u": " + mib(rssLate) + u", growth " + mib(growth) + u" (bound "
        + mib(kMaxGrowthBytes) + u')';
    qInfo().noquote() << timing;
    qInfo().noquote() << memory;
    QVERIFY(rssEarly > 0 && rssLate > 0);
    // No growth bound under the sanitizers: AddressSanitizer keeps freed memory in quarantine on purpose.
#ifndef HELIODESK_SANITIZED
    QVERIFY2(growth <= kMaxGrowthBytes, qPrintable(u"resident memory grew by " + mib(growth)));
#else
    qInfo("soak: sanitizer build, the memory bound is not enforced (LeakSanitizer checks for leaks at exit)");
#endif
    // Stalled peaks would mean replies pile up while they wait to be deleted.
    QVERIFY2(peakReplies <= 8, qPrintable(QString::number(peakReplies)));

    chat.reset();
}

QTEST_GUILESS_MAIN(TestChatSoak)
#include "tst_chatsoak.moc"
