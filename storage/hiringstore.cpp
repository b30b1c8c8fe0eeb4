#include "hiringstore.h"

#include "sql.h"

namespace heliodesk::HiringStore {

Result<void> hire(const QSqlDatabase &db, qint64 userId, const QString &agentId, qint64 nowMs)
{
    auto q = execSql(db, QStringLiteral("INSERT INTO hired_agents (user_id, agent_id, hired_at) VALUES (?, ?, ?) "
                                        "ON CONFLICT (user_id, agent_id) DO NOTHING"),
                     {userId, agentId, nowMs});
    if (!q)
        return Unexpected(q.error());
    return {};
}

Result<bool> release(const QSqlDatabase &db, qint64 userId, const QString &agentId)
{
    auto q = execSql(db, QStringLiteral("DELETE FROM hired_agents WHERE user_id = ? AND agent_id = ?"), {userId, agentId});
    if (!q)
        return Unexpected(q.error());
    return q->numRowsAffected() > 0;
}

Result<QStringList> hiredAgents(const QSqlDatabase &db, qint64 userId)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT h.agent_id FROM hired_agents h JOIN agents a ON a.id = h.agent_id "
                                    "WHERE h.user_id = ? ORDER BY a.sort_order, a.id"),
                     {userId});
    if (!q)
        return Unexpected(q.error());
    QStringList ids;
    while (q->next())
        ids << q->value(0).toString();
    return ids;
}

Result<AgentAccess> accessOf(const QSqlDatabase &db, qint64 userId, const QString &agentId)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT a.name, a.enabled, a.system_prompt, a.model, "
                                    "EXISTS (SELECT 1 FROM hired_agents h WHERE h.user_id = ? AND h.agent_id = a.id), "
                                    "EXISTS (SELECT 1 FROM plan_agents pa JOIN users u ON u.plan_id = pa.plan_id "
                                    "        WHERE u.id = ? AND pa.agent_id = a.id) "
                                    "FROM agents a WHERE a.id = ?"),
                     {userId, userId, agentId});
    if (!q)
        return Unexpected(q.error());
    AgentAccess access;
    if (!q->next())
        return access;
    access.agentExists = true;
    access.agentName = q->value(0).toString();
    access.agentEnabled = q->value(1).toInt() != 0;
    access.systemPrompt = q->value(2).toString();
    access.model = q->value(3).toString();
    access.hired = q->value(4).toInt() != 0;
    access.planIncludes = q->value(5).toInt() != 0;
    return access;
}

} // namespace heliodesk::HiringStore
