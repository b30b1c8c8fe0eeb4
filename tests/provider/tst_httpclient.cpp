// The HTTP/1.1 client against a raw TCP server on 127.0.0.1 that each test scripts byte by byte:
// framing, keep-alive reuse and its races, failures, aborting, and the bytes of the request.

#include "model/net/httpclient.h"

#include <QCoroTask>

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

using namespace heliodesk;
using namespace std::chrono_literals;

using Failure = HttpExchange::Failure;

Q_DECLARE_METATYPE(heliodesk::HttpExchange::Failure)

namespace {

const char *nameOf(Failure failure)
{
    switch (failure) {
    case Failure::None: return "None";
    case Failure::HostNotFound: return "HostNotFound";
    case Failure::ConnectionRefused: return "ConnectionRefused";
    case Failure::ConnectTimeout: return "ConnectTimeout";
    case Failure::Tls: return "Tls";
    case Failure::ClosedWithoutAnswer: return "ClosedWithoutAnswer";
    case Failure::Network: return "Network";
    case Failure::Protocol: return "Protocol";
    case Failure::Truncated: return "Truncated";
    case Failure::Aborted: return "Aborted";
    }
    return "?";
}

} // namespace

template<>
inline char *QTest::toString<heliodesk::HttpExchange::Failure>(const heliodesk::HttpExchange::Failure &failure)
{
    return qstrdup(nameOf(failure));
}

namespace {

/// One thing the server does on a connection, in order.
struct Step {
    enum class Kind {
        Request, // wait until a whole request (head and Content-Length body) has arrived
        Write,   // send bytes, perhaps in pieces with a pause before each
        Hold,    // wait until the test calls RawServer::release()
        Close,   // close (FIN) and stop
        Reset,   // reset (RST: SO_LINGER 0) and stop
    };
    Kind kind;
    QByteArray bytes;
    int splitEvery = 0; // 0: one write
    std::chrono::milliseconds pause{0};
};
using Script = QList<Step>;

} // namespace

Q_DECLARE_METATYPE(Script)

namespace {

Step readRequest() { return {Step::Kind::Request, {}, 0, 0ms}; }
Step send(QByteArray bytes, int splitEvery = 0, std::chrono::milliseconds pause = 0ms)
{
    return {Step::Kind::Write, std::move(bytes), splitEvery, pause};
}
Step holdOn() { return {Step::Kind::Hold, {}, 0, 0ms}; }
Step closeConnection() { return {Step::Kind::Close, {}, 0, 0ms}; }
Step resetConnection() { return {Step::Kind::Reset, {}, 0, 0ms}; }

QByteArray chunked(const QList<QByteArray> &pieces, const QByteArray &extraFields = {})
{
    QByteArray bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + extraFields + "Transfer-Encoding: chunked\r\n\r\n";
    for (const QByteArray &piece : pieces)
        bytes += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    return bytes + "0\r\n\r\n";
}

QByteArray withLength(const QByteArray &body, const QByteArray &extraFields = {})
{
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + extraFields + "Content-Length: " + QByteArray::number(body.size())
           + "\r\n\r\n" + body;
}

/// A TCP server on 127.0.0.1 whose connections follow scripts: the n-th connection accepted
/// takes the n-th script (none: it reads and stays silent). It records every request.
class RawServer : public QObject
{
    Q_OBJECT

public:
    RawServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, &RawServer::onNewConnection);
    }
    ~RawServer() override { reset(); }

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] QUrl url(const QString &pathAndQuery = QStringLiteral("/v1/chat/completions")) const
    {
        return QUrl(u"http://127.0.0.1:" + QString::number(port()) + pathAndQuery);
    }

    void enqueue(Script script) { m_scripts.append(std::move(script)); }
    [[nodiscard]] int pendingScripts() const { return int(m_scripts.size()); }
    [[nodiscard]] int accepted() const { return m_accepted; }
    /// Each request as received: head and body.
    [[nodiscard]] const QList<QByteArray> &requests() const { return m_requests; }

    /// Lets every connection waiting at a Hold step go on.
    void release()
    {
        for (const auto &c : m_connections) {
            if (c->held) {
                c->held = false;
                ++c->next;
                advance(c.get());
            }
        }
    }

    /// Closes every connection, forgets scripts, requests and counts.
    void reset()
    {
        for (const auto &c : m_connections) {
            c->socket->disconnect(this);
            c->socket->abort();
            delete c->socket; // never inside one of its signals: reset() runs from the test
        }
        m_connections.clear();
        m_scripts.clear();
        m_requests.clear();
        m_accepted = 0;
    }

Q_SIGNALS:
    void requestReceived();

private:
    struct Connection {
        QTcpSocket *socket = nullptr;
        Script script;
        qsizetype next = 0;     // the step being done
        qsizetype written = 0;  // bytes of the current Write step sent
        bool pausing = false;
        bool paused = false;    // the pause before the next piece is over
        bool held = false;
        bool ended = false;
        QByteArray buffer;
    };

    void onNewConnection()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            ++m_accepted;
            auto c = std::make_unique<Connection>();
            c->socket = socket;
            c->script = m_scripts.isEmpty() ? Script{readRequest()} : m_scripts.takeFirst();
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            Connection *raw = c.get();
            connect(socket, &QTcpSocket::readyRead, this, [this, raw] {
                raw->buffer += raw->socket->readAll();
                advance(raw);
            });
            m_connections.push_back(std::move(c));
            advance(raw);
        }
    }

    /// A whole request at the start of the buffer, taken out of it; empty when not all there yet.
    static QByteArray takeRequest(QByteArray &buffer)
    {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return {};
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(headEnd).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        const qsizetype total = headEnd + 4 + length;
        if (buffer.size() < total)
            return {};
        QByteArray whole = buffer.left(total);
        buffer.remove(0, total);
        return whole;
    }

    void advance(Connection *c)
    {
        while (!c->ended && !c->pausing && !c->held && c->next < c->script.size()) {
            const Step &step = c->script.at(c->next);
            switch (step.kind) {
            case Step::Kind::Request: {
                const QByteArray whole = takeRequest(c->buffer);
                if (whole.isEmpty())
                    return;
                m_requests.append(whole);
                ++c->next;
                Q_EMIT requestReceived();
                break;
            }
            case Step::Kind::Write: {
                if (step.pause > 0ms && !c->paused) {
                    c->pausing = true;
                    QTimer::singleShot(step.pause, c->socket, [this, c] {
                        c->pausing = false;
                        c->paused = true;
                        advance(c);
                    });
                    return;
                }
                c->paused = false;
                const qsizetype size = step.splitEvery > 0 ? step.splitEvery : step.bytes.size();
                c->socket->write(step.bytes.mid(c->written, size));
                c->socket->flush();
                c->written += size;
                if (c->written >= step.bytes.size()) {
                    c->written = 0;
                    ++c->next;
                }
                break;
            }
            case Step::Kind::Hold:
                c->held = true;
                return;
            case Step::Kind::Close:
                c->ended = true;
                c->socket->disconnectFromHost();
                return;
            case Step::Kind::Reset:
                c->ended = true;
#ifdef Q_OS_UNIX
                {
                    const struct linger lingerOff{1, 0}; // close() then sends a RST instead of a FIN
                    ::setsockopt(int(c->socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &lingerOff, sizeof lingerOff);
                }
#endif
                c->socket->abort();
                return;
            }
        }
    }

    QTcpServer m_server;
    QList<Script> m_scripts;
    std::vector<std::unique_ptr<Connection>> m_connections;
    QList<QByteArray> m_requests;
    int m_accepted = 0;
};

/// What a finished exchange left.
struct Fetched {
    bool finished = false;
    bool timedOut = false; // a changed() wait timed out before the end
    Failure failure = Failure::None;
    QString failureText;
    int status = 0;
    HttpResponseHead head;
    QByteArray body;
    bool reused = false;
};

HttpRequest post(const QUrl &url, QByteArray body = "{\"stream\":true}")
{
    HttpRequest r;
    r.url = url;
    r.fields = {{"Content-Type", "application/json"}};
    r.body = std::move(body);
    return r;
}

/// Reads an exchange to its end, as the provider does. `onBody` runs each time body bytes arrived.
QCoro::Task<Fetched> readToEnd(HttpExchange *exchange, std::function<void(const QByteArray &)> onBody = {})
{
    Fetched f;
    while (!exchange->isFinished()) {
        if (!co_await exchange->changed(5s)) {
            f.timedOut = true;
            break;
        }
        if (!exchange->body().isEmpty()) {
            f.body.append(exchange->body());
            exchange->discardBody();
            if (onBody)
                onBody(f.body);
        }
    }
    f.body.append(exchange->body());
    exchange->discardBody();
    f.finished = exchange->isFinished();
    f.failure = exchange->failure();
    f.failureText = exchange->failureText();
    f.head = exchange->head();
    f.status = f.head.status;
    f.reused = exchange->reusedConnection();
    co_return f;
}

QCoro::Task<Fetched> fetch(HttpClient *client, HttpRequest request, std::function<void(const QByteArray &)> onBody = {})
{
    std::unique_ptr<HttpExchange> exchange = client->send(std::move(request), 2s);
    co_return co_await readToEnd(exchange.get(), std::move(onBody));
}

/// One wait for a change, as the provider does between reads.
QCoro::Task<bool> waitForChange(HttpExchange *exchange, std::chrono::milliseconds timeout)
{
    co_return co_await exchange->changed(timeout);
}

/// The value of a field in a raw request head (case-insensitive name); every occurrence.
QList<QByteArray> requestFields(const QByteArray &request, QByteArrayView name)
{
    QList<QByteArray> values;
    const QByteArray head = request.left(request.indexOf("\r\n\r\n"));
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && QByteArrayView(line).first(colon).compare(name, Qt::CaseInsensitive) == 0)
            values << line.mid(colon + 1).trimmed();
    }
    return values;
}

const QList<QByteArray> kPieces{"data: {\"choices\":[{\"delta\":{\"content\":\"A capacity factor \"}}]}\n\n",
                                "data: {\"choices\":[{\"delta\":{\"content\":\"is a ratio.\"}}]}\n\n", "data: [DONE]\n\n"};

QByteArray joined(const QList<QByteArray> &pieces)
{
    QByteArray all;
    for (const QByteArray &piece : pieces)
        all += piece;
    return all;
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void readsAChunkedResponse_data();
    void readsAChunkedResponse();
    void reusesAKeptAliveConnection();
    void keepsTheConnectionOnlyWhenItMay_data();
    void keepsTheConnectionOnlyWhenItMay();
    void keepsAtMostFourIdleConnections();
    void idleConnectionClosedByTheServerIsNotReused();
    void retriesOnceWhenAKeptAliveConnectionCloses_data();
    void retriesOnceWhenAKeptAliveConnectionCloses();
    void retriesOnlyOnce();
    void connectionRefused();
    void closedWithoutAnswer();
    void resetInsideTheBody();
    void notHttp_data();
    void notHttp();
    void abortWakesTheWaiter();
    void destroyingTheClientAbortsItsExchanges();
    void changedTimesOutWhenTheServerIsSilent();
    void requestOnTheWire();
    void requestWithoutBodyOrPath();

private:
    RawServer m_server;
    std::unique_ptr<HttpClient> m_client;
};

void TestHttpClient::initTestCase()
{
    QVERIFY(m_server.listen());
}

void TestHttpClient::init()
{
    m_server.reset();
    m_client = std::make_unique<HttpClient>();
}

void TestHttpClient::cleanup()
{
    if (m_client) {
        QCOMPARE(m_client->runningExchanges(), 0);
        m_client.reset();
    }
    QCOMPARE(m_server.pendingScripts(), 0);
    m_server.reset();
}

void TestHttpClient::readsAChunkedResponse_data()
{
    QTest::addColumn<int>("splitEvery");
    QTest::addColumn<int>("pauseMs");

    QTest::newRow("one write") << 0 << 0;
    QTest::newRow("7-byte writes") << 7 << 0;
    QTest::newRow("1-byte writes, 1 ms apart") << 1 << 1;
}

void TestHttpClient::readsAChunkedResponse()
{
    QFETCH(int, splitEvery);
    QFETCH(int, pauseMs);

    m_server.enqueue({readRequest(), send(chunked(kPieces, "X-Request-Id: 42\r\n"), splitEvery, std::chrono::milliseconds(pauseMs))});
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QVERIFY(!f.timedOut);
    QVERIFY(f.finished);
    QCOMPARE(f.failure, Failure::None);
    QVERIFY2(f.failureText.isEmpty(), qPrintable(f.failureText));
    QCOMPARE(f.status, 200);
    QCOMPARE(f.head.value("x-request-id"), QByteArray("42"));
    QCOMPARE(f.body, joined(kPieces));
    QVERIFY(!f.reused);
    QCOMPARE(m_server.accepted(), 1);
    QCOMPARE(m_client->idleConnections(), 1);
}

void TestHttpClient::reusesAKeptAliveConnection()
{
    m_server.enqueue({readRequest(), send(chunked(kPieces)), readRequest(), send(withLength("second"))});

    const Fetched first = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QCOMPARE(first.failure, Failure::None);
    QCOMPARE(first.body, joined(kPieces));
    QVERIFY(!first.reused);
    QCOMPARE(m_client->idleConnections(), 1);

    const Fetched second = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QCOMPARE(second.failure, Failure::None);
    QCOMPARE(second.body, QByteArray("second"));
    QVERIFY(second.reused);

    QCOMPARE(m_server.accepted(), 1);
    QCOMPARE(m_server.requests().size(), 2);
    QCOMPARE(m_client->idleConnections(), 1);
}

void TestHttpClient::keepsTheConnectionOnlyWhenItMay_data()
{
    QTest::addColumn<Script>("script");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("idle");

    QTest::newRow("Content-Length") << Script{readRequest(), send(withLength("abc"))} << 200 << QByteArray("abc") << 1;
    QTest::newRow("chunked, 1-byte writes") << Script{readRequest(), send(chunked({"abc", "de"}), 1)} << 200
                                            << QByteArray("abcde") << 1;
    QTest::newRow("204") << Script{readRequest(), send("HTTP/1.1 204 No Content\r\n\r\n")} << 204 << QByteArray() << 1;
    QTest::newRow("100 Continue first") << Script{readRequest(), send("HTTP/1.1 100 Continue\r\n\r\n" + withLength("abc"))}
                                        << 200 << QByteArray("abc") << 1;
    QTest::newRow("Connection: close") << Script{readRequest(), send(withLength("abc", "Connection: close\r\n"))} << 200
                                       << QByteArray("abc") << 0;
    QTest::newRow("HTTP/1.0") << Script{readRequest(), send("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc")} << 200
                              << QByteArray("abc") << 0;
    QTest::newRow("HTTP/1.0 keep-alive")
        << Script{readRequest(), send("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc")} << 200
        << QByteArray("abc") << 1;
    QTest::newRow("body until the close")
        << Script{readRequest(), send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nab"), send("c"), closeConnection()}
        << 200 << QByteArray("abc") << 0;
    QTest::newRow("bytes after the response") << Script{readRequest(), send(withLength("abc") + "HTTP/1.1 200 OK\r\n")} << 200
                                              << QByteArray("abc") << 0;
    QTest::newRow("bytes after the response, later")
        << Script{readRequest(), send(withLength("abc")), send("\r\n", 0, 20ms)} << 200 << QByteArray("abc") << 0;
}

void TestHttpClient::keepsTheConnectionOnlyWhenItMay()
{
    QFETCH(Script, script);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, idle);

    m_server.enqueue(script);
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QVERIFY(!f.timedOut);
    QCOMPARE(f.failure, Failure::None);
    QCOMPARE(f.status, status);
    QCOMPARE(f.body, body);
    // Whatever the server does after the response (bytes nobody asked for) ends an idle connection.
    QTRY_COMPARE(m_client->idleConnections(), idle);
}

void TestHttpClient::keepsAtMostFourIdleConnections()
{
    std::vector<std::unique_ptr<HttpExchange>> exchanges;
    for (int i = 0; i < 5; ++i) {
        m_server.enqueue({readRequest(), send(withLength(QByteArray::number(i)))});
        exchanges.push_back(m_client->send(post(m_server.url()), 2s));
    }
    for (const auto &exchange : exchanges) {
        const Fetched f = QCoro::waitFor(readToEnd(exchange.get()));
        QCOMPARE(f.failure, Failure::None);
        QCOMPARE(f.body.size(), 1);
    }
    QCOMPARE(m_server.accepted(), 5);
    QCOMPARE(m_client->idleConnections(), HttpClient::kMaxIdlePerOrigin);
    exchanges.clear();
    QCOMPARE(m_client->idleConnections(), HttpClient::kMaxIdlePerOrigin);
    m_client->closeIdleConnections();
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::idleConnectionClosedByTheServerIsNotReused()
{
    m_server.enqueue({readRequest(), send(withLength("first")), holdOn(), closeConnection()});
    m_server.enqueue({readRequest(), send(withLength("second"))});

    const Fetched first = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QCOMPARE(first.failure, Failure::None);
    QCOMPARE(m_client->idleConnections(), 1);

    m_server.release(); // the server closes the idle connection
    QTRY_COMPARE(m_client->idleConnections(), 0);

    const Fetched second = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QCOMPARE(second.failure, Failure::None);
    QCOMPARE(second.body, QByteArray("second"));
    QVERIFY(!second.reused);
    QCOMPARE(m_server.accepted(), 2);
    QCOMPARE(m_client->idleConnections(), 1);
}

void TestHttpClient::retriesOnceWhenAKeptAliveConnectionCloses_data()
{
    QTest::addColumn<bool>("withReset");
    QTest::newRow("closed") << false;
    QTest::newRow("reset") << true;
}

void TestHttpClient::retriesOnceWhenAKeptAliveConnectionCloses()
{
    QFETCH(bool, withReset);

    // The server ends the kept-alive connection just as the second request arrives, unanswered:
    // the client cannot tell it from a server that timed the connection out a moment before, and
    // sends the request again on a new connection.
    m_server.enqueue({readRequest(), send(withLength("first")), readRequest(), withReset ? resetConnection() : closeConnection()});
    m_server.enqueue({readRequest(), send(chunked({"retried"}))});

    const Fetched first = QCoro::waitFor(fetch(m_client.get(), post(m_server.url(), "one")));
    QCOMPARE(first.failure, Failure::None);
    QCOMPARE(m_client->idleConnections(), 1);

    const Fetched second = QCoro::waitFor(fetch(m_client.get(), post(m_server.url(), "two")));
    QVERIFY(!second.timedOut);
    QCOMPARE(second.failure, Failure::None);
    QCOMPARE(second.body, QByteArray("retried"));
    QVERIFY(!second.reused); // answered on the new connection

    QCOMPARE(m_server.accepted(), 2);
    QCOMPARE(m_server.requests().size(), 3);
    QVERIFY(m_server.requests().at(1).endsWith("two"));
    QCOMPARE(m_server.requests().at(2), m_server.requests().at(1));
    QCOMPARE(m_client->idleConnections(), 1);
}

void TestHttpClient::retriesOnlyOnce()
{
    m_server.enqueue({readRequest(), send(withLength("first")), readRequest(), closeConnection()});
    m_server.enqueue({readRequest(), closeConnection()});

    const Fetched first = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QCOMPARE(first.failure, Failure::None);

    const Fetched second = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QVERIFY(second.finished);
    QCOMPARE(second.failure, Failure::ClosedWithoutAnswer);
    QVERIFY(!second.failureText.isEmpty());
    QCOMPARE(m_server.accepted(), 2);
    QCOMPARE(m_server.requests().size(), 3);
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::connectionRefused()
{
    // A port that was just free: nothing listens on it.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    const QUrl url(u"http://127.0.0.1:" + QString::number(port) + u"/v1/chat/completions");
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), post(url)));
    QVERIFY(!f.timedOut);
    QVERIFY(f.finished);
    QCOMPARE(f.failure, Failure::ConnectionRefused);
    QVERIFY(!f.failureText.isEmpty());
    QCOMPARE(f.status, 0);
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::closedWithoutAnswer()
{
    m_server.enqueue({readRequest(), closeConnection()});
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QVERIFY(!f.timedOut);
    QCOMPARE(f.failure, Failure::ClosedWithoutAnswer);
    QVERIFY(!f.failureText.isEmpty());
    QCOMPARE(m_server.accepted(), 1); // a new connection is not retried
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::resetInsideTheBody()
{
    // The head and the first chunk, then a reset once the client has read them (a reset may
    // discard what the client's kernel holds unread, so the test waits for the bytes to be read).
    const QByteArray head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    m_server.enqueue({readRequest(), send(head + "5\r\nhello\r\n10\r\nhalf"), holdOn(), resetConnection()});
    bool released = false;
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), post(m_server.url()), [&](const QByteArray &body) {
        if (body == "hellohalf" && !std::exchange(released, true))
            m_server.release();
    }));
    QVERIFY(released);
    QVERIFY(!f.timedOut);
    QCOMPARE(f.failure, Failure::Truncated);
    QVERIFY(!f.failureText.isEmpty());
    QCOMPARE(f.status, 200);
    QCOMPARE(f.body, QByteArray("hellohalf"));
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::notHttp_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::newRow("SSH banner, no newline yet") << QByteArray("SSH-2.0-OpenSSH_9.6");
    QTest::newRow("TLS alert") << QByteArray("\x15\x03\x01\x00\x02\x02\x46", 7);
    QTest::newRow("HTTP/2") << QByteArray("HTTP/2 200\r\n\r\n");
    QTest::newRow("bad chunk size") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
}

void TestHttpClient::notHttp()
{
    QFETCH(QByteArray, answer);

    // The server says something and then nothing more: the client must not wait for more.
    m_server.enqueue({readRequest(), send(answer), holdOn()});
    QElapsedTimer clock;
    clock.start();
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), post(m_server.url())));
    QVERIFY(!f.timedOut);
    QCOMPARE(f.failure, Failure::Protocol);
    QVERIFY(!f.failureText.isEmpty());
    QVERIFY2(clock.elapsed() < 2000, QByteArray::number(clock.elapsed()).constData());
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::abortWakesTheWaiter()
{
    m_server.enqueue({readRequest(), holdOn()});
    std::unique_ptr<HttpExchange> exchange = m_client->send(post(m_server.url()), 2s);
    connect(&m_server, &RawServer::requestReceived, exchange.get(), [&exchange] { exchange->abort(); });

    QElapsedTimer clock;
    clock.start();
    const bool changed = QCoro::waitFor(waitForChange(exchange.get(), 5s));
    QVERIFY(changed);
    QVERIFY2(clock.elapsed() < 4000, QByteArray::number(clock.elapsed()).constData());
    QVERIFY(exchange->isFinished());
    QCOMPARE(exchange->failure(), Failure::Aborted);
    QCOMPARE(m_server.requests().size(), 1);

    exchange->abort(); // twice changes nothing
    QCOMPARE(exchange->failure(), Failure::Aborted);
    exchange.reset();
    QCOMPARE(m_client->idleConnections(), 0);
}

void TestHttpClient::destroyingTheClientAbortsItsExchanges()
{
    const QByteArray head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    m_server.enqueue({readRequest(), send(head), holdOn()});
    m_server.enqueue({readRequest(), send(head), holdOn()});
    std::unique_ptr<HttpExchange> streaming = m_client->send(post(m_server.url()), 2s);
    std::unique_ptr<HttpExchange> other = m_client->send(post(m_server.url()), 2s);
    QCOMPARE(m_client->runningExchanges(), 2);
    while (!streaming->hasHead())
        QVERIFY(QCoro::waitFor(waitForChange(streaming.get(), 5s)));
    while (!other->hasHead())
        QVERIFY(QCoro::waitFor(waitForChange(other.get(), 5s)));

    // The client goes away while a coroutine waits on one of its exchanges.
    QPointer<HttpClient> client = m_client.get();
    QTimer::singleShot(0, this, [this] { m_client.reset(); });
    QElapsedTimer clock;
    clock.start();
    QVERIFY(QCoro::waitFor(waitForChange(streaming.get(), 5s)));
    QVERIFY2(clock.elapsed() < 4000, QByteArray::number(clock.elapsed()).constData());
    QVERIFY(client.isNull());
    QVERIFY(streaming->isFinished());
    QCOMPARE(streaming->failure(), Failure::Aborted);
    QCOMPARE(streaming->head().status, 200);

    // The one nobody waited on is finished too, and says so at the next wait.
    QVERIFY(other->isFinished());
    QVERIFY(QCoro::waitFor(waitForChange(other.get(), 5s)));
    QCOMPARE(other->failure(), Failure::Aborted);

    streaming->abort(); // nothing left to stop, and no client to tell
    streaming.reset();
    other.reset();
}

void TestHttpClient::changedTimesOutWhenTheServerIsSilent()
{
    m_server.enqueue({readRequest(), holdOn(), send(withLength("late"))});
    std::unique_ptr<HttpExchange> exchange = m_client->send(post(m_server.url()), 2s);
    QSignalSpy received(&m_server, &RawServer::requestReceived);
    QVERIFY(received.wait(2000));

    QElapsedTimer clock;
    clock.start();
    const bool changed = QCoro::waitFor(waitForChange(exchange.get(), 150ms));
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!changed);
    QVERIFY2(elapsed >= 140 && elapsed < 2000, QByteArray::number(elapsed).constData());
    QVERIFY(!exchange->isFinished());
    QCOMPARE(exchange->failure(), Failure::None);
    QVERIFY(exchange->isConnected());
    QVERIFY(!exchange->hasHead());

    // A wait that timed out changes nothing: what comes later is read.
    m_server.release();
    const Fetched f = QCoro::waitFor(readToEnd(exchange.get()));
    QCOMPARE(f.failure, Failure::None);
    QCOMPARE(f.body, QByteArray("late"));
    exchange.reset();
    QCOMPARE(m_client->idleConnections(), 1);
}

void TestHttpClient::requestOnTheWire()
{
    m_server.enqueue({readRequest(), send(withLength("ok"))});
    HttpRequest r;
    r.method = "POST";
    r.url = m_server.url(QStringLiteral("/v1/chat/completions?stream=true&note=a%20b"));
    r.fields = {{"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}, {"X-Custom", "1"}, {"X-Custom", "2"}};
    r.body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Grüße\"}]}";
    const QByteArray body = r.body;

    const Fetched f = QCoro::waitFor(fetch(m_client.get(), r));
    QCOMPARE(f.failure, Failure::None);
    QCOMPARE(m_server.requests().size(), 1);
    const QByteArray &raw = m_server.requests().first();

    QCOMPARE(raw.left(raw.indexOf("\r\n")), QByteArray("POST /v1/chat/completions?stream=true&note=a%20b HTTP/1.1"));
    QCOMPARE(requestFields(raw, "Host"), QList<QByteArray>{QByteArray("127.0.0.1:" + QByteArray::number(m_server.port()))});
    QCOMPARE(requestFields(raw, "Content-Length"), QList<QByteArray>{QByteArray::number(body.size())});
    QCOMPARE(requestFields(raw, "Accept-Encoding"), QList<QByteArray>{"identity"});
    QCOMPARE(requestFields(raw, "Authorization"), QList<QByteArray>{"Bearer sk-test"});
    QCOMPARE(requestFields(raw, "Content-Type"), QList<QByteArray>{"application/json"});
    QCOMPARE(requestFields(raw, "X-Custom"), (QList<QByteArray>{"1", "2"}));
    QCOMPARE(requestFields(raw, "User-Agent").size(), 1);
    QVERIFY(requestFields(raw, "User-Agent").first().startsWith("Heliodesk/"));
    QVERIFY(requestFields(raw, "Transfer-Encoding").isEmpty());
    QCOMPARE(raw.mid(raw.indexOf("\r\n\r\n") + 4), body);
    QVERIFY(!raw.left(raw.indexOf("\r\n\r\n")).contains("\n\n"));
}

void TestHttpClient::requestWithoutBodyOrPath()
{
    m_server.enqueue({readRequest(), send("HTTP/1.1 204 No Content\r\n\r\n")});
    HttpRequest r;
    r.method = "GET";
    r.url = QUrl(u"http://127.0.0.1:" + QString::number(m_server.port()));
    const Fetched f = QCoro::waitFor(fetch(m_client.get(), r));
    QCOMPARE(f.failure, Failure::None);
    QCOMPARE(f.status, 204);
    QCOMPARE(m_server.requests().size(), 1);
    const QByteArray &raw = m_server.requests().first();
    QCOMPARE(raw.left(raw.indexOf("\r\n")), QByteArray("GET / HTTP/1.1"));
    QCOMPARE(requestFields(raw, "Content-Length"), QList<QByteArray>{"0"});
    QVERIFY(raw.endsWith("\r\n\r\n"));
    QCOMPARE(m_client->idleConnections(), 1); // a 204 leaves the connection usable
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
