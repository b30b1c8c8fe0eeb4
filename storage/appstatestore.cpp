#include "appstatestore.h"

#include "sql.h"

namespace heliodesk::AppStateStore {

Result<std::optional<QString>> value(const QSqlDatabase &db, const QString &key)
{
    auto query = execSql(db, QStringLiteral("SELECT value FROM app_state WHERE key = ?"), {key});
    if (!query)
        return Unexpected(query.error());
    if (!query->next())
        return std::optional<QString>();
    return std::optional<QString>(query->value(0).toString());
}

Result<void> setValue(const QSqlDatabase &db, const QString &key, const QString &value, qint64 nowMs)
{
    auto query = execSql(db,
                         QStringLiteral("INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?) "
                                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"),
                         {key, nonNullText(value), nowMs});
    if (!query)
        return Unexpected(query.error());
    return {};
}

} // namespace heliodesk::AppStateStore
