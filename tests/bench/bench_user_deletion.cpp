// Benchmark (issue 5): deleting a user with 100,000 messages through UserDeletionJob, the worker the
// admin panel uses, against the sqlite3 shell running the same DELETE statements in one
// BEGIN IMMEDIATE … COMMIT on a byte-identical copy of the database, in the same run. Also the
// longest gap between the ticks of a 10 ms timer on the main thread while the job runs.
// Usage: bench_user_deletion [--runs N] [--conversations N] [--messages N] [--fresh-each-round] [--keep]

#include "benchsupport.h"

#include "support/testdatabase.h"

#include "model/admin/userdeletionjob.h"
#include "storage/sql.h"
#include "storage/userdatastore.h"
#include "storage/userstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <optional>

using namespace heliodesk;
using namespace heliodesk::bench;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kRunTimeout = 300s;

QVariant one(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto v = scalar(db, sql, values);
    if (!v)
        die(QStringLiteral("query failed: %1").arg(v.error().toLogString()));
    return *v;
}

/// Rows that belong to the user, in every table that refers to users (as tst_userdeletion counts).
qint64 rowsOf(const QSqlDatabase &db, qint64 userId)
{
    return one(db,
               QStringLiteral("SELECT (SELECT count(*) FROM users WHERE id = ?) "
                              "+ (SELECT count(*) FROM conversations WHERE user_id = ?) "
                              "+ (SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = ?) "
                              "+ (SELECT count(*) FROM feedback WHERE user_id = ?) "
                              "+ (SELECT count(*) FROM survey_responses WHERE user_id = ?) "
                              "+ (SELECT count(*) FROM hired_agents WHERE user_id = ?) "
                              "+ (SELECT count(*) FROM usage_events WHERE user_id = ?)"),
               QVariantList(7, userId))
        .toLongLong();
}

/// Row counts of every table the deletion touches, the full-text index (what it finds for a word
/// every message holds) and the audit log: the two sides must end with the same figures.
QList<qint64> tableCounts(const QSqlDatabase &db)
{
    QList<qint64> counts;
    for (const char *table : {"users", "conversations", "messages", "feedback", "survey_responses", "hired_agents",
                              "usage_events", "audit_log"})
        counts << one(db, u"SELECT count(*) FROM " + QString::fromLatin1(table)).toLongLong(); // names from the list above
    counts << one(db, QStringLiteral("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'inverter'")).toLongLong();
    return counts;
}

/// A SQL literal for the shell's script.
QString quoted(const QString &text)
{
    QString escaped = text;
    escaped.replace(QStringLiteral("'"), QStringLiteral("''"));
    return u'\'' + escaped + u'\'';
}

struct Fixture {
    qint64 adminId = 0;
    QString adminName;
    qint64 victimId = 0;
    qint64 keeperId = 0;
    DeletionCounts expected;
    qint64 keeperRows = 0;
    qint64 adminRows = 0;
    qint64 auditNowMs = 0;
};

/// The script the shell runs: the connection's settings as Database sets them
/// (storage/database.cpp: busy timeout, foreign_keys, WAL, synchronous NORMAL, no checkpoint when
/// the connection closes), then AccountService::deleteUser's transaction. The DELETE statements come
/// from UserDataStore::removalStatements(), the very SQL removeAll runs; the two user look-ups and
/// the audit INSERT are copied from UserStore (selectUserById/ByName) and AuditStore::append. That
/// they do the same work is checked afterwards: both sides must end with equal counts in every table.
QString deletionScript(const Fixture &f)
{
    const QString selectUsers = QStringLiteral(
        "SELECT u.id, u.username, u.display_name, u.role, u.status, u.plan_id, p.name, u.password_hash, "
        "u.failed_sign_ins, u.locked_until, u.quota_mode, u.quota_limit, "
        "CASE u.quota_mode WHEN 'unlimited' THEN NULL WHEN 'limit' THEN u.quota_limit ELSE p.monthly_limit END, "
        "u.quota_used, u.quota_period, u.created_at, u.last_sign_in_at "
        "FROM users u JOIN plans p ON p.id = u.plan_id ");
    const DeletionCounts &c = f.expected;
    const QJsonObject details{{QStringLiteral("conversations"), c.conversations},
                              {QStringLiteral("messages"), c.messages},
                              {QStringLiteral("feedback"), c.feedback},
                              {QStringLiteral("survey_responses"), c.surveyResponses},
                              {QStringLiteral("hired_agents"), c.hiredAgents},
                              {QStringLiteral("usage_events"), c.usageEvents},
                              {QStringLiteral("role"), QStringLiteral("analyst")}};
    const QString victimId = QString::number(f.victimId);
    QStringList lines = {
        QStringLiteral(".bail on"),
        QStringLiteral(".timeout 5000"),
        QStringLiteral(".dbconfig no_ckpt_on_close on"),
        QStringLiteral("PRAGMA foreign_keys = ON;"),
        QStringLiteral("SELECT count(*) FROM sqlite_master;"),
        QStringLiteral("PRAGMA journal_mode = WAL;"),
        QStringLiteral("PRAGMA synchronous = NORMAL;"),
        QStringLiteral("BEGIN IMMEDIATE;"),
        selectUsers + u"WHERE u.id = " + QString::number(f.adminId) + u';',
        selectUsers + u"WHERE u.username = 'bob';",
    };
    for (QString statement : UserDataStore::removalStatements())
        lines << statement.replace(QStringLiteral("?"), victimId) + u';';
    lines << QStringLiteral("INSERT INTO audit_log (created_at, actor_id, actor_name, action, target_type, target_id, "
                            "target_name, details) VALUES (")
            + QString::number(f.auditNowMs) + u", " + QString::number(f.adminId) + u", " + quoted(f.adminName)
            + u", 'user.delete', 'user', " + quoted(victimId) + u", 'bob', "
            + quoted(QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))) + u") RETURNING id;";
    lines << QStringLiteral("COMMIT;");
    return lines.join(u'\n') + u'\n';
}

struct Timed {
    bool ok = false;
    double ms = 0;
    QByteArray err;
};

/// Runs `program` with `input` on its standard input, timed from start() to its end (process
/// start and exit included, nothing subtracted).
Timed runProcess(const QString &program, const QStringList &arguments, const QString &inputFile)
{
    QProcess process;
    process.setProgram(program);
    process.setArguments(arguments);
    process.setStandardInputFile(inputFile);
    process.setStandardOutputFile(QProcess::nullDevice());
    Timed result;
    QEventLoop loop;
    QElapsedTimer timer;
    bool finished = false;
    QObject::connect(&process, &QProcess::finished, &loop, [&] {
        result.ms = double(timer.nsecsElapsed()) / 1e6;
        finished = true;
        loop.quit();
    });
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            loop.quit();
    });
    QTimer::singleShot(kRunTimeout, &loop, &QEventLoop::quit);
    timer.start();
    process.start();
    loop.exec();
    if (!finished) {
        process.kill();
        process.waitForFinished(5000);
        result.err = process.errorString().toUtf8();
        return result;
    }
    result.ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    result.err = process.readAllStandardError();
    return result;
}

struct JobRun {
    bool ok = false;
    double ms = 0;
    double longestGapMs = 0;
    int ticks = 0;
    QString error;
};

/// UserDeletionJob on `database`, as the admin panel starts it, while a 10 ms timer ticks on this
/// thread. Timed from start() to succeeded().
JobRun runJob(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock, const Actor &admin)
{
    UserDeletionJob job(database, clock);
    JobRun result;
    QEventLoop loop;
    QElapsedTimer timer;
    qint64 lastTickNs = 0;
    qint64 longestGapNs = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(10ms);
    QObject::connect(&ticker, &QTimer::timeout, &loop, [&] {
        const qint64 now = timer.nsecsElapsed();
        longestGapNs = std::max(longestGapNs, now - lastTickNs);
        lastTickNs = now;
        ++result.ticks;
    });
    QObject::connect(&job, &UserDeletionJob::succeeded, &loop, [&](const DeletionReport &) {
        result.ms = double(timer.nsecsElapsed()) / 1e6;
        longestGapNs = std::max(longestGapNs, timer.nsecsElapsed() - lastTickNs);
        result.ok = true;
        loop.quit();
    });
    QObject::connect(&job, &UserDeletionJob::failed, &loop, [&](const Error &error) {
        result.error = error.toLogString();
        loop.quit();
    });
    QTimer::singleShot(kRunTimeout, &loop, &QEventLoop::quit);
    ticker.start();
    timer.start();
    if (!job.start(admin, QStringLiteral("bob")))
        die(QStringLiteral("UserDeletionJob did not start."));
    loop.exec();
    ticker.stop();
    result.longestGapMs = double(longestGapNs) / 1e6;
    if (!result.ok && result.error.isEmpty())
        result.error = QStringLiteral("no result within %1 s").arg(kRunTimeout.count());
    return result;
}

/// `to` as a byte copy of the database file `from` (whose log is empty), with no log of its own.
std::shared_ptr<Database> openDatabase(const QString &path)
{
    auto opened = Database::open(DatabaseLocation::sqliteFile(path));
    if (!opened)
        die(QStringLiteral("cannot open %1: %2").arg(path, opened.error().toLogString()));
    return *opened;
}

QSqlDatabase connectionOf(const std::shared_ptr<Database> &database)
{
    auto db = database->connection();
    if (!db)
        die(db.error().toLogString());
    return *db;
}

/// A fresh database: the admin "root", the victim "bob" with `conversations` × `messagesEach`
/// messages (and feedback, usage rows, hired agents, survey answers), and "carl", whose smaller
/// history must survive. Written out completely (WAL checkpointed and truncated, connection
/// closed) so that a copy of the file is the whole database.
Fixture buildDatabase(TestDatabase &t, int conversations, int messagesEach)
{
    Fixture f;
    const Actor root = t.createAdmin(QStringLiteral("root"));
    const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
    const UserRecord carl = t.createAnalyst(QStringLiteral("carl"));
    fillUserData(t.connection(), bob.id, conversations, messagesEach);
    fillUserData(t.connection(), carl.id, 10, 20);
    f.adminId = *root.userId();
    f.adminName = root.name();
    f.victimId = bob.id;
    f.keeperId = carl.id;
    f.auditNowMs = t.clock()->nowMs();
    {
        const QSqlDatabase db = t.connection(); // gone before the connection closes
        auto counts = UserDataStore::count(db, bob.id);
        if (!counts)
            die(counts.error().toLogString());
        f.expected = *counts;
        f.keeperRows = rowsOf(db, carl.id);
        f.adminRows = rowsOf(db, f.adminId);
        if (auto done = execSql(db, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !done)
            die(done.error().toLogString());
    }
    t.close();
    if (Database::openConnectionCount() != 0)
        die(QStringLiteral("a connection to the fresh database is still open"));
    if (QFile(t.path() + u"-wal").size() != 0)
        die(QStringLiteral("the fresh database's write-ahead log is not empty after the checkpoint"));
    return f;
}

/// After a deletion: the victim's rows are gone, the others' are all there.
void verify(const QString &side, const QSqlDatabase &db, const Fixture &f)
{
    if (const qint64 left = rowsOf(db, f.victimId); left != 0)
        die(QStringLiteral("%1: %2 rows of the deleted user are left").arg(side).arg(left));
    if (rowsOf(db, f.keeperId) != f.keeperRows || rowsOf(db, f.adminId) != f.adminRows)
        die(QStringLiteral("%1: rows of the other users changed").arg(side));
    const QVariant audited = one(db, QStringLiteral("SELECT details FROM audit_log WHERE action = 'user.delete' AND target_name = 'bob'"));
    const QJsonObject details = QJsonDocument::fromJson(audited.toString().toUtf8()).object();
    if (details.value(u"messages").toInt() != f.expected.messages)
        die(QStringLiteral("%1: no audit entry with the deletion's counts").arg(side));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_user_deletion"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("UserDeletionJob against the sqlite3 shell on the same deletion."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Rounds (default 7)."), QStringLiteral("n"),
                                        QStringLiteral("7"));
    const QCommandLineOption conversationsOption(QStringLiteral("conversations"),
                                                 QStringLiteral("The victim's conversations (default 1000)."),
                                                 QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption messagesOption(QStringLiteral("messages"), QStringLiteral("Messages per conversation (default 100)."),
                                            QStringLiteral("n"), QStringLiteral("100"));
    const QCommandLineOption keepOption(QStringLiteral("keep"),
                                        QStringLiteral("Keep the temporary folder (the last round's databases and the shell's script)."));
    const QCommandLineOption freshOption(QStringLiteral("fresh-each-round"),
                                         QStringLiteral("Build the database anew for every round instead of copying the first."));
    parser.addOption(runsOption);
    parser.addOption(keepOption);
    parser.addOption(freshOption);
    parser.addOption(conversationsOption);
    parser.addOption(messagesOption);
    parser.process(app);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    const int conversations = std::max(1, parser.value(conversationsOption).toInt());
    const int messagesEach = std::max(2, parser.value(messagesOption).toInt());

    const QString sqlite3 = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
    if (sqlite3.isEmpty())
        die(QStringLiteral("the sqlite3 shell is not installed (apt-get install sqlite3)."));
    QTemporaryDir dir;
    if (!dir.isValid())
        die(QStringLiteral("no temporary folder: %1").arg(dir.errorString()));
    if (parser.isSet(keepOption)) {
        dir.setAutoRemove(false);
        out() << "keeping " << dir.path() << Qt::endl;
    } else {
        scratchFolders() << dir.path();
    }
    const QString oursPath = dir.filePath(QStringLiteral("ours.sqlite3"));
    const QString theirsPath = dir.filePath(QStringLiteral("theirs.sqlite3"));
    const QString scriptPath = dir.filePath(QStringLiteral("delete.sql"));
    const QString selectOnePath = dir.filePath(QStringLiteral("select1.sql"));
    {
        QFile selectOne(selectOnePath);
        if (!selectOne.open(QIODevice::WriteOnly) || selectOne.write("SELECT 1;\n") < 0)
            die(selectOne.errorString());
    }

    out() << "victim: " << conversations << " conversations x " << messagesEach << " messages = "
          << qint64(conversations) * messagesEach << " messages; " << runs << " rounds, each on fresh copies of the database" << Qt::endl;
    out() << "round  build(s)  sqlite3 SELECT 1 (ms)  sqlite3 delete (ms)  UserDeletionJob (ms)  ratio  longest 10 ms timer gap (ms)  ticks"
          << Qt::endl;

    QList<double> startUp, baseline, ours, ratios, gaps;
    // The database is built once (fillUserData takes minutes for 100,000 messages on a loaded
    // machine) and every round starts from fresh copies of it; --fresh-each-round builds it anew.
    const QString templatePath = dir.filePath(QStringLiteral("template.sqlite3"));
    Fixture f;
    for (int round = 1; round <= runs; ++round) {
        QElapsedTimer building;
        building.start();
        if (round == 1 || parser.isSet(freshOption)) {
            TestDatabase t;
            if (!t.isValid())
                die(t.openError().toLogString());
            scratchFolders() << t.folder();
            f = buildDatabase(t, conversations, messagesEach);
            copyFresh(t.path(), templatePath);
        }
        copyFresh(templatePath, oursPath);
        copyFresh(templatePath, theirsPath);
        const double buildSeconds = double(building.elapsed()) / 1000.0;
        if (f.expected.messages != conversations * messagesEach)
            die(QStringLiteral("the victim has %1 messages, not %2").arg(f.expected.messages).arg(conversations * messagesEach));
        {
            QFile script(scriptPath);
            if (!script.open(QIODevice::WriteOnly | QIODevice::Truncate) || script.write(deletionScript(f).toUtf8()) < 0)
                die(script.errorString());
        }

        // Baseline first, then ours: the order bench_ask_stream uses, round after round.
        const Timed selectOne = runProcess(sqlite3, {theirsPath}, selectOnePath);
        if (!selectOne.ok)
            die(u"sqlite3 SELECT 1 failed: " + QString::fromUtf8(selectOne.err));
        const Timed shell = runProcess(sqlite3, {theirsPath}, scriptPath);
        if (!shell.ok)
            die(u"sqlite3 deletion failed: " + QString::fromUtf8(shell.err));

        const auto clock = std::make_shared<FakeClock>(QDateTime::fromMSecsSinceEpoch(f.auditNowMs, Qt::UTC));
        std::shared_ptr<Database> oursDb = openDatabase(oursPath);
        auto adminRecord = UserStore::findById(connectionOf(oursDb), f.adminId);
        if (!adminRecord || !*adminRecord)
            die(QStringLiteral("the admin is missing"));
        const JobRun job = runJob(oursDb, clock, Actor::user(**adminRecord));
        if (!job.ok)
            die(u"UserDeletionJob failed: " + job.error);

        // Both sides removed exactly the victim's rows and ended with the same database content.
        std::shared_ptr<Database> theirsDb = openDatabase(theirsPath);
        verify(QStringLiteral("UserDeletionJob"), connectionOf(oursDb), f);
        verify(QStringLiteral("sqlite3"), connectionOf(theirsDb), f);
        const QList<qint64> oursCounts = tableCounts(connectionOf(oursDb));
        const QList<qint64> theirsCounts = tableCounts(connectionOf(theirsDb));
        if (oursCounts != theirsCounts)
            die(QStringLiteral("the two sides differ after the deletion: ours %1, sqlite3 %2")
                    .arg(joined(QList<double>(oursCounts.cbegin(), oursCounts.cend())),
                         joined(QList<double>(theirsCounts.cbegin(), theirsCounts.cend()))));
        oursDb.reset();
        theirsDb.reset();

        startUp << selectOne.ms;
        baseline << shell.ms;
        ours << job.ms;
        ratios << job.ms / shell.ms;
        gaps << job.longestGapMs;
        out() << qSetFieldWidth(5) << round << qSetFieldWidth(0) << "  " << qSetFieldWidth(8) << QString::number(buildSeconds, 'f', 1)
              << qSetFieldWidth(23) << QString::number(selectOne.ms, 'f', 1) << qSetFieldWidth(21)
              << QString::number(shell.ms, 'f', 0) << qSetFieldWidth(22) << QString::number(job.ms, 'f', 0)
              << qSetFieldWidth(7) << QString::number(job.ms / shell.ms, 'f', 2) << qSetFieldWidth(31)
              << QString::number(job.longestGapMs, 'f', 1) << qSetFieldWidth(7) << job.ticks << qSetFieldWidth(0) << Qt::endl;
    }

    out() << "checked every round: the victim's rows all gone on both sides, the other users' rows intact, the audit entry "
             "written, equal counts in every table and in the full-text index"
          << Qt::endl;
    out() << "median sqlite3 SELECT 1 (start-up): " << QString::number(median(startUp), 'f', 1) << " ms  ("
          << joined(startUp, 1) << ")" << Qt::endl;
    out() << "median sqlite3 deletion:            " << QString::number(median(baseline), 'f', 0) << " ms  (" << joined(baseline)
          << ")" << Qt::endl;
    out() << "median UserDeletionJob:             " << QString::number(median(ours), 'f', 0) << " ms  (" << joined(ours) << ")"
          << Qt::endl;
    out() << "median of the rounds' ratios:       " << QString::number(median(ratios), 'f', 2) << "  (" << joined(ratios, 2)
          << ")" << Qt::endl;
    out() << "ratio of the medians:               " << QString::number(median(ours) / median(baseline), 'f', 2) << Qt::endl;
    out() << "median longest timer gap:           " << QString::number(median(gaps), 'f', 1) << " ms  (" << joined(gaps, 1)
          << "; worst " << QString::number(*std::max_element(gaps.cbegin(), gaps.cend()), 'f', 1) << ")" << Qt::endl;
    return 0;
}
