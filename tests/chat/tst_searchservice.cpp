// Searching one's own messages: the FTS5 query built from typed text (nothing typed is syntax),
// ranking, snippets and their highlight ranges, prefixes, folding and stemming, rights, and the
// index kept exactly in step with the messages (streaming answers, edits, deletions).

#include "support/scriptedprovider.h"
#include "support/testdatabase.h"
#include "support/testprinters.h"

#include "model/chat/chatservice.h"
#include "model/chat/searchresultsmodel.h"
#include "model/chat/searchservice.h"
#include "storage/conversationstore.h"
#include "storage/hiringstore.h"
#include "storage/messagesearchstore.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    TestDatabase t;
    Actor admin;
    Actor bob;
    Actor carl;
    SearchService search{t.database()};

    Fixture()
    {
        admin = t.createAdmin();
        bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 100));
        carl = Actor::user(t.createAnalyst(QStringLiteral("carl"), 100));
        for (const Actor *a : {&bob, &carl})
            for (const char *agent : {"om", "news"})
                (void)HiringStore::hire(t.connection(), *a->userId(), QString::fromLatin1(agent), 0);
    }

    qint64 conversation(const Actor &owner, const QString &title, const QString &agent = QStringLiteral("om"))
    {
        return ConversationStore::createConversation(t.connection(), *owner.userId(), agent, title, t.clock()->nowMs()).value();
    }

    /// A message written now; the clock then moves on a minute, so each message is newer than the last.
    qint64 message(qint64 conversationId, const QString &content, MessageRole role = MessageRole::User,
                   MessageStatus status = MessageStatus::Complete)
    {
        const qint64 id = ConversationStore::insertMessage(t.connection(), conversationId, role, content, status,
                                                           std::nullopt, t.clock()->nowMs())
                              .value();
        t.clock()->advance(1min);
        return id;
    }

    QList<qint64> ids(const Actor &who, const QString &typed, int limit = 50)
    {
        auto hits = search.search(who, typed, limit);
        if (!hits) {
            qWarning() << "search failed:" << hits.error().toLogString();
            return {-1};
        }
        QList<qint64> list;
        for (const SearchHit &hit : std::as_const(*hits))
            list << hit.messageId;
        return list;
    }

    /// Empty when the search index holds exactly the finished messages, else what is wrong.
    [[nodiscard]] QString indexProblem() const
    {
        const QSqlDatabase db = t.connection();
        if (onPostgres())
            return postgresIndexProblem(db);
        // integrity-check with rank 1 also compares the index with the messages table, and so
        // reports a streaming answer (deliberately not indexed) as a difference; while one exists,
        // only the index itself is checked here, and the queries below compare it with the table.
        const bool streaming = scalar(db, QStringLiteral("SELECT count(*) FROM messages WHERE status = 'streaming'")).value().toInt() > 0;
        if (auto checked = execSql(db, QStringLiteral("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', ?)"),
                                   {streaming ? 0 : 1});
            !checked)
            return QStringLiteral("integrity-check: ") + checked.error().toLogString();
        // The rows the index itself holds (not the content table, which a plain SELECT would read).
        if (auto vocab = execSql(db, QStringLiteral("CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_fts_instances "
                                                    "USING fts5vocab(main, messages_fts, instance)"));
            !vocab)
            return vocab.error().toLogString();
        const int orphans = scalar(db, QStringLiteral("SELECT count(*) FROM (SELECT DISTINCT doc FROM temp.messages_fts_instances) "
                                                      "WHERE doc NOT IN (SELECT id FROM messages WHERE status <> 'streaming')"))
                                .value()
                                .toInt();
        if (orphans != 0)
            return QStringLiteral("%1 indexed rows without a finished message").arg(orphans);
        const int missing = scalar(db, QStringLiteral("SELECT count(*) FROM messages WHERE status <> 'streaming' AND content <> '' "
                                                      "AND id NOT IN (SELECT doc FROM temp.messages_fts_instances)"))
                                .value()
                                .toInt();
        if (missing != 0)
            return QStringLiteral("%1 finished messages not indexed").arg(missing);
        return {};
    }

    /// PostgreSQL keeps an expression index in step by itself; what can go wrong is the index:
    /// missing, invalid (a failed CREATE INDEX CONCURRENTLY), or on another expression or predicate
    /// than the one the search spells, which the planner would then never use. And the rows it
    /// finds must be exactly the finished messages holding the word, read without the index.
    [[nodiscard]] static QString postgresIndexProblem(const QSqlDatabase &db)
    {
        auto q = execSql(db, QStringLiteral("SELECT pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i "
                                            "JOIN pg_class c ON c.oid = i.indexrelid "
                                            "WHERE c.relname = 'messages_search' AND c.relnamespace = CAST(current_schema() AS regnamespace)"));
        if (!q)
            return q.error().toLogString();
        if (!q->next())
            return QStringLiteral("no messages_search index");
        const QString definition = q->value(0).toString();
        if (!q->value(1).toBool())
            return QStringLiteral("messages_search is not valid");
        if (!definition.contains(QStringLiteral("USING gin (to_tsvector('english'::regconfig, content))"))
            || !definition.endsWith(QStringLiteral("WHERE (status <> 'streaming'::text)")))
            return QStringLiteral("messages_search is ") + definition;
        return {};
    }
};

#define VERIFY_INDEX(fixture)                                                                                          \
    do {                                                                                                               \
        const QString problem_ = (fixture).indexProblem();                                                             \
        QVERIFY2(problem_.isEmpty(), qPrintable(problem_));                                                            \
    } while (false)

/// The matched words of a hit, as its highlight ranges pick them out of its snippet.
QStringList highlighted(const SearchHit &hit)
{
    QStringList words;
    for (const auto &[start, length] : hit.highlights)
        words << hit.snippet.mid(start, length);
    return words;
}

} // namespace

class TestSearchService : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void ftsQuery_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("query");
        QTest::newRow("one word, as a prefix") << QStringLiteral("inverter") << QStringLiteral("\"inverter\"*");
        QTest::newRow("words ANDed, last a prefix") << QStringLiteral("  inverter\tfault\n") << QStringLiteral("\"inverter\" AND \"fault\"*");
        QTest::newRow("closed phrase stays a phrase") << QStringLiteral("cleaning \"solar panel\"")
                                                      << QStringLiteral("\"cleaning\" AND \"solar panel\"");
        QTest::newRow("phrase then word") << QStringLiteral("\"solar panel\" clean") << QStringLiteral("\"solar panel\" AND \"clean\"*");
        QTest::newRow("unclosed phrase, being typed") << QStringLiteral("wash \"solar pan") << QStringLiteral("\"wash\" AND \"solar pan\"*");
        QTest::newRow("quote inside a word splits it") << QStringLiteral("say\"hi there\"") << QStringLiteral("\"say\" AND \"hi there\"");
        QTest::newRow("empty phrase dropped") << QStringLiteral("a \"\" b") << QStringLiteral("\"a\" AND \"b\"*");
        QTest::newRow("NEAR is a word") << QStringLiteral("NEAR(a b)") << QStringLiteral("\"NEAR(a\" AND \"b)\"*");
        QTest::newRow("OR is a word") << QStringLiteral("sun OR wind") << QStringLiteral("\"sun\" AND \"OR\" AND \"wind\"*");
        QTest::newRow("AND NOT are words") << QStringLiteral("AND NOT") << QStringLiteral("\"AND\" AND \"NOT\"*");
        QTest::newRow("column filter is text") << QStringLiteral("content:inverter") << QStringLiteral("\"content:inverter\"*");
        QTest::newRow("minus is text") << QStringLiteral("-x") << QStringLiteral("\"-x\"*");
        QTest::newRow("caret and star alone dropped") << QStringLiteral("^ * - : ( )") << QString();
        QTest::newRow("caret on a word") << QStringLiteral("^start") << QStringLiteral("\"^start\"*");
        QTest::newRow("star typed on a word") << QStringLiteral("inv* fault") << QStringLiteral("\"inv*\" AND \"fault\"*");
        QTest::newRow("one quote") << QStringLiteral("\"") << QString();
        QTest::newRow("blank") << QStringLiteral(" \t\n ") << QString();
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("apostrophe") << QStringLiteral("it's") << QStringLiteral("\"it's\"*");
        QTest::newRow("emoji only dropped") << QStringLiteral("🙂 inverter") << QStringLiteral("\"inverter\"*");
        QTest::newRow("accents kept") << QStringLiteral("Café") << QStringLiteral("\"Café\"*");
    }

    void ftsQuery()
    {
        QFETCH(QString, typed);
        QFETCH(QString, query);
        QCOMPARE(SearchService::ftsQuery(typed), query);
    }

    void ftsQueryKeepsAtMost32Words()
    {
        QStringList words;
        for (int i = 0; i < 40; ++i)
            words << QStringLiteral("w%1").arg(i);
        const QString query = SearchService::ftsQuery(words.join(u' '));
        QCOMPARE(query.count(QStringLiteral(" AND ")), SearchService::MaxWords - 1);
        QVERIFY(query.startsWith(QStringLiteral("\"w0\" AND \"w1\"")));
        QVERIFY(query.endsWith(QStringLiteral("\"w31\"*")));
    }

    void markdownMarksAreDropped_data()
    {
        QTest::addColumn<QString>("snippet");
        QTest::addColumn<QString>("expected");
        const QChar s(MessageSearchStore::MatchStart);
        const QChar e(MessageSearchStore::MatchEnd);
        QTest::newRow("emphasis") << QStringLiteral("the **curtailment** data") << QStringLiteral("the curtailment data");
        QTest::newRow("marked emphasis") << (QStringLiteral("**") + s + QStringLiteral("Curtailment") + e + QStringLiteral("** data"))
                                         << (s + QStringLiteral("Curtailment") + e + QStringLiteral(" data"));
        QTest::newRow("code") << QStringLiteral("run `SELECT 1` now") << QStringLiteral("run SELECT 1 now");
        QTest::newRow("heading and bullets") << QStringLiteral("## Losses\n- fan F2\n+ string 4")
                                             << QStringLiteral("Losses fan F2 string 4");
        QTest::newRow("quote") << QStringLiteral("> a quote") << QStringLiteral("a quote");
        QTest::newRow("hyphen inside a line stays") << QStringLiteral("back-contact cells - cheaper")
                                                    << QStringLiteral("back-contact cells - cheaper");
    }
    void markdownMarksAreDropped()
    {
        QFETCH(QString, snippet);
        QFETCH(QString, expected);
        QCOMPARE(SearchService::withoutMarkdownMarks(snippet), expected);
    }

    void parseSnippet_data()
    {
        QTest::addColumn<QString>("marked");
        QTest::addColumn<QString>("plain");
        QTest::addColumn<QStringList>("matches");
        const QString s{QChar(MessageSearchStore::MatchStart)};
        const QString e{QChar(MessageSearchStore::MatchEnd)};
        QTest::newRow("two matches") << QString(u"the " + s + u"inverter" + e + u" had a " + s + u"fault" + e + u"…")
                                     << QStringLiteral("the inverter had a fault…") << QStringList{QStringLiteral("inverter"), QStringLiteral("fault")};
        QTest::newRow("lines folded") << QString(u"…first\n\n  " + s + u"second" + e + u"\tthird\n")
                                      << QStringLiteral("…first second third") << QStringList{QStringLiteral("second")};
        QTest::newRow("lone markers dropped") << QString(e + u"a " + s + s + u"b" + e + u" c" + s)
                                              << QStringLiteral("a b c") << QStringList{QStringLiteral("b")};
        QTest::newRow("empty match dropped") << QString(u"x " + s + e + u"y") << QStringLiteral("x y") << QStringList();
        QTest::newRow("surrogates") << QString(u"🙂 " + s + u"Süd" + e) << QStringLiteral("🙂 Süd") << QStringList{QStringLiteral("Süd")};
    }

    void parseSnippet()
    {
        QFETCH(QString, marked);
        QFETCH(QString, plain);
        QFETCH(QStringList, matches);
        const auto [text, ranges] = SearchService::parseSnippet(marked);
        QCOMPARE(text, plain);
        QStringList found;
        for (const auto &[start, length] : ranges) {
            QVERIFY(start >= 0 && length > 0 && start + length <= text.size());
            found << text.mid(start, length);
        }
        QCOMPARE(found, matches);
    }

    void findsWithSnippetAndHighlights()
    {
        Fixture f;
        const qint64 c = f.conversation(f.bob, QStringLiteral("Site B trips"), QStringLiteral("om"));
        const QString longText = QStringLiteral(
            "Yesterday the central inverter at site B tripped twice during the morning ramp. The technician found an "
            "insulation fault on string 7 after lunch, replaced two connectors and measured the insulation again; "
            "the plant ran normally for the rest of the afternoon and the evening.");
        const qint64 question = f.message(c, QStringLiteral("Why does it trip?"));
        const qint64 answer = f.message(c, longText, MessageRole::Assistant);
        Q_UNUSED(question)

        auto hits = f.search.search(f.bob, QStringLiteral("insulation fault"));
        VERIFY_OK(hits);
        QCOMPARE(hits->size(), 1);
        const SearchHit &hit = hits->constFirst();
        QCOMPARE(hit.messageId, answer);
        QCOMPARE(hit.conversationId, c);
        QCOMPARE(hit.conversationTitle, QStringLiteral("Site B trips"));
        QCOMPARE(hit.agentId, QStringLiteral("om"));
        QCOMPARE(hit.agentName, QStringLiteral("O&M"));
        QCOMPARE(hit.role, MessageRole::Assistant);
        QCOMPARE(hit.createdAtMs, f.t.clock()->nowMs() - 60'000);
        // A few words around the matches, cut with an ellipsis, without the markers.
        QVERIFY2(hit.snippet.size() < longText.size() / 2, qPrintable(hit.snippet));
        QVERIFY2(hit.snippet.contains(u'…'), qPrintable(hit.snippet));
        QVERIFY(!hit.snippet.contains(QChar(MessageSearchStore::MatchStart)));
        QVERIFY(!hit.snippet.contains(QChar(MessageSearchStore::MatchEnd)));
        const QStringList words = highlighted(hit);
        QVERIFY2(words.contains(QStringLiteral("insulation")) && words.contains(QStringLiteral("fault")),
                 qPrintable(words.join(u',')));
        for (const QString &word : words)
            QVERIFY2(word == u"insulation" || word == u"fault", qPrintable(word));
        VERIFY_INDEX(f);
    }

    void ranksByRelevanceThenNewest()
    {
        Fixture f;
        const qint64 c = f.conversation(f.bob, QStringLiteral("Inverters"));
        const qint64 once = f.message(c, QStringLiteral("A long report on the weather, the grid, the prices, the staff rota, the "
                                                        "fence repairs, the road access and, once, the inverter."));
        const qint64 dense = f.message(c, QStringLiteral("Inverter, inverter, inverter."));
        const qint64 olderTwin = f.message(c, QStringLiteral("Check the inverter logs."));
        const qint64 newerTwin = f.message(c, QStringLiteral("Check the inverter logs."));
        QCOMPARE(f.ids(f.bob, QStringLiteral("inverter")), (QList<qint64>{dense, newerTwin, olderTwin, once}));
        QCOMPARE(f.ids(f.bob, QStringLiteral("inverter"), 2), (QList<qint64>{dense, newerTwin}));
        QCOMPARE(f.ids(f.bob, QStringLiteral("inverter"), 0), QList<qint64>());
    }

    void matching_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("found");
        QTest::newRow("prefix of the last word") << QStringLiteral("The inverter tripped") << QStringLiteral("inv") << true;
        QTest::newRow("prefix, two words") << QStringLiteral("insulation fault on string 7") << QStringLiteral("fault insul") << true;
        QTest::newRow("only the last word is a prefix") << QStringLiteral("insulation fault") << QStringLiteral("insu fault") << false;
        QTest::newRow("all words needed") << QStringLiteral("The inverter tripped") << QStringLiteral("inverter transformer") << false;
        QTest::newRow("case folded") << QStringLiteral("The INVERTER tripped") << QStringLiteral("Inverter") << true;
        QTest::newRow("diacritics folded in text") << QStringLiteral("Meeting at Café Süd") << QStringLiteral("cafe sud") << true;
        QTest::newRow("diacritics folded in query") << QStringLiteral("the resume of the site") << QStringLiteral("RÉSUMÉ") << true;
        QTest::newRow("stem: plural query, singular text") << QStringLiteral("one inverter tripped") << QStringLiteral("inverters trip") << true;
        QTest::newRow("stem: singular query, plural text") << QStringLiteral("all inverters") << QStringLiteral("\"inverter\"") << true;
        QTest::newRow("stem: tenses") << QStringLiteral("it was tripping") << QStringLiteral("\"tripped\"") << true;
        QTest::newRow("phrase in order") << QStringLiteral("clean the solar panel today") << QStringLiteral("\"solar panel\"") << true;
        QTest::newRow("phrase out of order") << QStringLiteral("the panel is solar") << QStringLiteral("\"solar panel\"") << false;
        QTest::newRow("operator word is text") << QStringLiteral("sun or wind") << QStringLiteral("sun OR wind") << true;
        QTest::newRow("operator word must occur") << QStringLiteral("sun and wind") << QStringLiteral("sun OR wind") << false;
        QTest::newRow("NEAR( is text") << QStringLiteral("the cable runs near fence posts") << QStringLiteral("NEAR(fence") << true;
        QTest::newRow("colon joins like the text") << QStringLiteral("ratio a:b is 3") << QStringLiteral("a:b") << true;
        QTest::newRow("minus does not exclude") << QStringLiteral("x marks the spot") << QStringLiteral("spot -x") << true;
        QTest::newRow("digits") << QStringLiteral("IEC 61724-1 class A") << QStringLiteral("61724") << true;
    }

    void matching()
    {
        QFETCH(QString, content);
        QFETCH(QString, typed);
        QFETCH(bool, found);
        Fixture f;
        const qint64 id = f.message(f.conversation(f.bob, QStringLiteral("t")), content);
        // Known gap (issue 7): messages_search (migration 4) uses the 'english' configuration,
        // which keeps the text's diacritics; folding them needs unaccent in the index's
        // configuration. Diacritics typed in the query are folded (the row after this one).
        if (onPostgres())
            QEXPECT_FAIL("diacritics folded in text", "PostgreSQL: messages_search ('english') keeps diacritics of the text", Continue);
        QCOMPARE(f.ids(f.bob, typed), found ? QList<qint64>{id} : QList<qint64>());
    }

    void hostileInputNeverErrors_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::newRow("NEAR(") << QStringLiteral("NEAR(");
        QTest::newRow("NEAR(a b, 2)") << QStringLiteral("NEAR(a b, 2)");
        QTest::newRow("quote") << QStringLiteral("\"");
        QTest::newRow("three quotes") << QStringLiteral("\"\"\"");
        QTest::newRow("star") << QStringLiteral("*");
        QTest::newRow("a:b") << QStringLiteral("a:b");
        QTest::newRow("{a b}:c") << QStringLiteral("{a b}:c");
        QTest::newRow("-x") << QStringLiteral("-x");
        QTest::newRow("^") << QStringLiteral("^");
        QTest::newRow("OR") << QStringLiteral("OR");
        QTest::newRow("AND") << QStringLiteral("AND");
        QTest::newRow("NOT") << QStringLiteral("NOT");
        QTest::newRow("a OR") << QStringLiteral("a OR");
        QTest::newRow("parentheses") << QStringLiteral("((a) b");
        QTest::newRow("plus") << QStringLiteral("a + b");
        QTest::newRow("empty") << QString();
        QTest::newRow("private-use markers") << QString(QChar(MessageSearchStore::MatchStart)) + u"x" + QChar(MessageSearchStore::MatchEnd);
        QTest::newRow("nul") << QString(QChar(u'\0')) + u"inverter";
        QTest::newRow("lone surrogate") << QString(QChar(0xD800)) + u"a";
        QTest::newRow("SQL") << QStringLiteral("'); DROP TABLE messages; --");
        QString big;
        while (big.size() < 10'240)
            big += QStringLiteral("inverter \"fault NEAR( -x ^ a:b * OR ");
        QTest::newRow("10 kB") << big;
        QTest::newRow("10 kB one word") << QString(10'240, u'a');
    }

    void hostileInputNeverErrors()
    {
        QFETCH(QString, typed);
        Fixture f;
        const qint64 c = f.conversation(f.bob, QStringLiteral("t"));
        f.message(c, QStringLiteral("the inverter fault near the fence, a:b ratio, x and OR and NOT"));
        auto hits = f.search.search(f.bob, typed);
        VERIFY_OK(hits);
        QVERIFY(hits->size() <= 1);
        QCOMPARE(f.t.count(QStringLiteral("messages")), 1);
    }

    void onlyTheActorsOwnConversations()
    {
        Fixture f;
        const qint64 mine = f.message(f.conversation(f.bob, QStringLiteral("Bob's")), QStringLiteral("transformer oil sample"));
        const qint64 theirs = f.message(f.conversation(f.carl, QStringLiteral("Carl's")), QStringLiteral("transformer oil leak"));
        QCOMPARE(f.ids(f.bob, QStringLiteral("transformer oil")), QList<qint64>{mine});
        QCOMPARE(f.ids(f.carl, QStringLiteral("transformer oil")), QList<qint64>{theirs});
        QCOMPARE(f.ids(f.bob, QStringLiteral("leak")), QList<qint64>());
        // Not even for an administrator: search is over one's own conversations.
        QCOMPARE(f.ids(f.admin, QStringLiteral("transformer")), QList<qint64>());
    }

    void refusesWhoMayNotSearch()
    {
        Fixture f;
        f.message(f.conversation(f.bob, QStringLiteral("t")), QStringLiteral("inverter"));
        for (const Actor &nobody : {Actor::anonymous(), Actor::system(QStringLiteral("operator"))}) {
            auto hits = f.search.search(nobody, QStringLiteral("inverter"));
            QVERIFY(!hits);
            QCOMPARE(hits.error().code(), ErrorCode::NotAllowed);
        }

        UserChanges disable;
        disable.status = UserStatus::Disabled;
        VERIFY_OK(f.t.accounts().updateUser(f.admin, QStringLiteral("bob"), disable));
        auto disabled = f.search.search(f.bob, QStringLiteral("inverter"));
        QVERIFY(!disabled);
        QCOMPARE(disabled.error().code(), ErrorCode::NotAllowed);
        QVERIFY2(disabled.error().message().contains(QStringLiteral("disabled")), qPrintable(disabled.error().message()));
        // Blank text does not get round the check.
        QVERIFY(!f.search.search(f.bob, QString()));

        VERIFY_OK(f.t.accounts().deleteUser(f.admin, QStringLiteral("bob")));
        auto gone = f.search.search(f.bob, QStringLiteral("inverter"));
        QVERIFY(!gone);
        QCOMPARE(gone.error().code(), ErrorCode::NotFound);
    }

    void blankFindsNothingWithoutError()
    {
        Fixture f;
        f.message(f.conversation(f.bob, QStringLiteral("t")), QStringLiteral("inverter"));
        for (const QString &typed : {QString(), QStringLiteral("   "), QStringLiteral("^ * \"\"")}) {
            auto hits = f.search.search(f.bob, typed);
            VERIFY_OK(hits);
            QVERIFY(hits->isEmpty());
        }
    }

    void deletedConversationIsNotFound()
    {
        Fixture f;
        ChatService chat(f.t.database(), f.t.clock(), [](const QString &) { return std::make_shared<ScriptedProvider>(); });
        const qint64 kept = f.conversation(f.bob, QStringLiteral("kept"));
        const qint64 doomed = f.conversation(f.bob, QStringLiteral("doomed"));
        const qint64 keptMessage = f.message(kept, QStringLiteral("combiner box fuse"));
        f.message(doomed, QStringLiteral("combiner box fuse"));
        f.message(doomed, QStringLiteral("combiner box cover"), MessageRole::Assistant);
        QCOMPARE(f.ids(f.bob, QStringLiteral("combiner")).size(), 3);
        VERIFY_OK(chat.deleteConversation(f.bob, doomed));
        QCOMPARE(f.ids(f.bob, QStringLiteral("combiner")), QList<qint64>{keptMessage});
        VERIFY_INDEX(f);
    }

    void streamingAnswerFoundOnceFinished_data()
    {
        QTest::addColumn<bool>("stopped");
        QTest::newRow("completes") << false;
        QTest::newRow("stopped") << true;
    }

    void streamingAnswerFoundOnceFinished()
    {
        QFETCH(bool, stopped);
        Fixture f;
        auto provider = std::make_shared<ScriptedProvider>();
        ProviderScript script;
        script.pieces = {QStringLiteral("Check the "), QStringLiteral("pyranometer "), QStringLiteral("calibration "),
                         QStringLiteral("and "), QStringLiteral("the "), QStringLiteral("logger.")};
        if (stopped)
            script.hangAfterPieces = true; // streams until stopped
        else
            script.delay = 400ms; // the text reaches the row long before the answer completes
        provider->setScript(script);
        ChatTuning tuning;
        tuning.flushInterval = 10ms;
        ChatService chat(f.t.database(), f.t.clock(), [provider](const QString &) { return provider; }, tuning);
        QSignalSpy finished(&chat, &ChatService::answerFinished);
        const auto answerRow = [&](qint64 id) { return *ConversationStore::findMessage(f.t.connection(), id).value(); };

        auto ticket = chat.ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("What about sensors?")});
        VERIFY_OK(ticket);
        // The words are in the row already, but the answer is still streaming: not found yet.
        QTRY_VERIFY_WITH_TIMEOUT(answerRow(ticket->answerId).content.contains(QStringLiteral("pyranometer")), 10'000);
        QCOMPARE(f.ids(f.bob, QStringLiteral("pyranometer")), QList<qint64>());
        QCOMPARE(answerRow(ticket->answerId).status, MessageStatus::Streaming);
        QCOMPARE(f.ids(f.bob, QStringLiteral("sensors")), QList<qint64>{ticket->questionId});
        VERIFY_INDEX(f);

        if (stopped) {
            QTRY_VERIFY_WITH_TIMEOUT(answerRow(ticket->answerId).content.contains(QStringLiteral("logger")), 10'000);
            QVERIFY(chat.stop(ticket->answerId));
        }
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10'000);
        QCOMPARE(answerRow(ticket->answerId).status, stopped ? MessageStatus::Cancelled : MessageStatus::Complete);
        QCOMPARE(f.ids(f.bob, QStringLiteral("pyranometer calib")), QList<qint64>{ticket->answerId});
        QCOMPARE(f.ids(f.bob, QStringLiteral("\"the logger\"")), QList<qint64>{ticket->answerId});
        VERIFY_INDEX(f);
    }

    void completedThroughTheServiceIsFound()
    {
        Fixture f;
        auto provider = std::make_shared<ScriptedProvider>();
        ProviderScript script;
        script.pieces = {QStringLiteral("Soiling "), QStringLiteral("losses are "), QStringLiteral("about two percent.")};
        provider->setScript(script);
        ChatService chat(f.t.database(), f.t.clock(), [provider](const QString &) { return provider; });
        QSignalSpy finished(&chat, &ChatService::answerFinished);
        auto ticket = chat.ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("How much soiling?")});
        VERIFY_OK(ticket);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10'000);
        const QList<qint64> both = f.ids(f.bob, QStringLiteral("soiling"));
        QCOMPARE((QSet<qint64>(both.cbegin(), both.cend())), (QSet<qint64>{ticket->questionId, ticket->answerId}));
        QCOMPARE(f.ids(f.bob, QStringLiteral("percent")), QList<qint64>{ticket->answerId});
        VERIFY_INDEX(f);
    }

    void regeneratedAndContinuedAnswersAreReindexed()
    {
        Fixture f;
        auto provider = std::make_shared<ScriptedProvider>();
        ChatTuning tuning;
        tuning.flushInterval = 10ms;
        ChatService chat(f.t.database(), f.t.clock(), [provider](const QString &) { return provider; }, tuning);
        QSignalSpy finished(&chat, &ChatService::answerFinished);
        const auto answerWith = [](QStringList pieces, bool hang = false) {
            ProviderScript script;
            script.pieces = std::move(pieces);
            script.hangAfterPieces = hang;
            return script;
        };

        provider->setScript(answerWith({QStringLiteral("Alpha "), QStringLiteral("inverter answer.")}));
        auto first = chat.ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("First question")});
        VERIFY_OK(first);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10'000);
        QCOMPARE(f.ids(f.bob, QStringLiteral("alpha")), QList<qint64>{first->answerId});

        // Regenerate: the old answer's words go with it, the new answer's are found once it ends.
        provider->setScript(answerWith({QStringLiteral("Beta "), QStringLiteral("transformer answer.")}));
        auto again = chat.regenerate(f.bob, first->answerId);
        VERIFY_OK(again);
        QCOMPARE(f.ids(f.bob, QStringLiteral("alpha")), QList<qint64>());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10'000);
        QCOMPARE(f.ids(f.bob, QStringLiteral("beta transformer")), QList<qint64>{again->answerId});
        VERIFY_INDEX(f);

        // Continue a stopped answer: found while stopped, out of the index while it streams again,
        // found with all its text once it ends.
        provider->setScript(answerWith({QStringLiteral("Gamma start ")}, true));
        auto second = chat.ask(f.bob, AskRequest{first->conversationId, QString(), QStringLiteral("Second question")});
        VERIFY_OK(second);
        QTRY_VERIFY_WITH_TIMEOUT(ConversationStore::findMessage(f.t.connection(), second->answerId).value()->content.contains(
                                     QStringLiteral("Gamma")),
                                 10'000);
        QVERIFY(chat.stop(second->answerId));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 10'000);
        QCOMPARE(f.ids(f.bob, QStringLiteral("gamma")), QList<qint64>{second->answerId});
        provider->setScript(answerWith({QStringLiteral("delta end.")}));
        VERIFY_OK(chat.continueAnswer(f.bob, second->answerId));
        QCOMPARE(f.ids(f.bob, QStringLiteral("gamma")), QList<qint64>());
        VERIFY_INDEX(f);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, 10'000);
        QCOMPARE(f.ids(f.bob, QStringLiteral("gamma delta")), QList<qint64>{second->answerId});
        VERIFY_INDEX(f);
    }

    void changedContentIsReindexed()
    {
        Fixture f;
        const qint64 c = f.conversation(f.bob, QStringLiteral("t"));
        const qint64 answer = f.message(c, QStringLiteral("The tracker motor stalled."), MessageRole::Assistant);
        QCOMPARE(f.ids(f.bob, QStringLiteral("tracker")), QList<qint64>{answer});
        // A regenerated answer: the row's text is replaced.
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("UPDATE messages SET content = ? WHERE id = ?"),
                          {QStringLiteral("The string fuse blew."), answer}));
        QCOMPARE(f.ids(f.bob, QStringLiteral("tracker")), QList<qint64>());
        QCOMPARE(f.ids(f.bob, QStringLiteral("fuse")), QList<qint64>{answer});
        VERIFY_INDEX(f);
        // Back to streaming (regenerating in place): out of the index until it ends again.
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("UPDATE messages SET status = 'streaming', content = '' WHERE id = ?"),
                          {answer}));
        QCOMPARE(f.ids(f.bob, QStringLiteral("fuse")), QList<qint64>());
        VERIFY_INDEX(f);
        VERIFY_OK(ConversationStore::appendToMessage(f.t.connection(), answer, QStringLiteral("The breaker opened."), 0));
        QCOMPARE(f.ids(f.bob, QStringLiteral("breaker")), QList<qint64>());
        VERIFY_OK(ConversationStore::finishMessage(f.t.connection(), answer, MessageStatus::Complete, QString(), QString(), 0));
        QCOMPARE(f.ids(f.bob, QStringLiteral("breaker")), QList<qint64>{answer});
        // A change of something else (updated_at) leaves the index alone.
        VERIFY_OK(execSql(f.t.connection(), QStringLiteral("UPDATE messages SET updated_at = 42 WHERE id = ?"), {answer}));
        QCOMPARE(f.ids(f.bob, QStringLiteral("breaker")), QList<qint64>{answer});
        VERIFY_INDEX(f);
    }

    void deletingAUserLeavesNoIndexRows()
    {
        Fixture f;
        fillUserData(f.t.connection(), *f.bob.userId(), 6, 8);
        fillUserData(f.t.connection(), *f.carl.userId(), 2, 4);
        VERIFY_INDEX(f);
        QCOMPARE(f.ids(f.bob, QStringLiteral("inverter faults"), 500).size(), 48);
        const int carlsMessages = 8;
        auto report = f.t.accounts().deleteUser(f.admin, QStringLiteral("bob"));
        VERIFY_OK(report);
        VERIFY_INDEX(f);
        // Every row the index can still find is one of Carl's.
        const QString indexed = onPostgres()
            ? QStringLiteral("SELECT count(*) FROM messages WHERE status <> 'streaming' "
                             "AND to_tsvector('english', content) @@ to_tsquery('english', 'invert')")
            : QStringLiteral("SELECT count(DISTINCT doc) FROM temp.messages_fts_instances");
        QCOMPARE(scalar(f.t.connection(), indexed).value().toInt(), carlsMessages);
        QCOMPARE(f.ids(f.carl, QStringLiteral("inverter faults"), 500).size(), carlsMessages);
    }

    void twentyThousandMessages()
    {
        Fixture f;
        fillUserData(f.t.connection(), *f.bob.userId(), 200, 100);
        fillUserData(f.t.connection(), *f.carl.userId(), 10, 10);
        QCOMPARE(f.t.count(QStringLiteral("messages")), 20'100);
        QElapsedTimer timer;
        timer.start();
        auto everything = f.search.search(f.bob, QStringLiteral("inverter"));
        const qint64 broadMs = timer.restart();
        VERIFY_OK(everything);
        QCOMPARE(everything->size(), 50);
        auto few = f.search.search(f.bob, QStringLiteral("conversation 137"));
        const qint64 narrowMs = timer.elapsed();
        VERIFY_OK(few);
        QCOMPARE(few->size(), 50);
        for (const SearchHit &hit : std::as_const(*few))
            QVERIFY2(hit.snippet.contains(QStringLiteral("137")), qPrintable(hit.snippet));
        qInfo("20,000 messages: every one matching %lld ms, 100 matching %lld ms", broadMs, narrowMs);
        VERIFY_INDEX(f);
    }

    void searchUsesTheIndex()
    {
        Fixture f;
        fillUserData(f.t.connection(), *f.bob.userId(), 40, 100);
        fillUserData(f.t.connection(), *f.carl.userId(), 10, 10);
        if (onPostgres())
            VERIFY_OK(execSql(f.t.connection(), QStringLiteral("ANALYZE messages, conversations")));
        const QString expression = SearchService::ftsQuery(QStringLiteral("conversation 37"));
        auto plan = MessageSearchStore::searchPlan(f.t.connection(), *f.bob.userId(), expression, 50);
        VERIFY_OK(plan);
        // The GIN index on PostgreSQL (a bitmap scan of it), the FTS5 table on SQLite: never a
        // scan of every message.
        const QString index = onPostgres() ? QStringLiteral("Bitmap Index Scan on messages_search")
                                           : QStringLiteral("VIRTUAL TABLE INDEX");
        QVERIFY2(plan->contains(index), qPrintable(*plan));
        QVERIFY2(!plan->contains(QStringLiteral("Seq Scan on messages")), qPrintable(*plan));
        qInfo().noquote() << "plan for" << expression << "over 4,100 messages:\n" << *plan;
        QCOMPARE(f.ids(f.bob, QStringLiteral("conversation 37")).size(), 50);
    }

    void resultsModel()
    {
        Fixture f;
        const qint64 c = f.conversation(f.bob, QStringLiteral("Sensors"));
        const qint64 question = f.message(c, QStringLiteral("Is the pyranometer dirty?"));
        const qint64 answer = f.message(c, QStringLiteral("The pyranometer reads low: clean it."), MessageRole::Assistant);
        auto hits = f.search.search(f.bob, QStringLiteral("pyranometer"));
        VERIFY_OK(hits);
        QCOMPARE(hits->size(), 2);

        SearchResultsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setHits(*hits);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(reset.count(), 1);
        QSet<qint64> ids;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex index = model.index(row);
            const SearchHit &hit = hits->at(row);
            QCOMPARE(index.data(Qt::DisplayRole).toString(), hit.snippet);
            QCOMPARE(index.data(SearchResultsModel::MessageIdRole).toLongLong(), hit.messageId);
            QCOMPARE(index.data(SearchResultsModel::ConversationIdRole).toLongLong(), c);
            QCOMPARE(index.data(SearchResultsModel::TitleRole).toString(), QStringLiteral("Sensors"));
            QCOMPARE(index.data(SearchResultsModel::AgentIdRole).toString(), QStringLiteral("om"));
            QCOMPARE(index.data(SearchResultsModel::AgentNameRole).toString(), QStringLiteral("O&M"));
            QCOMPARE(index.data(SearchResultsModel::CreatedAtRole).toLongLong(), hit.createdAtMs);
            QCOMPARE(index.data(SearchResultsModel::AuthorRole).value<MessageRole>(), hit.role);
            QCOMPARE((index.data(SearchResultsModel::HighlightsRole).value<QList<std::pair<int, int>>>()), hit.highlights);
            QVERIFY(!hit.highlights.isEmpty());
            QCOMPARE(index.data(SearchResultsModel::HitRole).value<SearchHit>(), hit);
            QVERIFY(index.data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("Sensors")));
            ids.insert(hit.messageId);
        }
        QCOMPARE(ids, (QSet<qint64>{question, answer}));
        QVERIFY(model.roleNames().value(SearchResultsModel::HighlightsRole) == "highlights");

        model.setHits({hits->constFirst()});
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(reset.count(), 3);
        model.clear(); // already empty: no reset
        QCOMPARE(reset.count(), 3);
    }
};

QTEST_GUILESS_MAIN(TestSearchService)
#include "tst_searchservice.moc"
