#include "databaselocation.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrlQuery>

namespace heliodesk {

namespace {

// Messages and log details quote what was typed; a password in it must not reach either.
QString withoutPassword(const QString &location)
{
    static const QRegularExpression userInfo(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*):.*@"));
    QString redacted = location;
    redacted.replace(userInfo, QStringLiteral("\\1:***@"));
    return redacted;
}

// libpq's connection parameters that a URL may carry (https://www.postgresql.org/docs/current/libpq-connect.html);
// the ones that name the server, the database or the user come from the URL itself.
const QStringList &allowedPostgresParameters()
{
    static const QStringList allowed = {
        QStringLiteral("application_name"), QStringLiteral("connect_timeout"), QStringLiteral("options"),
        QStringLiteral("passfile"), QStringLiteral("sslmode"), QStringLiteral("sslrootcert"), QStringLiteral("sslcert"),
        QStringLiteral("sslkey"), QStringLiteral("sslcrl"), QStringLiteral("sslpassword"), QStringLiteral("target_session_attrs"),
        QStringLiteral("keepalives"), QStringLiteral("keepalives_idle"), QStringLiteral("keepalives_interval"),
        QStringLiteral("keepalives_count"), QStringLiteral("tcp_user_timeout"), QStringLiteral("gssencmode"),
        QStringLiteral("krbsrvname"), QStringLiteral("channel_binding"),
    };
    return allowed;
}

/// A value in a libpq connection string: single-quoted, with \ and ' escaped.
QString libpqQuoted(QString value)
{
    value.replace(u'\\', QStringLiteral("\\\\"));
    value.replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + value + u'\'';
}

} // namespace

Result<DatabaseLocation> DatabaseLocation::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("No database location was given."));

    if (trimmed.startsWith(u"postgresql://", Qt::CaseInsensitive) || trimmed.startsWith(u"postgres://", Qt::CaseInsensitive)) {
        const QUrl url(trimmed, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The database URL is not valid. Use postgresql://user[:password]@host[:port]/dbname."),
                        url.errorString().replace(trimmed, withoutPassword(trimmed)));
        const QString dbName = url.path().mid(1);
        if (dbName.isEmpty() || dbName.contains(u'/'))
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The database URL names no database. Use postgresql://user[:password]@host[:port]/dbname."));
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (value.contains(u';')) // the QPSQL driver splits its connect options at ';'
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("The database URL's parameter “%1” contains a “;”, which cannot be passed on.").arg(key));
            if (!allowedPostgresParameters().contains(key))
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("The database URL has a parameter “%1” that Heliodesk does not pass on. "
                                           "Allowed: %2.")
                                .arg(key, allowedPostgresParameters().join(QStringLiteral(", "))));
        }
        DatabaseLocation location;
        location.m_engine = Engine::PostgreSql;
        location.m_url = url;
        return location;
    }
    // Before the "://" test below: file:///path is the usual spelling of a file URL.
    QString path = trimmed;
    if (path.startsWith(u"file:"))
        path = QUrl(path).toLocalFile();
    else if (trimmed.contains(u"://"))
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Unknown kind of database location “%1”: give a file path or a postgresql:// URL.")
                        .arg(withoutPassword(trimmed)));
    if (path.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("The database file path is empty."));
    return sqliteFile(path);
}

DatabaseLocation DatabaseLocation::sqliteFile(const QString &path)
{
    DatabaseLocation location;
    location.m_engine = Engine::Sqlite;
    location.m_sqlitePath = QFileInfo(path).absoluteFilePath();
    return location;
}

QString DatabaseLocation::defaultSqlitePath()
{
    // GenericDataLocation is ~/.local/share on Linux, ~/Library/Application Support on macOS and
    // %LOCALAPPDATA% on Windows: the program's own folder inside it keeps data out of the install folder.
#if defined(Q_OS_LINUX)
    const QString folderName = QStringLiteral("heliodesk");
#else
    const QString folderName = QStringLiteral("Heliodesk");
#endif
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(folderName + QStringLiteral("/heliodesk.sqlite3"));
}

Result<DatabaseLocation> DatabaseLocation::fromEnvironmentOrDefault()
{
    const QString fromEnv = qEnvironmentVariable("HELIODESK_DB");
    if (!fromEnv.trimmed().isEmpty())
        return parse(fromEnv).map_error([](const Error &e) { return e.withContext(QStringLiteral("HELIODESK_DB")); });
    return sqliteFile(defaultSqlitePath());
}

QString DatabaseLocation::postgresConnectOptions() const
{
    QStringList options;
    const QUrlQuery query(m_url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded))
        options << key + u'=' + libpqQuoted(value);
    return options.join(u';');
}

QString DatabaseLocation::postgresPassword() const
{
    return m_url.password(QUrl::FullyDecoded);
}

QString DatabaseLocation::toUrlString(bool withPassword) const
{
    if (m_engine == Engine::Sqlite)
        return QUrl::fromLocalFile(m_sqlitePath).toString();
    return m_url.toString(withPassword ? QUrl::FullyEncoded : QUrl::FullyEncoded | QUrl::RemovePassword);
}

QString DatabaseLocation::displayName() const
{
    if (m_engine == Engine::Sqlite)
        return QDir::toNativeSeparators(m_sqlitePath);
    return m_url.toDisplayString(QUrl::RemovePassword);
}

} // namespace heliodesk
