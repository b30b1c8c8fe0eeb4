#pragma once

// Helpers shared by the storage tests: raw connections that bypass Database, and checks that an
// Error is fit to show to a person.

#include "storage/databaselocation.h"
#include "storage/error.h"

#include <QByteArray>
#include <QMap>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace heliodesk::test {

/// A QSQLITE connection of its own name to `path`, outside Database, so a test can play "another
/// program" (a lock holder, a tool that turns foreign keys off). Removed again on destruction.
class RawConnection
{
public:
    explicit RawConnection(const QString &path, const QString &connectOptions = {});
    /// The same, on either engine: a QSQLITE connection to the file, or a QPSQL one to the server
    /// and schema a postgresql:// location names (as TestDatabase::location() gives it).
    explicit RawConnection(const DatabaseLocation &location);
    ~RawConnection();
    RawConnection(const RawConnection &) = delete;
    RawConnection &operator=(const RawConnection &) = delete;

    [[nodiscard]] bool isOpen() const { return m_db.isOpen(); }
    [[nodiscard]] QString lastError() const;
    [[nodiscard]] const QSqlDatabase &db() const { return m_db; }

    /// Runs one statement; on failure returns the Error (as execSql would map it).
    Result<void> exec(const QString &sql, const QVariantList &values = {});
    /// Runs a one-value query; an invalid QVariant on failure.
    QVariant value(const QString &sql, const QVariantList &values = {});
    /// The first column of every row, as text (empty on failure).
    QStringList strings(const QString &sql, const QVariantList &values = {});

private:
    QString m_name;
    QSqlDatabase m_db;
};

/// Empty when `error` has `expected` as its code and a message a person can read (a sentence, no
/// SQL); otherwise what is wrong with it, for QVERIFY2.
QString humanErrorProblem(const Error &error, ErrorCode expected);

QByteArray readWholeFile(const QString &path);
bool writeWholeFile(const QString &path, const QByteArray &bytes);

/// Names of the tables in a SQLite database (sqlite_% excluded), or in the current schema of a
/// PostgreSQL one, sorted.
QStringList tableNames(const QSqlDatabase &db);

/// Every table's column names in their order, by table: from pragma_table_info on SQLite, from
/// information_schema.columns on PostgreSQL. `withoutFullText` leaves out SQLite's FTS5 tables and
/// their shadow tables (PostgreSQL indexes the same text with GIN indexes instead).
QMap<QString, QStringList> tableColumns(const QSqlDatabase &db, bool withoutFullText = true);

/// The id of the server process behind a PostgreSQL connection (pg_backend_pid()), or 0.
qint64 postgresBackendPid(const QSqlDatabase &db);

} // namespace heliodesk::test
