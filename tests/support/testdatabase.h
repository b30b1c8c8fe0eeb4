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

/// The engine the tests of this process run on. SQLite unless HELIODESK_TEST_POSTGRES_URL (a
/// server URL) or HELIODESK_TEST_POSTGRES_URL_FILE (a file holding one, as scripts/pg.sh writes)
/// is set; the `_pg` variants of the storage, quota, deletion and chat suites set the latter.
bool onPostgres();
/// The server URL of the PostgreSQL test cluster (fatal when none is configured).
QString postgresServerUrl();

/// Skips the current test function when it is about SQLite's files (locks, corruption, a full disk)
/// rather than behaviour both engines share.
#define HELIODESK_SQLITE_ONLY(why)                                                                                                \
    do {                                                                                                                          \
        if (::heliodesk::test::onPostgres())                                                                                      \
            QSKIP("SQLite only: " why);                                                                                           \
    } while (false)

class TestDatabase
{
public:
    /// A fresh, migrated database: a file in a temporary folder on SQLite, a schema of its own
    /// (dropped again by the destructor) on the PostgreSQL test cluster.
    explicit TestDatabase(const DatabaseOptions &options = {});
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    [[nodiscard]] bool isValid() const { return m_database != nullptr; }
    /// The SQLite file (SQLite only; see locationText() for either engine).
    [[nodiscard]] QString path() const;
    /// Where the database is, as --db, HELIODESK_DB and DatabaseLocation::parse() take it: the file
    /// path, or the postgresql:// URL whose options select this database's schema.
    [[nodiscard]] QString locationText() const;
    [[nodiscard]] DatabaseLocation location() const;
    /// Another Database on the same data (a second program, a reopen after close()).
    [[nodiscard]] Result<std::shared_ptr<Database>> openAnother(const DatabaseOptions &options = {}) const;
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
    QString m_schema; // PostgreSQL only
    std::shared_ptr<FakeClock> m_clock = std::make_shared<FakeClock>();
    std::shared_ptr<Database> m_database;
    Error m_openError;
    std::optional<Actor> m_admin;
};

/// Makes every `operation` ("INSERT", "UPDATE" or "DELETE") on `table` fail with `message`, as a
/// constraint the database enforces would: a BEFORE trigger raising an error, on either engine.
/// `name` names the trigger for dropFailingTrigger(). Table and name come from the test's own code.
void installFailingTrigger(const QSqlDatabase &db, const QString &name, const QString &table, const QString &operation,
                           const QString &message = QStringLiteral("injected failure"));
void dropFailingTrigger(const QSqlDatabase &db, const QString &name, const QString &table);

/// Adds conversations with messages, feedback, survey answers, hired agents and usage rows for
/// `userId`: `conversations` conversations of `messagesEach` messages.
void fillUserData(const QSqlDatabase &db, qint64 userId, int conversations, int messagesEach);

} // namespace heliodesk::test
