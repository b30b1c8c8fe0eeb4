// A long-lived program (the app, an admin session) whose PostgreSQL connection is cut by the server:
// the action that meets the cut fails with ConnectionLost and a plain sentence, keeps nothing
// half-written, and the next action reconnects and succeeds. Runs as tst_connectionloss_pg; a
// SQLite file has no server connection to lose, so the SQLite run skips it.

#include "ctlprocess.h"
#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "storage/sql.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QSqlError>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <atomic>
#include <memory>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

template<typename T>
QString problemOf(const Result<T> &result)
{
    return result ? QString() : result.error().toLogString();
}

/// A connection of the test's own to the cluster, as a database administrator's would be; opened
/// in the calling thread and closed with the object.
class AdminConnection
{
public:
    AdminConnection()
        : m_name(QStringLiteral("tst_connectionloss admin %1").arg(quintptr(QThread::currentThreadId()), 0, 16))
    {
        auto location = DatabaseLocation::parse(postgresServerUrl());
        if (!location)
            qFatal("cluster URL: %s", qPrintable(location.error().toLogString()));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        db.setHostName(location->url().host());
        db.setPort(location->url().port(5432));
        db.setDatabaseName(location->url().path().mid(1));
        db.setUserName(location->url().userName());
        db.setConnectOptions(QStringLiteral("application_name=tst_connectionloss_admin"));
        if (!db.open())
            qFatal("admin connection: %s", qPrintable(db.lastError().text()));
    }
    ~AdminConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    AdminConnection(const AdminConnection &) = delete;
    AdminConnection &operator=(const AdminConnection &) = delete;

    [[nodiscard]] QSqlDatabase database() const { return QSqlDatabase::database(m_name, false); }

    /// Terminates the server processes serving `application` (those running a statement, when
    /// `onlyWhileSleeping`, inside pg_sleep); returns how many.
    int terminate(const QString &application, bool onlyWhileSleeping = false) const
    {
        const QString sql = QStringLiteral("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                           "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                           "AND application_name = CAST(? AS TEXT)%1) AS t")
                                .arg(onlyWhileSleeping ? QStringLiteral(" AND wait_event = 'PgSleep'") : QString());
        auto n = scalar(database(), sql, {application});
        if (!n)
            qFatal("terminate: %s", qPrintable(n.error().toLogString()));
        return n->toInt();
    }

private:
    QString m_name;
};

/// The test database's location with an application name of its own, so that only this test's
/// connections are cut (other suites may share the cluster).
DatabaseLocation namedLocation(const TestDatabase &t, const QString &application)
{
    QUrl url(t.locationText());
    QUrlQuery query(url);
    query.addQueryItem(QStringLiteral("application_name"), application);
    url.setQuery(query);
    auto parsed = DatabaseLocation::parse(url.toString(QUrl::FullyEncoded));
    if (!parsed)
        qFatal("location: %s", qPrintable(parsed.error().toLogString()));
    return *parsed;
}

/// The sentence a person sees: plain words, no driver jargon.
bool isPlainSentence(const QString &message)
{
    return message.endsWith(u'.') && !message.contains(QStringLiteral("QPSQL")) && !message.contains(QStringLiteral("PQ"))
        && !message.contains(QStringLiteral("57P01")) && !message.contains(QStringLiteral("FATAL"));
}

NewUser newUser(const QString &name, Role role = Role::Analyst)
{
    NewUser request;
    request.username = name;
    request.password = QStringLiteral("password for ") + name;
    request.role = role;
    return request;
}

qint64 countOf(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto n = scalar(db, sql, values);
    if (!n)
        qFatal("%s: %s", qPrintable(sql), qPrintable(n.error().toLogString()));
    return n->toLongLong();
}

} // namespace

class TestConnectionLoss : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void actionAfterTheCutFailsThenTheNextSucceeds();
    void cutInsideATransactionKeepsNothing();
    void cliSaysSoWhenTheServerIsGoneAndWorksWhenItIsBack();
};

void TestConnectionLoss::init()
{
    if (!onPostgres())
        QSKIP("A SQLite file has no server connection to lose; this runs as tst_connectionloss_pg on PostgreSQL.");
}

void TestConnectionLoss::actionAfterTheCutFailsThenTheNextSucceeds()
{
    TestDatabase t;
    QVERIFY2(t.isValid(), qPrintable(t.openError().toLogString()));
    const QString application = QStringLiteral("heliodesk-loss-%1").arg(QCoreApplication::applicationPid());
    auto database = Database::open(namedLocation(t, application));
    QVERIFY2(database, qPrintable(problemOf(database)));
    AccountService accounts(*database, t.clock(), PasswordHasher(quickHashParams()));
    auto root = accounts.createUser(Actor::anonymous(), newUser(QStringLiteral("root"), Role::Admin));
    QVERIFY2(root, qPrintable(problemOf(root)));
    const Actor admin = Actor::user(*root);

    // The server restarts, or an administrator ends the session: the connection is gone.
    AdminConnection server;
    QCOMPARE(server.terminate(application), 1);

    auto failed = accounts.listUsers(admin);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code(), ErrorCode::ConnectionLost);
    QVERIFY2(isPlainSentence(failed.error().message()), qPrintable(failed.error().message()));
    QVERIFY2(failed.error().message().contains(QStringLiteral("try again")), qPrintable(failed.error().message()));

    // The next action opens a new connection by itself.
    auto listed = accounts.listUsers(admin);
    QVERIFY2(listed, qPrintable(problemOf(listed)));
    QCOMPARE(listed->size(), 1);
    auto created = accounts.createUser(admin, newUser(QStringLiteral("ann")));
    QVERIFY2(created, qPrintable(problemOf(created)));

    // Cut again with a write as the next action: it fails, and writes nothing.
    QCOMPARE(server.terminate(application), 1);
    auto refused = accounts.createUser(admin, newUser(QStringLiteral("bob")));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code(), ErrorCode::ConnectionLost);
    QCOMPARE(countOf(t.connection(), QStringLiteral("SELECT count(*) FROM users WHERE username = 'bob'")), 0);
    auto retried = accounts.createUser(admin, newUser(QStringLiteral("bob")));
    QVERIFY2(retried, qPrintable(problemOf(retried)));
    QCOMPARE(countOf(t.connection(), QStringLiteral("SELECT count(*) FROM users")), 3);
}

void TestConnectionLoss::cutInsideATransactionKeepsNothing()
{
    TestDatabase t;
    QVERIFY2(t.isValid(), qPrintable(t.openError().toLogString()));
    const QString application = QStringLiteral("heliodesk-loss-txn-%1").arg(QCoreApplication::applicationPid());
    auto database = Database::open(namedLocation(t, application));
    QVERIFY2(database, qPrintable(problemOf(database)));
    AccountService accounts(*database, t.clock(), PasswordHasher(quickHashParams()));
    auto root = accounts.createUser(Actor::anonymous(), newUser(QStringLiteral("root"), Role::Admin));
    QVERIFY2(root, qPrintable(problemOf(root)));
    const Actor admin = Actor::user(*root);

    // Creating a user writes the user, then its audit entry, in one transaction. The audit entry
    // now takes a while, and the connection is cut in that moment: the user row is already written
    // inside the transaction.
    QVERIFY(execSql(t.connection(), QStringLiteral("CREATE FUNCTION slow_audit_fn() RETURNS trigger LANGUAGE plpgsql AS $$ "
                                                   "BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$")));
    QVERIFY(execSql(t.connection(), QStringLiteral("CREATE TRIGGER slow_audit BEFORE INSERT ON audit_log FOR EACH ROW "
                                                   "EXECUTE FUNCTION slow_audit_fn()")));
    std::atomic<int> terminated{0};
    std::unique_ptr<QThread> cutter(QThread::create([&terminated, application] {
        AdminConnection server;
        const QDeadlineTimer deadline(10'000);
        while (terminated == 0 && !deadline.hasExpired()) {
            terminated = server.terminate(application, true);
            if (terminated == 0)
                QThread::msleep(20);
        }
    }));
    cutter->start();
    QElapsedTimer timer;
    timer.start();
    auto failed = accounts.createUser(admin, newUser(QStringLiteral("ann")));
    const qint64 elapsed = timer.elapsed();
    QVERIFY(cutter->wait(15'000));
    QCOMPARE(terminated.load(), 1);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code(), ErrorCode::ConnectionLost);
    QVERIFY2(isPlainSentence(failed.error().message()), qPrintable(failed.error().message()));
    QVERIFY2(elapsed < 5'000, "the cut ended the statement, not the sleep");

    // Nothing half-written: neither the user nor its audit entry.
    QCOMPARE(countOf(t.connection(), QStringLiteral("SELECT count(*) FROM users WHERE username = 'ann'")), 0);
    QCOMPARE(countOf(t.connection(), QStringLiteral("SELECT count(*) FROM audit_log WHERE target_name = 'ann'")), 0);

    QVERIFY(execSql(t.connection(), QStringLiteral("DROP TRIGGER slow_audit ON audit_log")));
    auto retried = accounts.createUser(admin, newUser(QStringLiteral("ann")));
    QVERIFY2(retried, qPrintable(problemOf(retried)));
    QCOMPARE(countOf(t.connection(), QStringLiteral("SELECT count(*) FROM users WHERE username = 'ann'")), 1);
    QCOMPARE(countOf(t.connection(), QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'user.create' AND target_name = 'ann'")), 1);
}


void TestConnectionLoss::cliSaysSoWhenTheServerIsGoneAndWorksWhenItIsBack()
{
    // heliodeskctl connects anew on every run: a server that is not there gives one plain line
    // and the failure exit code, and the next run, with the server back, simply works.
    TestDatabase t;
    QVERIFY2(t.isValid(), qPrintable(t.openError().toLogString()));
    t.createAdmin();
    QTemporaryDir home;
    const QProcessEnvironment env = ctl::isolatedEnvironment(home.path(), ctl::Isolation::Database);

    QUrl gone(t.locationText());
    gone.setPort(gone.port(5432) + 1000); // nothing listens there
    QUrlQuery query(gone);
    query.addQueryItem(QStringLiteral("connect_timeout"), QStringLiteral("3"));
    gone.setQuery(query);
    const ctl::CtlRun refused = ctl::runCtl({QStringLiteral("--db"), gone.toString(QUrl::FullyEncoded), QStringLiteral("user"),
                                             QStringLiteral("list")},
                                            env);
    QVERIFY2(refused.exitedWith(ctl::Failure), qPrintable(refused.describe()));
    QVERIFY2(ctl::isOneErrorLine(refused.err), qPrintable(refused.describe()));
    QVERIFY2(refused.err.contains(u"cannot be reached"), qPrintable(refused.describe()));
    QVERIFY2(refused.out.isEmpty(), qPrintable(refused.describe()));

    const ctl::CtlRun listed = ctl::runCtl({QStringLiteral("--db"), t.locationText(), QStringLiteral("user"), QStringLiteral("list")}, env);
    QVERIFY2(listed.exitedWith(ctl::Success), qPrintable(listed.describe()));
    QVERIFY2(listed.out.contains(u"root"), qPrintable(listed.describe()));
}

QTEST_GUILESS_MAIN(TestConnectionLoss)
#include "tst_connectionloss.moc"
