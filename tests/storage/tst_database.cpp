// Opening the database: files, pragmas, one connection per thread, and every way opening or
// writing can fail without losing what is already stored.

#include "storage/database.h"
#include "storage/maintenance.h"
#include "storage/migrations.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include "storagetesthelpers.h"
#include "support/testdatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <array>
#include <memory>
#include <optional>

using namespace heliodesk;
using namespace std::chrono_literals;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::onPostgres;
using heliodesk::test::RawConnection;
using heliodesk::test::TestDatabase;

namespace {

Result<void> insertAuditRow(const QSqlDatabase &db, const QString &action, const QString &details = QStringLiteral("{}"))
{
    auto done = execSql(db, QStringLiteral("INSERT INTO audit_log (created_at, actor_name, action, details) VALUES (0, 'test', ?, ?)"),
                        {action, details});
    if (!done)
        return Unexpected(done.error());
    return {};
}

int auditRows(const QSqlDatabase &db)
{
    auto n = scalar(db, QStringLiteral("SELECT count(*) FROM audit_log"));
    return n ? n->toInt() : -1;
}

/// The test cluster's URL with its database or user replaced, for servers that refuse the open.
QString clusterUrlWith(const QString &user, const QString &database)
{
    QUrl url(test::postgresServerUrl());
    if (!user.isEmpty())
        url.setUserName(user);
    if (!database.isEmpty())
        url.setPath(u'/' + database);
    return url.toString(QUrl::FullyEncoded);
}

/// A tmpfs mounted for one test and unmounted when it ends, whatever the outcome.
class TmpfsMount
{
public:
    TmpfsMount(const QString &folder, const QString &size)
        : m_folder(folder)
    {
        QProcess mount;
        mount.start(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                              u"size=" + size, QStringLiteral("tmpfs"), folder});
        m_mounted = mount.waitForFinished(10000) && mount.exitStatus() == QProcess::NormalExit && mount.exitCode() == 0;
        if (!m_mounted)
            m_error = QString::fromLocal8Bit(mount.readAllStandardError()).trimmed() + mount.errorString();
    }
    ~TmpfsMount()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), {m_folder});
    }
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    [[nodiscard]] bool isMounted() const { return m_mounted; }
    [[nodiscard]] const QString &error() const { return m_error; }
    bool resize(const QString &size)
    {
        return QProcess::execute(QStringLiteral("mount"), {QStringLiteral("-o"), u"remount,size=" + size, m_folder}) == 0;
    }

private:
    QString m_folder;
    QString m_error;
    bool m_mounted = false;
};

} // namespace

class TestDatabaseOpen : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void openCreatesFileAndFolder();
    void postgresOpenMigratesAnEmptyDatabase();
    void pragmasApplied_data();
    void pragmasApplied();
    void postgresSettingsApplied();
    void foreignKeysEnforced();
    void postgresServerNotThere();
    void postgresUnknownDatabaseOrUser_data();
    void postgresUnknownDatabaseOrUser();
    void oneConnectionPerThread();
    void sameThreadReusesConnection();
    void twoDatabasesOnOneFileHaveTheirOwnConnections();
    void threadOutlivingDatabaseClosesItsConnection();
    void threadOutlivingDatabaseGetsTheNewDatabase();

    void notADatabase_data();
    void notADatabase();
    void databaseTooNew_data();
    void databaseTooNew();
    void databaseBusy();
    void postgresRowLockBeyondBusyTimeout();
    void postgresConnectionLost_data();
    void postgresConnectionLost();
    void readOnly_data();
    void readOnly();
    void readOnlyMissingFileIsNotCreated();
    void diskFullByPageLimit();
    void diskFullRealFilesystem();

private:
    int m_baseline = 0;
};

void TestDatabaseOpen::initTestCase()
{
    m_baseline = Database::openConnectionCount();
    QCOMPARE(m_baseline, 0);
}

void TestDatabaseOpen::cleanup()
{
    // Every test closes what it opened, however it ended.
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

void TestDatabaseOpen::openCreatesFileAndFolder()
{
    HELIODESK_SQLITE_ONLY("creates a SQLite file and its folder");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = dir.filePath(QStringLiteral("nested/deeper"));
    const QString path = folder + QStringLiteral("/heliodesk.sqlite3");
    QVERIFY(!QFileInfo::exists(folder));

    {
        auto opened = Database::open(DatabaseLocation::sqliteFile(path));
        QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
        QVERIFY(QFileInfo(folder).isDir());
        QVERIFY(QFileInfo(path).isFile());
        QCOMPARE(Database::openConnectionCount(), m_baseline + 1);

        auto db = (*opened)->connection();
        QVERIFY(db.has_value());
        QCOMPARE(db->databaseName(), path);
        auto version = schemaVersion(*db);
        QVERIFY(version.has_value());
        QCOMPARE(*version, latestSchemaVersion());
        QCOMPARE((*opened)->dialect(), Database::Dialect::Sqlite);
        QCOMPARE((*opened)->location().sqlitePath(), path);
    }
    QCOMPARE(Database::openConnectionCount(), m_baseline);

    // The file is a real SQLite database that another program can read.
    RawConnection raw(path);
    QVERIFY2(raw.isOpen(), qPrintable(raw.lastError()));
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM agents")).toInt(), 4);
}

void TestDatabaseOpen::postgresOpenMigratesAnEmptyDatabase()
{
    if (!onPostgres())
        QSKIP("PostgreSQL only: an empty schema on the server (openCreatesFileAndFolder is SQLite's file)");
    TestDatabase testDb; // an empty schema of its own, selected by the URL's search_path
    QVERIFY2(testDb.isValid(), qPrintable(testDb.openError().toLogString()));
    QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
    QCOMPARE(testDb.database()->dialect(), Database::Dialect::PostgreSql);
    QCOMPARE(testDb.database()->location().engine(), DatabaseLocation::Engine::PostgreSql);
    auto version = schemaVersion(testDb.connection());
    QVERIFY(version.has_value());
    QCOMPARE(*version, latestSchemaVersion());

    // Another program on the same server and schema reads what the migrations made.
    RawConnection raw(testDb.location());
    QVERIFY2(raw.isOpen(), qPrintable(raw.lastError()));
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM agents")).toInt(), 4);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(), latestSchemaVersion());
    // The connection is the schema's: its tables are not made in the server's public schema.
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                                      "AND table_name = 'agents'"))
                 .toInt(),
             0);

    testDb.close();
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

void TestDatabaseOpen::pragmasApplied_data()
{
    QTest::addColumn<QString>("pragma");
    QTest::addColumn<QString>("expected");

    QTest::newRow("foreign keys") << QStringLiteral("foreign_keys") << QStringLiteral("1");
    QTest::newRow("WAL journal") << QStringLiteral("journal_mode") << QStringLiteral("wal");
    QTest::newRow("synchronous NORMAL") << QStringLiteral("synchronous") << QStringLiteral("1");
    QTest::newRow("busy timeout") << QStringLiteral("busy_timeout") << QStringLiteral("1234");
}

void TestDatabaseOpen::pragmasApplied()
{
    HELIODESK_SQLITE_ONLY("SQLite's pragmas (postgresSettingsApplied checks the server's settings)");
    QFETCH(QString, pragma);
    QFETCH(QString, expected);

    DatabaseOptions options;
    options.busyTimeout = 1234ms;
    TestDatabase testDb(options);
    QVERIFY2(testDb.isValid(), qPrintable(testDb.openError().toLogString()));

    // On the opening thread's connection and on one opened later in another thread.
    auto value = scalar(testDb.connection(), u"PRAGMA " + pragma);
    QVERIFY(value.has_value());
    QCOMPARE(value->toString(), expected);

    QString inThread;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        auto db = testDb.database()->connection();
        if (!db)
            return;
        auto v = scalar(*db, u"PRAGMA " + pragma);
        inThread = v ? v->toString() : v.error().toLogString();
    }));
    thread->start();
    QVERIFY(thread->wait(30000));
    QCOMPARE(inThread, expected);
}

void TestDatabaseOpen::postgresSettingsApplied()
{
    if (!onPostgres())
        QSKIP("PostgreSQL only: the session settings of a QPSQL connection (pragmasApplied checks SQLite's)");
    DatabaseOptions options;
    options.busyTimeout = 1234ms;
    TestDatabase testDb(options);
    QVERIFY2(testDb.isValid(), qPrintable(testDb.openError().toLogString()));

    // The URL's own options (a search_path) replace the defaults, so the settings are made after the
    // open; they hold on the opening thread's connection and on one opened later in another thread.
    const auto settings = [](const QSqlDatabase &db) {
        QStringList values;
        for (const QString &name : {QStringLiteral("lock_timeout"), QStringLiteral("client_min_messages"),
                                    QStringLiteral("default_transaction_read_only")}) {
            auto value = scalar(db, u"SHOW " + name);
            values << (value ? value->toString() : value.error().toLogString());
        }
        return values;
    };
    const QStringList expected = {QStringLiteral("1234ms"), QStringLiteral("warning"), QStringLiteral("off")};
    QCOMPARE(settings(testDb.connection()), expected);
    QStringList inThread;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        auto db = testDb.database()->connection();
        inThread = db ? settings(*db) : QStringList{db.error().toLogString()};
    }));
    thread->start();
    QVERIFY(thread->wait(30000));
    QCOMPARE(inThread, expected);

    // A read-only Database gets read-only transactions.
    DatabaseOptions readOnlyOptions;
    readOnlyOptions.readOnly = true;
    auto readOnly = testDb.openAnother(readOnlyOptions);
    QVERIFY2(readOnly.has_value(), qPrintable(readOnly ? QString() : readOnly.error().toLogString()));
    QCOMPARE(scalar(*(*readOnly)->connection(), QStringLiteral("SHOW default_transaction_read_only"))->toString(),
             QStringLiteral("on"));
}

void TestDatabaseOpen::foreignKeysEnforced()
{
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    auto inserted = execSql(testDb.connection(),
                            QStringLiteral("INSERT INTO conversations (user_id, agent_id, created_at, updated_at) VALUES (4242, 'news', 0, 0)"));
    QVERIFY(!inserted.has_value());
    const QString problem = humanErrorProblem(inserted.error(), ErrorCode::ConstraintViolated);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(testDb.count(QStringLiteral("conversations")), 0);
}

void TestDatabaseOpen::postgresServerNotThere()
{
    // Port 1 on the loopback: nothing listens there, on either engine's run.
    auto location = DatabaseLocation::parse(QStringLiteral("postgresql://ann:pw@127.0.0.1:1/heliodesk"));
    QVERIFY(location.has_value());
    auto opened = Database::open(*location);
    QVERIFY(!opened.has_value());
    const QString problem = humanErrorProblem(opened.error(), ErrorCode::CannotOpen);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!opened.error().toLogString().contains(u"pw@"));
    QVERIFY2(opened.error().message().contains(u"cannot be reached"), qPrintable(opened.error().message()));
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

void TestDatabaseOpen::postgresUnknownDatabaseOrUser_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("database");
    QTest::newRow("unknown database") << QString() << QStringLiteral("no_such_heliodesk_db");
    QTest::newRow("unknown user") << QStringLiteral("no_such_heliodesk_user") << QString();
}

void TestDatabaseOpen::postgresUnknownDatabaseOrUser()
{
    QFETCH(QString, user);
    QFETCH(QString, database);
    if (!onPostgres())
        QSKIP("PostgreSQL only: needs a running server that refuses the database or user");
    // The test cluster trusts every local connection, so a wrong password cannot be told from a right
    // one there; a database or a user the server does not have is refused all the same.
    QString url = clusterUrlWith(user, database);
    QUrl withPassword(url);
    withPassword.setPassword(QStringLiteral("s3cret-pw"));
    auto location = DatabaseLocation::parse(withPassword.toString(QUrl::FullyEncoded));
    QVERIFY2(location.has_value(), qPrintable(location ? QString() : location.error().toLogString()));
    auto opened = Database::open(*location);
    QVERIFY(!opened.has_value());
    const QString problem = humanErrorProblem(opened.error(), ErrorCode::CannotOpen);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(opened.error().message().contains(u"no database or user"), qPrintable(opened.error().message()));
    QVERIFY2(!opened.error().toLogString().contains(u"s3cret-pw"), qPrintable(opened.error().toLogString()));
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

void TestDatabaseOpen::oneConnectionPerThread()
{
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    const QString mainName = testDb.connection().connectionName();
    QCOMPARE(Database::openConnectionCount(), m_baseline + 1);

    constexpr int threadCount = 3;
    std::array<QString, threadCount> names;
    std::array<QString, threadCount> errors;
    std::array<int, threadCount> agentCounts{};
    QSemaphore ready;
    QSemaphore release;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back(QThread::create([&, i] {
            {
                auto db = testDb.database()->connection();
                if (!db) {
                    errors[i] = db.error().toLogString();
                } else {
                    names[i] = db->connectionName();
                    // A second call in the same thread hands out the same connection.
                    auto again = testDb.database()->connection();
                    if (!again || again->connectionName() != names[i])
                        errors[i] = QStringLiteral("second connection() in the thread gave another connection");
                    auto agents = scalar(*db, QStringLiteral("SELECT count(*) FROM agents"));
                    agentCounts[i] = agents ? agents->toInt() : -1;
                }
            }
            ready.release();
            // Stay alive, connection open, until the main thread has counted.
            release.tryAcquire(1, 30000);
        }));
        threads.back()->start();
    }

    const bool allReady = ready.tryAcquire(threadCount, 30000);
    const int whileAlive = Database::openConnectionCount();
    release.release(threadCount);
    for (auto &thread : threads)
        QVERIFY(thread->wait(30000));
    QVERIFY(allReady);

    for (int i = 0; i < threadCount; ++i) {
        QVERIFY2(errors[i].isEmpty(), qPrintable(errors[i]));
        QVERIFY(names[i].startsWith(u"heliodesk:"));
        QVERIFY(names[i] != mainName);
        QCOMPARE(agentCounts[i], 4);
    }
    const QSet<QString> distinct(names.cbegin(), names.cend());
    QCOMPARE(distinct.size(), threadCount);

    QCOMPARE(whileAlive, m_baseline + 1 + threadCount);
    // Each thread's connection closed when the thread ended; the main thread's stays.
    QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
    QVERIFY(!QSqlDatabase::contains(names[0]));
    QVERIFY(QSqlDatabase::contains(mainName));

    testDb.close();
    QCOMPARE(Database::openConnectionCount(), m_baseline);
    QVERIFY(!QSqlDatabase::contains(mainName));
}

void TestDatabaseOpen::sameThreadReusesConnection()
{
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    const auto database = testDb.database();

    QString firstName;
    {
        auto first = database->connection();
        auto second = database->connection();
        QVERIFY(first.has_value() && second.has_value());
        QCOMPARE(first->connectionName(), second->connectionName());
        firstName = first->connectionName();
        QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
        // The same session, not merely the same name: a temp table made on one is seen on the other.
        QVERIFY(execSql(*first, QStringLiteral("CREATE TEMP TABLE scratch (x INTEGER)")).has_value());
        QVERIFY(execSql(*second, QStringLiteral("SELECT x FROM scratch")).has_value());
    }

    database->closeThreadConnection();
    QCOMPARE(Database::openConnectionCount(), m_baseline);
    QVERIFY(!QSqlDatabase::contains(firstName));

    {
        auto reopened = database->connection();
        QVERIFY(reopened.has_value());
        QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
        // A fresh session: the temp table went with the old connection, the pragmas came back.
        QVERIFY(!execSql(*reopened, QStringLiteral("SELECT x FROM scratch")).has_value());
        if (database->dialect() == Database::Dialect::PostgreSql)
            QCOMPARE(scalar(*reopened, QStringLiteral("SHOW lock_timeout"))->toString(), QStringLiteral("5s"));
        else
            QCOMPARE(scalar(*reopened, QStringLiteral("PRAGMA foreign_keys"))->toInt(), 1);
    }
}

void TestDatabaseOpen::twoDatabasesOnOneFileHaveTheirOwnConnections()
{
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    auto other = testDb.openAnother();
    QVERIFY(other.has_value());
    QVERIFY(testDb.connection().connectionName() != (*other)->connection()->connectionName());
    QCOMPARE(Database::openConnectionCount(), m_baseline + 2);

    // A change through one is visible through the other once committed.
    QVERIFY(insertAuditRow(testDb.connection(), QStringLiteral("shared")).has_value());
    QCOMPARE(auditRows(*(*other)->connection()), 1);
    other->reset();
    QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
    QCOMPARE(auditRows(testDb.connection()), 1);
}

void TestDatabaseOpen::threadOutlivingDatabaseClosesItsConnection()
{
    // A pool thread that used a Database keeps running after the Database is gone.
    auto testDb = std::make_unique<TestDatabase>();
    QVERIFY(testDb->isValid());
    std::shared_ptr<Database> database = testDb->database();
    QSemaphore used;
    QSemaphore finish;
    QString error;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        {
            auto db = database->connection();
            if (!db)
                error = db.error().toLogString();
        }
        used.release();
        finish.tryAcquire(1, 30000);
    }));
    thread->start();
    QVERIFY(used.tryAcquire(1, 30000));
    QCOMPARE(Database::openConnectionCount(), m_baseline + 2);

    database.reset();
    testDb.reset();
    // The destroying thread's connection closes now, the living thread's when that thread ends.
    QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
    finish.release();
    QVERIFY(thread->wait(30000));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

void TestDatabaseOpen::threadOutlivingDatabaseGetsTheNewDatabase()
{
    // Two databases (files, or schemas on the server) told apart by a row only the old one has.
    auto oldTestDb = std::make_unique<TestDatabase>();
    QVERIFY(oldTestDb->isValid());
    QVERIFY(insertAuditRow(oldTestDb->connection(), QStringLiteral("only in the old one")).has_value());
    std::shared_ptr<Database> current = oldTestDb->database();

    QSemaphore step;
    QSemaphore next;
    QString firstSeen;
    QString secondError;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        {
            auto db = current->connection();
            auto seen =
                db ? scalar(*db, QStringLiteral("SELECT action FROM audit_log")) : Result<QVariant>(Unexpected(db.error()));
            firstSeen = seen ? seen->toString() : seen.error().toLogString();
        }
        step.release();
        if (!next.tryAcquire(1, 30000))
            return;
        {
            // Same thread, new Database elsewhere: a write must land in the new one.
            auto db = current->connection();
            if (!db) {
                secondError = db.error().toLogString();
            } else {
                auto written = insertAuditRow(*db, QStringLiteral("meant for the new one"));
                if (!written)
                    secondError = written.error().toLogString();
            }
        }
        step.release();
    }));
    thread->start();
    QVERIFY(step.tryAcquire(1, 30000));
    QCOMPARE(firstSeen, QStringLiteral("only in the old one"));

    // The old Database goes, the thread stays; then the new one comes.
    const int oldBefore = auditRows(oldTestDb->connection());
    current.reset();
    oldTestDb->close();
    TestDatabase newTestDb;
    QVERIFY(newTestDb.isValid());
    current = newTestDb.database();
    next.release();
    QVERIFY(step.tryAcquire(1, 30000));
    QVERIFY(thread->wait(30000));

    QVERIFY2(secondError.isEmpty(), qPrintable(secondError));
    QCOMPARE(scalar(newTestDb.connection(), QStringLiteral("SELECT action FROM audit_log"))->toString(),
             QStringLiteral("meant for the new one"));
    {
        auto old = oldTestDb->openAnother();
        QVERIFY(old.has_value());
        QCOMPARE(auditRows(*(*old)->connection()), oldBefore);
    }
    current.reset();
}

void TestDatabaseOpen::notADatabase_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("readOnly");

    QByteArray random(8192, Qt::Uninitialized);
    QRandomGenerator generator(20261115);
    for (char &c : random)
        c = char(generator.bounded(256));
    const QByteArray text = QByteArray("Meeting notes\n- inverter 7 trips at noon\n- call the O&M contractor\n").repeated(40);
    QByteArray pdf = QByteArray("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n").repeated(30);

    QTest::newRow("random bytes") << random << false;
    QTest::newRow("text") << text << false;
    QTest::newRow("short text") << QByteArray("hello\n") << false;
    QTest::newRow("pdf") << pdf << false;
    QTest::newRow("random bytes, read-only") << random << true;
    QTest::newRow("text, read-only") << text << true;
}

void TestDatabaseOpen::notADatabase()
{
    HELIODESK_SQLITE_ONLY("a file that is not a SQLite database");
    QFETCH(QByteArray, content);
    QFETCH(bool, readOnly);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("notes.sqlite3"));
    QVERIFY(test::writeWholeFile(path, content));

    DatabaseOptions options;
    options.readOnly = readOnly;
    auto opened = Database::open(DatabaseLocation::sqliteFile(path), options);
    QVERIFY(!opened.has_value());
    const QString problem = humanErrorProblem(opened.error(), ErrorCode::NotADatabase);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(opened.error().message().contains(QDir::toNativeSeparators(path)), qPrintable(opened.error().message()));

    // Nothing of the person's file was changed, and no journal was left beside it.
    QCOMPARE(test::readWholeFile(path), content);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("notes.sqlite3")});
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

void TestDatabaseOpen::databaseTooNew_data()
{
    QTest::addColumn<bool>("migrate");
    QTest::addColumn<bool>("readOnly");

    QTest::newRow("migrating open") << true << false;
    QTest::newRow("inspecting open") << false << false;
    QTest::newRow("read-only open") << true << true;
}

void TestDatabaseOpen::databaseTooNew()
{
    QFETCH(bool, migrate);
    QFETCH(bool, readOnly);

    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    QVERIFY(insertAuditRow(testDb.connection(), QStringLiteral("written by the future")).has_value());
    QVERIFY(execSql(testDb.connection(), QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)"))
                .has_value());
    const QStringList tablesBefore = test::tableNames(testDb.connection());
    testDb.close(); // the last connection checkpoints the WAL into the file
    const QString path = onPostgres() ? QString() : testDb.path();
    const QByteArray bytesBefore = onPostgres() ? QByteArray() : test::readWholeFile(path);
    QVERIFY(onPostgres() || !bytesBefore.isEmpty());

    DatabaseOptions options;
    options.migrate = migrate;
    options.readOnly = readOnly;
    auto opened = testDb.openAnother(options);
    QVERIFY(!opened.has_value());
    const QString problem = humanErrorProblem(opened.error(), ErrorCode::DatabaseTooNew);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(opened.error().message().contains(u"999"), qPrintable(opened.error().message()));
    QCOMPARE(Database::openConnectionCount(), m_baseline);

    if (!onPostgres())
        QCOMPARE(test::readWholeFile(path), bytesBefore);
    RawConnection raw(testDb.location());
    QVERIFY(raw.isOpen());
    QCOMPARE(raw.value(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(), 999);
    QCOMPARE(raw.value(QStringLiteral("SELECT action FROM audit_log")).toString(), QStringLiteral("written by the future"));
    QCOMPARE(test::tableNames(raw.db()), tablesBefore);
}

void TestDatabaseOpen::databaseBusy()
{
    HELIODESK_SQLITE_ONLY("a SQLite file write-locked by another program (postgresRowLockBeyondBusyTimeout is the server's case)");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    const QString path = testDb.path();
    testDb.close();

    DatabaseOptions options;
    options.busyTimeout = 200ms;
    auto opened = Database::open(DatabaseLocation::sqliteFile(path), options);
    QVERIFY(opened.has_value());
    const std::shared_ptr<Database> database = *opened;
    const QSqlDatabase db = *database->connection();

    RawConnection locker(path);
    QVERIFY(locker.isOpen());
    QVERIFY(locker.exec(QStringLiteral("BEGIN IMMEDIATE")).has_value());
    QVERIFY(locker.exec(QStringLiteral("INSERT INTO audit_log (created_at, actor_name, action) VALUES (0, 'locker', 'hold')")).has_value());

    QElapsedTimer timer;
    timer.start();
    auto blocked = Transaction::begin(db);
    const qint64 waited = timer.elapsed();
    QVERIFY(!blocked.has_value());
    const QString problem = humanErrorProblem(blocked.error(), ErrorCode::DatabaseBusy);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // It waited for the lock (busy timeout) instead of failing at once, and gave up in time.
    QVERIFY2(waited >= 150, qPrintable(QString::number(waited)));
    QVERIFY2(waited < 3000, qPrintable(QString::number(waited)));

    // A single statement outside a transaction is refused the same way.
    auto single = insertAuditRow(db, QStringLiteral("single"));
    QVERIFY(!single.has_value());
    QCOMPARE(single.error().code(), ErrorCode::DatabaseBusy);

    QVERIFY(locker.exec(QStringLiteral("ROLLBACK")).has_value());

    auto txn = Transaction::begin(db);
    QVERIFY2(txn.has_value(), qPrintable(txn ? QString() : txn.error().toLogString()));
    QVERIFY(insertAuditRow(db, QStringLiteral("after the lock")).has_value());
    QVERIFY(txn->commit().has_value());
    // The lock holder's uncommitted row is gone, ours is there.
    QCOMPARE(locker.value(QStringLiteral("SELECT group_concat(action) FROM audit_log")).toString(), QStringLiteral("after the lock"));
}

void TestDatabaseOpen::postgresRowLockBeyondBusyTimeout()
{
    if (!onPostgres())
        QSKIP("PostgreSQL only: a row lock held by another connection (databaseBusy is SQLite's file lock)");
    DatabaseOptions options;
    options.busyTimeout = 200ms;
    TestDatabase testDb(options);
    QVERIFY2(testDb.isValid(), qPrintable(testDb.openError().toLogString()));
    const QSqlDatabase db = testDb.connection();

    RawConnection locker(testDb.location());
    QVERIFY2(locker.isOpen(), qPrintable(locker.lastError()));
    QVERIFY(locker.exec(QStringLiteral("BEGIN")).has_value());
    QVERIFY(locker.exec(QStringLiteral("UPDATE plans SET monthly_limit = 5 WHERE name = 'Standard'")).has_value());

    // A row lock is not a database lock: writes to other rows go on.
    QVERIFY(insertAuditRow(db, QStringLiteral("beside the lock")).has_value());

    const QString update = QStringLiteral("UPDATE plans SET monthly_limit = ? WHERE name = 'Standard'");
    {
        auto txn = Transaction::begin(db);
        QVERIFY2(txn.has_value(), qPrintable(txn ? QString() : txn.error().toLogString()));
        QElapsedTimer timer;
        timer.start();
        auto blocked = execSql(db, update, {7});
        const qint64 waited = timer.elapsed();
        QVERIFY(!blocked.has_value());
        const QString problem = humanErrorProblem(blocked.error(), ErrorCode::DatabaseBusy);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // It waited for the lock (lock_timeout = busy timeout) instead of failing at once, and gave up in time.
        QVERIFY2(waited >= 150, qPrintable(QString::number(waited)));
        QVERIFY2(waited < 3000, qPrintable(QString::number(waited)));
    } // rolled back

    // A single statement outside a transaction is refused the same way.
    auto single = execSql(db, update, {8});
    QVERIFY(!single.has_value());
    QCOMPARE(single.error().code(), ErrorCode::DatabaseBusy);

    QVERIFY(locker.exec(QStringLiteral("ROLLBACK")).has_value());

    auto txn = Transaction::begin(db);
    QVERIFY2(txn.has_value(), qPrintable(txn ? QString() : txn.error().toLogString()));
    QVERIFY(execSql(db, update, {9}).has_value());
    QVERIFY(txn->commit().has_value());
    // The lock holder's change is gone, ours is there, and so is the write beside the lock.
    QCOMPARE(locker.value(QStringLiteral("SELECT monthly_limit FROM plans WHERE name = 'Standard'")).toInt(), 9);
    QCOMPARE(auditRows(db), 1);
}

void TestDatabaseOpen::postgresConnectionLost_data()
{
    QTest::addColumn<bool>("inTransaction");
    QTest::newRow("inside a transaction") << true;
    QTest::newRow("a single statement") << false;
}

void TestDatabaseOpen::postgresConnectionLost()
{
    QFETCH(bool, inTransaction);
    if (!onPostgres())
        QSKIP("PostgreSQL only: a server connection that is cut (a SQLite file has none)");
    TestDatabase testDb;
    QVERIFY2(testDb.isValid(), qPrintable(testDb.openError().toLogString()));
    const std::shared_ptr<Database> database = testDb.database();
    QVERIFY(insertAuditRow(testDb.connection(), QStringLiteral("before")).has_value());
    RawConnection admin(testDb.location());
    QVERIFY2(admin.isOpen(), qPrintable(admin.lastError()));

    qint64 lostPid = 0;
    {
        const QSqlDatabase db = *database->connection();
        lostPid = test::postgresBackendPid(db);
        QVERIFY(lostPid > 0);
        std::optional<Transaction> txn;
        if (inTransaction) {
            auto begun = Transaction::begin(db);
            QVERIFY(begun.has_value());
            txn.emplace(std::move(*begun));
            QVERIFY(insertAuditRow(db, QStringLiteral("half-written")).has_value());
        }

        // The server ends the session, as a restart or an administrator would.
        QVERIFY(admin.value(QStringLiteral("SELECT pg_terminate_backend(CAST(? AS INTEGER))"), {lostPid}).toBool());
        QTRY_COMPARE(
            admin.value(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE pid = CAST(? AS INTEGER)"), {lostPid}).toInt(),
            0);

        auto failed = insertAuditRow(db, QStringLiteral("after the loss"));
        QVERIFY(!failed.has_value());
        const QString problem = humanErrorProblem(failed.error(), ErrorCode::ConnectionLost);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        if (txn) {
            auto committed = txn->commit();
            QVERIFY(!committed.has_value());
            QCOMPARE(committed.error().code(), ErrorCode::ConnectionLost);
            QVERIFY(!txn->isActive());
        }
    }

    // The next action on the same Database opens a new session and succeeds.
    auto db = database->connection();
    QVERIFY2(db.has_value(), qPrintable(db ? QString() : db.error().toLogString()));
    QVERIFY(test::postgresBackendPid(*db) != lostPid);
    QCOMPARE(Database::openConnectionCount(), m_baseline + 1);
    // Nothing half-written was kept.
    QCOMPARE(admin.strings(QStringLiteral("SELECT action FROM audit_log ORDER BY id")), QStringList{QStringLiteral("before")});
    QVERIFY(insertAuditRow(*db, QStringLiteral("after reconnecting")).has_value());
    QCOMPARE(admin.strings(QStringLiteral("SELECT action FROM audit_log ORDER BY id")),
             (QStringList{QStringLiteral("before"), QStringLiteral("after reconnecting")}));
}

void TestDatabaseOpen::readOnly_data()
{
    QTest::addColumn<QString>("statement");

    QTest::newRow("insert") << QStringLiteral("INSERT INTO audit_log (created_at, actor_name, action) VALUES (0, 'ro', 'insert')");
    QTest::newRow("update") << QStringLiteral("UPDATE plans SET monthly_limit = 1");
    QTest::newRow("delete") << QStringLiteral("DELETE FROM plan_agents");
    QTest::newRow("create table") << QStringLiteral("CREATE TABLE extra (x INTEGER)");
    QTest::newRow("write transaction") << QString();
}

void TestDatabaseOpen::readOnly()
{
    QFETCH(QString, statement);

    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    QVERIFY(insertAuditRow(testDb.connection(), QStringLiteral("before")).has_value());
    const int planAgents = testDb.count(QStringLiteral("plan_agents"));
    QVERIFY(planAgents > 0);
    testDb.close();

    DatabaseOptions options;
    options.readOnly = true;
    auto opened = testDb.openAnother(options);
    QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
    {
        const QSqlDatabase db = *(*opened)->connection();
        QCOMPARE(auditRows(db), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM plan_agents"))->toInt(), planAgents);

        Error error;
        if (statement.isEmpty()) {
            // SQLite may grant BEGIN IMMEDIATE on a read-only file; the first write inside must fail.
            auto txn = Transaction::begin(db);
            if (!txn) {
                error = txn.error();
            } else {
                auto done = insertAuditRow(db, QStringLiteral("inside"));
                QVERIFY(!done.has_value());
                error = done.error();
            }
        } else {
            auto done = execSql(db, statement);
            QVERIFY(!done.has_value());
            error = done.error();
        }
        const QString problem = humanErrorProblem(error, ErrorCode::DatabaseReadOnly);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        // Reads still work after the refused write, and a read transaction is fine.
        auto reading = Transaction::begin(db, Transaction::Mode::Read);
        QVERIFY2(reading.has_value(), qPrintable(reading ? QString() : reading.error().toLogString()));
        QCOMPARE(auditRows(db), 1);
    }
    opened->reset();

    RawConnection raw(testDb.location());
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM audit_log")).toInt(), 1);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM plan_agents")).toInt(), planAgents);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM plans WHERE monthly_limit = 1")).toInt(), 0);
    QVERIFY(test::tableNames(raw.db()).contains(QStringLiteral("plans")));
    QVERIFY(!test::tableNames(raw.db()).contains(QStringLiteral("extra")));
}

void TestDatabaseOpen::readOnlyMissingFileIsNotCreated()
{
    HELIODESK_SQLITE_ONLY("a SQLite file that does not exist");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("absent/heliodesk.sqlite3"));
    DatabaseOptions options;
    options.readOnly = true;
    auto opened = Database::open(DatabaseLocation::sqliteFile(path), options);
    QVERIFY(!opened.has_value());
    const QString problem = humanErrorProblem(opened.error(), ErrorCode::CannotOpen);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("absent"))));
}

void TestDatabaseOpen::diskFullByPageLimit()
{
    HELIODESK_SQLITE_ONLY("SQLite's page limit stands in for a full disk");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    const QSqlDatabase db = testDb.connection();
    {
        auto txn = Transaction::begin(db);
        QVERIFY(txn.has_value());
        for (int i = 0; i < 5; ++i)
            QVERIFY(insertAuditRow(db, QStringLiteral("kept %1").arg(i)).has_value());
        QVERIFY(txn->commit().has_value());
    }

    const int pages = scalar(db, QStringLiteral("PRAGMA page_count"))->toInt();
    QVERIFY(pages > 0);
    QVERIFY(execSql(db, QStringLiteral("PRAGMA max_page_count = %1").arg(pages + 12)).has_value());

    const QString big(20000, u'x'); // a few pages per row
    Error error;
    int insertedBeforeFull = 0;
    {
        auto txn = Transaction::begin(db);
        QVERIFY(txn.has_value());
        for (int i = 0; i < 100; ++i) {
            auto done = insertAuditRow(db, QStringLiteral("lost %1").arg(i), big);
            if (!done) {
                error = done.error();
                break;
            }
            ++insertedBeforeFull;
        }
        QVERIFY2(insertedBeforeFull < 100, "the page limit never stopped the inserts");
        QVERIFY2(insertedBeforeFull > 0, "not even one row fitted: raise the limit so the rollback has something to undo");
        QVERIFY(txn->isActive());
        // txn goes out of scope uncommitted: everything it wrote goes with it.
    }
    const QString problem = humanErrorProblem(error, ErrorCode::DiskFull);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    QCOMPARE(auditRows(db), 5);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM audit_log WHERE action LIKE 'lost%'"))->toInt(), 0);
    auto problems = Maintenance::check(db);
    QVERIFY(problems.has_value());
    QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));

    // With room again the same connection writes normally: no transaction was left half-open.
    QVERIFY(execSql(db, QStringLiteral("PRAGMA max_page_count = 1073741823")).has_value());
    auto txn = Transaction::begin(db);
    QVERIFY2(txn.has_value(), qPrintable(txn ? QString() : txn.error().toLogString()));
    QVERIFY(insertAuditRow(db, QStringLiteral("after"), big).has_value());
    QVERIFY(txn->commit().has_value());
    QCOMPARE(auditRows(db), 6);
}

void TestDatabaseOpen::diskFullRealFilesystem()
{
    HELIODESK_SQLITE_ONLY("a SQLite file on a full file system (the server's disk is the server's)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString mountPoint = dir.filePath(QStringLiteral("small"));
    QVERIFY(QDir().mkpath(mountPoint));
    TmpfsMount mount(mountPoint, QStringLiteral("1m"));
    if (!mount.isMounted())
        QSKIP(qPrintable(u"cannot mount a small tmpfs here (needs CAP_SYS_ADMIN): " + mount.error()));

    const QString path = mountPoint + QStringLiteral("/heliodesk.sqlite3");
    int committed = 0;
    Error error;
    {
        auto opened = Database::open(DatabaseLocation::sqliteFile(path));
        QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
        const QSqlDatabase db = *(*opened)->connection();
        const QString big(30000, u'y');
        for (int i = 0; i < 200; ++i) {
            auto txn = Transaction::begin(db);
            if (!txn) {
                error = txn.error();
                break;
            }
            auto done = insertAuditRow(db, QStringLiteral("row %1").arg(i), big);
            if (!done) {
                error = done.error();
                break;
            }
            auto saved = txn->commit();
            if (!saved) {
                error = saved.error();
                QVERIFY(!txn->isActive());
                break;
            }
            ++committed;
        }
        QVERIFY2(committed < 200, "a 1 MiB file system never filled up");
        QVERIFY(committed > 0);
        const QString problem = humanErrorProblem(error, ErrorCode::DiskFull);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        // Still consistent on the same connection: every committed row, nothing of the failed one.
        QCOMPARE(auditRows(db), committed);
        auto problems = Maintenance::check(db);
        QVERIFY2(problems.has_value(), qPrintable(problems ? QString() : problems.error().toLogString()));
        QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));
    }

    // Give the file system room, then a fresh open sees exactly what was committed.
    QVERIFY(mount.resize(QStringLiteral("8m")));
    auto reopened = Database::open(DatabaseLocation::sqliteFile(path));
    QVERIFY2(reopened.has_value(), qPrintable(reopened ? QString() : reopened.error().toLogString()));
    const QSqlDatabase db = *(*reopened)->connection();
    QCOMPARE(auditRows(db), committed);
    auto problems = Maintenance::check(db);
    QVERIFY(problems.has_value());
    QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));
}

QTEST_GUILESS_MAIN(TestDatabaseOpen)
#include "tst_database.moc"
