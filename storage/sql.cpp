#include "sql.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlField>

#include <algorithm>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcSql, "heliodesk.sql", QtInfoMsg)

namespace {

// SQLite primary result codes (sqlite3.h); the QSQLITE driver reports them as nativeErrorCode().
enum SqliteCode {
    SqliteError = 1, SqliteBusy = 5, SqliteLocked = 6, SqliteReadOnly = 8, SqliteIoErr = 10, SqliteCorrupt = 11,
    SqliteFull = 13, SqliteCantOpen = 14, SqliteConstraint = 19, SqliteNotADb = 26,
};

Error classifySqlite(int code, const QString &detail)
{
    switch (code & 0xff) {
    case SqliteBusy:
    case SqliteLocked:
        return Error(ErrorCode::DatabaseBusy,
                     QStringLiteral("The database is busy: another Heliodesk window or program is writing to it. Try again in a moment."),
                     detail);
    case SqliteReadOnly:
        return Error(ErrorCode::DatabaseReadOnly,
                     QStringLiteral("The database can only be read, not changed: check that its folder is writable and the disk is not read-only."),
                     detail);
    case SqliteFull:
        return Error(ErrorCode::DiskFull,
                     QStringLiteral("The disk is full, so nothing was saved. Free some space and try again."), detail);
    case SqliteNotADb:
        return Error(ErrorCode::NotADatabase,
                     QStringLiteral("The file is not a Heliodesk database (it is not a SQLite database at all). Choose another file."),
                     detail);
    case SqliteCorrupt:
        return Error(ErrorCode::DatabaseCorrupt,
                     QStringLiteral("The database file is damaged. Restore it from a backup."), detail);
    case SqliteCantOpen:
        return Error(ErrorCode::CannotOpen,
                     QStringLiteral("The database file cannot be opened: check that its folder exists and is accessible."), detail);
    case SqliteIoErr:
        return Error(ErrorCode::Io,
                     QStringLiteral("Reading or writing the database file failed. Check the disk and try again."), detail);
    case SqliteConstraint:
        if (detail.contains(u"UNIQUE constraint failed"))
            return Error(ErrorCode::Duplicate, QStringLiteral("That name is already taken."), detail);
        return Error(ErrorCode::ConstraintViolated,
                     QStringLiteral("The database refused the change because it would break the data's consistency."), detail);
    default:
        return Error(ErrorCode::Internal, QStringLiteral("The database reported an unexpected error."), detail);
    }
}

Error classifyPostgres(const QString &sqlState, const QString &detail)
{
    if (sqlState == u"40001" || sqlState == u"40P01" || sqlState == u"55P03")
        return Error(ErrorCode::DatabaseBusy,
                     QStringLiteral("The database is busy with another change. Try again in a moment."), detail);
    if (sqlState == u"53100")
        return Error(ErrorCode::DiskFull,
                     QStringLiteral("The database server's disk is full, so nothing was saved."), detail);
    if (sqlState == u"25006")
        return Error(ErrorCode::DatabaseReadOnly,
                     QStringLiteral("The database server accepts no changes right now (read-only)."), detail);
    if (sqlState == u"23505")
        return Error(ErrorCode::Duplicate, QStringLiteral("That name is already taken."), detail);
    if (sqlState.startsWith(u"23"))
        return Error(ErrorCode::ConstraintViolated,
                     QStringLiteral("The database refused the change because it would break the data's consistency."), detail);
    if (sqlState.startsWith(u"08") || sqlState == u"57P01" || sqlState == u"57P02" || sqlState == u"57P03")
        return Error(ErrorCode::ConnectionLost,
                     QStringLiteral("The connection to the database server was lost. Nothing half-written was kept; try again."),
                     detail);
    return Error(ErrorCode::Internal, QStringLiteral("The database reported an unexpected error."), detail);
}

/// libpq's own messages when the server went away; they come with no SQLSTATE.
bool soundsLikeLostConnection(const QString &text)
{
    static const QStringList phrases = {
        QStringLiteral("server closed the connection"), QStringLiteral("no connection to the server"),
        QStringLiteral("could not send data to server"), QStringLiteral("could not receive data from server"),
        QStringLiteral("terminating connection"), QStringLiteral("connection to server"), QStringLiteral("SSL SYSCALL error"),
        QStringLiteral("connection not open"), QStringLiteral("Connection refused"),
    };
    return std::any_of(phrases.cbegin(), phrases.cend(), [&text](const QString &p) { return text.contains(p, Qt::CaseInsensitive); });
}

const char *const lostProperty = "heliodeskConnectionLost";

Error lostConnection(const QString &detail)
{
    return Error(ErrorCode::ConnectionLost,
                 QStringLiteral("The connection to the database server was lost. Nothing half-written was kept; try again."), detail);
}

} // namespace

bool isMarkedLost(const QSqlDatabase &db)
{
    const QSqlDriver *driver = db.driver();
    return driver != nullptr && driver->property(lostProperty).toBool();
}

namespace {

/// Remembers on the connection's driver that its server is gone (see isMarkedLost()).
Error noted(const QSqlDatabase &db, Error error)
{
    if (error.code() == ErrorCode::ConnectionLost && db.driver() != nullptr)
        db.driver()->setProperty(lostProperty, true);
    return error;
}

} // namespace

namespace {

/// `sql` with each `?` placeholder replaced by the driver's literal for the next value; `?` inside
/// quoted strings, quoted identifiers, dollar-quoted bodies and comments is left alone. nullopt when
/// the number of placeholders and values differ.
std::optional<QString> withLiterals(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    const QSqlDriver *driver = db.driver();
    QString out;
    out.reserve(sql.size() + 16 * values.size());
    qsizetype next = 0;
    const qsizetype n = sql.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = sql.at(i);
        if (c == u'\'' || c == u'"') {
            const qsizetype end = sql.indexOf(c, i + 1);
            const qsizetype stop = end < 0 ? n : end + 1; // a doubled quote is two adjacent strings here
            out += QStringView(sql).mid(i, stop - i);
            i = stop - 1;
        } else if (c == u'-' && i + 1 < n && sql.at(i + 1) == u'-') {
            const qsizetype end = sql.indexOf(u'\n', i);
            const qsizetype stop = end < 0 ? n : end;
            out += QStringView(sql).mid(i, stop - i);
            i = stop - 1;
        } else if (c == u'/' && i + 1 < n && sql.at(i + 1) == u'*') {
            const qsizetype end = sql.indexOf(QStringLiteral("*/"), i + 2);
            const qsizetype stop = end < 0 ? n : end + 2;
            out += QStringView(sql).mid(i, stop - i);
            i = stop - 1;
        } else if (c == u'$' && (i == 0 || !sql.at(i - 1).isLetterOrNumber())) {
            // $tag$ … $tag$ (a tag of letters, digits and underscores, possibly empty).
            qsizetype j = i + 1;
            while (j < n && (sql.at(j).isLetterOrNumber() || sql.at(j) == u'_'))
                ++j;
            if (j < n && sql.at(j) == u'$') {
                const QString tag = sql.mid(i, j - i + 1);
                const qsizetype end = sql.indexOf(tag, j + 1);
                const qsizetype stop = end < 0 ? n : end + tag.size();
                out += QStringView(sql).mid(i, stop - i);
                i = stop - 1;
            } else {
                out += c;
            }
        } else if (c == u'?') {
            if (next >= values.size())
                return std::nullopt;
            QVariant value = values.at(next++);
            // The schema keeps flags as INTEGER 0/1 on both engines (SQLite has no BOOLEAN).
            if (value.typeId() == QMetaType::Bool && !value.isNull())
                value = QVariant(value.toBool() ? 1 : 0);
            QSqlField field(QString(), value.metaType());
            field.setValue(value);
            out += driver->formatValue(field);
        } else {
            out += c;
        }
    }
    if (next != values.size())
        return std::nullopt;
    return out;
}

} // namespace

Error errorFromSql(const QSqlError &error, QStringView what)
{
    const QString native = error.nativeErrorCode();
    const QString detail = what.toString() + u": " + error.text() + u" (code " + native + u')';
    // A SQLSTATE has five characters, often all digits ("23505"); SQLite's codes, extended ones
    // included, stay below 10000.
    if (native.size() == 5)
        return classifyPostgres(native, detail);
    bool isNumber = false;
    const int code = native.toInt(&isNumber);
    if (isNumber)
        return classifySqlite(code, detail);
    if (native.isEmpty() && soundsLikeLostConnection(error.text()))
        return lostConnection(detail);
    if (error.type() == QSqlError::ConnectionError)
        return Error(ErrorCode::CannotOpen, QStringLiteral("The database cannot be opened."), detail);
    return Error(ErrorCode::Internal, QStringLiteral("The database reported an unexpected error."), detail);
}

Result<QSqlQuery> execSql(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    // PostgreSQL cannot PREPARE a statement other than SELECT, INSERT, UPDATE, DELETE and VALUES, and
    // the QPSQL driver prepares on the server; statements without values (DDL, BEGIN, SET) run as they are.
    if (values.isEmpty() && db.driverName() == u"QPSQL") {
        if (!query.exec(sql)) {
            Error e = noted(db, errorFromSql(query.lastError(), sql));
            qCDebug(lcSql) << "exec failed:" << e;
            return Unexpected(std::move(e));
        }
        return query;
    }
    if (db.driverName() == u"QPSQL") {
        // The QPSQL driver would PREPARE, EXECUTE and DEALLOCATE: three round trips, two of them
        // inside the caller's transaction (a quota reservation held its row lock five round trips
        // instead of two). The values go into the text as the driver's own literals instead, the very
        // form its EXECUTE sends, and the statement runs in one round trip.
        const std::optional<QString> inlined = withLiterals(db, sql, values);
        if (!inlined) {
            Error e(ErrorCode::Internal, QStringLiteral("The database reported an unexpected error."),
                    QStringLiteral("%1 values for the placeholders of: %2").arg(values.size()).arg(sql));
            qCWarning(lcSql) << "bind failed:" << e;
            return Unexpected(std::move(e));
        }
        if (!query.exec(*inlined)) {
            Error e = noted(db, errorFromSql(query.lastError(), sql));
            qCDebug(lcSql) << "exec failed:" << e;
            return Unexpected(std::move(e));
        }
        return query;
    }
    if (!query.prepare(sql)) {
        Error e = noted(db, errorFromSql(query.lastError(), sql));
        // A statement that does not compile is a bug worth a warning; a file that is not a database,
        // busy or damaged is the caller's to report, and a warning would only say it twice.
        if (e.code() == ErrorCode::Internal)
            qCWarning(lcSql) << "prepare failed:" << e;
        else
            qCDebug(lcSql) << "prepare failed:" << e;
        return Unexpected(std::move(e));
    }
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        Error e = noted(db, errorFromSql(query.lastError(), sql));
        qCDebug(lcSql) << "exec failed:" << e;
        return Unexpected(std::move(e));
    }
    return query;
}

Result<QVariant> scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &values, const QVariant &fallback)
{
    auto query = execSql(db, sql, values);
    if (!query)
        return Unexpected(query.error());
    if (!query->next()) {
        if (query->lastError().isValid())
            return Unexpected(errorFromSql(query->lastError(), sql));
        return fallback;
    }
    return query->value(0);
}

QVariant nullIf(bool isNull, const QVariant &value)
{
    return isNull ? QVariant(value.metaType()) : value;
}

} // namespace heliodesk
