#pragma once

// The schema, as ordered versioned migrations; each one runs in its own transaction.

#include "database.h"
#include "error.h"

#include <QSqlDatabase>
#include <QStringList>

#include <span>
#include <vector>

namespace heliodesk {

struct Migration {
    int version = 0;
    QString name;
    /// Statements with dialect tokens ({{ID}}, {{BIGINT}}, {{NOW_MS}}; a leading {{SQLITE_ONLY}} or
    /// {{POSTGRES_ONLY}} keeps a statement to one engine) that the runner translates.
    QStringList statements;
};

/// Every migration of this program, in ascending version order.
const std::vector<Migration> &schemaMigrations();
int latestSchemaVersion();

/// The version recorded in the database; 0 for an empty database.
Result<int> schemaVersion(const QSqlDatabase &db);

/// Applies every migration newer than the database's version, each in one write transaction,
/// and refuses (DatabaseTooNew) a database whose version is newer than the newest in `migrations`.
Result<void> migrateSchema(const QSqlDatabase &db, Database::Dialect dialect,
                           std::span<const Migration> migrations = schemaMigrations());

/// Refuses a database written by a newer program without changing anything.
Result<void> checkSchemaNotNewer(const QSqlDatabase &db, int latestKnown = latestSchemaVersion());

/// Replaces the dialect tokens of a migration statement.
QString translateDialect(const QString &statement, Database::Dialect dialect);

} // namespace heliodesk
