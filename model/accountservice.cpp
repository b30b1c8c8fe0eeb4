#include "accountservice.h"

#include "authorization.h"

#include "storage/planstore.h"
#include "storage/transaction.h"
#include "storage/userdatastore.h"
#include "storage/userstore.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcAccounts, "heliodesk.accounts", QtInfoMsg)

namespace {

Error wrongCredentials()
{
    return Error(ErrorCode::WrongCredentials, QStringLiteral("Wrong username or password."));
}

Error lockedOut(qint64 untilMs, qint64 nowMs)
{
    const qint64 minutes = std::max<qint64>(1, (untilMs - nowMs + 59'999) / 60'000);
    return Error(ErrorCode::LockedOut,
                 QStringLiteral("Too many failed sign-in attempts: this account is locked for %1 more minute(s). "
                                "An administrator can unlock it by resetting the password.")
                     .arg(minutes));
}

Error noSuchUser(const QString &username)
{
    return Error(ErrorCode::NotFound, QStringLiteral("There is no user called “%1”.").arg(username));
}

Result<qint64> resolvePlan(const QSqlDatabase &db, const QString &planName)
{
    auto plan = planName.isEmpty() ? PlanStore::defaultPlan(db) : PlanStore::findByName(db, planName);
    if (!plan)
        return Unexpected(plan.error());
    if (!*plan)
        return planName.isEmpty() ? fail(ErrorCode::NotFound, QStringLiteral("There is no default plan; name a plan for the user."))
                                  : fail(ErrorCode::NotFound, QStringLiteral("There is no plan called “%1”.").arg(planName));
    return (*plan)->id;
}

QString quotaText(QuotaMode mode, const std::optional<int> &limit)
{
    if (mode == QuotaMode::Limit && limit)
        return QStringLiteral("limit %1").arg(*limit);
    return nameOf(mode);
}

} // namespace

QString DeletionReport::summary() const
{
    const auto part = [](int n, const char *one, const char *many) -> QString {
        return QString::number(n) + u' ' + QString::fromLatin1(n == 1 ? one : many);
    };
    return QStringList{part(counts.conversations, "conversation", "conversations"),
                       part(counts.messages, "message", "messages"),
                       part(counts.feedback, "feedback entry", "feedback entries"),
                       part(counts.surveyResponses, "survey answer", "survey answers"),
                       part(counts.hiredAgents, "hired agent", "hired agents"),
                       part(counts.usageEvents, "usage record", "usage records")}
        .join(QStringLiteral(", "));
}

AccountService::AccountService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, PasswordHasher hasher,
                               LockoutPolicy lockout)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_hasher(std::move(hasher))
    , m_lockout(lockout)
{
}

QString AccountService::normalizeUsername(const QString &username)
{
    return username.trimmed().toLower();
}

QString AccountService::usernameProblem(const QString &normalized)
{
    static const QRegularExpression allowed(QStringLiteral(R"(^[\p{Ll}\p{Lo}\p{Nd}][\p{Ll}\p{Lo}\p{Nd}._@-]{0,63}$)"));
    if (normalized.isEmpty())
        return QStringLiteral("A username cannot be empty.");
    if (!allowed.match(normalized).hasMatch())
        return QStringLiteral("A username starts with a letter or digit and may contain letters, digits, dots, dashes, "
                              "underscores and @, up to 64 characters.");
    return {};
}

Result<QSqlDatabase> AccountService::connection()
{
    return m_database->connection();
}

Result<void> AccountService::requireAdmin(const QSqlDatabase &db, const Actor &actor)
{
    return heliodesk::requireAdmin(db, actor);
}

Result<UserRecord> AccountService::requireUser(const QSqlDatabase &db, const QString &username)
{
    const QString name = normalizeUsername(username);
    auto user = UserStore::findByName(db, name);
    if (!user)
        return Unexpected(user.error());
    if (!*user)
        return Unexpected(noSuchUser(name));
    return **user;
}

Result<bool> AccountService::hasUsers()
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto count = UserStore::countUsers(*db);
    if (!count)
        return Unexpected(count.error());
    return *count > 0;
}

Result<UserRecord> AccountService::createUser(const Actor &actor, const NewUser &request)
{
    const QString username = normalizeUsername(request.username);
    if (const QString problem = usernameProblem(username); !problem.isEmpty())
        return fail(ErrorCode::InvalidInput, problem);
    if (const QString weakness = PasswordHasher::weaknessOf(request.password); !weakness.isEmpty())
        return fail(ErrorCode::InvalidInput, weakness);
    if (request.quotaLimit && *request.quotaLimit < 0)
        return fail(ErrorCode::InvalidInput, QStringLiteral("A query limit cannot be negative."));

    // Hashing takes tens of milliseconds: do it before taking the write lock.
    auto hash = m_hasher.hash(request.password);
    if (!hash)
        return Unexpected(hash.error());

    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());

    auto count = UserStore::countUsers(*db);
    if (!count)
        return Unexpected(count.error());
    const bool firstAccount = *count == 0;
    if (!firstAccount) {
        if (auto allowed = requireAdmin(*db, actor); !allowed)
            return Unexpected(allowed.error());
    }

    auto existing = UserStore::findByName(*db, username);
    if (!existing)
        return Unexpected(existing.error());
    if (*existing)
        return fail(ErrorCode::Duplicate, QStringLiteral("The username “%1” is already taken.").arg(username));

    auto planId = resolvePlan(*db, request.planName);
    if (!planId)
        return Unexpected(planId.error());

    NewUserRow row;
    row.username = username;
    row.displayName = request.displayName.trimmed().isEmpty() ? request.username.trimmed() : request.displayName.trimmed();
    row.role = firstAccount ? Role::Admin : request.role;
    row.planId = *planId;
    row.passwordHash = *hash;
    row.quotaMode = request.unlimited ? QuotaMode::Unlimited : request.quotaLimit ? QuotaMode::Limit : QuotaMode::Plan;
    row.quotaLimit = request.unlimited ? std::nullopt : request.quotaLimit;
    row.nowMs = m_clock->nowMs();
    auto id = UserStore::insert(*db, row);
    if (!id)
        return Unexpected(id.error());

    const Actor author = actor.isAnonymous() ? Actor::system(QStringLiteral("first-run setup")) : actor;
    if (auto audited = writeAudit(*db, author, row.nowMs, QStringLiteral("user.create"), QStringLiteral("user"),
                                  QString::number(*id), username,
                                  {{QStringLiteral("role"), nameOf(row.role)},
                                   {QStringLiteral("quota"), nameOf(row.quotaMode)},
                                   {QStringLiteral("first_account"), firstAccount}});
        !audited)
        return Unexpected(audited.error());

    auto created = UserStore::findById(*db, *id);
    if (!created)
        return Unexpected(created.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    qCInfo(lcAccounts) << "user" << username << "created by" << author.name() << "as" << nameOf(row.role);
    return **created;
}

Result<UserRecord> AccountService::signIn(const QString &username, const QString &password)
{
    const QString name = normalizeUsername(username);
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto found = UserStore::findByName(*db, name);
    if (!found)
        return Unexpected(found.error());
    if (!*found) {
        m_hasher.verifyDummy(password); // an unknown name takes as long as a wrong password
        return Unexpected(wrongCredentials());
    }
    const UserRecord &user = **found;
    const qint64 now = m_clock->nowMs();
    if (user.lockedUntilMs && *user.lockedUntilMs > now)
        return Unexpected(lockedOut(*user.lockedUntilMs, now));

    const bool passwordMatches = m_hasher.verify(user.passwordHash, password);

    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    // Re-read under the write lock: concurrent failures from other windows must add up.
    auto current = UserStore::findById(*db, user.id);
    if (!current)
        return Unexpected(current.error());
    if (!*current)
        return Unexpected(wrongCredentials());

    if (!passwordMatches) {
        const bool lockExpired = (*current)->lockedUntilMs && *(*current)->lockedUntilMs <= now;
        const int failures = (lockExpired ? 0 : (*current)->failedSignIns) + 1;
        std::optional<qint64> lockedUntil;
        if (failures >= m_lockout.maxFailedSignIns)
            lockedUntil = now + std::chrono::duration_cast<std::chrono::milliseconds>(m_lockout.lockoutDuration).count();
        if (auto recorded = UserStore::recordFailedSignIn(*db, user.id, failures, lockedUntil); !recorded)
            return Unexpected(recorded.error());
        if (auto committed = txn->commit(); !committed)
            return Unexpected(committed.error());
        qCInfo(lcAccounts) << "failed sign-in for" << name << "attempt" << failures;
        if (lockedUntil) {
            qCWarning(lcAccounts) << "account" << name << "locked after" << failures << "failed sign-ins";
            return Unexpected(lockedOut(*lockedUntil, now));
        }
        return Unexpected(wrongCredentials());
    }

    if ((*current)->status != UserStatus::Active)
        return fail(ErrorCode::AccountDisabled,
                    QStringLiteral("This account is disabled. Ask an administrator to enable it."));

    if (m_hasher.needsRehash((*current)->passwordHash)) {
        // Stronger parameters than when the password was set: store a fresh hash now that we know the password.
        auto rehashed = m_hasher.hash(password);
        if (!rehashed)
            return Unexpected(rehashed.error());
        if (auto stored = UserStore::setPasswordHash(*db, user.id, *rehashed, now); !stored)
            return Unexpected(stored.error());
        qCInfo(lcAccounts) << "password hash of" << name << "upgraded to current parameters";
    }
    if (auto recorded = UserStore::recordSignIn(*db, user.id, now); !recorded)
        return Unexpected(recorded.error());
    auto signedIn = UserStore::findById(*db, user.id);
    if (!signedIn)
        return Unexpected(signedIn.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return **signedIn;
}

Result<void> AccountService::changePassword(const Actor &actor, const QString &currentPassword, const QString &newPassword)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: sign in to change your password."));
    if (const QString weakness = PasswordHasher::weaknessOf(newPassword); !weakness.isEmpty())
        return fail(ErrorCode::InvalidInput, weakness);
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto user = UserStore::findById(*db, *actor.userId());
    if (!user)
        return Unexpected(user.error());
    if (!*user)
        return Unexpected(noSuchUser(actor.name()));
    if (!m_hasher.verify((*user)->passwordHash, currentPassword))
        return fail(ErrorCode::WrongCredentials, QStringLiteral("The current password is wrong, so the password was not changed."));
    auto hash = m_hasher.hash(newPassword);
    if (!hash)
        return Unexpected(hash.error());

    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    const qint64 now = m_clock->nowMs();
    if (auto stored = UserStore::setPasswordHash(*db, (*user)->id, *hash, now); !stored)
        return Unexpected(stored.error());
    if (auto audited = writeAudit(*db, actor, now, QStringLiteral("user.password-change"), QStringLiteral("user"),
                                  QString::number((*user)->id), (*user)->username);
        !audited)
        return Unexpected(audited.error());
    return txn->commit();
}

Result<void> AccountService::resetPassword(const Actor &actor, const QString &username, const QString &newPassword)
{
    if (const QString weakness = PasswordHasher::weaknessOf(newPassword); !weakness.isEmpty())
        return fail(ErrorCode::InvalidInput, weakness);
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return allowed;
    auto hash = m_hasher.hash(newPassword);
    if (!hash)
        return Unexpected(hash.error());

    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return allowed;
    auto target = requireUser(*db, username);
    if (!target)
        return Unexpected(target.error());
    const qint64 now = m_clock->nowMs();
    if (auto stored = UserStore::setPasswordHash(*db, target->id, *hash, now); !stored)
        return Unexpected(stored.error());
    if (auto audited = writeAudit(*db, actor, now, QStringLiteral("user.password-reset"), QStringLiteral("user"),
                                  QString::number(target->id), target->username);
        !audited)
        return Unexpected(audited.error());
    return txn->commit();
}

Result<QList<UserRecord>> AccountService::listUsers(const Actor &actor)
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return UserStore::list(*db);
}

Result<UserRecord> AccountService::findUser(const Actor &actor, const QString &username)
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    const bool self = actor.userId() && !actor.isSystem() && normalizeUsername(username) == actor.name();
    if (!self) {
        if (auto allowed = requireAdmin(*db, actor); !allowed)
            return Unexpected(allowed.error());
    }
    return requireUser(*db, username);
}

Result<UserRecord> AccountService::updateUser(const Actor &actor, const QString &username, const UserChanges &changes)
{
    if (changes.quotaMode == QuotaMode::Limit && (!changes.quotaLimit || *changes.quotaLimit < 0))
        return fail(ErrorCode::InvalidInput, QStringLiteral("Give a query limit of 0 or more."));

    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto target = requireUser(*db, username);
    if (!target)
        return Unexpected(target.error());

    const bool isSelf = actor.userId() == target->id;
    if (isSelf && changes.status == UserStatus::Disabled)
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: you cannot disable your own account."));
    const bool losesAdmin = target->role == Role::Admin && target->status == UserStatus::Active
        && (changes.role == Role::Analyst || changes.status == UserStatus::Disabled);
    if (losesAdmin) {
        auto admins = UserStore::countActiveAdmins(*db);
        if (!admins)
            return Unexpected(admins.error());
        if (*admins <= 1)
            return fail(ErrorCode::NotAllowed,
                        QStringLiteral("Not allowed: %1 is the last active administrator. Make someone else an administrator first.")
                            .arg(target->username));
    }

    QJsonObject details;
    if (changes.role && *changes.role != target->role) {
        if (auto done = UserStore::setRole(*db, target->id, *changes.role); !done)
            return Unexpected(done.error());
        details.insert(QStringLiteral("role"), QJsonObject{{QStringLiteral("from"), nameOf(target->role)},
                                                          {QStringLiteral("to"), nameOf(*changes.role)}});
    }
    if (changes.status && *changes.status != target->status) {
        if (auto done = UserStore::setStatus(*db, target->id, *changes.status); !done)
            return Unexpected(done.error());
        details.insert(QStringLiteral("status"), QJsonObject{{QStringLiteral("from"), nameOf(target->status)},
                                                            {QStringLiteral("to"), nameOf(*changes.status)}});
    }
    if (changes.planName) {
        auto planId = resolvePlan(*db, *changes.planName);
        if (!planId)
            return Unexpected(planId.error());
        if (*planId != target->planId) {
            if (auto done = UserStore::setPlan(*db, target->id, *planId); !done)
                return Unexpected(done.error());
            details.insert(QStringLiteral("plan"), QJsonObject{{QStringLiteral("from"), target->planName},
                                                              {QStringLiteral("to"), *changes.planName}});
        }
    }
    if (changes.quotaMode) {
        if (auto done = UserStore::setQuota(*db, target->id, *changes.quotaMode, changes.quotaLimit); !done)
            return Unexpected(done.error());
        details.insert(QStringLiteral("quota"),
                       QJsonObject{{QStringLiteral("from"), quotaText(target->quotaMode, target->quotaLimit)},
                                   {QStringLiteral("to"), quotaText(*changes.quotaMode, changes.quotaLimit)}});
    }

    if (!details.isEmpty()) {
        if (auto audited = writeAudit(*db, actor, m_clock->nowMs(), QStringLiteral("user.update"), QStringLiteral("user"),
                                      QString::number(target->id), target->username, details);
            !audited)
            return Unexpected(audited.error());
    }
    auto updated = UserStore::findById(*db, target->id);
    if (!updated)
        return Unexpected(updated.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return **updated;
}

Result<int> AccountService::resetMonthCount(const Actor &actor, const QString &username, const QString &reason)
{
    const QString why = reason.trimmed();
    if (why.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("Give a reason for resetting the count; it goes into the audit log."));

    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto target = requireUser(*db, username);
    if (!target)
        return Unexpected(target.error());

    const QDateTime now = m_clock->nowUtc();
    const QString period = quotaPeriodOf(now);
    const int before = target->usedIn(period);
    if (auto done = UserStore::resetQuotaUsed(*db, target->id, period); !done)
        return Unexpected(done.error());
    if (auto audited = writeAudit(*db, actor, now.toMSecsSinceEpoch(), QStringLiteral("user.quota-reset"), QStringLiteral("user"),
                                  QString::number(target->id), target->username,
                                  {{QStringLiteral("period"), period},
                                   {QStringLiteral("count_before"), before},
                                   {QStringLiteral("reason"), why}});
        !audited)
        return Unexpected(audited.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    qCInfo(lcAccounts) << "query count of" << target->username << "for" << period << "reset from" << before << "by" << actor.name();
    return before;
}

Result<DeletionCounts> AccountService::previewDeletion(const Actor &actor, const QString &username)
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto target = requireUser(*db, username);
    if (!target)
        return Unexpected(target.error());
    return UserDataStore::count(*db, target->id);
}

Result<DeletionReport> AccountService::deleteUser(const Actor &actor, const QString &username)
{
    const auto failed = [&username](const Error &error) {
        Error withContext = error.withContext(QStringLiteral("Nothing was deleted"));
        qCWarning(lcAccounts) << "deleting user" << username << "failed:" << withContext;
        return Unexpected(withContext);
    };
    auto db = connection();
    if (!db)
        return failed(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return failed(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto target = requireUser(*db, username);
    if (!target)
        return Unexpected(target.error());
    if (actor.userId() == target->id)
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: you cannot delete your own account; ask another administrator."));
    if (target->role == Role::Admin && target->status == UserStatus::Active) {
        auto admins = UserStore::countActiveAdmins(*db);
        if (!admins)
            return failed(admins.error());
        if (*admins <= 1)
            return fail(ErrorCode::NotAllowed,
                        QStringLiteral("Not allowed: %1 is the last active administrator and cannot be deleted.").arg(target->username));
    }

    auto removed = UserDataStore::removeAll(*db, target->id);
    if (!removed)
        return failed(removed.error());

    DeletionReport report{target->username, *removed};
    const DeletionCounts &c = report.counts;
    if (auto audited = writeAudit(*db, actor, m_clock->nowMs(), QStringLiteral("user.delete"), QStringLiteral("user"),
                                  QString::number(target->id), target->username,
                                  {{QStringLiteral("conversations"), c.conversations},
                                   {QStringLiteral("messages"), c.messages},
                                   {QStringLiteral("feedback"), c.feedback},
                                   {QStringLiteral("survey_responses"), c.surveyResponses},
                                   {QStringLiteral("hired_agents"), c.hiredAgents},
                                   {QStringLiteral("usage_events"), c.usageEvents},
                                   {QStringLiteral("role"), nameOf(target->role)}});
        !audited)
        return failed(audited.error());
    if (auto committed = txn->commit(); !committed)
        return failed(committed.error());
    qCInfo(lcAccounts) << "user" << target->username << "deleted by" << actor.name() << ":" << report.summary();
    return report;
}

} // namespace heliodesk
