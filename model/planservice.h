#pragma once

// Plans: monthly query limits and which agents each includes. Changes apply from the next query on.

#include "actor.h"
#include "clock.h"

#include "storage/database.h"
#include "storage/records.h"

#include <memory>

namespace heliodesk {

struct PlanChanges {
    std::optional<QString> newName;
    std::optional<std::optional<int>> monthlyLimit; // set to nullopt-inside for unlimited
    std::optional<QStringList> agentIds;
};

class PlanService
{
public:
    PlanService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    Result<QList<PlanRecord>> listPlans();
    Result<QList<AgentRecord>> listAgents();
    /// Admins only. An empty `agentIds` includes every agent.
    Result<PlanRecord> addPlan(const Actor &actor, const QString &name, std::optional<int> monthlyLimit,
                               const QStringList &agentIds = {});
    Result<PlanRecord> updatePlan(const Actor &actor, const QString &name, const PlanChanges &changes);
    /// Admins only. Refused while any user is on the plan, and for the default plan (new users get it).
    Result<void> deletePlan(const Actor &actor, const QString &name);

    /// Hires agents for a user (the user themself, or an admin). Each must exist, be switched on
    /// and be included in the user's plan; all are hired, or none.
    Result<QStringList> hireAgents(const Actor &actor, const QString &username, const QStringList &agentIds);
    Result<QStringList> releaseAgents(const Actor &actor, const QString &username, const QStringList &agentIds);
    Result<QStringList> hiredAgents(const Actor &actor, const QString &username);

private:
    Result<QStringList> changeHiring(const Actor &actor, const QString &username, const QStringList &agentIds, bool hire);
    Result<UserRecord> userForHiring(const QSqlDatabase &db, const Actor &actor, const QString &username);
    Result<QStringList> validAgents(const QSqlDatabase &db, const QStringList &agentIds);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
