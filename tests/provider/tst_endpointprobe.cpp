// checkEndpoint() ("Test Connection") against a real local OpenAI-compatible server: the models
// list and its summary, the request it sends, every kind of failure in words, a refused port and a
// server that never answers.

#include "support/openaitestserver.h"
#include "support/testprinters.h"

#include "model/agents/endpointprobe.h"

#include <QCoroTask>

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(heliodesk::test::ScriptedResponse)
Q_DECLARE_METATYPE(heliodesk::ErrorCode)

namespace {

OpenAiSettings settingsFor(const QUrl &baseUrl, const QString &model = QStringLiteral("llama3.1"),
                           const QString &key = QStringLiteral("sk-test"))
{
    OpenAiSettings s;
    s.baseUrl = baseUrl;
    s.model = model;
    s.apiKey = key;
    s.connectTimeout = 2s; // short, so that a failing test fails fast
    s.idleTimeout = 2s;
    return s;
}

Result<EndpointCheck> check(OpenAiSettings settings)
{
    return QCoro::waitFor(checkEndpoint(std::move(settings)));
}

/// The message of a failed check, or "<success>" so that a comparison shows what happened.
QString messageOf(const Result<EndpointCheck> &result)
{
    return result ? QStringLiteral("<success: %1>").arg(result->summary) : result.error().message();
}

} // namespace

class TestEndpointProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
    }

    void init()
    {
        m_server.reset();
    }

    void cleanup()
    {
        QCOMPARE(m_server.pendingResponses(), 0);
    }

    void modelsUrl_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("expected");
        QTest::newRow("v1") << QStringLiteral("http://127.0.0.1:11434/v1") << QStringLiteral("http://127.0.0.1:11434/v1/models");
        QTest::newRow("trailing slash") << QStringLiteral("https://api.openai.com/v1/") << QStringLiteral("https://api.openai.com/v1/models");
        QTest::newRow("root") << QStringLiteral("http://localhost:8080") << QStringLiteral("http://localhost:8080/models");
        QTest::newRow("pasted completions URL") << QStringLiteral("http://localhost:8000/v1/chat/completions")
                                                << QStringLiteral("http://localhost:8000/v1/models");
        QTest::newRow("query dropped") << QStringLiteral("http://localhost:8000/v1?x=1") << QStringLiteral("http://localhost:8000/v1/models");
    }

    void modelsUrl()
    {
        QFETCH(QString, base);
        QFETCH(QString, expected);
        QCOMPARE(heliodesk::modelsUrl(QUrl(base)).toString(), expected);
    }

    void listsTheModels()
    {
        m_server.enqueue(ScriptedResponse::modelList(
            {QStringLiteral("qwen2.5"), QStringLiteral("llama3.1"), QStringLiteral("Mistral-7B"), QStringLiteral("gemma2")}));
        const auto result = check(settingsFor(m_server.baseUrl()));
        VERIFY_OK(result);
        QCOMPARE(result->models, (QStringList{QStringLiteral("gemma2"), QStringLiteral("llama3.1"), QStringLiteral("Mistral-7B"),
                                              QStringLiteral("qwen2.5")}));
        QVERIFY(result->modelListed);
        QCOMPARE(result->summary, QStringLiteral("Connected. 4 models; llama3.1 is one of them."));

        // What was asked: GET /v1/models with the key, no body.
        QCOMPARE(m_server.requests().size(), 1);
        const RecordedRequest &request = m_server.requests().constFirst();
        QCOMPARE(request.method, QByteArrayLiteral("GET"));
        QCOMPARE(request.path, QByteArrayLiteral("/v1/models"));
        QCOMPARE(request.header("Authorization"), QByteArrayLiteral("Bearer sk-test"));
        QVERIFY(request.body.isEmpty());
    }

    void sendsNoAuthorizationWithoutKey()
    {
        m_server.enqueue(ScriptedResponse::modelList({QStringLiteral("llama3.1")}));
        const auto result = check(settingsFor(m_server.baseUrl(), QStringLiteral("llama3.1"), QString()));
        VERIFY_OK(result);
        QCOMPARE(result->summary, QStringLiteral("Connected. 1 model; llama3.1 is one of them."));
        QVERIFY(!m_server.requests().constFirst().hasHeader("Authorization"));
    }

    void summary_data()
    {
        QTest::addColumn<QStringList>("listed");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("modelListed");
        QTest::addColumn<QString>("summary");
        const QStringList two{QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")};
        QTest::newRow("listed") << two << QStringLiteral("gpt-4o-mini") << true
                                << QStringLiteral("Connected. 2 models; gpt-4o-mini is one of them.");
        QTest::newRow("not listed") << two << QStringLiteral("gpt-5") << false
                                    << QStringLiteral("Connected. 2 models, but not gpt-5: choose one of them, or check the name.");
        QTest::newRow("no model chosen") << two << QString() << false << QStringLiteral("Connected. 2 models; choose one.");
        QTest::newRow("ollama's :latest") << QStringList{QStringLiteral("llama3.1:latest")} << QStringLiteral("llama3.1") << true
                                          << QStringLiteral("Connected. 1 model; llama3.1 is one of them.");
        QTest::newRow("a tag is not latest") << QStringList{QStringLiteral("llama3.1:latest")} << QStringLiteral("llama3.1:8b")
                                             << false
                                             << QStringLiteral("Connected. 1 model, but not llama3.1:8b: choose one of them, or check the name.");
        QTest::newRow("case matters") << two << QStringLiteral("GPT-4o") << false
                                      << QStringLiteral("Connected. 2 models, but not GPT-4o: choose one of them, or check the name.");
        QTest::newRow("empty list") << QStringList() << QStringLiteral("gpt-4o") << false
                                    << QStringLiteral("Connected, but the server lists no models. Check that a model is "
                                                      "installed or loaded on it.");
    }

    void summary()
    {
        QFETCH(QStringList, listed);
        QFETCH(QString, model);
        QFETCH(bool, modelListed);
        QFETCH(QString, summary);
        m_server.enqueue(ScriptedResponse::modelList(listed));
        const auto result = check(settingsFor(m_server.baseUrl(), model));
        VERIFY_OK(result);
        QCOMPARE(result->modelListed, modelListed);
        QCOMPARE(result->summary, summary);
        QCOMPARE(result->models.size(), listed.size());
    }

    void failures_data()
    {
        QTest::addColumn<ScriptedResponse>("response");
        QTest::addColumn<QString>("key");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QStringList>("fragments"); // each must be in the message

        QTest::newRow("401 wrong key")
            << ScriptedResponse::jsonError(401, QStringLiteral("Incorrect API key provided: sk-test."), QStringLiteral("invalid_request_error"),
                                           QStringLiteral("invalid_api_key"))
            << QStringLiteral("sk-test") << ErrorCode::ProviderUnauthorized
            << QStringList{QStringLiteral("refused the API key"), QStringLiteral("(HTTP 401: Incorrect API key provided"),
                           QStringLiteral("Check the API key.")};
        QTest::newRow("401 without key") << ScriptedResponse::jsonError(401, QStringLiteral("You didn't provide an API key."))
                                         << QString() << ErrorCode::ProviderUnauthorized
                                         << QStringList{QStringLiteral("no API key is set"), QStringLiteral("Enter the API key.")};
        QTest::newRow("403") << ScriptedResponse::plain(403, "text/plain", "Forbidden") << QStringLiteral("sk-test")
                             << ErrorCode::ProviderUnauthorized << QStringList{QStringLiteral("(HTTP 403: Forbidden)")};
        QTest::newRow("404 not an API")
            << ScriptedResponse::plain(404, "text/html", "<html><head><title>404 Not Found</title></head><body>nginx</body></html>")
            << QStringLiteral("sk-test") << ErrorCode::ProviderModelNotFound
            << QStringList{QStringLiteral("does not look like an OpenAI-compatible API"), QStringLiteral("/v1/models"),
                           QStringLiteral("(HTTP 404: 404 Not Found)"), QStringLiteral("it usually ends in /v1")};
        QTest::newRow("429") << ScriptedResponse::jsonError(429, QStringLiteral("Rate limit reached")).withHeader("Retry-After", "7")
                             << QStringLiteral("sk-test") << ErrorCode::ProviderRateLimited
                             << QStringList{QStringLiteral("limiting requests"), QStringLiteral("try again in 7 seconds.")};
        QTest::newRow("500") << ScriptedResponse::jsonError(500, QStringLiteral("model runner crashed"), QStringLiteral("server_error"))
                             << QStringLiteral("sk-test") << ErrorCode::ProviderUnavailable
                             << QStringList{QStringLiteral("has a problem (HTTP 500: model runner crashed)"),
                                            QStringLiteral("Try again in a few minutes.")};
        QTest::newRow("503 ollama style") << ScriptedResponse::plain(503, "application/json", "{\"error\":\"loading model\"}")
                                          << QString() << ErrorCode::ProviderUnavailable
                                          << QStringList{QStringLiteral("(HTTP 503: loading model)")};
        QTest::newRow("other 4xx") << ScriptedResponse::jsonError(418, QStringLiteral("I'm a teapot")) << QStringLiteral("sk-test")
                                   << ErrorCode::ProviderError << QStringList{QStringLiteral("rejected the request (HTTP 418: I'm a teapot)")};
        QTest::newRow("200 web page")
            << ScriptedResponse::plain(200, "text/html", "<!DOCTYPE html><html><head><title>Grafana</title></head></html>")
            << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
            << QStringList{QStringLiteral("not with a list of models (a web page titled “Grafana”)"),
                           QStringLiteral("does not look like an OpenAI-compatible API")};
        QTest::newRow("200 not JSON") << ScriptedResponse::plain(200, "text/plain", "hello") << QStringLiteral("sk-test")
                                      << ErrorCode::ProviderProtocol << QStringList{QStringLiteral("(it began: “hello”)")};
        QTest::newRow("200 empty") << ScriptedResponse::plain(200, "application/json", "") << QStringLiteral("sk-test")
                                   << ErrorCode::ProviderProtocol << QStringList{QStringLiteral("(an empty answer)")};
        QTest::newRow("200 JSON without data") << ScriptedResponse::plain(200, "application/json", "{\"models\":[{\"name\":\"x\"}]}")
                                               << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                               << QStringList{QStringLiteral("(no “data” list in its JSON)")};
        QTest::newRow("200 JSON array") << ScriptedResponse::plain(200, "application/json", "[{\"id\":\"x\"}]")
                                        << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                        << QStringList{QStringLiteral("(no “data” list in its JSON)")};
        QTest::newRow("200 data is not a list") << ScriptedResponse::plain(200, "application/json", "{\"data\":{\"id\":\"x\"}}")
                                                << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                                << QStringList{QStringLiteral("(no “data” list in its JSON)")};
        QTest::newRow("200 entry without id") << ScriptedResponse::plain(200, "application/json", "{\"data\":[{\"id\":\"a\"},{\"name\":\"b\"}]}")
                                              << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                              << QStringList{QStringLiteral("(an entry without an “id”)")};
        QTest::newRow("301 redirect") << ScriptedResponse::plain(301, "text/html", "moved").withHeader("Location", "https://llm.example/v1/models")
                                      << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                      << QStringList{QStringLiteral("redirects (HTTP 301) to https://llm.example/v1/models")};
        QTest::newRow("compressed") << ScriptedResponse::modelList({QStringLiteral("x")}).withHeader("Content-Encoding", "gzip")
                                    << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                    << QStringList{QStringLiteral("compressed its answer (gzip)")};
        QTest::newRow("cut off") << ScriptedResponse::modelList({QStringLiteral("a-rather-long-model-name")})
                                        .splitEvery(10)
                                        .withDelay(20ms)
                                        .truncatedAfter(2, ScriptedResponse::Ending::Reset)
                                 << QStringLiteral("sk-test") << ErrorCode::ProviderProtocol
                                 << QStringList{QStringLiteral("ended before its list of models was complete")};
    }

    void failures()
    {
        QFETCH(ScriptedResponse, response);
        QFETCH(QString, key);
        QFETCH(ErrorCode, code);
        QFETCH(QStringList, fragments);
        m_server.enqueue(response);
        const auto result = check(settingsFor(m_server.baseUrl(), QStringLiteral("llama3.1"), key));
        QVERIFY2(!result, qPrintable(messageOf(result)));
        QCOMPARE(result.error().code(), code);
        const QString where = m_server.baseUrl().toString();
        QVERIFY2(result.error().message().contains(where), qPrintable(result.error().message()));
        for (const QString &fragment : fragments)
            QVERIFY2(result.error().message().contains(fragment), qPrintable(u"“" + fragment + u"” not in: " + result.error().message()));
        QVERIFY2(result.error().message().endsWith(u'.'), qPrintable(result.error().message()));
        QVERIFY(!result.error().detail().isEmpty());
    }

    void connectionRefused()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/v1").arg(port));
        QElapsedTimer clock;
        clock.start();
        const auto result = check(settingsFor(url));
        QVERIFY2(!result, qPrintable(messageOf(result)));
        QVERIFY(clock.elapsed() < 1500); // refused at once, not the connect timeout
        QCOMPARE(result.error().code(), ErrorCode::ProviderUnreachable);
        QVERIFY2(result.error().message().startsWith(u"Could not connect to the model server at " + url.toString() + u" ("),
                 qPrintable(result.error().message()));
        QVERIFY2(result.error().message().endsWith(u"). Check that the server is running and that the base URL is right."),
                 qPrintable(result.error().message()));
    }

    void serverThatNeverAnswers()
    {
        ScriptedResponse silent;
        silent.silent = true;
        m_server.enqueue(silent);
        OpenAiSettings settings = settingsFor(m_server.baseUrl());
        settings.idleTimeout = 300ms;
        QElapsedTimer clock;
        clock.start();
        const auto result = check(settings);
        QVERIFY2(!result, qPrintable(messageOf(result)));
        QVERIFY(clock.elapsed() >= 250);
        QVERIFY(clock.elapsed() < 2000);
        QCOMPARE(result.error().code(), ErrorCode::ProviderTimeout);
        QCOMPARE(result.error().message(), QString(u"The model server at " + m_server.baseUrl().toString()
                                                   + u" did not answer within 300 ms. It may be overloaded or still starting; try again."));
    }

    void invalidUrl_data()
    {
        QTest::addColumn<QUrl>("url");
        QTest::newRow("empty") << QUrl();
        QTest::newRow("ftp") << QUrl(QStringLiteral("ftp://example.com/v1"));
        QTest::newRow("no host") << QUrl(QStringLiteral("http:///v1"));
    }

    void invalidUrl()
    {
        QFETCH(QUrl, url);
        const auto result = check(settingsFor(url));
        QVERIFY2(!result, qPrintable(messageOf(result)));
        QCOMPARE(result.error().code(), ErrorCode::InvalidInput);
        QVERIFY2(result.error().message().contains(u"is not an http or https URL"), qPrintable(result.error().message()));
        QCOMPARE(m_server.requests().size(), 0);
    }

    void parseModelListDirectly()
    {
        const auto parsed = parseModelList("{\"object\":\"list\",\"data\":[{\"id\":\"b\"},{\"id\":\"a\"},{\"id\":\"b\"}]}",
                                           QStringLiteral("a"), QStringLiteral("http://x/v1"));
        VERIFY_OK(parsed);
        QCOMPARE(parsed->models, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QVERIFY(parsed->modelListed);
    }

    /// A server that answers with bytes that are not HTTP at all.
    void notHttp()
    {
        QTcpServer raw;
        QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
        connect(&raw, &QTcpServer::newConnection, &raw, [&raw] {
            QTcpSocket *socket = raw.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("SSH-2.0-OpenSSH_9.2\r\n");
                socket->disconnectFromHost();
            });
        });
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/v1").arg(raw.serverPort()));
        const auto result = check(settingsFor(url));
        QVERIFY2(!result, qPrintable(messageOf(result)));
        QCOMPARE(result.error().code(), ErrorCode::ProviderProtocol);
        QVERIFY2(result.error().message().startsWith(u"The server at " + url.toString() + u" answered with something that is not HTTP ("),
                 qPrintable(result.error().message()));
    }

private:
    OpenAiTestServer m_server;
};

QTEST_GUILESS_MAIN(TestEndpointProbe)
#include "tst_endpointprobe.moc"
