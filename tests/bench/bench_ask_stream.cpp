// Benchmark: how much slower `heliodeskctl ask` (parse, coalesce, persist) reads a long streamed
// answer than curl reading the same bytes. Both read 20,000 tokens from a local OpenAI-compatible
// server in this process that sends them as fast as it can, one event per token as OpenAI does.
// Usage: bench_ask_stream [--runs N] [--tokens N]

#include "support/openaitestserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <optional>

#include <sys/resource.h>

using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr double kTargetRatio = 1.5;
constexpr auto kRunTimeout = 120s;

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

/// Tokens as a model produces them: mostly words with their leading space, punctuation and line
/// breaks of their own, now and then a character outside ASCII.
QStringList makeTokens(int count)
{
    static const QStringList words = {
        QStringLiteral(" The"),      QStringLiteral(" inverter"), QStringLiteral(" tripped"), QStringLiteral(" on"),
        QStringLiteral(" an"),       QStringLiteral(" insulation"), QStringLiteral(" fault"), QStringLiteral(" at"),
        QStringLiteral(" 06"),       QStringLiteral(":"),          QStringLiteral("40"),     QStringLiteral(","),
        QStringLiteral(" when"),     QStringLiteral(" module"),    QStringLiteral(" temperature"), QStringLiteral(" was"),
        QStringLiteral(" 4"),        QStringLiteral(" °C"),        QStringLiteral(" and"),   QStringLiteral(" dew"),
        QStringLiteral(" formed"),   QStringLiteral(" on"),        QStringLiteral(" string"), QStringLiteral(" connectors"),
        QStringLiteral("."),         QStringLiteral(" Check"),     QStringLiteral(" R"),     QStringLiteral("iso"),
        QStringLiteral(" per"),      QStringLiteral(" string"),    QStringLiteral(" —"),     QStringLiteral(" below"),
        QStringLiteral(" 1"),        QStringLiteral(" MΩ"),        QStringLiteral(" points"), QStringLiteral(" to"),
        QStringLiteral(" a"),        QStringLiteral(" damaged"),   QStringLiteral(" cable"), QStringLiteral("."),
        QStringLiteral("\n\n"),      QStringLiteral("-"),          QStringLiteral(" Cost"),  QStringLiteral(":"),
        QStringLiteral(" about"),    QStringLiteral(" 120"),       QStringLiteral(" €"),     QStringLiteral(" per"),
        QStringLiteral(" repair"),   QStringLiteral("."),          QStringLiteral("\n"),
    };
    QStringList tokens;
    tokens.reserve(count);
    for (int i = 0; i < count; ++i)
        tokens << words.at(i % words.size());
    return tokens;
}

/// CPU time (user + system) of the children of this process that have ended, in milliseconds.
qint64 childrenCpuMs()
{
    rusage usage{};
    if (getrusage(RUSAGE_CHILDREN, &usage) != 0)
        return 0;
    const auto ms = [](const timeval &t) { return qint64(t.tv_sec) * 1000 + t.tv_usec / 1000; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

struct Timed {
    bool ok = false;
    qint64 ms = 0;
    qint64 cpuMs = 0; // the child's own CPU time: what it worked, not what it waited
    int exitCode = -1;
    QByteArray out; // only when captured
    QByteArray err;
};

/// Runs a program to the end while this process's event loop (and with it the server) keeps
/// turning. The time runs from start() to the finished signal.
Timed runTimed(const QString &program, const QStringList &arguments, const QProcessEnvironment &env, bool captureOutput)
{
    QProcess process;
    process.setProgram(program);
    process.setArguments(arguments);
    process.setProcessEnvironment(env);
    process.setStandardInputFile(QProcess::nullDevice());
    if (!captureOutput)
        process.setStandardOutputFile(QProcess::nullDevice());
    Timed result;
    QEventLoop loop;
    QElapsedTimer timer;
    bool finished = false;
    QObject::connect(&process, &QProcess::finished, &loop, [&] {
        result.ms = timer.elapsed();
        finished = true;
        loop.quit();
    });
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            loop.quit();
    });
    QTimer::singleShot(kRunTimeout, &loop, &QEventLoop::quit);
    const qint64 cpuBefore = childrenCpuMs();
    timer.start();
    process.start();
    loop.exec();
    if (!finished) {
        process.kill();
        process.waitForFinished(5000);
        result.err = process.errorString().toUtf8();
        return result;
    }
    process.waitForFinished(); // already finished: makes sure the child has been reaped
    result.cpuMs = childrenCpuMs() - cpuBefore;
    result.exitCode = process.exitCode();
    result.ok = process.exitStatus() == QProcess::NormalExit && result.exitCode == 0;
    if (captureOutput)
        result.out = process.readAllStandardOutput();
    result.err += process.readAllStandardError();
    return result;
}

double median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    if (n == 0)
        return 0;
    return n % 2 == 1 ? double(values.at(n / 2)) : (double(values.at(n / 2 - 1)) + double(values.at(n / 2))) / 2.0;
}

QString joined(const QList<qint64> &values)
{
    QStringList parts;
    for (qint64 v : values)
        parts << QString::number(v);
    return parts.join(QStringLiteral(", "));
}

/// The environment of a child: no proxies, none of Heliodesk's own variables, settings and data
/// in `home`; for heliodeskctl the endpoint variables point at the server.
QProcessEnvironment childEnvironment(const QString &home, const std::optional<QUrl> &endpoint)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"HELIODESK_DB", "HELIODESK_DEBUG", "HELIODESK_API_BASE", "HELIODESK_MODEL", "HELIODESK_API_KEY",
                             "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + u"/xdg-data");
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + u"/xdg-config");
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("heliodesk.*.debug=false"));
    if (endpoint) {
        env.insert(QStringLiteral("HELIODESK_API_BASE"), endpoint->toString());
        env.insert(QStringLiteral("HELIODESK_MODEL"), QStringLiteral("m"));
    }
    return env;
}

bool report(const QString &what, const Timed &run)
{
    if (run.ok)
        return true;
    QTextStream(stderr) << "bench_ask_stream: " << what << " failed (exit " << run.exitCode << "): "
                        << QString::fromUtf8(run.err) << Qt::endl;
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_ask_stream"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("heliodeskctl ask against curl on the same stream."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Timed runs of each (default 15)."),
                                        QStringLiteral("n"), QStringLiteral("15"));
    const QCommandLineOption tokensOption(QStringLiteral("tokens"), QStringLiteral("Tokens in the answer (default 20000)."),
                                          QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption serveOption(QStringLiteral("serve"),
                                         QStringLiteral("Only serve the answer N times and print the server's URL, for "
                                                        "profiling heliodeskctl by hand."),
                                         QStringLiteral("n"));
    parser.addOption(runsOption);
    parser.addOption(tokensOption);
    parser.addOption(serveOption);
    parser.process(app);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    const int tokenCount = std::max(1, parser.value(tokensOption).toInt());

    const QString ctl = QStringLiteral(HELIODESKCTL_PATH);
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    if (curl.isEmpty()) {
        QTextStream(stderr) << "bench_ask_stream: curl is not installed (apt-get install curl)." << Qt::endl;
        return 1;
    }
    QTemporaryDir dir;
    if (!dir.isValid()) {
        QTextStream(stderr) << "bench_ask_stream: no temporary folder: " << dir.errorString() << Qt::endl;
        return 1;
    }
    OpenAiTestServer server;
    if (!server.listen()) {
        QTextStream(stderr) << "bench_ask_stream: the local server could not listen on 127.0.0.1." << Qt::endl;
        return 1;
    }

    const QStringList tokens = makeTokens(tokenCount);
    StreamOptions streamOptions;
    streamOptions.model = QStringLiteral("m");
    const ScriptedResponse answer = ScriptedResponse::stream(tokens, streamOptions);
    const ScriptedResponse small = ScriptedResponse::stream({QStringLiteral("OK")}, streamOptions);
    const QString expectedText = tokens.join(QString());
    const QByteArray body = answer.body();

    if (parser.isSet(serveOption)) {
        const int times = std::max(1, parser.value(serveOption).toInt());
        for (int i = 0; i < times; ++i)
            server.enqueue(answer);
        QObject::connect(&server, &OpenAiTestServer::requestReceived, &app, [&server, &app] {
            server.forgetRequests();
            if (server.pendingResponses() == 0)
                QTimer::singleShot(5s, &app, &QCoreApplication::quit); // time for the last answer to go out
        });
        out() << "HELIODESK_API_BASE=" << server.baseUrl().toString() << " HELIODESK_MODEL=m" << Qt::endl;
        return QCoreApplication::exec();
    }

    // The database heliodeskctl writes to: an admin first (the first account becomes one), then
    // the analyst who asks, with no monthly limit, who has hired the O&M agent.
    const QString db = dir.filePath(QStringLiteral("bench.sqlite3"));
    const QProcessEnvironment ctlEnv = childEnvironment(dir.path(), server.baseUrl());
    const QProcessEnvironment curlEnv = childEnvironment(dir.path(), std::nullopt);
    const auto ctlArgs = [&db](const QStringList &command) { return QStringList{QStringLiteral("--db"), db} + command; };
    struct NewUser {
        const char *name;
        const char *role;
        bool unlimited;
    };
    for (const NewUser &user : {NewUser{"root", "admin", false}, NewUser{"bench", "analyst", true}}) {
        QStringList args = ctlArgs({QStringLiteral("user"), QStringLiteral("add"), QString::fromLatin1(user.name),
                                    QStringLiteral("--role"), QString::fromLatin1(user.role), QStringLiteral("--password-stdin")});
        if (user.unlimited)
            args << QStringLiteral("--unlimited");
        QProcess add;
        add.setProcessEnvironment(ctlEnv);
        add.start(ctl, args);
        add.write("bench password 1\n");
        add.closeWriteChannel();
        if (!add.waitForFinished(60'000) || add.exitStatus() != QProcess::NormalExit || add.exitCode() != 0) {
            QTextStream(stderr) << "bench_ask_stream: user add " << user.name << " failed: " << add.readAllStandardError() << Qt::endl;
            return 1;
        }
    }
    if (!report(QStringLiteral("hire"), runTimed(ctl, ctlArgs({QStringLiteral("hire"), QStringLiteral("--user"), QStringLiteral("bench"),
                                                              QStringLiteral("om")}),
                                                 ctlEnv, true)))
        return 1;

    const QStringList askArgs = ctlArgs({QStringLiteral("ask"), QStringLiteral("--user"), QStringLiteral("bench"), QStringLiteral("--agent"),
                                         QStringLiteral("om"), QStringLiteral("Why does inverter 3 trip every morning?")});
    const QByteArray request = QJsonDocument(QJsonObject{
        {QStringLiteral("model"), QStringLiteral("m")},
        {QStringLiteral("stream"), true},
        {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                            {QStringLiteral("content"), QStringLiteral("Why does inverter 3 trip every morning?")}}}},
    }).toJson(QJsonDocument::Compact);
    const QString url = server.baseUrl().toString() + u"/chat/completions";
    const QStringList curlArgs = {QStringLiteral("-N"), QStringLiteral("-s"), QStringLiteral("--noproxy"), QStringLiteral("*"),
                                  QStringLiteral("-X"), QStringLiteral("POST"), url,
                                  QStringLiteral("-H"), QStringLiteral("Content-Type: application/json"),
                                  QStringLiteral("-H"), QStringLiteral("Accept: text/event-stream"),
                                  QStringLiteral("-d"), QString::fromUtf8(request), QStringLiteral("-o"), QStringLiteral("/dev/null")};

    const auto streamed = [&server](const ScriptedResponse &response) {
        server.forgetRequests();
        server.enqueue(response);
    };

    out() << "bench_ask_stream: " << tokenCount << " tokens (" << expectedText.size() << " characters), "
          << answer.chunks.size() << " events, " << body.size() << " bytes of events, from " << server.baseUrl().toString() << '\n'
          << "curl: " << curl << "\nheliodeskctl: " << ctl << '\n';
    out().flush();

    // Checked once, untimed: curl gets every byte, heliodeskctl prints exactly the answer.
    streamed(answer);
    Timed check = runTimed(curl, QStringList(curlArgs.mid(0, curlArgs.size() - 2)) << QStringLiteral("-o") << QStringLiteral("-"),
                           curlEnv, true);
    if (!report(QStringLiteral("curl (check)"), check))
        return 1;
    if (!check.out.contains(body)) {
        QTextStream(stderr) << "bench_ask_stream: curl received " << check.out.size() << " bytes, expected " << body.size() << Qt::endl;
        return 1;
    }
    streamed(answer);
    check = runTimed(ctl, askArgs, ctlEnv, true);
    if (!report(QStringLiteral("heliodeskctl ask (check)"), check))
        return 1;
    if (QString::fromUtf8(check.out) != expectedText + u'\n') {
        QTextStream(stderr) << "bench_ask_stream: heliodeskctl printed " << check.out.size() << " bytes that are not the answer" << Qt::endl;
        return 1;
    }

    // What is timed. The first two are the comparison; the others say where the difference goes.
    struct Case {
        QString label;
        bool isCurl;
        const ScriptedResponse *response;
        QList<qint64> ms;
        QList<qint64> cpuMs;
    };
    ScriptedResponse unchunked = answer;
    unchunked.framing = ScriptedResponse::Framing::ContentLength;
    QList<Case> cases = {
        {u"curl, " + QString::number(tokenCount) + u" tokens", true, &answer, {}, {}},
        {u"heliodeskctl ask, " + QString::number(tokenCount) + u" tokens", false, &answer, {}, {}},
        {QStringLiteral("curl, 1 token (start-up, one request)"), true, &small, {}, {}},
        {QStringLiteral("heliodeskctl ask, 1 token (start-up, database, one request)"), false, &small, {}, {}},
        {u"heliodeskctl ask, " + QString::number(tokenCount) + u" tokens, Content-Length instead of chunked", false, &unchunked, {}, {}},
    };
    // Interleaved, so that the machine's load falls on every case alike.
    for (int r = 0; r < runs; ++r) {
        out() << "run " << (r + 1) << ':';
        for (Case &c : cases) {
            streamed(*c.response);
            const Timed t = c.isCurl ? runTimed(curl, curlArgs, curlEnv, false) : runTimed(ctl, askArgs, ctlEnv, false);
            if (!report(c.label, t))
                return 1;
            c.ms << t.ms;
            c.cpuMs << t.cpuMs;
            out() << ' ' << t.ms;
        }
        out() << " ms\n";
        out().flush();
    }

    out() << "wall time in ms: median of " << runs << " [every run]; CPU time (user + system) of the process, median\n";
    for (const Case &c : std::as_const(cases))
        out() << "  " << c.label << ": median " << median(c.ms) << " [" << joined(c.ms) << "], cpu " << median(c.cpuMs) << '\n';
    const double curlMedian = median(cases.at(0).ms);
    const double askMedian = median(cases.at(1).ms);
    // Each run times curl and then ask back to back, so a run's own ratio cancels out the load
    // the machine happened to have then; their median is the headline, the ratio of the two
    // medians is printed beside it.
    QList<qint64> pairedPermille;
    for (int r = 0; r < runs; ++r)
        pairedPermille << (cases.at(0).ms.at(r) > 0 ? cases.at(1).ms.at(r) * 1000 / cases.at(0).ms.at(r) : 0);
    const double ratio = median(pairedPermille) / 1000.0;
    const double ratioOfMedians = curlMedian > 0 ? askMedian / curlMedian : 0;
    const double streamingCurl = curlMedian - median(cases.at(2).ms);
    const double streamingAsk = askMedian - median(cases.at(3).ms);
    out() << "ratio ask/curl, median of the runs' own ratios: " << QString::number(ratio, 'f', 2) << " (target under " << kTargetRatio
          << ": " << (ratio < kTargetRatio ? "met" : "NOT met") << "); ratio of the medians: " << QString::number(ratioOfMedians, 'f', 2)
          << '\n'
          << "streaming alone (" << tokenCount << " tokens minus 1 token): curl " << streamingCurl << " ms, ask " << streamingAsk
          << " ms\n";
    out().flush();
    return 0;
}
