#include "sseparser.h"

#include "utf8.h"

#include <algorithm>
#include <limits>

namespace heliodesk {

namespace {

constexpr char kBom[] = {'\xEF', '\xBB', '\xBF'};

bool isAsciiDigits(QByteArrayView value)
{
    return !value.isEmpty()
        && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

QList<SseEvent> SseParser::feed(QByteArrayView bytes)
{
    QList<SseEvent> events;
    feedBytes(bytes, [this, &events](const SseEventBytes &sent) {
        SseEvent event;
        if (!sent.type.isEmpty())
            event.type = decodeUtf8(sent.type);
        event.data = decodeUtf8(sent.data);
        event.lastEventId = decodeUtf8(m_lastEventId);
        events.append(std::move(event));
    });
    return events;
}

QByteArrayView SseParser::skipBom(QByteArrayView bytes)
{
    // The decoder skips a BOM only at the very start of the stream; its bytes may come one by one.
    // Until decided, m_buffer holds nothing but a proper prefix of the BOM.
    while (!m_bomChecked && !bytes.isEmpty()) {
        if (bytes.front() != kBom[m_buffer.size()]) {
            m_bomChecked = true; // the prefix held so far is ordinary (invalid) line content
            break;
        }
        m_buffer.append(bytes.front());
        bytes = bytes.sliced(1);
        if (m_buffer.size() == qsizetype(sizeof kBom)) {
            m_buffer.clear();
            m_bomChecked = true;
        }
    }
    return bytes;
}

bool SseParser::finish()
{
    const bool pending = !m_buffer.isEmpty() || m_hasData || !m_eventType.isEmpty();
    // Whatever follows is a new stream (a reconnection): it may start with a BOM again, while the
    // last event ID and the reconnection time carry over as they do for an EventSource.
    m_buffer.clear();
    m_bomChecked = false;
    m_lastWasCr = false;
    clearEvent();
    return pending;
}

void SseParser::clearEvent()
{
    m_data.resize(0);
    m_hasData = false;
    m_eventType.resize(0);
}

bool SseParser::processLine(QByteArrayView line)
{
    if (line.isEmpty()) {
        // Dispatch. With an empty data buffer nothing is dispatched, but the type is reset.
        if (m_hasData)
            return true;
        m_eventType.resize(0);
        return false;
    }
    if (line.front() == ':')
        return false; // a comment

    // The colon and the field names are ASCII, which a UTF-8 decoder never produces from other
    // bytes, so the line can be split before decoding.
    QByteArrayView field = line;
    QByteArrayView value;
    if (const qsizetype colon = line.indexOf(':'); colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (value.startsWith(' '))
            value = value.sliced(1);
    }

    if (field.size() == 4 && std::memcmp(field.data(), "data", 4) == 0) {
        // Joining with LF instead of appending one after every line spares removing the last.
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_eventType = value.toByteArray();
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastEventId = value.toByteArray();
    } else if (field == "retry") {
        if (isAsciiDigits(value)) {
            // The standard's integer is unbounded; an absurd value saturates rather than wraps.
            qint64 ms = 0;
            for (const char c : value) {
                ms = ms * 10 + (c - '0');
                if (ms > std::numeric_limits<int>::max()) {
                    ms = std::numeric_limits<int>::max();
                    break;
                }
            }
            m_retry = int(ms);
        }
    }
    // Any other field is ignored.
    return false;
}

} // namespace heliodesk
