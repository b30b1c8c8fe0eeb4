#pragma once

// Rights checks shared by the services, made against the database rather than a cached role, so a
// demoted or disabled admin loses their rights at once.

#include "actor.h"

#include "storage/error.h"
#include "storage/records.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace heliodesk {

/// Succeeds for the system operator and for active admins; fails with NotAllowed otherwise.
Result<void> requireAdmin(const QSqlDatabase &db, const Actor &actor);

enum class AgentUse {
    Hire, // the agent must exist, be switched on and be in the user's plan
    Ask,  // …and be hired
};

/// Why the user of `access` may not use the agent that way, in words; success when they may.
Result<void> requireAgentAccess(const AgentAccess &access, const QString &agentId, AgentUse use);

/// Appends an audit entry for an action of `actor`, in the caller's transaction.
Result<void> writeAudit(const QSqlDatabase &db, const Actor &actor, qint64 nowMs, const QString &action,
                        const QString &targetType, const QString &targetId, const QString &targetName,
                        const QJsonObject &details = {});

} // namespace heliodesk
