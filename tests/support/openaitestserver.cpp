#include "openaitestserver.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <optional>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace heliodesk::test {

namespace {

QByteArray lineEnd(StreamOptions::LineEnding ending)
{
    switch (ending) {
    case StreamOptions::LineEnding::Lf: return QByteArrayLiteral("\n");
    case StreamOptions::LineEnding::CrLf: return QByteArrayLiteral("\r\n");
    case StreamOptions::LineEnding::Cr: return QByteArrayLiteral("\r");
    }
    return QByteArrayLiteral("\n");
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 502: return QByteArrayLiteral("Bad Gateway");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 504: return QByteArrayLiteral("Gateway Timeout");
    default: return QByteArrayLiteral("Status");
    }
}

} // namespace

QByteArray RecordedRequest::header(QByteArrayView name) const
{
    for (const HttpHeader &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool RecordedRequest::hasHeader(QByteArrayView name) const
{
    for (const HttpHeader &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray sseEvent(const QByteArray &data, StreamOptions::LineEnding ending)
{
    const QByteArray eol = lineEnd(ending);
    return QByteArrayLiteral("data: ") + data + eol + eol;
}

QByteArray chatChunkJson(const QString &content, const QString &finishReason, const QString &model, bool roleOnly)
{
    QJsonObject delta;
    if (roleOnly) {
        delta.insert(QStringLiteral("role"), QStringLiteral("assistant"));
        delta.insert(QStringLiteral("content"), QString());
    } else if (!content.isEmpty()) {
        delta.insert(QStringLiteral("content"), content);
    }
    QJsonObject choice{
        {QStringLiteral("index"), 0},
        {QStringLiteral("delta"), delta},
        {QStringLiteral("finish_reason"), finishReason.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(finishReason)},
    };
    const QJsonObject chunk{
        {QStringLiteral("id"), QStringLiteral("chatcmpl-test")},
        {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
        {QStringLiteral("created"), 1700000000},
        {QStringLiteral("model"), model},
        {QStringLiteral("choices"), QJsonArray{choice}},
    };
    return QJsonDocument(chunk).toJson(QJsonDocument::Compact);
}

ScriptedResponse ScriptedResponse::stream(const QStringList &pieces, const StreamOptions &options)
{
    ScriptedResponse r;
    r.headers = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream; charset=utf-8")},
                 {QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache")}};
    const QByteArray eol = lineEnd(options.lineEnding);
    const QByteArray comment = QByteArrayLiteral(": keep-alive") + eol + eol;
    if (options.roleChunk)
        r.chunks << sseEvent(chatChunkJson({}, {}, options.model, true), options.lineEnding);
    for (const QString &piece : pieces) {
        if (options.comments)
            r.chunks << comment;
        r.chunks << sseEvent(chatChunkJson(piece, {}, options.model), options.lineEnding);
    }
    if (!options.finishReason.isEmpty())
        r.chunks << sseEvent(chatChunkJson({}, options.finishReason, options.model), options.lineEnding);
    if (options.comments)
        r.chunks << comment;
    if (options.done)
        r.chunks << sseEvent(QByteArrayLiteral("[DONE]"), options.lineEnding);
    if (options.bom) {
        if (r.chunks.isEmpty())
            r.chunks << QByteArray();
        r.chunks.first().prepend("\xEF\xBB\xBF");
    }
    return r;
}

ScriptedResponse ScriptedResponse::rawEvents(const QByteArray &body)
{
    ScriptedResponse r;
    r.headers = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream")}};
    r.chunks = {body};
    return r;
}

ScriptedResponse ScriptedResponse::jsonError(int status, const QString &message, const QString &type, const QString &code)
{
    const QJsonObject error{
        {QStringLiteral("message"), message},
        {QStringLiteral("type"), type},
        {QStringLiteral("param"), QJsonValue(QJsonValue::Null)},
        {QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(code)},
    };
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson();
    return plain(status, QByteArrayLiteral("application/json"), body);
}

ScriptedResponse ScriptedResponse::modelList(const QStringList &ids)
{
    QJsonArray data;
    for (const QString &id : ids)
        data.append(QJsonObject{{QStringLiteral("id"), id},
                                {QStringLiteral("object"), QStringLiteral("model")},
                                {QStringLiteral("created"), 1'700'000'000},
                                {QStringLiteral("owned_by"), QStringLiteral("heliodesk-test")}});
    const QJsonObject list{{QStringLiteral("object"), QStringLiteral("list")}, {QStringLiteral("data"), data}};
    return plain(200, QByteArrayLiteral("application/json"), QJsonDocument(list).toJson(QJsonDocument::Compact));
}

ScriptedResponse ScriptedResponse::plain(int status, const QByteArray &contentType, const QByteArray &body)
{
    ScriptedResponse r;
    r.status = status;
    if (!contentType.isEmpty())
        r.headers = {{QByteArrayLiteral("Content-Type"), contentType}};
    r.chunks = {body};
    r.framing = Framing::ContentLength;
    return r;
}

ScriptedResponse &ScriptedResponse::splitEvery(int bytes)
{
    const QByteArray all = body();
    chunks.clear();
    for (qsizetype i = 0; i < all.size(); i += bytes)
        chunks << all.mid(i, bytes);
    return *this;
}

ScriptedResponse &ScriptedResponse::withHeader(const QByteArray &name, const QByteArray &value)
{
    headers << HttpHeader(name, value);
    return *this;
}

ScriptedResponse &ScriptedResponse::withDelay(std::chrono::milliseconds between)
{
    delay = between;
    return *this;
}

ScriptedResponse &ScriptedResponse::withFraming(Framing f)
{
    framing = f;
    return *this;
}

ScriptedResponse &ScriptedResponse::truncatedAfter(int count, Ending how)
{
    contentLength = body().size(); // a Content-Length response then announces more than it sends
    chunks = chunks.mid(0, count);
    ending = how;
    return *this;
}

QByteArray ScriptedResponse::body() const
{
    QByteArray all;
    for (const QByteArray &c : chunks)
        all += c;
    return all;
}

// ---------------------------------------------------------------------------------------------

struct OpenAiTestServer::Connection {
    QTcpSocket *socket = nullptr;
    QByteArray buffer;                        // request bytes not parsed yet
    std::optional<ScriptedResponse> response; // the response being written
    int nextChunk = 0;
    bool closedByServer = false;
};

OpenAiTestServer::OpenAiTestServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &OpenAiTestServer::onNewConnection);
}

OpenAiTestServer::~OpenAiTestServer()
{
    close();
}

bool OpenAiTestServer::listen(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 OpenAiTestServer::port() const
{
    return m_server->serverPort();
}

QUrl OpenAiTestServer::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(port()));
}

void OpenAiTestServer::enqueue(ScriptedResponse response)
{
    m_script << std::move(response);
}

int OpenAiTestServer::openConnections() const
{
    return int(m_connections.size());
}

void OpenAiTestServer::forgetRequests()
{
    m_requests.clear();
    m_requests.squeeze();
}

void OpenAiTestServer::close()
{
    m_server->close();
    closeConnections();
}

void OpenAiTestServer::reset()
{
    closeConnections();
    m_script.clear();
    m_requests.clear();
    m_accepted = 0;
    m_closedByClient = 0;
}

void OpenAiTestServer::closeConnections()
{
    const QList<Connection *> connections = std::exchange(m_connections, {});
    for (Connection *c : connections) {
        c->socket->disconnect(); // no disconnected/destroyed handlers while tearing down
        c->socket->abort();
        delete c->socket;
        delete c;
    }
}

void OpenAiTestServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_accepted;
        auto *c = new Connection;
        c->socket = socket;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // every chunk its own segment
        m_connections << c;
        connect(socket, &QTcpSocket::readyRead, this, [this, c] { onReadyRead(c); });
        connect(socket, &QTcpSocket::disconnected, this, [this, c] {
            m_connections.removeOne(c);
            if (!c->closedByServer) {
                ++m_closedByClient;
                Q_EMIT clientClosedConnection();
            }
            c->socket->deleteLater();
        });
        // Timers use the socket as context, so `c` lives exactly as long as the socket.
        connect(socket, &QObject::destroyed, this, [c] { delete c; });
        if (socket->bytesAvailable() > 0)
            onReadyRead(c);
    }
}

void OpenAiTestServer::onReadyRead(Connection *c)
{
    c->buffer += c->socket->readAll();
    if (c->response)
        return; // one request at a time; the next is parsed when this response is done

    const qsizetype headerEnd = c->buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    RecordedRequest request;
    const QList<QByteArray> lines = c->buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    request.path = requestLine.value(1);
    qsizetype contentLength = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        HttpHeader h(line.left(colon).trimmed(), line.mid(colon + 1).trimmed());
        if (h.first.compare("Content-Length", Qt::CaseInsensitive) == 0)
            contentLength = h.second.toLongLong();
        request.headers << h;
    }
    const qsizetype total = headerEnd + 4 + contentLength;
    if (c->buffer.size() < total)
        return;
    request.body = c->buffer.mid(headerEnd + 4, contentLength);
    c->buffer.remove(0, total);
    request.json = QJsonDocument::fromJson(request.body).object();
    m_requests << request;

    ScriptedResponse response = m_script.isEmpty()
        ? ScriptedResponse::jsonError(500, QStringLiteral("The test server has no scripted response left."), QStringLiteral("server_error"))
        : m_script.takeFirst();
    Q_EMIT requestReceived();
    startResponse(c, std::move(response));
}

void OpenAiTestServer::startResponse(Connection *c, ScriptedResponse response)
{
    if (response.silent) {
        c->response = std::move(response);
        return;
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    for (const HttpHeader &h : std::as_const(response.headers))
        head += h.first + ": " + h.second + "\r\n";
    switch (response.framing) {
    case ScriptedResponse::Framing::Chunked:
        head += "Transfer-Encoding: chunked\r\n";
        break;
    case ScriptedResponse::Framing::ContentLength:
        head += "Content-Length: "
            + QByteArray::number(response.contentLength >= 0 ? response.contentLength : response.body().size()) + "\r\n";
        break;
    case ScriptedResponse::Framing::ConnectionClose:
        head += "Connection: close\r\n";
        break;
    }
    head += "\r\n";
    c->socket->write(head);
    c->socket->flush();
    c->response = std::move(response);
    c->nextChunk = 0;
    writeNext(c);
}

void OpenAiTestServer::writeNext(Connection *c)
{
    const ScriptedResponse &r = *c->response;
    if (r.delay.count() > 0) {
        QTimer::singleShot(r.delay, c->socket, [this, c] {
            const ScriptedResponse &resp = *c->response;
            if (c->nextChunk < resp.chunks.size()) {
                const QByteArray &chunk = resp.chunks.at(c->nextChunk++);
                if (resp.framing == ScriptedResponse::Framing::Chunked) {
                    if (!chunk.isEmpty())
                        c->socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
                } else {
                    c->socket->write(chunk);
                }
                c->socket->flush();
                writeNext(c);
            } else {
                finishResponse(c);
            }
        });
        return;
    }
    while (c->nextChunk < r.chunks.size()) {
        const QByteArray &chunk = r.chunks.at(c->nextChunk++);
        if (r.framing == ScriptedResponse::Framing::Chunked) {
            if (!chunk.isEmpty())
                c->socket->write(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
        } else {
            c->socket->write(chunk);
        }
    }
    c->socket->flush();
    finishResponse(c);
}

void OpenAiTestServer::finishResponse(Connection *c)
{
    const ScriptedResponse r = *c->response;
    switch (r.ending) {
    case ScriptedResponse::Ending::Stall:
        return; // c->response stays set: nothing more happens on this connection
    case ScriptedResponse::Ending::Reset:
#ifdef Q_OS_UNIX
    {
        const struct linger lingerOff{1, 0}; // close() then sends a RST instead of a FIN
        ::setsockopt(int(c->socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &lingerOff, sizeof lingerOff);
    }
#endif
        c->closedByServer = true;
        c->socket->abort();
        return;
    case ScriptedResponse::Ending::Complete:
        break;
    }
    switch (r.framing) {
    case ScriptedResponse::Framing::Chunked:
        c->socket->write("0\r\n\r\n");
        c->socket->flush();
        break;
    case ScriptedResponse::Framing::ContentLength:
        break;
    case ScriptedResponse::Framing::ConnectionClose:
        c->closedByServer = true;
        c->socket->disconnectFromHost();
        return;
    }
    c->response.reset();
    if (!c->buffer.isEmpty())
        QTimer::singleShot(0, c->socket, [this, c] { onReadyRead(c); });
}

} // namespace heliodesk::test
