#pragma once

// An incremental parser for server-sent events as the WHATWG HTML standard defines the
// text/event-stream format (section "Server-sent events", "Parsing an event stream").

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace heliodesk {

struct SseEvent {
    QString type = QStringLiteral("message"); // the "event" field, "message" when absent
    QString data;                              // "data" lines joined with "\n"
    QString lastEventId;                       // the "id" field in force when dispatched
    bool operator==(const SseEvent &) const = default;
};

class SseParser
{
public:
    /// Feeds bytes as they arrive; they may be split anywhere, even inside a line ending or a
    /// UTF-8 character. Returns the events completed by these bytes, in order.
    QList<SseEvent> feed(QByteArrayView bytes);

    /// The stream ended. Per the standard an event not terminated by a blank line is discarded;
    /// returns true when such an incomplete event (or line) was pending, so callers can tell a
    /// truncated stream.
    bool finish();

    /// The last "retry" value received, in milliseconds.
    [[nodiscard]] std::optional<int> reconnectionTime() const { return m_retry; }

    /// Total bytes fed, for diagnostics.
    [[nodiscard]] qint64 bytesSeen() const { return m_bytesSeen; }

private:
    void processLine(QByteArrayView line, QList<SseEvent> &out);

    QByteArray m_buffer;         // bytes of the line in progress
    bool m_bomChecked = false;
    bool m_lastWasCr = false;    // a CR ended the previous chunk: a following LF belongs to it
    QString m_data;
    bool m_hasData = false;
    QString m_eventType;
    QString m_lastEventId;
    std::optional<int> m_retry;
    qint64 m_bytesSeen = 0;
};

} // namespace heliodesk
