#include "httpclient.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QTcpSocket>
#ifndef QT_NO_SSL
#include <QSslConfiguration>
#include <QSslSocket>
#endif

namespace heliodesk {

Q_LOGGING_CATEGORY(lcHttp, "heliodesk.http", QtInfoMsg)

namespace {

constexpr qint64 kReadBufferSize = 64 * 1024;

QByteArray requestTarget(const QUrl &url)
{
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    return target;
}

QByteArray hostField(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']'; // an IPv6 literal
    const int defaultPort = url.scheme() == u"https" ? 443 : 80;
    if (url.port() != -1 && url.port() != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

quint16 portOf(const QUrl &url)
{
    return quint16(url.port(url.scheme() == u"https" ? 443 : 80));
}

} // namespace

// ---- HttpExchange ----

HttpExchange::HttpExchange(HttpClient *client, HttpRequest request, std::chrono::milliseconds connectTimeout)
    : m_client(client)
    , m_request(std::move(request))
    , m_origin(HttpClient::originOf(m_request.url))
    , m_connectTimeout(connectTimeout)
{
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, &HttpExchange::onConnectTimeout);
    m_waitTimer.setSingleShot(true);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] {
        if (m_waiter && !m_resumePosted) {
            m_resumePosted = true;
            QMetaObject::invokeMethod(this, &HttpExchange::resumeWaiter, Qt::QueuedConnection);
        }
    });
}

HttpExchange::~HttpExchange()
{
    if (m_client)
        m_client->m_running.removeOne(this);
    if (!m_done)
        qCDebug(lcHttp) << "request to" << m_origin << "dropped before its response was complete";
    detachSocket();
}

bool HttpExchange::isFinished() const
{
    return m_done;
}

void HttpExchange::abort()
{
    finishWith(Failure::Aborted, QStringLiteral("the request was stopped"));
}

void HttpExchange::start(bool allowReuse)
{
    m_connected = false;
    const bool tls = m_request.url.scheme() == u"https";
    if (allowReuse && m_client) {
        if (QTcpSocket *idle = m_client->takeIdle(m_origin)) {
            attach(idle, true);
            m_connected = true;
            sendRequest();
            return;
        }
    }

    QTcpSocket *socket = nullptr;
    if (tls) {
#ifndef QT_NO_SSL
        if (!QSslSocket::supportsSsl()) {
            finishWith(Failure::Tls, QStringLiteral("this installation has no TLS library, so https cannot be used"));
            return;
        }
        auto *ssl = new QSslSocket();
        QSslConfiguration configuration = m_client && m_client->m_tls ? *m_client->m_tls : ssl->sslConfiguration();
        configuration.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        ssl->setSslConfiguration(configuration);
        socket = ssl;
#else
        finishWith(Failure::Tls, QStringLiteral("this build of Heliodesk has no TLS support, so https cannot be used"));
        return;
#endif
    } else {
        socket = new QTcpSocket();
    }
    attach(socket, false);
    if (m_connectTimeout.count() > 0)
        m_connectTimer.start(m_connectTimeout);

    const QString host = m_request.url.host();
    const quint16 port = portOf(m_request.url);
#ifndef QT_NO_SSL
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        connect(ssl, &QSslSocket::encrypted, this, [this] {
            m_connectTimer.stop();
            m_connected = true;
            sendRequest();
        });
        ssl->connectToHostEncrypted(host, port);
        return;
    }
#endif
    connect(socket, &QTcpSocket::connected, this, [this] {
        m_connectTimer.stop();
        m_connected = true;
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        sendRequest();
    });
    socket->connectToHost(host, port);
}

void HttpExchange::attach(QTcpSocket *socket, bool reused)
{
    m_socket = socket;
    m_reused = reused;
    connect(socket, &QTcpSocket::readyRead, this, &HttpExchange::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &HttpExchange::onDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, &HttpExchange::onSocketError);
}

void HttpExchange::detachSocket()
{
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    if (!socket)
        return;
    socket->disconnect(this);
    // Never deleted here: this may run inside one of the socket's own signals.
    socket->abort();
    socket->deleteLater();
}

void HttpExchange::sendRequest()
{
    QByteArray head;
    head.reserve(512);
    head += m_request.method + ' ' + requestTarget(m_request.url) + " HTTP/1.1\r\n";
    head += "Host: " + hostField(m_request.url) + "\r\n";
    head += "User-Agent: Heliodesk/" + QCoreApplication::applicationVersion().toLatin1() + "\r\n";
    // A compressed event stream could not be shown as it arrives.
    head += "Accept-Encoding: identity\r\n";
    for (const auto &[name, value] : std::as_const(m_request.fields))
        head += name + ": " + value + "\r\n";
    head += "Content-Length: " + QByteArray::number(m_request.body.size()) + "\r\n\r\n";
    m_socket->write(head + m_request.body);
}

void HttpExchange::onReadyRead()
{
    if (!m_socket || m_done)
        return;
    while (m_socket->bytesAvailable() > 0 && !m_done) {
        m_readBuffer.resize(std::min<qint64>(m_socket->bytesAvailable(), kReadBufferSize));
        const qint64 n = m_socket->read(m_readBuffer.data(), m_readBuffer.size());
        if (n <= 0)
            break;
        switch (m_parser.feed(QByteArrayView(m_readBuffer.constData(), n), m_body)) {
        case HttpResponseParser::State::Head:
        case HttpResponseParser::State::Body:
            break;
        case HttpResponseParser::State::Complete:
            complete();
            return;
        case HttpResponseParser::State::Failed:
            finishWith(Failure::Protocol, m_parser.error());
            return;
        }
    }
    notifyChange();
}

void HttpExchange::onDisconnected()
{
    if (m_done || !m_socket)
        return;
    onReadyRead(); // what arrived before the end
    if (m_done)
        return;
    if (m_parser.nothingReceived() && m_reused && !m_retried) {
        // The server closed the kept-alive connection as the request went out (it had not
        // seen it): the same request on a new connection, once, as browsers do.
        qCDebug(lcHttp) << "kept-alive connection to" << m_origin << "was closed; retrying on a new one";
        m_retried = true;
        detachSocket();
        start(false);
        return;
    }
    switch (m_parser.closed()) {
    case HttpResponseParser::State::Complete:
        complete();
        return;
    case HttpResponseParser::State::Failed:
        if (m_parser.nothingReceived())
            finishWith(Failure::ClosedWithoutAnswer, m_parser.error());
        else
            finishWith(m_parser.truncated() ? Failure::Truncated : Failure::Protocol, m_parser.error());
        return;
    case HttpResponseParser::State::Head:
    case HttpResponseParser::State::Body:
        return;
    }
}

void HttpExchange::onSocketError()
{
    if (m_done || !m_socket)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    if (error == QAbstractSocket::RemoteHostClosedError) {
        onDisconnected();
        return;
    }
    const QString text = m_socket->errorString();
    if (m_connected && m_parser.nothingReceived() && m_reused && !m_retried) {
        m_retried = true; // a reset of a kept-alive connection: see onDisconnected()
        detachSocket();
        start(false);
        return;
    }
    if (m_connected) {
        onReadyRead();
        if (!m_done)
            finishWith(m_parser.hasHead() ? Failure::Truncated : Failure::Network, text);
        return;
    }
    switch (error) {
    case QAbstractSocket::HostNotFoundError:
        finishWith(Failure::HostNotFound, text);
        return;
    case QAbstractSocket::ConnectionRefusedError:
        finishWith(Failure::ConnectionRefused, text);
        return;
    case QAbstractSocket::SocketTimeoutError:
        finishWith(Failure::ConnectTimeout, text);
        return;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        finishWith(Failure::Tls, text);
        return;
    default:
        finishWith(Failure::Network, text);
        return;
    }
}

void HttpExchange::onConnectTimeout()
{
    if (!m_connected && !m_done)
        finishWith(Failure::ConnectTimeout, QStringLiteral("opening the connection took too long"));
}

void HttpExchange::finishWith(Failure failure, QString text)
{
    if (m_done)
        return;
    m_done = true;
    m_failure = failure;
    m_failureText = std::move(text);
    m_connectTimer.stop();
    detachSocket();
    notifyChange();
}

void HttpExchange::complete()
{
    m_done = true;
    m_connectTimer.stop();
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    if (m_parser.reusable() && m_client && socket->state() == QAbstractSocket::ConnectedState) {
        m_client->keepIdle(m_origin, socket);
    } else {
        socket->abort();
        socket->deleteLater();
    }
    notifyChange();
}

void HttpExchange::notifyChange()
{
    m_changed = true;
    if (m_waiter && !m_resumePosted) {
        m_resumePosted = true;
        QMetaObject::invokeMethod(this, &HttpExchange::resumeWaiter, Qt::QueuedConnection);
    }
}

void HttpExchange::resumeWaiter()
{
    m_resumePosted = false;
    m_waitTimer.stop();
    if (std::coroutine_handle<> waiter = std::exchange(m_waiter, {}))
        waiter.resume(); // may destroy this exchange: nothing may follow
}

void HttpExchange::ChangeAwaiter::await_suspend(std::coroutine_handle<> waiter)
{
    m_exchange->m_waiter = waiter;
    if (m_timeout.count() >= 0)
        m_exchange->m_waitTimer.start(m_timeout);
}

// ---- HttpClient ----

HttpClient::HttpClient(QObject *parent)
    : QObject(parent)
{
}

HttpClient::~HttpClient()
{
    const QList<HttpExchange *> running = std::exchange(m_running, {});
    for (HttpExchange *exchange : running) {
        exchange->m_client = nullptr;
        exchange->abort();
    }
    closeIdleConnections();
}

std::unique_ptr<HttpExchange> HttpClient::send(HttpRequest request, std::chrono::milliseconds connectTimeout)
{
    std::unique_ptr<HttpExchange> exchange(new HttpExchange(this, std::move(request), connectTimeout));
    m_running.append(exchange.get());
    exchange->start(true);
    return exchange;
}

#ifndef QT_NO_SSL
void HttpClient::setTlsConfiguration(const QSslConfiguration &configuration)
{
    m_tls = configuration;
}
#endif

int HttpClient::idleConnections() const
{
    return int(m_idle.size());
}

void HttpClient::closeIdleConnections()
{
    while (!m_idle.isEmpty())
        dropIdle(m_idle.constFirst().socket);
}

QString HttpClient::originOf(const QUrl &url)
{
    return url.scheme() + u"://" + url.host(QUrl::FullyEncoded) + u':' + QString::number(portOf(url));
}

QTcpSocket *HttpClient::takeIdle(const QString &origin)
{
    for (qsizetype i = m_idle.size() - 1; i >= 0; --i) {
        if (m_idle.at(i).origin != origin)
            continue;
        QTcpSocket *socket = m_idle.takeAt(i).socket;
        socket->disconnect(this);
        if (auto *timer = socket->findChild<QTimer *>(QStringLiteral("heliodesk-idle"), Qt::FindDirectChildrenOnly))
            delete timer;
        if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0)
            return socket;
        socket->abort();
        socket->deleteLater();
    }
    return nullptr;
}

void HttpClient::keepIdle(const QString &origin, QTcpSocket *socket)
{
    int sameOrigin = 0;
    for (const Idle &idle : std::as_const(m_idle))
        sameOrigin += idle.origin == origin ? 1 : 0;
    if (sameOrigin >= kMaxIdlePerOrigin) {
        for (const Idle &idle : std::as_const(m_idle)) {
            if (idle.origin == origin) {
                dropIdle(idle.socket); // the oldest
                break;
            }
        }
    }
    m_idle.append({socket, origin});
    // Anything from an idle connection (its close, or bytes nobody asked for) ends it.
    const auto drop = [this, socket] { dropIdle(socket); };
    connect(socket, &QTcpSocket::readyRead, this, drop);
    connect(socket, &QTcpSocket::disconnected, this, drop);
    connect(socket, &QTcpSocket::errorOccurred, this, drop);
    auto *timer = new QTimer(socket);
    timer->setObjectName(QStringLiteral("heliodesk-idle"));
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, drop);
    timer->start(kIdleLifetime);
}

void HttpClient::dropIdle(QTcpSocket *socket)
{
    for (qsizetype i = 0; i < m_idle.size(); ++i) {
        if (m_idle.at(i).socket == socket) {
            m_idle.removeAt(i);
            socket->disconnect(this);
            socket->abort();
            socket->deleteLater();
            return;
        }
    }
}

} // namespace heliodesk
