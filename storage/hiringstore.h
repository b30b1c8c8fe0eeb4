#pragma once

// SQL for which agents a user has hired, and whether they may ask one.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::HiringStore {

Result<void> hire(const QSqlDatabase &db, qint64 userId, const QString &agentId, qint64 nowMs);
/// True when the agent was hired and is now released.
Result<bool> release(const QSqlDatabase &db, qint64 userId, const QString &agentId);
Result<QStringList> hiredAgents(const QSqlDatabase &db, qint64 userId);
/// Everything that decides whether `userId` may ask `agentId`, with the agent's prompt and model.
Result<AgentAccess> accessOf(const QSqlDatabase &db, qint64 userId, const QString &agentId);

} // namespace heliodesk::HiringStore
