#pragma once

// Accounts: creating users, signing in, passwords, roles, plans, quotas and the atomic deletion.
// Every operation checks the actor's rights here, whatever front end calls it.

#include "actor.h"
#include "clock.h"
#include "passwordhasher.h"

#include "storage/database.h"
#include "storage/records.h"

#include <chrono>
#include <memory>

namespace heliodesk {

struct LockoutPolicy {
    int maxFailedSignIns = 5;
    std::chrono::minutes lockoutDuration{15};
};

struct NewUser {
    QString username;
    QString password;
    QString displayName;
    Role role = Role::Analyst;
    QString planName;              // empty: the default plan
    std::optional<int> quotaLimit; // a limit of the user's own
    bool unlimited = false;        // no limit at all (wins over quotaLimit)
};

/// Changes to a user; what is empty stays as it is.
struct UserChanges {
    std::optional<Role> role;
    std::optional<QString> planName;
    std::optional<UserStatus> status;
    std::optional<QuotaMode> quotaMode; // Limit needs quotaLimit
    std::optional<int> quotaLimit;
};

struct DeletionReport {
    QString username;
    DeletionCounts counts;
    /// "12 conversations, 340 messages, 5 feedback entries, 2 survey answers, 3 hired agents, 120 usage records"
    [[nodiscard]] QString summary() const;
};

class AccountService
{
public:
    AccountService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock,
                   PasswordHasher hasher = PasswordHasher(), LockoutPolicy lockout = {});

    /// False on an empty database, where the first account to be created becomes an admin.
    Result<bool> hasUsers();

    /// Creates an account. On an empty database anyone may create the first one, which is always
    /// an admin; after that only admins may.
    Result<UserRecord> createUser(const Actor &actor, const NewUser &request);

    /// Checks the password. Unknown users and wrong passwords get the same answer; repeated
    /// failures lock the account for a while. Upgrades the stored hash when its parameters are old.
    Result<UserRecord> signIn(const QString &username, const QString &password);

    Result<void> changePassword(const Actor &actor, const QString &currentPassword, const QString &newPassword);
    /// An admin sets someone's password; also lifts a lockout.
    Result<void> resetPassword(const Actor &actor, const QString &username, const QString &newPassword);

    Result<QList<UserRecord>> listUsers(const Actor &actor);
    /// Admins see anyone; others only themselves.
    Result<UserRecord> findUser(const Actor &actor, const QString &username);
    Result<UserRecord> updateUser(const Actor &actor, const QString &username, const UserChanges &changes);

    /// Admins only: sets the user's query count for this month to zero, so they may ask again up
    /// to their limit. `reason` (required) goes into the audit entry with the count it replaced.
    /// The month's ledger rows stay, so the usage figures still show every query. Returns the
    /// count as it was before.
    Result<int> resetMonthCount(const Actor &actor, const QString &username, const QString &reason);

    /// What deleting the user would remove.
    Result<DeletionCounts> previewDeletion(const Actor &actor, const QString &username);
    /// Removes the user and everything they own in one transaction, or nothing at all. Refuses the
    /// last active admin and the actor's own account.
    Result<DeletionReport> deleteUser(const Actor &actor, const QString &username);

    /// "ann.lee" from " Ann.Lee ": usernames are compared without case and surrounding spaces.
    static QString normalizeUsername(const QString &username);
    /// Why a username is not acceptable, or empty when it is.
    static QString usernameProblem(const QString &normalized);

private:
    Result<QSqlDatabase> connection();
    Result<void> requireAdmin(const QSqlDatabase &db, const Actor &actor);
    Result<UserRecord> requireUser(const QSqlDatabase &db, const QString &username);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    PasswordHasher m_hasher;
    LockoutPolicy m_lockout;
};

} // namespace heliodesk
