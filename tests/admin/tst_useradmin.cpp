// The services under the Users tab: resetting this month's count (admins only, with a reason, in
// one transaction with its audit entry, ledger rows kept), stopping one user's streams, the users
// table model and the deletion on a worker thread.

#include "support/scriptedprovider.h"
#include "support/testdatabase.h"

#include "model/admin/userdeletionjob.h"
#include "model/admin/usertablemodel.h"
#include "model/chat/chatservice.h"
#include "model/quotaservice.h"
#include "storage/auditstore.h"
#include "storage/conversationstore.h"
#include "storage/hiringstore.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

QJsonObject lastAuditDetails(const TestDatabase &t, const QString &action)
{
    auto value = scalar(t.connection(), QStringLiteral("SELECT details FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1"),
                        {action});
    if (!value || value->isNull())
        return {};
    return QJsonDocument::fromJson(value->toString().toUtf8()).object();
}

int auditCount(const TestDatabase &t, const QString &action)
{
    return scalar(t.connection(), QStringLiteral("SELECT count(*) FROM audit_log WHERE action = ?"), {action}).value().toInt();
}

/// Counts `n` queries of `who` through the quota service, as asking would.
void spendQueries(const TestDatabase &t, const Actor &who, int n)
{
    QuotaService quotas(t.database(), t.clock());
    for (int i = 0; i < n; ++i)
        VERIFY_OK(quotas.reserve(who, QStringLiteral("om")));
}

} // namespace

class TestUserAdmin : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QTRY_COMPARE(Database::openConnectionCount(), m_baseline); }

    void resetMonthCountZeroesTheCounterAndKeepsTheLedger()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 3));
        spendQueries(t, bob, 3);
        QuotaService quotas(t.database(), t.clock());
        auto refused = quotas.reserve(bob, QStringLiteral("om"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code(), ErrorCode::QuotaExceeded);
        const int ledgerBefore = t.count(QStringLiteral("usage_events"));

        auto before = t.accounts().resetMonthCount(root, QStringLiteral(" BOB "), QStringLiteral("  deadline this week "));
        VERIFY_OK(before);
        QCOMPARE(*before, 3);
        const UserRecord after = *UserStore::findByName(t.connection(), QStringLiteral("bob")).value();
        QCOMPARE(after.usedIn(quotas.currentPeriod()), 0);
        QCOMPARE(t.count(QStringLiteral("usage_events")), ledgerBefore);

        const QJsonObject details = lastAuditDetails(t, QStringLiteral("user.quota-reset"));
        QCOMPARE(details.value(QStringLiteral("reason")).toString(), QStringLiteral("deadline this week"));
        QCOMPARE(details.value(QStringLiteral("count_before")).toInt(), 3);
        QCOMPARE(details.value(QStringLiteral("period")).toString(), QStringLiteral("2026-11"));

        // Bob may ask again up to his limit.
        VERIFY_OK(quotas.reserve(bob, QStringLiteral("om")));
    }

    void resetMonthCountOfAnOldPeriodReportsZero()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 3));
        spendQueries(t, bob, 2);
        t.clock()->set(QDateTime(QDate(2026, 12, 2), QTime(9, 0), Qt::UTC));
        auto before = t.accounts().resetMonthCount(root, QStringLiteral("bob"), QStringLiteral("new month"));
        VERIFY_OK(before);
        QCOMPARE(*before, 0);
        const UserRecord after = *UserStore::findByName(t.connection(), QStringLiteral("bob")).value();
        QCOMPARE(after.quotaPeriod, QStringLiteral("2026-12"));
        QCOMPARE(after.quotaUsed, 0);
    }

    void resetMonthCountRefusals_data()
    {
        QTest::addColumn<QString>("actor");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("analyst") << QStringLiteral("carl") << QStringLiteral("bob") << QStringLiteral("please") << int(ErrorCode::NotAllowed)
                                 << QStringLiteral("Not allowed");
        QTest::newRow("analyst for themself") << QStringLiteral("bob") << QStringLiteral("bob") << QStringLiteral("please")
                                              << int(ErrorCode::NotAllowed) << QStringLiteral("Not allowed");
        QTest::newRow("no reason") << QStringLiteral("root") << QStringLiteral("bob") << QStringLiteral("   ")
                                   << int(ErrorCode::InvalidInput) << QStringLiteral("Give a reason");
        QTest::newRow("unknown user") << QStringLiteral("root") << QStringLiteral("nobody") << QStringLiteral("why not")
                                      << int(ErrorCode::NotFound) << QStringLiteral("There is no user called");
    }

    void resetMonthCountRefusals()
    {
        QFETCH(QString, actor);
        QFETCH(QString, target);
        QFETCH(QString, reason);
        QFETCH(int, code);
        QFETCH(QString, sentence);
        TestDatabase t;
        const Actor root = t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 3));
        const Actor carl = Actor::user(t.createAnalyst(QStringLiteral("carl"), 3));
        spendQueries(t, bob, 2);
        const Actor &who = actor == u"root" ? root : actor == u"bob" ? bob : carl;

        auto result = t.accounts().resetMonthCount(who, target, reason);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode(code));
        QVERIFY2(result.error().message().startsWith(sentence), qPrintable(result.error().message()));
        QCOMPARE(UserStore::findByName(t.connection(), QStringLiteral("bob")).value()->quotaUsed, 2);
        QCOMPARE(auditCount(t, QStringLiteral("user.quota-reset")), 0);
    }

    void stopUserEndsOnlyThatUsersStreams()
    {
        TestDatabase t;
        t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 10));
        const Actor carl = Actor::user(t.createAnalyst(QStringLiteral("carl"), 10));
        for (const Actor *a : {&bob, &carl})
            QVERIFY(HiringStore::hire(t.connection(), *a->userId(), QStringLiteral("om"), 0));
        ProviderScript hanging;
        hanging.pieces = {QStringLiteral("Partial ")};
        hanging.hangAfterPieces = true;
        auto provider = std::make_shared<ScriptedProvider>(hanging);
        ChatService chat(t.database(), t.clock(), [provider](const QString &) { return provider; });
        QSignalSpy finished(&chat, &ChatService::answerFinished);

        auto bobs1 = chat.ask(bob, AskRequest{{}, QStringLiteral("om"), QStringLiteral("First?")});
        auto bobs2 = chat.ask(bob, AskRequest{{}, QStringLiteral("om"), QStringLiteral("Second?")});
        auto carls = chat.ask(carl, AskRequest{{}, QStringLiteral("om"), QStringLiteral("Third?")});
        VERIFY_OK(bobs1);
        VERIFY_OK(bobs2);
        VERIFY_OK(carls);
        QTRY_COMPARE(provider->calls(), 3);
        QCOMPARE(chat.activeStreamCount(), 3);

        QCOMPARE(chat.stopUser(*bob.userId()), 2);
        // Written as cancelled before stopUser returned.
        QCOMPARE(chat.activeStreamCount(), 1);
        QCOMPARE(finished.count(), 2);
        for (qint64 id : {bobs1->answerId, bobs2->answerId}) {
            const MessageRecord answer = *ConversationStore::findMessage(t.connection(), id).value();
            QCOMPARE(answer.status, MessageStatus::Cancelled);
        }
        QCOMPARE(ConversationStore::findMessage(t.connection(), carls->answerId).value()->status, MessageStatus::Streaming);
        QCOMPARE(chat.stopUser(*bob.userId()), 0);
        QCOMPARE(chat.stopUser(*carl.userId()), 1);
        QCOMPARE(chat.activeStreamCount(), 0);
    }

    void tableModelShowsEveryUserWithRawSortValues()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 5));
        t.createAnalyst(QStringLiteral("carl"));
        spendQueries(t, bob, 2);
        UserTableModel model(t.database(), t.clock(), root);
        VERIFY_OK(model.reload());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(UserTableModel::ColumnCount));
        const int row = model.rowOf(QStringLiteral("bob"));
        QVERIFY(row >= 0);
        const auto cell = [&](int column, int role = Qt::DisplayRole) { return model.data(model.index(row, column), role); };
        QCOMPARE(cell(UserTableModel::NameColumn).toString(), QStringLiteral("bob"));
        QCOMPARE(cell(UserTableModel::RoleColumn).toString(), QStringLiteral("Analyst"));
        QCOMPARE(cell(UserTableModel::PlanColumn).toString(), QStringLiteral("Standard"));
        QCOMPARE(cell(UserTableModel::UsageColumn).toString(), QStringLiteral("2 / 5 (own limit)"));
        QCOMPARE(cell(UserTableModel::UsageColumn, UserTableModel::SortRole).toInt(), 2);
        QCOMPARE(cell(UserTableModel::StatusColumn).toString(), QStringLiteral("Active"));
        QCOMPARE(cell(UserTableModel::LastSignInColumn).toString(), QStringLiteral("Never"));
        QCOMPARE(cell(UserTableModel::LastSignInColumn, UserTableModel::SortRole).toLongLong(), -1);
        QCOMPARE(cell(UserTableModel::CreatedColumn, UserTableModel::SortRole).toLongLong(), t.clock()->nowMs());
        QCOMPARE(cell(UserTableModel::NameColumn, UserTableModel::UserIdRole).toLongLong(), *bob.userId());
        QCOMPARE(model.headerData(UserTableModel::UsageColumn, Qt::Horizontal).toString(), QStringLiteral("Used / limit this month"));

        UserChanges unlimited;
        unlimited.quotaMode = QuotaMode::Unlimited;
        VERIFY_OK(t.accounts().updateUser(root, QStringLiteral("bob"), unlimited));
        VERIFY_OK(model.reload());
        QCOMPARE(cell(UserTableModel::UsageColumn).toString(), QStringLiteral("2 / unlimited"));
    }

    void tableModelIsEmptyForAnAnalyst()
    {
        TestDatabase t;
        t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob")));
        UserTableModel model(t.database(), t.clock(), bob);
        auto loaded = model.reload();
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code(), ErrorCode::NotAllowed);
        QCOMPARE(model.rowCount(), 0);
    }

    void deletionJobRunsOnAWorkerAndReportsBack()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
        fillUserData(t.connection(), bob.id, 3, 4);
        UserDeletionJob job(t.database(), t.clock());
        QSignalSpy succeeded(&job, &UserDeletionJob::succeeded);
        QSignalSpy failed(&job, &UserDeletionJob::failed);
        QVERIFY(job.start(root, QStringLiteral("bob")));
        QVERIFY(job.isRunning());
        QVERIFY(!job.start(root, QStringLiteral("bob"))); // one at a time
        QVERIFY(succeeded.wait(20000));
        QCOMPARE(failed.count(), 0);
        QVERIFY(!job.isRunning());
        const auto report = succeeded.first().first().value<DeletionReport>();
        QCOMPARE(report.username, QStringLiteral("bob"));
        QCOMPARE(report.counts.conversations, 3);
        QCOMPARE(report.counts.messages, 12);
        QCOMPARE(t.count(QStringLiteral("messages")), 0);
        QCOMPARE(t.count(QStringLiteral("users")), 1);
    }

    void deletionJobAsAnAnalystIsRefused()
    {
        TestDatabase t;
        t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob")));
        t.createAnalyst(QStringLiteral("carl"));
        UserDeletionJob job(t.database(), t.clock());
        QSignalSpy failed(&job, &UserDeletionJob::failed);
        QVERIFY(job.start(bob, QStringLiteral("carl")));
        QVERIFY(failed.wait(20000));
        const auto error = failed.first().first().value<Error>();
        QCOMPARE(error.code(), ErrorCode::NotAllowed);
        QVERIFY(error.message().startsWith(u"Not allowed"));
        QCOMPARE(t.count(QStringLiteral("users")), 3);
    }
};

QTEST_GUILESS_MAIN(TestUserAdmin)
#include "tst_useradmin.moc"
