#include "auditstore.h"

#include "sql.h"

namespace heliodesk::AuditStore {

Result<qint64> append(const QSqlDatabase &db, const AuditEntry &entry)
{
    auto q = execSql(db,
                     QStringLiteral("INSERT INTO audit_log (created_at, actor_id, actor_name, action, target_type, target_id, "
                                    "target_name, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                     {entry.createdAtMs, entry.actorId ? QVariant(*entry.actorId) : QVariant(QMetaType::fromType<qint64>()),
                      entry.actorName, entry.action, entry.targetType,
                      entry.targetId.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(entry.targetId),
                      entry.targetName, entry.detailsJson});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return fail(ErrorCode::Internal, QStringLiteral("The audit entry could not be saved."), QStringLiteral("INSERT returned no id"));
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    return id;
}

Result<QList<AuditEntry>> list(const QSqlDatabase &db, int limit, const QString &action)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT id, created_at, actor_id, actor_name, action, target_type, target_id, target_name, details "
                                    "FROM audit_log WHERE (? = '' OR action = ?) ORDER BY id DESC LIMIT ?"),
                     {action.isNull() ? QStringLiteral("") : action, action, limit});
    if (!q)
        return Unexpected(q.error());
    QList<AuditEntry> entries;
    while (q->next()) {
        AuditEntry e;
        e.id = q->value(0).toLongLong();
        e.createdAtMs = q->value(1).toLongLong();
        if (!q->value(2).isNull())
            e.actorId = q->value(2).toLongLong();
        e.actorName = q->value(3).toString();
        e.action = q->value(4).toString();
        e.targetType = q->value(5).toString();
        e.targetId = q->value(6).toString();
        e.targetName = q->value(7).toString();
        e.detailsJson = q->value(8).toString();
        entries.append(e);
    }
    return entries;
}

} // namespace heliodesk::AuditStore
