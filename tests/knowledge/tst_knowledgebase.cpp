// KnowledgeBase: schema migration 2, the starter set, file imports (and refusals) and search.

#include "model/agents/agentcatalogue.h"
#include "model/agents/knowledgebase.h"
#include "resources/heliodeskresources.h"
#include "storage/migrations.h"
#include "storage/sql.h"

#include "storage/storagetesthelpers.h"
#include "support/testdatabase.h"
#include "support/testprinters.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::RawConnection;
using heliodesk::test::tableNames;
using heliodesk::test::TestDatabase;
using heliodesk::test::writeWholeFile;

Q_DECLARE_METATYPE(heliodesk::ErrorCode)

namespace {

int number(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto value = scalar(db, sql, values);
    return value ? value->toInt() : -1;
}

QString text(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto value = scalar(db, sql, values);
    return value ? value->toString() : QString();
}

QStringList starterFiles(const QString &collection)
{
    initResources();
    return QDir(u":/knowledge/" + collection).entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name);
}

} // namespace

class TestKnowledgeBase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void migrationAppliesToAFreshDatabase();
    void migrationUpgradesAVersion1Database();
    void migrationKeepsFullTextSearchOutOfPostgres();

    void starterDocumentsAreWellFormed();
    void starterSetIsIndexedOnce();
    void starterSetNeedsSyncedAgents();
    void starterSearchRanksTheRelevantDocumentFirst_data();
    void starterSearchRanksTheRelevantDocumentFirst();

    void importsMarkdown();
    void importsPlainText();
    void importsHtml();
    void reimportIsIdempotent();
    void refusesBadFiles_data();
    void refusesBadFiles();
    void refusesUnknownAgent();
    void oneBadFileDoesNotStopTheOthers();
    void htmlToText_data();
    void htmlToText();
    void markdownTitle_data();
    void markdownTitle();

private:
    std::unique_ptr<TestDatabase> m_tdb;
    std::unique_ptr<KnowledgeBase> m_kb;
    QTemporaryDir m_files;
    QSqlDatabase db() const { return m_tdb->connection(); }
    int documentRows() const
    {
        auto n = scalar(db(), QStringLiteral("SELECT count(*) FROM kb_documents"));
        return n ? n->toInt() : -1;
    }
    QString writeFile(const QString &name, const QByteArray &bytes);
};

void TestKnowledgeBase::init()
{
    m_tdb = std::make_unique<TestDatabase>();
    QVERIFY2(m_tdb->isValid(), qPrintable(m_tdb->openError().toLogString()));
    m_kb = std::make_unique<KnowledgeBase>(m_tdb->database(), m_tdb->clock());
}

void TestKnowledgeBase::cleanup()
{
    m_kb.reset();
    m_tdb.reset();
}

QString TestKnowledgeBase::writeFile(const QString &name, const QByteArray &bytes)
{
    QString path = m_files.filePath(name);
    if (!writeWholeFile(path, bytes))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestKnowledgeBase::migrationAppliesToAFreshDatabase()
{
    QCOMPARE(*schemaVersion(db()), latestSchemaVersion());
    QVERIFY(latestSchemaVersion() >= 2);
    QCOMPARE(text(db(), QStringLiteral("SELECT name FROM schema_migrations WHERE version = 2")), QStringLiteral("knowledge base"));
    const QStringList tables = tableNames(db());
    if (test::onPostgres()) {
        // No FTS5 there: a GIN index on the expression KnowledgeStore::search() spells.
        QVERIFY2(tables.contains(QStringLiteral("kb_documents")) && !tables.contains(QStringLiteral("kb_fts")),
                 qPrintable(tables.join(u' ')));
        const QString index = text(db(), QStringLiteral("SELECT pg_get_indexdef(CAST('kb_documents_search' AS regclass))"));
        QVERIFY2(index.contains(QStringLiteral("USING gin (to_tsvector('english'::regconfig, ((title || ' '::text) || content)))")),
                 qPrintable(index));
        return;
    }
    QVERIFY2(tables.contains(QStringLiteral("kb_documents")) && tables.contains(QStringLiteral("kb_fts")),
             qPrintable(tables.join(u' ')));
    QCOMPARE(number(db(), QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'kb_documents'")), 3);
    QVERIFY(text(db(), QStringLiteral("SELECT sql FROM sqlite_master WHERE name = 'kb_fts'"))
                .contains(u"porter unicode61 remove_diacritics 2"));
}

void TestKnowledgeBase::migrationUpgradesAVersion1Database()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.sqlite3"));
    {
        RawConnection raw(path);
        QVERIFY2(raw.isOpen(), qPrintable(raw.lastError()));
        const std::span<const Migration> onlyFirst(schemaMigrations().data(), 1);
        VERIFY_OK(migrateSchema(raw.db(), Database::Dialect::Sqlite, onlyFirst));
        QCOMPARE(*schemaVersion(raw.db()), 1);
        QVERIFY(!tableNames(raw.db()).contains(QStringLiteral("kb_documents")));
        VERIFY_OK(raw.exec(QStringLiteral("UPDATE agents SET system_prompt = 'edited before the upgrade' WHERE id = 'om'")));
    }

    auto opened = Database::open(DatabaseLocation::sqliteFile(path));
    VERIFY_OK(opened);
    auto connection = (*opened)->connection();
    VERIFY_OK(connection);
    QCOMPARE(*schemaVersion(*connection), latestSchemaVersion());
    QVERIFY(tableNames(*connection).contains(QStringLiteral("kb_fts")));
    QCOMPARE(text(*connection, QStringLiteral("SELECT system_prompt FROM agents WHERE id = 'om'")),
             QStringLiteral("edited before the upgrade"));

    // The upgraded database takes the catalogue and the starter set like a new one.
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    VERIFY_OK(catalogue->sync(*connection));
    QCOMPARE(text(*connection, QStringLiteral("SELECT system_prompt FROM agents WHERE id = 'om'")),
             QStringLiteral("edited before the upgrade"));
    KnowledgeBase kb(*opened);
    auto report = kb.indexStarterSet(*catalogue);
    VERIFY_OK(report);
    QVERIFY(report->added > 0);
    auto found = kb.search(QStringLiteral("om"), QStringLiteral("thermography"), 2);
    VERIFY_OK(found);
    QVERIFY(!found->isEmpty());
}

void TestKnowledgeBase::migrationKeepsFullTextSearchOutOfPostgres()
{
    const auto it = std::find_if(schemaMigrations().cbegin(), schemaMigrations().cend(),
                                 [](const Migration &m) { return m.version == 2; });
    QVERIFY(it != schemaMigrations().cend());
    QString sqlite;
    QString postgres;
    for (const QString &statement : it->statements) {
        sqlite += translateDialect(statement, Database::Dialect::Sqlite) + u'\n';
        postgres += translateDialect(statement, Database::Dialect::PostgreSql) + u'\n';
    }
    QVERIFY(sqlite.contains(u"USING fts5") && sqlite.contains(u"CREATE TRIGGER") && !sqlite.contains(u"USING GIN"));
    QVERIFY(!postgres.contains(u"fts5") && !postgres.contains(u"TRIGGER") && !postgres.contains(u"{{"));
    QVERIFY(postgres.contains(u"CREATE TABLE kb_documents") && postgres.contains(u"USING GIN"));
    QVERIFY(postgres.contains(u"BIGINT GENERATED BY DEFAULT AS IDENTITY"));
}

void TestKnowledgeBase::starterDocumentsAreWellFormed()
{
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    for (const AgentDefinition &agent : catalogue->agents()) {
        const QStringList files = starterFiles(agent.knowledgeCollection);
        QVERIFY2(files.size() >= 4 && files.size() <= 6, qPrintable(agent.id));
        for (const QString &name : files) {
            QFile file(u":/knowledge/" + agent.knowledgeCollection + u'/' + name);
            QVERIFY(file.open(QIODevice::ReadOnly));
            auto parsed = KnowledgeBase::parseDocument(file.readAll(), DocumentFormat::Markdown, name);
            VERIFY_OK(parsed);
            const int words = int(parsed->content.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts).size());
            QVERIFY2(words >= 300 && words <= 700, qPrintable(QStringLiteral("%1: %2 words").arg(name).arg(words)));
            QVERIFY2(parsed->title != QFileInfo(name).completeBaseName(), qPrintable(name + u" has no heading"));
        }
    }
}

void TestKnowledgeBase::starterSetIsIndexedOnce()
{
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    VERIFY_OK(catalogue->sync(db()));

    int expected = 0;
    for (const AgentDefinition &agent : catalogue->agents())
        expected += int(starterFiles(agent.knowledgeCollection).size());

    auto first = m_kb->indexStarterSet(*catalogue);
    VERIFY_OK(first);
    QCOMPARE(first->added, expected);
    QCOMPARE(first->alreadyPresent, 0);
    for (const AgentDefinition &agent : catalogue->agents()) {
        QCOMPARE(*m_kb->documentCount(agent.id), int(starterFiles(agent.knowledgeCollection).size()));
        auto last = m_kb->lastImport(agent.id);
        VERIFY_OK(last);
        QCOMPARE(last->value(), m_tdb->clock()->nowUtc());
    }
    auto listed = m_kb->documents(QStringLiteral("om"));
    VERIFY_OK(listed);
    QVERIFY(std::any_of(listed->cbegin(), listed->cend(), [](const KnowledgeStore::DocumentSummary &d) {
        return d.source == u"Heliodesk starter knowledge: performance-ratio.md"
            && d.title == u"Performance ratio and related PV performance metrics";
    }));

    // Every later start finds everything in place.
    m_tdb->clock()->advance(std::chrono::hours(24));
    auto second = m_kb->indexStarterSet(*catalogue);
    VERIFY_OK(second);
    QCOMPARE(second->added, 0);
    QCOMPARE(second->alreadyPresent, expected);
    QCOMPARE(documentRows(), expected);
    QCOMPARE(m_kb->lastImport(QStringLiteral("om"))->value(), m_tdb->clock()->nowUtc().addDays(-1));
}

void TestKnowledgeBase::starterSetNeedsSyncedAgents()
{
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    VERIFY_OK(execSql(db(), QStringLiteral("DELETE FROM agents WHERE id = 'digitalization'")));
    auto report = m_kb->indexStarterSet(*catalogue);
    QVERIFY(!report.has_value());
    const QString problem = humanErrorProblem(report.error(), ErrorCode::NotFound);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // All or nothing: the agents before it got nothing either.
    QCOMPARE(documentRows(), 0);
}

void TestKnowledgeBase::starterSearchRanksTheRelevantDocumentFirst_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("question");
    QTest::addColumn<QString>("title");

    QTest::newRow("om: IV curve") << QStringLiteral("om") << QStringLiteral("What do steps in an IV curve of a string mean?")
                                  << QStringLiteral("IV-curve tracing of PV strings");
    QTest::newRow("om: riso") << QStringLiteral("om") << QStringLiteral("The inverter shows a low insulation resistance alarm")
                              << QStringLiteral("Inverter fault codes and a troubleshooting approach");
    QTest::newRow("om: PR") << QStringLiteral("om") << QStringLiteral("How is the temperature-corrected performance ratio calculated?")
                            << QStringLiteral("Performance ratio and related PV performance metrics");
    QTest::newRow("om: cleaning") << QStringLiteral("om") << QStringLiteral("When is cleaning dusty modules worth it?")
                                  << QStringLiteral("Soiling losses and module cleaning schedules");
    QTest::newRow("market: vPPA") << QStringLiteral("market") << QStringLiteral("How does a virtual PPA settle against the strike price?")
                                  << QStringLiteral("Power purchase agreement (PPA) types");
    QTest::newRow("market: capture") << QStringLiteral("market") << QStringLiteral("capture rate cannibalisation")
                                     << QStringLiteral("Capture prices, capture rates and the cannibalisation effect");
    QTest::newRow("market: auction") << QStringLiteral("market") << QStringLiteral("pay-as-bid versus pay-as-clear auction")
                                     << QStringLiteral("Renewable energy auctions and tenders");
    QTest::newRow("news: queues") << QStringLiteral("news") << QStringLiteral("Why are grid connection queues so long?")
                                  << QStringLiteral("Grid-connection queues for renewable projects");
    QTest::newRow("news: directive") << QStringLiteral("news") << QStringLiteral("When does an EU directive need transposition?")
                                     << QStringLiteral("Basics of regulatory timelines in energy policy");
    QTest::newRow("news: MWp") << QStringLiteral("news") << QStringLiteral("AC or DC capacity MWp of solar plants")
                               << QStringLiteral("Reading capacity and generation figures in energy news");
    QTest::newRow("digitalization: frozen") << QStringLiteral("digitalization")
                                            << QStringLiteral("How do I detect frozen or stuck sensor values?")
                                            << QStringLiteral("Data quality checks for plant monitoring data");
    QTest::newRow("digitalization: PPC") << QStringLiteral("digitalization") << QStringLiteral("power plant controller Modbus")
                                         << QStringLiteral("SCADA architecture for solar and renewable plants");
    QTest::newRow("digitalization: twin") << QStringLiteral("digitalization") << QStringLiteral("What is a digital twin?")
                                          << QStringLiteral("Digital twins for renewable energy plants");
}

void TestKnowledgeBase::starterSearchRanksTheRelevantDocumentFirst()
{
    QFETCH(QString, agent);
    QFETCH(QString, question);
    QFETCH(QString, title);

    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    VERIFY_OK(catalogue->sync(db()));
    VERIFY_OK(m_kb->indexStarterSet(*catalogue));

    auto passages = m_kb->search(agent, question, 4);
    VERIFY_OK(passages);
    QVERIFY(!passages->isEmpty());
    QCOMPARE(passages->front().title, title);
}

void TestKnowledgeBase::importsMarkdown()
{
    const QString path = writeFile(QStringLiteral("tracker-faults.md"),
                                   QByteArrayLiteral("---\nauthor: ops\n---\n\nIntro line.\n\n## Tracker stow faults\n\n"
                                                     "Single-axis trackers go to **stow** position in high wind.\r\n"));
    auto imported = m_kb->importFile(QStringLiteral("om"), path);
    VERIFY_OK(imported);
    QVERIFY(imported->added);
    QCOMPARE(imported->title, QStringLiteral("Tracker stow faults"));
    QCOMPARE(imported->path, path);
    QCOMPARE(text(db(), QStringLiteral("SELECT source FROM kb_documents WHERE id = ?"), {imported->documentId}),
             QStringLiteral("tracker-faults.md"));
    const QString content = text(db(), QStringLiteral("SELECT content FROM kb_documents WHERE id = ?"), {imported->documentId});
    QVERIFY2(content.startsWith(u"Intro line.") && !content.contains(u'\r') && !content.contains(u"author"), qPrintable(content));
    QCOMPARE(text(db(), QStringLiteral("SELECT imported_at FROM kb_documents WHERE id = ?"), {imported->documentId}).toLongLong(),
             m_tdb->clock()->nowMs());

    auto found = m_kb->search(QStringLiteral("om"), QStringLiteral("tracker stow wind"), 3);
    VERIFY_OK(found);
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->front().documentId, imported->documentId);
}

void TestKnowledgeBase::importsPlainText()
{
    const QString path = writeFile(QStringLiteral("Grid code notes.txt"),
                                   QByteArrayLiteral("\xEF\xBB\xBFReactive power capability at the point of connection.\n"
                                                     "Fault ride-through \xE2\x80\x94 keep connected during dips.\n"));
    auto imported = m_kb->importFile(QStringLiteral("digitalization"), path);
    VERIFY_OK(imported);
    QCOMPARE(imported->title, QStringLiteral("Grid code notes"));
    const QString content = text(db(), QStringLiteral("SELECT content FROM kb_documents WHERE id = ?"), {imported->documentId});
    QVERIFY2(content.startsWith(u"Reactive power") && content.contains(u"—"), qPrintable(content)); // BOM gone, UTF-8 kept
}

void TestKnowledgeBase::importsHtml()
{
    const QString path = writeFile(QStringLiteral("auction.html"), QByteArrayLiteral(R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Auction &amp; tender results</title>
<style>body { color: red; }</style><script>var secret = "tracking";</script></head>
<body><!-- hidden comment --><h1>Results</h1><p>The round was <b>oversubscribed</b>; prices in EUR&nbsp;/&nbsp;MWh.</p>
<ul><li>Solar: 5 bids</li><li>Wind: 3 bids</li></ul><p>Text about &lt;script&gt; tags &#8211; and &#x20AC;.</p></body></html>)"));
    auto imported = m_kb->importFile(QStringLiteral("market"), path);
    VERIFY_OK(imported);
    QCOMPARE(imported->title, QStringLiteral("Auction & tender results"));
    const QString content = text(db(), QStringLiteral("SELECT content FROM kb_documents WHERE id = ?"), {imported->documentId});
    QVERIFY2(content.contains(u"The round was oversubscribed; prices in EUR / MWh."), qPrintable(content));
    QVERIFY2(content.contains(u"- Solar: 5 bids\n- Wind: 3 bids"), qPrintable(content));
    QVERIFY2(content.contains(u"Text about <script> tags – and €."), qPrintable(content));
    for (const char *gone : {"color", "secret", "tracking", "hidden comment", "<p>", "charset"})
        QVERIFY2(!content.contains(QLatin1String(gone)), gone);

    auto found = m_kb->search(QStringLiteral("market"), QStringLiteral("oversubscribed"), 3);
    VERIFY_OK(found);
    QCOMPARE(found->size(), 1);
    auto notFound = m_kb->search(QStringLiteral("market"), QStringLiteral("tracking secret"), 3);
    VERIFY_OK(notFound);
    QVERIFY(notFound->isEmpty());
}

void TestKnowledgeBase::reimportIsIdempotent()
{
    const QByteArray body = QByteArrayLiteral("# Availability\n\nEnergy-based availability weights outages by irradiance.\n");
    const QString path = writeFile(QStringLiteral("availability.md"), body);
    auto first = m_kb->importFile(QStringLiteral("om"), path);
    VERIFY_OK(first);
    QVERIFY(first->added);
    m_tdb->clock()->advance(std::chrono::minutes(5));
    auto second = m_kb->importFile(QStringLiteral("om"), path);
    VERIFY_OK(second);
    QVERIFY(!second->added);
    QCOMPARE(second->documentId, first->documentId);
    // The same text under another name (or with Windows line ends) is the same document.
    auto copy = m_kb->importFile(QStringLiteral("om"), writeFile(QStringLiteral("copy.md"), QByteArray(body).replace("\n", "\r\n")));
    VERIFY_OK(copy);
    QVERIFY(!copy->added);
    QCOMPARE(*m_kb->documentCount(QStringLiteral("om")), 1);
    // The first import's time stands.
    QCOMPARE(m_kb->lastImport(QStringLiteral("om"))->value(), m_tdb->clock()->nowUtc().addSecs(-300));
    // Another agent may hold the same text.
    auto other = m_kb->importFile(QStringLiteral("digitalization"), path);
    VERIFY_OK(other);
    QVERIFY(other->added);
}

void TestKnowledgeBase::refusesBadFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes"); // nothing is written for a null array
    QTest::addColumn<heliodesk::ErrorCode>("code");
    QTest::addColumn<QString>("expected");

    QTest::newRow("missing") << QStringLiteral("missing.md") << QByteArray() << ErrorCode::NotFound << QStringLiteral("does not exist");
    QTest::newRow("other type") << QStringLiteral("report.pdf") << QByteArrayLiteral("%PDF-1.7") << ErrorCode::InvalidInput
                                << QStringLiteral("only Markdown");
    QTest::newRow("binary") << QStringLiteral("image.txt") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << ErrorCode::InvalidInput
                            << QStringLiteral("binary data");
    QTest::newRow("latin-1") << QStringLiteral("legacy.txt") << QByteArrayLiteral("Caf\xE9 and r\xE9sum\xE9 in Windows-1252.")
                             << ErrorCode::InvalidInput << QStringLiteral("not UTF-8");
    QTest::newRow("truncated UTF-8") << QStringLiteral("cut.md") << QByteArrayLiteral("# Title\n\nEnds inside a character \xE2\x82")
                                     << ErrorCode::InvalidInput << QStringLiteral("not UTF-8");
    QTest::newRow("empty") << QStringLiteral("empty.md") << QByteArrayLiteral("") << ErrorCode::InvalidInput << QStringLiteral("empty");
    QTest::newRow("whitespace") << QStringLiteral("blank.txt") << QByteArrayLiteral(" \n\t\r\n ") << ErrorCode::InvalidInput
                                << QStringLiteral("empty");
    QTest::newRow("only BOM") << QStringLiteral("bom.txt") << QByteArrayLiteral("\xEF\xBB\xBF\n") << ErrorCode::InvalidInput
                              << QStringLiteral("no text");
    QTest::newRow("HTML without text") << QStringLiteral("shell.html")
                                       << QByteArrayLiteral("<html><head><title>App</title><script>run()</script></head><body></body></html>")
                                       << ErrorCode::InvalidInput << QStringLiteral("no text");
    QTest::newRow("markdown front matter only") << QStringLiteral("meta.md") << QByteArrayLiteral("---\ntitle: x\n---\n")
                                                << ErrorCode::InvalidInput << QStringLiteral("no text");
}

void TestKnowledgeBase::refusesBadFiles()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(heliodesk::ErrorCode, code);
    QFETCH(QString, expected);

    const QString path = bytes.isNull() ? m_files.filePath(name) : writeFile(name, bytes);
    auto imported = m_kb->importFile(QStringLiteral("om"), path);
    QVERIFY(!imported.has_value());
    const QString problem = humanErrorProblem(imported.error(), code);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(imported.error().message().contains(name), qPrintable(imported.error().message()));
    QVERIFY2(imported.error().message().contains(expected), qPrintable(imported.error().message()));
    QCOMPARE(documentRows(), 0);
}

void TestKnowledgeBase::refusesUnknownAgent()
{
    const QString path = writeFile(QStringLiteral("note.md"), QByteArrayLiteral("# Note\n\nText."));
    auto imported = m_kb->importFile(QStringLiteral("weather"), path);
    QVERIFY(!imported.has_value());
    const QString problem = humanErrorProblem(imported.error(), ErrorCode::NotFound);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(imported.error().message().contains(u"weather"));

    // A folder is not a file.
    auto folder = m_kb->importFile(QStringLiteral("om"), m_files.path());
    QVERIFY(!folder.has_value());
    QVERIFY2(humanErrorProblem(folder.error(), ErrorCode::InvalidInput).isEmpty(), qPrintable(folder.error().toLogString()));
}

void TestKnowledgeBase::oneBadFileDoesNotStopTheOthers()
{
    const QStringList paths = {
        writeFile(QStringLiteral("a.md"), QByteArrayLiteral("# A\n\nFirst document.")),
        m_files.filePath(QStringLiteral("missing.txt")),
        writeFile(QStringLiteral("b.txt"), QByteArrayLiteral("Second document.")),
    };
    const QList<Result<ImportedDocument>> results = m_kb->importFiles(QStringLiteral("news"), paths);
    QCOMPARE(results.size(), 3);
    QVERIFY(results.at(0).has_value() && results.at(0)->added);
    QVERIFY(!results.at(1).has_value());
    QCOMPARE(results.at(1).error().code(), ErrorCode::NotFound);
    QVERIFY(results.at(2).has_value() && results.at(2)->added);
    QCOMPARE(*m_kb->documentCount(QStringLiteral("news")), 2);
}

void TestKnowledgeBase::htmlToText_data()
{
    QTest::addColumn<QString>("html");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("title");

    QTest::newRow("title and body") << QStringLiteral("<title> A  B </title><p>x</p>") << QStringLiteral("x") << QStringLiteral("A B");
    QTest::newRow("h1 when no title") << QStringLiteral("<h1>Head<br>line</h1><p>Body</p>") << QStringLiteral("Head\nline\n\nBody")
                                      << QStringLiteral("Head line");
    QTest::newRow("unclosed script") << QStringLiteral("<p>Keep</p><script>lost") << QStringLiteral("Keep") << QString();
    QTest::newRow("uppercase tags") << QStringLiteral("<P>One</P><SCRIPT>x()</SCRIPT><DIV>Two</DIV>") << QStringLiteral("One\n\nTwo")
                                    << QString();
    QTest::newRow("table") << QStringLiteral("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
                           << QStringLiteral("a b\nc") << QString();
    QTest::newRow("unknown entity stays") << QStringLiteral("<p>&bogus; &#0; &amp;lt;</p>") << QStringLiteral("&bogus; &#0; &lt;")
                                          << QString();
    QTest::newRow("head without end") << QStringLiteral("<html><head><title>T</title><body><p>Body text</p>")
                                      << QStringLiteral("Body text") << QStringLiteral("T");
}

void TestKnowledgeBase::htmlToText()
{
    QFETCH(QString, html);
    QFETCH(QString, text);
    QFETCH(QString, title);
    QString foundTitle;
    QCOMPARE(KnowledgeBase::htmlToText(html, &foundTitle), text);
    QCOMPARE(foundTitle, title);
}

void TestKnowledgeBase::markdownTitle_data()
{
    QTest::addColumn<QByteArray>("markdown");
    QTest::addColumn<QString>("title");

    QTest::newRow("ATX") << QByteArrayLiteral("# Inverter *faults* #\n\ntext") << QStringLiteral("Inverter faults");
    QTest::newRow("second level first") << QByteArrayLiteral("text\n\n### Deep\n\n# Top") << QStringLiteral("Deep");
    QTest::newRow("setext") << QByteArrayLiteral("Setext title\n============\n\ntext") << QStringLiteral("Setext title");
    QTest::newRow("front matter") << QByteArrayLiteral("---\ntitle: \"From front matter\"\n---\n# Heading\n") << QStringLiteral("From front matter");
    QTest::newRow("no heading") << QByteArrayLiteral("Just text.\n#hashtag is not a heading") << QStringLiteral("notes");
}

void TestKnowledgeBase::markdownTitle()
{
    QFETCH(QByteArray, markdown);
    QFETCH(QString, title);
    auto parsed = KnowledgeBase::parseDocument(markdown, DocumentFormat::Markdown, QStringLiteral("/tmp/notes.md"));
    VERIFY_OK(parsed);
    QCOMPARE(parsed->title, title);
}

QTEST_GUILESS_MAIN(TestKnowledgeBase)
#include "tst_knowledgebase.moc"
