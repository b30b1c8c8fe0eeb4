// End-to-end tests of `heliodeskctl ask`: the real binary runs as a separate process on a database,
// settings and data folder in the test function's own temporary folder, and answers either from
// the offline knowledge base or from a scripted OpenAI-compatible server on 127.0.0.1.

#include "ctlprocess.h"
#include "support/openaitestserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <csignal>

using namespace heliodesk::test;
using namespace heliodesk::test::ctl;
using namespace std::chrono_literals;

namespace {

/// The messages of a `show --json` or `export --format json` document.
QJsonArray messagesOf(const QJsonObject &conversation)
{
    return conversation.value(u"messages").toArray();
}

} // namespace

Q_DECLARE_METATYPE(heliodesk::test::ScriptedResponse)

#define QVERIFY_CONTAINS(text, part)                                                                                  \
    QVERIFY2((text).contains(part), qPrintable(u"“" + QString(part) + u"” not found in:\n" + (text)))

class TestAsk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void offlineAnswer();
    void streamsFromEndpoint();
    void providerErrors_data();
    void providerErrors();
    void interruptStopsAndKeepsText();
    void killedProcessLeavesInterruptedAnswer();

    void notHired();
    void missingOrForeignConversation();
    void quotaExceeded();
    void usageErrors_data();
    void usageErrors();
    void passwordFromStdin();

    void quotaExactAcrossProcesses();
    void exportToFiles();

private:
    [[nodiscard]] QString dbPath() const { return m_dir->filePath(QStringLiteral("heliodesk.sqlite3")); }
    [[nodiscard]] QString path(const QString &name) const { return m_dir->filePath(name); }
    /// The system environment without Heliodesk's variables or proxies, with the XDG folders in
    /// the temporary folder; with a server, the endpoint variables that point at it.
    [[nodiscard]] QProcessEnvironment environment(const OpenAiTestServer *server = nullptr) const;

    /// Runs heliodeskctl --db <the test's database> `arguments` and waits for it, turning the event loop.
    CtlRun run(const QStringList &arguments, const QByteArray &input = {}, const OpenAiTestServer *server = nullptr);
    /// Starts heliodeskctl --db <the test's database> `arguments` without waiting.
    std::unique_ptr<LiveCtl> start(const QStringList &arguments, const OpenAiTestServer *server = nullptr);
    static QStringList askArguments(const QString &user, const QString &question, const QStringList &how = {QStringLiteral("--agent"), QStringLiteral("om")});

    /// `user add NAME --role ROLE --password-stdin [extra]`; false, with the run logged, unless it succeeds.
    bool addUser(const QString &name, const QString &role = QStringLiteral("analyst"), const QByteArray &password = analystPassword,
                 const QStringList &extra = {});
    bool hire(const QString &user, const QString &agent = QStringLiteral("om"));
    /// The admin root and the analyst ann, who has hired the O&M agent.
    bool setUpAnn(const QStringList &annExtra = {});

    /// The newest conversation of `user`, or 0.
    qint64 latestConversation(const QString &user);
    /// `show ID --json`, or an empty object (with the run logged).
    QJsonObject show(qint64 conversationId);
    /// This user's `user list --json` entry.
    QJsonObject userEntry(const QString &username);
    /// The system prompt the database holds for an agent, as a provider gets it.
    QString systemPromptOf(const QString &agentId) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestAsk::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    QVERIFY2(QFile::exists(ctlPath()), qPrintable(u"heliodeskctl not found at " + ctlPath()));
}

void TestAsk::cleanup()
{
    m_dir.reset();
}

QProcessEnvironment TestAsk::environment(const OpenAiTestServer *server) const
{
    QProcessEnvironment env = isolatedEnvironment(m_dir->path(), Isolation::Provider);
    if (server) {
        env.insert(QStringLiteral("HELIODESK_API_BASE"), server->baseUrl().toString());
        env.insert(QStringLiteral("HELIODESK_MODEL"), QStringLiteral("test-model"));
        env.insert(QStringLiteral("HELIODESK_API_KEY"), QStringLiteral("sk-test"));
    }
    return env;
}

CtlRun TestAsk::run(const QStringList &arguments, const QByteArray &input, const OpenAiTestServer *server)
{
    return runCtl(QStringList{QStringLiteral("--db"), dbPath()} + arguments, environment(server), input);
}

std::unique_ptr<LiveCtl> TestAsk::start(const QStringList &arguments, const OpenAiTestServer *server)
{
    return std::make_unique<LiveCtl>(QStringList{QStringLiteral("--db"), dbPath()} + arguments, environment(server));
}

QStringList TestAsk::askArguments(const QString &user, const QString &question, const QStringList &how)
{
    return QStringList{QStringLiteral("ask"), QStringLiteral("--user"), user} + how + QStringList{question};
}

bool TestAsk::addUser(const QString &name, const QString &role, const QByteArray &password, const QStringList &extra)
{
    const CtlRun r = run(QStringList{QStringLiteral("user"), QStringLiteral("add"), name, QStringLiteral("--role"), role,
                                     QStringLiteral("--password-stdin")}
                             + extra,
                         password + '\n');
    if (!r.exitedWith(Success))
        qWarning("%s", qPrintable(r.describe()));
    return r.exitedWith(Success);
}

bool TestAsk::hire(const QString &user, const QString &agent)
{
    const CtlRun r = run({QStringLiteral("hire"), QStringLiteral("--user"), user, agent});
    if (!r.exitedWith(Success))
        qWarning("%s", qPrintable(r.describe()));
    return r.exitedWith(Success);
}

bool TestAsk::setUpAnn(const QStringList &annExtra)
{
    return addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword)
        && addUser(QStringLiteral("ann"), QStringLiteral("analyst"), analystPassword, annExtra) && hire(QStringLiteral("ann"));
}

qint64 TestAsk::latestConversation(const QString &user)
{
    const auto doc = json(run({QStringLiteral("conversations"), QStringLiteral("--user"), user, QStringLiteral("--json")}));
    qint64 newest = 0;
    if (doc)
        for (const auto &v : doc->array())
            newest = std::max<qint64>(newest, v.toObject().value(u"id").toInteger());
    return newest;
}

QJsonObject TestAsk::show(qint64 conversationId)
{
    const auto doc = json(run({QStringLiteral("show"), QString::number(conversationId), QStringLiteral("--json")}));
    return doc ? doc->object() : QJsonObject();
}

QJsonObject TestAsk::userEntry(const QString &username)
{
    const auto doc = json(run({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--json")}));
    if (doc)
        for (const auto &v : doc->array())
            if (v.toObject().value(u"username").toString() == username)
                return v.toObject();
    return {};
}

QString TestAsk::systemPromptOf(const QString &agentId) const
{
    const QString name = QStringLiteral("tst_ask prompt");
    QString prompt;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath());
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT system_prompt FROM agents WHERE id = ?"));
            q.addBindValue(agentId);
            if (q.exec() && q.next())
                prompt = q.value(0).toString();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return prompt;
}

// --- answers ---------------------------------------------------------------------------------------

void TestAsk::offlineAnswer()
{
    QVERIFY(setUpAnn());
    const QString question = QStringLiteral("How do I find a faulty string with thermography?");
    const CtlRun r = run(askArguments(QStringLiteral("ann"), question));
    QCOMPARE_EXIT(r, Success);
    QVERIFY_CONTAINS(r.out, QStringLiteral("offline knowledge base"));
    QVERIFY_CONTAINS(r.out, QStringLiteral("Sources"));
    QCOMPARE(r.err, QString());

    const qint64 id = latestConversation(QStringLiteral("ann"));
    QVERIFY(id > 0);
    const QJsonArray messages = messagesOf(show(id));
    QCOMPARE(messages.size(), 2);
    const QJsonObject asked = messages.at(0).toObject();
    QCOMPARE(asked.value(u"role").toString(), QStringLiteral("user"));
    QCOMPARE(asked.value(u"status").toString(), QStringLiteral("complete"));
    QCOMPARE(asked.value(u"content").toString(), question);
    const QJsonObject answer = messages.at(1).toObject();
    QCOMPARE(answer.value(u"role").toString(), QStringLiteral("assistant"));
    QCOMPARE(answer.value(u"status").toString(), QStringLiteral("complete"));
    // stdout is the answer and one closing newline.
    QCOMPARE(QString(answer.value(u"content").toString() + u'\n'), r.out);
}

void TestAsk::streamsFromEndpoint()
{
    QVERIFY(setUpAnn());
    OpenAiTestServer server;
    QVERIFY(server.listen());
    StreamOptions noRole;
    noRole.roleChunk = false;
    // A long pause between pieces: the first one must be on stdout long before the second is sent.
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Check the "), QStringLiteral("string fuses "), QStringLiteral("first.")}, noRole)
                       .withDelay(700ms));

    const QString question = QStringLiteral("Why is string 4 at zero current?");
    auto live = start(askArguments(QStringLiteral("ann"), question), &server);
    QVERIFY2(live->waitForOutput(QStringLiteral("Check the ")), qPrintable(live->describe()));
    const QString early = live->out();
    QVERIFY2(!early.contains(u"fuses"), qPrintable(early));
    QVERIFY2(live->isRunning(), qPrintable(live->describe()));
    const CtlRun r = live->finish();
    QCOMPARE_EXIT(r, Success);
    QCOMPARE(r.out, QStringLiteral("Check the string fuses first.\n"));
    QCOMPARE(r.err, QString());

    QCOMPARE(server.requests().size(), 1);
    const RecordedRequest &request = server.requests().at(0);
    QCOMPARE(request.method, QByteArrayLiteral("POST"));
    QCOMPARE(request.path, QByteArrayLiteral("/v1/chat/completions"));
    QCOMPARE(request.header("Authorization"), QByteArrayLiteral("Bearer sk-test"));
    QCOMPARE(request.json.value(u"model").toString(), QStringLiteral("test-model"));
    QCOMPARE(request.json.value(u"stream"), QJsonValue(true));
    const QString prompt = systemPromptOf(QStringLiteral("om"));
    QVERIFY(!prompt.isEmpty());
    const QJsonArray sent = request.json.value(u"messages").toArray();
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sent.first().toObject().value(u"role").toString(), QStringLiteral("system"));
    QCOMPARE(sent.first().toObject().value(u"content").toString(), prompt);
    QCOMPARE(sent.last().toObject().value(u"role").toString(), QStringLiteral("user"));
    QCOMPARE(sent.last().toObject().value(u"content").toString(), question);

    // A follow-up in the same conversation sends the history between the prompt and the question.
    const qint64 id = latestConversation(QStringLiteral("ann"));
    QVERIFY(id > 0);
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Then measure "), QStringLiteral("the open-circuit voltage.")}));
    const QString followUp = QStringLiteral("The fuses are fine. What next?");
    const CtlRun second = run(askArguments(QStringLiteral("ann"), followUp, {QStringLiteral("--conversation"), QString::number(id)}), {},
                              &server);
    QCOMPARE_EXIT(second, Success);
    QCOMPARE(second.out, QStringLiteral("Then measure the open-circuit voltage.\n"));
    QCOMPARE(server.requests().size(), 2);
    const QJsonArray history = server.requests().at(1).json.value(u"messages").toArray();
    QCOMPARE(history.size(), 4);
    const QStringList roles = {QStringLiteral("system"), QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("user")};
    const QStringList contents = {prompt, question, QStringLiteral("Check the string fuses first."), followUp};
    for (qsizetype i = 0; i < history.size(); ++i) {
        QCOMPARE(history.at(i).toObject().value(u"role").toString(), roles.at(i));
        QCOMPARE(history.at(i).toObject().value(u"content").toString(), contents.at(i));
    }
    QCOMPARE(latestConversation(QStringLiteral("ann")), id);
    const QJsonArray stored = messagesOf(show(id));
    QCOMPARE(stored.size(), 4);
    for (const auto &m : stored)
        QCOMPARE(m.toObject().value(u"status").toString(), QStringLiteral("complete"));
    QCOMPARE(stored.at(3).toObject().value(u"content").toString(), QStringLiteral("Then measure the open-circuit voltage."));
}

void TestAsk::providerErrors_data()
{
    QTest::addColumn<ScriptedResponse>("response");
    QTest::addColumn<QString>("expected"); // part of the sentence on stderr
    QTest::addColumn<QString>("partial");  // the text that arrived before the failure

    QTest::newRow("401") << ScriptedResponse::jsonError(401, QStringLiteral("Incorrect API key provided: sk-test."),
                                                       QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key"))
                         << QStringLiteral("refused the API key") << QString();
    QTest::newRow("404") << ScriptedResponse::jsonError(404, QStringLiteral("The model `test-model` does not exist."),
                                                       QStringLiteral("invalid_request_error"), QStringLiteral("model_not_found"))
                         << QStringLiteral("does not know the model “test-model”") << QString();
    QTest::newRow("429 with Retry-After")
        << ScriptedResponse::jsonError(429, QStringLiteral("Rate limit reached."), QStringLiteral("rate_limit_error"))
               .withHeader(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("20"))
        << QStringLiteral("try again in 20 seconds") << QString();
    QTest::newRow("500") << ScriptedResponse::jsonError(500, QStringLiteral("The server had an error."), QStringLiteral("server_error"))
                         << QStringLiteral("has a problem (HTTP 500") << QString();
    QTest::newRow("HTML page, not SSE")
        << ScriptedResponse::plain(200, QByteArrayLiteral("text/html"),
                                   QByteArrayLiteral("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in.</body></html>"))
        << QStringLiteral("instead of a stream of events") << QString();
    QTest::newRow("event stream without events")
        << ScriptedResponse::rawEvents(QByteArrayLiteral("this is not an event stream at all\n\n"))
        << QStringLiteral("did not send a stream of events") << QString();
    QTest::newRow("reset mid-stream")
        << ScriptedResponse::stream({QStringLiteral("Inverter 3 "), QStringLiteral("tripped on "), QStringLiteral("insulation fault.")})
               .withDelay(100ms)
               .truncatedAfter(3, ScriptedResponse::Ending::Reset)
        << QStringLiteral("ended before the answer was complete") << QStringLiteral("Inverter 3 tripped on ");
}

void TestAsk::providerErrors()
{
    QFETCH(ScriptedResponse, response);
    QFETCH(QString, expected);
    QFETCH(QString, partial);
    QVERIFY(setUpAnn());
    OpenAiTestServer server;
    QVERIFY(server.listen());
    server.enqueue(response);

    const CtlRun r = run(askArguments(QStringLiteral("ann"), QStringLiteral("Why did inverter 3 trip?")), {}, &server);
    QCOMPARE_EXIT(r, ProviderError);
    QCOMPARE(server.requests().size(), 1);
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, expected);
    QVERIFY2(r.err.trimmed().endsWith(u'.'), qPrintable(r.err));
    QCOMPARE(r.out, QString(partial + u'\n'));

    const QJsonArray messages = messagesOf(show(latestConversation(QStringLiteral("ann"))));
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value(u"status").toString(), QStringLiteral("complete"));
    const QJsonObject answer = messages.at(1).toObject();
    QCOMPARE(answer.value(u"status").toString(), QStringLiteral("failed"));
    QCOMPARE(QString(u"heliodeskctl: " + answer.value(u"error").toString() + u'\n'), r.err);
    QCOMPARE(answer.value(u"content").toString(), partial);
}

void TestAsk::interruptStopsAndKeepsText()
{
    QVERIFY(setUpAnn());
    OpenAiTestServer server;
    QVERIFY(server.listen());
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Soiling losses "), QStringLiteral("are highest "), QStringLiteral("in summer.")})
                       .truncatedAfter(3, ScriptedResponse::Ending::Stall));

    auto live = start(askArguments(QStringLiteral("ann"), QStringLiteral("When should we clean the modules?")), &server);
    QVERIFY2(live->waitForOutput(QStringLiteral("Soiling losses are highest ")), qPrintable(live->describe()));
    QVERIFY2(live->isRunning(), qPrintable(live->describe()));
    QCOMPARE(::kill(pid_t(live->pid()), SIGINT), 0);
    const CtlRun r = live->finish(15'000);
    QCOMPARE_EXIT(r, Cancelled);
    QCOMPARE(r.out, QStringLiteral("Soiling losses are highest \n"));
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, QStringLiteral("stopped"));

    const qint64 id = latestConversation(QStringLiteral("ann"));
    QVERIFY_CONTAINS(r.err, QString::number(id));
    const QJsonArray messages = messagesOf(show(id));
    QCOMPARE(messages.size(), 2);
    const QJsonObject answer = messages.at(1).toObject();
    QCOMPARE(answer.value(u"status").toString(), QStringLiteral("cancelled"));
    QCOMPARE(answer.value(u"content").toString(), QStringLiteral("Soiling losses are highest "));

    // The query stays counted, as cancelled.
    const auto usage = json(run({QStringLiteral("usage"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--json")}));
    QVERIFY(usage);
    const QJsonArray rows = usage->object().value(u"rows").toArray();
    QCOMPARE(rows.size(), 1);
    const QJsonObject row = rows.first().toObject();
    QCOMPARE(row.value(u"agent").toString(), QStringLiteral("om"));
    QCOMPARE(row.value(u"total").toInt(-1), 1);
    QCOMPARE(row.value(u"cancelled").toInt(-1), 1);
    QCOMPARE(row.value(u"unfinished").toInt(-1), 0);
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 1);
}

void TestAsk::killedProcessLeavesInterruptedAnswer()
{
    QVERIFY(setUpAnn());
    OpenAiTestServer server;
    QVERIFY(server.listen());
    const QString sent = QStringLiteral("Performance ratio fell because of clipping.");
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Performance ratio "), QStringLiteral("fell because "),
                                             QStringLiteral("of clipping."), QStringLiteral(" Never sent.")})
                       .truncatedAfter(4, ScriptedResponse::Ending::Stall));

    const QString question = QStringLiteral("Why did the performance ratio fall in June?");
    auto live = start(askArguments(QStringLiteral("ann"), question), &server);
    QVERIFY2(live->waitForOutput(QStringLiteral("Performance ratio ")), qPrintable(live->describe()));
    QTest::qWait(400); // longer than the flush interval: some text is in the database
    QVERIFY2(live->isRunning(), qPrintable(live->describe()));
    QCOMPARE(::kill(pid_t(live->pid()), SIGKILL), 0);
    const CtlRun killed = live->finish(15'000);
    QVERIFY2(!killed.finished, qPrintable(killed.describe()));

    const qint64 id = latestConversation(QStringLiteral("ann"));
    QVERIFY(id > 0);
    // Written to less than 5 seconds ago: it might belong to a live process, so it is left alone.
    QCOMPARE(messagesOf(show(id)).at(1).toObject().value(u"status").toString(), QStringLiteral("streaming"));

    QTest::qWait(5'500);
    const QJsonArray messages = messagesOf(show(id));
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value(u"status").toString(), QStringLiteral("complete"));
    QCOMPARE(messages.at(0).toObject().value(u"content").toString(), question);
    const QJsonObject answer = messages.at(1).toObject();
    QCOMPARE(answer.value(u"status").toString(), QStringLiteral("interrupted"));
    const QString kept = answer.value(u"content").toString();
    QVERIFY2(!kept.isEmpty() && sent.startsWith(kept), qPrintable(kept));

    const CtlRun check = run({QStringLiteral("db"), QStringLiteral("check")});
    QCOMPARE_EXIT(check, Success);
    const auto usage = json(run({QStringLiteral("usage"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--json")}));
    QVERIFY(usage);
    const QJsonObject row = usage->object().value(u"rows").toArray().first().toObject();
    QCOMPARE(row.value(u"total").toInt(-1), 1);
    QCOMPARE(row.value(u"unfinished").toInt(-1), 0);
}

// --- refusals --------------------------------------------------------------------------------------

void TestAsk::notHired()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    const CtlRun r = run(askArguments(QStringLiteral("ann"), QStringLiteral("Anything?")));
    QCOMPARE_EXIT(r, NotFoundOrNotAllowed);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, QStringLiteral("not hired"));
    QCOMPARE(latestConversation(QStringLiteral("ann")), 0);
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 0);
}

void TestAsk::missingOrForeignConversation()
{
    QVERIFY(setUpAnn());
    QVERIFY(addUser(QStringLiteral("bob")));
    QVERIFY(hire(QStringLiteral("bob")));
    QCOMPARE_EXIT(run(askArguments(QStringLiteral("bob"), QStringLiteral("Bob's own question"))), Success);
    const qint64 bobs = latestConversation(QStringLiteral("bob"));
    QVERIFY(bobs > 0);
    const qint64 missing = bobs + 1000;

    const CtlRun foreign = run(askArguments(QStringLiteral("ann"), QStringLiteral("Peek"), {QStringLiteral("--conversation"), QString::number(bobs)}));
    const CtlRun absent = run(askArguments(QStringLiteral("ann"), QStringLiteral("Peek"), {QStringLiteral("--conversation"), QString::number(missing)}));
    QCOMPARE_EXIT(foreign, NotFoundOrNotAllowed);
    QCOMPARE_EXIT(absent, NotFoundOrNotAllowed);
    QVERIFY2(isOneErrorLine(foreign.err), qPrintable(foreign.describe()));
    QVERIFY2(isOneErrorLine(absent.err), qPrintable(absent.describe()));
    QVERIFY_CONTAINS(absent.err, QString::number(missing));
    // Someone else's conversation is refused exactly like one that does not exist.
    QString foreignShape = foreign.err;
    QString absentShape = absent.err;
    foreignShape.replace(QString::number(bobs), QStringLiteral("N"));
    absentShape.replace(QString::number(missing), QStringLiteral("N"));
    QCOMPARE(foreignShape, absentShape);
    QCOMPARE(foreign.out, absent.out);

    QCOMPARE(messagesOf(show(bobs)).size(), 2);
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 0);
}

void TestAsk::quotaExceeded()
{
    QVERIFY(setUpAnn({QStringLiteral("--quota"), QStringLiteral("2")}));
    QCOMPARE_EXIT(run(askArguments(QStringLiteral("ann"), QStringLiteral("First question"))), Success);
    QCOMPARE_EXIT(run(askArguments(QStringLiteral("ann"), QStringLiteral("Second question"))), Success);
    const qint64 before = latestConversation(QStringLiteral("ann"));
    const CtlRun r = run(askArguments(QStringLiteral("ann"), QStringLiteral("Third question")));
    QCOMPARE_EXIT(r, QuotaExceeded);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, QStringLiteral("Query limit reached (2 of 2 this month)"));
    QCOMPARE(latestConversation(QStringLiteral("ann")), before);
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 2);
}

void TestAsk::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    const auto words = [](const char *text) { return QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts); };
    QTest::newRow("no --user") << words("ask --agent om Why?") << QStringLiteral("--user");
    QTest::newRow("--conversation and --new") << words("ask --user ann --agent om --conversation 1 --new Why?")
                                              << QStringLiteral("not both");
    QTest::newRow("neither --agent nor --conversation") << words("ask --user ann Why?") << QStringLiteral("--agent");
    QTest::newRow("no question") << words("ask --user ann --agent om") << QStringLiteral("needs a question");
    QTest::newRow("conversation not a number") << words("ask --user ann --conversation first Why?") << QStringLiteral("number");
}

void TestAsk::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    QVERIFY(setUpAnn());
    const CtlRun r = run(arguments);
    QCOMPARE_EXIT(r, Usage);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, expected);
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 0);
}

void TestAsk::passwordFromStdin()
{
    QVERIFY(setUpAnn());
    const QStringList args = askArguments(QStringLiteral("ann"), QStringLiteral("Signed-in question"),
                                          {QStringLiteral("--agent"), QStringLiteral("om"), QStringLiteral("--password-stdin")});
    const CtlRun wrong = run(args, QByteArrayLiteral("not the password\n"));
    // heliodeskctl reports a wrong password as a general failure (1): it is neither a usage error
    // nor "not found or not allowed", which would tell a caller whether the user exists.
    QCOMPARE_EXIT(wrong, Failure);
    QCOMPARE(wrong.out, QString());
    QCOMPARE(wrong.err, QStringLiteral("heliodeskctl: Wrong username or password.\n"));
    const CtlRun nobody = run(askArguments(QStringLiteral("nobody"), QStringLiteral("Signed-in question"),
                                           {QStringLiteral("--agent"), QStringLiteral("om"), QStringLiteral("--password-stdin")}),
                              QByteArrayLiteral("not the password\n"));
    QCOMPARE_EXIT(nobody, Failure);
    QCOMPARE(nobody.err, wrong.err);
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 0);

    const CtlRun right = run(args, analystPassword + '\n');
    QCOMPARE_EXIT(right, Success);
    QVERIFY_CONTAINS(right.out, QStringLiteral("offline knowledge base"));
    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), 1);
}

// --- the quota through many processes ------------------------------------------------------------

void TestAsk::quotaExactAcrossProcesses()
{
    constexpr int lanes = 8;
    constexpr int perLane = 15;
    constexpr int limit = 50;
    QVERIFY(setUpAnn({QStringLiteral("--quota"), QString::number(limit)}));

    // Eight processes at a time, each lane asking again as soon as its previous ask ended.
    struct Lane {
        std::unique_ptr<LiveCtl> current;
        int started = 0;
    };
    std::vector<Lane> running(lanes);
    QList<CtlRun> results;
    const auto startNext = [&](Lane &lane) {
        lane.current = start(askArguments(QStringLiteral("ann"), QStringLiteral("Lane question %1").arg(++lane.started)));
    };
    for (Lane &lane : running)
        startNext(lane);
    const bool allDone = QTest::qWaitFor(
        [&] {
            for (Lane &lane : running) {
                if (!lane.current || lane.current->isRunning())
                    continue;
                results << lane.current->finish();
                lane.current.reset();
                if (lane.started < perLane)
                    startNext(lane);
            }
            return results.size() == lanes * perLane;
        },
        300'000);
    QVERIFY2(allDone, qPrintable(QStringLiteral("%1 of %2 asks ended").arg(results.size()).arg(lanes * perLane)));

    int answered = 0;
    int refused = 0;
    const QString sentence = QStringLiteral("Query limit reached (%1 of %1 this month)").arg(limit);
    for (const CtlRun &r : std::as_const(results)) {
        if (r.exitedWith(Success)) {
            ++answered;
        } else if (r.exitedWith(QuotaExceeded)) {
            ++refused;
            QVERIFY2(isOneErrorLine(r.err) && r.err.contains(sentence), qPrintable(r.describe()));
        } else {
            QFAIL(qPrintable(r.describe()));
        }
    }
    QCOMPARE(answered, limit);
    QCOMPARE(refused, lanes * perLane - limit);

    QCOMPARE(userEntry(QStringLiteral("ann")).value(u"used").toInt(-1), limit);
    const CtlRun reconcile = run({QStringLiteral("usage"), QStringLiteral("reconcile")});
    QCOMPARE_EXIT(reconcile, Success);
    const auto usage = json(run({QStringLiteral("usage"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--json")}));
    QVERIFY(usage);
    const QJsonObject row = usage->object().value(u"rows").toArray().first().toObject();
    QCOMPARE(row.value(u"total").toInt(-1), limit);
    QCOMPARE(row.value(u"complete").toInt(-1), limit);
}

// --- export ----------------------------------------------------------------------------------------

void TestAsk::exportToFiles()
{
    QVERIFY(setUpAnn());
    const QString question = QStringLiteral("What does IEC 62446 require for commissioning?");
    QCOMPARE_EXIT(run(askArguments(QStringLiteral("ann"), question)), Success);
    const qint64 id = latestConversation(QStringLiteral("ann"));
    QVERIFY(id > 0);
    const QJsonObject shown = show(id);
    const QString answer = messagesOf(shown).at(1).toObject().value(u"content").toString();
    QVERIFY(!answer.isEmpty());

    const QString mdPath = path(QStringLiteral("conversation.md"));
    const CtlRun md = run({QStringLiteral("export"), QString::number(id), QStringLiteral("--format"), QStringLiteral("md"), QStringLiteral("-o"), mdPath});
    QCOMPARE_EXIT(md, Success);
    QVERIFY_CONTAINS(md.out, mdPath);
    const QString mdText = QString::fromUtf8(readFile(mdPath));
    QVERIFY2(mdText.startsWith(QString(u"# " + shown.value(u"title").toString() + u'\n')), qPrintable(mdText));
    QVERIFY_CONTAINS(mdText, question);
    QVERIFY_CONTAINS(mdText, answer);
    QVERIFY_CONTAINS(mdText, QStringLiteral("## ann"));
    QVERIFY_CONTAINS(mdText, QStringLiteral("## O&M"));
    // The file holds exactly what the export prints.
    const CtlRun mdOut = run({QStringLiteral("export"), QString::number(id), QStringLiteral("--format"), QStringLiteral("md")});
    QCOMPARE_EXIT(mdOut, Success);
    QCOMPARE(mdText, mdOut.out);

    const QString jsonPath = path(QStringLiteral("conversation.json"));
    const CtlRun js = run({QStringLiteral("export"), QString::number(id), QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"), jsonPath});
    QCOMPARE_EXIT(js, Success);
    QJsonParseError error;
    const QJsonObject exported = QJsonDocument::fromJson(readFile(jsonPath), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(exported.value(u"format").toString(), QStringLiteral("heliodesk-conversation"));
    QCOMPARE(exported.value(u"id").toInteger(), id);
    QCOMPARE(exported, shown);
    const QJsonArray messages = messagesOf(exported);
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value(u"content").toString(), question);
    QCOMPARE(messages.at(1).toObject().value(u"content").toString(), answer);
    QCOMPARE(messages.at(1).toObject().value(u"status").toString(), QStringLiteral("complete"));
}

QTEST_GUILESS_MAIN(TestAsk)

#include "tst_ask.moc"
