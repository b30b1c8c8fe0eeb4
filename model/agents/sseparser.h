#pragma once

// An incremental parser for server-sent events as the WHATWG HTML standard defines the
// text/event-stream format (section "Server-sent events", "Parsing an event stream").

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstring>
#include <optional>

namespace heliodesk {

struct SseEvent {
    QString type = QStringLiteral("message"); // the "event" field, "message" when absent
    QString data;                              // "data" lines joined with "\n"
    QString lastEventId;                       // the "id" field in force when dispatched
    bool operator==(const SseEvent &) const = default;
};

/// An event as it was sent, before UTF-8 decoding: valid until the parser is fed again.
/// decodeUtf8() of each field gives the SseEvent's text (decoding per field equals decoding the
/// stream, because a line ending never belongs to a multi-byte sequence).
struct SseEventBytes {
    QByteArrayView type; // empty: "message"
    QByteArrayView data;
};

class SseParser
{
public:
    /// Feeds bytes as they arrive; they may be split anywhere, even inside a line ending or a
    /// UTF-8 character. Returns the events completed by these bytes, in order.
    QList<SseEvent> feed(QByteArrayView bytes);

    /// The same, without decoding or copying: calls onEvent(const SseEventBytes &) for each event
    /// completed by these bytes, in order. For streams of many small events.
    template<typename OnEvent>
    void feedBytes(QByteArrayView bytes, OnEvent &&onEvent);

    /// The stream ended. Per the standard an event not terminated by a blank line is discarded;
    /// returns true when such an incomplete event (or line) was pending, so callers can tell a
    /// truncated stream.
    bool finish();

    /// The last "retry" value received, in milliseconds.
    [[nodiscard]] std::optional<int> reconnectionTime() const { return m_retry; }

    /// The "id" field in force, as sent.
    [[nodiscard]] QByteArrayView lastEventId() const { return m_lastEventId; }

    /// Total bytes fed, for diagnostics.
    [[nodiscard]] qint64 bytesSeen() const { return m_bytesSeen; }

private:
    /// Skips a BOM at the very start; returns the bytes after it.
    QByteArrayView skipBom(QByteArrayView bytes);
    /// True when the line (a blank one) completes an event, which the caller then dispatches.
    bool processLine(QByteArrayView line);
    void clearEvent();

    QByteArray m_buffer;         // bytes of the line in progress
    bool m_bomChecked = false;
    bool m_lastWasCr = false;    // a CR ended the previous chunk: a following LF belongs to it
    QByteArray m_data;           // as sent; resized, not released, between events
    bool m_hasData = false;
    QByteArray m_eventType;
    QByteArray m_lastEventId;
    std::optional<int> m_retry;
    qint64 m_bytesSeen = 0;
};

template<typename OnEvent>
void SseParser::feedBytes(QByteArrayView bytes, OnEvent &&onEvent)
{
    m_bytesSeen += bytes.size();
    bytes = skipBom(bytes);
    const char *p = bytes.data();
    const char *const end = p + bytes.size();
    if (m_lastWasCr && p != end) {
        m_lastWasCr = false;
        if (*p == '\n')
            ++p; // the second half of a CRLF split across feeds
    }
    const auto dispatch = [&] {
        onEvent(SseEventBytes{m_eventType, m_data});
        clearEvent();
    };
    // m_buffer never holds a CR or LF, so every byte is scanned once however the stream is
    // chunked. LF is looked for first (memchr is fast); a CR, rare, only within that line.
    while (p != end) {
        const auto *lf = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const char *lineEnd = lf ? lf : end;
        const auto *cr = static_cast<const char *>(std::memchr(p, '\r', size_t(lineEnd - p)));
        const char *eol = cr ? cr : lf;
        if (!eol) {
            m_buffer.append(p, end - p);
            break;
        }
        bool complete = false;
        if (m_buffer.isEmpty()) {
            complete = processLine(QByteArrayView(p, eol));
        } else {
            m_buffer.append(p, eol - p);
            complete = processLine(m_buffer);
            m_buffer.resize(0); // keeps the capacity for the next long line
        }
        if (complete)
            dispatch();
        p = eol + 1;
        if (*eol == '\r') {
            if (p == end)
                m_lastWasCr = true;
            else if (*p == '\n')
                ++p;
        }
    }
}

} // namespace heliodesk
