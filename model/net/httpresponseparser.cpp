#include "httpresponseparser.h"

#include <cstring>

namespace heliodesk {

namespace {

constexpr qsizetype kMaxLine = 16 * 1024;  // one status, field, chunk-size or trailer line
constexpr qsizetype kMaxHead = 64 * 1024;  // all of a head's lines
constexpr int kMaxFields = 256;
constexpr int kMaxInterim = 16;            // 1xx responses before the final one
constexpr int kMaxChunkSizeDigits = 15;    // below 2^60: no overflow in a qint64

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    while (!text.isEmpty() && isOws(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isOws(text.back()))
        text.chop(1);
    return text;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// The start of a line for a message: printable ASCII only.
QString sample(QByteArrayView line)
{
    QString text;
    for (const char c : line.first(std::min<qsizetype>(line.size(), 60)))
        text += (c >= 0x20 && c < 0x7f) ? QChar(QLatin1Char(c)) : QChar(u'?');
    return line.size() > 60 ? text + u'…' : text;
}

/// Each element of a comma-separated field value, trimmed and lower-cased.
QList<QByteArray> listElements(const QByteArray &value)
{
    QList<QByteArray> elements;
    for (const QByteArray &part : value.split(',')) {
        const QByteArray element = trimmedOws(part).toByteArray().toLower();
        if (!element.isEmpty())
            elements << element;
    }
    return elements;
}

} // namespace

QByteArray HttpResponseHead::value(QByteArrayView name) const
{
    QByteArray joined;
    bool found = false;
    for (const auto &[fieldName, fieldValue] : fields) {
        if (fieldName.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        if (found)
            joined += ", ";
        joined += fieldValue;
        found = true;
    }
    return joined;
}

bool HttpResponseHead::has(QByteArrayView name) const
{
    for (const auto &field : fields) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

HttpResponseParser::State HttpResponseParser::feed(QByteArrayView bytes, QByteArray &body)
{
    const char *p = bytes.data();
    const char *const end = p + bytes.size();
    if (m_state == State::Complete || m_state == State::Failed) {
        m_surplus += bytes.size();
        return m_state;
    }
    m_received += bytes.size();
    if (m_state == State::Head)
        parseHead(p, end); // may complete the response (204, 304, Content-Length: 0): surplus below
    if (m_state == State::Body)
        parseBody(p, end, body);
    if (m_state == State::Complete)
        m_surplus += end - p;
    return m_state;
}

HttpResponseParser::State HttpResponseParser::closed()
{
    switch (m_state) {
    case State::Head:
        return fail(m_received == 0 ? QStringLiteral("the connection closed before any response arrived")
                                    : QStringLiteral("the connection closed in the middle of the response's header"));
    case State::Body:
        if (m_framing == Framing::UntilClose) {
            m_state = State::Complete;
            return m_state;
        }
        m_truncated = true;
        return fail(m_framing == Framing::Chunked
                        ? QStringLiteral("the connection closed before the last chunk of the response")
                        : QStringLiteral("the connection closed %1 bytes before the end of the response").arg(m_remaining));
    case State::Complete:
    case State::Failed:
        break;
    }
    return m_state;
}

bool HttpResponseParser::reusable() const
{
    return m_state == State::Complete && m_persistent && m_surplus == 0 && m_framing != Framing::UntilClose;
}

HttpResponseParser::State HttpResponseParser::fail(QString error)
{
    m_error = std::move(error);
    m_state = State::Failed;
    return m_state;
}

bool HttpResponseParser::takeLine(const char *&p, const char *end, QByteArray &line, qsizetype limit)
{
    const auto *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
    if (!newline) {
        m_pending.append(p, end - p);
        p = end;
        // The CR of a line of exactly `limit` bytes may come before its LF does.
        if (m_pending.size() > limit + (m_pending.endsWith('\r') ? 1 : 0))
            fail(QStringLiteral("a line of the response is longer than %1 bytes").arg(limit));
        return false;
    }
    if (m_pending.isEmpty()) {
        line = QByteArray(p, newline - p);
    } else {
        m_pending.append(p, newline - p);
        line = std::exchange(m_pending, {});
    }
    p = newline + 1;
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.size() > limit) {
        fail(QStringLiteral("a line of the response is longer than %1 bytes").arg(limit));
        return false;
    }
    return true;
}

HttpResponseParser::State HttpResponseParser::parseHead(const char *&p, const char *end)
{
    QByteArray line;
    while (m_state == State::Head) {
        const bool statusLine = m_head.status == 0;
        if (statusLine && m_pending.size() < 5 && p != end) {
            // Something that is not HTTP at all (a TLS server on a plain port, an SSH banner)
            // is told as soon as its first bytes differ from "HTTP/".
            const QByteArray start = m_pending + QByteArrayView(p, std::min<qsizetype>(end - p, 5 - m_pending.size()));
            if (!QByteArrayView("HTTP/").startsWith(start))
                return fail(u"the server's answer is not HTTP (it began with “" + sample(QByteArrayView(p, end)) + u"”)");
        }
        if (!takeLine(p, end, line, kMaxLine))
            return m_state;

        if (statusLine) {
            // HTTP/1.1 200 OK — the reason phrase may be empty or missing.
            if (line.size() < 12 || !line.startsWith("HTTP/1.") || line.at(7) < '0' || line.at(7) > '9' || line.at(8) != ' '
                || line.at(9) < '1' || line.at(9) > '9' || line.at(10) < '0' || line.at(10) > '9' || line.at(11) < '0'
                || line.at(11) > '9' || (line.size() > 12 && line.at(12) != ' '))
                return fail(u"the server's status line is not HTTP/1.x: “" + sample(line) + u"”");
            m_head.minorVersion = line.at(7) - '0';
            m_head.status = (line.at(9) - '0') * 100 + (line.at(10) - '0') * 10 + (line.at(11) - '0');
            m_head.reason = line.size() > 13 ? line.mid(13) : QByteArray();
            continue;
        }

        if (line.isEmpty()) {
            if (m_head.status == 101)
                return fail(QStringLiteral("the server switched protocols, which Heliodesk did not ask for"));
            if (m_head.status >= 100 && m_head.status < 200) {
                // An interim response (100 Continue, 103 Early Hints): the real one follows.
                if (++m_interim > kMaxInterim)
                    return fail(QStringLiteral("the server sent more than %1 interim responses").arg(kMaxInterim));
                m_head = HttpResponseHead();
                m_headBytes = 0;
                continue;
            }
            m_headDone = true;
            return startBody();
        }

        m_headBytes += line.size() + 2;
        if (m_headBytes > kMaxHead)
            return fail(QStringLiteral("the response's header is longer than %1 bytes").arg(kMaxHead));
        if (isOws(line.front())) {
            // obs-fold: a continuation of the previous field's value (RFC 9112 5.2).
            if (m_head.fields.isEmpty())
                return fail(QStringLiteral("the response's header begins with a continuation line"));
            m_head.fields.last().second += ' ' + trimmedOws(line).toByteArray();
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(u"the response has a malformed header line: “" + sample(line) + u"”");
        const QByteArrayView name = QByteArrayView(line).first(colon);
        for (const char c : name) {
            if (!isTokenChar(c))
                return fail(u"the response has a malformed header field name: “" + sample(name) + u"”");
        }
        if (m_head.fields.size() >= kMaxFields)
            return fail(QStringLiteral("the response has more than %1 header fields").arg(kMaxFields));
        m_head.fields.append({name.toByteArray(), trimmedOws(QByteArrayView(line).sliced(colon + 1)).toByteArray()});
    }
    return m_state;
}

HttpResponseParser::State HttpResponseParser::startBody()
{
    const QList<QByteArray> connection = listElements(m_head.value("Connection"));
    m_persistent = m_head.minorVersion >= 1 ? !connection.contains("close") : connection.contains("keep-alive");

    if (m_head.status == 204 || m_head.status == 304) {
        m_framing = Framing::Length; // no body: the connection stays usable (reusable())
        m_remaining = 0;
        m_state = State::Complete;
        return m_state;
    }
    m_state = State::Body;
    if (m_head.has("Transfer-Encoding")) {
        // Content-Length is ignored beside Transfer-Encoding (RFC 9112 6.3).
        const QList<QByteArray> codings = listElements(m_head.value("Transfer-Encoding"));
        for (qsizetype i = 0; i < codings.size(); ++i) {
            const bool last = i == codings.size() - 1;
            if (codings.at(i) == "chunked" && !last)
                return fail(QStringLiteral("the response's Transfer-Encoding applies chunked more than once"));
            if (codings.at(i) != "chunked" && codings.at(i) != "identity")
                return fail(u"the response uses the transfer coding “" + QString::fromLatin1(codings.at(i))
                            + u"”, which Heliodesk does not decode");
        }
        if (!codings.isEmpty() && codings.last() == "chunked") {
            m_framing = Framing::Chunked;
            m_chunkStep = ChunkStep::Size;
        } else {
            m_framing = Framing::UntilClose;
            m_persistent = false;
        }
        return m_state;
    }
    if (m_head.has("Content-Length")) {
        // Repeated identical values ("12, 12") are allowed; differing ones are an attack or a bug.
        qint64 length = -1;
        for (const QByteArray &element : listElements(m_head.value("Content-Length"))) {
            bool ok = !element.isEmpty() && element.size() <= 18;
            for (const char c : element)
                ok = ok && c >= '0' && c <= '9';
            const qint64 value = ok ? element.toLongLong(&ok) : -1;
            if (!ok || (length >= 0 && value != length))
                return fail(u"the response's Content-Length is not valid: “" + QString::fromLatin1(m_head.value("Content-Length"))
                            + u"”");
            length = value;
        }
        if (length < 0)
            return fail(QStringLiteral("the response's Content-Length is empty"));
        m_framing = Framing::Length;
        m_remaining = length;
        if (length == 0)
            m_state = State::Complete;
        return m_state;
    }
    m_framing = Framing::UntilClose;
    m_persistent = false;
    return m_state;
}

bool HttpResponseParser::chunkSize(QByteArrayView line)
{
    // chunk-size [ BWS ";" extensions ] — extensions are allowed and ignored.
    qint64 size = 0;
    int digits = 0;
    qsizetype i = 0;
    for (; i < line.size() && hexValue(line.at(i)) >= 0; ++i, ++digits) {
        if (digits == kMaxChunkSizeDigits) {
            fail(QStringLiteral("a chunk of the response is impossibly large"));
            return false;
        }
        size = size * 16 + hexValue(line.at(i));
    }
    while (i < line.size() && isOws(line.at(i)))
        ++i;
    if (digits == 0 || (i < line.size() && line.at(i) != ';')) {
        fail(u"the response has a malformed chunk size line: “" + sample(line) + u"”");
        return false;
    }
    if (size == 0) {
        m_chunkStep = ChunkStep::Trailers;
    } else {
        m_remaining = size;
        m_chunkStep = ChunkStep::Data;
    }
    return true;
}

HttpResponseParser::State HttpResponseParser::parseBody(const char *&p, const char *end, QByteArray &body)
{
    if (m_framing == Framing::UntilClose) {
        body.append(p, end - p);
        p = end;
        return m_state;
    }
    if (m_framing == Framing::Length) {
        const qint64 n = std::min<qint64>(m_remaining, end - p);
        body.append(p, n);
        p += n;
        m_remaining -= n;
        if (m_remaining == 0)
            m_state = State::Complete;
        return m_state;
    }

    QByteArray line;
    while (p != end && m_state == State::Body) {
        switch (m_chunkStep) {
        case ChunkStep::Size: {
            // A whole size line in this read (nearly always) is parsed where it lies.
            const auto *newline = m_pending.isEmpty() ? static_cast<const char *>(std::memchr(p, '\n', size_t(end - p))) : nullptr;
            QByteArrayView sizeLine;
            if (newline && newline - p <= kMaxLine) {
                sizeLine = QByteArrayView(p, newline);
                if (sizeLine.endsWith('\r'))
                    sizeLine.chop(1);
                p = newline + 1;
            } else if (takeLine(p, end, line, kMaxLine)) {
                sizeLine = line;
            } else {
                return m_state;
            }
            if (!chunkSize(sizeLine))
                return m_state;
            break;
        }
        case ChunkStep::Data: {
            const qint64 n = std::min<qint64>(m_remaining, end - p);
            body.append(p, n);
            p += n;
            m_remaining -= n;
            if (m_remaining == 0)
                m_chunkStep = ChunkStep::DataEnd;
            break;
        }
        case ChunkStep::DataEnd:
            // CRLF (or a bare LF) after the chunk's data, possibly split between reads.
            if (m_pending.isEmpty() && *p == '\r') {
                m_pending.append('\r');
                ++p;
            } else if (*p == '\n') {
                m_pending.clear();
                ++p;
                m_chunkStep = ChunkStep::Size;
            } else {
                return fail(u"a chunk of the response is longer than its size says (“" + sample(QByteArrayView(p, end)) + u"”)");
            }
            break;
        case ChunkStep::Trailers:
            if (!takeLine(p, end, line, kMaxLine))
                return m_state;
            if (line.isEmpty())
                m_state = State::Complete; // trailer fields are not used
            break;
        }
    }
    return m_state;
}

} // namespace heliodesk
