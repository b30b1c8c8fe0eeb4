#include "databasesettings.h"

#include <QSettings>

#include <memory>

namespace heliodesk {

namespace {

const QString locationKey = QStringLiteral("database/location");
const QString keychainKey = QStringLiteral("database/password_in_keychain");

std::unique_ptr<QSettings> open(const QString &file)
{
    if (file.isEmpty())
        return std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("Heliodesk"),
                                           QStringLiteral("Heliodesk"));
    return std::make_unique<QSettings>(file, QSettings::IniFormat);
}

QString keychainKeyOf(const DatabaseLocation &location)
{
    return location.toUrlString(false);
}

} // namespace

QString DatabaseChoice::sourceName() const
{
    switch (source) {
    case Source::CommandLine:
        return QStringLiteral("--db");
    case Source::Environment:
        return QStringLiteral("HELIODESK_DB");
    case Source::Settings:
        return QStringLiteral("the settings");
    case Source::Default:
        break;
    }
    return QStringLiteral("the default");
}

DatabaseSettings::DatabaseSettings(QString settingsFile)
    : m_file(std::move(settingsFile))
{
}

Result<DatabaseChoice> DatabaseSettings::resolve(const std::optional<QString> &commandLine) const
{
    const auto from = [](const QString &text, DatabaseChoice::Source source, const QString &name) -> Result<DatabaseChoice> {
        auto location = DatabaseLocation::parse(text);
        if (!location)
            return Unexpected(location.error().withContext(name));
        return DatabaseChoice{*location, source};
    };
    if (commandLine)
        return from(*commandLine, DatabaseChoice::Source::CommandLine, QStringLiteral("--db"));
    if (const QString fromEnv = qEnvironmentVariable("HELIODESK_DB"); !fromEnv.trimmed().isEmpty())
        return from(fromEnv, DatabaseChoice::Source::Environment, QStringLiteral("HELIODESK_DB"));
    if (const QString saved = savedLocation(); !saved.isEmpty())
        return from(saved, DatabaseChoice::Source::Settings, QStringLiteral("The database in the settings"));
    return DatabaseChoice{DatabaseLocation::sqliteFile(DatabaseLocation::defaultSqlitePath()), DatabaseChoice::Source::Default};
}

QString DatabaseSettings::savedLocation() const
{
    return open(m_file)->value(locationKey).toString().trimmed();
}

Result<DatabaseLocation> DatabaseSettings::saveLocation(const QString &text)
{
    auto location = DatabaseLocation::parse(text);
    if (!location)
        return location;
    if (location->engine() == DatabaseLocation::Engine::PostgreSql && !location->postgresPassword().isEmpty())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Leave the password out of the address: the settings file is plain text. Heliodesk keeps the "
                                   "password in the keychain, or reads it from a PGPASSFILE."));
    const QString stored = location->engine() == DatabaseLocation::Engine::Sqlite ? location->sqlitePath() : location->toUrlString(false);
    open(m_file)->setValue(locationKey, stored);
    return location;
}

void DatabaseSettings::clearLocation()
{
    open(m_file)->remove(locationKey);
}

bool DatabaseSettings::passwordInKeychain(const DatabaseLocation &location) const
{
    return location.engine() == DatabaseLocation::Engine::PostgreSql
        && open(m_file)->value(keychainKey).toStringList().contains(keychainKeyOf(location));
}

void DatabaseSettings::setPasswordInKeychain(const DatabaseLocation &location, bool stored)
{
    if (location.engine() != DatabaseLocation::Engine::PostgreSql)
        return;
    auto settings = open(m_file);
    QStringList urls = settings->value(keychainKey).toStringList();
    const QString key = keychainKeyOf(location);
    if (stored == urls.contains(key))
        return;
    if (stored)
        urls.append(key);
    else
        urls.removeAll(key);
    if (urls.isEmpty())
        settings->remove(keychainKey);
    else
        settings->setValue(keychainKey, urls);
}

} // namespace heliodesk
