// Whole-database copies (storage/databasecopy.h) and `heliodeskctl db migrate-to` / `db backup` of a
// team database. The source is always a SQLite file; the target is the engine of this run: another
// SQLite file, or (as tst_ctlmigrate_pg) a PostgreSQL schema, which is then copied back into SQLite.
// The tests compare the tables with a checksum of their own, computed differently from the copier's.

#include "ctlprocess.h"
#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "storage/databasecopy.h"
#include "storage/migrations.h"
#include "storage/sql.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace heliodesk::test::ctl;

namespace {

template<typename T>
QString problemOf(const Result<T> &result)
{
    return result ? QString() : result.error().toLogString();
}

/// Every table a copy carries, with the order its rows are compared in.
const QList<std::pair<QString, QString>> &comparedTables()
{
    static const QList<std::pair<QString, QString>> tables = {
        {QStringLiteral("agents"), QStringLiteral("id")},
        {QStringLiteral("plans"), QStringLiteral("id")},
        {QStringLiteral("plan_agents"), QStringLiteral("plan_id, agent_id")},
        {QStringLiteral("users"), QStringLiteral("id")},
        {QStringLiteral("hired_agents"), QStringLiteral("user_id, agent_id")},
        {QStringLiteral("conversations"), QStringLiteral("id")},
        {QStringLiteral("usage_events"), QStringLiteral("id")},
        {QStringLiteral("messages"), QStringLiteral("id")},
        {QStringLiteral("feedback"), QStringLiteral("id")},
        {QStringLiteral("survey_responses"), QStringLiteral("id")},
        {QStringLiteral("audit_log"), QStringLiteral("id")},
        {QStringLiteral("kb_documents"), QStringLiteral("id")},
        {QStringLiteral("app_state"), QStringLiteral("key")},
    };
    return tables;
}

/// The test's own checksum of a table: rows in key order, columns in name order, every value as
/// text with NULL spelled apart. `where` leaves out rows a copy adds (its own audit entry).
QByteArray checksumOf(const QSqlDatabase &db, const QString &table, const QString &orderBy, const QString &where = {})
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    const QString sql = u"SELECT * FROM " + table + (where.isEmpty() ? QString() : u" WHERE " + where) + u" ORDER BY " + orderBy;
    if (!q.exec(sql))
        qFatal("checksumOf %s: %s", qPrintable(table), qPrintable(q.lastError().text()));
    const QSqlRecord record = q.record();
    QList<std::pair<QString, int>> columns;
    for (int i = 0; i < record.count(); ++i)
        columns.append({record.fieldName(i), i});
    std::sort(columns.begin(), columns.end());
    QCryptographicHash hash(QCryptographicHash::Md5);
    qint64 rows = 0;
    while (q.next()) {
        ++rows;
        for (const auto &[name, index] : std::as_const(columns)) {
            const QVariant v = q.value(index);
            hash.addData(name.toUtf8());
            hash.addData(v.isNull() ? QByteArrayLiteral("\x01NULL") : QByteArray("=" + v.toString().toUtf8()));
            hash.addData(QByteArrayLiteral("\x1f"));
        }
        hash.addData(QByteArrayLiteral("\x1e"));
    }
    return QByteArray::number(rows) + ':' + hash.result().toHex();
}

QString exceptCopies()
{
    return u"action <> '" + DatabaseCopy::auditAction() + u'\'';
}

/// Checksums of every compared table; the audit log without the entries copies leave.
QHash<QString, QByteArray> checksums(const QSqlDatabase &db)
{
    QHash<QString, QByteArray> sums;
    for (const auto &[table, order] : comparedTables())
        sums.insert(table, checksumOf(db, table, order, table == u"audit_log" ? exceptCopies() : QString()));
    return sums;
}

qint64 countOf(const QSqlDatabase &db, const QString &sql)
{
    auto n = scalar(db, sql);
    if (!n)
        qFatal("%s: %s", qPrintable(sql), qPrintable(n.error().toLogString()));
    return n->toLongLong();
}

/// Messages the full-text index finds for "inverter" (FTS5 on SQLite, the GIN expression on PostgreSQL).
qint64 searchHits(const QSqlDatabase &db)
{
    if (db.driverName() == u"QPSQL")
        return countOf(db, QStringLiteral("SELECT count(*) FROM messages WHERE status <> 'streaming' AND "
                                          "to_tsvector('english', content) @@ plainto_tsquery('english', 'inverter')"));
    return countOf(db, QStringLiteral("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'inverter'"));
}

QSqlDatabase connectionOf(Database &database)
{
    auto db = database.connection();
    if (!db)
        qFatal("connection: %s", qPrintable(db.error().toLogString()));
    return *db;
}

/// A SQLite database with users, conversations, messages (with awkward text and a NULL or two), a
/// knowledge document and audit entries: `conversations` × `messagesEach` messages of fillUserData.
class SourceDatabase
{
public:
    SourceDatabase(const QString &folder, int conversations, int messagesEach)
        : m_path(QDir(folder).filePath(QStringLiteral("source.sqlite3")))
    {
        auto opened = Database::open(DatabaseLocation::sqliteFile(m_path));
        if (!opened)
            qFatal("source: %s", qPrintable(opened.error().toLogString()));
        m_database = *opened;
        AccountService accounts(m_database, std::make_shared<FakeClock>(), PasswordHasher(quickHashParams()));
        NewUser root;
        root.username = QStringLiteral("root");
        root.password = QStringLiteral("correct horse battery");
        root.role = Role::Admin;
        auto admin = accounts.createUser(Actor::anonymous(), root);
        if (!admin)
            qFatal("source admin: %s", qPrintable(admin.error().toLogString()));
        NewUser ann;
        ann.username = QStringLiteral("ann");
        ann.displayName = QStringLiteral("Ann O'Hara “the analyst” — ünïcödé ☀");
        ann.password = QStringLiteral("analyst password");
        ann.quotaLimit = 40;
        auto analyst = accounts.createUser(Actor::user(*admin), ann);
        if (!analyst)
            qFatal("source analyst: %s", qPrintable(analyst.error().toLogString()));
        const QSqlDatabase db = connection();
        fillUserData(db, analyst->id, conversations, messagesEach);
        const auto run = [&db](const QString &sql, const QVariantList &values = {}) {
            if (auto done = execSql(db, sql, values); !done)
                qFatal("source: %s", qPrintable(done.error().toLogString()));
        };
        const qint64 conversation = countOf(db, QStringLiteral("SELECT MIN(id) FROM conversations"));
        run(QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, error, sources, created_at, updated_at) "
                           "VALUES (?, 'assistant', ?, 'failed', ?, ?, 1, 2)"),
            {conversation, QStringLiteral("Quotes ' \" and \\ backslash,\ttabs, new\nlines, emoji 🌞, NUL-free inverter text"),
             QStringLiteral("The endpoint said “no”."), QStringLiteral("[{\"title\":\"IEC 62446\"}]")});
        run(QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at) "
                           "VALUES (?, 'assistant', 'still streaming inverter', 'streaming', 3, 4)"),
            {conversation});
        run(QStringLiteral("INSERT INTO kb_documents (agent_id, title, source, content, content_hash, imported_at) "
                           "VALUES ('om', 'Inverter faults', 'manual.md', 'Ground faults in string inverters…', 'abc123', 5)"));
        run(QStringLiteral("INSERT INTO app_state (key, value, updated_at) VALUES ('test.key', 'a value', 6)"));
    }

    [[nodiscard]] const QString &path() const { return m_path; }
    [[nodiscard]] Database &database() const { return *m_database; }
    [[nodiscard]] QSqlDatabase connection() const { return connectionOf(*m_database); }
    /// Closes the file, so that a heliodeskctl process has it to itself.
    void close() { m_database.reset(); }

private:
    QString m_path;
    std::shared_ptr<Database> m_database;
};

DatabaseCopy::Options options()
{
    DatabaseCopy::Options o;
    o.actorName = QStringLiteral("tst_ctlmigrate");
    o.nowMs = 1'700'000'000'000;
    return o;
}

/// What a target holds, as the counts the tests look at.
struct Counts {
    qint64 users = 0;
    qint64 conversations = 0;
    qint64 messages = 0;
    qint64 agents = 0;
    qint64 plans = 0;
    qint64 audit = 0;
};

Counts countsOf(const QSqlDatabase &db)
{
    return Counts{countOf(db, QStringLiteral("SELECT count(*) FROM users")),
                  countOf(db, QStringLiteral("SELECT count(*) FROM conversations")),
                  countOf(db, QStringLiteral("SELECT count(*) FROM messages")),
                  countOf(db, QStringLiteral("SELECT count(*) FROM agents")),
                  countOf(db, QStringLiteral("SELECT count(*) FROM plans")),
                  countOf(db, QStringLiteral("SELECT count(*) FROM audit_log"))};
}

/// Fails the test when `target` holds anything beyond what a fresh database holds.
#define QVERIFY_FRESH(db)                                                                                                \
    do {                                                                                                                 \
        const Counts c_ = countsOf(db);                                                                                  \
        QCOMPARE(c_.users, 0);                                                                                           \
        QCOMPARE(c_.conversations, 0);                                                                                   \
        QCOMPARE(c_.messages, 0);                                                                                        \
        QCOMPARE(c_.audit, 0);                                                                                           \
        QCOMPARE(c_.agents, 4);                                                                                          \
        QCOMPARE(c_.plans, 2);                                                                                           \
    } while (false)

void compareAll(const QHash<QString, QByteArray> &expected, const QHash<QString, QByteArray> &actual, const char *what)
{
    for (const auto &[table, order] : comparedTables()) {
        Q_UNUSED(order)
        if (expected.value(table) != actual.value(table))
            QFAIL(qPrintable(QStringLiteral("%1: table %2 differs: %3 against %4")
                                 .arg(QString::fromUtf8(what), table, QString::fromLatin1(expected.value(table)),
                                      QString::fromLatin1(actual.value(table)))));
    }
}

} // namespace

class TestCtlMigrate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void copyKeepsEveryRowAndIndex();
    void copyContinuesIdsAfterTheLargest();
    void nonEmptyTargetIsRefused();
    void failurePartWayLeavesTargetEmpty();
    void checksumMismatchRollsBackAndNamesTheTable();
    void differentSchemaVersionIsRefused();
    void ctlUsage();
    void ctlRefusesNonEmptyTarget();
    void ctlBackupOfTeamDatabase();
    void hundredThousandMessages();
};

void TestCtlMigrate::copyKeepsEveryRowAndIndex()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 12, 10);
    TestDatabase target;
    QVERIFY2(target.isValid(), qPrintable(target.openError().toLogString()));
    const auto expected = checksums(source.connection());

    QList<std::pair<qint64, qint64>> progress;
    DatabaseCopy::Options o = options();
    o.progress = [&progress](qint64 copied, qint64 total) { progress.append({copied, total}); };
    auto copied = DatabaseCopy::copy(source.database(), *target.database(), o);
    QVERIFY2(copied, qPrintable(problemOf(copied)));

    compareAll(expected, checksums(target.connection()), "source → target");
    QCOMPARE(countOf(target.connection(), QStringLiteral("SELECT count(*) FROM messages")), 12 * 10 + 2);
    // The copier's own account agrees with the tables.
    qint64 rows = 0;
    for (const DatabaseCopy::TableCopy &t : copied->tables) {
        const QString sql = u"SELECT count(*) FROM " + t.name;
        QCOMPARE(t.rows, countOf(source.connection(), sql));
        QCOMPARE(t.checksum.size(), 64);
        rows += t.rows;
    }
    QCOMPARE(copied->rows, rows);
    QVERIFY(std::any_of(copied->tables.cbegin(), copied->tables.cend(), [](const auto &t) { return t.name == u"messages"; }));
    // Parents before children.
    const auto position = [&copied](const QString &name) {
        return std::find_if(copied->tables.cbegin(), copied->tables.cend(), [&name](const auto &t) { return t.name == name; })
            - copied->tables.cbegin();
    };
    QVERIFY(position(QStringLiteral("users")) < position(QStringLiteral("conversations")));
    QVERIFY(position(QStringLiteral("usage_events")) < position(QStringLiteral("messages")));
    QVERIFY(position(QStringLiteral("messages")) < position(QStringLiteral("feedback")));
    // Progress rose to the total.
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().first, rows);
    QCOMPARE(progress.last().second, rows);
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress[i].first > progress[i - 1].first);

    // Exactly one audit entry says where the data came from.
    QCOMPARE(countOf(target.connection(), u"SELECT count(*) FROM audit_log WHERE " + exceptCopies().replace(QStringLiteral("<>"), QStringLiteral("="))),
             1);
    auto entry = execSql(target.connection(), QStringLiteral("SELECT actor_name, target_name, details FROM audit_log WHERE action = ?"),
                         {DatabaseCopy::auditAction()});
    QVERIFY(entry && entry->next());
    QCOMPARE(entry->value(0).toString(), QStringLiteral("tst_ctlmigrate"));
    QCOMPARE(entry->value(1).toString(), source.path());
    QVERIFY2(entry->value(2).toString().contains(QStringLiteral("\"engine\":\"sqlite\"")), qPrintable(entry->value(2).toString()));

    // The full-text index of the target finds what the source's finds: every finished message.
    QCOMPARE(searchHits(target.connection()), searchHits(source.connection()));
    QCOMPARE(searchHits(target.connection()), 12 * 10 + 1);
}

void TestCtlMigrate::copyContinuesIdsAfterTheLargest()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 3, 4);
    // A gap at the end: the largest ids were deleted in the source, SQLite's AUTOINCREMENT remembers them.
    QVERIFY(execSql(source.connection(), QStringLiteral("DELETE FROM survey_responses WHERE id = (SELECT MAX(id) FROM survey_responses)")));
    TestDatabase target;
    auto copied = DatabaseCopy::copy(source.database(), *target.database(), options());
    QVERIFY2(copied, qPrintable(problemOf(copied)));

    const qint64 maxMessage = countOf(target.connection(), QStringLiteral("SELECT MAX(id) FROM messages"));
    const qint64 conversation = countOf(target.connection(), QStringLiteral("SELECT MIN(id) FROM conversations"));
    {
        auto inserted = execSql(target.connection(),
                                QStringLiteral("INSERT INTO messages (conversation_id, role, content, created_at, updated_at) "
                                               "VALUES (?, 'user', 'after the copy', 7, 7) RETURNING id"),
                                {conversation});
        QVERIFY2(inserted, qPrintable(problemOf(inserted)));
        QVERIFY(inserted->next());
        QVERIFY2(inserted->value(0).toLongLong() > maxMessage,
                 qPrintable(QStringLiteral("new id %1, largest copied %2").arg(inserted->value(0).toLongLong()).arg(maxMessage)));
        inserted->finish();
    }
    // Every table with generated ids takes a new row after the copy (no duplicate key).
    NewUser bob;
    bob.username = QStringLiteral("bob");
    bob.password = QStringLiteral("bob password 1");
    auto user = target.accounts().createUser(Actor::system(QStringLiteral("test")), bob);
    QVERIFY2(user, qPrintable(problemOf(user)));
    QVERIFY(execSql(target.connection(), QStringLiteral("INSERT INTO plans (name, monthly_limit, is_default, created_at) VALUES ('New', 5, 0, 8)")));
    QVERIFY(execSql(target.connection(), QStringLiteral("INSERT INTO survey_responses (user_id, score, comment, created_at) "
                                                        "VALUES (?, 3, '', 9)"),
                    {user->id}));
}

void TestCtlMigrate::nonEmptyTargetIsRefused()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 2, 2);
    TestDatabase target;
    target.createAnalyst(QStringLiteral("already-here"));
    const auto before = checksums(target.connection());

    auto copied = DatabaseCopy::copy(source.database(), *target.database(), options());
    QVERIFY(!copied);
    QCOMPARE(copied.error().code(), ErrorCode::InvalidInput);
    QVERIFY2(copied.error().message().contains(QStringLiteral("not empty")), qPrintable(copied.error().message()));
    QVERIFY2(copied.error().message().contains(QStringLiteral("2 rows in users")), qPrintable(copied.error().message()));
    QVERIFY2(copied.error().message().contains(QStringLiteral("audit_log")), qPrintable(copied.error().message()));
    compareAll(before, checksums(target.connection()), "refused target");
}

void TestCtlMigrate::failurePartWayLeavesTargetEmpty()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 4, 6);
    TestDatabase target;
    // Users, plans, conversations and usage rows go in first; the first batch of messages fails.
    installFailingTrigger(target.connection(), QStringLiteral("no_messages"), QStringLiteral("messages"), QStringLiteral("INSERT"),
                          QStringLiteral("injected failure on messages"));
    qint64 progressed = 0;
    DatabaseCopy::Options o = options();
    o.progress = [&progressed](qint64 copied, qint64) { progressed = copied; };
    auto copied = DatabaseCopy::copy(source.database(), *target.database(), o);
    QVERIFY(!copied);
    QVERIFY2(copied.error().code() == ErrorCode::ConstraintViolated, qPrintable(copied.error().toLogString().right(400)));
    QVERIFY2(copied.error().message().contains(QStringLiteral("messages")), qPrintable(copied.error().toLogString()));
    QVERIFY2(progressed > 0, "the failure came part-way, after other tables were written");
    QVERIFY_FRESH(target.connection());

    // Nothing is left over that would block the next attempt.
    dropFailingTrigger(target.connection(), QStringLiteral("no_messages"), QStringLiteral("messages"));
    auto again = DatabaseCopy::copy(source.database(), *target.database(), options());
    QVERIFY2(again, qPrintable(problemOf(again)));
    compareAll(checksums(source.connection()), checksums(target.connection()), "second attempt");
}

void TestCtlMigrate::checksumMismatchRollsBackAndNamesTheTable()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 2, 3);
    TestDatabase target;
    // The target quietly changes one message's text as it goes in: the count matches, the content does not.
    const QSqlDatabase db = target.connection();
    QStringList statements;
    if (onPostgres()) {
        statements << QStringLiteral("CREATE FUNCTION garble_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                     "IF NEW.id = 2 THEN NEW.content := NEW.content || '!'; END IF; RETURN NEW; END $$")
                   << QStringLiteral("CREATE TRIGGER garble BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION garble_fn()");
    } else {
        statements << QStringLiteral("CREATE TRIGGER garble AFTER INSERT ON messages WHEN new.id = 2 BEGIN "
                                     "UPDATE messages SET content = content || '!' WHERE id = new.id; END");
    }
    for (const QString &sql : std::as_const(statements))
        QVERIFY2(execSql(db, sql), qPrintable(sql));

    auto copied = DatabaseCopy::copy(source.database(), *target.database(), options());
    QVERIFY(!copied);
    QVERIFY2(copied.error().message().contains(QStringLiteral("table messages")), qPrintable(copied.error().toLogString()));
    QVERIFY2(copied.error().message().contains(QStringLiteral("different content")), qPrintable(copied.error().toLogString()));
    QVERIFY_FRESH(db);
}

void TestCtlMigrate::differentSchemaVersionIsRefused()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 1, 1);
    TestDatabase target;
    // A source from the future, as far as the target's version goes.
    QVERIFY(execSql(source.connection(), QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)"),
                    {latestSchemaVersion() + 1}));
    auto copied = DatabaseCopy::copy(source.database(), *target.database(), options());
    QVERIFY(!copied);
    QCOMPARE(copied.error().code(), ErrorCode::InvalidInput);
    QVERIFY2(copied.error().message().contains(QStringLiteral("schema version")), qPrintable(copied.error().message()));
    QVERIFY_FRESH(target.connection());
}

void TestCtlMigrate::ctlUsage()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 1, 1);
    source.close();
    const QProcessEnvironment env = isolatedEnvironment(dir.path(), Isolation::Database);

    const CtlRun help = runCtl({QStringLiteral("--help")}, env);
    QCOMPARE_EXIT(help, Success);
    QVERIFY(help.out.contains(QStringLiteral("db migrate-to TARGET")));
    QVERIFY(help.out.contains(QStringLiteral("postgresql://")));

    const CtlRun noTarget = runCtl({QStringLiteral("--db"), source.path(), QStringLiteral("db"), QStringLiteral("migrate-to")}, env);
    QCOMPARE_EXIT(noTarget, Usage);
    QVERIFY2(isOneErrorLine(noTarget.err), qPrintable(noTarget.describe()));

    const CtlRun itself = runCtl({QStringLiteral("--db"), source.path(), QStringLiteral("db"), QStringLiteral("migrate-to"), source.path()}, env);
    QCOMPARE_EXIT(itself, Usage);
    QVERIFY2(itself.err.contains(QStringLiteral("into itself")), qPrintable(itself.describe()));

    const QString missing = QDir(dir.path()).filePath(QStringLiteral("missing.sqlite3"));
    const CtlRun noSource = runCtl({QStringLiteral("--db"), missing, QStringLiteral("db"), QStringLiteral("migrate-to"),
                                    QDir(dir.path()).filePath(QStringLiteral("copy.sqlite3"))},
                                   env);
    QCOMPARE_EXIT(noSource, NotFoundOrNotAllowed);
    QVERIFY(!QFile::exists(missing));
    QVERIFY(!QFile::exists(QDir(dir.path()).filePath(QStringLiteral("copy.sqlite3"))));

    const CtlRun badUrl = runCtl({QStringLiteral("--db"), source.path(), QStringLiteral("db"), QStringLiteral("migrate-to"),
                                  QStringLiteral("postgresql://127.0.0.1:1/nothing")},
                                 env);
    QCOMPARE_EXIT(badUrl, Failure);
    QVERIFY2(isOneErrorLine(badUrl.err), qPrintable(badUrl.describe()));
}

void TestCtlMigrate::ctlRefusesNonEmptyTarget()
{
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 1, 2);
    source.close();
    TestDatabase target;
    target.createAnalyst(QStringLiteral("already-here"));
    const auto before = checksums(target.connection());
    const CtlRun run = runCtl({QStringLiteral("--db"), source.path(), QStringLiteral("db"), QStringLiteral("migrate-to"), target.locationText()},
                              isolatedEnvironment(dir.path(), Isolation::Database));
    QCOMPARE_EXIT(run, Usage);
    QVERIFY2(isOneErrorLine(run.err), qPrintable(run.describe()));
    QVERIFY2(run.err.contains(QStringLiteral("not empty")) && run.err.contains(QStringLiteral("rows in users")), qPrintable(run.describe()));
    compareAll(before, checksums(target.connection()), "refused target");
}

void TestCtlMigrate::ctlBackupOfTeamDatabase()
{
    if (!onPostgres())
        QSKIP("db backup of a SQLite database is VACUUM INTO (tst_heliodeskctl); this is the team database's backup");
    QTemporaryDir dir;
    SourceDatabase source(dir.path(), 3, 5);
    TestDatabase team;
    auto filled = DatabaseCopy::copy(source.database(), *team.database(), options());
    QVERIFY2(filled, qPrintable(problemOf(filled)));
    const auto expected = checksums(team.connection());
    const qint64 auditBefore = countOf(team.connection(), QStringLiteral("SELECT count(*) FROM audit_log"));

    const QString file = QDir(dir.path()).filePath(QStringLiteral("team-backup.sqlite3"));
    const QProcessEnvironment env = isolatedEnvironment(dir.path(), Isolation::Database);
    const CtlRun run = runCtl({QStringLiteral("--db"), team.locationText(), QStringLiteral("db"), QStringLiteral("backup"), file}, env);
    QCOMPARE_EXIT(run, Success);
    QVERIFY2(run.out.contains(QStringLiteral("Backed up")), qPrintable(run.describe()));
    QVERIFY(QFile::exists(file));
    QVERIFY(!QFile::exists(file + u".partial"));
    QVERIFY2(!QFile::exists(file + u"-wal"), "the backup is one file");
    QVERIFY(readFile(file).startsWith("SQLite format 3"));

    // The team database notes the backup as a SQLite one notes its own.
    QCOMPARE(countOf(team.connection(), QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'database.backup'")), 1);
    QCOMPARE(countOf(team.connection(), QStringLiteral("SELECT count(*) FROM audit_log")), auditBefore + 1);

    auto backup = Database::open(DatabaseLocation::sqliteFile(file));
    QVERIFY2(backup, qPrintable(problemOf(backup)));
    compareAll(expected, checksums(connectionOf(**backup)), "team → backup");
    QCOMPARE(searchHits(connectionOf(**backup)), searchHits(team.connection()));
    backup->reset();

    const CtlRun again = runCtl({QStringLiteral("--db"), team.locationText(), QStringLiteral("db"), QStringLiteral("backup"), file}, env);
    QCOMPARE_EXIT(again, Usage);
    QVERIFY2(again.err.contains(QStringLiteral("already exists")), qPrintable(again.describe()));
}

void TestCtlMigrate::hundredThousandMessages()
{
    QTemporaryDir dir;
    QElapsedTimer timer;
    timer.start();
    SourceDatabase source(dir.path(), 1000, 100); // 100,000 messages of fillUserData, and two more
    const qint64 fillMs = timer.elapsed();
    const auto expected = checksums(source.connection());
    const qint64 messages = countOf(source.connection(), QStringLiteral("SELECT count(*) FROM messages"));
    QCOMPARE(messages, 100'002);
    const qint64 hits = searchHits(source.connection());
    source.close();
    const QProcessEnvironment env = isolatedEnvironment(dir.path(), Isolation::Database);

    // SQLite → the engine of this run: a new SQLite file, or an empty PostgreSQL schema.
    std::unique_ptr<TestDatabase> team;
    QString target;
    if (onPostgres()) {
        team = std::make_unique<TestDatabase>();
        target = team->locationText();
    } else {
        target = QDir(dir.path()).filePath(QStringLiteral("copy.sqlite3"));
    }
    LiveCtl forth({QStringLiteral("--db"), source.path(), QStringLiteral("db"), QStringLiteral("migrate-to"), target, QStringLiteral("--json")}, env);
    const CtlRun there = forth.finish(300'000);
    const auto report = json(there);
    QVERIFY2(report, qPrintable(there.describe()));
    QCOMPARE(report->object().value(QStringLiteral("verified")).toBool(), true);
    qint64 reportedMessages = -1;
    for (const auto &t : report->object().value(QStringLiteral("tables")).toArray())
        if (t.toObject().value(QStringLiteral("name")).toString() == u"messages")
            reportedMessages = t.toObject().value(QStringLiteral("rows")).toInteger();
    QCOMPARE(reportedMessages, messages);

    std::shared_ptr<Database> copyDb;
    if (team) {
        copyDb = team->database();
    } else {
        auto opened = Database::open(DatabaseLocation::sqliteFile(target));
        QVERIFY2(opened, qPrintable(problemOf(opened)));
        copyDb = *opened;
    }
    compareAll(expected, checksums(connectionOf(*copyDb)), "source → target");
    QCOMPARE(countOf(connectionOf(*copyDb), QStringLiteral("SELECT count(*) FROM messages")), messages);
    QCOMPARE(searchHits(connectionOf(*copyDb)), hits);
    qint64 backMs = -1;

    if (team) {
        // … and back: the team database into a new SQLite file, as a backup would be.
        const QString back = QDir(dir.path()).filePath(QStringLiteral("back.sqlite3"));
        LiveCtl home({QStringLiteral("--db"), target, QStringLiteral("db"), QStringLiteral("migrate-to"), back}, env);
        const CtlRun returned = home.finish(300'000);
        QCOMPARE_EXIT(returned, Success);
        QVERIFY2(returned.out.contains(QStringLiteral("Every table's row count and checksum match")), qPrintable(returned.describe()));
        backMs = returned.elapsedMs;
        auto opened = Database::open(DatabaseLocation::sqliteFile(back));
        QVERIFY2(opened, qPrintable(problemOf(opened)));
        compareAll(expected, checksums(connectionOf(**opened)), "source → team → back");
        QCOMPARE(searchHits(connectionOf(**opened)), hits);
        // The way back carried the first copy's audit entry and added its own.
        QCOMPARE(countOf(connectionOf(**opened), u"SELECT count(*) FROM audit_log WHERE action = '" + DatabaseCopy::auditAction() + u'\''), 2);
    }
    qInfo("100,000 messages (%lld rows in all): filled in %lld ms; migrate-to %s %lld ms (copier %lld ms)%s",
          qint64(report->object().value(QStringLiteral("rows")).toInteger()), fillMs, onPostgres() ? "PostgreSQL" : "SQLite",
          there.elapsedMs, qint64(report->object().value(QStringLiteral("elapsed_ms")).toInteger()),
          backMs >= 0 ? qPrintable(QStringLiteral("; back to SQLite %1 ms").arg(backMs)) : "");
}

QTEST_GUILESS_MAIN(TestCtlMigrate)
#include "tst_ctlmigrate.moc"
