// OfflineProvider: a streamed digest of the starter knowledge, with notice and sources; Stop between
// pieces; the "no match" answer; and an event loop that keeps running while it streams.

#include "model/agents/agentcatalogue.h"
#include "model/agents/knowledgebase.h"
#include "model/agents/offlineprovider.h"

#include "support/testdatabase.h"
#include "support/testprinters.h"

#include <QCoroTask>

#include <QTest>
#include <QTimer>

using namespace heliodesk;
using heliodesk::test::TestDatabase;

namespace {

class CollectingSink final : public StreamSink
{
public:
    std::function<void(int pieces)> afterPiece;
    QStringList pieces;

    void onText(const QString &piece) override
    {
        pieces << piece;
        if (afterPiece)
            afterPiece(int(pieces.size()));
    }
    [[nodiscard]] QString text() const { return pieces.join(QString()); }
};

ChatRequest request(const QString &agentId, const QString &question)
{
    ChatRequest r;
    r.agentId = agentId;
    r.turns = {ChatTurn{ChatTurn::Role::System, QStringLiteral("You are a test agent.")},
               ChatTurn{ChatTurn::Role::User, QStringLiteral("An earlier question about something else entirely.")},
               ChatTurn{ChatTurn::Role::Assistant, QStringLiteral("An earlier answer.")},
               ChatTurn{ChatTurn::Role::User, question}};
    return r;
}

} // namespace

class TestOfflineProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void describesItself();
    void answersFromEachAgentsStarterSet_data();
    void answersFromEachAgentsStarterSet();
    void keepsTheEventLoopRunning();
    void cancelsMidway();
    void cancelledBeforeStartSendsNothing();
    void answersNoMatch_data();
    void answersNoMatch();
    void refusesARequestWithoutQuestion();
    void outlivesItsProvider();
    void continuesAPartialAnswer_data();
    void continuesAPartialAnswer();
    void splitIntoPieces_data();
    void splitIntoPieces();
    void excerptsAreSafeMarkdown();

private:
    std::unique_ptr<TestDatabase> m_tdb;
    std::shared_ptr<KnowledgeBase> m_kb;
};

void TestOfflineProvider::initTestCase()
{
    m_tdb = std::make_unique<TestDatabase>();
    QVERIFY2(m_tdb->isValid(), qPrintable(m_tdb->openError().toLogString()));
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    VERIFY_OK(catalogue->sync(m_tdb->connection()));
    m_kb = std::make_shared<KnowledgeBase>(m_tdb->database(), m_tdb->clock());
    VERIFY_OK(m_kb->indexStarterSet(*catalogue));
}

void TestOfflineProvider::cleanupTestCase()
{
    m_kb.reset();
    m_tdb.reset();
}

void TestOfflineProvider::describesItself()
{
    OfflineProvider provider(m_kb);
    QVERIFY(provider.isOffline());
    QCOMPARE(provider.description(), QStringLiteral("Offline knowledge base"));
}

void TestOfflineProvider::answersFromEachAgentsStarterSet_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("question");
    QTest::addColumn<QString>("firstSource");

    QTest::newRow("om") << QStringLiteral("om") << QStringLiteral("What does a low insulation resistance alarm on an inverter mean?")
                        << QStringLiteral("Inverter fault codes and a troubleshooting approach");
    QTest::newRow("market") << QStringLiteral("market") << QStringLiteral("How does a virtual PPA settle against the strike price?")
                            << QStringLiteral("Power purchase agreement (PPA) types");
    QTest::newRow("news") << QStringLiteral("news") << QStringLiteral("Why do grid connection queues keep growing?")
                          << QStringLiteral("Grid-connection queues for renewable projects");
    QTest::newRow("digitalization") << QStringLiteral("digitalization")
                                    << QStringLiteral("Which checks find frozen sensor values and timestamp problems?")
                                    << QStringLiteral("Data quality checks for plant monitoring data");
}

void TestOfflineProvider::answersFromEachAgentsStarterSet()
{
    QFETCH(QString, agent);
    QFETCH(QString, question);
    QFETCH(QString, firstSource);

    OfflineProvider provider(m_kb);
    CollectingSink sink;
    auto outcome = QCoro::waitFor(provider.stream(request(agent, question), &sink, std::make_shared<CancelToken>()));
    VERIFY_OK(outcome);
    QVERIFY(!outcome->cancelled);
    QCOMPARE(outcome->finishReason, QStringLiteral("stop"));

    const QString answer = sink.text();
    QVERIFY2(answer.startsWith(OfflineProvider::offlineNotice()), qPrintable(answer));
    QVERIFY2(answer.contains(u"This answer comes from the offline knowledge base, not from a language model."), qPrintable(answer));
    QVERIFY2(answer.contains(u"\n**Sources**\n"), qPrintable(answer));
    QVERIFY2(answer.contains(u"1. " + firstSource), qPrintable(answer));
    QVERIFY2(answer.contains(u"Heliodesk starter knowledge: "), qPrintable(answer));
    // Streamed in small pieces, not at once.
    QVERIFY2(sink.pieces.size() > 20, qPrintable(QString::number(sink.pieces.size())));

    QVERIFY(outcome->sources.size() >= 1 && outcome->sources.size() <= 4);
    QCOMPARE(outcome->sources.front().title, firstSource);
    QVERIFY(outcome->sources.front().location.endsWith(u".md"));
    for (const AnswerSource &source : std::as_const(outcome->sources)) {
        QVERIFY(!source.excerpt.isEmpty());
        QVERIFY2(!source.excerpt.contains(QChar(KnowledgeStore::MatchStart)) && !source.excerpt.contains(u"**"),
                 qPrintable(source.excerpt));
        QVERIFY2(answer.contains(source.title), qPrintable(source.title));
    }
    // The earlier question of the conversation was not what was answered.
    QVERIFY(!answer.contains(u"entirely"));
}

void TestOfflineProvider::keepsTheEventLoopRunning()
{
    OfflineProvider provider(m_kb, OfflineProviderOptions{4, 1, std::chrono::milliseconds(0)});
    CollectingSink sink;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(0);
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start();
    auto outcome = QCoro::waitFor(provider.stream(request(QStringLiteral("om"), QStringLiteral("thermography hot spots")), &sink,
                                                  std::make_shared<CancelToken>()));
    ticker.stop();
    VERIFY_OK(outcome);
    // Other events ran while the answer streamed: one word per piece, a loop pass between pieces.
    QVERIFY2(ticks >= sink.pieces.size() / 2, qPrintable(QStringLiteral("%1 ticks for %2 pieces").arg(ticks).arg(sink.pieces.size())));
}

void TestOfflineProvider::cancelsMidway()
{
    OfflineProvider provider(m_kb);
    CollectingSink sink;
    auto cancel = std::make_shared<CancelToken>();
    sink.afterPiece = [&cancel](int pieces) {
        if (pieces == 3)
            cancel->cancel();
    };
    auto outcome = QCoro::waitFor(
        provider.stream(request(QStringLiteral("market"), QStringLiteral("capture price cannibalisation")), &sink, cancel));
    VERIFY_OK(outcome);
    QVERIFY(outcome->cancelled);
    QCOMPARE(sink.pieces.size(), 3);
    QVERIFY(!sink.text().contains(u"Sources"));
    QVERIFY(outcome->finishReason.isEmpty());
}

void TestOfflineProvider::cancelledBeforeStartSendsNothing()
{
    OfflineProvider provider(m_kb);
    CollectingSink sink;
    auto cancel = std::make_shared<CancelToken>();
    cancel->cancel();
    auto outcome = QCoro::waitFor(provider.stream(request(QStringLiteral("om"), QStringLiteral("inverter")), &sink, cancel));
    VERIFY_OK(outcome);
    QVERIFY(outcome->cancelled);
    QVERIFY(sink.pieces.isEmpty());
}

void TestOfflineProvider::answersNoMatch_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("question");

    QTest::newRow("off topic") << QStringLiteral("om") << QStringLiteral("What is a good lasagne recipe with béchamel?");
    QTest::newRow("only stop words") << QStringLiteral("market") << QStringLiteral("What is it?");
    QTest::newRow("only punctuation") << QStringLiteral("news") << QStringLiteral("?!\"*:-(");
    QTest::newRow("empty collection") << QStringLiteral("hydrogen") << QStringLiteral("electrolyser efficiency");
}

void TestOfflineProvider::answersNoMatch()
{
    QFETCH(QString, agent);
    QFETCH(QString, question);

    OfflineProvider provider(m_kb);
    CollectingSink sink;
    auto outcome = QCoro::waitFor(provider.stream(request(agent, question), &sink, std::make_shared<CancelToken>()));
    VERIFY_OK(outcome);
    QVERIFY(!outcome->cancelled);
    QCOMPARE(outcome->finishReason, QStringLiteral("stop"));
    QVERIFY(outcome->sources.isEmpty());
    const QString answer = sink.text();
    QCOMPARE(answer, OfflineProvider::noMatchAnswer(agent));
    QVERIFY(answer.startsWith(OfflineProvider::offlineNotice()));
    QVERIFY2(answer.contains(u"Nothing in this agent's offline knowledge collection matches"), qPrintable(answer));
    QVERIFY2(answer.contains(u"model endpoint"), qPrintable(answer));
    QVERIFY2(answer.contains(u"`heliodeskctl kb import --agent " + agent + u" FILES…`"), qPrintable(answer));
    QVERIFY(!answer.contains(u"Sources"));
}

void TestOfflineProvider::refusesARequestWithoutQuestion()
{
    OfflineProvider provider(m_kb);
    CollectingSink sink;
    ChatRequest onlySystem;
    onlySystem.agentId = QStringLiteral("om");
    onlySystem.turns = {ChatTurn{ChatTurn::Role::System, QStringLiteral("prompt")}};
    auto outcome = QCoro::waitFor(provider.stream(onlySystem, &sink, std::make_shared<CancelToken>()));
    QVERIFY(!outcome.has_value());
    QCOMPARE(outcome.error().code(), ErrorCode::InvalidInput);
    QVERIFY(sink.pieces.isEmpty());
}

void TestOfflineProvider::outlivesItsProvider()
{
    // The chat service may swap providers (an endpoint was configured) while an answer streams.
    CollectingSink sink;
    auto provider = std::make_unique<OfflineProvider>(m_kb);
    QCoro::Task<Result<StreamOutcome>> task =
        provider->stream(request(QStringLiteral("digitalization"), QStringLiteral("SCADA architecture")), &sink,
                         std::make_shared<CancelToken>());
    provider.reset();
    auto outcome = QCoro::waitFor(std::move(task));
    VERIFY_OK(outcome);
    QVERIFY(sink.text().contains(u"**Sources**"));
}

void TestOfflineProvider::continuesAPartialAnswer_data()
{
    QTest::addColumn<int>("cut");        // characters of the full answer already given; -1: another text
    QTest::addColumn<bool>("wholeAgain"); // a blank line and the whole answer follow
    QTest::newRow("cut mid-word") << 97 << false;
    QTest::newRow("cut after the first piece") << 1 << false;
    QTest::newRow("nothing missing") << 0 << false; // 0 stands for the whole answer: nothing is left to send
    QTest::newRow("not the start of this answer") << -1 << true;
}

void TestOfflineProvider::continuesAPartialAnswer()
{
    QFETCH(int, cut);
    QFETCH(bool, wholeAgain);
    const ChatRequest asked = request(QStringLiteral("om"), QStringLiteral("What does a low insulation resistance alarm mean?"));
    OfflineProvider provider(m_kb);
    CollectingSink first;
    auto full = QCoro::waitFor(provider.stream(asked, &first, std::make_shared<CancelToken>()));
    VERIFY_OK(full);
    const QString answer = first.text();
    QVERIFY(answer.size() > 200);

    ChatRequest continuing = asked;
    continuing.continueAfter = cut < 0 ? QStringLiteral("An answer from before the knowledge changed.")
        : cut == 0                     ? answer
                                       : answer.left(cut);
    CollectingSink rest;
    auto outcome = QCoro::waitFor(provider.stream(continuing, &rest, std::make_shared<CancelToken>()));
    VERIFY_OK(outcome);
    QVERIFY(!outcome->cancelled);
    QCOMPARE(outcome->sources.size(), full->sources.size());
    if (wholeAgain)
        QCOMPARE(rest.text(), u"\n\n" + answer);
    else
        QCOMPARE(continuing.continueAfter + rest.text(), answer);
    if (cut == 0)
        QVERIFY(rest.pieces.isEmpty());
}

void TestOfflineProvider::splitIntoPieces_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("words");
    QTest::addColumn<int>("pieces");

    QTest::newRow("empty") << QString() << 3 << 0;
    QTest::newRow("spaces only") << QStringLiteral("  \n") << 3 << 1;
    QTest::newRow("one word") << QStringLiteral("word") << 3 << 1;
    QTest::newRow("exact groups") << QStringLiteral("a b c d e f") << 3 << 2;
    QTest::newRow("remainder") << QStringLiteral("a b c d") << 3 << 2;
    QTest::newRow("markdown") << QStringLiteral("Notice.\n\n- **A**: x [1]\n\n**Sources**\n\n1. A — b.md\n") << 2 << 5;
    QTest::newRow("zero means one") << QStringLiteral(" a  b ") << 0 << 2;
}

void TestOfflineProvider::splitIntoPieces()
{
    QFETCH(QString, text);
    QFETCH(int, words);
    QFETCH(int, pieces);
    const QStringList split = OfflineProvider::splitIntoPieces(text, words);
    QCOMPARE(split.size(), pieces);
    QCOMPARE(split.join(QString()), text);
}

void TestOfflineProvider::excerptsAreSafeMarkdown()
{
    const QString snippet = QStringLiteral("## Heading\n- **bold** item with a [link](http://x) and `code` <b>tag</b> 5*3_2 ")
        + QChar(KnowledgeStore::MatchStart) + QStringLiteral("match") + QChar(KnowledgeStore::MatchEnd) + QStringLiteral(" end");
    QCOMPARE(KnowledgeBase::plainExcerpt(snippet), QStringLiteral("Heading: bold item with a link and code <b>tag</b> 5*3_2 match end"));
    QCOMPARE(KnowledgeBase::markdownExcerpt(snippet),
             QStringLiteral("Heading: bold item with a link and code \\<b\\>tag\\</b\\> 5\\*3\\_2 **match** end"));

    // Neighbouring matches make one bold run; a heading that ends a sentence gets no extra colon.
    const QChar start(KnowledgeStore::MatchStart);
    const QChar end(KnowledgeStore::MatchEnd);
    const QString adjacent = QStringLiteral("# Why?\nA ") + start + QStringLiteral("low") + end + u' ' + start
        + QStringLiteral("insulation") + end + QStringLiteral(" alarm ") + start + end + QStringLiteral(" means");
    QCOMPARE(KnowledgeBase::markdownExcerpt(adjacent), QStringLiteral("Why? A **low insulation** alarm means"));
    QCOMPARE(KnowledgeBase::plainExcerpt(adjacent), QStringLiteral("Why? A low insulation alarm means"));
}

QTEST_GUILESS_MAIN(TestOfflineProvider)
#include "tst_offlineprovider.moc"
