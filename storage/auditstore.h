#pragma once

// SQL for the audit log: append-only; entries name people by text so they outlive them.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::AuditStore {

Result<qint64> append(const QSqlDatabase &db, const AuditEntry &entry);
/// The newest entries first; `action` filters when not empty.
Result<QList<AuditEntry>> list(const QSqlDatabase &db, int limit, const QString &action = {});

} // namespace heliodesk::AuditStore
