// The text/event-stream parser against the WHATWG standard's algorithm, written out plainly below:
// decode the whole stream, split it into lines, process the fields. The parser must give the same
// events, reconnection time, last event ID and "truncated" answer however the bytes are chunked:
// in one piece, byte by byte, and cut where the input's first byte says.

#include "fuzzcheck.h"

#include "model/agents/sseparser.h"
#include "model/agents/utf8.h"

#include <QList>

#include <limits>
#include <random>

using namespace heliodesk;

namespace {

struct Outcome {
    QList<SseEvent> events;
    bool pending = false;
    std::optional<int> retry;
    QString lastEventId;
    bool operator==(const Outcome &) const = default;
};

QString describe(const Outcome &outcome)
{
    QStringList parts;
    for (const SseEvent &e : outcome.events)
        parts << u"{" + e.type + u"|" + e.data + u"|" + e.lastEventId + u"}";
    return parts.join(u", ") + u" pending=" + QString::number(outcome.pending) + u" retry="
        + (outcome.retry ? QString::number(*outcome.retry) : QStringLiteral("none")) + u" id=" + outcome.lastEventId;
}

/// The standard's "Interpreting an event stream", step by step, on the whole stream at once.
Outcome reference(QByteArrayView stream, const QString &initialLastEventId)
{
    Outcome outcome;
    QString text = decodeUtf8(stream);
    if (stream.startsWith("\xEF\xBB\xBF"))
        text.remove(0, 1); // the decoder strips one BOM at the start
    QString data;
    QString type;
    QString lastEventId = initialLastEventId;
    qsizetype i = 0;
    while (true) {
        qsizetype end = i;
        while (end < text.size() && text.at(end) != u'\r' && text.at(end) != u'\n')
            ++end;
        if (end == text.size()) {
            // No line ending: an incomplete line, which finish() reports with what is pending.
            outcome.pending = end > i || !data.isEmpty() || !type.isEmpty();
            break;
        }
        const QString line = text.mid(i, end - i);
        i = end + 1;
        if (text.at(end) == u'\r' && i < text.size() && text.at(i) == u'\n')
            ++i;
        if (line.isEmpty()) {
            if (data.isEmpty()) {
                type.clear();
                continue;
            }
            if (data.endsWith(u'\n'))
                data.chop(1);
            SseEvent event;
            event.type = type.isEmpty() ? QStringLiteral("message") : type;
            event.data = data;
            event.lastEventId = lastEventId;
            outcome.events << event;
            data.clear();
            type.clear();
            continue;
        }
        if (line.startsWith(u':'))
            continue;
        QString field = line;
        QString value;
        if (const qsizetype colon = line.indexOf(u':'); colon >= 0) {
            field = line.left(colon);
            value = line.mid(colon + 1);
            if (value.startsWith(u' '))
                value.remove(0, 1);
        }
        if (field == u"event") {
            type = value;
        } else if (field == u"data") {
            data += value + u'\n';
        } else if (field == u"id") {
            if (!value.contains(QChar(0)))
                lastEventId = value;
        } else if (field == u"retry") {
            bool digits = !value.isEmpty();
            qint64 ms = 0;
            for (const QChar c : value) {
                if (c < u'0' || c > u'9') {
                    digits = false;
                    break;
                }
                ms = std::min<qint64>(ms * 10 + (c.unicode() - u'0'), std::numeric_limits<int>::max());
            }
            if (digits)
                outcome.retry = int(ms);
        }
    }
    outcome.lastEventId = lastEventId;
    return outcome;
}

/// Feeds the stream cut at `cuts` (ascending), then finishes it.
Outcome parse(SseParser &parser, QByteArrayView stream, const QList<qsizetype> &cuts)
{
    Outcome outcome;
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        outcome.events << parser.feed(stream.sliced(from, cut - from));
        from = cut;
    }
    outcome.events << parser.feed(stream.sliced(from));
    outcome.pending = parser.finish();
    outcome.retry = parser.reconnectionTime();
    outcome.lastEventId = decodeUtf8(parser.lastEventId());
    return outcome;
}

void check(const Outcome &expected, const Outcome &actual, const char *how)
{
    FUZZ_CHECK(actual == expected, QString::fromLatin1(how) + u": expected " + describe(expected) + u"\n  got " + describe(actual));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArrayView input = fuzz::bytes(data, size);
    const quint8 seed = fuzz::takeByte(input);
    const QByteArrayView stream = input;
    const Outcome expected = reference(stream, {});

    SseParser whole;
    const Outcome inOnePiece = parse(whole, stream, {});
    check(expected, inOnePiece, "in one piece");
    FUZZ_CHECK(whole.bytesSeen() == stream.size(), QString());

    // A reconnection: the same parser, finished, reads the stream again as a new one; the last
    // event ID and the reconnection time carry over.
    Outcome again = reference(stream, inOnePiece.lastEventId);
    if (!again.retry)
        again.retry = inOnePiece.retry;
    check(again, parse(whole, stream, {}), "after a reconnection");

    if (stream.size() <= 4096) {
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < stream.size(); ++i)
            everyByte << i;
        SseParser parser;
        check(expected, parse(parser, stream, everyByte), "byte by byte");
    }

    std::minstd_rand random(seed);
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < stream.size(); ++i) {
        if (random() % 4 == 0)
            cuts << i;
    }
    SseParser parser;
    check(expected, parse(parser, stream, cuts), "cut at random");
    return 0;
}
