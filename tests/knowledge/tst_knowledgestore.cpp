// KnowledgeStore: documents, the FTS5 index kept by triggers, ranking, and questions that would be
// FTS5 syntax errors if they reached MATCH as written.

#include "storage/knowledgestore.h"
#include "storage/sql.h"

#include "support/testdatabase.h"
#include "support/testprinters.h"

#include <QTest>

using namespace heliodesk;
using heliodesk::test::TestDatabase;
namespace KS = heliodesk::KnowledgeStore;

namespace {

KS::NewDocument document(const QString &agentId, const QString &title, const QString &content, qint64 at = 1000)
{
    return KS::NewDocument{agentId, title, title.toLower().replace(u' ', u'-') + u".md", content,
                           QStringLiteral("hash-") + title + u'-' + QString::number(content.size()), at};
}

} // namespace

class TestKnowledgeStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void searchTerms_data();
    void searchTerms();
    void matchExpressionQuotesEveryTerm();
    void insertIsIdempotentPerAgent();
    void countLastImportAndList();
    void ranksTheRelevantDocumentFirst();
    void matchesStemsAndDiacritics();
    void searchStaysWithinTheAgent();
    void allWordsFirstThenSomeWords();
    void snippetMarksMatchedWords();
    void indexFollowsUpdatesAndDeletes();
    void hostileQueriesNeverFail_data();
    void hostileQueriesNeverFail();

private:
    std::unique_ptr<TestDatabase> m_tdb;
    QSqlDatabase db() const { return m_tdb->connection(); }
    int documentRows() const
    {
        auto n = scalar(db(), QStringLiteral("SELECT count(*) FROM kb_documents"));
        return n ? n->toInt() : -1;
    }
    void addCorpus();
};

void TestKnowledgeStore::init()
{
    m_tdb = std::make_unique<TestDatabase>();
    QVERIFY2(m_tdb->isValid(), qPrintable(m_tdb->openError().toLogString()));
}

void TestKnowledgeStore::cleanup()
{
    m_tdb.reset();
}

void TestKnowledgeStore::addCorpus()
{
    const QList<KS::NewDocument> docs = {
        document(QStringLiteral("om"), QStringLiteral("Inverter insulation faults"),
                 QStringLiteral("A low insulation resistance alarm on the inverter means current leaks to earth on the DC side. "
                                "Measure each string's insulation to find the fault.")),
        document(QStringLiteral("om"), QStringLiteral("Module cleaning"),
                 QStringLiteral("Soiling reduces yield. Clean the modules when the energy recovered is worth more than the "
                                "cleaning; the inverter is not involved.")),
        document(QStringLiteral("om"), QStringLiteral("Thermography"),
                 QStringLiteral("Infrared cameras show hot spots on modules, for example from cracked cells or a bypass diode.")),
        document(QStringLiteral("market"), QStringLiteral("PPA types"),
                 QStringLiteral("A virtual PPA settles the difference between strike price and market price; the inverter "
                                "never matters to it.")),
    };
    for (const KS::NewDocument &d : docs)
        VERIFY_OK(KS::insert(db(), d));
}

void TestKnowledgeStore::searchTerms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("terms");

    QTest::newRow("question") << QStringLiteral("What does an inverter insulation fault mean?")
                              << QStringList{QStringLiteral("inverter"), QStringLiteral("insulation"), QStringLiteral("fault"),
                                             QStringLiteral("mean")};
    QTest::newRow("case and duplicates") << QStringLiteral("PPA ppa Ppa price PRICE")
                                         << QStringList{QStringLiteral("ppa"), QStringLiteral("price")};
    QTest::newRow("operators are words") << QStringLiteral("inverter AND NOT fault OR NEAR(string)")
                                         << QStringList{QStringLiteral("inverter"), QStringLiteral("fault"), QStringLiteral("near"),
                                                        QStringLiteral("string")};
    QTest::newRow("punctuation splits") << QStringLiteral("\"IEC 61724-1\": title:PR* {x} ^y")
                                        << QStringList{QStringLiteral("iec"), QStringLiteral("61724"), QStringLiteral("title"),
                                                       QStringLiteral("pr")};
    QTest::newRow("accents kept") << QStringLiteral("Énergie café") << QStringList{QStringLiteral("énergie"), QStringLiteral("café")};
    QTest::newRow("emoji separate") << QStringLiteral("solar☀️🔋battery") << QStringList{QStringLiteral("solar"), QStringLiteral("battery")};
    QTest::newRow("only stop words") << QStringLiteral("What is the? How are you?") << QStringList{};
    QTest::newRow("nothing") << QString() << QStringList{};
}

void TestKnowledgeStore::searchTerms()
{
    QFETCH(QString, text);
    QFETCH(QStringList, terms);
    QCOMPARE(KS::searchTerms(text), terms);
}

void TestKnowledgeStore::matchExpressionQuotesEveryTerm()
{
    const QStringList terms{QStringLiteral("near"), QStringLiteral("a\"b")};
    QCOMPARE(KS::fts5MatchExpression(terms, KS::TermJoin::All), QStringLiteral("\"near\" AND \"a\"\"b\""));
    QCOMPARE(KS::fts5MatchExpression(terms, KS::TermJoin::Any), QStringLiteral("\"near\" OR \"a\"\"b\""));
    QCOMPARE(KS::fts5MatchExpression({}, KS::TermJoin::Any), QString());

    // Long input is capped.
    QString many;
    for (int i = 0; i < 100; ++i)
        many += QStringLiteral("word%1 ").arg(i);
    QCOMPARE(KS::searchTerms(many).size(), 32);
}

void TestKnowledgeStore::insertIsIdempotentPerAgent()
{
    const KS::NewDocument doc = document(QStringLiteral("om"), QStringLiteral("Title"), QStringLiteral("Some text."));
    auto first = KS::insert(db(), doc);
    VERIFY_OK(first);
    QVERIFY(first->inserted);
    auto second = KS::insert(db(), doc);
    VERIFY_OK(second);
    QVERIFY(!second->inserted);
    QCOMPARE(second->id, first->id);

    // The same text for another agent is another document.
    KS::NewDocument forMarket = doc;
    forMarket.agentId = QStringLiteral("market");
    auto third = KS::insert(db(), forMarket);
    VERIFY_OK(third);
    QVERIFY(third->inserted);
    QCOMPARE(documentRows(), 2);

    // An unknown agent is refused by the foreign key.
    KS::NewDocument orphan = doc;
    orphan.agentId = QStringLiteral("nobody");
    auto refused = KS::insert(db(), orphan);
    QVERIFY(!refused.has_value());
    QCOMPARE(refused.error().code(), ErrorCode::ConstraintViolated);
}

void TestKnowledgeStore::countLastImportAndList()
{
    auto none = KS::lastImportedAt(db(), QStringLiteral("om"));
    VERIFY_OK(none);
    QVERIFY(!none->has_value());
    QCOMPARE(*KS::countForAgent(db(), QStringLiteral("om")), 0);

    VERIFY_OK(KS::insert(db(), document(QStringLiteral("om"), QStringLiteral("A"), QStringLiteral("alpha"), 5000)));
    VERIFY_OK(KS::insert(db(), document(QStringLiteral("om"), QStringLiteral("B"), QStringLiteral("beta"), 7000)));
    VERIFY_OK(KS::insert(db(), document(QStringLiteral("news"), QStringLiteral("C"), QStringLiteral("gamma"), 9000)));
    QCOMPARE(*KS::countForAgent(db(), QStringLiteral("om")), 2);
    QCOMPARE(**KS::lastImportedAt(db(), QStringLiteral("om")), qint64(7000));

    auto listed = KS::list(db(), QStringLiteral("om"));
    VERIFY_OK(listed);
    QCOMPARE(listed->size(), 2);
    QCOMPARE(listed->front().title, QStringLiteral("B"));
    QCOMPARE(listed->front().source, QStringLiteral("b.md"));
    QCOMPARE(listed->front().characters, 4);
}

void TestKnowledgeStore::ranksTheRelevantDocumentFirst()
{
    addCorpus();
    auto passages = KS::search(db(), QStringLiteral("om"), QStringLiteral("Why does my inverter show an insulation fault?"), 3);
    VERIFY_OK(passages);
    QVERIFY(!passages->isEmpty());
    QCOMPARE(passages->front().title, QStringLiteral("Inverter insulation faults"));
    QCOMPARE(passages->front().source, QStringLiteral("inverter-insulation-faults.md"));

    auto hot = KS::search(db(), QStringLiteral("om"), QStringLiteral("hot spots bypass diode"), 3);
    VERIFY_OK(hot);
    QVERIFY(!hot->isEmpty());
    QCOMPARE(hot->front().title, QStringLiteral("Thermography"));
}

void TestKnowledgeStore::matchesStemsAndDiacritics()
{
    VERIFY_OK(KS::insert(db(), document(QStringLiteral("news"), QStringLiteral("Régulation"),
                                        QStringLiteral("La Commission de régulation de l'énergie publie ses délibérations."))));
    for (const QString &question : {QStringLiteral("regulation energie"), QStringLiteral("RÉGULATION"), QStringLiteral("publishes délibération")}) {
        auto found = KS::search(db(), QStringLiteral("news"), question, 5);
        VERIFY_OK(found);
        // Known gap (issue 7): migration 2 indexes with the 'english' configuration, which keeps
        // the text's diacritics; folding them needs unaccent in the index's configuration.
        if (test::onPostgres() && question == u"regulation energie")
            QEXPECT_FAIL("", "PostgreSQL: kb_documents_search ('english') keeps diacritics of the text", Continue);
        QVERIFY2(found->size() == 1, qPrintable(question));
    }
    addCorpus();
    auto plural = KS::search(db(), QStringLiteral("om"), QStringLiteral("inverters"), 5);
    VERIFY_OK(plural);
    QCOMPARE(plural->size(), 2); // "inverter" in two O&M documents, porter-stemmed
}

void TestKnowledgeStore::searchStaysWithinTheAgent()
{
    addCorpus();
    auto market = KS::search(db(), QStringLiteral("market"), QStringLiteral("inverter"), 10);
    VERIFY_OK(market);
    QCOMPARE(market->size(), 1);
    QCOMPARE(market->front().title, QStringLiteral("PPA types"));
    auto nobody = KS::search(db(), QStringLiteral("digitalization"), QStringLiteral("inverter"), 10);
    VERIFY_OK(nobody);
    QVERIFY(nobody->isEmpty());
}

void TestKnowledgeStore::allWordsFirstThenSomeWords()
{
    addCorpus();
    // Only the cleaning document holds both words; the others hold one and come after it.
    auto passages = KS::search(db(), QStringLiteral("om"), QStringLiteral("inverter modules"), 5);
    VERIFY_OK(passages);
    QVERIFY(passages->size() >= 2);
    QCOMPARE(passages->at(0).title, QStringLiteral("Module cleaning"));
    QVERIFY(passages->at(0).matchedAllTerms);
    for (qsizetype i = 1; i < passages->size(); ++i)
        QVERIFY(!passages->at(i).matchedAllTerms);

    // A limit of one stops at the best document.
    auto one = KS::search(db(), QStringLiteral("om"), QStringLiteral("inverter modules"), 1);
    VERIFY_OK(one);
    QCOMPARE(one->size(), 1);

    // Only words the collection lacks: nothing, rather than something unrelated.
    auto offTopic = KS::search(db(), QStringLiteral("om"), QStringLiteral("What is a good lasagne recipe?"), 5);
    VERIFY_OK(offTopic);
    QVERIFY(offTopic->isEmpty());
}

void TestKnowledgeStore::snippetMarksMatchedWords()
{
    addCorpus();
    auto passages = KS::search(db(), QStringLiteral("om"), QStringLiteral("insulation"), 1);
    VERIFY_OK(passages);
    QCOMPARE(passages->size(), 1);
    const QString snippet = passages->front().snippet;
    QVERIFY2(snippet.contains(QString(QChar(KS::MatchStart)) + u"insulation" + QChar(KS::MatchEnd)), qPrintable(snippet));
}

void TestKnowledgeStore::indexFollowsUpdatesAndDeletes()
{
    addCorpus();
    const auto titles = [this](const QString &question) {
        QStringList found;
        auto passages = KS::search(db(), QStringLiteral("om"), question, 10);
        if (passages) {
            for (const KS::Passage &p : std::as_const(*passages))
                found << p.title;
        }
        return found;
    };
    QCOMPARE(titles(QStringLiteral("thermography")), QStringList{QStringLiteral("Thermography")});

    VERIFY_OK(execSql(db(), QStringLiteral("UPDATE kb_documents SET title = 'Drone survey', content = 'Flights over the arrays.' "
                                           "WHERE title = 'Thermography'")));
    QVERIFY(titles(QStringLiteral("thermography")).isEmpty());
    QVERIFY(titles(QStringLiteral("cameras")).isEmpty());
    QCOMPARE(titles(QStringLiteral("flights")), QStringList{QStringLiteral("Drone survey")});

    VERIFY_OK(execSql(db(), QStringLiteral("DELETE FROM kb_documents WHERE title = 'Drone survey'")));
    QVERIFY(titles(QStringLiteral("flights")).isEmpty());
    // The index stays consistent with its content table. On PostgreSQL the GIN index is kept by
    // the table itself; what can go wrong there is the index: missing or left invalid.
    const auto indexIsSound = [this] {
        if (test::onPostgres())
            return scalar(db(), QStringLiteral("SELECT count(*) FROM pg_index WHERE indisvalid "
                                               "AND indexrelid = CAST('kb_documents_search' AS regclass)"))
                       .value_or(QVariant())
                       .toInt()
                == 1;
        return execSql(db(), QStringLiteral("INSERT INTO kb_fts (kb_fts, rank) VALUES ('integrity-check', 1)")).has_value();
    };
    QVERIFY(indexIsSound());

    // Deleting an agent takes its documents and their index entries along.
    VERIFY_OK(execSql(db(), QStringLiteral("DELETE FROM agents WHERE id = 'market'")));
    QCOMPARE(*KS::countForAgent(db(), QStringLiteral("market")), 0);
    auto market = KS::search(db(), QStringLiteral("market"), QStringLiteral("inverter"), 10);
    VERIFY_OK(market);
    QVERIFY(market->isEmpty());
    QVERIFY(indexIsSound());
}

void TestKnowledgeStore::hostileQueriesNeverFail_data()
{
    QTest::addColumn<QString>("question");
    QTest::addColumn<bool>("findsInverterDocument");

    QTest::newRow("lone quote") << QStringLiteral("\"") << false;
    QTest::newRow("unbalanced quote") << QStringLiteral("\"inverter insulation") << true;
    QTest::newRow("quoted phrase") << QStringLiteral("\"insulation resistance\"") << true;
    QTest::newRow("star") << QStringLiteral("*") << false;
    QTest::newRow("prefix star") << QStringLiteral("insul*") << false;
    QTest::newRow("NEAR open") << QStringLiteral("NEAR(") << false;
    QTest::newRow("NEAR group") << QStringLiteral("NEAR(inverter insulation, 2)") << true;
    QTest::newRow("AND alone") << QStringLiteral("AND") << false;
    QTest::newRow("trailing AND") << QStringLiteral("inverter AND") << true;
    QTest::newRow("OR NOT") << QStringLiteral("OR NOT insulation") << true;
    QTest::newRow("colon") << QStringLiteral(":") << false;
    QTest::newRow("column filter") << QStringLiteral("title:insulation") << true;
    QTest::newRow("unknown column") << QStringLiteral("nosuchcolumn:insulation") << true;
    QTest::newRow("column set") << QStringLiteral("{title content}: insulation resistance inverter") << true;
    QTest::newRow("dash") << QStringLiteral("-") << false;
    QTest::newRow("negated") << QStringLiteral("-insulation") << true;
    QTest::newRow("caret") << QStringLiteral("^insulation") << true;
    QTest::newRow("parentheses") << QStringLiteral("((insulation) OR (") << true;
    QTest::newRow("plus") << QStringLiteral("insulation + + +") << true;
    QTest::newRow("SQL") << QStringLiteral("insulation'; DROP TABLE kb_documents; --") << false;
    QTest::newRow("emoji") << QStringLiteral("⚡🔥☀️ insulation 🙂") << true;
    QTest::newRow("only emoji") << QStringLiteral("☀️🔋⚡") << false;
    QTest::newRow("control characters") << QStringLiteral("insulation\t\n\x01\x7f") << true;
    QTest::newRow("NUL") << (QStringLiteral("insulation") + QChar(0) + QStringLiteral("fault")) << true;
    QTest::newRow("lone surrogate") << (QStringLiteral("insulation ") + QChar(0xD800)) << true;
    QTest::newRow("arabic and chinese") << QStringLiteral("عازل insulation 逆变器 resistance inverter") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("spaces") << QStringLiteral("   ") << false;

    QString tenKb;
    while (tenKb.size() < 10 * 1024)
        tenKb += QStringLiteral("insulation \"NEAR(a* OR b:) AND -c ^d\" ");
    QTest::newRow("10 KB of syntax") << tenKb << true;
    QString longWord(10 * 1024, u'x');
    QTest::newRow("10 KB word") << longWord << false;
}

void TestKnowledgeStore::hostileQueriesNeverFail()
{
    QFETCH(QString, question);
    QFETCH(bool, findsInverterDocument);
    addCorpus();

    auto passages = KS::search(db(), QStringLiteral("om"), question, 4);
    VERIFY_OK(passages);
    QVERIFY(passages->size() <= 4);
    QCOMPARE(documentRows(), 4);
    if (findsInverterDocument) {
        QVERIFY(!passages->isEmpty());
        QCOMPARE(passages->front().title, QStringLiteral("Inverter insulation faults"));
    }
}

QTEST_GUILESS_MAIN(TestKnowledgeStore)
#include "tst_knowledgestore.moc"
