#pragma once

// Checks and copies of the database file as a whole.

#include "error.h"

#include <QSqlDatabase>
#include <QStringList>

namespace heliodesk::Maintenance {

/// Integrity and foreign-key problems, one sentence each; empty when the database is sound.
Result<QStringList> check(const QSqlDatabase &db);

/// Writes a consistent copy of the database to `targetPath` while others may keep writing.
/// The copy appears under its name only once complete; an existing file is never overwritten.
Result<void> backup(const QSqlDatabase &db, const QString &targetPath);

} // namespace heliodesk::Maintenance
