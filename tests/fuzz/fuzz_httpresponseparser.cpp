// The HTTP/1.1 response parser: whatever a server sends, however the bytes are split between
// reads, the state, the head, the body (with its framing removed) and whether the connection can
// be reused come out the same; a failure always says what was wrong.

#include "fuzzcheck.h"

#include "model/net/httpresponseparser.h"

#include <QList>

#include <random>

using namespace heliodesk;

namespace {

struct Outcome {
    HttpResponseParser::State state = HttpResponseParser::State::Head;
    HttpResponseParser::State afterClose = HttpResponseParser::State::Head;
    bool hasHead = false;
    int status = 0;
    int minorVersion = 0;
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> fields;
    QByteArray body;
    bool reusable = false;
    bool truncated = false;
    bool operator==(const Outcome &) const = default;
};

QString describe(const Outcome &o)
{
    return QStringLiteral("state %1 closed %2 head %3 status %4 reason %5 fields %6 body %7 bytes reusable %8 truncated %9")
        .arg(int(o.state))
        .arg(int(o.afterClose))
        .arg(o.hasHead)
        .arg(o.status)
        .arg(QString::fromLatin1(o.reason.toPercentEncoding()))
        .arg(o.fields.size())
        .arg(o.body.size())
        .arg(o.reusable)
        .arg(o.truncated);
}

Outcome parse(QByteArrayView response, const QList<qsizetype> &cuts)
{
    HttpResponseParser parser;
    Outcome o;
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        parser.feed(response.sliced(from, cut - from), o.body);
        from = cut;
    }
    o.state = parser.feed(response.sliced(from), o.body);
    FUZZ_CHECK(o.state == parser.state(), QString());
    o.reusable = parser.reusable();
    o.hasHead = parser.hasHead();
    if (o.hasHead) {
        o.status = parser.head().status;
        o.minorVersion = parser.head().minorVersion;
        o.reason = parser.head().reason;
        o.fields = parser.head().fields;
    }
    o.afterClose = parser.closed();
    o.truncated = parser.truncated();
    FUZZ_CHECK(o.afterClose != HttpResponseParser::State::Failed || !parser.error().isEmpty(), QStringLiteral("a failure without words"));
    FUZZ_CHECK(o.afterClose == HttpResponseParser::State::Complete || o.afterClose == HttpResponseParser::State::Failed,
               QStringLiteral("closed() left the response unfinished"));
    FUZZ_CHECK(o.body.size() <= response.size(), QStringLiteral("more body than bytes"));
    FUZZ_CHECK(!o.hasHead || (o.status >= 100 && o.status <= 999), QString::number(o.status));
    return o;
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
    const Outcome whole = parse(input, {});

    if (input.size() <= 4096) {
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < input.size(); ++i)
            everyByte << i;
        check(whole, parse(input, everyByte), "byte by byte");
    }
    std::minstd_rand random(seed);
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < input.size(); ++i) {
        if (random() % 8 == 0)
            cuts << i;
    }
    check(whole, parse(input, cuts), "cut at random");
    return 0;
}
