// Plans: creation, limits, agents, renames, validation and audit.

#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "model/planservice.h"
#include "storage/auditstore.h"

#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

class TestPlanService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seededPlansAndAgents()
    {
        TestDatabase t;
        PlanService plans(t.database(), t.clock());
        auto agents = plans.listAgents();
        QVERIFY(agents);
        QStringList ids;
        for (const AgentRecord &a : std::as_const(*agents))
            ids << a.id;
        QCOMPARE(ids, (QStringList{QStringLiteral("news"), QStringLiteral("om"), QStringLiteral("market"), QStringLiteral("digitalization")}));
        auto list = plans.listPlans();
        QVERIFY(list);
        QCOMPARE(list->size(), 2);
        QCOMPARE(list->at(0).name, QStringLiteral("Standard"));
        QVERIFY(list->at(0).isDefault);
        QCOMPARE(list->at(0).monthlyLimit, std::optional<int>(300));
        QCOMPARE(list->at(0).agentIds.size(), 4);
        QVERIFY(!list->at(1).monthlyLimit);
    }

    void disabledAnalystCannotHireForThemselves()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord ana = t.createAnalyst(QStringLiteral("ana"));
        PlanService plans(t.database(), t.clock());
        VERIFY_OK(plans.hireAgents(Actor::user(ana), QStringLiteral("ana"), {QStringLiteral("news")}));
        UserChanges disable;
        disable.status = UserStatus::Disabled;
        VERIFY_OK(t.accounts().updateUser(root, QStringLiteral("ana"), disable));
        // The actor still names the account, as a window opened before the change would.
        auto hire = plans.hireAgents(Actor::user(ana), QStringLiteral("ana"), {QStringLiteral("om")});
        QVERIFY(!hire);
        QCOMPARE(hire.error().code(), ErrorCode::NotAllowed);
        QVERIFY(!plans.releaseAgents(Actor::user(ana), QStringLiteral("ana"), {QStringLiteral("news")}));
        // An administrator still can, for them.
        VERIFY_OK(plans.releaseAgents(root, QStringLiteral("ana"), {QStringLiteral("news")}));
    }

    void addAndUpdate()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        PlanService plans(t.database(), t.clock());
        auto trial = plans.addPlan(root, QStringLiteral("Trial"), 20, {QStringLiteral("news"), QStringLiteral(" om ")});
        VERIFY_OK(trial);
        QCOMPARE(trial->agentIds, (QStringList{QStringLiteral("news"), QStringLiteral("om")}));
        QCOMPARE(trial->monthlyLimit, std::optional<int>(20));

        QCOMPARE(plans.addPlan(root, QStringLiteral("Trial"), 5).error().code(), ErrorCode::Duplicate);
        QCOMPARE(plans.addPlan(root, QStringLiteral("  "), 5).error().code(), ErrorCode::InvalidInput);
        QCOMPARE(plans.addPlan(root, QStringLiteral("Neg"), -1).error().code(), ErrorCode::InvalidInput);
        auto badAgent = plans.addPlan(root, QStringLiteral("Odd"), 5, {QStringLiteral("weather")});
        QCOMPARE(badAgent.error().code(), ErrorCode::InvalidInput);
        QVERIFY(badAgent.error().message().contains(u"weather"));

        PlanChanges changes;
        changes.newName = QStringLiteral("Pilot");
        changes.monthlyLimit = std::optional<int>();
        changes.agentIds = QStringList{QStringLiteral("market")};
        auto pilot = plans.updatePlan(root, QStringLiteral("Trial"), changes);
        VERIFY_OK(pilot);
        QCOMPARE(pilot->name, QStringLiteral("Pilot"));
        QVERIFY(!pilot->monthlyLimit);
        QCOMPARE(pilot->agentIds, QStringList{QStringLiteral("market")});
        PlanChanges clash;
        clash.newName = QStringLiteral("Standard");
        QCOMPARE(plans.updatePlan(root, QStringLiteral("Pilot"), clash).error().code(), ErrorCode::Duplicate);
        QCOMPARE(plans.updatePlan(root, QStringLiteral("Gold"), changes).error().code(), ErrorCode::NotFound);

        auto audit = AuditStore::list(t.connection(), 10);
        QVERIFY(audit);
        QCOMPARE(audit->at(0).action, QStringLiteral("plan.update"));
        QCOMPARE(audit->at(0).targetName, QStringLiteral("Pilot"));
        QCOMPARE(audit->at(1).action, QStringLiteral("plan.create"));
    }
};

QTEST_GUILESS_MAIN(TestPlanService)
#include "tst_planservice.moc"
