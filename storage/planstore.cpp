#include "planstore.h"

#include "sql.h"

namespace heliodesk::PlanStore {

namespace {

const QString selectPlans = QStringLiteral(
    "SELECT p.id, p.name, p.monthly_limit, p.is_default, "
    "(SELECT count(*) FROM users u WHERE u.plan_id = p.id) FROM plans p ");
const QString selectAllPlans = selectPlans + u"ORDER BY p.name";
const QString selectPlanByName = selectPlans + u"WHERE p.name = ?";
const QString selectDefaultPlan = selectPlans + u"WHERE p.is_default = 1 ORDER BY p.id LIMIT 1";

Result<QStringList> agentIdsOf(const QSqlDatabase &db, qint64 planId)
{
    auto q = execSql(db, QStringLiteral("SELECT agent_id FROM plan_agents WHERE plan_id = ? ORDER BY agent_id"), {planId});
    if (!q)
        return Unexpected(q.error());
    QStringList ids;
    while (q->next())
        ids << q->value(0).toString();
    return ids;
}

Result<QList<PlanRecord>> readPlans(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error());
    QList<PlanRecord> plans;
    while (q->next()) {
        PlanRecord plan;
        plan.id = q->value(0).toLongLong();
        plan.name = q->value(1).toString();
        if (!q->value(2).isNull())
            plan.monthlyLimit = q->value(2).toInt();
        plan.isDefault = q->value(3).toInt() != 0;
        plan.userCount = q->value(4).toInt();
        plans.append(plan);
    }
    for (PlanRecord &plan : plans) {
        auto ids = agentIdsOf(db, plan.id);
        if (!ids)
            return Unexpected(ids.error());
        plan.agentIds = *ids;
    }
    return plans;
}

Result<std::optional<PlanRecord>> readOne(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    auto plans = readPlans(db, sql, values);
    if (!plans)
        return Unexpected(plans.error());
    if (plans->isEmpty())
        return std::optional<PlanRecord>();
    return std::optional<PlanRecord>(plans->first());
}

QVariant optionalLimit(std::optional<int> limit)
{
    return limit ? QVariant(*limit) : QVariant(QMetaType::fromType<int>());
}

Result<void> expectOneRow(const QSqlQuery &q)
{
    if (q.numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, QStringLiteral("That plan does not exist (any more)."));
    return {};
}

} // namespace

Result<QList<PlanRecord>> list(const QSqlDatabase &db)
{
    return readPlans(db, selectAllPlans, {});
}

Result<std::optional<PlanRecord>> findByName(const QSqlDatabase &db, const QString &name)
{
    return readOne(db, selectPlanByName, {name});
}

Result<std::optional<PlanRecord>> defaultPlan(const QSqlDatabase &db)
{
    return readOne(db, selectDefaultPlan, {});
}

Result<qint64> insert(const QSqlDatabase &db, const QString &name, std::optional<int> monthlyLimit, qint64 nowMs)
{
    auto q = execSql(db, QStringLiteral("INSERT INTO plans (name, monthly_limit, is_default, created_at) VALUES (?, ?, 0, ?) RETURNING id"),
                     {name, optionalLimit(monthlyLimit), nowMs});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return fail(ErrorCode::Internal, QStringLiteral("The new plan could not be saved."), QStringLiteral("INSERT returned no id"));
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    return id;
}

Result<void> setLimit(const QSqlDatabase &db, qint64 planId, std::optional<int> monthlyLimit)
{
    auto q = execSql(db, QStringLiteral("UPDATE plans SET monthly_limit = ? WHERE id = ?"), {optionalLimit(monthlyLimit), planId});
    if (!q)
        return Unexpected(q.error());
    return expectOneRow(*q);
}

Result<void> rename(const QSqlDatabase &db, qint64 planId, const QString &name)
{
    auto q = execSql(db, QStringLiteral("UPDATE plans SET name = ? WHERE id = ?"), {name, planId});
    if (!q)
        return Unexpected(q.error());
    return expectOneRow(*q);
}

Result<void> setAgents(const QSqlDatabase &db, qint64 planId, const QStringList &agentIds)
{
    if (auto cleared = execSql(db, QStringLiteral("DELETE FROM plan_agents WHERE plan_id = ?"), {planId}); !cleared)
        return Unexpected(cleared.error());
    for (const QString &agentId : agentIds) {
        auto added = execSql(db, QStringLiteral("INSERT INTO plan_agents (plan_id, agent_id) VALUES (?, ?)"), {planId, agentId});
        if (!added)
            return Unexpected(added.error());
    }
    return {};
}

Result<void> remove(const QSqlDatabase &db, qint64 planId)
{
    auto q = execSql(db, QStringLiteral("DELETE FROM plans WHERE id = ?"), {planId});
    if (!q)
        return Unexpected(q.error());
    return expectOneRow(*q);
}

Result<QList<AgentRecord>> agents(const QSqlDatabase &db)
{
    auto q = execSql(db, QStringLiteral("SELECT id, name, description, enabled FROM agents ORDER BY sort_order, id"));
    if (!q)
        return Unexpected(q.error());
    QList<AgentRecord> list;
    while (q->next())
        list.append(AgentRecord{q->value(0).toString(), q->value(1).toString(), q->value(2).toString(), q->value(3).toInt() != 0});
    return list;
}

} // namespace heliodesk::PlanStore
