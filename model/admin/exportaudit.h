#pragma once

// An admin's CSV export and the audit entry it leaves: what was exported, how many rows, to which
// file. Exports hold people's questions and comments, so who took a copy is on record.

#include "model/actor.h"

#include "storage/database.h"

#include <QByteArray>

#include <memory>

namespace heliodesk {

/// Admins only: writes `bytes` to `path` (writeCsv) and notes in the audit log ("report.export")
/// that `actor` saved `rows` rows of the `report` ("usage", "ratings", "survey", …) there, in one
/// transaction: the entry is kept if and only if the file was written, and nothing is written for
/// anyone but an admin.
Result<void> exportWithAudit(Database &database, qint64 nowMs, const Actor &actor, const QString &report, int rows,
                             const QString &path, const QByteArray &bytes);

/// Admins only: the audit entry alone, for a file the caller has already written.
Result<void> recordExport(Database &database, qint64 nowMs, const Actor &actor, const QString &report, int rows,
                          const QString &path);

} // namespace heliodesk
