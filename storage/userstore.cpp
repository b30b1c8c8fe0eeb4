#include "userstore.h"

#include "sql.h"

namespace heliodesk::UserStore {

namespace {

const QString selectUsers = QStringLiteral(
    "SELECT u.id, u.username, u.display_name, u.role, u.status, u.plan_id, p.name, u.password_hash, "
    "u.failed_sign_ins, u.locked_until, u.quota_mode, u.quota_limit, "
    "CASE u.quota_mode WHEN 'unlimited' THEN NULL WHEN 'limit' THEN u.quota_limit ELSE p.monthly_limit END, "
    "u.quota_used, u.quota_period, u.created_at, u.last_sign_in_at "
    "FROM users u JOIN plans p ON p.id = u.plan_id ");
const QString selectUserByName = selectUsers + u"WHERE u.username = ?";
const QString selectUserById = selectUsers + u"WHERE u.id = ?";
const QString selectAllUsers = selectUsers + u"ORDER BY u.username";

template<typename T>
std::optional<T> optionalValue(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.value<T>();
}

UserRecord readUser(const QSqlQuery &q)
{
    UserRecord u;
    u.id = q.value(0).toLongLong();
    u.username = q.value(1).toString();
    u.displayName = q.value(2).toString();
    u.role = roleFromString(q.value(3).toString()).value_or(Role::Analyst);
    u.status = userStatusFromString(q.value(4).toString()).value_or(UserStatus::Disabled);
    u.planId = q.value(5).toLongLong();
    u.planName = q.value(6).toString();
    u.passwordHash = q.value(7).toString();
    u.failedSignIns = q.value(8).toInt();
    u.lockedUntilMs = optionalValue<qint64>(q.value(9));
    u.quotaMode = quotaModeFromString(q.value(10).toString()).value_or(QuotaMode::Plan);
    u.quotaLimit = optionalValue<int>(q.value(11));
    u.effectiveLimit = optionalValue<int>(q.value(12));
    u.quotaUsed = q.value(13).toInt();
    u.quotaPeriod = q.value(14).toString();
    u.createdAtMs = q.value(15).toLongLong();
    u.lastSignInAtMs = optionalValue<qint64>(q.value(16));
    return u;
}

Result<std::optional<UserRecord>> findOne(const QSqlDatabase &db, const QString &sql, const QVariant &value)
{
    auto q = execSql(db, sql, {value});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return std::optional<UserRecord>();
    return std::optional<UserRecord>(readUser(*q));
}

Result<void> execOne(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error());
    if (q->numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, QStringLiteral("That user does not exist (any more)."),
                    QStringLiteral("%1 changed %2 rows").arg(sql).arg(q->numRowsAffected()));
    return {};
}

QVariant optionalInt(std::optional<int> value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<int>());
}

QVariant optionalInt64(std::optional<qint64> value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

} // namespace

Result<std::optional<UserRecord>> findByName(const QSqlDatabase &db, const QString &username)
{
    return findOne(db, selectUserByName, username);
}

Result<std::optional<UserRecord>> findById(const QSqlDatabase &db, qint64 id)
{
    return findOne(db, selectUserById, id);
}

Result<QList<UserRecord>> list(const QSqlDatabase &db)
{
    auto q = execSql(db, selectAllUsers);
    if (!q)
        return Unexpected(q.error());
    QList<UserRecord> users;
    while (q->next())
        users.append(readUser(*q));
    return users;
}

Result<qint64> insert(const QSqlDatabase &db, const NewUserRow &row)
{
    auto q = execSql(db,
                     QStringLiteral("INSERT INTO users (username, display_name, role, status, plan_id, password_hash, "
                                    "quota_mode, quota_limit, created_at, password_changed_at) "
                                    "VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?) RETURNING id"),
                     {row.username, row.displayName, nameOf(row.role), row.planId, row.passwordHash,
                      nameOf(row.quotaMode), optionalInt(row.quotaLimit), row.nowMs, row.nowMs});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return fail(ErrorCode::Internal, QStringLiteral("The new user could not be saved."), QStringLiteral("INSERT returned no id"));
    const qint64 id = q->value(0).toLongLong();
    q->finish(); // a RETURNING statement stays in progress until finished, and would block COMMIT
    return id;
}

Result<int> countUsers(const QSqlDatabase &db)
{
    return scalar(db, QStringLiteral("SELECT count(*) FROM users")).map([](const QVariant &v) { return v.toInt(); });
}

Result<int> countActiveAdmins(const QSqlDatabase &db)
{
    return scalar(db, QStringLiteral("SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active'"))
        .map([](const QVariant &v) { return v.toInt(); });
}

Result<void> setRole(const QSqlDatabase &db, qint64 id, Role role)
{
    return execOne(db, QStringLiteral("UPDATE users SET role = ? WHERE id = ?"), {nameOf(role), id});
}

Result<void> setStatus(const QSqlDatabase &db, qint64 id, UserStatus status)
{
    return execOne(db, QStringLiteral("UPDATE users SET status = ? WHERE id = ?"), {nameOf(status), id});
}

Result<void> setPlan(const QSqlDatabase &db, qint64 id, qint64 planId)
{
    return execOne(db, QStringLiteral("UPDATE users SET plan_id = ? WHERE id = ?"), {planId, id});
}

Result<void> setQuota(const QSqlDatabase &db, qint64 id, QuotaMode mode, std::optional<int> limit)
{
    return execOne(db, QStringLiteral("UPDATE users SET quota_mode = ?, quota_limit = ? WHERE id = ?"),
                   {nameOf(mode), optionalInt(mode == QuotaMode::Limit ? limit : std::nullopt), id});
}

Result<void> resetQuotaUsed(const QSqlDatabase &db, qint64 id, const QString &period)
{
    return execOne(db, QStringLiteral("UPDATE users SET quota_used = 0, quota_period = ? WHERE id = ?"), {period, id});
}

Result<void> setPasswordHash(const QSqlDatabase &db, qint64 id, const QString &hash, qint64 nowMs)
{
    return execOne(db,
                   QStringLiteral("UPDATE users SET password_hash = ?, password_changed_at = ?, failed_sign_ins = 0, "
                                  "locked_until = NULL WHERE id = ?"),
                   {hash, nowMs, id});
}

Result<void> recordFailedSignIn(const QSqlDatabase &db, qint64 id, int failedSignIns, std::optional<qint64> lockedUntilMs)
{
    return execOne(db, QStringLiteral("UPDATE users SET failed_sign_ins = ?, locked_until = ? WHERE id = ?"),
                   {failedSignIns, optionalInt64(lockedUntilMs), id});
}

Result<void> recordSignIn(const QSqlDatabase &db, qint64 id, qint64 nowMs)
{
    return execOne(db, QStringLiteral("UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = ? WHERE id = ?"),
                   {nowMs, id});
}

} // namespace heliodesk::UserStore
