#include "exportaudit.h"

#include "csv.h"

#include "model/authorization.h"

#include "storage/transaction.h"

#include <QFileInfo>
#include <QJsonObject>

namespace heliodesk {

namespace {

/// Checks the actor and appends the entry in `db`'s open write transaction.
Result<void> auditExport(const QSqlDatabase &db, qint64 nowMs, const Actor &actor, const QString &report, int rows,
                         const QString &path)
{
    if (auto allowed = requireAdmin(db, actor); !allowed)
        return allowed;
    const QJsonObject details{{QStringLiteral("rows"), rows}, {QStringLiteral("file"), QFileInfo(path).fileName()}};
    return writeAudit(db, actor, nowMs, QStringLiteral("report.export"), QStringLiteral("report"), report, report, details);
}

} // namespace

Result<void> exportWithAudit(Database &database, qint64 nowMs, const Actor &actor, const QString &report, int rows,
                             const QString &path, const QByteArray &bytes)
{
    auto db = database.connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto audited = auditExport(*db, nowMs, actor, report, rows, path); !audited)
        return audited;
    // The file last: a failed write rolls the entry back. (A failed commit after a written file
    // leaves the file without its entry; the commit of one small row is what is least likely to fail.)
    if (auto written = writeCsv(path, bytes); !written)
        return written;
    return txn->commit();
}

Result<void> recordExport(Database &database, qint64 nowMs, const Actor &actor, const QString &report, int rows,
                          const QString &path)
{
    auto db = database.connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto audited = auditExport(*db, nowMs, actor, report, rows, path); !audited)
        return audited;
    return txn->commit();
}

} // namespace heliodesk
