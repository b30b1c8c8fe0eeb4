#include "database.h"

#include "migrations.h"
#include "sql.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcDatabase, "heliodesk.database", QtInfoMsg)

namespace {
const QString connectionPrefix = QStringLiteral("heliodesk:");
QAtomicInteger<quint64> instanceCounter;
} // namespace

struct Database::ThreadConnection {
    QString name;
    ~ThreadConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
};

Database::Database(DatabaseLocation location, DatabaseOptions options)
    : m_location(std::move(location))
    , m_options(options)
    , m_dialect(m_location.engine() == DatabaseLocation::Engine::PostgreSql ? Dialect::PostgreSql : Dialect::Sqlite)
    , m_namePrefix(connectionPrefix + QString::number(++instanceCounter) + u':')
{
}

Database::~Database()
{
    closeThreadConnection();
}

Result<std::shared_ptr<Database>> Database::open(const DatabaseLocation &location, const DatabaseOptions &options)
{
    if (location.engine() == DatabaseLocation::Engine::PostgreSql)
        return fail(ErrorCode::CannotOpen,
                    QStringLiteral("This version of Heliodesk cannot use a PostgreSQL database yet; use a SQLite file."),
                    location.displayName());

    if (options.readOnly) {
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
        auto migrated = migrateSchema(*db, database->dialect());
        if (!migrated)
            return Unexpected(migrated.error().withContext(QStringLiteral("Could not prepare %1").arg(location.displayName())));
    } else if (auto checked = checkSchemaNotNewer(*db); !checked) {
        return Unexpected(checked.error());
    }
    return database;
}

Result<QSqlDatabase> Database::connection()
{
    if (!m_threadConnections.hasLocalData() || !m_threadConnections.localData()) {
        const QString name = m_namePrefix + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
        auto opened = openThreadConnection(name);
        if (!opened)
            return Unexpected(opened.error());
        m_threadConnections.setLocalData(new ThreadConnection{name});
    }
    return QSqlDatabase::database(m_threadConnections.localData()->name, false);
}

void Database::closeThreadConnection()
{
    if (m_threadConnections.hasLocalData())
        m_threadConnections.setLocalData(nullptr); // deletes the ThreadConnection, which removes the connection
}

Result<void> Database::openThreadConnection(const QString &name)
{
    // Every failure path removes the half-made connection, so a failed open leaks nothing.
    auto discard = [&name](const Error &error) -> Result<void> {
        { QSqlDatabase::database(name, false).close(); }
        QSqlDatabase::removeDatabase(name);
        return Unexpected(error);
    };

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        if (!db.isValid()) {
            db = QSqlDatabase();
            return discard(Error(ErrorCode::CannotOpen,
                                 QStringLiteral("The SQLite driver for Qt is not installed (package libqt6sql6-sqlite)."),
                                 QStringLiteral("QSQLITE driver missing")));
        }
        db.setDatabaseName(m_location.sqlitePath());
        QString connectOptions = u"QSQLITE_BUSY_TIMEOUT=" + QString::number(m_options.busyTimeout.count());
        if (m_options.readOnly)
            connectOptions += u";QSQLITE_OPEN_READONLY";
        db.setConnectOptions(connectOptions);
        if (!db.open()) {
            const Error error = errorFromSql(db.lastError(), u"open");
            db = QSqlDatabase();
            return discard(error);
        }
    }

    QSqlDatabase db = QSqlDatabase::database(name, false);
    // The first statement that reads the file tells a SQLite database from any other file.
    QStringList pragmas = {QStringLiteral("PRAGMA foreign_keys = ON"), QStringLiteral("SELECT count(*) FROM sqlite_master")};
    if (!m_options.readOnly)
        pragmas << QStringLiteral("PRAGMA journal_mode = WAL") << QStringLiteral("PRAGMA synchronous = NORMAL");
    for (const QString &pragma : std::as_const(pragmas)) {
        auto done = execSql(db, pragma);
        if (!done) {
            db = QSqlDatabase();
            return discard(done.error());
        }
    }
    qCDebug(lcDatabase) << "opened connection" << name << "to" << m_location.displayName();
    return {};
}

int Database::openConnectionCount()
{
    const QStringList names = QSqlDatabase::connectionNames();
    return int(std::count_if(names.cbegin(), names.cend(), [](const QString &n) { return n.startsWith(connectionPrefix); }));
}

} // namespace heliodesk
