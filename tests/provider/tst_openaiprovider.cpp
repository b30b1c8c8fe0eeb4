// The OpenAI-compatible provider against a real local HTTP server: streams in every framing and
// line ending, the request it sends, HTTP errors, timeouts, resets, cancellation and reply disposal.

#include "support/openaitestserver.h"
#include "support/testprinters.h"

#include "model/agents/openaiprovider.h"

#include <QCoroTask>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

#ifdef Q_OS_UNIX
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(heliodesk::test::ScriptedResponse)
Q_DECLARE_METATYPE(heliodesk::ErrorCode)

namespace {

class CollectingSink : public StreamSink
{
public:
    void onText(const QString &piece) override
    {
        pieces << piece;
        if (onPiece)
            onPiece(int(pieces.size()));
    }
    [[nodiscard]] QString text() const { return pieces.join(QString()); }

    QStringList pieces;
    std::function<void(int)> onPiece; // called after each piece with the number received so far
};

OpenAiSettings settingsFor(const QUrl &baseUrl)
{
    OpenAiSettings s;
    s.baseUrl = baseUrl;
    s.model = QStringLiteral("test-model");
    s.apiKey = QStringLiteral("sk-test");
    s.connectTimeout = 2s; // short, so that a failing test fails fast
    s.idleTimeout = 2s;
    return s;
}

ChatRequest question(const QString &text = QStringLiteral("What is a capacity factor?"))
{
    ChatRequest r;
    r.agentId = QStringLiteral("om");
    r.turns = {{ChatTurn::Role::System, QStringLiteral("You are an O&M assistant.")}, {ChatTurn::Role::User, text}};
    return r;
}

Result<StreamOutcome> run(OpenAiProvider &provider, StreamSink &sink, std::shared_ptr<CancelToken> cancel = {},
                          ChatRequest request = question())
{
    if (!cancel)
        cancel = std::make_shared<CancelToken>();
    return QCoro::waitFor(provider.stream(std::move(request), &sink, std::move(cancel)));
}

int liveReplies(const OpenAiProvider &provider)
{
    return provider.runningRequests();
}

const QStringList kPieces{QStringLiteral("A capacity factor "), QStringLiteral("is the ratio of "),
                          QStringLiteral("actual to maximum output.")};

} // namespace

class TestOpenAiProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
    }

    void init()
    {
        // A test that failed half-way may leave responses queued or connections stalled.
        m_server.reset();
    }

    void cleanup()
    {
        QCOMPARE(m_server.pendingResponses(), 0);
    }

    void normalStream_data()
    {
        QTest::addColumn<ScriptedResponse>("response");
        using F = ScriptedResponse::Framing;
        StreamOptions crlf;
        crlf.lineEnding = StreamOptions::LineEnding::CrLf;
        StreamOptions cr;
        cr.lineEnding = StreamOptions::LineEnding::Cr;
        StreamOptions comments;
        comments.comments = true;
        StreamOptions bom;
        bom.bom = true;
        StreamOptions small;
        small.roleChunk = false;
        StreamOptions crSmall = small;
        crSmall.lineEnding = StreamOptions::LineEnding::Cr;
        StreamOptions crlfSmall = small;
        crlfSmall.lineEnding = StreamOptions::LineEnding::CrLf;
        StreamOptions bomSmall = small;
        bomSmall.bom = true;
        StreamOptions noDone;
        noDone.done = false;

        QTest::newRow("whole body in one write") << ScriptedResponse::stream(kPieces).splitEvery(1 << 20);
        QTest::newRow("one event per write") << ScriptedResponse::stream(kPieces).withDelay(5ms);
        QTest::newRow("1-byte writes") << ScriptedResponse::stream(kPieces, small).splitEvery(1).withDelay(1ms);
        QTest::newRow("CRLF") << ScriptedResponse::stream(kPieces, crlf).withDelay(2ms);
        QTest::newRow("CRLF, 3-byte writes") << ScriptedResponse::stream(kPieces, crlfSmall).splitEvery(3).withDelay(1ms);
        QTest::newRow("CR") << ScriptedResponse::stream(kPieces, cr).withDelay(2ms);
        QTest::newRow("CR, 1-byte writes") << ScriptedResponse::stream(kPieces, crSmall).splitEvery(1).withDelay(1ms);
        QTest::newRow("comments and keep-alives") << ScriptedResponse::stream(kPieces, comments).withDelay(2ms);
        QTest::newRow("BOM") << ScriptedResponse::stream(kPieces, bom);
        QTest::newRow("BOM, 1-byte writes") << ScriptedResponse::stream(kPieces, bomSmall).splitEvery(1).withDelay(1ms);
        QTest::newRow("Content-Length") << ScriptedResponse::stream(kPieces).withFraming(F::ContentLength).withDelay(2ms);
        QTest::newRow("Connection: close") << ScriptedResponse::stream(kPieces).withFraming(F::ConnectionClose).withDelay(2ms);
        QTest::newRow("finish_reason without [DONE]")
            << ScriptedResponse::stream(kPieces, noDone).withFraming(F::ConnectionClose);
    }

    void normalStream()
    {
        QFETCH(ScriptedResponse, response);
        m_server.enqueue(response);
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        VERIFY_OK(result);
        QCOMPARE(sink.text(), kPieces.join(QString()));
        QVERIFY(!result->cancelled);
        QCOMPARE(result->finishReason, QStringLiteral("stop"));
    }

    void utf8SplitAcrossWrites()
    {
        // Two-, three- and four-byte characters, every byte in its own TCP write.
        const QStringList pieces{QStringLiteral("Grüße, "), QString::fromUtf8("⚡ Netzfrequenz "),
                                 QString::fromUtf8("电力 😀"), QStringLiteral("é")};
        StreamOptions options;
        options.roleChunk = false;
        m_server.enqueue(ScriptedResponse::stream(pieces, options).splitEvery(1).withDelay(1ms));
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        VERIFY_OK(result);
        QCOMPARE(sink.text(), pieces.join(QString()));
        QCOMPARE(sink.pieces, pieces);
    }

    void slowButSteadyStream()
    {
        // The idle timeout counts from the last byte, not from the start.
        m_server.enqueue(ScriptedResponse::stream(kPieces).withDelay(150ms));
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.idleTimeout = 500ms;
        OpenAiProvider provider(s);
        CollectingSink sink;
        QElapsedTimer clock;
        clock.start();
        const auto result = run(provider, sink);
        VERIFY_OK(result);
        QVERIFY2(clock.elapsed() > 700, qPrintable(QString::number(clock.elapsed()))); // longer than the idle timeout
        QCOMPARE(sink.text(), kPieces.join(QString()));
    }

    void requestShape()
    {
        m_server.enqueue(ScriptedResponse::stream({QStringLiteral("ok")}));
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.maxTokens = 256;
        OpenAiProvider provider(s);
        ChatRequest request = question(QStringLiteral("And the load factor?"));
        request.turns.insert(1, {ChatTurn::Role::User, QStringLiteral("Hello")});
        request.turns.insert(2, {ChatTurn::Role::Assistant, QStringLiteral("Hi! How can I help?")});
        CollectingSink sink;
        const auto result = run(provider, sink, {}, request); // VERIFY_OK evaluates its argument more than once
        VERIFY_OK(result);

        QCOMPARE(m_server.requests().size(), 1);
        const RecordedRequest &r = m_server.requests().first();
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(r.header("Authorization"), QByteArray("Bearer sk-test"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.header("Accept"), QByteArray("text/event-stream"));
        QCOMPARE(r.json.value(u"model").toString(), QStringLiteral("test-model"));
        QCOMPARE(r.json.value(u"stream").toBool(false), true);
        QCOMPARE(r.json.value(u"max_tokens").toInt(), 256);
        const QJsonArray messages = r.json.value(u"messages").toArray();
        QCOMPARE(messages.size(), 4);
        const QStringList roles{QStringLiteral("system"), QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("user")};
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const QJsonObject m = messages.at(i).toObject();
            QCOMPARE(m.value(u"role").toString(), roles.at(i));
            QCOMPARE(m.value(u"content").toString(), request.turns.at(i).content);
            QCOMPARE(m.size(), 2);
        }
    }

    void requestWithoutKeyAndWithModelOverride()
    {
        m_server.enqueue(ScriptedResponse::stream({QStringLiteral("ok")}));
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.apiKey.clear();
        s.baseUrl = QUrl(m_server.baseUrl().toString() + u'/'); // a trailing slash changes nothing
        OpenAiProvider provider(s);
        ChatRequest request = question();
        request.model = QStringLiteral("llama3.1:8b");
        CollectingSink sink;
        const auto result = run(provider, sink, {}, request); // VERIFY_OK evaluates its argument more than once
        VERIFY_OK(result);
        QCOMPARE(m_server.requests().size(), 1);
        const RecordedRequest &r = m_server.requests().first();
        QCOMPARE(r.path, QByteArray("/v1/chat/completions"));
        QVERIFY(!r.hasHeader("Authorization"));
        QCOMPARE(r.json.value(u"model").toString(), QStringLiteral("llama3.1:8b"));
        QVERIFY(!r.json.contains(u"max_tokens"));
    }

    void requestContinuingAPartialAnswer()
    {
        m_server.enqueue(ScriptedResponse::stream({QStringLiteral(" of a plant's output.")}));
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        ChatRequest request = question();
        request.continueAfter = QStringLiteral("A capacity factor is the ratio");
        CollectingSink sink;
        const auto result = run(provider, sink, {}, request); // VERIFY_OK evaluates its argument more than once
        VERIFY_OK(result);
        QCOMPARE(sink.text(), QStringLiteral(" of a plant's output."));

        // The turns as they were, then the partial answer, then the instruction to go on from it.
        QCOMPARE(m_server.requests().size(), 1);
        const QJsonArray messages = m_server.requests().first().json.value(u"messages").toArray();
        QCOMPARE(messages.size(), 4);
        const QStringList roles{QStringLiteral("system"), QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("user")};
        const QStringList contents{request.turns.at(0).content, request.turns.at(1).content, request.continueAfter,
                                   QStringLiteral("Continue your previous answer exactly where it stopped. Do not repeat any of it.")};
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const QJsonObject m = messages.at(i).toObject();
            QCOMPARE(m.value(u"role").toString(), roles.at(i));
            QCOMPARE(m.value(u"content").toString(), contents.at(i));
        }
    }

    void descriptionNamesEndpointNotKey()
    {
        OpenAiProvider provider(settingsFor(QUrl(QStringLiteral("http://127.0.0.1:11434/v1/"))));
        QCOMPARE(provider.description(), QStringLiteral("OpenAI-compatible endpoint (http://127.0.0.1:11434/v1, test-model)"));
        QVERIFY(!provider.description().contains(u"sk-test"));
        QVERIFY(!provider.isOffline());
        QCOMPARE(provider.endpoint(), QUrl(QStringLiteral("http://127.0.0.1:11434/v1/chat/completions")));
    }

    void httpErrors_data()
    {
        QTest::addColumn<ScriptedResponse>("response");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QStringList>("fragments");
        using R = ScriptedResponse;

        QTest::newRow("401 OpenAI")
            << R::jsonError(401, QStringLiteral("Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys."),
                            QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key"))
            << ErrorCode::ProviderUnauthorized
            << QStringList{QStringLiteral("refused the API key"), QStringLiteral("Incorrect API key provided"), QStringLiteral("401")};
        QTest::newRow("403")
            << R::jsonError(403, QStringLiteral("Project does not have access to model test-model"), QStringLiteral("invalid_request_error"))
            << ErrorCode::ProviderUnauthorized
            << QStringList{QStringLiteral("refused the API key"), QStringLiteral("does not have access")};
        QTest::newRow("404 OpenAI")
            << R::jsonError(404, QStringLiteral("The model `test-model` does not exist or you do not have access to it."),
                            QStringLiteral("invalid_request_error"), QStringLiteral("model_not_found"))
            << ErrorCode::ProviderModelNotFound
            << QStringList{QStringLiteral("“test-model”"), QStringLiteral("BASEURL"), QStringLiteral("does not exist")};
        QTest::newRow("404 Ollama")
            << R::plain(404, "application/json; charset=utf-8", "{\"error\":\"model \\\"test-model\\\" not found, try pulling it first\"}")
            << ErrorCode::ProviderModelNotFound
            << QStringList{QStringLiteral("try pulling it first"), QStringLiteral("BASEURL")};
        QTest::newRow("404 plain text, chunked")
            << R::plain(404, "text/plain", "404 page not found").withFraming(R::Framing::Chunked)
            << ErrorCode::ProviderModelNotFound << QStringList{QStringLiteral("404 page not found")};
        QTest::newRow("429 with Retry-After seconds")
            << R::jsonError(429, QStringLiteral("Rate limit reached for requests"), QStringLiteral("requests"), QStringLiteral("rate_limit_exceeded"))
                   .withHeader("Retry-After", "7")
            << ErrorCode::ProviderRateLimited
            << QStringList{QStringLiteral("Rate limit reached for requests"), QStringLiteral("try again in 7 seconds")};
        QTest::newRow("429 without Retry-After")
            << R::jsonError(429, QStringLiteral("You exceeded your current quota"), QStringLiteral("insufficient_quota"))
            << ErrorCode::ProviderRateLimited
            << QStringList{QStringLiteral("You exceeded your current quota"), QStringLiteral("try again")};
        QTest::newRow("500 OpenAI")
            << R::jsonError(500, QStringLiteral("The server had an error while processing your request."), QStringLiteral("server_error"))
            << ErrorCode::ProviderUnavailable
            << QStringList{QStringLiteral("The server had an error while processing your request."), QStringLiteral("500")};
        QTest::newRow("502 HTML from a proxy")
            << R::plain(502, "text/html", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
            << ErrorCode::ProviderUnavailable << QStringList{QStringLiteral("502 Bad Gateway")};
        QTest::newRow("503 vLLM, 1-byte chunks")
            << R::plain(503, "application/json", "{\"object\":\"error\",\"message\":\"Engine is overloaded\",\"type\":\"ServiceUnavailable\",\"code\":503}")
                   .withFraming(R::Framing::Chunked).splitEvery(1)
            << ErrorCode::ProviderUnavailable << QStringList{QStringLiteral("Engine is overloaded")};
        QTest::newRow("503 without body") << R::plain(503, {}, {}) << ErrorCode::ProviderUnavailable
                                          << QStringList{QStringLiteral("HTTP 503")};
        QTest::newRow("400 context length")
            << R::jsonError(400, QStringLiteral("This model's maximum context length is 8192 tokens."), QStringLiteral("invalid_request_error"),
                            QStringLiteral("context_length_exceeded"))
            << ErrorCode::ProviderError << QStringList{QStringLiteral("maximum context length is 8192 tokens")};
    }

    void httpErrors()
    {
        QFETCH(ScriptedResponse, response);
        QFETCH(ErrorCode, code);
        QFETCH(QStringList, fragments);
        m_server.enqueue(response);
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), code);
        const QString baseUrl = m_server.baseUrl().toString();
        for (QString fragment : std::as_const(fragments)) {
            fragment.replace(QStringLiteral("BASEURL"), baseUrl);
            QVERIFY2(result.error().message().contains(fragment),
                     qPrintable(u"“" + fragment + u"” missing in: " + result.error().message()));
        }
        QVERIFY(sink.pieces.isEmpty());
    }

    void unauthorizedWithoutKey()
    {
        m_server.enqueue(ScriptedResponse::jsonError(401, QStringLiteral("Missing bearer authentication in header")));
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.apiKey.clear();
        OpenAiProvider provider(s);
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderUnauthorized);
        QVERIFY2(result.error().message().contains(u"no API key is set"), qPrintable(result.error().message()));
        QVERIFY(result.error().message().contains(u"Missing bearer authentication"));
    }

    void retryAfterHttpDate()
    {
        const QDateTime at = QDateTime::currentDateTimeUtc().addSecs(30);
        const QByteArray date = QLocale::c().toString(at, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() + " GMT";
        m_server.enqueue(ScriptedResponse::jsonError(429, QStringLiteral("Slow down")).withHeader("Retry-After", date));
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderRateLimited);
        static const QRegularExpression seconds(QStringLiteral("try again in (\\d+) seconds"));
        const QRegularExpressionMatch match = seconds.match(result.error().message());
        QVERIFY2(match.hasMatch(), qPrintable(result.error().message()));
        const int n = match.captured(1).toInt();
        QVERIFY2(n >= 25 && n <= 31, qPrintable(result.error().message()));
    }

    void stallMidStream()
    {
        // Two pieces, then silence with the connection open.
        m_server.enqueue(ScriptedResponse::stream(kPieces).withDelay(10ms).truncatedAfter(3, ScriptedResponse::Ending::Stall));
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.idleTimeout = 300ms;
        OpenAiProvider provider(s);
        CollectingSink sink;
        QElapsedTimer clock;
        clock.start();
        const auto result = run(provider, sink);
        const qint64 elapsed = clock.elapsed();
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderTimeout);
        QVERIFY2(result.error().message().contains(u"300 ms"), qPrintable(result.error().message()));
        QVERIFY2(elapsed >= 280 && elapsed < 2000, qPrintable(QString::number(elapsed)));
        QCOMPARE(sink.text(), kPieces.mid(0, 2).join(QString()));
        QTRY_COMPARE(m_server.connectionsClosedByClient(), 1); // the provider aborted the request
    }

    void silentServer()
    {
        // The server reads the request and never answers, not even the status line.
        ScriptedResponse silent;
        silent.silent = true;
        m_server.enqueue(silent);
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.idleTimeout = 300ms;
        OpenAiProvider provider(s);
        CollectingSink sink;
        QElapsedTimer clock;
        clock.start();
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderTimeout);
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE(m_server.connectionsClosedByClient(), 1);
    }

    void truncatedStream_data()
    {
        QTest::addColumn<ScriptedResponse>("response");
        using R = ScriptedResponse;
        const R base = R::stream(kPieces).withDelay(20ms);
        QTest::newRow("reset, chunked") << R(base).truncatedAfter(3, R::Ending::Reset);
        QTest::newRow("reset, Content-Length") << R(base).withFraming(R::Framing::ContentLength).truncatedAfter(3, R::Ending::Reset);
        QTest::newRow("reset, Connection: close") << R(base).withFraming(R::Framing::ConnectionClose).truncatedAfter(3, R::Ending::Reset);
        QTest::newRow("orderly close without [DONE]")
            << R(base).withFraming(R::Framing::ConnectionClose).truncatedAfter(3, R::Ending::Complete);
        QTest::newRow("chunked body ends without [DONE]") << R(base).truncatedAfter(3, R::Ending::Complete);
    }

    void truncatedStream()
    {
        QFETCH(ScriptedResponse, response);
        m_server.enqueue(response);
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderProtocol);
        QVERIFY2(result.error().message().contains(u"the answer was cut off"), qPrintable(result.error().message()));
        QCOMPARE(sink.text(), kPieces.mid(0, 2).join(QString())); // what arrived stays delivered
    }

    void notAnEventStream_data()
    {
        QTest::addColumn<ScriptedResponse>("response");
        QTest::addColumn<QStringList>("fragments");
        using R = ScriptedResponse;
        QTest::newRow("HTML page with 200")
            << R::plain(200, "text/html; charset=utf-8",
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Open WebUI</title></head><body><div id=\"app\"></div></body></html>")
            << QStringList{QStringLiteral("text/html"), QStringLiteral("Open WebUI"), QStringLiteral("/v1")};
        QTest::newRow("HTML page, chunked 1-byte")
            << R::plain(200, "text/html", "<html><head><title>Welcome to nginx!</title></head><body>...</body></html>")
                   .withFraming(R::Framing::Chunked).splitEvery(1)
            << QStringList{QStringLiteral("Welcome to nginx!")};
        QTest::newRow("a non-streamed JSON completion")
            << R::plain(200, "application/json",
                        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}")
            << QStringList{QStringLiteral("application/json"), QStringLiteral("chat.completion")};
        QTest::newRow("event-stream type, JSON body")
            << R::rawEvents("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}")
            << QStringList{QStringLiteral("did not send a stream of events"), QStringLiteral("chat.completion")};
        QTest::newRow("events whose data is not JSON") << R::rawEvents("data: hello world\n\n")
                                                       << QStringList{QStringLiteral("hello world")};
    }

    void notAnEventStream()
    {
        QFETCH(ScriptedResponse, response);
        QFETCH(QStringList, fragments);
        m_server.enqueue(response);
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderProtocol);
        for (const QString &fragment : std::as_const(fragments))
            QVERIFY2(result.error().message().contains(fragment), qPrintable(result.error().message()));
        QVERIFY(sink.pieces.isEmpty());
    }

    void errorObjectMidStream()
    {
        const QByteArray body = sseEvent(chatChunkJson(QStringLiteral("Partial "))) + sseEvent(chatChunkJson(QStringLiteral("answer")))
            + sseEvent("{\"error\":{\"message\":\"The server is overloaded, please retry\",\"type\":\"server_error\",\"code\":null}}");
        m_server.enqueue(ScriptedResponse::rawEvents(body).splitEvery(40).withDelay(2ms));
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderError);
        QVERIFY2(result.error().message().contains(u"The server is overloaded"), qPrintable(result.error().message()));
        QCOMPARE(sink.text(), QStringLiteral("Partial answer"));
    }

    void connectionRefused()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/v1").arg(port));
        OpenAiProvider provider(settingsFor(url));
        CollectingSink sink;
        const auto result = run(provider, sink);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderUnreachable);
        QVERIFY2(result.error().message().contains(url.toString()), qPrintable(result.error().message()));
    }

    void connectTimeout()
    {
#ifdef Q_OS_UNIX
        // A listening socket with a full accept queue: Linux drops further SYNs, so connecting hangs.
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), length), 0);
        QCOMPARE(::listen(fd, 0), 0);
        QCOMPARE(::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length), 0);
        const quint16 port = ntohs(address.sin_port);
        QList<QTcpSocket *> fillers;
        for (int i = 0; i < 2; ++i) {
            auto *filler = new QTcpSocket(this);
            filler->connectToHost(QHostAddress::LocalHost, port);
            filler->waitForConnected(200);
            fillers << filler;
        }
        OpenAiSettings s = settingsFor(QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(port)));
        s.connectTimeout = 300ms;
        s.idleTimeout = 5s;
        OpenAiProvider provider(s);
        CollectingSink sink;
        QElapsedTimer clock;
        clock.start();
        const auto result = run(provider, sink);
        const qint64 elapsed = clock.elapsed();
        qDeleteAll(fillers);
        ::close(fd);
        QVERIFY(!result);
        QCOMPARE(result.error().code(), ErrorCode::ProviderUnreachable);
        QVERIFY2(result.error().message().contains(u"within 300 ms"), qPrintable(result.error().message()));
        QVERIFY2(elapsed >= 280 && elapsed < 2000, qPrintable(QString::number(elapsed)));
#else
        QSKIP("needs POSIX sockets");
#endif
    }

    void cancelMidStream()
    {
        QStringList pieces;
        for (int i = 0; i < 50; ++i)
            pieces << QStringLiteral("piece %1 ").arg(i);
        m_server.enqueue(ScriptedResponse::stream(pieces).withDelay(20ms));
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        auto cancel = std::make_shared<CancelToken>();
        CollectingSink sink;
        sink.onPiece = [&](int received) {
            if (received == 2)
                cancel->cancel();
        };
        QElapsedTimer clock;
        clock.start();
        const auto result = run(provider, sink, cancel);
        VERIFY_OK(result);
        QVERIFY(result->cancelled);
        QCOMPARE(sink.text(), pieces.mid(0, 2).join(QString()));
        QVERIFY2(clock.elapsed() < 800, qPrintable(QString::number(clock.elapsed()))); // the whole stream takes > 1 s
        QTRY_COMPARE(m_server.connectionsClosedByClient(), 1); // the request was really aborted
        QTRY_COMPARE(liveReplies(provider), 0);
    }

    void cancelWhileWaiting()
    {
        // Cancelled from outside while the server is silent: no need to wait for the idle timeout.
        m_server.enqueue(ScriptedResponse::stream(kPieces).truncatedAfter(2, ScriptedResponse::Ending::Stall));
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        auto cancel = std::make_shared<CancelToken>();
        CollectingSink sink;
        QTimer::singleShot(150ms, cancel.get(), &CancelToken::cancel);
        QElapsedTimer clock;
        clock.start();
        const auto result = run(provider, sink, cancel);
        VERIFY_OK(result);
        QVERIFY(result->cancelled);
        QCOMPARE(sink.text(), kPieces.first());
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed()))); // idle timeout: 2 s
        QTRY_COMPARE(m_server.connectionsClosedByClient(), 1);
    }

    void cancelledBeforeStart()
    {
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        auto cancel = std::make_shared<CancelToken>();
        cancel->cancel();
        CollectingSink sink;
        const auto result = run(provider, sink, cancel);
        VERIFY_OK(result);
        QVERIFY(result->cancelled);
        QTest::qWait(50);
        QCOMPARE(m_server.requests().size(), 0);
    }

    void providerDestroyedMidStream()
    {
        m_server.enqueue(ScriptedResponse::stream(kPieces).truncatedAfter(2, ScriptedResponse::Ending::Stall));
        auto *provider = new OpenAiProvider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        QTimer::singleShot(150ms, provider, [provider] { delete provider; });
        const auto result = run(*provider, sink);
        VERIFY_OK(result);
        QVERIFY(result->cancelled);
        QCOMPARE(sink.text(), kPieces.first());
        QTRY_COMPARE(m_server.connectionsClosedByClient(), 1);
    }

    void providerDestroyedBySink()
    {
        m_server.enqueue(ScriptedResponse::stream(kPieces).withDelay(10ms));
        auto *provider = new OpenAiProvider(settingsFor(m_server.baseUrl()));
        CollectingSink sink;
        sink.onPiece = [&](int) { delete provider; };
        const auto result = run(*provider, sink);
        VERIFY_OK(result);
        QVERIFY(result->cancelled);
        QCOMPARE(sink.text(), kPieces.first());
    }

    void repliesAreDisposed()
    {
        // 200 answers back to back through one provider leave no request behind.
        constexpr int kAnswers = 200;
        OpenAiProvider provider(settingsFor(m_server.baseUrl()));
        int maxLive = 0;
        for (int i = 0; i < kAnswers; ++i) {
            m_server.enqueue(ScriptedResponse::stream({QStringLiteral("answer %1").arg(i)}));
            CollectingSink sink;
            const auto result = run(provider, sink);
            VERIFY_OK(result);
            QCOMPARE(sink.text(), QStringLiteral("answer %1").arg(i));
            maxLive = std::max(maxLive, liveReplies(provider));
        }
        QCOMPARE(m_server.requests().size(), kAnswers);
        QVERIFY2(maxLive <= 3, qPrintable(QString::number(maxLive)));
        QTRY_COMPARE(liveReplies(provider), 0);
        // One kept-alive connection carries every answer.
        QCOMPARE(m_server.connectionsAccepted(), 1);
        QCOMPARE(provider.idleConnections(), 1);
    }

    void errorRepliesAreDisposed()
    {
        OpenAiSettings s = settingsFor(m_server.baseUrl());
        s.idleTimeout = 200ms;
        OpenAiProvider provider(s);
        m_server.enqueue(ScriptedResponse::jsonError(500, QStringLiteral("boom"), QStringLiteral("server_error")));
        m_server.enqueue(ScriptedResponse::stream(kPieces).truncatedAfter(2, ScriptedResponse::Ending::Stall));
        m_server.enqueue(ScriptedResponse::stream(kPieces).truncatedAfter(2, ScriptedResponse::Ending::Reset));
        for (int i = 0; i < 3; ++i) {
            CollectingSink sink;
            QVERIFY(!run(provider, sink));
        }
        QTRY_COMPARE(liveReplies(provider), 0);
    }

private:
    OpenAiTestServer m_server;
};

QTEST_GUILESS_MAIN(TestOpenAiProvider)
#include "tst_openaiprovider.moc"
