#include "planservice.h"

#include "authorization.h"

#include "accountservice.h"

#include "storage/hiringstore.h"
#include "storage/planstore.h"
#include "storage/userstore.h"
#include "storage/transaction.h"

#include <QJsonArray>
#include <QJsonObject>

namespace heliodesk {

namespace {

QString planNameProblem(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("A plan needs a name.");
    if (name.size() > 64)
        return QStringLiteral("A plan name can have at most 64 characters.");
    return {};
}

QJsonValue limitJson(std::optional<int> limit)
{
    return limit ? QJsonValue(*limit) : QJsonValue(QStringLiteral("unlimited"));
}

} // namespace

PlanService::PlanService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

Result<QList<PlanRecord>> PlanService::listPlans()
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    return PlanStore::list(*db);
}

Result<QList<AgentRecord>> PlanService::listAgents()
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    return PlanStore::agents(*db);
}

Result<QStringList> PlanService::validAgents(const QSqlDatabase &db, const QStringList &agentIds)
{
    auto agents = PlanStore::agents(db);
    if (!agents)
        return Unexpected(agents.error());
    QStringList known;
    for (const AgentRecord &agent : *agents)
        known << agent.id;
    if (agentIds.isEmpty())
        return known;
    QStringList chosen;
    for (const QString &id : agentIds) {
        const QString trimmed = id.trimmed();
        if (!known.contains(trimmed))
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("There is no agent “%1”; the agents are %2.").arg(trimmed, known.join(QStringLiteral(", "))));
        if (!chosen.contains(trimmed))
            chosen << trimmed;
    }
    return chosen;
}

Result<PlanRecord> PlanService::addPlan(const Actor &actor, const QString &name, std::optional<int> monthlyLimit,
                                        const QStringList &agentIds)
{
    const QString planName = name.trimmed();
    if (const QString problem = planNameProblem(planName); !problem.isEmpty())
        return fail(ErrorCode::InvalidInput, problem);
    if (monthlyLimit && *monthlyLimit < 0)
        return fail(ErrorCode::InvalidInput, QStringLiteral("A query limit cannot be negative."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto existing = PlanStore::findByName(*db, planName);
    if (!existing)
        return Unexpected(existing.error());
    if (*existing)
        return fail(ErrorCode::Duplicate, QStringLiteral("There is already a plan called “%1”.").arg(planName));
    auto agents = validAgents(*db, agentIds);
    if (!agents)
        return Unexpected(agents.error());
    const qint64 now = m_clock->nowMs();
    auto id = PlanStore::insert(*db, planName, monthlyLimit, now);
    if (!id)
        return Unexpected(id.error());
    if (auto set = PlanStore::setAgents(*db, *id, *agents); !set)
        return Unexpected(set.error());
    if (auto audited = writeAudit(*db, actor, now, QStringLiteral("plan.create"), QStringLiteral("plan"), QString::number(*id),
                                  planName,
                                  {{QStringLiteral("monthly_limit"), limitJson(monthlyLimit)},
                                   {QStringLiteral("agents"), QJsonArray::fromStringList(*agents)}});
        !audited)
        return Unexpected(audited.error());
    auto plan = PlanStore::findByName(*db, planName);
    if (!plan)
        return Unexpected(plan.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return **plan;
}

Result<PlanRecord> PlanService::updatePlan(const Actor &actor, const QString &name, const PlanChanges &changes)
{
    if (changes.newName) {
        if (const QString problem = planNameProblem(*changes.newName); !problem.isEmpty())
            return fail(ErrorCode::InvalidInput, problem);
    }
    if (changes.monthlyLimit && *changes.monthlyLimit && **changes.monthlyLimit < 0)
        return fail(ErrorCode::InvalidInput, QStringLiteral("A query limit cannot be negative."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto plan = PlanStore::findByName(*db, name.trimmed());
    if (!plan)
        return Unexpected(plan.error());
    if (!*plan)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no plan called “%1”.").arg(name.trimmed()));

    QJsonObject details;
    if (changes.monthlyLimit) {
        if (auto set = PlanStore::setLimit(*db, (*plan)->id, *changes.monthlyLimit); !set)
            return Unexpected(set.error());
        details.insert(QStringLiteral("monthly_limit"), QJsonObject{{QStringLiteral("from"), limitJson((*plan)->monthlyLimit)},
                                                                   {QStringLiteral("to"), limitJson(*changes.monthlyLimit)}});
    }
    if (changes.agentIds) {
        auto agents = validAgents(*db, *changes.agentIds);
        if (!agents)
            return Unexpected(agents.error());
        if (auto set = PlanStore::setAgents(*db, (*plan)->id, *agents); !set)
            return Unexpected(set.error());
        details.insert(QStringLiteral("agents"), QJsonArray::fromStringList(*agents));
    }
    QString finalName = (*plan)->name;
    if (changes.newName && changes.newName->trimmed() != finalName) {
        finalName = changes.newName->trimmed();
        auto clash = PlanStore::findByName(*db, finalName);
        if (!clash)
            return Unexpected(clash.error());
        if (*clash)
            return fail(ErrorCode::Duplicate, QStringLiteral("There is already a plan called “%1”.").arg(finalName));
        if (auto set = PlanStore::rename(*db, (*plan)->id, finalName); !set)
            return Unexpected(set.error());
        details.insert(QStringLiteral("name"), QJsonObject{{QStringLiteral("from"), (*plan)->name}, {QStringLiteral("to"), finalName}});
    }
    if (auto audited = writeAudit(*db, actor, m_clock->nowMs(), QStringLiteral("plan.update"), QStringLiteral("plan"),
                                  QString::number((*plan)->id), finalName, details);
        !audited)
        return Unexpected(audited.error());
    auto updated = PlanStore::findByName(*db, finalName);
    if (!updated)
        return Unexpected(updated.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return **updated;
}

Result<void> PlanService::deletePlan(const Actor &actor, const QString &name)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    // Read inside the write transaction, so no user can be moved onto the plan between check and delete.
    auto plan = PlanStore::findByName(*db, name.trimmed());
    if (!plan)
        return Unexpected(plan.error());
    if (!*plan)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no plan called “%1”.").arg(name.trimmed()));
    const PlanRecord &found = **plan;
    if (found.userCount > 0)
        return fail(ErrorCode::InvalidInput,
                    found.userCount == 1
                        ? QStringLiteral("The plan “%1” was not deleted: 1 user is on it. Move that user to another plan first.")
                              .arg(found.name)
                        : QStringLiteral("The plan “%1” was not deleted: %2 users are on it. Move them to another plan first.")
                              .arg(found.name)
                              .arg(found.userCount));
    if (found.isDefault)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The plan “%1” was not deleted: it is the default plan that new users get.").arg(found.name));
    if (auto removed = PlanStore::remove(*db, found.id); !removed)
        return Unexpected(removed.error());
    if (auto audited = writeAudit(*db, actor, m_clock->nowMs(), QStringLiteral("plan.delete"), QStringLiteral("plan"),
                                  QString::number(found.id), found.name,
                                  {{QStringLiteral("monthly_limit"), limitJson(found.monthlyLimit)},
                                   {QStringLiteral("agents"), QJsonArray::fromStringList(found.agentIds)}});
        !audited)
        return Unexpected(audited.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return {};
}

Result<UserRecord> PlanService::userForHiring(const QSqlDatabase &db, const Actor &actor, const QString &username)
{
    const QString name = AccountService::normalizeUsername(username);
    const bool self = actor.userId() && !actor.isSystem() && name == actor.name();
    if (!self) {
        if (auto allowed = requireAdmin(db, actor); !allowed)
            return Unexpected(allowed.error());
    }
    auto user = UserStore::findByName(db, name);
    if (!user)
        return Unexpected(user.error());
    if (!*user)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no user called “%1”.").arg(name));
    // A disabled account changes nothing for itself, even from a window opened before it was disabled.
    if (self && (*user)->status != UserStatus::Active)
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: your account is disabled. Ask an administrator."));
    return **user;
}

Result<QStringList> PlanService::hireAgents(const Actor &actor, const QString &username, const QStringList &agentIds)
{
    return changeHiring(actor, username, agentIds, true);
}

Result<QStringList> PlanService::releaseAgents(const Actor &actor, const QString &username, const QStringList &agentIds)
{
    return changeHiring(actor, username, agentIds, false);
}

Result<QStringList> PlanService::changeHiring(const Actor &actor, const QString &username, const QStringList &agentIds, bool hire)
{
    if (agentIds.isEmpty())
        return fail(ErrorCode::InvalidInput,
                    hire ? QStringLiteral("Name at least one agent to hire.") : QStringLiteral("Name at least one agent to release."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    auto user = userForHiring(*db, actor, username);
    if (!user)
        return Unexpected(user.error());
    const qint64 now = m_clock->nowMs();
    QStringList changed;
    for (const QString &rawId : agentIds) {
        const QString agentId = rawId.trimmed();
        if (hire) {
            auto access = HiringStore::accessOf(*db, user->id, agentId);
            if (!access)
                return Unexpected(access.error());
            if (auto allowed = requireAgentAccess(*access, agentId, AgentUse::Hire); !allowed)
                return Unexpected(allowed.error());
            if (auto done = HiringStore::hire(*db, user->id, agentId, now); !done)
                return Unexpected(done.error());
            changed << agentId;
        } else {
            auto done = HiringStore::release(*db, user->id, agentId);
            if (!done)
                return Unexpected(done.error());
            if (*done)
                changed << agentId;
        }
    }
    if (auto audited = writeAudit(*db, actor, now, hire ? QStringLiteral("agent.hire") : QStringLiteral("agent.release"),
                                  QStringLiteral("user"), QString::number(user->id), user->username,
                                  {{QStringLiteral("agents"), QJsonArray::fromStringList(changed)}});
        !audited)
        return Unexpected(audited.error());
    auto all = HiringStore::hiredAgents(*db, user->id);
    if (!all)
        return Unexpected(all.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return *all;
}

Result<QStringList> PlanService::hiredAgents(const Actor &actor, const QString &username)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto user = userForHiring(*db, actor, username);
    if (!user)
        return Unexpected(user.error());
    return HiringStore::hiredAgents(*db, user->id);
}

} // namespace heliodesk
