#pragma once

// A fresh database in a temporary folder, and helpers that fill it.

#include "fakeclock.h"
#include "testprinters.h"

#include "model/accountservice.h"
#include "model/passwordhasher.h"
#include "storage/database.h"

#include <QTemporaryDir>

#include <memory>

namespace heliodesk::test {

/// Argon2id with small parameters, so tests that create many users stay quick. Tests of the
/// hasher itself use the real OWASP parameters.
PasswordHashParams quickHashParams();

class TestDatabase
{
public:
    explicit TestDatabase(const DatabaseOptions &options = {});

    [[nodiscard]] bool isValid() const { return m_database != nullptr; }
    [[nodiscard]] QString path() const;
    [[nodiscard]] const Error &openError() const { return m_openError; }
    [[nodiscard]] std::shared_ptr<Database> database() const { return m_database; }
    [[nodiscard]] QSqlDatabase connection() const;
    [[nodiscard]] std::shared_ptr<FakeClock> clock() const { return m_clock; }
    [[nodiscard]] QString folder() const { return m_dir.path(); }

    /// An AccountService on this database with quick hashing and the fake clock.
    [[nodiscard]] AccountService accounts() const;

    /// Creates the first admin ("root") and returns them as an actor.
    Actor createAdmin(const QString &name = QStringLiteral("root"));
    /// Creates an analyst with an optional limit of their own.
    UserRecord createAnalyst(const QString &name, std::optional<int> quotaLimit = {}, const QString &plan = {});

    /// Row count of a table, for before/after comparisons.
    [[nodiscard]] int count(const QString &table) const;

    /// Closes the database (and its connection) ahead of the destructor.
    void close() { m_database.reset(); }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<FakeClock> m_clock = std::make_shared<FakeClock>();
    std::shared_ptr<Database> m_database;
    Error m_openError;
    std::optional<Actor> m_admin;
};

/// Adds conversations with messages, feedback, survey answers, hired agents and usage rows for
/// `userId`: `conversations` conversations of `messagesEach` messages.
void fillUserData(const QSqlDatabase &db, qint64 userId, int conversations, int messagesEach);

} // namespace heliodesk::test
