#pragma once

// The password of a team's PostgreSQL database, kept in the OS keychain (service "Heliodesk", one
// entry per user, server and database: "db-password:ann@db.example.com:5432/heliodesk"). Never
// written to disk by Heliodesk; where there is no keychain, libpq's PGPASSFILE (~/.pgpass) or
// PGPASSWORD serve instead, and the messages say so.

#include "storage/databaselocation.h"
#include "storage/error.h"

#include <QCoroTask>
#include <QString>

#include <chrono>

namespace heliodesk {

class DatabasePasswordStore
{
public:
    /// The keychain entry of a PostgreSQL location; empty for a SQLite file.
    static QString entryName(const DatabaseLocation &location);

    /// The stored password; empty when there is none (not an error).
    /// Failures: KeychainUnavailable, KeychainAccessDenied, KeychainError, InvalidInput (a SQLite file).
    QCoro::Task<Result<QString>> read(DatabaseLocation location);
    /// Stores the password; nothing is stored anywhere when it fails.
    QCoro::Task<Result<void>> write(DatabaseLocation location, QString password);
    /// Forgets the password; a missing entry is not an error.
    QCoro::Task<Result<void>> remove(DatabaseLocation location);

    /// How long a keychain operation may take (an unlock prompt waits for the user).
    static constexpr std::chrono::milliseconds jobTimeout = std::chrono::minutes(2);
};

} // namespace heliodesk
