// Maintenance: the integrity and foreign-key check, and consistent backups while others write.

#include "storage/database.h"
#include "storage/maintenance.h"
#include "storage/migrations.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include "storagetesthelpers.h"
#include "support/testdatabase.h"

#include <QAtomicInteger>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::onPostgres;
using heliodesk::test::RawConnection;
using heliodesk::test::TestDatabase;

namespace {

const QStringList allTables = {
    QStringLiteral("agents"), QStringLiteral("audit_log"), QStringLiteral("conversations"), QStringLiteral("feedback"),
    QStringLiteral("hired_agents"), QStringLiteral("messages"), QStringLiteral("plan_agents"), QStringLiteral("plans"),
    QStringLiteral("schema_migrations"), QStringLiteral("survey_responses"), QStringLiteral("usage_events"), QStringLiteral("users"),
};

int intValue(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto value = scalar(db, sql, values);
    return value ? value->toInt() : -1;
}

QMap<QString, int> rowCounts(const QSqlDatabase &db)
{
    QMap<QString, int> counts;
    for (const QString &table : allTables)
        counts.insert(table, intValue(db, u"SELECT count(*) FROM " + table)); // names from the fixed list above
    return counts;
}

/// A small but realistic database: an admin, two analysts and their conversations.
void fill(TestDatabase &testDb, int conversations, int messagesEach)
{
    testDb.createAdmin();
    const UserRecord ann = testDb.createAnalyst(QStringLiteral("ann"));
    const UserRecord bob = testDb.createAnalyst(QStringLiteral("bob"), 10);
    test::fillUserData(testDb.connection(), ann.id, conversations, messagesEach);
    test::fillUserData(testDb.connection(), bob.id, conversations / 2 + 1, messagesEach);
}

} // namespace

class TestMaintenance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    void checkCleanDatabase();
    void checkReportsForeignKeyViolation_data();
    void checkReportsForeignKeyViolation();
    void checkReportsDamagedIndex();
    void backupIsACompleteDatabase();
    void backupRefusesExistingTarget_data();
    void backupRefusesExistingTarget();
    void backupRefusesMissingFolder();
    void failedBackupLeavesNoFile();
    void backupWhileWriting();
    void backupOfPostgresIsRefused();
};

void TestMaintenance::cleanup()
{
    QCOMPARE(Database::openConnectionCount(), 0);
}

void TestMaintenance::checkCleanDatabase()
{
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    auto empty = Maintenance::check(testDb.connection());
    QVERIFY2(empty.has_value(), qPrintable(empty ? QString() : empty.error().toLogString()));
    QVERIFY2(empty->isEmpty(), qPrintable(empty->join(u'\n')));

    fill(testDb, 6, 4);
    QVERIFY(testDb.count(QStringLiteral("messages")) > 0);
    auto filled = Maintenance::check(testDb.connection());
    QVERIFY(filled.has_value());
    QVERIFY2(filled->isEmpty(), qPrintable(filled->join(u'\n')));
}

void TestMaintenance::checkReportsForeignKeyViolation_data()
{
    QTest::addColumn<QString>("plant");        // run with foreign keys off; {USER} is ann's id
    QTest::addColumn<QString>("childTable");
    QTest::addColumn<QString>("parentTable");
    QTest::addColumn<bool>("exactRow");         // the planted row is the last inserted one, so its line is known
    // PostgreSQL has no rowid: a row is named by its primary key, which this query gives.
    QTest::addColumn<QString>("postgresRow");

    QTest::newRow("orphan message") << QStringLiteral(
        "INSERT INTO messages (conversation_id, role, content, created_at, updated_at) "
        "VALUES (4242, 'user', 'lost', 0, 0)")
                                    << QStringLiteral("messages") << QStringLiteral("conversations") << true
                                    << QStringLiteral("SELECT CAST(max(id) AS TEXT) FROM messages");
    QTest::newRow("hire of an unknown agent")
        << QStringLiteral("INSERT INTO hired_agents (user_id, agent_id, hired_at) VALUES ({USER}, 'ghost', 0)")
        << QStringLiteral("hired_agents") << QStringLiteral("agents") << true
        << QStringLiteral("SELECT '(' || user_id || ', ' || agent_id || ')' FROM hired_agents "
                          "WHERE agent_id = 'ghost'");
    QTest::newRow("user on a missing plan") << QStringLiteral("UPDATE users SET plan_id = 777 WHERE id = {USER}")
                                            << QStringLiteral("users") << QStringLiteral("plans") << false << QString();
    QTest::newRow("deleted user") << QStringLiteral("DELETE FROM users WHERE id = {USER}") << QStringLiteral("conversations")
                                  << QStringLiteral("users") << false << QString();
}

void TestMaintenance::checkReportsForeignKeyViolation()
{
    QFETCH(QString, plant);
    QFETCH(QString, childTable);
    QFETCH(QString, parentTable);
    QFETCH(bool, exactRow);
    QFETCH(QString, postgresRow);

    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    fill(testDb, 3, 2);
    const qint64 ann = intValue(testDb.connection(), QStringLiteral("SELECT id FROM users WHERE username = 'ann'"));
    QVERIFY(ann > 0);
    plant.replace(QStringLiteral("{USER}"), QString::number(ann));

    // Heliodesk's own connection refuses the change…
    QVERIFY(!execSql(testDb.connection(), plant).has_value());

    // …so another program with foreign keys off makes it (on PostgreSQL: one that, as a replication
    // or restore tool may, runs with session_replication_role = replica, which skips them).
    QString plantedRow;
    {
        RawConnection raw(testDb.location());
        QVERIFY(raw.isOpen());
        QVERIFY(raw.exec(onPostgres() ? QStringLiteral("SET session_replication_role = replica")
                                      : QStringLiteral("PRAGMA foreign_keys = OFF"))
                    .has_value());
        auto planted = raw.exec(plant);
        QVERIFY2(planted.has_value(), qPrintable(planted ? QString() : planted.error().toLogString()));
        if (onPostgres())
            plantedRow = postgresRow.isEmpty() ? QString() : raw.value(postgresRow).toString();
        else
            plantedRow = raw.value(QStringLiteral("SELECT last_insert_rowid()")).toString();
    }

    auto problems = Maintenance::check(testDb.connection());
    QVERIFY2(problems.has_value(), qPrintable(problems ? QString() : problems.error().toLogString()));
    QVERIFY(!problems->isEmpty());
    for (const QString &line : std::as_const(*problems))
        QVERIFY2(line.startsWith(u"Foreign key: row "), qPrintable(line));
    const QString expectedPart = QStringLiteral(" of %1 refers to a missing row of %2").arg(childTable, parentTable);
    QVERIFY2(std::any_of(problems->cbegin(), problems->cend(), [&](const QString &line) { return line.endsWith(expectedPart); }),
             qPrintable(problems->join(u'\n')));
    if (exactRow) {
        QCOMPARE(problems->size(), 1);
        QVERIFY(!plantedRow.isEmpty());
        QCOMPARE(problems->constFirst(), QStringLiteral("Foreign key: row %1%2").arg(plantedRow, expectedPart));
    }
}

void TestMaintenance::checkReportsDamagedIndex()
{
    HELIODESK_SQLITE_ONLY("damages a SQLite file's index through writable_schema (the server keeps its own pages sound)");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    const QString path = testDb.path();
    QVERIFY(execSql(testDb.connection(), QStringLiteral("CREATE TABLE t (a INTEGER, b INTEGER)")).has_value());
    QVERIFY(execSql(testDb.connection(), QStringLiteral("CREATE INDEX t_by_a ON t (a)")).has_value());
    QVERIFY(execSql(testDb.connection(), QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
                                                        "INSERT INTO t SELECT i, 1000 - i FROM n"))
                .has_value());
    testDb.close();

    // Make the schema claim the index covers column b while its entries hold column a.
    {
        RawConnection raw(path);
        QVERIFY(raw.exec(QStringLiteral("PRAGMA writable_schema = ON")).has_value());
        auto rewritten = raw.exec(QStringLiteral("UPDATE sqlite_master SET sql = 'CREATE INDEX t_by_a ON t (b)' WHERE name = 't_by_a'"));
        if (!rewritten)
            QSKIP("this SQLite refuses writable_schema (defensive mode)");
    }

    DatabaseOptions inspecting;
    inspecting.migrate = false;
    auto reopened = Database::open(DatabaseLocation::sqliteFile(path), inspecting);
    QVERIFY2(reopened.has_value(), qPrintable(reopened ? QString() : reopened.error().toLogString()));
    auto problems = Maintenance::check(*(*reopened)->connection());
    QVERIFY2(problems.has_value(), qPrintable(problems ? QString() : problems.error().toLogString()));
    QVERIFY(!problems->isEmpty());
    for (const QString &line : std::as_const(*problems))
        QVERIFY2(line.startsWith(u"Integrity: "), qPrintable(line));
    QVERIFY2(problems->join(u'\n').contains(u"t_by_a"), qPrintable(problems->join(u'\n')));
}

void TestMaintenance::backupIsACompleteDatabase()
{
    HELIODESK_SQLITE_ONLY("VACUUM INTO copies a SQLite file (backupOfPostgresIsRefused: a server is copied by DatabaseCopy)");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    fill(testDb, 12, 6);
    QVERIFY(execSql(testDb.connection(), QStringLiteral("INSERT INTO audit_log (created_at, actor_name, action) VALUES (1, 'root', 'backup-test')"))
                .has_value());
    const QMap<QString, int> before = rowCounts(testDb.connection());
    QVERIFY(before.value(QStringLiteral("messages")) > 0);
    QVERIFY(before.value(QStringLiteral("feedback")) > 0);
    const QString messagesBefore =
        scalar(testDb.connection(), QStringLiteral("SELECT group_concat(id || ':' || content, '|') FROM (SELECT * FROM messages ORDER BY id)"))
            ->toString();

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString target = dir.filePath(QStringLiteral("heliodesk-backup.sqlite3"));
    auto done = Maintenance::backup(testDb.connection(), target);
    QVERIFY2(done.has_value(), qPrintable(done ? QString() : done.error().toLogString()));
    QVERIFY(QFileInfo(target).isFile());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("heliodesk-backup.sqlite3")});

    // The original goes on unchanged.
    QCOMPARE(rowCounts(testDb.connection()), before);

    auto copy = Database::open(DatabaseLocation::sqliteFile(target));
    QVERIFY2(copy.has_value(), qPrintable(copy ? QString() : copy.error().toLogString()));
    const QSqlDatabase copyDb = *(*copy)->connection();
    QCOMPARE(*schemaVersion(copyDb), latestSchemaVersion());
    QCOMPARE(rowCounts(copyDb), before);
    QCOMPARE(scalar(copyDb, QStringLiteral("SELECT group_concat(id || ':' || content, '|') FROM (SELECT * FROM messages ORDER BY id)"))
                 ->toString(),
             messagesBefore);
    auto problems = Maintenance::check(copyDb);
    QVERIFY(problems.has_value());
    QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));
}

void TestMaintenance::backupRefusesExistingTarget_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("text file") << QStringLiteral("text");
    QTest::newRow("empty file") << QStringLiteral("empty");
    QTest::newRow("folder") << QStringLiteral("folder");
    QTest::newRow("the database itself") << QStringLiteral("self");
}

void TestMaintenance::backupRefusesExistingTarget()
{
    HELIODESK_SQLITE_ONLY("VACUUM INTO copies a SQLite file (backupOfPostgresIsRefused: a server is copied by DatabaseCopy)");
    QFETCH(QString, kind);

    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    fill(testDb, 2, 2);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    QString target = dir.filePath(QStringLiteral("precious.sqlite3"));
    QByteArray content;
    if (kind == u"text") {
        content = "the only copy of last year's report\n";
        QVERIFY(test::writeWholeFile(target, content));
    } else if (kind == u"empty") {
        QVERIFY(test::writeWholeFile(target, {}));
    } else if (kind == u"folder") {
        QVERIFY(QDir().mkpath(target));
        QVERIFY(test::writeWholeFile(target + QStringLiteral("/inside.txt"), "keep"));
    } else {
        target = testDb.path();
    }
    const QByteArray bytesBefore = kind == u"folder" ? QByteArray() : test::readWholeFile(target);
    const int usersBefore = testDb.count(QStringLiteral("users"));

    auto done = Maintenance::backup(testDb.connection(), target);
    QVERIFY(!done.has_value());
    const QString problem = humanErrorProblem(done.error(), ErrorCode::InvalidInput);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(done.error().message().contains(QDir::toNativeSeparators(target)), qPrintable(done.error().message()));

    if (kind == u"folder") {
        QVERIFY(QFileInfo(target).isDir());
        QCOMPARE(test::readWholeFile(target + QStringLiteral("/inside.txt")), QByteArray("keep"));
    } else {
        QCOMPARE(test::readWholeFile(target), bytesBefore);
    }
    QVERIFY(!QFileInfo::exists(target + QStringLiteral(".partial")));
    QCOMPARE(testDb.count(QStringLiteral("users")), usersBefore);
}

void TestMaintenance::backupRefusesMissingFolder()
{
    HELIODESK_SQLITE_ONLY("VACUUM INTO copies a SQLite file (backupOfPostgresIsRefused: a server is copied by DatabaseCopy)");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = dir.filePath(QStringLiteral("not-there"));
    auto done = Maintenance::backup(testDb.connection(), folder + QStringLiteral("/backup.sqlite3"));
    QVERIFY(!done.has_value());
    const QString problem = humanErrorProblem(done.error(), ErrorCode::InvalidInput);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!QFileInfo::exists(folder));
}

void TestMaintenance::failedBackupLeavesNoFile()
{
    HELIODESK_SQLITE_ONLY("VACUUM INTO copies a SQLite file (backupOfPostgresIsRefused: a server is copied by DatabaseCopy)");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString target = dir.filePath(QStringLiteral("backup.sqlite3"));
    // A folder where the partial copy would go makes VACUUM INTO fail part-way.
    QVERIFY(QDir().mkpath(target + QStringLiteral(".partial")));

    auto done = Maintenance::backup(testDb.connection(), target);
    QVERIFY(!done.has_value());
    QVERIFY(!done.error().message().isEmpty());
    QVERIFY2(!done.error().message().contains(u"VACUUM"), qPrintable(done.error().message()));
    QVERIFY2(done.error().message().startsWith(u"The backup was not written"), qPrintable(done.error().message()));
    // Nothing appears under the name asked for: a half copy must never look like a backup.
    QVERIFY(!QFileInfo::exists(target));
}

void TestMaintenance::backupWhileWriting()
{
    HELIODESK_SQLITE_ONLY("VACUUM INTO copies a SQLite file (backupOfPostgresIsRefused: a server is copied by DatabaseCopy)");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    fill(testDb, 120, 10); // large enough that a copy takes a while
    const auto database = testDb.database();

    QAtomicInteger<int> committedPairs = 0;
    QAtomicInteger<bool> stop = false;
    QString writerError;
    std::unique_ptr<QThread> writer(QThread::create([&] {
        auto db = database->connection();
        if (!db) {
            writerError = db.error().toLogString();
            return;
        }
        // Each transaction writes two rows: a consistent copy holds both or neither.
        for (int i = 0; !stop.loadRelaxed() && i < 1000000; ++i) {
            auto txn = Transaction::begin(*db);
            if (!txn) {
                writerError = txn.error().toLogString();
                return;
            }
            for (const QString &action : {QStringLiteral("pair-a"), QStringLiteral("pair-b")}) {
                auto done = execSql(*db, QStringLiteral("INSERT INTO audit_log (created_at, actor_name, action, target_id) "
                                                        "VALUES (0, 'writer', ?, ?)"),
                                    {action, QString::number(i)});
                if (!done) {
                    writerError = done.error().toLogString();
                    return;
                }
            }
            if (auto saved = txn->commit(); !saved) {
                writerError = saved.error().toLogString();
                return;
            }
            committedPairs.storeRelease(i + 1);
        }
    }));
    writer->start();

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    struct Taken {
        QString path;
        int committedBefore = 0;
        int committedAfter = 0;
    };
    QList<Taken> backups;
    QString backupError;
    QDeadlineTimer started(20000);
    while (committedPairs.loadAcquire() < 20 && !started.hasExpired() && writerError.isEmpty())
        QThread::msleep(2);
    for (int i = 0; i < 4 && backupError.isEmpty(); ++i) {
        Taken taken;
        taken.path = dir.filePath(QStringLiteral("backup-%1.sqlite3").arg(i));
        taken.committedBefore = committedPairs.loadAcquire();
        auto done = Maintenance::backup(testDb.connection(), taken.path);
        taken.committedAfter = committedPairs.loadAcquire();
        if (!done)
            backupError = done.error().toLogString();
        backups << taken;
        QThread::msleep(10);
    }
    stop.storeRelaxed(true);
    QVERIFY(writer->wait(60000));
    QVERIFY2(writerError.isEmpty(), qPrintable(writerError));
    QVERIFY2(backupError.isEmpty(), qPrintable(backupError));
    QVERIFY2(committedPairs.loadAcquire() >= 20, "the writer did not get going");
    QCOMPARE(backups.size(), 4);

    int overlapping = 0;
    for (const Taken &taken : std::as_const(backups)) {
        RawConnection copy(taken.path);
        QVERIFY2(copy.isOpen(), qPrintable(copy.lastError()));
        auto problems = Maintenance::check(copy.db());
        QVERIFY2(problems.has_value(), qPrintable(problems ? QString() : problems.error().toLogString()));
        QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));
        const int a = intValue(copy.db(), QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'pair-a'"));
        const int b = intValue(copy.db(), QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'pair-b'"));
        QCOMPARE(a, b);
        // The copy is a snapshot taken during the call: every pair committed before it, none after it.
        // (+1: the writer counts a pair just after its commit returns.)
        QVERIFY2(a >= taken.committedBefore && a <= taken.committedAfter + 1,
                 qPrintable(QStringLiteral("%1 pairs, %2 committed before, %3 after").arg(a).arg(taken.committedBefore).arg(taken.committedAfter)));
        QCOMPARE(intValue(copy.db(), QStringLiteral("SELECT count(*) FROM messages")), testDb.count(QStringLiteral("messages")));
        if (taken.committedAfter > taken.committedBefore)
            ++overlapping;
    }
    qInfo("%d of %d backups ran while the writer committed", overlapping, int(backups.size()));
}

void TestMaintenance::backupOfPostgresIsRefused()
{
    if (!onPostgres())
        QSKIP("PostgreSQL only: Maintenance::backup copies SQLite files");
    TestDatabase testDb;
    QVERIFY(testDb.isValid());
    fill(testDb, 2, 2);
    const QMap<QString, int> before = rowCounts(testDb.connection());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString target = dir.filePath(QStringLiteral("backup.sqlite3"));

    // No PRAGMA or VACUUM reaches the server: a clear refusal that says what to use instead.
    auto done = Maintenance::backup(testDb.connection(), target);
    QVERIFY(!done.has_value());
    const QString problem = humanErrorProblem(done.error(), ErrorCode::NotAllowed);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(done.error().message().contains(u"heliodeskctl db backup"), qPrintable(done.error().message()));
    QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
    QCOMPARE(rowCounts(testDb.connection()), before);
}

QTEST_GUILESS_MAIN(TestMaintenance)
#include "tst_maintenance.moc"
