#include "agentstore.h"

#include "sql.h"

namespace heliodesk::AgentStore {

namespace {

const QString selectAgents = QStringLiteral("SELECT id, name, description, enabled, system_prompt, model FROM agents ");

Result<QList<AgentSettings>> read(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error());
    QList<AgentSettings> agents;
    while (q->next()) {
        AgentSettings agent;
        agent.id = q->value(0).toString();
        agent.name = q->value(1).toString();
        agent.description = q->value(2).toString();
        agent.enabled = q->value(3).toInt() != 0;
        agent.systemPrompt = q->value(4).toString();
        agent.model = q->value(5).toString();
        agents.append(agent);
    }
    return agents;
}

Result<void> update(const QSqlDatabase &db, const QString &sql, const QVariant &value, const QString &agentId)
{
    auto q = execSql(db, sql, {value, agentId});
    if (!q)
        return Unexpected(q.error());
    if (q->numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no agent “%1” (any more).").arg(agentId));
    return {};
}

} // namespace

Result<QList<AgentSettings>> list(const QSqlDatabase &db)
{
    return read(db, selectAgents + u"ORDER BY sort_order, id", {});
}

Result<std::optional<AgentSettings>> find(const QSqlDatabase &db, const QString &agentId)
{
    auto agents = read(db, selectAgents + u"WHERE id = ?", {agentId});
    if (!agents)
        return Unexpected(agents.error());
    if (agents->isEmpty())
        return std::optional<AgentSettings>();
    return std::optional<AgentSettings>(agents->first());
}

Result<void> setEnabled(const QSqlDatabase &db, const QString &agentId, bool enabled)
{
    return update(db, QStringLiteral("UPDATE agents SET enabled = ? WHERE id = ?"), enabled ? 1 : 0, agentId);
}

Result<void> setSystemPrompt(const QSqlDatabase &db, const QString &agentId, const QString &prompt)
{
    return update(db, QStringLiteral("UPDATE agents SET system_prompt = ? WHERE id = ?"), nonNullText(prompt), agentId);
}

Result<void> setModel(const QSqlDatabase &db, const QString &agentId, const QString &model)
{
    return update(db, QStringLiteral("UPDATE agents SET model = ? WHERE id = ?"), nonNullText(model), agentId);
}

} // namespace heliodesk::AgentStore
