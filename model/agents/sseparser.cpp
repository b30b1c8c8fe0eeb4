#include "sseparser.h"

#include <algorithm>
#include <limits>

namespace heliodesk {

namespace {

constexpr char kBom[] = {'\xEF', '\xBB', '\xBF'};

/// The WHATWG Encoding standard's UTF-8 decoder with replacement: every maximal invalid
/// subsequence becomes one U+FFFD. QString::fromUtf8 is not used because it drops a leading
/// U+FEFF of every call (which would eat a BOM at the start of any line, not only the stream's)
/// and replaces a truncated sequence with one U+FFFD per byte.
QString decodeUtf8(QByteArrayView bytes)
{
    QString result;
    // One UTF-16 unit per byte at most: a 4-byte sequence becomes a surrogate pair.
    result.resize(bytes.size());
    QChar *out = result.data();
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const uchar *const end = p + bytes.size();

    char32_t codePoint = 0;
    int needed = 0;
    int seen = 0;
    uchar lower = 0x80;
    uchar upper = 0xBF;
    while (p != end) {
        const uchar byte = *p;
        if (needed == 0) {
            ++p;
            if (byte < 0x80) {
                *out++ = QChar(char16_t(byte));
            } else if (byte >= 0xC2 && byte <= 0xDF) {
                needed = 1;
                codePoint = byte & 0x1F;
            } else if (byte >= 0xE0 && byte <= 0xEF) {
                if (byte == 0xE0)
                    lower = 0xA0;
                else if (byte == 0xED)
                    upper = 0x9F;
                needed = 2;
                codePoint = byte & 0x0F;
            } else if (byte >= 0xF0 && byte <= 0xF4) {
                if (byte == 0xF0)
                    lower = 0x90;
                else if (byte == 0xF4)
                    upper = 0x8F;
                needed = 3;
                codePoint = byte & 0x07;
            } else {
                *out++ = QChar::ReplacementCharacter;
            }
            continue;
        }
        if (byte < lower || byte > upper) {
            // The byte is not consumed: it starts over in the initial state.
            codePoint = 0;
            needed = seen = 0;
            lower = 0x80;
            upper = 0xBF;
            *out++ = QChar::ReplacementCharacter;
            continue;
        }
        ++p;
        lower = 0x80;
        upper = 0xBF;
        codePoint = (codePoint << 6) | (byte & 0x3F);
        if (++seen != needed)
            continue;
        if (QChar::requiresSurrogates(codePoint)) {
            *out++ = QChar(QChar::highSurrogate(codePoint));
            *out++ = QChar(QChar::lowSurrogate(codePoint));
        } else {
            *out++ = QChar(static_cast<char16_t>(codePoint));
        }
        codePoint = 0;
        needed = seen = 0;
    }
    if (needed != 0)
        *out++ = QChar::ReplacementCharacter;
    result.truncate(out - result.constData());
    return result;
}

bool isAsciiDigits(QByteArrayView value)
{
    return !value.isEmpty()
        && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

QList<SseEvent> SseParser::feed(QByteArrayView bytes)
{
    QList<SseEvent> events;
    m_bytesSeen += bytes.size();

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

    const char *p = bytes.data();
    const char *const end = p + bytes.size();
    if (m_lastWasCr && p != end) {
        m_lastWasCr = false;
        if (*p == '\n')
            ++p; // the second half of a CRLF split across feeds
    }
    // m_buffer never holds a CR or LF, so every byte is scanned exactly once however the
    // stream is chunked.
    while (p != end) {
        const char *eol = std::find_if(p, end, [](char c) { return c == '\n' || c == '\r'; });
        if (eol == end) {
            m_buffer.append(p, end - p);
            break;
        }
        if (m_buffer.isEmpty()) {
            processLine(QByteArrayView(p, eol), events);
        } else {
            m_buffer.append(p, eol - p);
            processLine(m_buffer, events);
            m_buffer.resize(0); // keeps the capacity for the next long line
        }
        p = eol + 1;
        if (*eol == '\r') {
            if (p == end)
                m_lastWasCr = true;
            else if (*p == '\n')
                ++p;
        }
    }
    return events;
}

bool SseParser::finish()
{
    const bool pending = !m_buffer.isEmpty() || m_hasData || !m_eventType.isEmpty();
    // Whatever follows is a new stream (a reconnection): it may start with a BOM again, while the
    // last event ID and the reconnection time carry over as they do for an EventSource.
    m_buffer.clear();
    m_bomChecked = false;
    m_lastWasCr = false;
    m_data.clear();
    m_hasData = false;
    m_eventType.clear();
    return pending;
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (line.isEmpty()) {
        // Dispatch. With an empty data buffer nothing is dispatched, but the type is reset.
        if (m_hasData) {
            SseEvent event;
            if (!m_eventType.isEmpty())
                event.type = m_eventType;
            event.data = std::move(m_data);
            event.lastEventId = m_lastEventId;
            out.append(std::move(event));
        }
        m_data.clear();
        m_hasData = false;
        m_eventType.clear();
        return;
    }
    if (line.front() == ':')
        return; // a comment

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

    if (field == "data") {
        // Joining with LF instead of appending one after every line spares removing the last.
        if (m_hasData)
            m_data.append(u'\n');
        m_data.append(decodeUtf8(value));
        m_hasData = true;
    } else if (field == "event") {
        m_eventType = decodeUtf8(value);
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastEventId = decodeUtf8(value);
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
}

} // namespace heliodesk
