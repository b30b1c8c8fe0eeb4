// Upgrades keep data: a database written by an older schema is copied into its "backups" folder
// before the migration changes it, named in the log and remembered for the Health tab; the copy
// holds the old schema and every row, the updated database holds the same rows. When the copy
// cannot be written, the database is left as it was and the open fails with a sentence.

#include "storage/database.h"
#include "storage/databaselocation.h"
#include "storage/migrations.h"
#include "storage/schemabackup.h"
#include "storagetesthelpers.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <span>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::RawConnection;

namespace {

constexpr qint64 kCreatedAt = 1'700'000'000'000;

/// Rows in the tables every schema version has, as one text per table: what must survive.
QString contents(RawConnection &raw)
{
    const QStringList queries = {
        QStringLiteral("SELECT id || ':' || username || ':' || display_name || ':' || role || ':' || quota_used FROM users ORDER BY id"),
        QStringLiteral("SELECT id || ':' || user_id || ':' || agent_id || ':' || title FROM conversations ORDER BY id"),
        QStringLiteral("SELECT id || ':' || conversation_id || ':' || role || ':' || status || ':' || content FROM messages ORDER BY id"),
        QStringLiteral("SELECT id || ':' || user_id || ':' || outcome || ':' || period FROM usage_events ORDER BY id"),
        QStringLiteral("SELECT id || ':' || action || ':' || target_name FROM audit_log ORDER BY id"),
    };
    QStringList all;
    for (const QString &query : queries)
        all << raw.strings(query).join(u'\n');
    return all.join(QStringLiteral("\n--\n"));
}

int versionOf(RawConnection &raw)
{
    return raw.value(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt();
}

} // namespace

class TestSchemaUpgrade : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void upgradeKeepsDataAndACopy_data();
    void upgradeKeepsDataAndACopy();
    void currentDatabaseIsNotCopied();
    void emptyDatabaseIsNotCopied();
    void readOnlyOpenNeitherCopiesNorMigrates();
    void copyFailureLeavesTheDatabaseAsItWas();
    void keepsTheNewestCopies();
    void copiesInTheSameSecondGetTheirOwnNames();

private:
    /// A database at schema `version` (the migrations up to it) with a user, a conversation with
    /// three messages, a usage event and an audit entry, written with the SQL of that version.
    void createAtVersion(int version);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestSchemaUpgrade::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("heliodesk.sqlite3"));
}

void TestSchemaUpgrade::cleanup()
{
    m_dir.reset();
    QCOMPARE(Database::openConnectionCount(), 0);
}

void TestSchemaUpgrade::createAtVersion(int version)
{
    RawConnection raw(m_path);
    QVERIFY2(raw.isOpen(), qPrintable(raw.lastError()));
    const auto &all = schemaMigrations();
    QVERIFY(version >= 1 && version < int(all.size()) + 1);
    auto migrated = migrateSchema(raw.db(), Database::Dialect::Sqlite, std::span(all).first(size_t(version)));
    QVERIFY2(migrated.has_value(), qPrintable(migrated ? QString() : migrated.error().toLogString()));
    const QVariantList at{kCreatedAt, kCreatedAt};
    QVERIFY(raw.exec(QStringLiteral("INSERT INTO users (username, display_name, role, plan_id, password_hash, quota_used, created_at, "
                                    "password_changed_at) SELECT 'ann', 'Ann Analyst', 'analyst', id, 'hash', 7, ?, ? FROM plans WHERE is_default = 1"),
                     at));
    QVERIFY(raw.exec(QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                    "VALUES (1, 'om', 'Inverter trips', ?, ?)"),
                     at));
    const QStringList texts = {QStringLiteral("Why did inverter 4 trip at noon?"),
                               QStringLiteral("The inverter tripped on DC insulation resistance after the rain."),
                               QStringLiteral("Thanks – what should the crew check first?")};
    for (int i = 0; i < texts.size(); ++i)
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO messages (conversation_id, role, content, created_at, updated_at) VALUES (1, ?, ?, ?, ?)"),
                         {i % 2 == 0 ? QStringLiteral("user") : QStringLiteral("assistant"), texts.at(i), kCreatedAt + i, kCreatedAt + i}));
    QVERIFY(raw.exec(QStringLiteral("INSERT INTO usage_events (user_id, agent_id, period, outcome, created_at) VALUES (1, 'om', '2026-11', 'complete', ?)"),
                     {kCreatedAt}));
    QVERIFY(raw.exec(QStringLiteral("INSERT INTO audit_log (created_at, actor_name, action, target_name) VALUES (?, 'root', 'user.create', 'ann')"),
                     {kCreatedAt}));
    QCOMPARE(versionOf(raw), version);
}

void TestSchemaUpgrade::upgradeKeepsDataAndACopy_data()
{
    QTest::addColumn<int>("from");
    for (int version = 1; version < latestSchemaVersion(); ++version)
        QTest::addRow("schema %d", version) << version;
}

void TestSchemaUpgrade::upgradeKeepsDataAndACopy()
{
    QFETCH(int, from);
    createAtVersion(from);
    QString before;
    {
        RawConnection raw(m_path);
        before = contents(raw);
    }
    QVERIFY(before.contains(QStringLiteral("DC insulation")));

    // The log names the copy.
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("^backed up .*heliodesk\\.sqlite3 \\(schema %1\\) to .*"
                                                                      "heliodesk-\\d{8}-\\d{6}-schema%1\\.sqlite3 before updating it to schema %2$")
                                                           .arg(from)
                                                           .arg(latestSchemaVersion())));
    auto opened = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
    const std::shared_ptr<Database> database = *opened;

    // The copy: in the backups folder beside the database, at the old schema, with every row.
    QVERIFY(database->schemaBackup().has_value());
    const SchemaBackup::Record record = *database->schemaBackup();
    QCOMPARE(record.fromVersion, from);
    QCOMPARE(record.toVersion, latestSchemaVersion());
    QCOMPARE(QFileInfo(record.path).absolutePath(), QDir(m_dir->path()).filePath(QStringLiteral("backups")));
    QVERIFY(QFileInfo::exists(record.path));
    QVERIFY(!QFileInfo::exists(record.path + QStringLiteral(".partial")));
    QVERIFY(qAbs(record.atMs - QDateTime::currentMSecsSinceEpoch()) < 60'000);
    {
        RawConnection copy(record.path, QStringLiteral("QSQLITE_OPEN_READONLY"));
        QVERIFY2(copy.isOpen(), qPrintable(copy.lastError()));
        QCOMPARE(versionOf(copy), from);
        QCOMPARE(contents(copy), before);
        QCOMPARE(copy.strings(QStringLiteral("PRAGMA integrity_check")), QStringList{QStringLiteral("ok")});
    }

    // The database: the newest schema, the same rows, and what the new schema adds works on them.
    auto db = database->connection();
    QVERIFY(db.has_value());
    QCOMPARE(*schemaVersion(*db), latestSchemaVersion());
    {
        RawConnection raw(m_path);
        QCOMPARE(contents(raw), before);
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'inverter'")).toInt(), 2);
        QCOMPARE(raw.value(QStringLiteral("SELECT survey_prompted_at FROM users WHERE username = 'ann'")).toInt(), 0);
    }

    // Remembered for the Health tab, across a restart.
    auto remembered = SchemaBackup::last(*db);
    QVERIFY(remembered.has_value() && remembered->has_value());
    QCOMPARE((*remembered)->path, record.path);
    QCOMPARE((*remembered)->fromVersion, from);
    QCOMPARE((*remembered)->toVersion, latestSchemaVersion());
    QCOMPARE((*remembered)->atMs, record.atMs);

    // The next start has nothing to update, and makes no second copy.
    db = Result<QSqlDatabase>();
    opened = Result<std::shared_ptr<Database>>();
    auto reopened = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY(reopened.has_value());
    QVERIFY(!(*reopened)->schemaBackup().has_value());
    QCOMPARE(QDir(SchemaBackup::folderFor(m_path)).entryList(QDir::Files).size(), 1);
}

void TestSchemaUpgrade::currentDatabaseIsNotCopied()
{
    {
        auto first = Database::open(DatabaseLocation::sqliteFile(m_path));
        QVERIFY(first.has_value());
        QVERIFY(!(*first)->schemaBackup().has_value()); // a new database: nothing to keep
    }
    auto second = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY(second.has_value());
    QVERIFY(!(*second)->schemaBackup().has_value());
    QVERIFY(!QFileInfo::exists(SchemaBackup::folderFor(m_path)));
    auto db = (*second)->connection();
    QVERIFY(db.has_value());
    auto remembered = SchemaBackup::last(*db);
    QVERIFY(remembered.has_value());
    QVERIFY(!remembered->has_value());
}

void TestSchemaUpgrade::emptyDatabaseIsNotCopied()
{
    // A file another program created but never migrated (schema 0) holds nothing to lose.
    {
        RawConnection raw(m_path);
        QVERIFY(raw.exec(QStringLiteral("CREATE TABLE scratch (x INTEGER)")));
    }
    auto opened = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toLogString()));
    QVERIFY(!(*opened)->schemaBackup().has_value());
    QVERIFY(!QFileInfo::exists(SchemaBackup::folderFor(m_path)));
}

void TestSchemaUpgrade::readOnlyOpenNeitherCopiesNorMigrates()
{
    createAtVersion(latestSchemaVersion() - 1);
    DatabaseOptions options;
    options.readOnly = true;
    options.migrate = false;
    auto opened = Database::open(DatabaseLocation::sqliteFile(m_path), options);
    QVERIFY(opened.has_value());
    QVERIFY(!(*opened)->schemaBackup().has_value());
    QVERIFY(!QFileInfo::exists(SchemaBackup::folderFor(m_path)));
    RawConnection raw(m_path);
    QCOMPARE(versionOf(raw), latestSchemaVersion() - 1);
}

void TestSchemaUpgrade::copyFailureLeavesTheDatabaseAsItWas()
{
    const int from = latestSchemaVersion() - 1;
    createAtVersion(from);
    QString before;
    {
        RawConnection raw(m_path);
        before = contents(raw);
    }
    // A file where the backups folder should be: the folder cannot be made (as root too, unlike
    // a permission), as when the disk is full or the folder is read-only.
    QFile blocker(SchemaBackup::folderFor(m_path));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();

    auto opened = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY(!opened.has_value());
    const QString problem = humanErrorProblem(opened.error(), ErrorCode::Io);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(opened.error().message().contains(QDir::toNativeSeparators(SchemaBackup::folderFor(m_path))),
             qPrintable(opened.error().message()));
    QVERIFY2(opened.error().message().contains(QStringLiteral("left the database as it was")), qPrintable(opened.error().message()));
    QCOMPARE(Database::openConnectionCount(), 0);
    {
        RawConnection raw(m_path);
        QCOMPARE(versionOf(raw), from);
        QCOMPARE(contents(raw), before);
    }

    // Once the folder can be made, the next start copies and updates.
    QVERIFY(QFile::remove(SchemaBackup::folderFor(m_path)));
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("^backed up ")));
    auto retried = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY2(retried.has_value(), qPrintable(retried ? QString() : retried.error().toLogString()));
    QVERIFY((*retried)->schemaBackup().has_value());
}

void TestSchemaUpgrade::keepsTheNewestCopies()
{
    createAtVersion(latestSchemaVersion() - 1);
    // Older automatic copies of this database, a copy of another database, and a file of the user's.
    const QDir folder(SchemaBackup::folderFor(m_path));
    QVERIFY(QDir().mkpath(folder.path()));
    QStringList old;
    for (int i = 0; i < SchemaBackup::kKept + 2; ++i) {
        const QString name = QStringLiteral("heliodesk-2025010%1-120000-schema1.sqlite3").arg(i + 1);
        QFile file(folder.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("old copy");
        file.close();
        const QDateTime when = QDateTime::currentDateTime().addDays(-30 + i);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(when, QFileDevice::FileModificationTime));
        file.close();
        old << name;
    }
    const QStringList others = {QStringLiteral("team-20250101-120000-schema1.sqlite3"), QStringLiteral("my notes.txt")};
    for (const QString &name : others) {
        QFile file(folder.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
    }

    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("^backed up ")));
    for (int i = 0; i < 3; ++i)
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("^removed the old automatic backup ")));
    auto opened = Database::open(DatabaseLocation::sqliteFile(m_path));
    QVERIFY(opened.has_value());
    const QString newest = QFileInfo((*opened)->schemaBackup()->path).fileName();

    // The new copy and the newest kKept - 1 old ones stay; the three oldest went; others' files stay.
    QStringList expected = old.mid(old.size() - (SchemaBackup::kKept - 1));
    expected << newest << others;
    expected.sort();
    QStringList present = folder.entryList(QDir::Files);
    present.sort();
    QCOMPARE(present, expected);
}

void TestSchemaUpgrade::copiesInTheSameSecondGetTheirOwnNames()
{
    createAtVersion(latestSchemaVersion() - 1);
    RawConnection raw(m_path);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("^backed up ")));
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("^backed up ")));
    const int from = latestSchemaVersion() - 1;
    auto first = SchemaBackup::write(raw.db(), m_path, from, latestSchemaVersion(), now);
    auto second = SchemaBackup::write(raw.db(), m_path, from, latestSchemaVersion(), now);
    QVERIFY(first.has_value() && second.has_value());
    QVERIFY(first->path != second->path);
    QVERIFY2(second->path.endsWith(QStringLiteral("-schema%1-2.sqlite3").arg(from)), qPrintable(second->path));
    QVERIFY(QFileInfo::exists(first->path) && QFileInfo::exists(second->path));
}

QTEST_GUILESS_MAIN(TestSchemaUpgrade)
#include "tst_schemaupgrade.moc"
