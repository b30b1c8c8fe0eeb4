// Benchmark (issue 7): quota reservations per second with 8 client processes on one PostgreSQL
// database. Ours: 8 processes each calling QuotaService::reserve through Database (the QPSQL driver)
// for as long as pgbench runs; the baseline, in the same run on the same cluster, is
// `pgbench -n -f reserve.sql -c 8 -j 8 -T S` running the very statements of QuotaLedger::reserve
// (QuotaLedger::reserveCountSql() and reserveLedgerSql(), the `?` turned into pgbench variables) in
// the same transaction. Two more pgbench runs explain the difference: the same script with
// `-M prepared` (each statement parsed once per connection), and the statements the QPSQL driver
// actually sends for one reservation (PREPARE, EXECUTE and DEALLOCATE for each of the two).
// Usage: bench_quota_pg [--runs N] [--seconds S] [--clients C]
//        bench_quota_pg --worker LOCATION USERNAME SECONDS   (one of our clients; started by the benchmark)
// Starts a throwaway cluster with scripts/pg.sh unless HELIODESK_BENCH_POSTGRES_URL names a server.

#include "benchsupport.h"

#include "support/testdatabase.h"

#include "model/quotaservice.h"
#include "storage/quotaledger.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrlQuery>

#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <string>

using namespace heliodesk;
using namespace heliodesk::bench;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

// A limit no run reaches: every reservation takes the 'limit' branch of the counting UPDATE, the
// comparison included, and succeeds.
constexpr int kHugeLimit = 1000000000;

/// CPU time (user + system) in µs of this process (RUSAGE_SELF) or of its finished children.
double cpuUs(int who)
{
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

/// One of our clients: opens the database as the app does, says "ready", waits for a line on its
/// standard input, then reserves queries one after the other for `seconds` and says "ok N MS CPU"
/// (CPU: the loop's own CPU time in µs, start-up and connection left out).
int runWorker(const QString &locationText, const QString &username, int seconds)
{
    auto location = DatabaseLocation::parse(locationText);
    if (!location) {
        std::fprintf(stderr, "location: %s\n", qPrintable(location.error().toLogString()));
        return 1;
    }
    DatabaseOptions options;
    options.busyTimeout = 30s; // as quota_worker: every reservation waits its turn, none fails busy
    auto database = Database::open(*location, options);
    if (!database) {
        std::fprintf(stderr, "open: %s\n", qPrintable(database.error().toLogString()));
        return 1;
    }
    auto db = (*database)->connection();
    if (!db) {
        std::fprintf(stderr, "connection: %s\n", qPrintable(db.error().toLogString()));
        return 1;
    }
    auto user = UserStore::findByName(*db, username);
    if (!user || !*user) {
        std::fprintf(stderr, "no user %s\n", qPrintable(username));
        return 1;
    }
    const Actor actor = Actor::user(**user);
    QuotaService quotas(*database, std::make_shared<FakeClock>()); // the instant pgbench writes too
    std::printf("ready\n");
    std::fflush(stdout);
    std::string go;
    if (!std::getline(std::cin, go))
        return 1;
    const double cpuBefore = cpuUs(RUSAGE_SELF);
    QElapsedTimer timer;
    timer.start();
    const qint64 until = qint64(seconds) * 1000000000;
    int count = 0;
    while (timer.nsecsElapsed() < until) {
        auto reserved = quotas.reserve(actor, QStringLiteral("om"));
        if (!reserved) {
            std::fprintf(stderr, "reserve: %s\n", qPrintable(reserved.error().toLogString()));
            return 1;
        }
        ++count;
    }
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    std::printf("ok %d %.3f %.0f\n", count, ms, cpuUs(RUSAGE_SELF) - cpuBefore);
    return 0;
}

/// `sql` with its `?` replaced, in order, by `values` (pgbench variables or literals).
QString withPlaceholders(const QString &sql, const QStringList &values)
{
    QString result;
    qsizetype next = 0;
    for (const QChar c : sql) {
        if (c != u'?') {
            result += c;
            continue;
        }
        if (next >= values.size())
            die(QStringLiteral("more placeholders than values in: %1").arg(sql));
        result += values.at(next++);
    }
    if (next != values.size())
        die(QStringLiteral("%1 placeholders for %2 values in: %3").arg(next).arg(values.size()).arg(sql));
    return result;
}

// The values of QuotaLedger::reserve, in the order of its statements' placeholders. :uid is the
// client's user (set by the script), :period and :agent are -D variables, :now the clock's ms.
const QStringList countValues = {QStringLiteral(":period"), QStringLiteral(":period"), QStringLiteral(":uid"),
                                 QStringLiteral(":period"), QStringLiteral(":period")};
const QStringList ledgerValues = {QStringLiteral(":uid"), QStringLiteral(":agent"), QStringLiteral("NULL"),
                                  QStringLiteral(":period"), QStringLiteral(":now")};

/// Client i reserves for user first_uid + i % users: its own user, or all the same one.
const QString pickUser = QStringLiteral("\\set uid :first_uid + :client_id % :users\n");
/// Transaction::begin() for a write transaction on PostgreSQL.
const QString beginSql = QStringLiteral("START TRANSACTION ISOLATION LEVEL READ COMMITTED");

/// One reservation as the app's statements: begin, the counting UPDATE, the ledger INSERT, commit.
QString reservationScript()
{
    return pickUser + beginSql + QStringLiteral(";\n") + withPlaceholders(QuotaLedger::reserveCountSql(), countValues)
        + QStringLiteral(";\n") + withPlaceholders(QuotaLedger::reserveLedgerSql(), ledgerValues) + QStringLiteral(";\nCOMMIT;\n");
}

/// `sql` with its `?` numbered $1, $2 … as the QPSQL driver rewrites it for PREPARE.
QString numbered(const QString &sql, int count)
{
    QStringList dollars;
    for (int i = 1; i <= count; ++i)
        dollars << QStringLiteral("$%1").arg(i);
    return withPlaceholders(sql, dollars);
}

/// One reservation as the QPSQL driver sends it, read from the server's log (log_statement = all)
/// with Qt 6.4: prepare() sends PREPARE name AS … (the `?` numbered), exec() sends EXECUTE name
/// (the values as literals), and the end of the QSqlQuery sends DEALLOCATE name; QuotaLedger::reserve
/// keeps the counting query until it returns, so both DEALLOCATEs come after the INSERT. Eight round
/// trips where the script above has four, six of them while the user's row is locked.
QString driverScript()
{
    return pickUser + beginSql + QStringLiteral(";\n") + QStringLiteral("PREPARE reserve_count AS ")
        + numbered(QuotaLedger::reserveCountSql(), int(countValues.size())) + QStringLiteral(";\n")
        + QStringLiteral("EXECUTE reserve_count (") + countValues.join(QStringLiteral(", ")) + QStringLiteral(");\n")
        + QStringLiteral("PREPARE reserve_ledger AS ") + numbered(QuotaLedger::reserveLedgerSql(), int(ledgerValues.size()))
        + QStringLiteral(";\n") + QStringLiteral("EXECUTE reserve_ledger (") + ledgerValues.join(QStringLiteral(", "))
        + QStringLiteral(");\n") + QStringLiteral("DEALLOCATE reserve_ledger;\nDEALLOCATE reserve_count;\nCOMMIT;\n");
}

struct Setup {
    QString locationText; // the postgresql:// URL of the benchmark's schema, as the app takes it
    QString pgbench;      // the pgbench program
    QString period;       // "2026-11"
    qint64 nowMs = 0;
    qint64 firstOwnId = 0; // "c1" … "cN", one per client, consecutive ids
    qint64 sharedId = 0;   // "team", which every client reserves for in the shared case
    int clients = 8;
    int seconds = 10;
};

enum class Users { Own, Shared };

/// Counters to zero and the ledger emptied, both tables vacuumed: every run starts alike.
void reset(const QSqlDatabase &db)
{
    for (const QString &sql : {QStringLiteral("DELETE FROM usage_events"), QStringLiteral("UPDATE users SET quota_used = 0"),
                               QStringLiteral("VACUUM (ANALYZE) users, usage_events")}) {
        if (auto done = execSql(db, sql); !done)
            die(done.error().toLogString());
    }
}

/// After a run of `made` reservations: every counter equals its user's ledger rows, and together
/// they equal what the clients said they made. Both sides did the same, complete work.
void verify(const QString &side, const QSqlDatabase &db, const Setup &setup, qint64 made)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT u.id, u.quota_used, (SELECT count(*) FROM usage_events e WHERE e.user_id = u.id "
                                    "AND e.period = ? AND e.outcome = 'reserved' AND e.created_at = ?) FROM users u"),
                     {setup.period, setup.nowMs});
    if (!q)
        die(q.error().toLogString());
    qint64 total = 0;
    while (q->next()) {
        const qint64 used = q->value(1).toLongLong();
        const qint64 ledger = q->value(2).toLongLong();
        if (used != ledger)
            die(QStringLiteral("%1: user %2 counted %3 but has %4 ledger rows")
                    .arg(side)
                    .arg(q->value(0).toLongLong())
                    .arg(used)
                    .arg(ledger));
        total += used;
    }
    const qint64 allRows = scalar(db, QStringLiteral("SELECT count(*) FROM usage_events")).value().toLongLong();
    if (total != made || allRows != made)
        die(QStringLiteral("%1: %2 reservations made, but %3 counted and %4 ledger rows").arg(side).arg(made).arg(total).arg(allRows));
}

struct RunResult {
    double perSecond = 0;
    qint64 made = 0;
    double clientCpuUs = 0; // the clients' CPU time (user + system) per reservation, µs
};

/// pgbench with `script` for the clients, the values as -D variables: quoted literals in the
/// simple protocol (it pastes them into the text), plain in the extended and prepared ones.
RunResult runPgbench(const Setup &setup, const QString &script, const QString &protocol, Users users)
{
    const bool simple = protocol == u"simple";
    const auto text = [simple](const QString &value) { return simple ? u'\'' + value + u'\'' : value; };
    QStringList arguments = {QStringLiteral("-n"), QStringLiteral("-f"), script, QStringLiteral("-M"), protocol};
    arguments << QStringLiteral("-c") << QString::number(setup.clients) << QStringLiteral("-j") << QString::number(setup.clients)
              << QStringLiteral("-T") << QString::number(setup.seconds);
    const qint64 firstUid = users == Users::Own ? setup.firstOwnId : setup.sharedId;
    const int userCount = users == Users::Own ? setup.clients : 1;
    const QStringList variables = {u"period=" + text(setup.period), u"agent=" + text(QStringLiteral("om")),
                                   u"now=" + QString::number(setup.nowMs), u"first_uid=" + QString::number(firstUid),
                                   u"users=" + QString::number(userCount)};
    for (const QString &variable : variables)
        arguments << QStringLiteral("-D") << variable;
    arguments << setup.locationText; // libpq takes the URL, its options (the schema) included
    QProcess pgbench;
    pgbench.start(setup.pgbench, arguments);
    if (!pgbench.waitForFinished(int(std::chrono::milliseconds(std::chrono::seconds(setup.seconds) + 120s).count()))
        || pgbench.exitStatus() != QProcess::NormalExit || pgbench.exitCode() != 0)
        die(u"pgbench failed: " + QString::fromUtf8(pgbench.readAllStandardError())
            + QString::fromUtf8(pgbench.readAllStandardOutput()));
    const QString output = QString::fromUtf8(pgbench.readAllStandardOutput());
    const auto processed = QRegularExpression(QStringLiteral("number of transactions actually processed: (\\d+)")).match(output);
    const auto tps = QRegularExpression(QStringLiteral("tps = ([0-9.]+) \\(without initial connection time\\)")).match(output);
    const auto failed = QRegularExpression(QStringLiteral("number of failed transactions: (\\d+)")).match(output);
    if (!processed.hasMatch() || !tps.hasMatch() || (failed.hasMatch() && failed.captured(1).toInt() != 0))
        die(u"pgbench said something unexpected:\n" + output);
    return RunResult{tps.captured(1).toDouble(), processed.captured(1).toLongLong()};
}

/// Our clients: started and connected first, then all sent their go line at once; throughput =
/// the reservations of all / the longest client's loop (start-up and exit left out, as pgbench's
/// "without initial connection time" leaves them out).
RunResult runOurs(const Setup &setup, Users users)
{
    std::vector<std::unique_ptr<QProcess>> processes;
    std::vector<QByteArray> outputs(size_t(setup.clients));
    QEventLoop loop;
    int ready = 0;
    int finished = 0;
    bool failed = false;
    for (int i = 0; i < setup.clients; ++i) {
        auto process = std::make_unique<QProcess>();
        QProcess *raw = process.get();
        QByteArray *output = &outputs[size_t(i)];
        QObject::connect(raw, &QProcess::readyReadStandardOutput, &loop, [raw, output, &ready, &processes] {
            const bool wasReady = output->startsWith("ready\n");
            *output += raw->readAllStandardOutput();
            if (wasReady || !output->startsWith("ready\n"))
                return;
            if (++ready == int(processes.size())) {
                for (auto &p : processes) {
                    p->write("go\n");
                    p->closeWriteChannel();
                }
            }
        });
        QObject::connect(raw, &QProcess::finished, &loop, [raw, output, &finished, &failed, &loop, &processes] {
            *output += raw->readAllStandardOutput();
            if (raw->exitStatus() != QProcess::NormalExit || raw->exitCode() != 0) {
                out() << "bench_quota_pg: a client failed: " << QString::fromUtf8(raw->readAllStandardError()) << Qt::endl;
                failed = true;
            }
            if (++finished == int(processes.size()))
                loop.quit();
        });
        const QString username = users == Users::Own ? QStringLiteral("c%1").arg(i + 1) : QStringLiteral("team");
        process->setProgram(QCoreApplication::applicationFilePath());
        process->setArguments({QStringLiteral("--worker"), setup.locationText, username, QString::number(setup.seconds)});
        processes.push_back(std::move(process));
    }
    QTimer::singleShot(std::chrono::seconds(setup.seconds) + 120s, &loop, &QEventLoop::quit);
    for (auto &process : processes)
        process->start();
    loop.exec();
    if (failed || finished != setup.clients)
        die(QStringLiteral("a client failed or did not finish in time"));
    RunResult result;
    double longestMs = 0;
    double cpu = 0;
    for (const QByteArray &output : outputs) {
        const QList<QByteArray> fields = output.mid(output.indexOf("ok ")).trimmed().split(' ');
        if (!output.contains("ok ") || fields.size() != 4)
            die(u"a client did not report its reservations: " + QString::fromUtf8(output));
        result.made += fields.at(1).toLongLong();
        longestMs = std::max(longestMs, fields.at(2).toDouble());
        cpu += fields.at(3).toDouble();
    }
    result.perSecond = double(result.made) / (longestMs / 1000.0);
    result.clientCpuUs = cpu / double(std::max<qint64>(1, result.made));
    return result;
}

/// A throwaway cluster of scripts/pg.sh, stopped when the benchmark ends (also after die()).
struct Cluster {
    QString stateDir;
};
Cluster &cluster()
{
    static Cluster c;
    return c;
}

void stopCluster()
{
    if (cluster().stateDir.isEmpty())
        return;
    QProcess::execute(QStringLiteral(PG_SH_PATH), {QStringLiteral("stop"), cluster().stateDir});
    QDir(cluster().stateDir).removeRecursively();
    cluster().stateDir.clear();
}

QString pgShOutput(const QStringList &arguments)
{
    QProcess pg;
    pg.start(QStringLiteral(PG_SH_PATH), arguments);
    if (!pg.waitForFinished(180000) || pg.exitStatus() != QProcess::NormalExit || pg.exitCode() != 0)
        die(u"scripts/pg.sh " + arguments.join(u' ') + u" failed: " + QString::fromUtf8(pg.readAllStandardError()));
    return QString::fromUtf8(pg.readAllStandardOutput()).trimmed();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_quota_pg"));
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() == 5 && arguments.at(1) == u"--worker")
        return runWorker(arguments.at(2), arguments.at(3), arguments.at(4).toInt());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Quota reservations per second on PostgreSQL, QuotaService against pgbench."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Rounds (default 7)."), QStringLiteral("n"),
                                        QStringLiteral("7"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Seconds each side runs per case (default 5)."), QStringLiteral("s"),
                                           QStringLiteral("5"));
    const QCommandLineOption clientsOption(QStringLiteral("clients"), QStringLiteral("Client processes (default 8)."),
                                           QStringLiteral("c"), QStringLiteral("8"));
    parser.addOption(runsOption);
    parser.addOption(secondsOption);
    parser.addOption(clientsOption);
    parser.process(app);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    Setup setup;
    setup.seconds = std::max(1, parser.value(secondsOption).toInt());
    setup.clients = std::clamp(parser.value(clientsOption).toInt(), 1, 64);

    QTemporaryDir dir;
    if (!dir.isValid())
        die(QStringLiteral("no temporary folder: %1").arg(dir.errorString()));
    scratchFolders() << dir.path();
    setup.pgbench = pgShOutput({QStringLiteral("bin")}) + QStringLiteral("/pgbench");
    if (!QFile::exists(setup.pgbench))
        die(QStringLiteral("pgbench is not installed next to PostgreSQL's server programs (%1).").arg(setup.pgbench));

    QString server = qEnvironmentVariable("HELIODESK_BENCH_POSTGRES_URL");
    if (server.isEmpty()) {
        // The cluster's state lives outside the scratch folders: die() removes those before the
        // exit handler stops the server, which needs its state.
        cluster().stateDir = dir.path() + QStringLiteral("-cluster");
        std::atexit(stopCluster);
        server = pgShOutput({QStringLiteral("start"), cluster().stateDir});
    }
    // The benchmark's database is a schema of its own on that server, as the tests' databases are.
    qputenv("HELIODESK_TEST_POSTGRES_URL", server.toUtf8());

    {
        TestDatabase t;
        if (!t.isValid())
            die(t.openError().toLogString());
        scratchFolders() << t.folder();
        setup.locationText = t.locationText();
        for (int i = 1; i <= setup.clients; ++i) {
            const UserRecord user = t.createAnalyst(QStringLiteral("c%1").arg(i), kHugeLimit);
            if (i == 1)
                setup.firstOwnId = user.id;
            else if (user.id != setup.firstOwnId + i - 1)
                die(QStringLiteral("the clients' users did not get consecutive ids; pgbench picks them by client number"));
        }
        setup.sharedId = t.createAnalyst(QStringLiteral("team"), kHugeLimit).id;
        setup.period = quotaPeriodOf(t.clock()->nowUtc());
        setup.nowMs = t.clock()->nowMs();

        const QString direct = dir.filePath(QStringLiteral("reserve.sql"));
        const QString driver = dir.filePath(QStringLiteral("reserve-as-qpsql-sends-it.sql"));
        for (const auto &[path, text] : {std::pair{direct, reservationScript()}, std::pair{driver, driverScript()}}) {
            QFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0)
                die(file.errorString());
        }
        const QString version = scalar(t.connection(), QStringLiteral("SHOW server_version")).value().toString();

        out() << runs << " rounds; " << setup.clients << " clients, " << setup.seconds << " s per case; PostgreSQL " << version
              << (qEnvironmentVariableIsEmpty("HELIODESK_BENCH_POSTGRES_URL")
                      ? QStringLiteral(" (throwaway cluster of scripts/pg.sh)")
                      : QStringLiteral(" (HELIODESK_BENCH_POSTGRES_URL)"))
              << Qt::endl;
        out() << "pgbench script (" << direct << "):\n" << reservationScript() << Qt::endl;

        struct Case {
            QString name;
            Users users;
            QString script;   // empty: ours
            QString protocol; // pgbench -M
        };
        const QList<Case> cases = {
            {QStringLiteral("pgbench, own users"), Users::Own, direct, QStringLiteral("simple")},
            {QStringLiteral("QuotaService, own users"), Users::Own, {}, {}},
            {QStringLiteral("pgbench -M prepared, own users"), Users::Own, direct, QStringLiteral("prepared")},
            {QStringLiteral("pgbench, QPSQL's statements, own users"), Users::Own, driver, QStringLiteral("simple")},
            {QStringLiteral("pgbench, one shared user"), Users::Shared, direct, QStringLiteral("simple")},
            {QStringLiteral("QuotaService, one shared user"), Users::Shared, {}, {}},
        };
        QMap<QString, QList<double>> figures;
        QMap<QString, QList<double>> clientCpu;
        QList<double> ratioOwn, ratioShared, ratioDriver;
        const QSqlDatabase db = t.connection();
        for (int round = 1; round <= runs; ++round) {
            QMap<QString, double> thisRound;
            for (const Case &c : cases) {
                reset(db);
                // pgbench's CPU is read from outside (its start and connections, a few ms, included);
                // our clients measure their loops themselves.
                const double cpuBefore = cpuUs(RUSAGE_CHILDREN);
                RunResult r = c.script.isEmpty() ? runOurs(setup, c.users) : runPgbench(setup, c.script, c.protocol, c.users);
                if (!c.script.isEmpty())
                    r.clientCpuUs = (cpuUs(RUSAGE_CHILDREN) - cpuBefore) / double(std::max<qint64>(1, r.made));
                verify(c.name, db, setup, r.made);
                figures[c.name] << r.perSecond;
                clientCpu[c.name] << r.clientCpuUs;
                thisRound[c.name] = r.perSecond;
            }
            ratioOwn << thisRound.value(cases.at(1).name) / thisRound.value(cases.at(0).name);
            ratioDriver << thisRound.value(cases.at(1).name) / thisRound.value(cases.at(3).name);
            ratioShared << thisRound.value(cases.at(5).name) / thisRound.value(cases.at(4).name);
            out() << "round " << round << ":";
            for (const Case &c : cases)
                out() << " " << c.name << " " << QString::number(thisRound.value(c.name), 'f', 0) << "/s;";
            out() << " ratio " << QString::number(ratioOwn.constLast(), 'f', 2) << " (own), "
                  << QString::number(ratioShared.constLast(), 'f', 2) << " (shared)" << Qt::endl;
        }
        out() << "checked every run: each user's counter equals their ledger rows, and all of them the reservations made"
              << Qt::endl;
        out() << "== " << setup.clients << " clients x " << setup.seconds << " s, reservations/s, median of " << runs << " rounds"
              << Qt::endl;
        for (const Case &c : cases)
            out() << "  " << c.name.leftJustified(42) << " median " << QString::number(median(figures[c.name]), 'f', 0) << "  ("
                  << joined(figures[c.name], 0) << ")" << Qt::endl;
        out() << "  ours / pgbench throughput, own users, median of the rounds' ratios "
              << QString::number(median(ratioOwn), 'f', 2) << "  (" << joined(ratioOwn, 2) << ")" << Qt::endl;
        out() << "  ours / pgbench throughput, one shared user, median of the rounds' ratios "
              << QString::number(median(ratioShared), 'f', 2) << "  (" << joined(ratioShared, 2) << ")" << Qt::endl;
        out() << "  ours / pgbench sending QPSQL's statements, own users, median of the rounds' ratios "
              << QString::number(median(ratioDriver), 'f', 2) << "  (" << joined(ratioDriver, 2) << ")" << Qt::endl;
        out() << "== the clients' own CPU time (user + system) per reservation in microseconds, median" << Qt::endl;
        for (const Case &c : cases)
            out() << "  " << c.name.leftJustified(42) << " median " << QString::number(median(clientCpu[c.name]), 'f', 0) << "  ("
                  << joined(clientCpu[c.name], 0) << ")" << Qt::endl;
    }
    stopCluster(); // while the application object still exists
    return 0;
}
