#include "openaichunkdecoder.h"

#include "utf8.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstring>
#include <optional>

namespace heliodesk {

namespace {

constexpr qsizetype kQuoteLength = 80;

/// The start of what arrived, on one line, for an error message.
QString quote(const QString &data)
{
    const QString trimmed = data.trimmed();
    qsizetype length = std::min(trimmed.size(), kQuoteLength);
    if (length < trimmed.size() && trimmed.at(length - 1).isHighSurrogate())
        --length; // never cut a surrogate pair in two
    QString start = trimmed.first(length);
    for (QChar &c : start) {
        if (c.category() == QChar::Other_Control)
            c = u' ';
    }
    if (length < trimmed.size())
        start += u'…';
    return start;
}

Unexpected protocolError(const QString &data, const QString &detail)
{
    return fail(ErrorCode::ProviderProtocol,
                u"The model server sent something that is not a streaming chat answer: “" + quote(data) + u"”.",
                detail);
}

/// Servers word errors differently: OpenAI, vLLM and llama.cpp send {"error": {"message", "type",
/// "code"}}, some proxies {"error": "text"}, older vLLM a top-level {"object": "error", "message"}.
Unexpected serverError(const QJsonValue &error)
{
    QString message;
    QString detail;
    if (error.isObject()) {
        const QJsonObject object = error.toObject();
        message = object.value(u"message").toString().trimmed();
        QStringList parts;
        for (const QString &key : {QStringLiteral("type"), QStringLiteral("code"), QStringLiteral("param")}) {
            const QJsonValue value = object.value(key);
            if (value.isString() || value.isDouble())
                parts << key + u'=' + value.toVariant().toString();
        }
        detail = parts.join(u", ");
        if (message.isEmpty())
            message = object.value(u"type").toString().trimmed();
        if (message.isEmpty() && !object.isEmpty())
            message = QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    } else if (error.isArray()) {
        message = QString::fromUtf8(QJsonDocument(error.toArray()).toJson(QJsonDocument::Compact));
    } else {
        message = error.toVariant().toString().trimmed();
    }
    if (message.isEmpty())
        message = QStringLiteral("no details given");
    return fail(ErrorCode::ProviderError, u"The model server reported an error: " + message, detail);
}

/// `key == literal`, with the length compared first and the bytes compared inline (this runs for
/// every member of every chunk).
template<qsizetype N>
bool is(QByteArrayView key, const char (&literal)[N])
{
    return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

/// QJsonValue::toString() turns an unescaped non-ASCII string into text with QString::fromUtf8,
/// which drops a leading U+FEFF (a byte order mark): decode() reads "\xEF\xBB\xBFstop" as "stop".
/// The scanner leaves such strings to decode().
bool startsWithBom(QByteArrayView raw)
{
    return raw.size() >= 3 && raw[0] == '\xEF' && raw[1] == '\xBB' && raw[2] == '\xBF';
}

/// Bytes that end the fast run through a string: the closing quote, an escape, a control character.
constexpr auto kStringStops = [] {
    std::array<bool, 256> stops{};
    for (int c = 0; c < 0x20; ++c)
        stops[c] = true;
    stops['"'] = true;
    stops['\\'] = true;
    return stops;
}();

/// The first byte in [p, end) that ends a run through a string. Eight bytes at a time (a string is
/// most of a chunk's bytes): a byte equal to '"' or '\\', or below 0x20, flags its high bit; the
/// lowest flagged byte is always a true one (borrows only run towards higher bytes).
const char *stringStop(const char *p, const char *end)
{
    if constexpr (std::endian::native == std::endian::little) {
        constexpr quint64 ones = 0x0101010101010101ULL;
        constexpr quint64 highs = 0x8080808080808080ULL;
        while (end - p >= 8) {
            quint64 v = 0;
            std::memcpy(&v, p, 8);
            const quint64 quote = v ^ (ones * '"');
            const quint64 backslash = v ^ (ones * '\\');
            const quint64 flags = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((v - ones * 0x20) & ~v);
            if (const quint64 hits = flags & highs)
                return p + std::countr_zero(hits) / 8;
            p += 8;
        }
    }
    while (p != end && !kStringStops[static_cast<unsigned char>(*p)])
        ++p;
    return p;
}

/// Reads the ordinary chat.completion.chunk — an object whose choices[0] carries a delta and
/// perhaps a finish_reason — straight from its UTF-8 bytes, validating all of it as JSON (RFC
/// 8259) but building nothing but the two strings wanted. Whatever is not plainly that (an
/// error, [DONE], a name written with escapes, a key twice, a number with an exponent, nesting
/// deeper than 32) makes scan() return nullopt, and decode() decides as it always has: so the
/// result is decode()'s for every input, which the tests check against mutated inputs.
class ChunkScanner
{
public:
    explicit ChunkScanner(QByteArrayView data)
        : m_p(data.data())
        , m_end(data.data() + data.size())
    {
    }

    /// True when the data is an ordinary chunk: its text is appended to chunk.text, its
    /// finish_reason (when it has one) set, [DONE] marked. False: not read (chunk.text may hold a
    /// part of the text: the caller cuts it back).
    bool scan(ChatChunk &chunk)
    {
        skipSpace();
        if (m_p != m_end && *m_p == '[') {
            if (!literal("[DONE]"))
                return false;
            skipSpace();
            if (m_p != m_end)
                return false;
            chunk.done = true;
            return true;
        }
        bool seenChoices = false;
        QString finishReason;
        const bool ok = object([&](QByteArrayView key) {
            if (is(key, "error"))
                return false; // decode() words the server's error
            if (is(key, "object")) {
                QByteArrayView value;
                bool escaped = false;
                if (peek() == '"')
                    return string(value, escaped) && !escaped && !is(value, "error") && !startsWithBom(value);
                return value_();
            }
            if (is(key, "choices")) {
                if (std::exchange(seenChoices, true))
                    return false;
                return choices(chunk.text, finishReason);
            }
            return value_();
        });
        if (!ok)
            return false;
        skipSpace();
        if (m_p != m_end)
            return false;
        if (!finishReason.isEmpty())
            chunk.finishReason = finishReason;
        return true;
    }

private:
    static constexpr int kMaxDepth = 32;

    char peek()
    {
        skipSpace();
        return m_p == m_end ? '\0' : *m_p;
    }

    void skipSpace()
    {
        const char *p = m_p; // a local: a store to the member in the loop would be re-read each time
        while (p != m_end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            ++p;
        m_p = p;
    }

    bool literal(QByteArrayView word)
    {
        if (m_end - m_p < word.size() || QByteArrayView(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }

    /// An object; onMember(key) reads the member's value. Keys with escapes are not taken.
    template<typename OnMember>
    bool object(OnMember &&onMember)
    {
        if (peek() != '{' || ++m_depth > kMaxDepth)
            return false;
        ++m_p;
        if (peek() == '}') {
            ++m_p;
            --m_depth;
            return true;
        }
        for (;;) {
            QByteArrayView key;
            bool escaped = false;
            if (peek() != '"' || !string(key, escaped) || escaped || peek() != ':')
                return false;
            ++m_p;
            skipSpace();
            if (!onMember(key))
                return false;
            const char next = peek();
            ++m_p;
            if (next == '}')
                break;
            if (next != ',')
                return false;
        }
        --m_depth;
        return true;
    }

    template<typename OnElement>
    bool array(OnElement &&onElement)
    {
        if (peek() != '[' || ++m_depth > kMaxDepth)
            return false;
        ++m_p;
        if (peek() == ']') {
            ++m_p;
            --m_depth;
            return true;
        }
        for (int index = 0;; ++index) {
            if (!onElement(index))
                return false;
            const char next = peek();
            ++m_p;
            if (next == ']')
                break;
            if (next != ',')
                return false;
        }
        --m_depth;
        return true;
    }

    /// The bytes between the quotes; `escaped` tells whether they hold backslash escapes.
    bool string(QByteArrayView &raw, bool &escaped)
    {
        const char *start = ++m_p; // past the opening quote
        const char *quote = bodyEnd(start, m_end, escaped);
        if (!quote || quote == m_end)
            return false;
        raw = QByteArrayView(start, quote);
        m_p = quote + 1;
        return true;
    }

    /// Reads a string's body from `p`: the closing quote, or `end` when the bytes run out first;
    /// null at a malformed escape or an unescaped control character. `escaped` tells whether the
    /// body holds escapes.
    static const char *bodyEnd(const char *p, const char *end, bool &escaped)
    {
        escaped = false;
        while (p != end) {
            p = stringStop(p, end);
            if (p == end)
                break;
            const auto c = static_cast<unsigned char>(*p);
            if (c == '"')
                return p;
            if (c < 0x20)
                return nullptr; // unescaped control characters are not JSON
            escaped = true; // a backslash
            if (++p == end)
                return nullptr;
            if (*p == 'u') {
                for (int i = 0; i < 4; ++i) {
                    if (++p == end || !std::isxdigit(static_cast<unsigned char>(*p)))
                        return nullptr;
                }
            } else if (!std::strchr("\"\\/bfnrt", *p) || *p == '\0') {
                return nullptr;
            }
            ++p;
        }
        return end;
    }

    /// The string's text: escapes resolved, UTF-8 decoded as the event stream decodes it.
    static bool text(QByteArrayView raw, bool escaped, QString &out)
    {
        if (!escaped) {
            appendUtf8(out, raw);
            return true;
        }
        const char *p = raw.data();
        const char *const end = p + raw.size();
        while (p != end) {
            const auto *backslash = static_cast<const char *>(std::memchr(p, '\\', size_t(end - p)));
            appendUtf8(out, QByteArrayView(p, backslash ? backslash : end));
            if (!backslash)
                break;
            p = backslash + 1; // string() checked every escape
            switch (*p++) {
            case 'b': out += u'\b'; break;
            case 'f': out += u'\f'; break;
            case 'n': out += u'\n'; break;
            case 'r': out += u'\r'; break;
            case 't': out += u'\t'; break;
            case 'u': {
                const char16_t unit = char16_t(QByteArrayView(p, 4).toUInt(nullptr, 16));
                p += 4;
                if (QChar::isLowSurrogate(unit))
                    return false;
                if (QChar::isHighSurrogate(unit)) {
                    // Only a complete pair; a lone half goes the slow way.
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                        return false;
                    const char16_t low = char16_t(QByteArrayView(p + 2, 4).toUInt(nullptr, 16));
                    if (!QChar::isLowSurrogate(low))
                        return false;
                    out += QChar(unit);
                    out += QChar(low);
                    p += 6;
                } else {
                    out += QChar(unit);
                }
                break;
            }
            default: out += QLatin1Char(p[-1]); break; // " \ /
            }
        }
        return true;
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 18 digits on either side: the numbers of a chunk
    /// (created, index); exponents and longer numbers go the slow way.
    bool number()
    {
        if (m_p != m_end && *m_p == '-')
            ++m_p;
        const auto digits = [this] {
            const char *start = m_p;
            while (m_p != m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
            return m_p - start;
        };
        const char *integer = m_p;
        const auto whole = digits();
        if (whole == 0 || whole > 18 || (whole > 1 && *integer == '0'))
            return false;
        if (m_p != m_end && *m_p == '.') {
            ++m_p;
            const auto fraction = digits();
            if (fraction == 0 || fraction > 18)
                return false;
        }
        return m_p == m_end || (*m_p != 'e' && *m_p != 'E');
    }

    /// Any value, checked and skipped.
    bool value_()
    {
        switch (peek()) {
        case '{': return object([this](QByteArrayView) { return value_(); });
        case '[': return array([this](int) { return value_(); });
        case '"': {
            QByteArrayView raw;
            bool escaped = false;
            if (!string(raw, escaped))
                return false;
            if (!escaped)
                return true;
            QString ignored; // an escaped lone surrogate is left to decode()
            return text(raw, escaped, ignored);
        }
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: return number();
        }
    }

    bool nullOr(const auto &read)
    {
        return peek() == 'n' ? literal("null") : read();
    }

    bool choices(QString &text, QString &finishReason)
    {
        return nullOr([&] {
            return array([&](int index) {
                if (index > 0)
                    return value_();
                bool seenFinish = false;
                bool seenDelta = false;
                return object([&](QByteArrayView key) {
                    if (is(key, "finish_reason")) {
                        if (std::exchange(seenFinish, true))
                            return false;
                        return nullOr([&] {
                            m_hadFinishReason = true;
                            return stringInto(finishReason);
                        });
                    }
                    if (is(key, "delta")) {
                        if (std::exchange(seenDelta, true))
                            return false;
                        return nullOr([&] { return delta(text); });
                    }
                    return value_();
                });
            });
        });
    }

    bool delta(QString &text)
    {
        bool seenContent = false;
        return object([&](QByteArrayView key) {
            if (is(key, "content")) {
                if (std::exchange(seenContent, true))
                    return false;
                if (peek() != '"')
                    return nullOr([] { return false; });
                m_contentBegin = m_p + 1;
                if (!stringInto(text))
                    return false;
                m_contentEnd = m_p - 1; // the closing quote
                return true;
            }
            return value_();
        });
    }

    bool stringInto(QString &out)
    {
        QByteArrayView raw;
        bool escaped = false;
        return peek() == '"' && string(raw, escaped) && !startsWithBom(raw) && text(raw, escaped, out);
    }

public:
    /// Where delta.content's string began and ended (its quotes excluded), when it was a string.
    const char *m_contentBegin = nullptr;
    const char *m_contentEnd = nullptr;
    bool m_hadFinishReason = false;

    /// True when `raw` is the body of a JSON string that decode() reads as this scanner does;
    /// its text is appended to `out`.
    static bool stringBody(QByteArrayView raw, QString &out)
    {
        // A quote inside would end the string early.
        bool escaped = false;
        const char *end = raw.data() + raw.size();
        return bodyEnd(raw.data(), end, escaped) == end && !startsWithBom(raw) && text(raw, escaped, out);
    }

private:
    const char *m_p;
    const char *const m_end;
    int m_depth = 0;
};

} // namespace

Result<ChatChunk> OpenAiChunkDecoder::decode(const QString &eventData)
{
    if (eventData.trimmed() == u"[DONE]") {
        ChatChunk chunk;
        chunk.done = true;
        return chunk;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(eventData.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return protocolError(eventData, u"not JSON: " + parseError.errorString() + u" at offset "
                                            + QString::number(parseError.offset));
    if (!document.isObject())
        return protocolError(eventData, QStringLiteral("JSON but not an object"));
    const QJsonObject object = document.object();

    if (const QJsonValue error = object.value(u"error"); !error.isUndefined() && !error.isNull())
        return serverError(error);
    if (object.value(u"object").toString() == u"error")
        return serverError(object);

    ChatChunk chunk;
    // Absent or null choices: a usage-only chunk (vLLM sends "choices": null) or another extra.
    const QJsonValue choices = object.value(u"choices");
    if (choices.isUndefined() || choices.isNull())
        return chunk;
    if (!choices.isArray())
        return protocolError(eventData, QStringLiteral("\"choices\" is not an array"));
    const QJsonArray choiceList = choices.toArray();
    if (choiceList.isEmpty())
        return chunk;
    if (!choiceList.first().isObject())
        return protocolError(eventData, QStringLiteral("\"choices[0]\" is not an object"));
    const QJsonObject choice = choiceList.first().toObject();

    const QJsonValue finishReason = choice.value(u"finish_reason");
    if (finishReason.isString())
        chunk.finishReason = finishReason.toString();
    else if (!finishReason.isUndefined() && !finishReason.isNull())
        return protocolError(eventData, QStringLiteral("\"finish_reason\" is not a string"));

    const QJsonValue delta = choice.value(u"delta");
    if (delta.isUndefined() || delta.isNull())
        return chunk;
    if (!delta.isObject())
        return protocolError(eventData, QStringLiteral("\"delta\" is not an object"));
    const QJsonValue content = delta.toObject().value(u"content");
    if (content.isString())
        chunk.text = content.toString();
    else if (!content.isUndefined() && !content.isNull())
        return protocolError(eventData, QStringLiteral("\"delta.content\" is not a string"));
    return chunk;
}

Result<ChatChunk> OpenAiChunkDecoder::decodeBytes(QByteArrayView eventData)
{
    ChatChunk chunk;
    if (ChunkScanner(eventData).scan(chunk))
        return chunk;
    return decode(decodeUtf8(eventData));
}

Result<void> OpenAiChunkDecoder::decodeSlowInto(QByteArrayView eventData, ChatChunk &chunk)
{
    Result<ChatChunk> decoded = decode(decodeUtf8(eventData));
    if (!decoded)
        return Unexpected(decoded.error());
    chunk.text += decoded->text;
    if (!decoded->finishReason.isEmpty())
        chunk.finishReason = decoded->finishReason;
    chunk.done = chunk.done || decoded->done;
    return {};
}

Result<void> OpenAiChunkDecoder::decodeNext(QByteArrayView eventData, ChatChunk &chunk)
{
    const qsizetype before = chunk.text.size();
    // The chunks of one answer differ, byte for byte, only in delta.content: when this one has the
    // last one's bytes before and after that string, only the string needs reading. The document
    // stays the same JSON with another valid string in the same place, so the result is the one
    // a full read gives (the tests check sequences of mutated chunks against decode()).
    if (!m_prefix.isEmpty() && eventData.size() >= m_prefix.size() + m_suffix.size() && eventData.startsWith(m_prefix)
        && eventData.endsWith(m_suffix)) {
        const QByteArrayView content = eventData.sliced(m_prefix.size(), eventData.size() - m_prefix.size() - m_suffix.size());
        if (ChunkScanner::stringBody(content, chunk.text))
            return {};
        chunk.text.truncate(before);
    }
    ChunkScanner scanner(eventData);
    if (scanner.scan(chunk)) {
        if (scanner.m_contentBegin && !scanner.m_hadFinishReason && !chunk.done) {
            m_prefix = QByteArrayView(eventData.data(), scanner.m_contentBegin).toByteArray();
            m_suffix = QByteArrayView(scanner.m_contentEnd, eventData.data() + eventData.size()).toByteArray();
        } else {
            m_prefix.clear();
            m_suffix.clear();
        }
        return {};
    }
    m_prefix.clear();
    m_suffix.clear();
    chunk.text.truncate(before); // the scanner may have appended part of the text before it gave up
    return decodeSlowInto(eventData, chunk);
}

} // namespace heliodesk
