#pragma once

// Where the data lives: a SQLite file (the default) or, for team mode, a PostgreSQL URL.

#include "error.h"

#include <QString>
#include <QUrl>

namespace heliodesk {

class DatabaseLocation
{
public:
    enum class Engine { Sqlite, PostgreSql };

    /// Parses "postgresql://user[:password]@host[:port]/dbname" (or postgres://), "file:PATH" or a plain path.
    static Result<DatabaseLocation> parse(const QString &text);
    static DatabaseLocation sqliteFile(const QString &path);

    /// The file both the app and heliodeskctl use unless told otherwise, in the platform's data folder.
    static QString defaultSqlitePath();
    /// HELIODESK_DB when set, else the default file.
    static Result<DatabaseLocation> fromEnvironmentOrDefault();

    [[nodiscard]] Engine engine() const { return m_engine; }
    [[nodiscard]] const QString &sqlitePath() const { return m_sqlitePath; }
    [[nodiscard]] const QUrl &url() const { return m_url; }
    /// For windows and logs: the path, or the URL without its password.
    [[nodiscard]] QString displayName() const;

    /// PostgreSQL: the libpq connection parameters the URL's query carries ("sslmode=require",
    /// "options=-c search_path=team"), quoted for a libpq connection string and joined by ';' as the
    /// QPSQL driver's connect options expect. Parameters that are not libpq's are refused by parse().
    [[nodiscard]] QString postgresConnectOptions() const;
    /// The URL's password, decoded; empty when it has none (then libpq looks in PGPASSFILE or
    /// ~/.pgpass, or the caller supplies one from the keychain).
    [[nodiscard]] QString postgresPassword() const;
    /// The same server and database with `password` in place of the URL's own (for the keychain).
    [[nodiscard]] QString toUrlString(bool withPassword) const;

private:
    Engine m_engine = Engine::Sqlite;
    QString m_sqlitePath;
    QUrl m_url;
};

} // namespace heliodesk
