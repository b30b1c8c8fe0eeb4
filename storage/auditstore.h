#pragma once

// SQL for the audit log: append-only; entries name people by text so they outlive them.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace heliodesk::AuditStore {

/// Which entries to read; every part left empty matches everything.
struct Filter {
    QString action;               // this action exactly ("user.delete")
    QString text;                 // in the actor's or the target's name, without regard to case
    std::optional<qint64> fromMs; // entries at or after this moment
    std::optional<qint64> toMs;   // entries before this moment
    int limit = 1000;
};

Result<qint64> append(const QSqlDatabase &db, const AuditEntry &entry);
/// The newest entries first; `action` filters when not empty.
Result<QList<AuditEntry>> list(const QSqlDatabase &db, int limit, const QString &action = {});
/// The newest entries first that match `filter`.
Result<QList<AuditEntry>> list(const QSqlDatabase &db, const Filter &filter);
/// Every action that occurs in the log, sorted, for choosing one to filter by.
Result<QStringList> actions(const QSqlDatabase &db);

} // namespace heliodesk::AuditStore
