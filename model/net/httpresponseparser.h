#pragma once

// An incremental parser for one HTTP/1.1 response as RFC 9112 frames it: the status line and
// header fields, then the body delimited by chunked transfer coding, Content-Length, or the end of
// the connection. Bytes may be split anywhere. Interim (1xx) responses are skipped.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace heliodesk {

struct HttpResponseHead {
    int status = 0;
    int minorVersion = 1; // HTTP/1.<minor>
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> fields; // names as sent, values trimmed, in order

    /// The field's value, case-insensitive; repeated fields joined with ", " (RFC 9110 5.3).
    [[nodiscard]] QByteArray value(QByteArrayView name) const;
    [[nodiscard]] bool has(QByteArrayView name) const;
};

class HttpResponseParser
{
public:
    enum class State { Head, Body, Complete, Failed };

    /// Consumes bytes; body bytes (with the framing removed) are appended to `body`. Returns the
    /// state afterwards. Bytes after a complete response are counted as surplus, not parsed.
    State feed(QByteArrayView bytes, QByteArray &body);

    /// The server closed the connection: a body that runs until the close is now complete; any
    /// other unfinished response is cut off (Failed, with truncated() true once the head arrived).
    State closed();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool hasHead() const { return m_state == State::Body || m_state == State::Complete || m_headDone; }
    [[nodiscard]] const HttpResponseHead &head() const { return m_head; }
    /// What was wrong, in words, when Failed.
    [[nodiscard]] const QString &error() const { return m_error; }
    /// Failed because the connection ended inside the body (the head had arrived).
    [[nodiscard]] bool truncated() const { return m_truncated; }
    /// No byte of a response has arrived yet.
    [[nodiscard]] bool nothingReceived() const { return m_received == 0; }
    /// The connection may carry another request: complete, persistent, nothing after the response.
    [[nodiscard]] bool reusable() const;

private:
    State fail(QString error);
    State parseHead(const char *&p, const char *end);
    State startBody();
    State parseBody(const char *&p, const char *end, QByteArray &body);
    bool takeLine(const char *&p, const char *end, QByteArray &line, qsizetype limit);
    bool chunkSize(QByteArrayView line);

    enum class Framing { Length, Chunked, UntilClose };
    enum class ChunkStep { Size, Data, DataEnd, Trailers };

    State m_state = State::Head;
    HttpResponseHead m_head;
    bool m_headDone = false;
    qsizetype m_headBytes = 0; // of the field lines so far, for the limit on a head's size
    int m_interim = 0; // interim (1xx) responses skipped so far
    QString m_error;
    bool m_truncated = false;
    qint64 m_received = 0;
    qint64 m_surplus = 0;
    QByteArray m_pending; // a head, chunk-size line or trailer line that is not complete yet

    Framing m_framing = Framing::UntilClose;
    qint64 m_remaining = 0; // body bytes left: of the whole body (Length) or of the chunk (Chunked)
    ChunkStep m_chunkStep = ChunkStep::Size;
    bool m_persistent = true;
};

} // namespace heliodesk
