#include "transaction.h"

#include "sql.h"

#include <QLoggingCategory>
#include <QSqlDriver>

#include <optional>

#if defined(Q_OS_UNIX)
#include <dlfcn.h>
#endif

namespace heliodesk {

Q_LOGGING_CATEGORY(lcTransaction, "heliodesk.transaction", QtInfoMsg)

namespace {

/// Whether a PostgreSQL connection is inside a transaction already (nullopt: cannot tell).
/// PostgreSQL answers a second START TRANSACTION with a mere warning and carries on in the first
/// one, where SQLite refuses it; libpq knows the state without a round trip (PQtransactionStatus),
/// so the refusal costs nothing. libpq is reached through the QPSQL plugin's own library, as database.cpp reaches SQLite.
std::optional<bool> postgresInTransaction(const QSqlDatabase &db)
{
#if defined(Q_OS_UNIX)
    using TransactionStatus = int (*)(const void *);
    static const TransactionStatus status = [&db]() -> TransactionStatus {
        Dl_info plugin{};
        // The driver object's vtable lies in the plugin's library, which links libpq.
        if (db.driver() == nullptr || dladdr(*reinterpret_cast<void *const *>(db.driver()), &plugin) == 0 || !plugin.dli_fname)
            return nullptr;
        void *library = dlopen(plugin.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
        if (!library)
            return nullptr;
        auto function = reinterpret_cast<TransactionStatus>(dlsym(library, "PQtransactionStatus"));
        dlclose(library); // the plugin stays loaded: Qt holds it
        if (!function)
            qCWarning(lcTransaction) << "libpq's PQtransactionStatus was not found; nested transactions go unnoticed";
        return function;
    }();
    const QVariant handle = db.driver() != nullptr ? db.driver()->handle() : QVariant();
    // QPSQL hands out libpq's connection as "pg_conn*" (the struct behind the PGconn typedef).
    if (!status || !handle.isValid()
        || (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
        return std::nullopt;
    const void *connection = *static_cast<const void *const *>(handle.constData());
    if (!connection)
        return std::nullopt;
    // PQTRANS_IDLE 0, ACTIVE 1, INTRANS 2, INERROR 3, UNKNOWN 4 (a lost connection: BEGIN reports it).
    // ACTIVE is a command still sending rows (a forward-only query not read to its end), not a
    // transaction: the driver drains it before the next command, so BEGIN may go ahead.
    const int state = status(connection);
    if (state == 4)
        return std::nullopt;
    return state == 2 || state == 3;
#else
    Q_UNUSED(db)
    return std::nullopt;
#endif
}

} // namespace

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
    if (!sqlite && postgresInTransaction(db).value_or(false))
        return fail(ErrorCode::Internal, QStringLiteral("Saving failed because of an internal error."),
                    QStringLiteral("begin() on a connection that is already inside a transaction"));
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
    if (isMarkedLost(m_db)) {
        // The server rolled the transaction back when the connection broke.
        m_active = false;
        return fail(ErrorCode::ConnectionLost,
                    QStringLiteral("The connection to the database server was lost. Nothing half-written was kept; try again."),
                    QStringLiteral("commit() after the connection was lost"));
    }
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
    // On PostgreSQL a failed COMMIT has ended the transaction already, and a lost connection took
    // it with it on the server: a ROLLBACK would only draw a warning.
    if (m_db.driverName() == u"QPSQL" && (isMarkedLost(m_db) || !postgresInTransaction(m_db).value_or(true)))
        return;
    auto rolledBack = execSql(m_db, QStringLiteral("ROLLBACK"));
    // A failed ROLLBACK means SQLite already rolled back on its own (after an I/O or full-disk error)
    // or the connection is gone; either way no change of this transaction was kept.
    if (!rolledBack)
        qCWarning(lcTransaction) << "rollback on connection" << m_db.connectionName() << "reported:" << rolledBack.error();
}

} // namespace heliodesk
