// Atomic deletion: everything of one user goes, nothing of anyone else; a failure part-way, or a
// process killed mid-transaction, leaves every row in place and the database sound.

#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "storage/auditstore.h"
#include "storage/maintenance.h"
#include "storage/sql.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

const QStringList tables = {QStringLiteral("users"), QStringLiteral("conversations"), QStringLiteral("messages"),
                            QStringLiteral("feedback"), QStringLiteral("survey_responses"), QStringLiteral("hired_agents"),
                            QStringLiteral("usage_events"), QStringLiteral("audit_log")};

QMap<QString, int> snapshot(const TestDatabase &t)
{
    QMap<QString, int> counts;
    for (const QString &table : tables)
        counts.insert(table, t.count(table));
    return counts;
}

/// Rows that still belong to the user, in every table that refers to users.
int rowsOf(const QSqlDatabase &db, qint64 userId)
{
    return scalar(db,
                  QStringLiteral("SELECT (SELECT count(*) FROM users WHERE id = ?) "
                                 "+ (SELECT count(*) FROM conversations WHERE user_id = ?) "
                                 "+ (SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = ?) "
                                 "+ (SELECT count(*) FROM feedback WHERE user_id = ?) "
                                 "+ (SELECT count(*) FROM survey_responses WHERE user_id = ?) "
                                 "+ (SELECT count(*) FROM hired_agents WHERE user_id = ?) "
                                 "+ (SELECT count(*) FROM usage_events WHERE user_id = ?)"),
                  QVariantList(7, userId))
        .value()
        .toInt();
}

} // namespace

class TestUserDeletion : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void removesEverythingOfTheUserAndNothingElse()
    {
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
        const UserRecord carl = t.createAnalyst(QStringLiteral("carl"));
        fillUserData(t.connection(), bob.id, 40, 60);  // 2,400 messages, 1,200 usage rows, 600 feedback
        fillUserData(t.connection(), carl.id, 10, 20);
        // Carl rated one of bob's answers: it goes with the message it refers to.
        QVERIFY(execSql(t.connection(),
                        QStringLiteral("INSERT INTO feedback (user_id, message_id, rating, created_at) "
                                       "SELECT ?, m.id, -1, 0 FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                                       "WHERE c.user_id = ? AND m.role = 'assistant' LIMIT 1"),
                        {carl.id, bob.id}));
        const int carlRowsBefore = rowsOf(t.connection(), carl.id);
        const int rootRowsBefore = rowsOf(t.connection(), *root.userId());

        auto preview = t.accounts().previewDeletion(root, QStringLiteral("bob"));
        QVERIFY(preview);
        QCOMPARE(preview->conversations, 40);
        QCOMPARE(preview->messages, 2400);
        QCOMPARE(preview->usageEvents, 1200);
        QCOMPARE(preview->feedback, 601);
        QCOMPARE(preview->surveyResponses, 2);
        QCOMPARE(preview->hiredAgents, 3);

        auto report = t.accounts().deleteUser(root, QStringLiteral("BOB"));
        VERIFY_OK(report);
        QCOMPARE(report->counts, *preview);
        QCOMPARE(report->username, QStringLiteral("bob"));
        QCOMPARE(report->summary(), QStringLiteral("40 conversations, 2400 messages, 601 feedback entries, 2 survey answers, "
                                                   "3 hired agents, 1200 usage records"));

        QCOMPARE(rowsOf(t.connection(), bob.id), 0);
        QCOMPARE(rowsOf(t.connection(), carl.id), carlRowsBefore - 1); // only the feedback on bob's answer
        QCOMPARE(rowsOf(t.connection(), *root.userId()), rootRowsBefore);
        QCOMPARE(Maintenance::check(t.connection()).value(), QStringList());

        // The audit entry keeps the name and the counts; earlier entries about bob survive him.
        auto audit = AuditStore::list(t.connection(), 50);
        QVERIFY(audit);
        const AuditEntry &last = audit->first();
        QCOMPARE(last.action, QStringLiteral("user.delete"));
        QCOMPARE(last.targetName, QStringLiteral("bob"));
        QCOMPARE(last.actorName, QStringLiteral("root"));
        const QJsonObject details = QJsonDocument::fromJson(last.detailsJson.toUtf8()).object();
        QCOMPARE(details.value(u"messages").toInt(), 2400);
        QCOMPARE(details.value(u"usage_events").toInt(), 1200);
        const bool creationKept = std::any_of(audit->cbegin(), audit->cend(), [](const AuditEntry &e) {
            return e.action == u"user.create" && e.targetName == u"bob";
        });
        QVERIFY(creationKept);
    }

    void failureInjectedPartWayRemovesNothing_data()
    {
        QTest::addColumn<QString>("table");
        QTest::newRow("after messages, at conversations") << QStringLiteral("conversations");
        QTest::newRow("at the usage ledger") << QStringLiteral("usage_events");
        QTest::newRow("last step, the user row") << QStringLiteral("users");
    }

    void failureInjectedPartWayRemovesNothing()
    {
        QFETCH(QString, table);
        TestDatabase t;
        const Actor root = t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
        fillUserData(t.connection(), bob.id, 20, 30);
        const QMap<QString, int> before = snapshot(t);

        // The table names come from the fixed data rows above.
        installFailingTrigger(t.connection(), QStringLiteral("fail_midway"), table, QStringLiteral("DELETE"));

        auto report = t.accounts().deleteUser(root, QStringLiteral("bob"));
        QVERIFY(!report);
        QCOMPARE(report.error().code(), ErrorCode::ConstraintViolated);
        QVERIFY2(report.error().message().startsWith(u"Nothing was deleted"), qPrintable(report.error().message()));
        QCOMPARE(snapshot(t), before);
        QCOMPARE(Maintenance::check(t.connection()).value(), QStringList());

        dropFailingTrigger(t.connection(), QStringLiteral("fail_midway"), table);
        QVERIFY(t.accounts().deleteUser(root, QStringLiteral("bob")));
        QCOMPARE(rowsOf(t.connection(), bob.id), 0);
    }

    void processKilledMidTransactionRemovesNothing()
    {
        TestDatabase t;
        t.createAdmin();
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
        fillUserData(t.connection(), bob.id, 30, 40);
        const QMap<QString, int> before = snapshot(t);
        t.close();

        QProcess worker;
        worker.setProgram(QStringLiteral(DELETION_WORKER_PATH));
        worker.setArguments({t.locationText(), QStringLiteral("bob")});
        worker.start();
        QVERIFY(worker.waitForStarted());
        QByteArray output;
        QElapsedTimer timer;
        timer.start();
        while (!output.contains("PAUSED") && timer.elapsed() < 60000) {
            if (!worker.waitForReadyRead(1000) && worker.state() != QProcess::Running)
                break;
            output += worker.readAllStandardOutput();
        }
        QVERIFY2(output.contains("PAUSED"), QByteArray(output + worker.readAllStandardError()).constData());
        // Every table but users has been emptied inside the open transaction: kill it now.
        worker.kill();
        QVERIFY(worker.waitForFinished(10000));
        QCOMPARE(worker.exitStatus(), QProcess::CrashExit);

        auto reopened = t.openAnother();
        VERIFY_OK(reopened);
        auto db = (*reopened)->connection();
        QVERIFY(db);
        if (onPostgres()) {
            // The server notices that its client is gone and rolls the transaction back.
            const QByteArray pausedLine = output.mid(output.indexOf("PAUSED")).split('\n').constFirst();
            const qint64 pid = pausedLine.mid(7).trimmed().toLongLong();
            QVERIFY2(pid > 0, pausedLine.constData());
            QTRY_COMPARE_WITH_TIMEOUT(
                scalar(*db, QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE pid = CAST(? AS INTEGER)"), {pid})
                    .value()
                    .toInt(),
                0, 20000);
        }
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            const QString sql = u"SELECT count(*) FROM " + it.key(); // names from the fixed list above
            QCOMPARE(scalar(*db, sql).value().toInt(), it.value());
        }
        QCOMPARE(Maintenance::check(*db).value(), QStringList());
        QVERIFY(rowsOf(*db, bob.id) > 2000);

        // Nothing of the killed transaction holds on: the same deletion now runs through.
        AccountService accounts(*reopened, t.clock(), PasswordHasher(quickHashParams()));
        VERIFY_OK(accounts.deleteUser(Actor::system(QStringLiteral("test")), QStringLiteral("bob")));
        QCOMPARE(rowsOf(*db, bob.id), 0);
    }

    void refusals()
    {
        TestDatabase t;
        const Actor root = t.createAdmin(QStringLiteral("root"));
        auto accounts = t.accounts();

        auto last = accounts.deleteUser(Actor::system(QStringLiteral("ops")), QStringLiteral("root"));
        QCOMPARE(last.error().code(), ErrorCode::NotAllowed);
        QVERIFY(last.error().message().contains(u"last active administrator"));

        NewUser second;
        second.username = QStringLiteral("second");
        second.password = QStringLiteral("second admin pw");
        second.role = Role::Admin;
        auto secondAdmin = accounts.createUser(root, second);
        QVERIFY(secondAdmin);
        auto self = accounts.deleteUser(root, QStringLiteral("root"));
        QCOMPARE(self.error().code(), ErrorCode::NotAllowed);
        QVERIFY(self.error().message().contains(u"your own account"));
        QCOMPARE(accounts.deleteUser(root, QStringLiteral("nobody")).error().code(), ErrorCode::NotFound);

        // With two admins, one may delete the other.
        auto removed = accounts.deleteUser(Actor::user(*secondAdmin), QStringLiteral("root"));
        VERIFY_OK(removed);
        QCOMPARE(t.count(QStringLiteral("users")), 1);
    }
};

QTEST_GUILESS_MAIN(TestUserDeletion)
#include "tst_userdeletion.moc"
