#include "storagetesthelpers.h"

#include "storage/sql.h"

#include <QAtomicInteger>
#include <QFile>
#include <QSqlQuery>

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
    auto query = execSql(db, QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                            "ORDER BY name"));
    if (!query)
        return names;
    while (query->next())
        names << query->value(0).toString();
    return names;
}

} // namespace heliodesk::test
