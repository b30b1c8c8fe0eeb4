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

namespace {

Result<QList<AuditEntry>> readEntries(Result<QSqlQuery> q)
{
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

/// A LIKE pattern that finds `text` anywhere, with LIKE's own wildcards taken literally.
QString containsPattern(const QString &text)
{
    QString escaped = text.toLower();
    escaped.replace(QStringLiteral("\\"), QStringLiteral("\\\\"));
    escaped.replace(QStringLiteral("%"), QStringLiteral("\\%"));
    escaped.replace(QStringLiteral("_"), QStringLiteral("\\_"));
    return u'%' + escaped + u'%';
}

} // namespace

Result<QList<AuditEntry>> list(const QSqlDatabase &db, int limit, const QString &action)
{
    return readEntries(execSql(db,
                               QStringLiteral("SELECT id, created_at, actor_id, actor_name, action, target_type, target_id, target_name, details "
                                              "FROM audit_log WHERE (? = '' OR action = ?) ORDER BY id DESC LIMIT ?"),
                               {action.isNull() ? QStringLiteral("") : action, action, limit}));
}

Result<QList<AuditEntry>> list(const QSqlDatabase &db, const Filter &filter)
{
    // Only the conditions asked for go into the statement, so each parameter has a clear type on
    // PostgreSQL too, and the time index serves a date range.
    QStringList conditions;
    QVariantList values;
    if (!filter.action.isEmpty()) {
        conditions << QStringLiteral("action = ?");
        values << filter.action;
    }
    if (const QString text = filter.text.trimmed(); !text.isEmpty()) {
        conditions << QStringLiteral("(lower(actor_name) LIKE ? ESCAPE '\\' OR lower(target_name) LIKE ? ESCAPE '\\')");
        values << containsPattern(text) << containsPattern(text);
    }
    if (filter.fromMs) {
        conditions << QStringLiteral("created_at >= ?");
        values << *filter.fromMs;
    }
    if (filter.toMs) {
        conditions << QStringLiteral("created_at < ?");
        values << *filter.toMs;
    }
    values << filter.limit;
    const QString where = conditions.isEmpty() ? QString() : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    return readEntries(execSql(db,
                               QStringLiteral("SELECT id, created_at, actor_id, actor_name, action, target_type, target_id, "
                                              "target_name, details FROM audit_log")
                                   + where + QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ?"),
                               values));
}

Result<QStringList> actions(const QSqlDatabase &db)
{
    auto q = execSql(db, QStringLiteral("SELECT DISTINCT action FROM audit_log ORDER BY action"));
    if (!q)
        return Unexpected(q.error());
    QStringList result;
    while (q->next())
        result << q->value(0).toString();
    return result;
}

} // namespace heliodesk::AuditStore
