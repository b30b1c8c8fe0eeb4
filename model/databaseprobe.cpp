#include "databaseprobe.h"

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/sql.h"

#include <QFileInfo>
#include <QThread>

namespace heliodesk {

struct DatabaseProbe::Outcome {
    std::optional<Result<DatabaseProbeResult>> result;
};

namespace {

Result<DatabaseProbeResult> probe(const DatabaseLocation &location, const QString &password)
{
    DatabaseOptions options;
    options.migrate = false;
    options.password = password;
    if (location.engine() == DatabaseLocation::Engine::Sqlite)
        options.readOnly = QFileInfo::exists(location.sqlitePath()); // a file that is not there yet is created on first use
    if (location.engine() == DatabaseLocation::Engine::Sqlite && !options.readOnly)
        return DatabaseProbeResult{QStringLiteral("SQLite"), 0, -1};
    auto database = Database::open(location, options);
    if (!database)
        return Unexpected(database.error());
    auto db = (*database)->connection();
    if (!db)
        return Unexpected(db.error());
    DatabaseProbeResult found;
    const bool postgres = (*database)->dialect() == Database::Dialect::PostgreSql;
    auto version = scalar(*db, postgres ? QStringLiteral("SHOW server_version") : QStringLiteral("SELECT sqlite_version()"));
    if (!version)
        return Unexpected(version.error());
    found.server = (postgres ? QStringLiteral("PostgreSQL ") : QStringLiteral("SQLite ")) + version->toString().section(u' ', 0, 0);
    auto schema = schemaVersion(*db);
    if (!schema)
        return Unexpected(schema.error());
    found.schemaVersion = *schema;
    if (found.schemaVersion > 0) {
        auto users = scalar(*db, QStringLiteral("SELECT count(*) FROM users"));
        if (!users)
            return Unexpected(users.error());
        found.users = users->toInt();
    }
    return found; // `db`, then the Database and with it this thread's connection, close here

}

} // namespace

DatabaseProbe::DatabaseProbe(QObject *parent)
    : QObject(parent)
{
}

DatabaseProbe::~DatabaseProbe()
{
    // A probe still connecting finishes on its own; its thread deletes itself and reports to nobody.
    if (m_thread) {
        disconnect(m_thread, nullptr, this, nullptr);
        connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
        m_thread->setParent(nullptr);
    }
}

bool DatabaseProbe::start(const DatabaseLocation &location, const QString &password)
{
    if (m_thread)
        return false;
    auto outcome = std::make_shared<Outcome>();
    m_outcome = outcome;
    QThread *thread = QThread::create([location, password, outcome] { outcome->result = probe(location, password); });
    thread->setObjectName(QStringLiteral("heliodesk database probe"));
    m_thread = thread;
    connect(thread, &QThread::finished, this, &DatabaseProbe::onThreadFinished, Qt::QueuedConnection);
    thread->start();
    return true;
}

void DatabaseProbe::onThreadFinished()
{
    QThread *thread = m_thread;
    m_thread = nullptr;
    if (thread)
        thread->deleteLater();
    const std::shared_ptr<Outcome> outcome = std::exchange(m_outcome, nullptr);
    if (!outcome || !outcome->result) {
        Q_EMIT failed(Error(ErrorCode::Internal, tr("The connection test stopped without a result. Try again.")));
        return;
    }
    if (*outcome->result)
        Q_EMIT succeeded(**outcome->result);
    else
        Q_EMIT failed(outcome->result->error());
}

} // namespace heliodesk
