#pragma once

// Copies every table of one database into another, empty one of either engine (SQLite → PostgreSQL
// for team mode, PostgreSQL → SQLite for backups), in one transaction and verified row by row.

#include "database.h"
#include "error.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace heliodesk::DatabaseCopy {

/// One table as copied: how many rows, and the checksum both sides agreed on.
struct TableCopy {
    QString name;
    qint64 rows = 0;
    /// Hex SHA-256 over the table's rows, each row normalised to text column by column, taken
    /// independently of row order, so the same rows give the same checksum on either engine.
    QByteArray checksum;
};

/// What a finished copy did.
struct Summary {
    QList<TableCopy> tables; // in the order they were copied (foreign keys first)
    qint64 rows = 0;
    qint64 elapsedMs = 0;
};

struct Options {
    /// Who copies, for the "database.migrated-from" entry in the target's audit log.
    QString actorName;
    std::optional<qint64> actorId;
    qint64 nowMs = 0;
    /// Called every thousand rows or so, and after each table, with the rows copied so far and the
    /// rows to copy in all.
    std::function<void(qint64 copied, qint64 total)> progress;
};

/// The action of the audit entry that a copy leaves in its target.
QString auditAction();

/// Copies every table of `source` into `target`, which must be a different, empty database at the
/// same schema version (Database::open migrates a new one). "Empty" means that it holds no more than
/// what every new database starts with: agents, plans and start-up state, which the copy replaces.
/// Anything else — a user, a conversation, an audit entry — and the copy is refused (InvalidInput,
/// naming what is there). Reads one consistent snapshot of `source` while others may write to it,
/// and writes `target` in one transaction, table by table in foreign-key order, keeping every id;
/// on PostgreSQL the identity sequences then continue after the largest id. Before committing it
/// compares each table's row count and checksum on both sides; any difference, or any failure,
/// rolls the whole copy back (the error names the table) and leaves `target` as it was.
Result<Summary> copy(Database &source, Database &target, const Options &options = {});

/// Copies `source` into a new SQLite file at `path` (a backup of a PostgreSQL database): written
/// under a temporary name and renamed only once complete and verified, as a single file without a
/// write-ahead log. An existing file is never overwritten.
Result<Summary> copyToNewSqliteFile(Database &source, const QString &path, const Options &options = {});

} // namespace heliodesk::DatabaseCopy
