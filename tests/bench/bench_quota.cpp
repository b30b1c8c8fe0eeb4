// Benchmark (issue 6): quota reservations per second with 1, 4 and 8 processes writing to one SQLite
// database. Each process reserves K queries through QuotaService::reserve (BEGIN IMMEDIATE, the
// counting UPDATE, the ledger INSERT, COMMIT); the baseline, in the same run, is as many sqlite3
// shells each running the same statement pair in its own BEGIN IMMEDIATE … COMMIT, K times.
// Usage: bench_quota [--runs N] [--reservations K] [--processes 1,4,8]
//        bench_quota --worker DB USERNAME K   (one of our worker processes; started by the benchmark)

#include "benchsupport.h"

#include "support/testdatabase.h"

#include "model/quotaservice.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

using namespace heliodesk;
using namespace heliodesk::bench;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kRunTimeout = 300s;
// Writers wait for each other: as quota_worker does, long enough that no reservation fails busy.
constexpr int kBusyTimeoutMs = 30000;

/// One of our worker processes: opens the database, says "ready", waits for a line on its
/// standard input, then reserves `count` queries one after the other and says "ok N MS" (MS: the
/// loop's own milliseconds).
int runWorker(const QString &path, const QString &username, int count)
{
    DatabaseOptions options;
    options.busyTimeout = std::chrono::milliseconds(kBusyTimeoutMs);
    auto database = Database::open(DatabaseLocation::sqliteFile(path), options);
    if (!database) {
        std::fprintf(stderr, "open: %s\n", qPrintable(database.error().toLogString()));
        return 1;
    }
    auto user = UserStore::findByName((*database)->connection().value(), username);
    if (!user || !*user) {
        std::fprintf(stderr, "no user %s\n", qPrintable(username));
        return 1;
    }
    const Actor actor = Actor::user(**user);
    QuotaService quotas(*database, std::make_shared<FakeClock>()); // the same instant as the baseline's
    std::printf("ready\n");
    std::fflush(stdout);
    std::string go;
    if (!std::getline(std::cin, go))
        return 1;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i) {
        auto reserved = quotas.reserve(actor, QStringLiteral("om"));
        if (!reserved) {
            std::fprintf(stderr, "reserve: %s\n", qPrintable(reserved.error().toLogString()));
            return 1;
        }
    }
    // The loop's own time: the process's exit (Qt, the connection) is left out of it.
    std::printf("ok %d %.3f\n", count, double(timer.nsecsElapsed()) / 1e6);
    return 0;
}

/// The statement pair of QuotaLedger::reserve (storage/quotaledger.cpp), copied here with the
/// values written in: keep it in step with that file. That both sides did the same work is checked
/// after every run (each user's counter and ledger rows).
QString reservationScript(qint64 userId, const QString &period, qint64 nowMs, int count)
{
    const QString p = u'\'' + period + u'\'';
    const QString update =
        QStringLiteral("UPDATE users SET "
                       "  quota_used = CASE WHEN quota_period = %1 THEN quota_used + 1 ELSE 1 END, "
                       "  quota_period = %1 "
                       "WHERE id = %2 AND status = 'active' AND ("
                       "  CASE quota_mode "
                       "    WHEN 'unlimited' THEN 1 "
                       "    WHEN 'limit' THEN CASE WHEN (CASE WHEN quota_period = %1 THEN quota_used ELSE 0 END) < quota_limit THEN 1 ELSE 0 END "
                       "    ELSE COALESCE((SELECT CASE WHEN (CASE WHEN users.quota_period = %1 THEN users.quota_used ELSE 0 END) < p.monthly_limit "
                       "                               THEN 1 ELSE 0 END "
                       "                   FROM plans p WHERE p.id = users.plan_id AND p.monthly_limit IS NOT NULL), 1) "
                       "  END) = 1 "
                       "RETURNING quota_used, CASE quota_mode WHEN 'unlimited' THEN NULL WHEN 'limit' THEN quota_limit "
                       "  ELSE (SELECT p.monthly_limit FROM plans p WHERE p.id = users.plan_id) END;")
            .arg(p)
            .arg(userId);
    const QString insert = QStringLiteral("INSERT INTO usage_events (user_id, agent_id, conversation_id, period, outcome, created_at) "
                                          "VALUES (%1, 'om', NULL, %2, 'reserved', %3) RETURNING id;")
                               .arg(userId)
                               .arg(p)
                               .arg(nowMs);
    const QString one = QStringLiteral("BEGIN IMMEDIATE;\n") + update + u'\n' + insert + QStringLiteral("\nCOMMIT;\n");
    QString script;
    script.reserve(one.size() * count);
    for (int i = 0; i < count; ++i)
        script += one;
    return script;
}

/// What a sqlite3 shell reads before the start: the connection's settings as Database sets them.
QByteArray shellPrologue()
{
    return QByteArrayLiteral(".bail on\n.timeout ") + QByteArray::number(kBusyTimeoutMs)
        + QByteArrayLiteral("\n.dbconfig no_ckpt_on_close on\nPRAGMA foreign_keys = ON;\nSELECT count(*) FROM sqlite_master;\n"
                            "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\nSELECT 'ready';\n");
}

/// Starts `commands`, waits until every one has printed "ready", then sends each its go line and
/// times until the last has exited.
struct TogetherRun {
    double ms = 0;
    QList<QByteArray> outputs; // each process's standard output
};

TogetherRun runTogether(const QList<std::pair<QStringList, QByteArray>> &commands, const QByteArray &prologue)
{
    std::vector<std::unique_ptr<QProcess>> processes;
    std::vector<std::shared_ptr<QByteArray>> outputs;
    QEventLoop loop;
    int ready = 0;
    int finished = 0;
    bool failed = false;
    QElapsedTimer timer;
    double ms = 0;
    for (const auto &[command, go] : commands) {
        auto process = std::make_unique<QProcess>();
        process->setProgram(command.first());
        process->setArguments(command.mid(1));
        QProcess *raw = process.get();
        auto output = std::make_shared<QByteArray>();
        QObject::connect(raw, &QProcess::readyReadStandardOutput, &loop, [raw, output, &ready, &processes, &commands, &timer] {
            const bool wasReady = output->contains("ready\n");
            *output += raw->readAllStandardOutput();
            if (wasReady || !output->contains("ready\n"))
                return;
            if (++ready == int(processes.size())) {
                timer.start();
                for (size_t i = 0; i < processes.size(); ++i) {
                    processes[i]->write(commands.at(qsizetype(i)).second);
                    processes[i]->closeWriteChannel();
                }
            }
        });
        QObject::connect(raw, &QProcess::finished, &loop, [raw, output, &finished, &failed, &loop, &processes, &timer, &ms] {
            *output += raw->readAllStandardOutput();
            if (raw->exitStatus() != QProcess::NormalExit || raw->exitCode() != 0) {
                QTextStream(stderr) << "bench_quota: " << raw->program() << " failed: " << raw->readAllStandardError() << Qt::endl;
                failed = true;
            }
            if (++finished == int(processes.size())) {
                ms = double(timer.nsecsElapsed()) / 1e6;
                loop.quit();
            }
        });
        processes.push_back(std::move(process));
        outputs.push_back(output);
    }
    QTimer::singleShot(kRunTimeout, &loop, &QEventLoop::quit);
    for (auto &process : processes) {
        process->start();
        if (!prologue.isEmpty())
            process->write(prologue);
    }
    loop.exec();
    if (failed || finished != int(processes.size()))
        die(QStringLiteral("a process failed or did not finish in time"));
    TogetherRun result;
    result.ms = ms;
    for (const auto &output : outputs)
        result.outputs << *output;
    return result;
}

struct Template {
    QString path;
    QList<qint64> userIds; // "w1" … "w8", no monthly limit
    QString period;
    qint64 nowMs = 0;
};

/// Every user's counter and ledger rows after a run: each did exactly `count` reservations.
void verify(const QString &side, const QString &path, const Template &base, int processes, int count)
{
    auto opened = Database::open(DatabaseLocation::sqliteFile(path));
    if (!opened)
        die(opened.error().toLogString());
    const QSqlDatabase db = (*opened)->connection().value();
    for (int p = 0; p < int(base.userIds.size()); ++p) {
        const int expected = p < processes ? count : 0;
        const qint64 id = base.userIds.at(p);
        const int used = scalar(db, QStringLiteral("SELECT CASE WHEN quota_period = ? THEN quota_used ELSE 0 END FROM users WHERE id = ?"),
                                {base.period, id})
                             .value()
                             .toInt();
        const int ledger = scalar(db, QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ? AND period = ? "
                                                     "AND outcome = 'reserved' AND created_at = ?"),
                                  {id, base.period, base.nowMs})
                               .value()
                               .toInt();
        if (used != expected || ledger != expected)
            die(QStringLiteral("%1: user %2 counted %3 and has %4 ledger rows, not %5").arg(side).arg(id).arg(used).arg(ledger).arg(expected));
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_quota"));
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() == 5 && arguments.at(1) == u"--worker")
        return runWorker(arguments.at(2), arguments.at(3), arguments.at(4).toInt());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Quota reservations per second, QuotaService against the sqlite3 shell."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Rounds (default 7)."), QStringLiteral("n"),
                                        QStringLiteral("7"));
    const QCommandLineOption countOption(QStringLiteral("reservations"), QStringLiteral("Reservations per process (default 1000)."),
                                         QStringLiteral("k"), QStringLiteral("1000"));
    const QCommandLineOption processesOption(QStringLiteral("processes"), QStringLiteral("Process counts (default 1,4,8)."),
                                             QStringLiteral("list"), QStringLiteral("1,4,8"));
    parser.addOption(runsOption);
    parser.addOption(countOption);
    parser.addOption(processesOption);
    parser.process(app);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    const int count = std::max(1, parser.value(countOption).toInt());
    QList<int> processCounts;
    for (const QString &n : parser.value(processesOption).split(u','))
        processCounts << std::clamp(n.toInt(), 1, 8);

    const QString sqlite3 = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
    if (sqlite3.isEmpty())
        die(QStringLiteral("the sqlite3 shell is not installed (apt-get install sqlite3)."));
    QTemporaryDir dir;
    if (!dir.isValid())
        die(QStringLiteral("no temporary folder: %1").arg(dir.errorString()));
    scratchFolders() << dir.path();

    // The starting database, copied afresh for every run of either side: an admin and eight users
    // with no monthly limit, one per process, so that no reservation is refused.
    Template base;
    base.path = dir.filePath(QStringLiteral("template.sqlite3"));
    {
        TestDatabase t;
        if (!t.isValid())
            die(t.openError().toLogString());
        scratchFolders() << t.folder();
        t.createAdmin();
        for (int p = 1; p <= 8; ++p) {
            NewUser request;
            request.username = QStringLiteral("w%1").arg(p);
            request.password = QStringLiteral("analyst password");
            request.unlimited = true;
            auto created = t.accounts().createUser(Actor::system(QStringLiteral("bench")), request);
            if (!created)
                die(created.error().toLogString());
            base.userIds << created->id;
        }
        base.period = quotaPeriodOf(t.clock()->nowUtc());
        base.nowMs = t.clock()->nowMs();
        if (auto done = execSql(t.connection(), QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !done)
            die(done.error().toLogString());
        const QString from = t.path();
        t.close();
        copyFresh(from, base.path);
    }
    QList<QString> scripts;
    for (int p = 0; p < 8; ++p) {
        const QString path = dir.filePath(QStringLiteral("reserve%1.sql").arg(p + 1));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(reservationScript(base.userIds.at(p), base.period, base.nowMs, count).toUtf8()) < 0)
            die(file.errorString());
        scripts << path;
    }
    const QString self = QCoreApplication::applicationFilePath();
    const QString runPath = dir.filePath(QStringLiteral("run.sqlite3"));

    out() << runs << " rounds; each process makes " << count << " reservations; one user per process" << Qt::endl;
    struct Figures {
        QList<double> ours, shell, ratio, oursLoop;
    };
    QMap<int, Figures> figures;
    for (int round = 1; round <= runs; ++round) {
        for (int n : std::as_const(processCounts)) {
            // Baseline first, then ours, each on a fresh copy of the same database.
            copyFresh(base.path, runPath);
            QList<std::pair<QStringList, QByteArray>> shells;
            for (int p = 0; p < n; ++p)
                shells.append({{sqlite3, runPath}, QByteArrayLiteral(".read ") + scripts.at(p).toUtf8() + QByteArrayLiteral("\n.quit\n")});
            const double shellMs = runTogether(shells, shellPrologue()).ms;
            verify(QStringLiteral("sqlite3"), runPath, base, n, count);

            copyFresh(base.path, runPath);
            QList<std::pair<QStringList, QByteArray>> workers;
            for (int p = 0; p < n; ++p)
                workers.append({{self, QStringLiteral("--worker"), runPath, QStringLiteral("w%1").arg(p + 1), QString::number(count)},
                                QByteArrayLiteral("go\n")});
            const TogetherRun oursRun = runTogether(workers, {});
            const double oursMs = oursRun.ms;
            double slowestLoopMs = 0;
            for (const QByteArray &output : oursRun.outputs) {
                const qsizetype at = output.indexOf("ok ");
                const QList<QByteArray> fields = output.mid(at).trimmed().split(' ');
                if (at < 0 || fields.size() != 3 || fields.at(1).toInt() != count)
                    die(u"a worker did not report its reservations: " + QString::fromUtf8(output));
                slowestLoopMs = std::max(slowestLoopMs, fields.at(2).toDouble());
            }
            verify(QStringLiteral("QuotaService"), runPath, base, n, count);

            const double total = double(n) * count;
            Figures &f = figures[n];
            f.shell << total / (shellMs / 1000.0);
            f.ours << total / (oursMs / 1000.0);
            f.ratio << f.ours.constLast() / f.shell.constLast();
            f.oursLoop << total / (slowestLoopMs / 1000.0);
            out() << "round " << round << ", " << n << " processes: sqlite3 " << QString::number(f.shell.constLast(), 'f', 0)
                  << "/s, QuotaService " << QString::number(f.ours.constLast(), 'f', 0) << "/s, ratio "
                  << QString::number(f.ratio.constLast(), 'f', 2) << Qt::endl;
        }
    }
    out() << "checked every run: each user's counter and ledger rows equal the reservations made, on both sides" << Qt::endl;
    for (int n : std::as_const(processCounts)) {
        const Figures &f = figures[n];
        out() << "== " << n << " process(es) x " << count << " reservations" << Qt::endl;
        out() << "  sqlite3 shells   median " << QString::number(median(f.shell), 'f', 0) << " reservations/s  ("
              << joined(f.shell, 0) << ")" << Qt::endl;
        out() << "  QuotaService     median " << QString::number(median(f.ours), 'f', 0) << " reservations/s  ("
              << joined(f.ours, 0) << ")" << Qt::endl;
        out() << "  QuotaService, the workers' loops alone (exit left out) median " << QString::number(median(f.oursLoop), 'f', 0)
              << " reservations/s  (" << joined(f.oursLoop, 0) << ")" << Qt::endl;
        out() << "  ours / sqlite3 throughput, median of the rounds' ratios " << QString::number(median(f.ratio), 'f', 2) << "  ("
              << joined(f.ratio, 2) << ")" << Qt::endl;
    }
    return 0;
}
