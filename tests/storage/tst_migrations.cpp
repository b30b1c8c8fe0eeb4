// Schema migrations: order, atomicity, idempotence, dialects and the product schema itself.

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include "storagetesthelpers.h"
#include "support/testdatabase.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDateTime>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <array>
#include <memory>
#include <vector>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::onPostgres;
using heliodesk::test::RawConnection;
using heliodesk::test::tableNames;

Q_DECLARE_METATYPE(heliodesk::Database::Dialect)
Q_DECLARE_METATYPE(heliodesk::ErrorCode)

namespace {

/// Three migrations that depend on each other and log the order in which they ran.
std::vector<Migration> chainedMigrations()
{
    return {
        Migration{1,
                  QStringLiteral("log"),
                  {
                      QStringLiteral("CREATE TABLE run_log (id {{ID}}, step INTEGER NOT NULL)"),
                      QStringLiteral("CREATE TABLE one (id {{ID}}, name TEXT NOT NULL)"),
                      QStringLiteral("INSERT INTO run_log (step) VALUES (1)"),
                  }},
        Migration{2,
                  QStringLiteral("column"),
                  {
                      QStringLiteral("ALTER TABLE one ADD COLUMN size {{BIGINT}}"),
                      QStringLiteral("INSERT INTO run_log (step) VALUES (2)"),
                  }},
        Migration{3,
                  QStringLiteral("data"),
                  {
                      QStringLiteral("INSERT INTO one (name, size) VALUES ('needs the column of 2', 3)"),
                      QStringLiteral("INSERT INTO run_log (step) VALUES (3)"),
                  }},
    };
}

QList<int> runLog(const QSqlDatabase &db)
{
    QList<int> steps;
    auto query = execSql(db, QStringLiteral("SELECT step FROM run_log ORDER BY id"));
    if (!query)
        return {-1};
    while (query->next())
        steps << query->value(0).toInt();
    return steps;
}

int intValue(const QSqlDatabase &db, const QString &sql)
{
    auto value = scalar(db, sql);
    return value ? value->toInt() : -1;
}

Database::Dialect testDialect()
{
    return onPostgres() ? Database::Dialect::PostgreSql : Database::Dialect::Sqlite;
}

QAtomicInteger<int> scratchCounter;

/// A database with nothing in it, as a new one is before Database::open migrates it: a file in a
/// temporary folder, or on the PostgreSQL test cluster an empty schema of its own (dropped again
/// by the destructor), reached through a bare connection.
class EmptyDatabase
{
public:
    explicit EmptyDatabase(const QString &name)
    {
        if (onPostgres()) {
            m_schema = QStringLiteral("m_%1_%2").arg(QCoreApplication::applicationPid()).arg(++scratchCounter);
            m_admin = std::make_unique<RawConnection>(*DatabaseLocation::parse(test::postgresServerUrl()));
            (void)m_admin->exec(u"DROP SCHEMA IF EXISTS " + m_schema + u" CASCADE");
            m_created = m_admin->exec(u"CREATE SCHEMA " + m_schema).has_value();
        } else {
            m_created = m_dir.isValid();
        }
        m_path = m_dir.filePath(name + u".sqlite3");
        m_raw = std::make_unique<RawConnection>(location());
    }
    ~EmptyDatabase()
    {
        m_raw.reset();
        if (m_admin)
            (void)m_admin->exec(u"DROP SCHEMA IF EXISTS " + m_schema + u" CASCADE");
    }
    EmptyDatabase(const EmptyDatabase &) = delete;
    EmptyDatabase &operator=(const EmptyDatabase &) = delete;

    [[nodiscard]] bool isOpen() const { return m_created && m_raw->isOpen(); }
    [[nodiscard]] QString lastError() const { return m_raw->lastError(); }
    [[nodiscard]] QSqlDatabase db() const { return m_raw->db(); }
    [[nodiscard]] DatabaseLocation location() const
    {
        if (m_schema.isEmpty())
            return DatabaseLocation::sqliteFile(m_path);
        QUrl url(test::postgresServerUrl());
        QUrlQuery query(url);
        query.addQueryItem(QStringLiteral("options"), u"-c search_path=" + m_schema);
        url.setQuery(query);
        return *DatabaseLocation::parse(url.toString(QUrl::FullyEncoded));
    }
    /// Closes the bare connection, so that only Database's own remain.
    void closeRaw() { m_raw.reset(); }

private:
    QTemporaryDir m_dir;
    QString m_path;
    QString m_schema;
    bool m_created = false;
    std::unique_ptr<RawConnection> m_admin;
    std::unique_ptr<RawConnection> m_raw;
};

/// The schema as text, to tell whether a second run changed anything: SQLite's own CREATE
/// statements, or on PostgreSQL every column with its type and default, every constraint and index.
QStringList schemaText(const QSqlDatabase &db)
{
    QStringList sql;
    const QStringList queries = db.driverName() == u"QPSQL"
        ? QStringList{QStringLiteral("SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' "
                                     "|| COALESCE(column_default, '') FROM information_schema.columns "
                                     "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"),
                      QStringLiteral("SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) "
                                     "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1"),
                      QStringLiteral("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")}
        : QStringList{QStringLiteral("SELECT sql FROM sqlite_master ORDER BY name")};
    for (const QString &query : queries) {
        auto q = execSql(db, query);
        if (!q)
            return {q.error().toLogString()};
        while (q->next())
            sql << q->value(0).toString();
    }
    return sql;
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void productMigrationsAreWellFormed();
    void freshDatabaseGetsLatestVersion();
    void applyInOrder();
    void upgradeRunsOnlyNewerMigrations();
    void failingMigrationKeepsPreviousVersion_data();
    void failingMigrationKeepsPreviousVersion();
    void rerunIsIdempotent();
    void reopenIsIdempotent();
    void refusesNewerDatabase();
    void translateDialect_data();
    void translateDialect();
    void noTokenLeftUntranslated_data();
    void noTokenLeftUntranslated();
    void nowIsMilliseconds();
    void productTablesExist_data();
    void productTablesExist();
    void messageStatusCheck_data();
    void messageStatusCheck();
    void sameSchemaOnBothEngines();
    void concurrentFirstOpensMigrateOnce();

private:
    std::unique_ptr<EmptyDatabase> m_empty;
    [[nodiscard]] QSqlDatabase db() const { return m_empty->db(); }
};

void TestMigrations::init()
{
    // A bare connection, as a fresh file (or schema) would be before Database::open migrates it.
    m_empty = std::make_unique<EmptyDatabase>(QStringLiteral("migrations"));
    QVERIFY2(m_empty->isOpen(), qPrintable(m_empty->lastError()));
}

void TestMigrations::cleanup()
{
    m_empty.reset();
    QCOMPARE(Database::openConnectionCount(), 0);
}

void TestMigrations::productMigrationsAreWellFormed()
{
    const auto &migrations = schemaMigrations();
    QVERIFY(!migrations.empty());
    QCOMPARE(migrations.front().version, 1);
    int previous = 0;
    for (const Migration &migration : migrations) {
        QVERIFY2(migration.version > previous, qPrintable(migration.name));
        QVERIFY(!migration.name.isEmpty());
        QVERIFY(!migration.statements.isEmpty());
        previous = migration.version;
    }
    QCOMPARE(latestSchemaVersion(), migrations.back().version);
}

void TestMigrations::freshDatabaseGetsLatestVersion()
{
    auto before = schemaVersion(db());
    QVERIFY(before.has_value());
    QCOMPARE(*before, 0);

    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    auto migrated = migrateSchema(db(), testDialect());
    QVERIFY2(migrated.has_value(), qPrintable(migrated ? QString() : migrated.error().toLogString()));

    auto after = schemaVersion(db());
    QVERIFY(after.has_value());
    QCOMPARE(*after, latestSchemaVersion());
    // One row per migration, with its name and when it was applied.
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM schema_migrations")), int(schemaMigrations().size()));
    for (const Migration &migration : schemaMigrations()) {
        auto row = execSql(db(), QStringLiteral("SELECT name, applied_at FROM schema_migrations WHERE version = ?"), {migration.version});
        QVERIFY(row.has_value() && row->next());
        QCOMPARE(row->value(0).toString(), migration.name);
        QVERIFY(row->value(1).toLongLong() >= started);
    }
}

void TestMigrations::applyInOrder()
{
    const auto migrations = chainedMigrations();
    auto migrated = migrateSchema(db(), testDialect(), migrations);
    QVERIFY2(migrated.has_value(), qPrintable(migrated ? QString() : migrated.error().toLogString()));
    QCOMPARE(*schemaVersion(db()), 3);
    QCOMPARE(runLog(db()), (QList<int>{1, 2, 3}));
    QCOMPARE(intValue(db(), QStringLiteral("SELECT size FROM one")), 3);
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM schema_migrations")), 3);
}

void TestMigrations::upgradeRunsOnlyNewerMigrations()
{
    const auto all = chainedMigrations();
    // An "older program" knew only the first migration.
    QVERIFY(migrateSchema(db(), testDialect(), std::span(all).first(1)).has_value());
    QCOMPARE(*schemaVersion(db()), 1);
    QCOMPARE(runLog(db()), QList<int>{1});

    // The newer program applies 2 and 3 and does not run 1 again.
    auto migrated = migrateSchema(db(), testDialect(), all);
    QVERIFY2(migrated.has_value(), qPrintable(migrated ? QString() : migrated.error().toLogString()));
    QCOMPARE(*schemaVersion(db()), 3);
    QCOMPARE(runLog(db()), (QList<int>{1, 2, 3}));
}

void TestMigrations::failingMigrationKeepsPreviousVersion_data()
{
    QTest::addColumn<QString>("badStatement");
    QTest::addColumn<ErrorCode>("code");

    QTest::newRow("invalid SQL") << QStringLiteral("CREATE TABLE broken (") << ErrorCode::Internal;
    QTest::newRow("unknown table") << QStringLiteral("INSERT INTO missing (x) VALUES (1)") << ErrorCode::Internal;
    QTest::newRow("constraint") << QStringLiteral("INSERT INTO one (name) VALUES (NULL)") << ErrorCode::ConstraintViolated;
}

void TestMigrations::failingMigrationKeepsPreviousVersion()
{
    QFETCH(QString, badStatement);
    QFETCH(ErrorCode, code);

    std::vector<Migration> migrations = {
        Migration{1, QStringLiteral("first"), {QStringLiteral("CREATE TABLE one (id {{ID}}, name TEXT NOT NULL)")}},
        Migration{2, QStringLiteral("second"), {
            QStringLiteral("CREATE TABLE two_a (id {{ID}})"),
            badStatement,
            QStringLiteral("CREATE TABLE two_b (id {{ID}})"),
        }},
        Migration{3, QStringLiteral("third"), {QStringLiteral("CREATE TABLE three (id {{ID}})")}},
    };

    auto migrated = migrateSchema(db(), testDialect(), migrations);
    QVERIFY(!migrated.has_value());
    const QString problem = humanErrorProblem(migrated.error(), code);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(migrated.error().message().contains(u"schema 2"), qPrintable(migrated.error().message()));

    // Migration 1 stays; nothing of 2 (not even its first statement) and nothing after it.
    QCOMPARE(*schemaVersion(db()), 1);
    const QStringList tables = tableNames(db());
    QVERIFY2(tables.contains(QStringLiteral("one")), qPrintable(tables.join(u' ')));
    QVERIFY2(!tables.contains(QStringLiteral("two_a")), qPrintable(tables.join(u' ')));
    QVERIFY(!tables.contains(QStringLiteral("two_b")));
    QVERIFY(!tables.contains(QStringLiteral("three")));
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM schema_migrations WHERE version >= 2")), 0);

    // No transaction was left open on the connection.
    {
        auto txn = Transaction::begin(db());
        QVERIFY2(txn.has_value(), qPrintable(txn ? QString() : txn.error().toLogString()));
    }

    // Once fixed, the same run continues from version 1.
    migrations[1].statements[1] = QStringLiteral("CREATE TABLE fixed (id {{ID}})");
    auto retried = migrateSchema(db(), testDialect(), migrations);
    QVERIFY2(retried.has_value(), qPrintable(retried ? QString() : retried.error().toLogString()));
    QCOMPARE(*schemaVersion(db()), 3);
    for (const QString &table : {QStringLiteral("two_a"), QStringLiteral("fixed"), QStringLiteral("two_b"), QStringLiteral("three")})
        QVERIFY2(tableNames(db()).contains(table), qPrintable(table));
}

void TestMigrations::rerunIsIdempotent()
{
    QVERIFY(migrateSchema(db(), testDialect()).has_value());
    const QStringList schemaBefore = schemaText(db());
    QVERIFY(schemaBefore.size() > 10);
    const int agents = intValue(db(), QStringLiteral("SELECT count(*) FROM agents"));
    const int plans = intValue(db(), QStringLiteral("SELECT count(*) FROM plans"));
    const int planAgents = intValue(db(), QStringLiteral("SELECT count(*) FROM plan_agents"));
    QCOMPARE(agents, 4);
    QCOMPARE(plans, 2);
    QCOMPARE(planAgents, 8);

    for (int i = 0; i < 2; ++i) {
        auto again = migrateSchema(db(), testDialect());
        QVERIFY2(again.has_value(), qPrintable(again ? QString() : again.error().toLogString()));
    }
    QCOMPARE(*schemaVersion(db()), latestSchemaVersion());
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM schema_migrations")), int(schemaMigrations().size()));
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM agents")), agents);
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM plans")), plans);
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM plan_agents")), planAgents);
    QCOMPARE(schemaText(db()), schemaBefore);

    // Custom lists are idempotent too: the chained ones would fail on a second CREATE TABLE.
    EmptyDatabase other(QStringLiteral("chained"));
    QVERIFY2(other.isOpen(), qPrintable(other.lastError()));
    const auto chained = chainedMigrations();
    QVERIFY(migrateSchema(other.db(), testDialect(), chained).has_value());
    QVERIFY(migrateSchema(other.db(), testDialect(), chained).has_value());
    QCOMPARE(runLog(other.db()), (QList<int>{1, 2, 3}));
}

void TestMigrations::reopenIsIdempotent()
{
    m_empty->closeRaw();
    for (int i = 0; i < 3; ++i) {
        auto opened = Database::open(m_empty->location());
        QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
        const QSqlDatabase conn = *(*opened)->connection();
        QCOMPARE(intValue(conn, QStringLiteral("SELECT count(*) FROM schema_migrations")), int(schemaMigrations().size()));
        QCOMPARE(intValue(conn, QStringLiteral("SELECT count(*) FROM plans")), 2);
    }
}

void TestMigrations::refusesNewerDatabase()
{
    const auto all = chainedMigrations();
    QVERIFY(migrateSchema(db(), testDialect(), all).has_value());

    // A program that knows only up to 2 must not touch a database at 3.
    auto older = migrateSchema(db(), testDialect(), std::span(all).first(2));
    QVERIFY(!older.has_value());
    const QString problem = humanErrorProblem(older.error(), ErrorCode::DatabaseTooNew);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(older.error().message().contains(u"3"));

    QVERIFY(checkSchemaNotNewer(db(), 3).has_value());
    auto checked = checkSchemaNotNewer(db(), 2);
    QVERIFY(!checked.has_value());
    QCOMPARE(checked.error().code(), ErrorCode::DatabaseTooNew);

    QCOMPARE(*schemaVersion(db()), 3);
    QCOMPARE(runLog(db()), (QList<int>{1, 2, 3}));
}

void TestMigrations::translateDialect_data()
{
    QTest::addColumn<QString>("statement");
    QTest::addColumn<Database::Dialect>("dialect");
    QTest::addColumn<QString>("expected");

    const auto sqlite = Database::Dialect::Sqlite;
    const auto postgres = Database::Dialect::PostgreSql;
    QTest::newRow("ID, SQLite") << QStringLiteral("CREATE TABLE t (id {{ID}})") << sqlite
                                << QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)");
    QTest::newRow("ID, PostgreSQL") << QStringLiteral("CREATE TABLE t (id {{ID}})") << postgres
                                    << QStringLiteral("CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)");
    QTest::newRow("BIGINT, SQLite") << QStringLiteral("x {{BIGINT}} NOT NULL") << sqlite << QStringLiteral("x INTEGER NOT NULL");
    QTest::newRow("BIGINT, PostgreSQL") << QStringLiteral("x {{BIGINT}} NOT NULL") << postgres << QStringLiteral("x BIGINT NOT NULL");
    QTest::newRow("NOW_MS, SQLite") << QStringLiteral("VALUES ({{NOW_MS}})") << sqlite
                                    << QStringLiteral("VALUES (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))");
    QTest::newRow("NOW_MS, PostgreSQL") << QStringLiteral("VALUES ({{NOW_MS}})") << postgres
                                        << QStringLiteral("VALUES (CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))");
    QTest::newRow("repeated tokens, SQLite") << QStringLiteral("a {{BIGINT}}, b {{BIGINT}}, c {{ID}}") << sqlite
                                             << QStringLiteral("a INTEGER, b INTEGER, c INTEGER PRIMARY KEY AUTOINCREMENT");
    QTest::newRow("repeated tokens, PostgreSQL")
        << QStringLiteral("a {{BIGINT}}, b {{BIGINT}}, c {{ID}}") << postgres
        << QStringLiteral("a BIGINT, b BIGINT, c BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    QTest::newRow("no tokens") << QStringLiteral("SELECT '{ID}', 1") << postgres << QStringLiteral("SELECT '{ID}', 1");
}

void TestMigrations::translateDialect()
{
    QFETCH(QString, statement);
    QFETCH(Database::Dialect, dialect);
    QFETCH(QString, expected);
    QCOMPARE(heliodesk::translateDialect(statement, dialect), expected);
}

void TestMigrations::noTokenLeftUntranslated_data()
{
    QTest::addColumn<Database::Dialect>("dialect");
    QTest::newRow("SQLite") << Database::Dialect::Sqlite;
    QTest::newRow("PostgreSQL") << Database::Dialect::PostgreSql;
}

void TestMigrations::noTokenLeftUntranslated()
{
    QFETCH(Database::Dialect, dialect);
    for (const Migration &migration : schemaMigrations()) {
        for (const QString &statement : migration.statements) {
            const QString sql = heliodesk::translateDialect(statement, dialect);
            QVERIFY2(!sql.contains(u"{{"), qPrintable(sql));
            // SQLite-only spellings must not reach PostgreSQL, and the other way round.
            if (dialect == Database::Dialect::PostgreSql)
                QVERIFY2(!sql.contains(u"AUTOINCREMENT") && !sql.contains(u"julianday"), qPrintable(sql));
            else
                QVERIFY2(!sql.contains(u"IDENTITY") && !sql.contains(u"clock_timestamp"), qPrintable(sql));
        }
    }
}

void TestMigrations::nowIsMilliseconds()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    auto now = scalar(db(), u"SELECT " + heliodesk::translateDialect(QStringLiteral("{{NOW_MS}}"), testDialect()));
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(now.has_value());
    const qint64 value = now->toLongLong();
    // julianday has millisecond precision but floating-point rounding: allow a little slack.
    QVERIFY2(value >= before - 5 && value <= after + 5, qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(value).arg(before).arg(after)));
}

void TestMigrations::productTablesExist_data()
{
    QTest::addColumn<QString>("table");
    for (const char *name : {"users", "plans", "plan_agents", "agents", "hired_agents", "conversations", "messages", "feedback",
                             "survey_responses", "usage_events", "audit_log", "schema_migrations"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestMigrations::productTablesExist()
{
    QFETCH(QString, table);
    QVERIFY(!tableNames(db()).contains(table));
    QVERIFY(migrateSchema(db(), testDialect()).has_value());
    QVERIFY2(tableNames(db()).contains(table), qPrintable(tableNames(db()).join(u' ')));
    // Queryable, with at least an id or key column.
    auto query = execSql(db(), u"SELECT * FROM " + table + u" LIMIT 0");
    QVERIFY(query.has_value());
}

void TestMigrations::messageStatusCheck_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<bool>("accepted");

    for (const char *status : {"streaming", "complete", "cancelled", "failed", "interrupted"})
        QTest::newRow(status) << QString::fromLatin1(status) << true;
    QTest::newRow("unknown") << QStringLiteral("exploded") << false;
    QTest::newRow("empty") << QStringLiteral("") << false;
    QTest::newRow("wrong case") << QStringLiteral("Complete") << false;
    QTest::newRow("trailing blank") << QStringLiteral("complete ") << false;
}

void TestMigrations::messageStatusCheck()
{
    QFETCH(QString, status);
    QFETCH(bool, accepted);

    QVERIFY(migrateSchema(db(), testDialect()).has_value());
    QVERIFY(execSql(db(), QStringLiteral("INSERT INTO users (id, username, role, plan_id, password_hash, created_at, password_changed_at) "
                                         "VALUES (1, 'ann', 'analyst', (SELECT id FROM plans WHERE is_default = 1), 'x', 0, 0)"))
                .has_value());
    QVERIFY(execSql(db(), QStringLiteral("INSERT INTO conversations (id, user_id, agent_id, created_at, updated_at) VALUES (1, 1, 'om', 0, 0)"))
                .has_value());

    auto inserted = execSql(db(), QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at) "
                                                 "VALUES (1, 'assistant', 'text', ?, 0, 0)"),
                            {status});
    QCOMPARE(inserted.has_value(), accepted);
    if (!accepted) {
        const QString problem = humanErrorProblem(inserted.error(), ErrorCode::ConstraintViolated);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(inserted.error().detail().contains(u"CHECK", Qt::CaseInsensitive), qPrintable(inserted.error().detail()));
    }
    QCOMPARE(intValue(db(), QStringLiteral("SELECT count(*) FROM messages")), accepted ? 1 : 0);
}

void TestMigrations::sameSchemaOnBothEngines()
{
    if (!onPostgres())
        QSKIP("compares with the PostgreSQL test cluster's schema: runs in the _pg variant");
    // This test's database is on the server; the same migrations also make a SQLite file here.
    QVERIFY(migrateSchema(db(), Database::Dialect::PostgreSql).has_value());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    RawConnection sqlite(dir.filePath(QStringLiteral("compare.sqlite3")));
    QVERIFY2(sqlite.isOpen(), qPrintable(sqlite.lastError()));
    QVERIFY(migrateSchema(sqlite.db(), Database::Dialect::Sqlite).has_value());

    // Every table with the same columns in the same order; only SQLite's full-text tables differ
    // (PostgreSQL indexes the same text with GIN indexes instead).
    const QMap<QString, QStringList> postgres = test::tableColumns(db());
    const QMap<QString, QStringList> sqliteColumns = test::tableColumns(sqlite.db());
    QVERIFY(postgres.contains(QStringLiteral("messages")));
    QVERIFY(postgres.value(QStringLiteral("users")).contains(QStringLiteral("survey_prompted_at")));
    QCOMPARE(postgres.keys(), sqliteColumns.keys());
    for (auto it = sqliteColumns.cbegin(); it != sqliteColumns.cend(); ++it)
        QCOMPARE(postgres.value(it.key()), it.value());
    // The full-text tables are the only ones left out.
    const QMap<QString, QStringList> allSqlite = test::tableColumns(sqlite.db(), false);
    for (auto it = allSqlite.cbegin(); it != allSqlite.cend(); ++it)
        QVERIFY2(sqliteColumns.contains(it.key()) || it.key().contains(u"_fts"), qPrintable(it.key()));

    // The same seed rows.
    for (const QString &table : {QStringLiteral("agents"), QStringLiteral("plans"), QStringLiteral("plan_agents"),
                                 QStringLiteral("schema_migrations")}) {
        const QString count = u"SELECT count(*) FROM " + table; // names from the fixed list above
        QCOMPARE(intValue(db(), count), intValue(sqlite.db(), count));
    }
}

void TestMigrations::concurrentFirstOpensMigrateOnce()
{
    // Several desktops start the new version at once against the same empty (or older) database:
    // one migrates, the others wait for it and find the schema up to date.
    m_empty->closeRaw();
    const DatabaseLocation location = m_empty->location();
    constexpr int openers = 6;
    std::array<QString, openers> errors;
    QSemaphore start;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < openers; ++i) {
        threads.emplace_back(QThread::create([&, i] {
            start.acquire();
            auto opened = Database::open(location);
            if (!opened)
                errors[i] = opened.error().toLogString();
        }));
        threads.back()->start();
    }
    start.release(openers);
    for (auto &thread : threads)
        QVERIFY(thread->wait(60000));
    for (const QString &error : errors)
        QVERIFY2(error.isEmpty(), qPrintable(error));

    auto opened = Database::open(location);
    QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
    const QSqlDatabase db = *(*opened)->connection();
    QCOMPARE(intValue(db, QStringLiteral("SELECT count(*) FROM schema_migrations")), int(schemaMigrations().size()));
    QCOMPARE(intValue(db, QStringLiteral("SELECT count(*) FROM agents")), 4);
    QCOMPARE(intValue(db, QStringLiteral("SELECT count(*) FROM plans")), 2);
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
