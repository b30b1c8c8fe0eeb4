#pragma once

// SQL for the users table. Every function runs on the connection it is given, inside the caller's
// transaction when there is one.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::UserStore {

Result<std::optional<UserRecord>> findByName(const QSqlDatabase &db, const QString &username);
Result<std::optional<UserRecord>> findById(const QSqlDatabase &db, qint64 id);
Result<QList<UserRecord>> list(const QSqlDatabase &db);
Result<qint64> insert(const QSqlDatabase &db, const NewUserRow &row);
Result<int> countUsers(const QSqlDatabase &db);
Result<int> countActiveAdmins(const QSqlDatabase &db);

Result<void> setRole(const QSqlDatabase &db, qint64 id, Role role);
Result<void> setStatus(const QSqlDatabase &db, qint64 id, UserStatus status);
Result<void> setPlan(const QSqlDatabase &db, qint64 id, qint64 planId);
Result<void> setQuota(const QSqlDatabase &db, qint64 id, QuotaMode mode, std::optional<int> limit);
/// Sets the user's query counter for `period` ("2026-11") to zero; the usage_events rows stay.
Result<void> resetQuotaUsed(const QSqlDatabase &db, qint64 id, const QString &period);
/// Also clears failed sign-ins and any lockout.
Result<void> setPasswordHash(const QSqlDatabase &db, qint64 id, const QString &hash, qint64 nowMs);
Result<void> recordFailedSignIn(const QSqlDatabase &db, qint64 id, int failedSignIns, std::optional<qint64> lockedUntilMs);
Result<void> recordSignIn(const QSqlDatabase &db, qint64 id, qint64 nowMs);

} // namespace heliodesk::UserStore
