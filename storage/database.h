#pragma once

// The open database: one named connection per thread, opened on first use in that thread.

#include "databaselocation.h"
#include "error.h"
#include "schemabackup.h"

#include <QSqlDatabase>

#include <chrono>
#include <memory>
#include <optional>

namespace heliodesk {

struct DatabaseOptions {
    /// How long a write waits for another writer before failing with DatabaseBusy.
    std::chrono::milliseconds busyTimeout{5000};
    bool readOnly = false;
    /// Apply pending schema migrations on open (off for tools that only inspect a file).
    bool migrate = true;
    /// PostgreSQL: the password when the URL has none (from the keychain). Without either, libpq
    /// looks in PGPASSFILE (or ~/.pgpass).
    QString password;
};

class Database
{
public:
    enum class Dialect { Sqlite, PostgreSql };

    /// Opens the database at `location`, creating the file and its folder when missing, and brings
    /// the schema up to date. Fails with DatabaseTooNew for a database written by a newer program.
    /// A SQLite database with an older schema is first copied (SchemaBackup::write); when the copy
    /// cannot be written, it is left as it was and the open fails with the reason.
    static Result<std::shared_ptr<Database>> open(const DatabaseLocation &location, const DatabaseOptions &options = {});

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    /// This thread's connection, opened (with its pragmas) on the first call in the thread.
    /// It is closed when the thread ends or when the Database is destroyed (for the owning thread).
    /// A connection that lost its server (a PostgreSQL restart, a network cut) is reopened here, so
    /// the action after the one that failed with ConnectionLost finds the server again.
    Result<QSqlDatabase> connection();

    /// Closes this thread's connection now; the next connection() opens a new one.
    void closeThreadConnection();

    [[nodiscard]] const DatabaseLocation &location() const { return m_location; }
    [[nodiscard]] const DatabaseOptions &options() const { return m_options; }
    [[nodiscard]] Dialect dialect() const { return m_dialect; }
    /// The copy open() wrote before it updated the schema; empty when the schema was current.
    [[nodiscard]] const std::optional<SchemaBackup::Record> &schemaBackup() const { return m_schemaBackup; }

    /// Heliodesk connections open in this process, across every Database and thread; tests read it
    /// to prove that nothing leaks.
    static int openConnectionCount();

private:
    Database(DatabaseLocation location, DatabaseOptions options);
    Result<void> openThreadConnection(const QString &name);
    Result<void> openSqlite(const QString &name);
    Result<void> openPostgres(const QString &name);

    DatabaseLocation m_location;
    DatabaseOptions m_options;
    Dialect m_dialect = Dialect::Sqlite;
    quint64 m_instance = 0; // tells this Database's connections from those of earlier ones in each thread
    QString m_namePrefix;
    std::optional<SchemaBackup::Record> m_schemaBackup;
};

} // namespace heliodesk
