#pragma once

// A small HTTP/1.1 client for long streamed responses, on QTcpSocket/QSslSocket in the thread
// that uses it. Why not QNetworkAccessManager: Qt 6.4's HTTP/1.1 reader makes ~5 read() calls
// and one cross-thread wake-up per chunk of a chunked response, which made streaming 20,000
// tokens 14× slower than curl (BENCHMARKS.md). This client reads whatever has arrived in one
// call, strips the framing in place and wakes its reader once per read.
//
// One client per service: it keeps idle connections (keep-alive) per origin for reuse, so a
// conversation against a hosted API pays the TCP and TLS handshakes once.

#include "httpresponseparser.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#ifndef QT_NO_SSL
#include <QSslConfiguration>
#endif

#include <chrono>
#include <coroutine>
#include <memory>
#include <optional>

class QTcpSocket;

namespace heliodesk {

class HttpClient;

struct HttpRequest {
    QByteArray method = QByteArrayLiteral("POST");
    QUrl url;                                    // http or https
    QList<QPair<QByteArray, QByteArray>> fields; // besides Host, Content-Length, Accept-Encoding, User-Agent
    QByteArray body;
};

/// One request and its response, read as it arrives. Owned by whoever started it (a coroutine);
/// destroying it aborts the request, or returns a finished connection to the client's pool.
class HttpExchange : public QObject
{
    Q_OBJECT

public:
    enum class Failure {
        None,
        HostNotFound,
        ConnectionRefused,
        ConnectTimeout,
        Tls,
        ClosedWithoutAnswer, // the connection ended before any byte of a response
        Network,             // reset, unreachable network, proxy failure, …
        Protocol,            // not HTTP/1.x, or framing that cannot be read
        Truncated,           // the connection ended inside the body
        Aborted,             // abort(): the caller stopped it
    };

    ~HttpExchange() override;

    /// The transport is up (TCP, and TLS for https) and the request is being sent.
    [[nodiscard]] bool isConnected() const { return m_connected; }
    /// A new connection is being opened for this request (not a reused one).
    [[nodiscard]] bool isConnecting() const { return !m_connected && m_failure == Failure::None; }
    [[nodiscard]] bool hasHead() const { return m_parser.hasHead(); }
    [[nodiscard]] const HttpResponseHead &head() const { return m_parser.head(); }
    /// The body bytes that arrived and were not yet discarded, framing removed.
    [[nodiscard]] QByteArrayView body() const { return m_body; }
    /// Drops the body bytes read so far (keeping the buffer for the next ones).
    void discardBody() { m_body.resize(0); }
    /// The response is complete, or the exchange failed; nothing more will arrive.
    [[nodiscard]] bool isFinished() const;
    [[nodiscard]] Failure failure() const { return m_failure; }
    /// What failed, in words (from the socket or the parser), for messages and logs.
    [[nodiscard]] const QString &failureText() const { return m_failureText; }
    [[nodiscard]] bool reusedConnection() const { return m_reused; }

    /// Stops the request and closes its connection; a waiting coroutine resumes.
    void abort();

    /// co_await exchange->changed(timeout): resumes once something happened (bytes, the head, the
    /// end, a failure) or after `timeout` (negative: none). True when something happened. The
    /// coroutine always resumes from the event loop, never inside a socket's signal.
    class ChangeAwaiter
    {
    public:
        ChangeAwaiter(HttpExchange *exchange, std::chrono::milliseconds timeout)
            : m_exchange(exchange)
            , m_timeout(timeout)
        {
        }
        bool await_ready() const noexcept { return m_exchange->m_changed; }
        void await_suspend(std::coroutine_handle<> waiter);
        bool await_resume() noexcept { return std::exchange(m_exchange->m_changed, false); }

    private:
        HttpExchange *m_exchange;
        std::chrono::milliseconds m_timeout;
    };
    [[nodiscard]] ChangeAwaiter changed(std::chrono::milliseconds timeout) { return {this, timeout}; }

private:
    friend class HttpClient;
    HttpExchange(HttpClient *client, HttpRequest request, std::chrono::milliseconds connectTimeout);

    void start(bool allowReuse);
    void attach(QTcpSocket *socket, bool reused);
    void detachSocket();
    void sendRequest();
    void onReadyRead();
    void onDisconnected();
    void onSocketError();
    void onConnectTimeout();
    void finishWith(Failure failure, QString text);
    void complete();
    void notifyChange();
    void resumeWaiter();

    QPointer<HttpClient> m_client;
    HttpRequest m_request;
    QString m_origin;
    std::chrono::milliseconds m_connectTimeout;
    QTcpSocket *m_socket = nullptr;
    bool m_reused = false;
    bool m_retried = false;
    bool m_connected = false;
    bool m_done = false; // complete or failed
    Failure m_failure = Failure::None;
    QString m_failureText;
    HttpResponseParser m_parser;
    QByteArray m_body;
    QByteArray m_readBuffer; // reused for every read: a fresh one per read costs page faults
    QTimer m_connectTimer;

    bool m_changed = false;
    bool m_resumePosted = false;
    std::coroutine_handle<> m_waiter;
    QTimer m_waitTimer;
};

class HttpClient : public QObject
{
    Q_OBJECT

public:
    explicit HttpClient(QObject *parent = nullptr);
    /// Aborts the exchanges still running (their coroutines resume and see Aborted).
    ~HttpClient() override;

    /// Starts a request. `connectTimeout` bounds opening a new connection (0: no bound of its own).
    std::unique_ptr<HttpExchange> send(HttpRequest request, std::chrono::milliseconds connectTimeout);

    /// Requests running, and idle connections kept for reuse: what tests check for leaks.
    [[nodiscard]] int runningExchanges() const { return int(m_running.size()); }
    [[nodiscard]] int idleConnections() const;
    /// Closes the idle connections.
    void closeIdleConnections();

#ifndef QT_NO_SSL
    /// The TLS settings of new https connections (whose certificates to trust, …); by default
    /// Qt's, which trust the system's certificate authorities.
    void setTlsConfiguration(const QSslConfiguration &configuration);
#endif

    /// How long an idle connection is kept. A server that closes one sooner is noticed (its FIN
    /// ends the idle connection), and a request that meets a close in flight is sent again once
    /// on a new connection.
    static constexpr std::chrono::milliseconds kIdleLifetime{60'000};
    static constexpr int kMaxIdlePerOrigin = 4;

private:
    friend class HttpExchange;
    static QString originOf(const QUrl &url);
    QTcpSocket *takeIdle(const QString &origin);
    void keepIdle(const QString &origin, QTcpSocket *socket);
    void dropIdle(QTcpSocket *socket);

    struct Idle {
        QTcpSocket *socket;
        QString origin;
    };
    QList<Idle> m_idle;
    QList<HttpExchange *> m_running;
#ifndef QT_NO_SSL
    std::optional<QSslConfiguration> m_tls;
#endif
};

} // namespace heliodesk
