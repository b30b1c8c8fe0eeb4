// The admin services behind the Plans and Agents tabs: deleting plans, changing agents, importing
// knowledge; each refused to an analyst, each audited, and a plan's new limit applied at the next query.

#include "support/testdatabase.h"

#include "model/admin/agentadminservice.h"
#include "model/planservice.h"
#include "model/quotaservice.h"
#include "storage/auditstore.h"
#include "storage/hiringstore.h"
#include "storage/planstore.h"
#include "storage/sql.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <functional>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

QString writeFile(const QString &folder, const QString &name, const QByteArray &bytes)
{
    QString path = folder + u'/' + name; // not const: returned by move
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("could not write %s", qPrintable(path));
    return path;
}

QList<AuditEntry> audit(const TestDatabase &t, const QString &action)
{
    return AuditStore::list(t.connection(), 100, action).value();
}

QJsonObject detailsOf(const AuditEntry &entry)
{
    return QJsonDocument::fromJson(entry.detailsJson.toUtf8()).object();
}

} // namespace

Q_DECLARE_METATYPE(heliodesk::ErrorCode)
Q_DECLARE_METATYPE(std::optional<QString>)

class TestPlanAgentServices : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void analystIsRefusedEveryCall_data()
    {
        QTest::addColumn<QString>("call");
        QTest::newRow("delete plan") << QStringLiteral("deletePlan");
        QTest::newRow("switch agent off") << QStringLiteral("disable");
        QTest::newRow("edit prompt") << QStringLiteral("prompt");
        QTest::newRow("edit model") << QStringLiteral("model");
        QTest::newRow("list agents") << QStringLiteral("listAgents");
        QTest::newRow("list documents") << QStringLiteral("documents");
        QTest::newRow("import documents") << QStringLiteral("import");
    }

    void analystIsRefusedEveryCall()
    {
        QFETCH(QString, call);
        TestDatabase t;
        const Actor root = t.createAdmin();
        PlanService plans(t.database(), t.clock());
        VERIFY_OK(plans.addPlan(root, QStringLiteral("Empty"), 5, {QStringLiteral("news")}));
        const Actor ana = Actor::user(t.createAnalyst(QStringLiteral("ana")));
        AgentAdminService agents(t.database(), t.clock());
        const QString file = writeFile(t.folder(), QStringLiteral("note.md"), "# Note\n\nInverters trip on overvoltage.\n");
        const int auditBefore = t.count(QStringLiteral("audit_log"));

        const std::map<QString, std::function<Error()>> calls = {
            {QStringLiteral("deletePlan"), [&] { return plans.deletePlan(ana, QStringLiteral("Empty")).error(); }},
            {QStringLiteral("disable"), [&] { return agents.updateAgent(ana, QStringLiteral("om"), AgentChanges{false, {}, {}}).error(); }},
            {QStringLiteral("prompt"),
             [&] { return agents.updateAgent(ana, QStringLiteral("om"), AgentChanges{{}, QStringLiteral("Be terse."), {}}).error(); }},
            {QStringLiteral("model"),
             [&] { return agents.updateAgent(ana, QStringLiteral("om"), AgentChanges{{}, {}, QStringLiteral("gpt-x")}).error(); }},
            {QStringLiteral("listAgents"), [&] { return agents.listAgents(ana).error(); }},
            {QStringLiteral("documents"), [&] { return agents.documents(ana, QStringLiteral("om")).error(); }},
            {QStringLiteral("import"), [&] { return agents.importDocuments(ana, QStringLiteral("om"), {file}).error(); }},
        };
        const Error error = calls.at(call)();
        QCOMPARE(error.code(), ErrorCode::NotAllowed);
        QVERIFY2(error.message().startsWith(u"Not allowed: "), qPrintable(error.message()));

        // Nothing changed and nothing was recorded.
        QCOMPARE(t.count(QStringLiteral("audit_log")), auditBefore);
        QCOMPARE(plans.listPlans().value().size(), 3);
        const auto om = AgentStore::find(t.connection(), QStringLiteral("om")).value();
        QVERIFY(om);
        QVERIFY(om->enabled);
        QCOMPARE(om->model, QString());
        QCOMPARE(scalar(t.connection(), QStringLiteral("SELECT count(*) FROM kb_documents")).value().toInt(), 0);
    }

    void deletePlanRefusedWhileUsersAreOnIt()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        PlanService plans(t.database(), t.clock());
        VERIFY_OK(plans.addPlan(root, QStringLiteral("Pilot"), 10, {QStringLiteral("om")}));
        t.createAnalyst(QStringLiteral("ana"), {}, QStringLiteral("Pilot"));

        auto refused = plans.deletePlan(root, QStringLiteral("Pilot"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code(), ErrorCode::InvalidInput);
        QCOMPARE(refused.error().message(),
                 QStringLiteral("The plan “Pilot” was not deleted: 1 user is on it. Move that user to another plan first."));
        t.createAnalyst(QStringLiteral("ben"), {}, QStringLiteral("Pilot"));
        QVERIFY(plans.deletePlan(root, QStringLiteral("Pilot")).error().message().contains(u"2 users are on it"));
        QVERIFY(audit(t, QStringLiteral("plan.delete")).isEmpty());
        QCOMPARE(plans.listPlans().value().size(), 3);

        VERIFY_OK(plans.deletePlan(root, QStringLiteral("Unlimited"))); // nobody is on it
        auto standard = plans.deletePlan(root, QStringLiteral("Standard")); // root is
        QVERIFY(!standard);
        QVERIFY2(standard.error().message().contains(u"1 user is on it"), qPrintable(standard.error().message()));
        QCOMPARE(plans.deletePlan(root, QStringLiteral("Nonesuch")).error().code(), ErrorCode::NotFound);
    }

    void defaultPlanIsNeverDeleted()
    {
        TestDatabase t;
        PlanService plans(t.database(), t.clock());
        // The system operator on a fresh database: nobody is on any plan yet.
        const Actor system = Actor::system(QStringLiteral("test"));
        auto refused = plans.deletePlan(system, QStringLiteral("Standard"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().message(),
                 QStringLiteral("The plan “Standard” was not deleted: it is the default plan that new users get."));
    }

    void deletePlanRemovesItAndAudits()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        PlanService plans(t.database(), t.clock());
        VERIFY_OK(plans.addPlan(root, QStringLiteral("Trial"), 20, {QStringLiteral("news"), QStringLiteral("om")}));
        const int planAgents = t.count(QStringLiteral("plan_agents"));
        VERIFY_OK(plans.deletePlan(root, QStringLiteral(" Trial ")));
        QCOMPARE(t.count(QStringLiteral("plan_agents")), planAgents - 2);
        QVERIFY(!PlanStore::findByName(t.connection(), QStringLiteral("Trial")).value());
        const auto entries = audit(t, QStringLiteral("plan.delete"));
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().actorName, QStringLiteral("root"));
        QCOMPARE(entries.first().targetName, QStringLiteral("Trial"));
        QCOMPARE(detailsOf(entries.first()).value(QStringLiteral("monthly_limit")).toInt(), 20);
    }

    void changedPlanLimitAppliesFromTheNextQuery()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        PlanService plans(t.database(), t.clock());
        VERIFY_OK(plans.addPlan(root, QStringLiteral("Pilot"), 5, {QStringLiteral("om")}));
        const UserRecord ana = t.createAnalyst(QStringLiteral("ana"), {}, QStringLiteral("Pilot"));
        QuotaService quotas(t.database(), t.clock());
        for (int i = 0; i < 2; ++i) {
            auto r = quotas.reserve(Actor::user(ana), QStringLiteral("om"));
            VERIFY_OK(r);
            QCOMPARE(r->limit, std::optional<int>(5));
        }

        PlanChanges lower;
        lower.monthlyLimit = std::optional<int>(2);
        VERIFY_OK(plans.updatePlan(root, QStringLiteral("Pilot"), lower));
        auto refused = quotas.reserve(Actor::user(ana), QStringLiteral("om"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code(), ErrorCode::QuotaExceeded);
        QVERIFY2(refused.error().message().startsWith(u"Query limit reached (2 of 2 this month)."), qPrintable(refused.error().message()));

        PlanChanges raise;
        raise.monthlyLimit = std::optional<int>(3);
        VERIFY_OK(plans.updatePlan(root, QStringLiteral("Pilot"), raise));
        auto third = quotas.reserve(Actor::user(ana), QStringLiteral("om"));
        VERIFY_OK(third);
        QCOMPARE(third->used, 3);
        QCOMPARE(third->limit, std::optional<int>(3));
        QCOMPARE(quotas.reserve(Actor::user(ana), QStringLiteral("om")).error().code(), ErrorCode::QuotaExceeded);

        PlanChanges unlimited;
        unlimited.monthlyLimit = std::optional<int>();
        VERIFY_OK(plans.updatePlan(root, QStringLiteral("Pilot"), unlimited));
        auto free = quotas.reserve(Actor::user(ana), QStringLiteral("om"));
        VERIFY_OK(free);
        QCOMPARE(free->limit, std::optional<int>());
    }

    void updateAgentWritesAndAudits()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        AgentAdminService agents(t.database(), t.clock());

        AgentChanges changes;
        changes.enabled = false;
        changes.systemPrompt = QStringLiteral("You answer about solar O&M.\nBe brief.");
        changes.model = QStringLiteral("  gpt-4o-mini  ");
        auto updated = agents.updateAgent(root, QStringLiteral("om"), changes);
        VERIFY_OK(updated);
        QVERIFY(!updated->enabled);
        QCOMPARE(updated->systemPrompt, *changes.systemPrompt);
        QCOMPARE(updated->model, QStringLiteral("gpt-4o-mini"));

        // What ChatService reads before a question sees the change at once.
        const UserRecord ana = t.createAnalyst(QStringLiteral("ana"));
        auto access = HiringStore::accessOf(t.connection(), ana.id, QStringLiteral("om"));
        VERIFY_OK(access);
        QVERIFY(!access->agentEnabled);
        QCOMPARE(access->model, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(access->systemPrompt, *changes.systemPrompt);

        auto entries = audit(t, QStringLiteral("agent.update"));
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().targetId, QStringLiteral("om"));
        QCOMPARE(entries.first().targetName, QStringLiteral("O&M"));
        const QJsonObject details = detailsOf(entries.first());
        QCOMPARE(details.value(QStringLiteral("enabled")).toObject().value(QStringLiteral("to")).toBool(true), false);
        QCOMPARE(details.value(QStringLiteral("model")).toObject().value(QStringLiteral("to")).toString(), QStringLiteral("gpt-4o-mini"));
        QVERIFY(details.contains(QStringLiteral("system_prompt")));

        // The same values again change nothing and record nothing.
        VERIFY_OK(agents.updateAgent(root, QStringLiteral("om"), changes));
        QCOMPARE(audit(t, QStringLiteral("agent.update")).size(), 1);

        // Switched back on: only that is recorded.
        VERIFY_OK(agents.updateAgent(root, QStringLiteral("om"), AgentChanges{true, {}, {}}));
        entries = audit(t, QStringLiteral("agent.update"));
        QCOMPARE(entries.size(), 2);
        QCOMPARE(detailsOf(entries.first()).keys(), QStringList{QStringLiteral("enabled")});
    }

    void updateAgentRefusesBadInput_data()
    {
        QTest::addColumn<QString>("agentId");
        QTest::addColumn<std::optional<QString>>("prompt");
        QTest::addColumn<std::optional<QString>>("model");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown agent") << QStringLiteral("weather") << std::optional<QString>() << std::optional<QString>(QStringLiteral("m"))
                                       << ErrorCode::NotFound << QStringLiteral("There is no agent “weather”");
        QTest::newRow("model on two lines") << QStringLiteral("om") << std::optional<QString>()
                                            << std::optional<QString>(QStringLiteral("gpt\nx")) << ErrorCode::InvalidInput
                                            << QStringLiteral("one line");
        QTest::newRow("model too long") << QStringLiteral("om") << std::optional<QString>()
                                        << std::optional<QString>(QString(AgentAdminService::MaxModelCharacters + 1, u'm'))
                                        << ErrorCode::InvalidInput << QStringLiteral("at most 200 characters");
        QTest::newRow("prompt too long") << QStringLiteral("om")
                                         << std::optional<QString>(QString(AgentAdminService::MaxPromptCharacters + 1, u'p'))
                                         << std::optional<QString>() << ErrorCode::InvalidInput << QStringLiteral("Shorten it");
    }

    void updateAgentRefusesBadInput()
    {
        QFETCH(QString, agentId);
        QFETCH(std::optional<QString>, prompt);
        QFETCH(std::optional<QString>, model);
        QFETCH(ErrorCode, code);
        QFETCH(QString, says);
        TestDatabase t;
        const Actor root = t.createAdmin();
        AgentAdminService agents(t.database(), t.clock());
        const int auditBefore = t.count(QStringLiteral("audit_log"));
        auto refused = agents.updateAgent(root, agentId, AgentChanges{false, prompt, model});
        QVERIFY(!refused);
        QCOMPARE(refused.error().code(), code);
        QVERIFY2(refused.error().message().contains(says), qPrintable(refused.error().message()));
        QCOMPARE(t.count(QStringLiteral("audit_log")), auditBefore);
        QVERIFY(AgentStore::find(t.connection(), QStringLiteral("om")).value()->enabled); // all or nothing
    }

    void importDocumentsReportsEachFile()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        AgentAdminService agents(t.database(), t.clock());
        const QString md = writeFile(t.folder(), QStringLiteral("inverters.md"), "# Inverter faults\n\nOvervoltage trips the inverter.\n");
        const QString txt = writeFile(t.folder(), QStringLiteral("soiling.txt"), "Soiling losses rise in dry months.\n");
        const QString pdf = writeFile(t.folder(), QStringLiteral("report.pdf"), "%PDF-1.4");
        const QString missing = t.folder() + u"/gone.md";

        auto report = agents.importDocuments(root, QStringLiteral("om"), {md, pdf, txt, missing});
        VERIFY_OK(report);
        QCOMPARE(report->imported.size(), 2);
        QCOMPARE(report->added(), 2);
        QCOMPARE(report->imported.at(0).title, QStringLiteral("Inverter faults"));
        QCOMPARE(report->imported.at(1).title, QStringLiteral("soiling"));
        QCOMPARE(report->problems.size(), 2);
        QVERIFY2(report->problems.at(0).contains(u"report.pdf"), qPrintable(report->problems.at(0)));
        QVERIFY2(report->problems.at(1).contains(u"gone.md"), qPrintable(report->problems.at(1)));

        auto documents = agents.documents(root, QStringLiteral("om"));
        VERIFY_OK(documents);
        QCOMPARE(documents->size(), 2);
        QStringList sources;
        for (const auto &d : std::as_const(*documents)) {
            sources << d.source;
            QCOMPARE(d.importedAtMs, t.clock()->nowMs());
        }
        sources.sort();
        QCOMPARE(sources, (QStringList{QStringLiteral("inverters.md"), QStringLiteral("soiling.txt")}));
        QCOMPARE(agents.documents(root, QStringLiteral("news")).value().size(), 0);

        auto entries = audit(t, QStringLiteral("agent.import"));
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().targetId, QStringLiteral("om"));
        QCOMPARE(detailsOf(entries.first()).value(QStringLiteral("not_imported")).toInt(), 2);

        // The same text again adds nothing.
        auto again = agents.importDocuments(root, QStringLiteral("om"), {md});
        VERIFY_OK(again);
        QCOMPARE(again->imported.size(), 1);
        QCOMPARE(again->added(), 0);
        QCOMPARE(agents.documents(root, QStringLiteral("om")).value().size(), 2);

        // Only unreadable files: nothing written, nothing audited, each file named.
        auto none = agents.importDocuments(root, QStringLiteral("om"), {pdf});
        VERIFY_OK(none);
        QVERIFY(none->imported.isEmpty());
        QCOMPARE(none->problems.size(), 1);
        QCOMPARE(audit(t, QStringLiteral("agent.import")).size(), 2);

        QCOMPARE(agents.importDocuments(root, QStringLiteral("weather"), {md}).error().code(), ErrorCode::NotFound);
        QCOMPARE(agents.importDocuments(root, QStringLiteral("om"), {}).error().code(), ErrorCode::InvalidInput);
    }
};

QTEST_GUILESS_MAIN(TestPlanAgentServices)
#include "tst_planagentservices.moc"
