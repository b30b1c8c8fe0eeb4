// Quotas: the atomic reservation, limits from plans and overrides, rollover, outcomes, reconciliation.

#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "model/planservice.h"
#include "model/quotaservice.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

int ledgerRows(const QSqlDatabase &db, qint64 userId, const QString &period)
{
    return scalar(db, QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ? AND period = ?"), {userId, period})
        .value()
        .toInt();
}

UserRecord reload(const TestDatabase &t, const QString &name)
{
    return *UserStore::findByName(t.connection(), name).value();
}

} // namespace

class TestQuotaService : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void reserveCountsAndWritesLedgerRow()
    {
        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 3);
        QuotaService quotas(t.database(), t.clock());
        QCOMPARE(quotas.currentPeriod(), QStringLiteral("2026-11"));
        for (int i = 1; i <= 3; ++i) {
            auto r = quotas.reserve(Actor::user(bob), QStringLiteral("om"));
            VERIFY_OK(r);
            QCOMPARE(r->used, i);
            QCOMPARE(r->limit, std::optional<int>(3));
            QCOMPARE(r->period, QStringLiteral("2026-11"));
            QVERIFY(r->usageEventId > 0);
        }
        QCOMPARE(reload(t, QStringLiteral("bob")).usedIn(QStringLiteral("2026-11")), 3);
        QCOMPARE(ledgerRows(t.connection(), bob.id, QStringLiteral("2026-11")), 3);
    }

    void limitReachedIsCleanAndWritesNothing()
    {
        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 2);
        QuotaService quotas(t.database(), t.clock());
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("news")));
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("news")));
        for (int i = 0; i < 3; ++i) {
            auto refused = quotas.reserve(Actor::user(bob), QStringLiteral("news"));
            QVERIFY(!refused);
            QCOMPARE(refused.error().code(), ErrorCode::QuotaExceeded);
            QVERIFY2(refused.error().message().startsWith(u"Query limit reached (2 of 2 this month)."),
                     qPrintable(refused.error().message()));
        }
        QCOMPARE(reload(t, QStringLiteral("bob")).quotaUsed, 2);
        QCOMPARE(ledgerRows(t.connection(), bob.id, QStringLiteral("2026-11")), 2);
    }

    void zeroLimitRefusesAtOnce()
    {
        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 0);
        QuotaService quotas(t.database(), t.clock());
        auto refused = quotas.reserve(Actor::user(bob), QStringLiteral("news"));
        QCOMPARE(refused.error().code(), ErrorCode::QuotaExceeded);
        QVERIFY(refused.error().message().contains(u"(0 of 0 this month)"));
    }

    void monthRollsOverInsideTheAtomicStep()
    {
        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 2);
        QuotaService quotas(t.database(), t.clock());
        t.clock()->set(QDateTime(QDate(2026, 11, 30), QTime(23, 59, 59, 999), Qt::UTC));
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
        QCOMPARE(quotas.reserve(Actor::user(bob), QStringLiteral("om")).error().code(), ErrorCode::QuotaExceeded);

        t.clock()->advance(1ms); // 2026-12-01T00:00:00Z
        QCOMPARE(quotas.currentPeriod(), QStringLiteral("2026-12"));
        auto december = quotas.reserve(Actor::user(bob), QStringLiteral("om"));
        VERIFY_OK(december);
        QCOMPARE(december->used, 1);
        QCOMPARE(december->period, QStringLiteral("2026-12"));
        const UserRecord after = reload(t, QStringLiteral("bob"));
        QCOMPARE(after.quotaPeriod, QStringLiteral("2026-12"));
        QCOMPARE(after.quotaUsed, 1);
        QCOMPARE(after.usedIn(QStringLiteral("2026-11")), 0);
        // November's ledger is history and stays as it was.
        QCOMPARE(ledgerRows(t.connection(), bob.id, QStringLiteral("2026-11")), 2);
        QCOMPARE(ledgerRows(t.connection(), bob.id, QStringLiteral("2026-12")), 1);

        // A year boundary rolls over the same way.
        t.clock()->set(QDateTime(QDate(2027, 1, 1), QTime(0, 0), Qt::UTC));
        QCOMPARE(quotas.reserve(Actor::user(bob), QStringLiteral("om"))->used, 1);
    }

    void unlimitedPlanAndOverrides()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord unlimited = t.createAnalyst(QStringLiteral("una"), std::nullopt, QStringLiteral("Unlimited"));
        const UserRecord capped = t.createAnalyst(QStringLiteral("cap"), 2, QStringLiteral("Unlimited"));
        QuotaService quotas(t.database(), t.clock());
        for (int i = 0; i < 60; ++i) {
            auto r = quotas.reserve(Actor::user(unlimited), QStringLiteral("market"));
            VERIFY_OK(r);
            QVERIFY(!r->limit);
        }
        QCOMPARE(reload(t, QStringLiteral("una")).quotaUsed, 60);

        // A per-user limit wins over an unlimited plan…
        QVERIFY(quotas.reserve(Actor::user(capped), QStringLiteral("market")));
        QVERIFY(quotas.reserve(Actor::user(capped), QStringLiteral("market")));
        QCOMPARE(quotas.reserve(Actor::user(capped), QStringLiteral("market")).error().code(), ErrorCode::QuotaExceeded);
        // …an unlimited override wins over a limited plan…
        UserChanges toUnlimited;
        toUnlimited.quotaMode = QuotaMode::Unlimited;
        toUnlimited.planName = QStringLiteral("Standard");
        QVERIFY(t.accounts().updateUser(root, QStringLiteral("cap"), toUnlimited));
        QVERIFY(quotas.reserve(Actor::user(capped), QStringLiteral("market")));
        // …and going back to the plan's limit applies from the next query on.
        PlanService plans(t.database(), t.clock());
        QVERIFY(plans.updatePlan(root, QStringLiteral("Standard"), PlanChanges{{}, std::optional<int>(3), {}}));
        UserChanges toPlan;
        toPlan.quotaMode = QuotaMode::Plan;
        QVERIFY(t.accounts().updateUser(root, QStringLiteral("cap"), toPlan));
        auto refused = quotas.reserve(Actor::user(capped), QStringLiteral("market"));
        QCOMPARE(refused.error().code(), ErrorCode::QuotaExceeded);
        QVERIFY(refused.error().message().contains(u"(3 of 3 this month)"));
        QVERIFY(plans.updatePlan(root, QStringLiteral("Standard"), PlanChanges{{}, std::optional<int>(4), {}}));
        QVERIFY(quotas.reserve(Actor::user(capped), QStringLiteral("market")));
    }

    void disabledUserIsNotCounted()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 10);
        UserChanges disable;
        disable.status = UserStatus::Disabled;
        QVERIFY(t.accounts().updateUser(root, QStringLiteral("bob"), disable));
        QuotaService quotas(t.database(), t.clock());
        auto r = quotas.reserve(Actor::user(bob), QStringLiteral("news"));
        QCOMPARE(r.error().code(), ErrorCode::AccountDisabled);
        QCOMPARE(reload(t, QStringLiteral("bob")).quotaUsed, 0);
        QCOMPARE(t.count(QStringLiteral("usage_events")), 0);
        QCOMPARE(quotas.reserve(Actor::system(QStringLiteral("ops")), QStringLiteral("news")).error().code(), ErrorCode::NotAllowed);
        QCOMPARE(quotas.reserve(Actor::anonymous(), QStringLiteral("news")).error().code(), ErrorCode::NotAllowed);
    }

    void outcomesAreRecordedAndFailedAnswersStillCount()
    {
        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 3);
        QuotaService quotas(t.database(), t.clock());
        auto a = quotas.reserve(Actor::user(bob), QStringLiteral("om"));
        auto b = quotas.reserve(Actor::user(bob), QStringLiteral("om"));
        auto c = quotas.reserve(Actor::user(bob), QStringLiteral("news"));
        QVERIFY(a && b && c);
        QVERIFY(quotas.recordOutcome(a->usageEventId, UsageOutcome::Complete));
        QVERIFY(quotas.recordOutcome(b->usageEventId, UsageOutcome::Failed, QStringLiteral("HTTP 503 from the model server")));
        QVERIFY(quotas.recordOutcome(c->usageEventId, UsageOutcome::Cancelled));
        // An outcome is written once; a late second one does not rewrite history.
        QVERIFY(quotas.recordOutcome(b->usageEventId, UsageOutcome::Complete));
        QCOMPARE(quotas.recordOutcome(999999, UsageOutcome::Complete).error().code(), ErrorCode::NotFound);
        QCOMPARE(quotas.recordOutcome(a->usageEventId, UsageOutcome::Reserved).error().code(), ErrorCode::InvalidInput);

        QCOMPARE(reload(t, QStringLiteral("bob")).quotaUsed, 3);
        QCOMPARE(quotas.reserve(Actor::user(bob), QStringLiteral("om")).error().code(), ErrorCode::QuotaExceeded);

        auto usage = quotas.usage(Actor::user(bob));
        QVERIFY(usage);
        QCOMPARE(usage->size(), 2);
        const UsageRow &news = usage->at(0);
        const UsageRow &om = usage->at(1);
        QCOMPARE(news.agentId, QStringLiteral("news"));
        QCOMPARE(news.cancelled, 1);
        QCOMPARE(om.agentId, QStringLiteral("om"));
        QCOMPARE(om.complete, 1);
        QCOMPARE(om.failed, 1);
        QCOMPARE(om.total(), 2);
        const QString error = scalar(t.connection(), QStringLiteral("SELECT error FROM usage_events WHERE id = ?"), {b->usageEventId})
                                  .value()
                                  .toString();
        QCOMPARE(error, QStringLiteral("HTTP 503 from the model server"));
    }

    void counterAndLedgerCommitTogether()
    {
        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 5);
        QuotaService quotas(t.database(), t.clock());
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
        // The ledger insert fails after the counter was incremented: the whole step must roll back.
        installFailingTrigger(t.connection(), QStringLiteral("refuse_ledger"), QStringLiteral("usage_events"),
                              QStringLiteral("INSERT"), QStringLiteral("injected ledger failure"));
        auto failed = quotas.reserve(Actor::user(bob), QStringLiteral("om"));
        QVERIFY(!failed);
        QCOMPARE(failed.error().code(), ErrorCode::ConstraintViolated);
        QCOMPARE(reload(t, QStringLiteral("bob")).quotaUsed, 1);
        QCOMPARE(ledgerRows(t.connection(), bob.id, QStringLiteral("2026-11")), 1);
        dropFailingTrigger(t.connection(), QStringLiteral("refuse_ledger"), QStringLiteral("usage_events"));
        QCOMPARE(quotas.reserve(Actor::user(bob), QStringLiteral("om"))->used, 2);
    }

    void busyDatabaseCountsNothing()
    {
        DatabaseOptions options;
        options.busyTimeout = 150ms;
        TestDatabase t(options);
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 5);
        const QString holder = QStringLiteral("lock-holder");
        {
            // Another program holds the lock the step needs: SQLite's write lock on the file, or on
            // PostgreSQL the row lock on bob's counter.
            QSqlDatabase other;
            if (onPostgres()) {
                const DatabaseLocation location = t.location();
                other = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), holder);
                other.setHostName(location.url().host());
                other.setPort(location.url().port(5432));
                other.setDatabaseName(location.url().path().mid(1));
                other.setUserName(location.url().userName());
                other.setConnectOptions(location.postgresConnectOptions());
                QVERIFY(other.open());
                QVERIFY(execSql(other, QStringLiteral("BEGIN")));
                QVERIFY(execSql(other, QStringLiteral("UPDATE users SET display_name = display_name WHERE id = ?"), {bob.id}));
            } else {
                other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), holder);
                other.setDatabaseName(t.path());
                QVERIFY(other.open());
                QVERIFY(execSql(other, QStringLiteral("BEGIN IMMEDIATE")));
            }
            QuotaService quotas(t.database(), t.clock());
            auto busy = quotas.reserve(Actor::user(bob), QStringLiteral("om"));
            QVERIFY(!busy);
            QCOMPARE(busy.error().code(), ErrorCode::DatabaseBusy);
            QVERIFY(busy.error().message().contains(u"busy"));
            QVERIFY(execSql(other, QStringLiteral("ROLLBACK")));
            other.close();
        }
        QSqlDatabase::removeDatabase(holder);
        QCOMPARE(reload(t, QStringLiteral("bob")).quotaUsed, 0);
        QCOMPARE(t.count(QStringLiteral("usage_events")), 0);
        QuotaService quotas(t.database(), t.clock());
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
    }

    void reconciliationFindsMismatches()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 10);
        const UserRecord carl = t.createAnalyst(QStringLiteral("carl"), 10);
        QuotaService quotas(t.database(), t.clock());
        for (int i = 0; i < 4; ++i)
            QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
        QVERIFY(quotas.reserve(Actor::user(carl), QStringLiteral("news")));
        auto rows = quotas.reconcile(root);
        QVERIFY(rows);
        QCOMPARE(rows->size(), 3);
        for (const ReconciliationRow &row : std::as_const(*rows))
            QVERIFY2(row.matches(), qPrintable(row.username));

        QVERIFY(execSql(t.connection(), QStringLiteral("UPDATE users SET quota_used = quota_used + 2 WHERE username = 'carl'")));
        rows = quotas.reconcile(root);
        QVERIFY(rows);
        int mismatches = 0;
        for (const ReconciliationRow &row : std::as_const(*rows)) {
            if (!row.matches()) {
                ++mismatches;
                QCOMPARE(row.username, QStringLiteral("carl"));
                QCOMPARE(row.counter, 3);
                QCOMPARE(row.ledger, 1);
            }
        }
        QCOMPARE(mismatches, 1);

        // Last month's counter is not this month's: after rollover both sides read zero.
        t.clock()->set(QDateTime(QDate(2026, 12, 2), QTime(9, 0), Qt::UTC));
        rows = quotas.reconcile(root);
        QVERIFY(rows);
        for (const ReconciliationRow &row : std::as_const(*rows)) {
            QCOMPARE(row.counter, 0);
            QCOMPARE(row.ledger, 0);
        }
    }

    void reconciliationCountsRecordedResets()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), 10);
        QuotaService quotas(t.database(), t.clock());
        AccountService accounts(t.database(), t.clock());
        for (int i = 0; i < 4; ++i)
            QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
        auto before = accounts.resetMonthCount(root, QStringLiteral("bob"), QStringLiteral("Counted a demo by mistake"));
        QVERIFY(before);
        QCOMPARE(*before, 4);
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));

        const auto bobRow = [&]() -> ReconciliationRow {
            auto rows = quotas.reconcile(root);
            if (!rows)
                return {};
            for (const ReconciliationRow &row : std::as_const(*rows))
                if (row.username == u"bob")
                    return row;
            return {};
        };
        // Counter 1 (after the reset) + 4 taken off by the recorded reset = 5 ledger rows.
        ReconciliationRow row = bobRow();
        QCOMPARE(row.counter, 1);
        QCOMPARE(row.reset, 4);
        QCOMPARE(row.ledger, 5);
        QVERIFY(row.matches());

        // A second reset adds up with the first.
        QVERIFY(accounts.resetMonthCount(root, QStringLiteral("bob"), QStringLiteral("Again")));
        row = bobRow();
        QCOMPARE(row.counter, 0);
        QCOMPARE(row.reset, 5);
        QVERIFY(row.matches());

        // A counter changed outside the service is still a mismatch, reset or not.
        QVERIFY(execSql(t.connection(), QStringLiteral("UPDATE users SET quota_used = quota_used + 1 WHERE username = 'bob'")));
        QVERIFY(!bobRow().matches());

        // Resets of last month do not count in this one.
        t.clock()->set(QDateTime(QDate(2026, 12, 2), QTime(9, 0), Qt::UTC));
        QVERIFY(quotas.reserve(Actor::user(bob), QStringLiteral("om")));
        row = bobRow();
        QCOMPARE(row.reset, 0);
        QCOMPARE(row.counter, 1);
        QCOMPARE(row.ledger, 1);
        QVERIFY(row.matches());
    }
};

QTEST_GUILESS_MAIN(TestQuotaService)
#include "tst_quotaservice.moc"
