// Benchmark (issue 6): full-text search over 1,000,000 messages. SearchService::search, the first
// page as the window asks for it, against the sqlite3 shell running the same SQL text
// (MessageSearchStore::searchSql()) with the same bound values, in the same run, query by query.
// Usage: bench_search [--runs N] [--messages N]

#include "benchsupport.h"

#include "support/testdatabase.h"

#include "model/chat/searchservice.h"
#include "storage/messagesearchstore.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <random>

using namespace heliodesk;
using namespace heliodesk::bench;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kRunTimeout = 300s;
constexpr int kMessagesPerConversation = 100;

/// Words of operations and maintenance notes on solar, wind and storage sites, most common first:
/// drawn with Zipf's law, so that the first are in most messages and the last in a few percent.
const QStringList &vocabulary()
{
    static const QStringList words = [] {
        const char *const list[] = {
            "the", "of", "on", "and", "at", "to", "a", "in", "for", "was", "is", "with", "inverter", "string", "site",
            "power", "output", "module", "after", "grid", "check", "fault", "energy", "turbine", "alarm", "voltage",
            "current", "yesterday", "today", "panel", "data", "report", "maintenance", "from", "trip", "tripped",
            "insulation", "temperature", "transformer", "curtailment", "irradiance", "availability", "production",
            "forecast", "battery", "storage", "substation", "cable", "connector", "combiner", "tracker", "blade",
            "gearbox", "generator", "nacelle", "pitch", "yaw", "rotor", "tower", "anemometer", "wind", "speed",
            "solar", "farm", "park", "plant", "MWh", "kWh", "MW", "kW", "degradation", "soiling", "cleaning",
            "inspection", "drone", "thermal", "hotspot", "diode", "fuse", "breaker", "relay", "protection",
            "SCADA", "telemetry", "logger", "communication", "outage", "downtime", "ticket", "technician", "crew",
            "spare", "parts", "warranty", "contract", "PPA", "price", "tariff", "market", "spot", "intraday",
            "balancing", "imbalance", "settlement", "invoice", "budget", "loss", "losses", "yield", "ratio",
            "performance", "PR", "capacity", "factor", "frequency", "reactive", "setpoint", "ramp", "limit",
            "export", "import", "meter", "metering", "reading", "transfer", "transfers", "switchgear", "earthing",
            "isolation", "resistance", "megger", "test", "commissioning", "firmware", "update", "reset", "restart",
            "error", "code", "log", "shutdown", "startup", "morning", "evening", "night", "weekly", "monthly",
            "quarterly", "north", "south", "east", "west", "block", "array", "row", "section", "feeder",
            "overvoltage", "undervoltage", "harmonics", "flicker", "icing", "lightning", "storm", "hail", "snow",
            "dust", "vegetation", "fence", "security", "camera", "access", "permit", "safety", "lockout",
            "tagout", "hydrogen", "electrolyser", "heat", "pump", "cooling", "fan", "filter", "oil", "bearing",
            "vibration", "sensor", "calibration", "pyranometer", "albedo", "bifacial", "backtracking", "stow",
        };
        QStringList all;
        for (const char *word : list)
            all << QString::fromLatin1(word);
        return all;
    }();
    return words;
}

/// Message text from a seeded generator: 10–40 words of the vocabulary by Zipf's law, now and then
/// a figure with a unit or a site number, a fixed phrase in 2 % of them and a rare word in 1 of
/// 10,000. No "|" and no line break, so that the shell's output splits on them.
class TextGenerator
{
public:
    explicit TextGenerator(quint64 seed)
        : m_random(seed)
    {
        const QStringList &words = vocabulary();
        QList<double> weights;
        for (qsizetype rank = 1; rank <= words.size(); ++rank)
            weights << 1.0 / double(rank);
        m_word = std::discrete_distribution<int>(weights.cbegin(), weights.cend());
    }

    QString next()
    {
        const QStringList &words = vocabulary();
        const int length = std::uniform_int_distribution<int>(10, 40)(m_random);
        QString text;
        text.reserve(length * 9);
        for (int i = 0; i < length; ++i) {
            if (i > 0)
                text += u' ';
            const double roll = m_unit(m_random);
            if (roll < 0.03) {
                text += QString::number(std::uniform_int_distribution<int>(1, 999)(m_random)) + u' '
                    + words.at(std::uniform_int_distribution<int>(int(words.indexOf(u"MWh")), int(words.indexOf(u"kW")))(m_random));
            } else if (roll < 0.04) {
                text += QStringLiteral("site-%1").arg(std::uniform_int_distribution<int>(1, 400)(m_random), 3, 10, QLatin1Char('0'));
            } else {
                text += words.at(m_word(m_random));
            }
        }
        if (m_unit(m_random) < 0.02)
            text += QStringLiteral(" insulation fault on string %1.").arg(std::uniform_int_distribution<int>(1, 24)(m_random));
        if (m_unit(m_random) < 0.0001)
            text += QStringLiteral(" Thermography flagged it.");
        else
            text += u'.';
        text[0] = text.at(0).toUpper();
        return text;
    }

private:
    std::mt19937_64 m_random;
    std::discrete_distribution<int> m_word;
    std::uniform_real_distribution<double> m_unit{0.0, 1.0};
};

QSqlQuery prepared(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.prepare(sql))
        die(u"prepare failed: " + q.lastError().text());
    return q;
}

void exec(QSqlQuery &q)
{
    if (!q.exec())
        die(u"insert failed: " + q.lastError().text());
}

/// `total` messages in conversations of 100, 90 % of them the searcher's and 10 % another
/// user's (whose messages the search must never return), in one transaction through prepared
/// statements, the full-text index kept by the schema's own triggers.
void generate(const QSqlDatabase &db, qint64 searcherId, qint64 otherId, int total)
{
    auto txn = Transaction::begin(db);
    if (!txn)
        die(txn.error().toLogString());
    QSqlQuery conversation = prepared(db, QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                                         "VALUES (?, ?, ?, ?, ?)"));
    QSqlQuery message = prepared(db, QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, created_at, "
                                                    "updated_at) VALUES (?, ?, ?, 'complete', ?, ?)"));
    const QStringList agents = {QStringLiteral("om"), QStringLiteral("market"), QStringLiteral("news")};
    TextGenerator text(20261129);
    const qint64 start = QDateTime(QDate(2025, 1, 1), QTime(8, 0), Qt::UTC).toMSecsSinceEpoch();
    const int conversations = (total + kMessagesPerConversation - 1) / kMessagesPerConversation;
    int written = 0;
    for (int c = 0; c < conversations; ++c) {
        const qint64 userId = c % 10 == 9 ? otherId : searcherId;
        const qint64 createdAt = start + qint64(c) * 600'000;
        conversation.bindValue(0, userId);
        conversation.bindValue(1, agents.at(c % agents.size()));
        conversation.bindValue(2, QStringLiteral("Site log %1").arg(c));
        conversation.bindValue(3, createdAt);
        conversation.bindValue(4, createdAt);
        exec(conversation);
        const qint64 conversationId = conversation.lastInsertId().toLongLong();
        for (int m = 0; m < kMessagesPerConversation && written < total; ++m, ++written) {
            const qint64 at = createdAt + m * 5'000;
            message.bindValue(0, conversationId);
            message.bindValue(1, m % 2 == 0 ? QStringLiteral("user") : QStringLiteral("assistant"));
            message.bindValue(2, text.next());
            message.bindValue(3, at);
            message.bindValue(4, at);
            exec(message);
        }
    }
    if (auto committed = txn->commit(); !committed)
        die(committed.error().toLogString());
}

/// A text value for the shell's `.parameter set`, as char(…) of its code points: the shell splits
/// that command's arguments at spaces and drops their quotes, so a literal would not survive.
QString sqlText(const QString &text)
{
    QStringList codes;
    for (const char32_t c : text.toUcs4())
        codes << QString::number(quint32(c));
    return u"char(" + codes.join(u',') + u')';
}

/// The shell's script for one search: the connection's settings as Database sets them, then what
/// SearchService::search runs in its read transaction: the user's row (UserStore's query, with the
/// id written in) and MessageSearchStore::searchSql() with its seven values bound by position,
/// timed by the shell's own timer.
QString searchScript(qint64 userId, const QString &ftsQuery, int limit)
{
    const QString selectUserById = QStringLiteral(
        "SELECT u.id, u.username, u.display_name, u.role, u.status, u.plan_id, p.name, u.password_hash, "
        "u.failed_sign_ins, u.locked_until, u.quota_mode, u.quota_limit, "
        "CASE u.quota_mode WHEN 'unlimited' THEN NULL WHEN 'limit' THEN u.quota_limit ELSE p.monthly_limit END, "
        "u.quota_used, u.quota_period, u.created_at, u.last_sign_in_at "
        "FROM users u JOIN plans p ON p.id = u.plan_id WHERE u.id = ");
    const QStringList lines = {
        QStringLiteral(".bail on"),
        QStringLiteral(".timeout 5000"),
        QStringLiteral(".dbconfig no_ckpt_on_close on"),
        QStringLiteral("PRAGMA foreign_keys = ON;"),
        QStringLiteral("SELECT count(*) FROM sqlite_master;"),
        QStringLiteral("PRAGMA journal_mode = WAL;"),
        QStringLiteral("PRAGMA synchronous = NORMAL;"),
        QStringLiteral(".parameter set ?1 ") + sqlText(ftsQuery),
        QStringLiteral(".parameter set ?2 ") + QString::number(userId),
        QStringLiteral(".parameter set ?3 ") + QString::number(limit),
        QStringLiteral(".parameter set ?4 char(%1)").arg(int(MessageSearchStore::MatchStart)),
        QStringLiteral(".parameter set ?5 char(%1)").arg(int(MessageSearchStore::MatchEnd)),
        QStringLiteral(".parameter set ?6 char(8230)"), // …
        QStringLiteral(".parameter set ?7 ") + sqlText(ftsQuery),
        QStringLiteral("BEGIN;"),
        selectUserById + QString::number(userId) + u';',
        QStringLiteral(".print ROWS"),
        QStringLiteral(".timer on"),
        MessageSearchStore::searchSql() + u';',
        QStringLiteral(".timer off"),
        QStringLiteral("COMMIT;"),
    };
    return lines.join(u'\n') + u'\n';
}

struct ShellRun {
    double wallMs = 0;  // process start to exit
    double queryMs = 0; // the shell's own timer around the search statement ("real")
    QList<qint64> ids;
};

ShellRun runShell(const QString &sqlite3, const QString &database, const QString &scriptPath, bool search = true)
{
    QProcess process;
    process.setProgram(sqlite3);
    process.setArguments({database});
    process.setStandardInputFile(scriptPath);
    QEventLoop loop;
    QElapsedTimer timer;
    ShellRun result;
    bool finished = false;
    QObject::connect(&process, &QProcess::finished, &loop, [&] {
        result.wallMs = double(timer.nsecsElapsed()) / 1e6;
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
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        die(u"sqlite3 failed: " + QString::fromUtf8(process.readAllStandardError()) + process.errorString());
    if (!search)
        return result;
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    const QStringList lines = output.split(u'\n');
    const qsizetype rowsAt = lines.indexOf(u"ROWS");
    if (rowsAt < 0)
        die(u"sqlite3 printed no rows marker: " + output.left(2000));
    static const QRegularExpression runTime(QStringLiteral("^Run Time: real ([0-9.]+)"));
    bool timed = false;
    for (qsizetype i = rowsAt + 1; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (const auto match = runTime.match(line); match.hasMatch()) {
            result.queryMs = match.captured(1).toDouble() * 1000.0;
            timed = true;
        } else if (!line.isEmpty()) {
            result.ids << line.section(u'|', 0, 0).toLongLong();
        }
    }
    if (!timed)
        die(QStringLiteral("sqlite3 printed no run time"));
    return result;
}

struct Query {
    QString label;
    QString typed; // as typed into the search box
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_search"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("SearchService against the sqlite3 shell on the same full-text queries."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Rounds (default 7)."), QStringLiteral("n"),
                                        QStringLiteral("7"));
    const QCommandLineOption messagesOption(QStringLiteral("messages"), QStringLiteral("Messages in the database (default 1000000)."),
                                            QStringLiteral("n"), QStringLiteral("1000000"));
    parser.addOption(runsOption);
    parser.addOption(messagesOption);
    parser.process(app);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    const int total = std::max(1000, parser.value(messagesOption).toInt());

    const QString sqlite3 = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
    if (sqlite3.isEmpty())
        die(QStringLiteral("the sqlite3 shell is not installed (apt-get install sqlite3)."));

    TestDatabase t; // a temporary folder, removed with the database at the end
    if (!t.isValid())
        die(t.openError().toLogString());
    scratchFolders() << t.folder();
    const qint64 needed = qint64(total) * 1200; // the file, the index and the write-ahead log while generating
    if (QStorageInfo(t.folder()).bytesAvailable() < needed)
        die(QStringLiteral("%1 needs about %2 MB free").arg(t.folder()).arg(needed / 1'000'000));
    t.createAdmin(QStringLiteral("root"));
    const UserRecord ana = t.createAnalyst(QStringLiteral("ana"));
    const UserRecord bob = t.createAnalyst(QStringLiteral("bob"));
    QElapsedTimer generating;
    generating.start();
    generate(t.connection(), ana.id, bob.id, total);
    if (auto done = execSql(t.connection(), QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !done)
        die(done.error().toLogString());
    const double generatedSeconds = double(generating.elapsed()) / 1000.0;
    out() << "generated " << total << " messages (" << total / kMessagesPerConversation << " conversations, 90 % ana's) in "
          << QString::number(generatedSeconds, 'f', 1) << " s; database " << QFile(t.path()).size() / 1'000'000 << " MB"
          << Qt::endl;

    const QList<Query> queries = {
        {QStringLiteral("rare word"), QStringLiteral("thermography")},
        {QStringLiteral("common word"), QStringLiteral("inverter")},
        {QStringLiteral("phrase"), QStringLiteral("\"insulation fault\"")},
        {QStringLiteral("prefix"), QStringLiteral("transf")},
        {QStringLiteral("common + medium word"), QStringLiteral("inverter hotspot")},
    };
    const QString scriptDir = t.folder();
    QList<QString> scripts;
    for (qsizetype i = 0; i < queries.size(); ++i) {
        const QString fts = SearchService::ftsQuery(queries.at(i).typed);
        const QString path = scriptDir + QStringLiteral("/query%1.sql").arg(i);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(searchScript(ana.id, fts, 50).toUtf8()) < 0)
            die(file.errorString());
        scripts << path;
        // How many messages the MATCH alone finds (all users), for the reader.
        const qint64 matching = scalar(t.connection(), QStringLiteral("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?"), {fts})
                                    .value()
                                    .toLongLong();
        out() << "query \"" << queries.at(i).typed << "\" -> MATCH " << fts << ": " << matching << " matching messages" << Qt::endl;
        if (i == 0) {
            // The plan SQLite picks for the statement, for the reader.
            auto plan = execSql(t.connection(), u"EXPLAIN QUERY PLAN " + MessageSearchStore::searchSql(),
                                {fts, ana.id, 50, QString(QChar(MessageSearchStore::MatchStart)),
                                 QString(QChar(MessageSearchStore::MatchEnd)), QStringLiteral("…"), fts});
            if (!plan)
                die(plan.error().toLogString());
            while (plan->next())
                out() << "  plan: " << plan->value(3).toString() << Qt::endl;
        }
    }
    const QString selectOnePath = scriptDir + QStringLiteral("/select1.sql");
    {
        QFile file(selectOnePath);
        if (!file.open(QIODevice::WriteOnly) || file.write("SELECT 1;\n") < 0)
            die(file.errorString());
    }

    SearchService service(t.database());
    const Actor searcher = Actor::user(ana);
    const int n = int(queries.size());
    QList<QList<double>> oursMs(n), shellWallMs(n), shellQueryMs(n), ratioQuery(n), ratioWall(n);
    QList<double> startUp;
    QList<int> hitCounts(n, -1);
    for (int round = 1; round <= runs; ++round) {
        startUp << runShell(sqlite3, t.path(), selectOnePath, false).wallMs;
        for (int i = 0; i < n; ++i) {
            // Baseline first, then ours, query after query.
            const ShellRun shell = runShell(sqlite3, t.path(), scripts.at(i));
            QElapsedTimer timer;
            timer.start();
            auto hits = service.search(searcher, queries.at(i).typed);
            const double ms = double(timer.nsecsElapsed()) / 1e6;
            if (!hits)
                die(u"SearchService failed: " + hits.error().toLogString());
            QList<qint64> ids;
            for (const SearchHit &hit : std::as_const(*hits))
                ids << hit.messageId;
            if (ids != shell.ids || ids.isEmpty()) {
                const auto list = [](const QList<qint64> &values) {
                    return joined(QList<double>(values.cbegin(), values.cend()), 0);
                };
                die(QStringLiteral("\"%1\": SearchService and sqlite3 found different messages: %2 / %3")
                        .arg(queries.at(i).typed, list(ids), list(shell.ids)));
            }
            hitCounts[i] = int(ids.size());
            oursMs[i] << ms;
            shellWallMs[i] << shell.wallMs;
            shellQueryMs[i] << shell.queryMs;
            ratioQuery[i] << ms / shell.queryMs;
            ratioWall[i] << ms / shell.wallMs;
        }
        out() << "round " << round << " done" << Qt::endl;
    }
    // Every hit must be ana's: one look at the database, outside the timing.
    for (int i = 0; i < n; ++i) {
        auto hits = service.search(searcher, queries.at(i).typed);
        for (const SearchHit &hit : std::as_const(*hits)) {
            if (scalar(t.connection(), QStringLiteral("SELECT user_id FROM conversations WHERE id = ?"), {hit.conversationId})
                    .value()
                    .toLongLong()
                != ana.id)
                die(QStringLiteral("a hit from another user's conversation"));
        }
    }

    out() << "checked every round: SearchService and sqlite3 returned the same messages in the same order; all the "
             "searcher's"
          << Qt::endl;
    out() << "median sqlite3 SELECT 1 (start-up): " << QString::number(median(startUp), 'f', 1) << " ms  (" << joined(startUp, 1)
          << ")" << Qt::endl;
    for (int i = 0; i < n; ++i) {
        out() << "== " << queries.at(i).label << ": \"" << queries.at(i).typed << "\", " << hitCounts.at(i) << " hits on the page"
              << Qt::endl;
        out() << "  SearchService::search        " << QString::number(median(oursMs.at(i)), 'f', 2) << " ms  ("
              << joined(oursMs.at(i), 1) << ")" << Qt::endl;
        out() << "  sqlite3, the statement alone " << QString::number(median(shellQueryMs.at(i)), 'f', 2) << " ms  ("
              << joined(shellQueryMs.at(i), 1) << ")" << Qt::endl;
        out() << "  sqlite3, the whole process   " << QString::number(median(shellWallMs.at(i)), 'f', 2) << " ms  ("
              << joined(shellWallMs.at(i), 1) << ")" << Qt::endl;
        out() << "  ratio vs the statement (median of rounds) " << QString::number(median(ratioQuery.at(i)), 'f', 2)
              << "; vs the process " << QString::number(median(ratioWall.at(i)), 'f', 2) << Qt::endl;
    }
    return 0;
}
