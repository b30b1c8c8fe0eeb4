// Benchmark: what drawing the conversation costs, against baselines measured in the same run.
//
// 1. Streaming 5,000 tokens a second (ChatService → MessageListModel → ConversationView, painted
//    offscreen) into a conversation that already holds 2,000 messages, all loaded, against the same
//    stream into an empty conversation: process CPU time during the stream, and the event loop's
//    worst stall (the longest gap between two ticks of a 1 ms timer, minus 1 ms). Targets: CPU
//    ratio ≤ 1.2, worst stall < 16 ms.
// 2. Opening a conversation of 10,000 messages: time until its last screen is painted, and the
//    time to load and place one older page when scrolling up.
// 3. Peak memory (VmHWM) of the main window with that conversation open against a bare Qt
//    Widgets window, each in a process of its own. Target: ≤ 2×.
//
// Usage: bench_conversation_render [--runs N] [--tokens N]
//        (internally: --memory bare | --memory window DBPATH USERNAME CONVERSATION)

#include "ui/conversationview.h"
#include "ui/mainwindow.h"

#include "model/chat/chatservice.h"
#include "model/chat/messagelistmodel.h"
#include "model/planservice.h"
#include "storage/database.h"
#include "storage/databaselocation.h"
#include "storage/sql.h"
#include "storage/transaction.h"
#include "support/testdatabase.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QProcess>
#include <QScrollBar>
#include <QSqlError>
#include <QSqlQuery>
#include <QStatusBar>
#include <QTest>
#include <QCoroTimer>
#include <QTextStream>
#include <QTimer>

#include <algorithm>

#include <ctime> // clock_gettime (POSIX)

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr double kTargetCpuRatio = 1.2;
constexpr double kTargetStallMs = 16.0;
constexpr double kTargetMemoryRatio = 2.0;
constexpr int kTokensPerSecond = 5000;
constexpr int kHistory = 2000;
constexpr int kLongConversation = 10'000;

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

/// The peak resident set of this process image. Not getrusage's ru_maxrss: Linux carries it over
/// from the forked parent through exec, so every child would report at least the parent's size.
double peakRssMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        qFatal("cannot read /proc/self/status");
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0; // kB
    }
    qFatal("no VmHWM in /proc/self/status");
}

QString list(const std::vector<double> &values, int decimals = 0)
{
    QStringList parts;
    for (double v : values)
        parts << QString::number(v, 'f', decimals);
    return parts.join(QStringLiteral(", "));
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/// An answer as a model writes it: paragraphs, a list, a table and a code block, over and over.
QStringList answerTokens(int count)
{
    static const QString text = QStringLiteral(
        "## Inverter availability\n\nAvailability across the fleet fell to **97.2%** in week 14, mostly from IGBT "
        "faults on the central inverters at two plants. The pattern matches the heat wave: faults cluster between "
        "13:00 and 16:00 when cabinet temperatures exceed 45 °C.\n\n- Check the cabinet fans and filters.\n"
        "- Compare the IGBT temperature logs with the ambient sensor.\n- Schedule a thermal scan of the DC side.\n\n"
        "| Plant | Faults | Lost MWh |\n|---|---|---|\n| Évora | 14 | 38.5 |\n| Sevilla | 9 | 21.0 |\n\n"
        "```sql\nSELECT plant, count(*) AS faults\nFROM scada_events\nWHERE code LIKE 'IGBT%'\nGROUP BY plant;\n```\n\n"
        "With the fans fixed, availability usually recovers within a week; if it does not, the modules themselves "
        "may be ageing, and a replacement plan should be priced against the lost yield.\n\n");
    QStringList words;
    qsizetype i = 0;
    while (words.size() < count) {
        qsizetype next = text.indexOf(u' ', (i + 1) % text.size());
        if (next < 0 || next <= i) {
            words << text.mid(i);
            i = 0;
            continue;
        }
        words << text.mid(i, next - i);
        i = next;
    }
    return words;
}

/// Streams pre-made tokens at a steady rate, as fast models do: each tick sends what is due.
class PacedProvider final : public ChatProvider
{
public:
    PacedProvider(QStringList tokens, int perSecond)
        : m_tokens(std::move(tokens))
        , m_perSecond(perSecond)
    {
    }
    [[nodiscard]] QString description() const override { return QStringLiteral("paced benchmark provider"); }
    [[nodiscard]] bool isOffline() const override { return false; }
    QCoro::Task<Result<StreamOutcome>> stream(ChatRequest, StreamSink *sink, std::shared_ptr<CancelToken> cancel) override
    {
        return run(m_tokens, m_perSecond, sink, std::move(cancel));
    }

private:
    static QCoro::Task<Result<StreamOutcome>> run(QStringList tokens, int perSecond, StreamSink *sink,
                                                  std::shared_ptr<CancelToken> cancel)
    {
        QElapsedTimer clock;
        clock.start();
        qsizetype sent = 0;
        while (sent < tokens.size()) {
            co_await QCoro::sleepFor(2ms);
            if (cancel->isCancelled())
                co_return StreamOutcome{true, {}, {}};
            const qsizetype due = std::min<qsizetype>(tokens.size(), clock.elapsed() * perSecond / 1000);
            for (; sent < due; ++sent)
                sink->onText(tokens[sent]);
        }
        co_return StreamOutcome{false, QStringLiteral("stop"), {}};
    }

    QStringList m_tokens;
    int m_perSecond;
};

/// The longest time the event loop went without running a 1 ms timer.
class StallMonitor
{
public:
    StallMonitor()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (now - m_last > m_worstNs) {
                m_worstNs = now - m_last;
                m_worstAtNs = m_last;
            }
            m_last = now;
        });
    }
    void start()
    {
        m_worstNs = 0;
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    /// When the worst stall began, in ms since start().
    [[nodiscard]] double worstAtMs() const { return double(m_worstAtNs) / 1e6; }
    double stopMs()
    {
        m_timer.stop();
        return std::max(0.0, double(m_worstNs) / 1e6 - 1.0);
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_worstNs = 0;
    qint64 m_worstAtNs = 0;
};

qint64 createConversation(const QSqlDatabase &db, qint64 userId, const QString &title, int messages, qint64 nowMs)
{
    auto txn = Transaction::begin(db);
    if (!txn)
        qFatal("begin: %s", qPrintable(txn.error().toLogString()));
    auto id = scalar(db, QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                        "VALUES (?, 'om', ?, ?, ?) RETURNING id"),
                     {userId, title, nowMs, nowMs});
    if (!id)
        qFatal("conversation: %s", qPrintable(id.error().toLogString()));
    const QStringList sample = answerTokens(160);
    const QString answer = sample.join(QString());
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at) "
                                  "VALUES (?, ?, ?, 'complete', ?, ?)"));
    for (int i = 0; i < messages; ++i) {
        insert.bindValue(0, id->toLongLong());
        insert.bindValue(1, i % 2 == 0 ? QStringLiteral("user") : QStringLiteral("assistant"));
        insert.bindValue(2, i % 2 == 0 ? QStringLiteral("Question %1: why did availability drop at the plant?").arg(i) : answer);
        insert.bindValue(3, nowMs + i);
        insert.bindValue(4, nowMs + i);
        if (!insert.exec())
            qFatal("message: %s", qPrintable(insert.lastError().text()));
    }
    if (!txn->commit())
        qFatal("commit failed");
    return id->toLongLong();
}

struct StreamFigures {
    double cpuMs = 0;
    double stallMs = 0;
    int frames = 0;
};

StreamFigures streamOnce(ChatService &chat, MessageListModel &model, ConversationView &view, const Actor &actor,
                         qint64 conversationId)
{
    if (auto opened = model.open(conversationId); !opened)
        qFatal("open: %s", qPrintable(opened.error().toLogString()));
    view.scrollToBottom();
    view.viewport()->repaint();
    QTest::qWait(50);

    StallMonitor stalls;
    const qint64 layoutsBefore = view.layoutCount();
    stalls.start();
    const double cpuBefore = cpuMs();
    AskRequest request;
    request.conversationId = conversationId;
    request.question = QStringLiteral("Why did availability drop?");
    auto ticket = chat.ask(actor, request);
    if (!ticket)
        qFatal("ask: %s", qPrintable(ticket.error().toLogString()));
    QEventLoop loop; // benchmark only: wait for the end of the answer
    QObject::connect(&chat, &ChatService::answerFinished, &loop, [&](qint64 id) {
        if (id == ticket->answerId)
            loop.quit();
    });
    QTimer::singleShot(120s, &loop, [&] { qFatal("the answer did not end"); });
    loop.exec();
    // The last frame is part of the cost.
    QTest::qWait(40);
    StreamFigures figures;
    figures.cpuMs = cpuMs() - cpuBefore;
    figures.stallMs = stalls.stopMs();
    if (qEnvironmentVariableIsSet("BENCH_STALL_TRACE"))
        out() << "    worst stall " << figures.stallMs << " ms at " << stalls.worstAtMs() << " ms of the run\n";
    figures.frames = int(view.layoutCount() - layoutsBefore);
    return figures;
}

int memoryChild(const QStringList &args)
{
    if (args.value(0) == u"bare") {
        QMainWindow window;
        window.menuBar()->addMenu(QStringLiteral("&File"));
        window.setCentralWidget(new QLabel(QStringLiteral("A bare Qt Widgets window"), &window));
        window.statusBar()->showMessage(QStringLiteral("Ready"));
        window.resize(1120, 760);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return 1;
        QTest::qWait(300);
        out() << peakRssMiB() << Qt::endl;
        return 0;
    }
    auto location = DatabaseLocation::parse(args.value(1));
    if (!location)
        return 1;
    auto database = Database::open(*location);
    if (!database)
        return 1;
    auto clock = std::make_shared<SystemClock>();
    AccountService accounts(*database, clock);
    auto user = accounts.findUser(Actor::system(QStringLiteral("bench_conversation_render")), args.value(2));
    if (!user)
        qFatal("user: %s", qPrintable(user.error().toLogString()));
    MainWindow::Options options;
    options.settingsFile = args.value(4); // no endpoint: nothing outside this process is involved
    MainWindow window(*database, clock, *user, options);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    if (!window.openConversation(args.value(3).toLongLong()))
        return 1;
    // Read a few screens of history, as someone scrolling back would.
    auto *view = window.findChild<ConversationView *>();
    for (int i = 0; i < 20; ++i) {
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->value() - 600);
        QTest::qWait(20);
    }
    QTest::qWait(300);
    out() << peakRssMiB() << Qt::endl;
    return 0;
}

double childPeakMiB(const QStringList &args)
{
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), QStringList{QStringLiteral("--memory")} + args);
    if (!child.waitForFinished(120'000) || child.exitCode() != 0)
        qFatal("memory child failed: %s", child.readAllStandardError().constData());
    return child.readAllStandardOutput().trimmed().toDouble();
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Paired runs."), QStringLiteral("N"), QStringLiteral("7"));
    const QCommandLineOption tokensOption(QStringLiteral("tokens"), QStringLiteral("Tokens per answer."), QStringLiteral("N"),
                                          QStringLiteral("10000"));
    const QCommandLineOption memoryOption(QStringLiteral("memory"), QStringLiteral("(internal)"), QStringLiteral("what"));
    parser.addOptions({runsOption, tokensOption, memoryOption});
    parser.process(app);
    if (parser.isSet(memoryOption))
        return memoryChild(QStringList{parser.value(memoryOption)} + parser.positionalArguments());

    const int runs = std::max(1, parser.value(runsOption).toInt());
    const int tokens = std::max(100, parser.value(tokensOption).toInt());

    TestDatabase db;
    if (!db.isValid())
        qFatal("database: %s", qPrintable(db.openError().toLogString()));
    db.clock()->set(QDateTime::currentDateTimeUtc());
    const UserRecord ana = db.createAnalyst(QStringLiteral("ana"));
    {
        PlanService plans(db.database(), db.clock());
        QStringList all = {QStringLiteral("om")};
        if (!plans.hireAgents(Actor::user(ana), QStringLiteral("ana"), all))
            qFatal("hire failed");
        // No limit gets in the way of many runs.
        UserChanges unlimited;
        unlimited.quotaMode = QuotaMode::Unlimited;
        if (!db.accounts().updateUser(Actor::system(QStringLiteral("bench_conversation_render")), QStringLiteral("ana"), unlimited))
            qFatal("unlimited failed");
    }
    const Actor actor = Actor::user(ana);
    const qint64 now = db.clock()->nowMs();
    const qint64 history = createConversation(db.connection(), ana.id, QStringLiteral("History"), kHistory, now);
    const qint64 longOne = createConversation(db.connection(), ana.id, QStringLiteral("Long"), kLongConversation, now);

    auto provider = std::make_shared<PacedProvider>(answerTokens(tokens), kTokensPerSecond);
    ChatService chat(db.database(), db.clock(), [provider](const QString &) { return provider; });
    MessageListModel model(&chat, actor);
    model.setPageSize(kHistory + 2 * runs + 10); // the whole history in the model: the view alone keeps it cheap
    ConversationView view;
    view.setModel(&model);
    view.resize(900, 800);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        qFatal("window not exposed");

    // 1. Streaming: empty and long conversations alternate, so load changes hit both alike.
    std::vector<double> emptyCpu, historyCpu, emptyStall, historyStall, ratios;
    int frames = 0;
    streamOnce(chat, model, view, actor, createConversation(db.connection(), ana.id, QStringLiteral("warm-up"), 0, now));
    for (int run = 0; run < runs; ++run) {
        const qint64 empty = createConversation(db.connection(), ana.id, QStringLiteral("Empty %1").arg(run), 0, now);
        const StreamFigures e = streamOnce(chat, model, view, actor, empty);
        const StreamFigures h = streamOnce(chat, model, view, actor, history);
        emptyCpu.push_back(e.cpuMs);
        historyCpu.push_back(h.cpuMs);
        emptyStall.push_back(e.stallMs);
        historyStall.push_back(h.stallMs);
        ratios.push_back(h.cpuMs / e.cpuMs);
        frames = h.frames;
    }
    const double seconds = double(tokens) / kTokensPerSecond;
    out() << "bench_conversation_render: " << tokens << " tokens at " << kTokensPerSecond << "/s (" << seconds
          << " s), median of " << runs << " paired runs, offscreen 900x800\n";
    out() << QStringLiteral("  empty conversation:          CPU %1 ms, worst stall %2 ms (worst run %3 ms)\n")
                 .arg(median(emptyCpu), 0, 'f', 0)
                 .arg(median(emptyStall), 0, 'f', 1)
                 .arg(*std::max_element(emptyStall.begin(), emptyStall.end()), 0, 'f', 1);
    out() << QStringLiteral("  %1 messages already there:   CPU %2 ms, worst stall %3 ms (worst run %4 ms), %5 layouts\n")
                 .arg(kHistory)
                 .arg(median(historyCpu), 0, 'f', 0)
                 .arg(median(historyStall), 0, 'f', 1)
                 .arg(*std::max_element(historyStall.begin(), historyStall.end()), 0, 'f', 1)
                 .arg(frames);
    out() << "  runs, CPU ms (empty | history):      " << list(emptyCpu) << " | " << list(historyCpu) << "\n";
    out() << "  runs, worst stall ms (empty | history): " << list(emptyStall, 1) << " | " << list(historyStall, 1) << "\n";
    const double cpuRatio = median(ratios);
    const double stall = median(historyStall);
    out() << QStringLiteral("  CPU ratio, history / empty: %1 (median of paired ratios; target ≤ %2) %3\n")
                 .arg(cpuRatio, 0, 'f', 2)
                 .arg(kTargetCpuRatio)
                 .arg(cpuRatio <= kTargetCpuRatio ? QStringLiteral("met") : QStringLiteral("NOT MET"));
    out() << QStringLiteral("  worst stall with history:   %1 ms (median over runs; target < %2 ms) %3\n")
                 .arg(stall, 0, 'f', 1)
                 .arg(kTargetStallMs)
                 .arg(stall < kTargetStallMs ? QStringLiteral("met") : QStringLiteral("NOT MET"));

    // 2. Opening the 10,000-message conversation (its newest page), and one older page.
    model.setPageSize(50);
    std::vector<double> openMs, olderMs;
    for (int run = 0; run < runs; ++run) {
        model.clear();
        view.viewport()->repaint();
        QElapsedTimer timer;
        timer.start();
        if (!model.open(longOne))
            qFatal("open failed");
        view.scrollToBottom();
        view.viewport()->repaint();
        openMs.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        model.fetchMore({});
        view.viewport()->repaint();
        olderMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    out() << QStringLiteral("open %1 messages: last screen painted in %2 ms; an older page of 50 loaded and placed in %3 ms (medians)\n")
                 .arg(kLongConversation)
                 .arg(median(openMs), 0, 'f', 1)
                 .arg(median(olderMs), 0, 'f', 1);

    // 3. Peak memory, each window in a process of its own.
    std::vector<double> bare, window;
    for (int run = 0; run < 3; ++run) {
        bare.push_back(childPeakMiB({QStringLiteral("bare")}));
        window.push_back(childPeakMiB({QStringLiteral("window"), db.path(), QStringLiteral("ana"), QString::number(longOne),
                                        db.folder() + QStringLiteral("/bench-settings.ini")}));
    }
    const double memoryRatio = median(window) / median(bare);
    out() << QStringLiteral("peak memory: bare Qt Widgets window %1 MiB, main window with the %2-message conversation open %3 MiB: "
                            "%4× (target ≤ %5) %6\n")
                 .arg(median(bare), 0, 'f', 1)
                 .arg(kLongConversation)
                 .arg(median(window), 0, 'f', 1)
                 .arg(memoryRatio, 0, 'f', 2)
                 .arg(kTargetMemoryRatio)
                 .arg(memoryRatio <= kTargetMemoryRatio ? QStringLiteral("met") : QStringLiteral("NOT MET"));
    out().flush();
    return 0;
}
