#pragma once

// The copy of a SQLite database taken automatically just before a migration changes its schema,
// so that an update which goes wrong – or a newer program the user wants to leave again – never
// costs anyone their history. The copies live in a "backups" folder beside the database file
// (the user's data folder, never the install folder); the newest few are kept.

#include "error.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace heliodesk::SchemaBackup {

struct Record {
    QString path;        // the copy
    int fromVersion = 0; // the schema the copy holds
    int toVersion = 0;   // the schema the database was then updated to
    qint64 atMs = 0;     // when the copy was written
};

/// How many automatic copies of one database are kept; older ones are removed after a new one.
constexpr int kKept = 5;

/// The folder that holds the automatic copies of the database file `databasePath`.
QString folderFor(const QString &databasePath);

/// Writes a consistent copy of the SQLite database `db` (the file `databasePath`, at schema
/// `fromVersion`) into folderFor(databasePath), named after the database, the time and the schema,
/// before it is updated to `toVersion`; then removes all but the newest kKept such copies. Fails
/// (with the reason and what to do) when the copy cannot be written: the caller must then leave
/// the database as it is.
Result<Record> write(const QSqlDatabase &db, const QString &databasePath, int fromVersion, int toVersion,
                     const QDateTime &now);

/// Notes `record` in app_state (in the caller's transaction, if any), where the Health tab finds it.
Result<void> remember(const QSqlDatabase &db, const Record &record, qint64 nowMs);

/// The copy remember() noted last; empty when no migration of this database needed one.
Result<std::optional<Record>> last(const QSqlDatabase &db);

} // namespace heliodesk::SchemaBackup
