#pragma once

// A real HTTP/1.1 server on 127.0.0.1 that answers like an OpenAI-compatible chat-completions
// endpoint, scripted per test: each request takes the next scripted response from a queue.

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>

class QTcpServer;
class QTcpSocket;

namespace heliodesk::test {

using HttpHeader = QPair<QByteArray, QByteArray>;

/// One request as the server received it.
struct RecordedRequest {
    QByteArray method;
    QByteArray path;               // with the query, as on the request line
    QList<HttpHeader> headers;     // in the order received, names as sent
    QByteArray body;
    QJsonObject json;              // the body parsed as a JSON object (empty when it is not one)

    /// The value of the first header with this name (case-insensitive); empty when absent.
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
    [[nodiscard]] bool hasHeader(QByteArrayView name) const;
};

/// How a normal stream is written.
struct StreamOptions {
    enum class LineEnding { Lf, CrLf, Cr };
    LineEnding lineEnding = LineEnding::Lf;
    bool comments = false;                         // ": keep-alive" comment lines between events
    bool bom = false;                              // a UTF-8 byte order mark before the first event
    bool roleChunk = true;                         // first a chunk whose delta carries only the role
    QString finishReason = QStringLiteral("stop"); // empty: no chunk with a finish_reason
    bool done = true;                              // end with `data: [DONE]`
    QString model = QStringLiteral("test-model");
};

/// What the server sends for one request.
struct ScriptedResponse {
    /// How the end of the body is marked.
    enum class Framing {
        Chunked,        // Transfer-Encoding: chunked; the connection stays open for the next request
        ContentLength,  // Content-Length; the connection stays open for the next request
        ConnectionClose // Connection: close, no length: the body ends when the server closes
    };
    /// What happens after the last chunk.
    enum class Ending {
        Complete, // the body is terminated as the framing says
        Stall,    // nothing more is sent and the socket stays open
        Reset     // the connection is reset (QTcpSocket::abort() with SO_LINGER 0: a TCP RST)
    };

    int status = 200;
    QList<HttpHeader> headers;       // besides the framing headers the server adds itself
    QList<QByteArray> chunks;        // the body, written one chunk per TCP write
    std::chrono::milliseconds delay{0}; // between two chunks (and before the first)
    Framing framing = Framing::Chunked;
    Ending ending = Ending::Complete;
    bool silent = false;             // read the request, then send nothing at all (not even headers)
    qint64 contentLength = -1;       // the Content-Length sent; -1: the size of the chunks

    /// A normal streaming answer: one chat.completion.chunk per piece, then `data: [DONE]`.
    /// Every event is one chunk.
    static ScriptedResponse stream(const QStringList &pieces, const StreamOptions &options = {});
    /// Raw server-sent-event bytes as the body (text/event-stream), one chunk.
    static ScriptedResponse rawEvents(const QByteArray &body);
    /// An error the way OpenAI sends it: {"error":{"message":…,"type":…,"code":…}}.
    static ScriptedResponse jsonError(int status, const QString &message,
                                      const QString &type = QStringLiteral("invalid_request_error"),
                                      const QString &code = {});
    /// The answer to GET /models: {"object":"list","data":[{"id":…,"object":"model",…}, …]}.
    static ScriptedResponse modelList(const QStringList &ids);
    /// Any body with its content type, e.g. an HTML page with status 200.
    static ScriptedResponse plain(int status, const QByteArray &contentType, const QByteArray &body);

    /// The body re-split into pieces of `bytes` bytes (1: every byte its own TCP write).
    ScriptedResponse &splitEvery(int bytes);
    ScriptedResponse &withHeader(const QByteArray &name, const QByteArray &value);
    ScriptedResponse &withDelay(std::chrono::milliseconds between);
    ScriptedResponse &withFraming(Framing f);
    /// Keeps only the first `count` chunks and ends the response that way.
    ScriptedResponse &truncatedAfter(int count, Ending how);

    [[nodiscard]] QByteArray body() const;
};

/// The bytes of one event: `data: <json>` plus the blank line, with the chosen line ending.
QByteArray sseEvent(const QByteArray &data, StreamOptions::LineEnding ending = StreamOptions::LineEnding::Lf);
/// One chat.completion.chunk object as OpenAI streams it.
QByteArray chatChunkJson(const QString &content, const QString &finishReason = {},
                         const QString &model = QStringLiteral("test-model"), bool roleOnly = false);

class OpenAiTestServer : public QObject
{
    Q_OBJECT

public:
    explicit OpenAiTestServer(QObject *parent = nullptr);
    ~OpenAiTestServer() override;

    /// Listens on 127.0.0.1 on `port` (0: a free one); false when that failed.
    bool listen(quint16 port = 0);
    [[nodiscard]] quint16 port() const;
    /// http://127.0.0.1:PORT/v1
    [[nodiscard]] QUrl baseUrl() const;

    /// Requests take scripted responses in order; without one the server answers 500.
    void enqueue(ScriptedResponse response);
    [[nodiscard]] int pendingResponses() const { return int(m_script.size()); }

    [[nodiscard]] const QList<RecordedRequest> &requests() const { return m_requests; }
    /// Drops the recorded requests (long-running tests that must not grow); counts stay.
    void forgetRequests();
    /// Connections accepted so far, and how many of them the client has closed.
    [[nodiscard]] int connectionsAccepted() const { return m_accepted; }
    [[nodiscard]] int connectionsClosedByClient() const { return m_closedByClient; }
    [[nodiscard]] int openConnections() const;

    /// Closes every connection (a stalled one too) and stops listening.
    void close();
    /// Closes every connection and forgets scripted responses, recorded requests and counts;
    /// keeps listening on the same port.
    void reset();

Q_SIGNALS:
    void requestReceived();
    void clientClosedConnection();

private:
    struct Connection;
    void closeConnections();
    void onNewConnection();
    void onReadyRead(Connection *c);
    void startResponse(Connection *c, ScriptedResponse response);
    void writeNext(Connection *c);
    void finishResponse(Connection *c);

    QTcpServer *m_server = nullptr;
    QList<ScriptedResponse> m_script;
    QList<RecordedRequest> m_requests;
    QList<Connection *> m_connections;
    int m_accepted = 0;
    int m_closedByClient = 0;
};

} // namespace heliodesk::test
