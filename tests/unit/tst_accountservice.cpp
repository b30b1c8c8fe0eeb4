// Accounts: the first admin, sign-in with lockout, passwords, role checks in the service, audit.

#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "model/planservice.h"
#include "model/quotaservice.h"
#include "storage/auditstore.h"
#include "storage/userstore.h"

#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {
NewUser newUser(const QString &name, Role role = Role::Analyst, const QString &password = QStringLiteral("a fine password"))
{
    NewUser request;
    request.username = name;
    request.password = password;
    request.role = role;
    return request;
}
} // namespace

class TestAccountService : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void firstAccountIsAdmin()
    {
        TestDatabase t;
        auto accounts = t.accounts();
        QCOMPARE(accounts.hasUsers().value(), false);
        auto first = accounts.createUser(Actor::anonymous(), newUser(QStringLiteral("Ann.Lee"), Role::Analyst));
        VERIFY_OK(first);
        QCOMPARE(nameOf(first->role), nameOf(Role::Admin));
        QCOMPARE(first->username, QStringLiteral("ann.lee"));
        QCOMPARE(first->displayName, QStringLiteral("Ann.Lee"));
        QCOMPARE(first->planName, QStringLiteral("Standard"));
        QCOMPARE(accounts.hasUsers().value(), true);

        // After that, nobody signed in may create accounts…
        auto second = accounts.createUser(Actor::anonymous(), newUser(QStringLiteral("eve")));
        QVERIFY(!second);
        QCOMPARE(second.error().code(), ErrorCode::NotAllowed);
        // …and the second account keeps the role it was given.
        auto analyst = accounts.createUser(Actor::user(*first), newUser(QStringLiteral("bob")));
        QVERIFY(analyst);
        QCOMPARE(nameOf(analyst->role), nameOf(Role::Analyst));
        QCOMPARE(t.count(QStringLiteral("users")), 2);
    }

    void analystCannotCreateAccounts()
    {
        TestDatabase t;
        t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
        auto made = t.accounts().createUser(Actor::user(bob), newUser(QStringLiteral("mallory"), Role::Admin));
        QVERIFY(!made);
        QCOMPARE(made.error().code(), ErrorCode::NotAllowed);
        QVERIFY(made.error().message().contains(u"Not allowed"));
        QCOMPARE(t.count(QStringLiteral("users")), 2);
    }

    void duplicateAndInvalidNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("password");
        QTest::addColumn<int>("code");
        QTest::newRow("duplicate, other case") << QStringLiteral(" ROOT ") << QStringLiteral("a fine password") << int(ErrorCode::Duplicate);
        QTest::newRow("empty") << QStringLiteral("   ") << QStringLiteral("a fine password") << int(ErrorCode::InvalidInput);
        QTest::newRow("space inside") << QStringLiteral("ann lee") << QStringLiteral("a fine password") << int(ErrorCode::InvalidInput);
        QTest::newRow("quote") << QStringLiteral("ann'--") << QStringLiteral("a fine password") << int(ErrorCode::InvalidInput);
        QTest::newRow("too long") << QString(65, u'a') << QStringLiteral("a fine password") << int(ErrorCode::InvalidInput);
        QTest::newRow("short password") << QStringLiteral("carl") << QStringLiteral("short") << int(ErrorCode::InvalidInput);
    }

    void duplicateAndInvalidNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, password);
        QFETCH(int, code);
        TestDatabase t;
        const Actor admin = t.createAdmin(QStringLiteral("root"));
        auto made = t.accounts().createUser(admin, newUser(name, Role::Analyst, password));
        QVERIFY(!made);
        QCOMPARE(int(made.error().code()), code);
        QVERIFY(!made.error().message().isEmpty());
        QCOMPARE(t.count(QStringLiteral("users")), 1);
    }

    void signInRightAndWrong()
    {
        TestDatabase t;
        t.createAdmin();
        t.createAnalyst(QStringLiteral("bob"));
        auto accounts = t.accounts();
        auto ok = accounts.signIn(QStringLiteral(" Bob "), QStringLiteral("analyst password"));
        VERIFY_OK(ok);
        QCOMPARE(ok->lastSignInAtMs, std::optional<qint64>(t.clock()->nowMs()));

        auto wrong = accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst passw0rd"));
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code(), ErrorCode::WrongCredentials);
        QCOMPARE(wrong.error().message(), QStringLiteral("Wrong username or password."));

        // An unknown user gets exactly the same answer, so names cannot be probed.
        auto unknown = accounts.signIn(QStringLiteral("nobody"), QStringLiteral("analyst password"));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code(), ErrorCode::WrongCredentials);
        QCOMPARE(unknown.error().message(), wrong.error().message());
    }

    void lockoutAfterRepeatedFailuresAndExpiry()
    {
        TestDatabase t;
        t.createAdmin();
        t.createAnalyst(QStringLiteral("bob"));
        auto accounts = t.accounts();
        for (int i = 1; i <= 4; ++i) {
            auto r = accounts.signIn(QStringLiteral("bob"), QStringLiteral("guess number %1").arg(i));
            QCOMPARE(r.error().code(), ErrorCode::WrongCredentials);
        }
        auto fifth = accounts.signIn(QStringLiteral("bob"), QStringLiteral("guess number 5"));
        QCOMPARE(fifth.error().code(), ErrorCode::LockedOut);
        QVERIFY2(fifth.error().message().contains(u"15 more minute"), qPrintable(fifth.error().message()));

        // While locked even the right password is refused.
        auto right = accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst password"));
        QCOMPARE(right.error().code(), ErrorCode::LockedOut);

        t.clock()->advance(14min);
        QCOMPARE(accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst password")).error().code(), ErrorCode::LockedOut);
        t.clock()->advance(61s);
        auto afterExpiry = accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst password"));
        VERIFY_OK(afterExpiry);
        QCOMPARE(afterExpiry->failedSignIns, 0);
        QVERIFY(!afterExpiry->lockedUntilMs);

        // After the lock expired, a fresh run of failures is needed to lock again.
        QCOMPARE(accounts.signIn(QStringLiteral("bob"), QStringLiteral("wrong again")).error().code(), ErrorCode::WrongCredentials);
    }

    void disabledUserCannotSignIn()
    {
        TestDatabase t;
        const Actor admin = t.createAdmin();
        t.createAnalyst(QStringLiteral("bob"));
        auto accounts = t.accounts();
        UserChanges disable;
        disable.status = UserStatus::Disabled;
        QVERIFY(accounts.updateUser(admin, QStringLiteral("bob"), disable));
        auto r = accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst password"));
        QCOMPARE(r.error().code(), ErrorCode::AccountDisabled);
        // A wrong password does not reveal that the account exists and is disabled.
        QCOMPARE(accounts.signIn(QStringLiteral("bob"), QStringLiteral("bad password")).error().code(), ErrorCode::WrongCredentials);
        UserChanges enable;
        enable.status = UserStatus::Active;
        QVERIFY(accounts.updateUser(admin, QStringLiteral("bob"), enable));
        QVERIFY(accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst password")));
    }

    void signInUpgradesOldHashes()
    {
        TestDatabase t;
        t.createAdmin();
        t.createAnalyst(QStringLiteral("bob"));
        const QString before = UserStore::findByName(t.connection(), QStringLiteral("bob")).value()->passwordHash;
        QVERIFY(before.contains(u"m=64,t=1"));
        AccountService strong(t.database(), t.clock(), PasswordHasher(PasswordHasher::owaspParams()));
        QVERIFY(strong.signIn(QStringLiteral("bob"), QStringLiteral("analyst password")));
        const QString after = UserStore::findByName(t.connection(), QStringLiteral("bob")).value()->passwordHash;
        QVERIFY2(after.startsWith(u"$argon2id$v=19$m=19456,t=2,p=1$"), qPrintable(after));
        QVERIFY(strong.signIn(QStringLiteral("bob"), QStringLiteral("analyst password")));
    }

    void changeAndResetPassword()
    {
        TestDatabase t;
        const Actor admin = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
        auto accounts = t.accounts();

        auto wrongCurrent = accounts.changePassword(Actor::user(bob), QStringLiteral("not it at all"), QStringLiteral("new password 1"));
        QCOMPARE(wrongCurrent.error().code(), ErrorCode::WrongCredentials);
        QCOMPARE(accounts.changePassword(Actor::user(bob), QStringLiteral("analyst password"), QStringLiteral("short")).error().code(),
                 ErrorCode::InvalidInput);
        QVERIFY(accounts.changePassword(Actor::user(bob), QStringLiteral("analyst password"), QStringLiteral("new password 1")));
        QVERIFY(!accounts.signIn(QStringLiteral("bob"), QStringLiteral("analyst password")));
        QVERIFY(accounts.signIn(QStringLiteral("bob"), QStringLiteral("new password 1")));

        // Lock bob out, then an admin's reset lifts the lock.
        for (int i = 0; i < 5; ++i)
            (void)accounts.signIn(QStringLiteral("bob"), QStringLiteral("guessing wrong"));
        QCOMPARE(accounts.signIn(QStringLiteral("bob"), QStringLiteral("new password 1")).error().code(), ErrorCode::LockedOut);
        QCOMPARE(accounts.resetPassword(Actor::user(bob), QStringLiteral("bob"), QStringLiteral("self service")).error().code(),
                 ErrorCode::NotAllowed);
        QVERIFY(accounts.resetPassword(admin, QStringLiteral("bob"), QStringLiteral("reset by admin")));
        QVERIFY(accounts.signIn(QStringLiteral("bob"), QStringLiteral("reset by admin")));
        QCOMPARE(accounts.resetPassword(admin, QStringLiteral("nobody"), QStringLiteral("reset by admin")).error().code(),
                 ErrorCode::NotFound);

        auto audit = AuditStore::list(t.connection(), 10);
        QVERIFY(audit);
        QStringList actions;
        for (const AuditEntry &e : std::as_const(*audit))
            actions << e.action;
        QVERIFY(actions.contains(u"user.password-change"));
        QVERIFY(actions.contains(u"user.password-reset"));
    }

    void analystIsRefusedEveryAdminOperation()
    {
        TestDatabase t;
        t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob")));
        t.createAnalyst(QStringLiteral("carl"));
        auto accounts = t.accounts();
        PlanService plans(t.database(), t.clock());
        QuotaService quotas(t.database(), t.clock());
        const auto refused = [](const auto &result) { return !result && result.error().code() == ErrorCode::NotAllowed; };

        QVERIFY(refused(accounts.listUsers(bob)));
        QVERIFY(refused(accounts.findUser(bob, QStringLiteral("carl"))));
        QVERIFY(accounts.findUser(bob, QStringLiteral("bob"))); // oneself is fine
        UserChanges promote;
        promote.role = Role::Admin;
        QVERIFY(refused(accounts.updateUser(bob, QStringLiteral("bob"), promote)));
        QVERIFY(refused(accounts.previewDeletion(bob, QStringLiteral("carl"))));
        QVERIFY(refused(accounts.deleteUser(bob, QStringLiteral("carl"))));
        QVERIFY(refused(accounts.resetPassword(bob, QStringLiteral("carl"), QStringLiteral("hijacked!!"))));
        QVERIFY(refused(plans.addPlan(bob, QStringLiteral("Free for me"), std::nullopt)));
        QVERIFY(refused(plans.updatePlan(bob, QStringLiteral("Standard"), PlanChanges{{}, std::optional<int>(), {}})));
        QVERIFY(refused(quotas.reconcile(bob)));
        QVERIFY(refused(quotas.usage(bob, QStringLiteral("carl"))));
        QVERIFY(quotas.usage(bob)); // one's own usage is fine
        QCOMPARE(t.count(QStringLiteral("users")), 3);
        QCOMPARE(nameOf(UserStore::findByName(t.connection(), QStringLiteral("bob")).value()->role), nameOf(Role::Analyst));
    }

    void demotedAdminLosesRightsAtOnce()
    {
        TestDatabase t;
        const Actor root = t.createAdmin(QStringLiteral("root"));
        NewUser second = newUser(QStringLiteral("second"), Role::Admin);
        auto made = t.accounts().createUser(root, second);
        QVERIFY(made);
        const Actor staleSecond = Actor::user(*made); // still says admin
        UserChanges demote;
        demote.role = Role::Analyst;
        QVERIFY(t.accounts().updateUser(root, QStringLiteral("second"), demote));
        QCOMPARE(t.accounts().listUsers(staleSecond).error().code(), ErrorCode::NotAllowed);
    }

    void lastActiveAdminIsProtected()
    {
        TestDatabase t;
        const Actor root = t.createAdmin(QStringLiteral("root"));
        auto accounts = t.accounts();
        UserChanges demote;
        demote.role = Role::Analyst;
        auto r = accounts.updateUser(Actor::system(QStringLiteral("ops")), QStringLiteral("root"), demote);
        QCOMPARE(r.error().code(), ErrorCode::NotAllowed);
        QVERIFY(r.error().message().contains(u"last active administrator"));
        UserChanges disable;
        disable.status = UserStatus::Disabled;
        QCOMPARE(accounts.updateUser(Actor::system(QStringLiteral("ops")), QStringLiteral("root"), disable).error().code(),
                 ErrorCode::NotAllowed);
        // With a second admin, root may be demoted, but not disable themselves.
        QVERIFY(accounts.createUser(root, newUser(QStringLiteral("second"), Role::Admin)));
        QCOMPARE(accounts.updateUser(root, QStringLiteral("root"), disable).error().code(), ErrorCode::NotAllowed);
        auto demoted = accounts.updateUser(root, QStringLiteral("root"), demote);
        QVERIFY(demoted);
        QCOMPARE(nameOf(demoted->role), nameOf(Role::Analyst));
    }

    void updateChangesPlanQuotaAndAudits()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        t.createAnalyst(QStringLiteral("bob"));
        auto accounts = t.accounts();
        UserChanges changes;
        changes.planName = QStringLiteral("Unlimited");
        auto updated = accounts.updateUser(root, QStringLiteral("bob"), changes);
        QVERIFY(updated);
        QCOMPARE(updated->planName, QStringLiteral("Unlimited"));
        QVERIFY(!updated->effectiveLimit);

        UserChanges own;
        own.quotaMode = QuotaMode::Limit;
        own.quotaLimit = 7;
        updated = accounts.updateUser(root, QStringLiteral("bob"), own);
        QVERIFY(updated);
        QCOMPARE(updated->effectiveLimit, std::optional<int>(7));

        UserChanges badPlan;
        badPlan.planName = QStringLiteral("Gold");
        QCOMPARE(accounts.updateUser(root, QStringLiteral("bob"), badPlan).error().code(), ErrorCode::NotFound);
        UserChanges noLimit;
        noLimit.quotaMode = QuotaMode::Limit;
        QCOMPARE(accounts.updateUser(root, QStringLiteral("bob"), noLimit).error().code(), ErrorCode::InvalidInput);

        auto audit = AuditStore::list(t.connection(), 10, QStringLiteral("user.update"));
        QVERIFY(audit);
        QCOMPARE(audit->size(), 2);
        QCOMPARE(audit->first().targetName, QStringLiteral("bob"));
        QCOMPARE(audit->first().actorName, QStringLiteral("root"));
        QVERIFY(audit->first().detailsJson.contains(u"limit 7"));
    }
};

QTEST_GUILESS_MAIN(TestAccountService)
#include "tst_accountservice.moc"
