// Eight processes reserve against one SQLite database: exactly the limit succeeds, on every run.

#include "support/testdatabase.h"

#include "storage/sql.h"
#include "storage/userstore.h"

#include <QFile>
#include <QProcess>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

class TestQuotaConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactlyTheLimitSucceedsAcrossProcesses_data()
    {
        QTest::addColumn<int>("processes");
        QTest::addColumn<int>("attempts");
        QTest::addColumn<int>("limit");
        QTest::newRow("8 processes, 300 attempts, limit 100") << 8 << 300 << 100;
        QTest::newRow("8 processes, 300 attempts, limit 100 (again)") << 8 << 300 << 100;
        QTest::newRow("8 processes, 120 attempts, limit 119") << 8 << 120 << 119;
    }

    void exactlyTheLimitSucceedsAcrossProcesses()
    {
        QFETCH(int, processes);
        QFETCH(int, attempts);
        QFETCH(int, limit);

        TestDatabase t;
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), limit);
        const QString startFile = t.folder() + u"/go";

        std::vector<std::unique_ptr<QProcess>> workers;
        for (int p = 0; p < processes; ++p) {
            const int share = attempts / processes + (p < attempts % processes ? 1 : 0);
            auto worker = std::make_unique<QProcess>();
            worker->setProgram(QStringLiteral(QUOTA_WORKER_PATH));
            worker->setArguments({t.path(), QStringLiteral("bob"), QString::number(share), startFile});
            worker->start();
            QVERIFY2(worker->waitForStarted(), qPrintable(worker->errorString()));
            workers.push_back(std::move(worker));
        }
        QFile go(startFile);
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();

        int ok = 0;
        int refused = 0;
        const QString expected = QStringLiteral("message Query limit reached (%1 of %1 this month).").arg(limit);
        for (auto &worker : workers) {
            QVERIFY(worker->waitForFinished(120000));
            QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
            QVERIFY2(worker->exitCode() == 0, worker->readAllStandardError().constData());
            const QStringList lines = QString::fromUtf8(worker->readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
            for (const QString &line : lines) {
                if (line.startsWith(u"ok "))
                    ok += line.mid(3).toInt();
                else if (line.startsWith(u"limit "))
                    refused += line.mid(6).toInt();
                else if (line.startsWith(u"message "))
                    QVERIFY2(line.startsWith(expected), qPrintable(line));
                else
                    QFAIL(qPrintable(u"unexpected worker output: " + line));
            }
        }
        QCOMPARE(ok, limit);
        QCOMPARE(refused, attempts - limit);

        const UserRecord after = *UserStore::findByName(t.connection(), QStringLiteral("bob")).value();
        QCOMPARE(after.usedIn(QStringLiteral("2026-11")), limit);
        const int ledger = scalar(t.connection(), QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ? AND period = '2026-11'"),
                                  {bob.id})
                               .value()
                               .toInt();
        QCOMPARE(ledger, limit);
    }
};

QTEST_GUILESS_MAIN(TestQuotaConcurrency)
#include "tst_quotaconcurrency.moc"
