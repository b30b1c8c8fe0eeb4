#pragma once

// Checks and copies of the database as a whole.

#include "error.h"

#include <QSqlDatabase>
#include <QStringList>

namespace heliodesk::Maintenance {

/// Integrity and foreign-key problems, one sentence each; empty when the database is sound.
/// SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL keeps its pages sound itself
/// and enforces foreign keys, unless a program turned them off (session_replication_role =
/// replica): there the check finds the schema version table and looks for rows whose foreign key
/// refers to no row, constraint by constraint, as foreign_key_check does on SQLite.
Result<QStringList> check(const QSqlDatabase &db);

/// Writes a consistent copy of the SQLite database to `targetPath` while others may keep writing.
/// The copy appears under its name only once complete; an existing file is never overwritten.
/// A PostgreSQL database is refused (NotAllowed): DatabaseCopy::copyToNewSqliteFile backs it up.
Result<void> backup(const QSqlDatabase &db, const QString &targetPath);

} // namespace heliodesk::Maintenance
