#pragma once

// SQL for plans and the agents each plan includes.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::PlanStore {

Result<QList<PlanRecord>> list(const QSqlDatabase &db);
Result<std::optional<PlanRecord>> findByName(const QSqlDatabase &db, const QString &name);
Result<std::optional<PlanRecord>> defaultPlan(const QSqlDatabase &db);
Result<qint64> insert(const QSqlDatabase &db, const QString &name, std::optional<int> monthlyLimit, qint64 nowMs);
Result<void> setLimit(const QSqlDatabase &db, qint64 planId, std::optional<int> monthlyLimit);
Result<void> rename(const QSqlDatabase &db, qint64 planId, const QString &name);
Result<void> setAgents(const QSqlDatabase &db, qint64 planId, const QStringList &agentIds);
/// Deletes the plan and its agent list; the caller checks first that no user is on it.
Result<void> remove(const QSqlDatabase &db, qint64 planId);
Result<QList<AgentRecord>> agents(const QSqlDatabase &db);

} // namespace heliodesk::PlanStore
