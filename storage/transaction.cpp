#include "transaction.h"

#include "sql.h"

#include <QLoggingCategory>
#include <QSqlDriver>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcTransaction, "heliodesk.transaction", QtInfoMsg)

Transaction::Transaction(const QSqlDatabase &db)
    : m_db(db)
    , m_active(true)
{
}

Result<Transaction> Transaction::begin(const QSqlDatabase &db, Mode mode)
{
    const bool sqlite = db.driverName() == u"QSQLITE";
    QString statement = QStringLiteral("BEGIN");
    if (sqlite && mode == Mode::Write)
        statement = QStringLiteral("BEGIN IMMEDIATE");
    else if (!sqlite)
        statement = mode == Mode::Write ? QStringLiteral("START TRANSACTION ISOLATION LEVEL READ COMMITTED")
                                        : QStringLiteral("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    auto begun = execSql(db, statement);
    if (!begun)
        return Unexpected(begun.error());
    return Transaction(db);
}

Transaction::Transaction(Transaction &&other) noexcept
    : m_db(other.m_db) // QSqlDatabase has no move constructor in Qt 6.4; `other` is inactive after this
    , m_active(std::exchange(other.m_active, false))
{
}

Transaction::~Transaction()
{
    if (m_active)
        rollback();
}

Result<void> Transaction::commit()
{
    if (!m_active)
        return fail(ErrorCode::Internal, QStringLiteral("Saving failed because of an internal error."),
                    QStringLiteral("commit() on a transaction that is not active"));
    auto committed = execSql(m_db, QStringLiteral("COMMIT"));
    if (!committed) {
        // SQLite keeps the transaction open after a failed COMMIT (for example SQLITE_BUSY or FULL);
        // rolling back leaves the database exactly as it was before begin().
        rollback();
        return Unexpected(committed.error());
    }
    m_active = false;
    return {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    auto rolledBack = execSql(m_db, QStringLiteral("ROLLBACK"));
    // A failed ROLLBACK means SQLite already rolled back on its own (after an I/O or full-disk error)
    // or the connection is gone; either way no change of this transaction was kept.
    if (!rolledBack)
        qCWarning(lcTransaction) << "rollback on connection" << m_db.connectionName() << "reported:" << rolledBack.error();
}

} // namespace heliodesk
