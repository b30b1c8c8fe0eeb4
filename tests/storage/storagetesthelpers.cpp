#include "storagetesthelpers.h"

#include "storage/sql.h"

#include <QAtomicInteger>
#include <QFile>
#include <QSqlQuery>
#include <QUrl>

namespace heliodesk::test {

namespace {
QAtomicInteger<int> rawCounter;
} // namespace

RawConnection::RawConnection(const QString &path, const QString &connectOptions)
    : m_name(u"raw-test-connection:" + QString::number(++rawCounter))
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(connectOptions);
    m_db.open();
}

RawConnection::RawConnection(const DatabaseLocation &location)
    : m_name(u"raw-test-connection:" + QString::number(++rawCounter))
{
    if (location.engine() == DatabaseLocation::Engine::Sqlite) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(location.sqlitePath());
    } else {
        const QUrl &url = location.url();
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        m_db.setHostName(url.host());
        if (url.port() > 0)
            m_db.setPort(url.port());
        m_db.setDatabaseName(url.path().mid(1));
        m_db.setUserName(url.userName(QUrl::FullyDecoded));
        if (!location.postgresPassword().isEmpty())
            m_db.setPassword(location.postgresPassword());
        m_db.setConnectOptions(location.postgresConnectOptions());
    }
    m_db.open();
    if (m_db.isOpen() && m_db.driverName() == u"QPSQL")
        (void)execSql(m_db, QStringLiteral("SET client_min_messages = warning"));
}

RawConnection::~RawConnection()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
}

QString RawConnection::lastError() const
{
    return m_db.lastError().text();
}

Result<void> RawConnection::exec(const QString &sql, const QVariantList &values)
{
    auto done = execSql(m_db, sql, values);
    if (!done)
        return Unexpected(done.error());
    return {};
}

QVariant RawConnection::value(const QString &sql, const QVariantList &values)
{
    auto result = scalar(m_db, sql, values);
    return result ? *result : QVariant();
}

QStringList RawConnection::strings(const QString &sql, const QVariantList &values)
{
    QStringList result;
    auto query = execSql(m_db, sql, values);
    while (query && query->next())
        result << query->value(0).toString();
    return result;
}

QString humanErrorProblem(const Error &error, ErrorCode expected)
{
    QStringList problems;
    if (error.code() != expected)
        problems << QStringLiteral("code is %1, expected %2")
                        .arg(QString::fromLatin1(errorCodeName(error.code())), QString::fromLatin1(errorCodeName(expected)));
    const QString message = error.message().trimmed();
    if (message.isEmpty())
        problems << QStringLiteral("the message is empty");
    else if (!message.endsWith(u'.'))
        problems << QStringLiteral("the message is not a sentence");
    // A person should never be shown the statement that failed: that belongs in detail().
    static const QStringList sqlWords = {QStringLiteral("SELECT "), QStringLiteral("INSERT "), QStringLiteral("UPDATE "),
                                         QStringLiteral("DELETE "), QStringLiteral("PRAGMA "), QStringLiteral("BEGIN"),
                                         QStringLiteral("CREATE "), QStringLiteral("sqlite_master"), QStringLiteral("VACUUM")};
    for (const QString &word : sqlWords) {
        if (message.contains(word))
            problems << QStringLiteral("the message contains SQL (%1)").arg(word.trimmed());
    }
    if (problems.isEmpty())
        return {};
    return problems.join(QStringLiteral("; ")) + QStringLiteral(" — error was: ") + error.toLogString();
}

QByteArray readWholeFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeWholeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(bytes) == bytes.size() && file.flush();
}

QStringList tableNames(const QSqlDatabase &db)
{
    QStringList names;
    const QString sql = db.driverName() == u"QPSQL"
        ? QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                         "AND table_type = 'BASE TABLE' ORDER BY table_name")
        : QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    auto query = execSql(db, sql);
    if (!query)
        return names;
    while (query->next())
        names << query->value(0).toString();
    return names;
}

QMap<QString, QStringList> tableColumns(const QSqlDatabase &db, bool withoutFullText)
{
    QMap<QString, QStringList> columns;
    const QString sql = db.driverName() == u"QPSQL"
        ? QStringLiteral("SELECT c.table_name, c.column_name FROM information_schema.columns c "
                         "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                         "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
                         "ORDER BY c.table_name, c.ordinal_position")
        : QStringLiteral("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                         "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid");
    auto query = execSql(db, sql);
    if (!query)
        return {{QStringLiteral("<error>"), {query.error().toLogString()}}};
    while (query->next()) {
        const QString table = query->value(0).toString();
        // FTS5 tables (kb_fts, messages_fts) and their shadow tables (kb_fts_data, …).
        if (withoutFullText && (table.endsWith(u"_fts") || table.contains(u"_fts_")))
            continue;
        columns[table] << query->value(1).toString();
    }
    return columns;
}

qint64 postgresBackendPid(const QSqlDatabase &db)
{
    auto pid = scalar(db, QStringLiteral("SELECT pg_backend_pid()"));
    return pid ? pid->toLongLong() : 0;
}

} // namespace heliodesk::test
