// The agent catalogue: the compiled-in resource, validation of a catalogue file, and sync() with
// the agents table (which must never overwrite an admin's prompt).

#include "model/agents/agentcatalogue.h"
#include "resources/heliodeskresources.h"
#include "storage/sql.h"

#include "storage/storagetesthelpers.h"
#include "support/testdatabase.h"
#include "support/testprinters.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::TestDatabase;

namespace {

QJsonObject agentJson(const QString &id)
{
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), id.toUpper()},
        {QStringLiteral("description"), QStringLiteral("Test agent %1.").arg(id)},
        {QStringLiteral("icon"), QStringLiteral("icon.svg")},
        {QStringLiteral("knowledgeCollection"), id},
        {QStringLiteral("plans"), QJsonArray{QStringLiteral("Unlimited")}},
        {QStringLiteral("systemPrompt"), QStringLiteral("You are the %1 test agent.").arg(id)},
    };
}

QByteArray catalogueJson(const QJsonArray &agents)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("format"), 1}, {QStringLiteral("agents"), agents}}).toJson();
}

QString text(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto value = scalar(db, sql, values);
    return value ? value->toString() : QStringLiteral("<error: %1>").arg(value.error().toLogString());
}

int number(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto value = scalar(db, sql, values);
    return value ? value->toInt() : -1;
}

int wordCount(const QString &s)
{
    return int(s.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts).size());
}

} // namespace

class TestAgentCatalogue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resourceIsReadableFromTestBinary();
    void loadsTheFourAgents();
    void promptsAreSubstantial();
    void iconsAreDistinctSvgFiles();
    void invalidCatalogueIsRefused_data();
    void invalidCatalogueIsRefused();
    void missingCatalogueFileIsRefused();
    void syncFillsEmptyPrompts();
    void syncNeverOverwritesAnEditedPrompt();
    void syncUpdatesNameDescriptionAndOrder();
    void syncAddsMissingAgentsHireableByTheirPlans();
    void syncLeavesOtherAgentsAlone();

private:
    QTemporaryDir m_dir;
    QString writeCatalogue(const QByteArray &json, bool withIcon = true);
};

QString TestAgentCatalogue::writeCatalogue(const QByteArray &json, bool withIcon)
{
    if (withIcon)
        test::writeWholeFile(m_dir.filePath(QStringLiteral("icon.svg")),
                             QByteArrayLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"/>"));
    else
        QFile::remove(m_dir.filePath(QStringLiteral("icon.svg")));
    QString path = m_dir.filePath(QStringLiteral("catalogue.json"));
    test::writeWholeFile(path, json);
    return path;
}

void TestAgentCatalogue::resourceIsReadableFromTestBinary()
{
    // The resources live in a static library: this proves they are registered in a program that
    // links it, through initResources() alone.
    initResources();
    QFile file(AgentCatalogue::defaultPath());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    QVERIFY(file.readAll().contains("\"agents\""));
    QVERIFY(QFile::exists(QStringLiteral(":/knowledge/om/performance-ratio.md")));
}

void TestAgentCatalogue::loadsTheFourAgents()
{
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    QStringList ids;
    for (const AgentDefinition &agent : catalogue->agents())
        ids << agent.id;
    QCOMPARE(ids, (QStringList{QStringLiteral("news"), QStringLiteral("om"), QStringLiteral("market"), QStringLiteral("digitalization")}));

    for (const AgentDefinition &agent : catalogue->agents()) {
        QVERIFY2(!agent.name.isEmpty() && !agent.description.isEmpty(), qPrintable(agent.id));
        QCOMPARE(agent.knowledgeCollection, agent.id);
        QCOMPARE(agent.sortOrder, int(ids.indexOf(agent.id)) + 1);
        // "Standard" and "Unlimited" may hire every agent.
        QVERIFY2(agent.plans.contains(QStringLiteral("Standard")) && agent.plans.contains(QStringLiteral("Unlimited")),
                 qPrintable(agent.id));
        // Every agent has starter knowledge to answer from offline.
        QVERIFY2(QFile::exists(u":/knowledge/" + agent.knowledgeCollection), qPrintable(agent.id));
    }
    QCOMPARE(catalogue->find(QStringLiteral("om"))->name, QStringLiteral("O&M"));
    QVERIFY(!catalogue->find(QStringLiteral("weather")).has_value());
}

void TestAgentCatalogue::promptsAreSubstantial()
{
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    for (const AgentDefinition &agent : catalogue->agents()) {
        const int words = wordCount(agent.systemPrompt);
        QVERIFY2(words >= 120 && words <= 250, qPrintable(QStringLiteral("%1: %2 words").arg(agent.id).arg(words)));
        const QString prompt = agent.systemPrompt.toLower();
        for (const char *expected : {"cite", "uncertainty", "refuse", "unit", "date"})
            QVERIFY2(prompt.contains(QLatin1String(expected)), qPrintable(agent.id + u": no " + QLatin1String(expected)));
    }
}

void TestAgentCatalogue::iconsAreDistinctSvgFiles()
{
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    QSet<QByteArray> seen;
    for (const AgentDefinition &agent : catalogue->agents()) {
        QVERIFY2(agent.iconPath.startsWith(u":/agents/icons/"), qPrintable(agent.iconPath));
        QFile icon(agent.iconPath);
        QVERIFY2(icon.open(QIODevice::ReadOnly), qPrintable(agent.iconPath));
        const QByteArray svg = icon.readAll();
        QVERIFY2(svg.contains("<svg") && svg.contains("viewBox=\"0 0 24 24\""), qPrintable(agent.iconPath));
        QVERIFY2(!seen.contains(svg), qPrintable(agent.id + u" has the same icon as another agent"));
        seen.insert(svg);
    }
}

void TestAgentCatalogue::invalidCatalogueIsRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("withIcon");
    QTest::addColumn<QString>("expected"); // a part of the message

    const auto without = [](const QString &key) {
        QJsonObject agent = agentJson(QStringLiteral("solar"));
        agent.remove(key);
        return catalogueJson({agent});
    };
    const auto with = [](const QString &key, const QJsonValue &value) {
        QJsonObject agent = agentJson(QStringLiteral("solar"));
        agent.insert(key, value);
        return catalogueJson({agent});
    };

    QTest::newRow("not JSON") << QByteArrayLiteral("{\"agents\": [") << true << QStringLiteral("not valid JSON");
    QTest::newRow("a list") << QByteArrayLiteral("[]") << true << QStringLiteral("JSON object");
    QTest::newRow("no agents") << QByteArrayLiteral("{\"format\": 1}") << true << QStringLiteral("lists no agents");
    QTest::newRow("newer format") << QByteArrayLiteral("{\"format\": 2, \"agents\": [{}]}") << true << QStringLiteral("format 2");
    QTest::newRow("agent not an object") << catalogueJson({QStringLiteral("om")}) << true << QStringLiteral("agent 1");
    QTest::newRow("no id") << without(QStringLiteral("id")) << true << QStringLiteral("\"id\"");
    QTest::newRow("bad id") << with(QStringLiteral("id"), QStringLiteral("Solar Plants")) << true << QStringLiteral("\"id\"");
    QTest::newRow("duplicate id") << catalogueJson({agentJson(QStringLiteral("om")), agentJson(QStringLiteral("om"))}) << true
                                  << QStringLiteral("same id");
    QTest::newRow("no name") << without(QStringLiteral("name")) << true << QStringLiteral("\"name\"");
    QTest::newRow("blank description") << with(QStringLiteral("description"), QStringLiteral("  ")) << true
                                       << QStringLiteral("\"description\"");
    QTest::newRow("no prompt") << without(QStringLiteral("systemPrompt")) << true << QStringLiteral("\"systemPrompt\"");
    QTest::newRow("no collection") << without(QStringLiteral("knowledgeCollection")) << true
                                   << QStringLiteral("\"knowledgeCollection\"");
    QTest::newRow("no icon") << without(QStringLiteral("icon")) << true << QStringLiteral("\"icon\"");
    QTest::newRow("icon outside") << with(QStringLiteral("icon"), QStringLiteral("../icon.svg")) << true << QStringLiteral("\"icon\"");
    QTest::newRow("icon missing") << catalogueJson({agentJson(QStringLiteral("solar"))}) << false
                                  << QStringLiteral("icon that cannot be read");
    QTest::newRow("plans not a list") << with(QStringLiteral("plans"), QStringLiteral("Standard")) << true << QStringLiteral("\"plans\"");
    QTest::newRow("empty plan name") << with(QStringLiteral("plans"), QJsonArray{QStringLiteral("Standard"), 3}) << true
                                     << QStringLiteral("plan name");
}

void TestAgentCatalogue::invalidCatalogueIsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, withIcon);
    QFETCH(QString, expected);

    auto catalogue = AgentCatalogue::load(writeCatalogue(json, withIcon));
    QVERIFY(!catalogue.has_value());
    const QString problem = humanErrorProblem(catalogue.error(), ErrorCode::InvalidInput);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(catalogue.error().message().contains(expected), qPrintable(catalogue.error().message()));
    QVERIFY2(catalogue.error().message().contains(u"catalogue.json"), qPrintable(catalogue.error().message()));
}

void TestAgentCatalogue::missingCatalogueFileIsRefused()
{
    auto catalogue = AgentCatalogue::load(m_dir.filePath(QStringLiteral("nowhere.json")));
    QVERIFY(!catalogue.has_value());
    const QString problem = humanErrorProblem(catalogue.error(), ErrorCode::NotFound);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // A valid file next to its icon loads.
    auto valid = AgentCatalogue::load(writeCatalogue(catalogueJson({agentJson(QStringLiteral("solar"))})));
    VERIFY_OK(valid);
    QCOMPARE(valid->agents().size(), 1);
    QCOMPARE(valid->agents().front().iconPath, m_dir.filePath(QStringLiteral("icon.svg")));
}

void TestAgentCatalogue::syncFillsEmptyPrompts()
{
    TestDatabase tdb;
    QVERIFY2(tdb.isValid(), qPrintable(tdb.openError().toLogString()));
    const QSqlDatabase db = tdb.connection();
    QCOMPARE(number(db, QStringLiteral("SELECT count(*) FROM agents WHERE system_prompt = ''")), 4);

    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    auto report = catalogue->sync(db);
    VERIFY_OK(report);
    QCOMPARE(report->promptsFilled.size(), 4);
    QVERIFY(report->added.isEmpty());
    for (const AgentDefinition &agent : catalogue->agents())
        QCOMPARE(text(db, QStringLiteral("SELECT system_prompt FROM agents WHERE id = ?"), {agent.id}), agent.systemPrompt);

    // Nothing left to do the second time.
    auto again = catalogue->sync(db);
    VERIFY_OK(again);
    QVERIFY(again->added.isEmpty() && again->updated.isEmpty() && again->promptsFilled.isEmpty());
}

void TestAgentCatalogue::syncNeverOverwritesAnEditedPrompt()
{
    TestDatabase tdb;
    QVERIFY(tdb.isValid());
    const QSqlDatabase db = tdb.connection();
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    VERIFY_OK(catalogue->sync(db));

    const QString edited = QStringLiteral("You are our in-house O&M assistant. Always answer in German.");
    VERIFY_OK(execSql(db, QStringLiteral("UPDATE agents SET system_prompt = ? WHERE id = 'om'"), {edited}));
    // An admin also blanked the market prompt: that one is filled again.
    VERIFY_OK(execSql(db, QStringLiteral("UPDATE agents SET system_prompt = '  ' WHERE id = 'market'")));

    auto report = catalogue->sync(db);
    VERIFY_OK(report);
    QCOMPARE(text(db, QStringLiteral("SELECT system_prompt FROM agents WHERE id = 'om'")), edited);
    QCOMPARE(report->promptsFilled, QStringList{QStringLiteral("market")});
    QCOMPARE(text(db, QStringLiteral("SELECT system_prompt FROM agents WHERE id = 'market'")),
             catalogue->find(QStringLiteral("market"))->systemPrompt);
}

void TestAgentCatalogue::syncUpdatesNameDescriptionAndOrder()
{
    TestDatabase tdb;
    QVERIFY(tdb.isValid());
    const QSqlDatabase db = tdb.connection();
    VERIFY_OK(execSql(db, QStringLiteral("UPDATE agents SET name = 'Old news', description = 'old', sort_order = 9, "
                                         "enabled = 0, model = 'llama3.1' WHERE id = 'news'")));
    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    auto report = catalogue->sync(db);
    VERIFY_OK(report);
    QCOMPARE(report->updated, QStringList{QStringLiteral("news")});
    const AgentDefinition news = *catalogue->find(QStringLiteral("news"));
    QCOMPARE(text(db, QStringLiteral("SELECT name FROM agents WHERE id = 'news'")), news.name);
    QCOMPARE(text(db, QStringLiteral("SELECT description FROM agents WHERE id = 'news'")), news.description);
    QCOMPARE(number(db, QStringLiteral("SELECT sort_order FROM agents WHERE id = 'news'")), 1);
    // What an admin decides (enabled, model) is not the catalogue's business.
    QCOMPARE(number(db, QStringLiteral("SELECT enabled FROM agents WHERE id = 'news'")), 0);
    QCOMPARE(text(db, QStringLiteral("SELECT model FROM agents WHERE id = 'news'")), QStringLiteral("llama3.1"));
}

void TestAgentCatalogue::syncAddsMissingAgentsHireableByTheirPlans()
{
    TestDatabase tdb;
    QVERIFY(tdb.isValid());
    const QSqlDatabase db = tdb.connection();
    VERIFY_OK(execSql(db, QStringLiteral("DELETE FROM agents WHERE id = 'market'")));
    QCOMPARE(number(db, QStringLiteral("SELECT count(*) FROM plan_agents WHERE agent_id = 'market'")), 0);

    auto catalogue = AgentCatalogue::loadDefault();
    VERIFY_OK(catalogue);
    auto report = catalogue->sync(db);
    VERIFY_OK(report);
    QCOMPARE(report->added, QStringList{QStringLiteral("market")});
    QCOMPARE(number(db, QStringLiteral("SELECT sort_order FROM agents WHERE id = 'market'")), 3);
    QCOMPARE(text(db, QStringLiteral("SELECT p.name FROM plan_agents pa JOIN plans p ON p.id = pa.plan_id "
                                     "WHERE pa.agent_id = 'market' ORDER BY p.name LIMIT 1")),
             QStringLiteral("Standard"));
    QCOMPARE(number(db, QStringLiteral("SELECT count(*) FROM plan_agents WHERE agent_id = 'market'")), 2);

    // A catalogue naming a plan this database does not have still adds the agent.
    QJsonObject hydrogen = agentJson(QStringLiteral("hydrogen"));
    hydrogen.insert(QStringLiteral("plans"), QJsonArray{QStringLiteral("Unlimited"), QStringLiteral("Retired plan")});
    auto custom = AgentCatalogue::load(writeCatalogue(catalogueJson({hydrogen})));
    VERIFY_OK(custom);
    auto added = custom->sync(db);
    VERIFY_OK(added);
    QCOMPARE(added->added, QStringList{QStringLiteral("hydrogen")});
    QCOMPARE(number(db, QStringLiteral("SELECT count(*) FROM plan_agents WHERE agent_id = 'hydrogen'")), 1);
}

void TestAgentCatalogue::syncLeavesOtherAgentsAlone()
{
    TestDatabase tdb;
    QVERIFY(tdb.isValid());
    const QSqlDatabase db = tdb.connection();
    auto custom = AgentCatalogue::load(writeCatalogue(catalogueJson({agentJson(QStringLiteral("solar"))})));
    VERIFY_OK(custom);
    VERIFY_OK(custom->sync(db));
    // The product agents, not in this catalogue, keep their rows untouched.
    QCOMPARE(number(db, QStringLiteral("SELECT count(*) FROM agents")), 5);
    QCOMPARE(number(db, QStringLiteral("SELECT count(*) FROM agents WHERE system_prompt = ''")), 4);
    QCOMPARE(number(db, QStringLiteral("SELECT sort_order FROM agents WHERE id = 'solar'")), 1);
}

QTEST_GUILESS_MAIN(TestAgentCatalogue)
#include "tst_agentcatalogue.moc"
