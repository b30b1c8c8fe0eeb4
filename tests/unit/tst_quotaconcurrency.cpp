// Many processes reserve against one database (a SQLite file, or PostgreSQL in the _pg run): exactly
// the limit succeeds, on every run, and the counter, the ledger and the refusals all agree.

#include "support/testdatabase.h"

#include "storage/sql.h"
#include "storage/userstore.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <numeric>

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
        // Issue 7's acceptance case (run by the _pg variant on PostgreSQL, and here on SQLite too).
        QTest::newRow("16 processes, 400 attempts, limit 150") << 16 << 400 << 150;
    }

    void exactlyTheLimitSucceedsAcrossProcesses()
    {
        QFETCH(int, processes);
        QFETCH(int, attempts);
        QFETCH(int, limit);

        TestDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.openError().toLogString()));
        const UserRecord bob = t.createAnalyst(QStringLiteral("bob"), limit);
        const QString startFile = t.folder() + u"/go";

        std::vector<std::unique_ptr<QProcess>> workers;
        for (int p = 0; p < processes; ++p) {
            const int share = attempts / processes + (p < attempts % processes ? 1 : 0);
            auto worker = std::make_unique<QProcess>();
            worker->setProgram(QStringLiteral(QUOTA_WORKER_PATH));
            worker->setArguments({t.locationText(), QStringLiteral("bob"), QString::number(share), startFile});
            worker->start();
            QVERIFY2(worker->waitForStarted(), qPrintable(worker->errorString()));
            workers.push_back(std::move(worker));
        }

        // A barrier: every worker has its connection and has found bob before any attempt starts,
        // so that all of them contend for the last queries at once.
        std::vector<QByteArray> outputs(workers.size());
        const QDeadlineTimer readyBy(60000);
        for (size_t i = 0; i < workers.size(); ++i) {
            while (!outputs[i].startsWith("ready\n")) {
                QVERIFY2(!readyBy.hasExpired(), "a worker did not get ready within 60 s");
                if (!workers[i]->waitForReadyRead(1000) && workers[i]->state() != QProcess::Running)
                    QFAIL(workers[i]->readAllStandardError().constData());
                outputs[i] += workers[i]->readAllStandardOutput();
            }
        }
        QFile go(startFile);
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();

        int ok = 0;
        int refused = 0;
        QList<int> counted; // the counter each successful reservation returned
        const QString expected = QStringLiteral("message Query limit reached (%1 of %1 this month).").arg(limit);
        for (size_t i = 0; i < workers.size(); ++i) {
            QProcess &worker = *workers[i];
            QVERIFY(worker.waitForFinished(120000));
            QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
            QVERIFY2(worker.exitCode() == 0, worker.readAllStandardError().constData());
            outputs[i] += worker.readAllStandardOutput();
            const QStringList lines = QString::fromUtf8(outputs[i]).split(u'\n', Qt::SkipEmptyParts);
            for (const QString &line : lines) {
                if (line == u"ready")
                    continue;
                if (line.startsWith(u"used "))
                    counted << line.mid(5).toInt();
                else if (line.startsWith(u"ok "))
                    ok += line.mid(3).toInt();
                else if (line.startsWith(u"limit "))
                    refused += line.mid(6).toInt();
                else if (line.startsWith(u"message "))
                    QVERIFY2(line.startsWith(expected), qPrintable(line));
                else
                    QFAIL(qPrintable(u"unexpected worker output: " + line));
            }
        }
        // What the workers saw: exactly the limit counted, every other attempt refused, none lost.
        QCOMPARE(ok, limit);
        QCOMPARE(refused, attempts - limit);
        // Each success took a different place: the counters returned are 1 … limit, each once.
        std::sort(counted.begin(), counted.end());
        QList<int> places(limit);
        std::iota(places.begin(), places.end(), 1);
        QCOMPARE(counted, places);

        // What the database kept: the counter and one 'reserved' ledger row per success, nothing else.
        const UserRecord after = *UserStore::findByName(t.connection(), QStringLiteral("bob")).value();
        QCOMPARE(after.usedIn(QStringLiteral("2026-11")), limit);
        const int ledger =
            scalar(t.connection(), QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ? AND period = '2026-11'"),
                   {bob.id})
                .value()
                .toInt();
        QCOMPARE(ledger, limit);
        const int reserved =
            scalar(t.connection(), QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ? AND outcome = 'reserved'"),
                   {bob.id})
                .value()
                .toInt();
        QCOMPARE(reserved, limit);
        QCOMPARE(t.count(QStringLiteral("usage_events")), limit);
    }
};

QTEST_GUILESS_MAIN(TestQuotaConcurrency)
#include "tst_quotaconcurrency.moc"
