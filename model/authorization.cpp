#include "authorization.h"

#include "storage/auditstore.h"
#include "storage/userstore.h"

#include <QJsonDocument>

namespace heliodesk {

Result<void> requireAdmin(const QSqlDatabase &db, const Actor &actor)
{
    const auto notAllowed = [] {
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: only an administrator can do this."));
    };
    if (actor.isSystem())
        return {};
    if (!actor.userId())
        return notAllowed();
    auto current = UserStore::findById(db, *actor.userId());
    if (!current)
        return Unexpected(current.error());
    if (!*current || (*current)->role != Role::Admin || (*current)->status != UserStatus::Active)
        return notAllowed();
    return {};
}

Result<void> requireAgentAccess(const AgentAccess &access, const QString &agentId, AgentUse use)
{
    if (!access.agentExists)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no agent “%1”.").arg(agentId));
    if (!access.agentEnabled)
        return fail(ErrorCode::NotAllowed, QStringLiteral("The %1 agent has been switched off by an administrator.").arg(access.agentName));
    if (!access.planIncludes)
        return fail(ErrorCode::NotAllowed,
                    use == AgentUse::Ask
                        ? QStringLiteral("Your plan does not include the %1 agent. Ask an administrator to change your plan.")
                              .arg(access.agentName)
                        : QStringLiteral("The user's plan does not include the %1 agent.").arg(access.agentName));
    if (use == AgentUse::Ask && !access.hired)
        return fail(ErrorCode::NotAllowed, QStringLiteral("You have not hired the %1 agent yet. Hire it first.").arg(access.agentName));
    return {};
}

Result<void> writeAudit(const QSqlDatabase &db, const Actor &actor, qint64 nowMs, const QString &action,
                        const QString &targetType, const QString &targetId, const QString &targetName, const QJsonObject &details)
{
    AuditEntry entry;
    entry.createdAtMs = nowMs;
    entry.actorId = actor.userId();
    entry.actorName = actor.name();
    entry.action = action;
    entry.targetType = targetType;
    entry.targetId = targetId;
    entry.targetName = targetName;
    entry.detailsJson = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    auto appended = AuditStore::append(db, entry);
    if (!appended)
        return Unexpected(appended.error());
    return {};
}

} // namespace heliodesk
