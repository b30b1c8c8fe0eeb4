// The RAII transaction: commit keeps, anything else rolls back; write transactions lock at once.

#include "storage/database.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include "storagetesthelpers.h"
#include "support/testdatabase.h"

#include <QTest>

#include <memory>
#include <optional>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;
using heliodesk::test::RawConnection;
using heliodesk::test::TestDatabase;

Q_DECLARE_METATYPE(heliodesk::ErrorCode)
Q_DECLARE_METATYPE(heliodesk::Transaction::Mode)

class TestTransaction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void rollbackOnDestruction_data();
    void rollbackOnDestruction();
    void explicitRollback();
    void commitPersists();
    void commitTwiceFails();
    void writeBeginsImmediately_data();
    void writeBeginsImmediately();
    void readSeesOneSnapshot();
    void moveKeepsTheTransaction();
    void movedFromIsInert();
    void failingStatementKeepsNothing_data();
    void failingStatementKeepsNothing();
    void failedCommitRollsBack();
    void beginInsideTransactionFails();

private:
    [[nodiscard]] QSqlDatabase db() const { return m_testDb->connection(); }
    [[nodiscard]] int rows() const;
    Result<void> insert(const QString &value) const;

    std::unique_ptr<TestDatabase> m_testDb;
    int m_baseline = 0;
};

void TestTransaction::init()
{
    m_baseline = Database::openConnectionCount();
    m_testDb = std::make_unique<TestDatabase>();
    QVERIFY2(m_testDb->isValid(), qPrintable(m_testDb->openError().toLogString()));
    QVERIFY(execSql(db(), QStringLiteral("CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE)")).has_value());
}

void TestTransaction::cleanup()
{
    m_testDb.reset();
    QCOMPARE(Database::openConnectionCount(), m_baseline);
}

int TestTransaction::rows() const
{
    auto n = scalar(db(), QStringLiteral("SELECT count(*) FROM items"));
    return n ? n->toInt() : -1;
}

Result<void> TestTransaction::insert(const QString &value) const
{
    auto done = execSql(db(), QStringLiteral("INSERT INTO items (value) VALUES (?)"), {value});
    if (!done)
        return Unexpected(done.error());
    return {};
}

void TestTransaction::rollbackOnDestruction_data()
{
    QTest::addColumn<Transaction::Mode>("mode");
    QTest::addColumn<int>("inserts");

    QTest::newRow("write, one row") << Transaction::Mode::Write << 1;
    QTest::newRow("write, many rows") << Transaction::Mode::Write << 50;
    QTest::newRow("read mode, one row") << Transaction::Mode::Read << 1;
}

void TestTransaction::rollbackOnDestruction()
{
    QFETCH(Transaction::Mode, mode);
    QFETCH(int, inserts);

    QVERIFY(insert(QStringLiteral("before")).has_value());
    {
        auto txn = Transaction::begin(db(), mode);
        QVERIFY2(txn.has_value(), qPrintable(txn ? QString() : txn.error().toLogString()));
        QVERIFY(txn->isActive());
        for (int i = 0; i < inserts; ++i)
            QVERIFY(insert(QStringLiteral("row %1").arg(i)).has_value());
        // Visible inside the transaction, so the rollback below has something to undo.
        QCOMPARE(rows(), 1 + inserts);
    }
    QCOMPARE(rows(), 1);

    // The connection is back in autocommit mode: a new transaction can begin.
    auto next = Transaction::begin(db());
    QVERIFY(next.has_value());
}

void TestTransaction::explicitRollback()
{
    auto txn = Transaction::begin(db());
    QVERIFY(txn.has_value());
    QVERIFY(insert(QStringLiteral("a")).has_value());
    txn->rollback();
    QVERIFY(!txn->isActive());
    QCOMPARE(rows(), 0);

    // A rolled-back transaction cannot be committed, and says so.
    auto committed = txn->commit();
    QVERIFY(!committed.has_value());
    const QString problem = humanErrorProblem(committed.error(), ErrorCode::Internal);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // A second rollback (and the destructor) must not undo work done after the first.
    QVERIFY(insert(QStringLiteral("autocommitted")).has_value());
    txn->rollback();
    QCOMPARE(rows(), 1);
}

void TestTransaction::commitPersists()
{
    {
        auto txn = Transaction::begin(db());
        QVERIFY(txn.has_value());
        QVERIFY(insert(QStringLiteral("a")).has_value());
        QVERIFY(insert(QStringLiteral("b")).has_value());
        auto committed = txn->commit();
        QVERIFY2(committed.has_value(), qPrintable(committed ? QString() : committed.error().toLogString()));
        QVERIFY(!txn->isActive());
    } // the destructor after commit does not roll back
    QCOMPARE(rows(), 2);

    // Another connection sees it, and so does a new open of the file.
    {
        RawConnection other(m_testDb->path());
        QCOMPARE(other.value(QStringLiteral("SELECT group_concat(value, ',') FROM (SELECT value FROM items ORDER BY value)")).toString(),
                 QStringLiteral("a,b"));
    }
    const QString path = m_testDb->path();
    m_testDb->close();
    auto reopened = Database::open(DatabaseLocation::sqliteFile(path));
    QVERIFY(reopened.has_value());
    QCOMPARE(scalar(*(*reopened)->connection(), QStringLiteral("SELECT count(*) FROM items"))->toInt(), 2);
}

void TestTransaction::commitTwiceFails()
{
    auto txn = Transaction::begin(db());
    QVERIFY(txn.has_value());
    QVERIFY(insert(QStringLiteral("a")).has_value());
    QVERIFY(txn->commit().has_value());
    auto again = txn->commit();
    QVERIFY(!again.has_value());
    QCOMPARE(again.error().code(), ErrorCode::Internal);
    QVERIFY(!again.error().message().isEmpty());
    QCOMPARE(rows(), 1);
}

void TestTransaction::writeBeginsImmediately_data()
{
    QTest::addColumn<Transaction::Mode>("mode");
    QTest::addColumn<bool>("blocksWriters");

    QTest::newRow("write") << Transaction::Mode::Write << true;
    QTest::newRow("read") << Transaction::Mode::Read << false;
}

void TestTransaction::writeBeginsImmediately()
{
    QFETCH(Transaction::Mode, mode);
    QFETCH(bool, blocksWriters);

    // Another program that does not wait for locks.
    RawConnection other(m_testDb->path(), QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
    QVERIFY(other.isOpen());

    auto txn = Transaction::begin(db(), mode);
    QVERIFY(txn.has_value());
    // Nothing written or read yet: only BEGIN IMMEDIATE holds the write lock at this point.
    auto otherWrite = other.exec(QStringLiteral("BEGIN IMMEDIATE"));
    QCOMPARE(!otherWrite.has_value(), blocksWriters);
    if (blocksWriters) {
        QCOMPARE(otherWrite.error().code(), ErrorCode::DatabaseBusy);
        auto single = other.exec(QStringLiteral("INSERT INTO items (value) VALUES ('other')"));
        QVERIFY(!single.has_value());
        QCOMPARE(single.error().code(), ErrorCode::DatabaseBusy);
    } else {
        QVERIFY(other.exec(QStringLiteral("ROLLBACK")).has_value());
    }

    txn->rollback();
    // Once it ends, the other connection can write.
    QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")).has_value());
    QVERIFY(other.exec(QStringLiteral("INSERT INTO items (value) VALUES ('other')")).has_value());
    QVERIFY(other.exec(QStringLiteral("COMMIT")).has_value());
    QCOMPARE(rows(), 1);
}

void TestTransaction::readSeesOneSnapshot()
{
    QVERIFY(insert(QStringLiteral("first")).has_value());
    RawConnection other(m_testDb->path());
    {
        auto txn = Transaction::begin(db(), Transaction::Mode::Read);
        QVERIFY(txn.has_value());
        QCOMPARE(rows(), 1);
        QVERIFY(other.exec(QStringLiteral("INSERT INTO items (value) VALUES ('second')")).has_value());
        QCOMPARE(rows(), 1); // still the snapshot taken at the first read
        QVERIFY(txn->commit().has_value());
    }
    QCOMPARE(rows(), 2);
}

void TestTransaction::moveKeepsTheTransaction()
{
    std::optional<Transaction> outer;
    {
        auto txn = Transaction::begin(db());
        QVERIFY(txn.has_value());
        QVERIFY(insert(QStringLiteral("a")).has_value());
        outer.emplace(std::move(*txn));
        QVERIFY(!txn->isActive());
        QVERIFY(outer->isActive());
        QCOMPARE(outer->database().connectionName(), db().connectionName());
    } // the moved-from transaction dies here and must not roll back
    QCOMPARE(rows(), 1);
    QVERIFY(insert(QStringLiteral("b")).has_value());
    auto committed = outer->commit();
    QVERIFY2(committed.has_value(), qPrintable(committed ? QString() : committed.error().toLogString()));
    outer.reset();
    QCOMPARE(rows(), 2);

    // And the other way round: the moved-to one rolls back when it dies uncommitted.
    {
        auto txn = Transaction::begin(db());
        QVERIFY(txn.has_value());
        QVERIFY(insert(QStringLiteral("c")).has_value());
        Transaction moved(std::move(*txn));
        QVERIFY(moved.isActive());
    }
    QCOMPARE(rows(), 2);
}

void TestTransaction::movedFromIsInert()
{
    auto txn = Transaction::begin(db());
    QVERIFY(txn.has_value());
    Transaction moved(std::move(*txn));
    auto committedFromShell = txn->commit();
    QVERIFY(!committedFromShell.has_value());
    QCOMPARE(committedFromShell.error().code(), ErrorCode::Internal);
    txn->rollback(); // must not end the transaction that now lives in `moved`
    QVERIFY(moved.isActive());
    QVERIFY(insert(QStringLiteral("kept")).has_value());
    QVERIFY(moved.commit().has_value());
    QCOMPARE(rows(), 1);
}

void TestTransaction::failingStatementKeepsNothing_data()
{
    QTest::addColumn<QString>("statement");
    QTest::addColumn<ErrorCode>("code");

    QTest::newRow("duplicate") << QStringLiteral("INSERT INTO items (value) VALUES ('good')") << ErrorCode::Duplicate;
    QTest::newRow("not null") << QStringLiteral("INSERT INTO items (value) VALUES (NULL)") << ErrorCode::ConstraintViolated;
    QTest::newRow("foreign key")
        << QStringLiteral("INSERT INTO conversations (user_id, agent_id, created_at, updated_at) VALUES (9999, 'news', 0, 0)")
        << ErrorCode::ConstraintViolated;
    QTest::newRow("check") << QStringLiteral("INSERT INTO plans (name, monthly_limit, created_at) VALUES ('negative', -5, 0)")
                           << ErrorCode::ConstraintViolated;
    QTest::newRow("invalid SQL") << QStringLiteral("INSERT INTO items VALUES (") << ErrorCode::Internal;
    QTest::newRow("unknown table") << QStringLiteral("INSERT INTO nowhere (value) VALUES ('x')") << ErrorCode::Internal;
}

void TestTransaction::failingStatementKeepsNothing()
{
    QFETCH(QString, statement);
    QFETCH(ErrorCode, code);

    {
        auto txn = Transaction::begin(db());
        QVERIFY(txn.has_value());
        QVERIFY(insert(QStringLiteral("good")).has_value());
        QVERIFY(insert(QStringLiteral("also good")).has_value());
        auto failed = execSql(db(), statement);
        QVERIFY(!failed.has_value());
        const QString problem = humanErrorProblem(failed.error(), code);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // The caller gives up on the first error, as the services do.
    }
    QCOMPARE(rows(), 0);
    QCOMPARE(m_testDb->count(QStringLiteral("conversations")), 0);
    QCOMPARE(m_testDb->count(QStringLiteral("plans")), 2); // the two the schema seeds
}

void TestTransaction::failedCommitRollsBack()
{
    // A deferred foreign key is only checked at COMMIT: the commit fails and must roll back.
    auto txn = Transaction::begin(db());
    QVERIFY(txn.has_value());
    QVERIFY(execSql(db(), QStringLiteral("PRAGMA defer_foreign_keys = ON")).has_value());
    QVERIFY(insert(QStringLiteral("good")).has_value());
    QVERIFY(execSql(db(), QStringLiteral("INSERT INTO conversations (user_id, agent_id, created_at, updated_at) VALUES (9999, 'news', 0, 0)"))
                .has_value());
    auto committed = txn->commit();
    QVERIFY(!committed.has_value());
    const QString problem = humanErrorProblem(committed.error(), ErrorCode::ConstraintViolated);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!txn->isActive());

    QCOMPARE(rows(), 0);
    QCOMPARE(m_testDb->count(QStringLiteral("conversations")), 0);
    // Not left open: another connection can take the write lock, and this one can begin again.
    RawConnection other(m_testDb->path(), QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
    QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")).has_value());
    QVERIFY(other.exec(QStringLiteral("ROLLBACK")).has_value());
    auto next = Transaction::begin(db());
    QVERIFY2(next.has_value(), qPrintable(next ? QString() : next.error().toLogString()));
}

void TestTransaction::beginInsideTransactionFails()
{
    auto outer = Transaction::begin(db());
    QVERIFY(outer.has_value());
    QVERIFY(insert(QStringLiteral("outer")).has_value());
    {
        auto inner = Transaction::begin(db());
        QVERIFY(!inner.has_value());
        QVERIFY(!inner.error().message().isEmpty());
    } // the failed inner begin must not have rolled back the outer transaction
    QVERIFY(outer->isActive());
    QVERIFY(outer->commit().has_value());
    QCOMPARE(rows(), 1);
}

QTEST_GUILESS_MAIN(TestTransaction)
#include "tst_transaction.moc"
