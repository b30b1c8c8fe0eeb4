#pragma once

// Which database the app and heliodeskctl open: --db when given, else HELIODESK_DB, else the
// location saved in the per-user settings file (Settings ▸ Database), else the SQLite file in the
// platform's data folder. A team's PostgreSQL server is saved as its URL without the password:
// the password stays in the keychain (DatabasePasswordStore), a PGPASSFILE, or PGPASSWORD.

#include "storage/databaselocation.h"
#include "storage/error.h"

#include <QString>

#include <optional>

namespace heliodesk {

struct DatabaseChoice {
    enum class Source { CommandLine, Environment, Settings, Default };
    DatabaseLocation location;
    Source source = Source::Default;
    /// "--db", "HELIODESK_DB", "the settings" or "the default", for messages and logs.
    [[nodiscard]] QString sourceName() const;
};

class DatabaseSettings
{
public:
    /// The per-user settings file shared by the app and heliodeskctl; tests pass their own file.
    explicit DatabaseSettings(QString settingsFile = {});

    /// The database to open, from the first of: `commandLine` (--db), HELIODESK_DB, the saved
    /// location, the default file. A malformed location fails with a message naming its source.
    [[nodiscard]] Result<DatabaseChoice> resolve(const std::optional<QString> &commandLine = std::nullopt) const;

    /// The location saved in the settings file, as typed; empty when none is.
    [[nodiscard]] QString savedLocation() const;
    /// Checks and saves a location (a file path or a postgresql:// URL). A URL carrying a password
    /// is refused: the settings file is plain text.
    Result<DatabaseLocation> saveLocation(const QString &text);
    /// Back to the default SQLite file.
    void clearLocation();

    /// Whether Heliodesk stored a password for this server and database in the keychain (the URL
    /// without password only, never the password), so that start-up asks the keychain only then.
    [[nodiscard]] bool passwordInKeychain(const DatabaseLocation &location) const;
    void setPasswordInKeychain(const DatabaseLocation &location, bool stored);

private:
    QString m_file;
};

} // namespace heliodesk
