#pragma once

// An RAII transaction: rolls back when it goes out of scope without commit().

#include "error.h"

#include <QSqlDatabase>

namespace heliodesk {

class Transaction
{
public:
    enum class Mode {
        Read,  // a consistent snapshot for several reads
        Write, // takes the write lock at once (BEGIN IMMEDIATE on SQLite), so it waits rather than fails later
    };

    static Result<Transaction> begin(const QSqlDatabase &db, Mode mode = Mode::Write);

    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&other) = delete;
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();

    Result<void> commit();
    /// Rolls back now; also what the destructor does for an uncommitted transaction.
    void rollback();

    [[nodiscard]] const QSqlDatabase &database() const { return m_db; }
    [[nodiscard]] bool isActive() const { return m_active; }

private:
    explicit Transaction(const QSqlDatabase &db);

    QSqlDatabase m_db;
    bool m_active = false;
};

} // namespace heliodesk
