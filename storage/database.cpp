#include "database.h"

#include "migrations.h"
#include "sql.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QHash>
#include <QSqlDriver>
#include <QThread>
#include <QThreadStorage>

#if defined(Q_OS_UNIX)
#include <dlfcn.h>
#endif

namespace heliodesk {

Q_LOGGING_CATEGORY(lcDatabase, "heliodesk.database", QtInfoMsg)

namespace {

/// Leaves the write-ahead log in place when a connection closes, instead of checkpointing it
/// into the database file and deleting it (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE). A short-lived
/// process such as `heliodeskctl ask` otherwise pays, at every exit, a checkpoint with two fsyncs,
/// and at its next start the re-creation of the log with two more. Checkpoints still happen
/// when the log grows past 1,000 pages, and nothing is lost: the log is part of the database.
///
/// The call must reach the SQLite that the Qt driver plugin uses: it is looked up through the
/// plugin's own library (its code or its dependencies). A plugin whose SQLite is built in and
/// hidden yields nothing, and the database simply keeps SQLite's default.
void keepWalOnClose(const QSqlDatabase &db)
{
#if defined(Q_OS_UNIX)
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return;
    void *sqlite = *static_cast<void *const *>(handle.constData());
    Dl_info plugin{};
    // The driver object's vtable lies in the plugin's library.
    if (!sqlite || dladdr(*reinterpret_cast<void *const *>(db.driver()), &plugin) == 0 || !plugin.dli_fname)
        return;
    void *library = dlopen(plugin.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!library)
        return;
    using DbConfig = int (*)(void *, int, ...);
    constexpr int kNoCheckpointOnClose = 1006; // SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, SQLite 3.26+
    if (auto config = reinterpret_cast<DbConfig>(dlsym(library, "sqlite3_db_config"))) {
        int enabled = 0;
        if (config(sqlite, kNoCheckpointOnClose, 1, &enabled) != 0 || enabled != 1)
            qCDebug(lcDatabase) << "SQLite keeps checkpointing on close";
    }
    dlclose(library);
#else
    Q_UNUSED(db)
#endif
}

} // namespace

namespace {

/// Before a migration changes the schema of a SQLite database that holds data, a copy of it
/// (SchemaBackup::write). An empty database has nothing to lose; one written by a newer program is
/// refused by migrateSchema without a change. A team database on PostgreSQL is backed up on its
/// server (or with heliodeskctl db backup), not by each desktop that opens it.
Result<std::optional<SchemaBackup::Record>> backUpBeforeSchemaUpdate(const QSqlDatabase &db, const DatabaseLocation &location)
{
    auto version = schemaVersion(db);
    if (!version)
        return Unexpected(version.error().withContext(QStringLiteral("Could not read the schema of %1").arg(location.displayName())));
    const int latest = latestSchemaVersion();
    if (*version == 0 || *version >= latest)
        return std::optional<SchemaBackup::Record>();
    if (location.engine() == DatabaseLocation::Engine::PostgreSql) {
        qCInfo(lcDatabase) << "updating the team database" << location.displayName() << "from schema" << *version << "to" << latest
                           << "without an automatic copy: PostgreSQL databases are backed up on their server";
        return std::optional<SchemaBackup::Record>();
    }
    auto record = SchemaBackup::write(db, location.sqlitePath(), *version, latest, QDateTime::currentDateTimeUtc());
    if (!record)
        return Unexpected(record.error());
    return std::optional<SchemaBackup::Record>(std::move(*record));
}

const QString connectionPrefix = QStringLiteral("heliodesk:");
QAtomicInteger<quint64> instanceCounter;

void removeConnection(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

/// One thread's connections, by Database instance; closed when the thread ends.
struct ThreadConnections {
    QHash<quint64, QString> names;
    ThreadConnections() = default;
    ThreadConnections(const ThreadConnections &) = delete;
    ThreadConnections &operator=(const ThreadConnections &) = delete;
    ~ThreadConnections()
    {
        for (const QString &name : std::as_const(names))
            removeConnection(name);
    }
};

// One storage for the whole process, never one per Database: a QThreadStorage forgets the data of
// threads still running when it is destroyed (their connections would never close), and the next
// QThreadStorage reuses its slot, so a new Database would hand such a thread the old one's connection.
QThreadStorage<ThreadConnections> threadConnections;
} // namespace

Database::Database(DatabaseLocation location, DatabaseOptions options)
    : m_location(std::move(location))
    , m_options(std::move(options))
    , m_dialect(m_location.engine() == DatabaseLocation::Engine::PostgreSql ? Dialect::PostgreSql : Dialect::Sqlite)
    , m_instance(++instanceCounter)
    , m_namePrefix(connectionPrefix + QString::number(m_instance) + u':')
{
}

Database::~Database()
{
    closeThreadConnection();
}

Result<std::shared_ptr<Database>> Database::open(const DatabaseLocation &location, const DatabaseOptions &options)
{
    if (location.engine() == DatabaseLocation::Engine::PostgreSql) {
        // Nothing to create: the database exists on the server (an empty one is set up below).
    } else if (options.readOnly) {
        if (!QFileInfo::exists(location.sqlitePath()))
            return fail(ErrorCode::CannotOpen, QStringLiteral("There is no database at %1.").arg(location.displayName()));
    } else {
        const QString folder = QFileInfo(location.sqlitePath()).absolutePath();
        if (!QDir().mkpath(folder))
            return fail(ErrorCode::CannotOpen,
                        QStringLiteral("The folder %1 cannot be created, so the database cannot be opened. Check its permissions.")
                            .arg(QDir::toNativeSeparators(folder)));
    }

    std::shared_ptr<Database> database(new Database(location, options));
    auto db = database->connection();
    if (!db)
        return Unexpected(db.error().withContext(QStringLiteral("Could not open %1").arg(location.displayName())));
    if (options.migrate) {
        auto backedUp = backUpBeforeSchemaUpdate(*db, location);
        if (!backedUp)
            return Unexpected(backedUp.error());
        database->m_schemaBackup = std::move(*backedUp);
        auto migrated = migrateSchema(*db, database->dialect());
        if (!migrated)
            return Unexpected(migrated.error().withContext(QStringLiteral("Could not prepare %1").arg(location.displayName())));
        if (database->m_schemaBackup) {
            if (auto noted = SchemaBackup::remember(*db, *database->m_schemaBackup, QDateTime::currentMSecsSinceEpoch()); !noted)
                return Unexpected(noted.error().withContext(QStringLiteral("Could not prepare %1").arg(location.displayName())));
        }
    } else if (auto checked = checkSchemaNotNewer(*db); !checked) {
        return Unexpected(checked.error());
    }
    return database;
}

Result<QSqlDatabase> Database::connection()
{
    QHash<quint64, QString> &names = threadConnections.localData().names;
    auto found = names.constFind(m_instance);
    if (found != names.cend() && isMarkedLost(QSqlDatabase::database(*found, false))) {
        qCInfo(lcDatabase) << "reconnecting to" << m_location.displayName() << "after the connection was lost";
        removeConnection(*found);
        names.erase(found);
        found = names.cend();
    }
    if (found == names.cend()) {
        const QString name = m_namePrefix + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
        auto opened = openThreadConnection(name);
        if (!opened)
            return Unexpected(opened.error());
        found = names.insert(m_instance, name);
    }
    return QSqlDatabase::database(*found, false);
}

void Database::closeThreadConnection()
{
    if (!threadConnections.hasLocalData())
        return;
    const QString name = threadConnections.localData().names.take(m_instance);
    if (!name.isEmpty())
        removeConnection(name);
}

Result<void> Database::openThreadConnection(const QString &name)
{
    auto opened = m_dialect == Dialect::PostgreSql ? openPostgres(name) : openSqlite(name);
    if (!opened) {
        // Every failure path removes the half-made connection, so a failed open leaks nothing.
        { QSqlDatabase::database(name, false).close(); }
        QSqlDatabase::removeDatabase(name);
        return opened;
    }
    qCDebug(lcDatabase) << "opened connection" << name << "to" << m_location.displayName();
    return {};
}

Result<void> Database::openSqlite(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        if (!db.isValid())
            return fail(ErrorCode::CannotOpen, QStringLiteral("The SQLite driver for Qt is not installed (package libqt6sql6-sqlite)."),
                        QStringLiteral("QSQLITE driver missing"));
        db.setDatabaseName(m_location.sqlitePath());
        QString connectOptions = u"QSQLITE_BUSY_TIMEOUT=" + QString::number(m_options.busyTimeout.count());
        if (m_options.readOnly)
            connectOptions += u";QSQLITE_OPEN_READONLY";
        db.setConnectOptions(connectOptions);
        if (!db.open())
            return Unexpected(errorFromSql(db.lastError(), u"open"));
    }

    QSqlDatabase db = QSqlDatabase::database(name, false);
    // The first statement that reads the file tells a SQLite database from any other file.
    QStringList pragmas = {QStringLiteral("PRAGMA foreign_keys = ON"), QStringLiteral("SELECT count(*) FROM sqlite_master")};
    if (!m_options.readOnly)
        pragmas << QStringLiteral("PRAGMA journal_mode = WAL") << QStringLiteral("PRAGMA synchronous = NORMAL");
    for (const QString &pragma : std::as_const(pragmas)) {
        if (auto done = execSql(db, pragma); !done)
            return Unexpected(done.error());
    }
    if (!m_options.readOnly)
        keepWalOnClose(db);
    return {};
}

Result<void> Database::openPostgres(const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    if (!db.isValid())
        return fail(ErrorCode::CannotOpen,
                    QStringLiteral("The PostgreSQL driver for Qt is not installed (package libqt6sql6-psql), so team databases cannot be opened."),
                    QStringLiteral("QPSQL driver missing"));
    const QUrl &url = m_location.url();
    db.setHostName(url.host());
    if (url.port() > 0)
        db.setPort(url.port());
    db.setDatabaseName(url.path().mid(1));
    db.setUserName(url.userName(QUrl::FullyDecoded));
    const QString password = m_location.postgresPassword().isEmpty() ? m_options.password : m_location.postgresPassword();
    if (!password.isEmpty())
        db.setPassword(password);

    // A write waits for another writer's row lock as long as SQLite's busy timeout would, then
    // fails with lock_not_available (DatabaseBusy). Notices (e.g. "relation already exists,
    // skipping") stay on the server. A read-only Database gets read-only transactions.
    QString serverOptions = u"-c lock_timeout=" + QString::number(m_options.busyTimeout.count())
        + u" -c client_min_messages=warning";
    if (m_options.readOnly)
        serverOptions += u" -c default_transaction_read_only=on";
    QStringList connectOptions;
    const QString fromUrl = m_location.postgresConnectOptions();
    const bool urlHasOptions = fromUrl.contains(QStringLiteral("options="));
    if (!fromUrl.isEmpty())
        connectOptions << fromUrl;
    if (!fromUrl.contains(QStringLiteral("connect_timeout=")))
        connectOptions << QStringLiteral("connect_timeout=10");
    if (!fromUrl.contains(QStringLiteral("application_name=")))
        connectOptions << QStringLiteral("application_name=heliodesk");
    if (!urlHasOptions)
        connectOptions << u"options='" + serverOptions + u'\'';
    db.setConnectOptions(connectOptions.join(u';'));
    if (!db.open()) {
        const QSqlError sqlError = db.lastError();
        const QString detail = u"open: " + sqlError.text();
        const QString text = sqlError.text();
        if (text.contains(u"password authentication failed") || text.contains(u"no password supplied")
            || text.contains(u"authentication failed"))
            return fail(ErrorCode::WrongCredentials,
                        QStringLiteral("The database server refused the user name or password for %1.").arg(m_location.displayName()),
                        detail);
        if (text.contains(u"does not exist"))
            return fail(ErrorCode::CannotOpen,
                        QStringLiteral("The database server has no database or user named in %1.").arg(m_location.displayName()),
                        detail);
        return fail(ErrorCode::CannotOpen,
                    QStringLiteral("The database server at %1 cannot be reached. Check that it is running and that the address is right.")
                        .arg(m_location.displayName()),
                    detail);
    }
    // Options given in the URL replace ours as a whole; the settings Heliodesk relies on are made here.
    if (urlHasOptions) {
        QStringList settings = {u"SET lock_timeout = " + QString::number(m_options.busyTimeout.count()),
                                QStringLiteral("SET client_min_messages = warning")};
        if (m_options.readOnly)
            settings << QStringLiteral("SET default_transaction_read_only = on");
        for (const QString &setting : std::as_const(settings)) {
            if (auto done = execSql(db, setting); !done)
                return Unexpected(done.error());
        }
    }
    return {};
}

int Database::openConnectionCount()
{
    const QStringList names = QSqlDatabase::connectionNames();
    return int(std::count_if(names.cbegin(), names.cend(), [](const QString &n) { return n.startsWith(connectionPrefix); }));
}

} // namespace heliodesk
