// The incremental HTTP/1.1 response parser: every case is fed whole, one byte at a time and split
// in two at every position, and must end the same way each time.

#include "model/net/httpresponseparser.h"

#include <QTest>

using namespace heliodesk;

using State = HttpResponseParser::State;
using Fields = QList<QPair<QByteArray, QByteArray>>;

Q_DECLARE_METATYPE(heliodesk::HttpResponseParser::State)

namespace {

const char *nameOf(State state)
{
    switch (state) {
    case State::Head: return "Head";
    case State::Body: return "Body";
    case State::Complete: return "Complete";
    case State::Failed: return "Failed";
    }
    return "?";
}

} // namespace

template<>
inline char *QTest::toString<heliodesk::HttpResponseParser::State>(const heliodesk::HttpResponseParser::State &state)
{
    return qstrdup(nameOf(state));
}

namespace {

/// All a parser tells about a response, once fed; what the three ways of feeding must agree on.
struct Outcome {
    State state = State::Head;
    int status = 0;
    int minorVersion = 0;
    QByteArray reason;
    Fields fields;
    QByteArray body;
    bool hasError = false;
    bool truncated = false;
    bool reusable = false;
    bool nothingReceived = false;
    bool hasHead = false;

    friend bool operator==(const Outcome &, const Outcome &) = default;
};

QByteArray printable(QByteArrayView bytes)
{
    QByteArray text;
    for (const char c : bytes.first(std::min<qsizetype>(bytes.size(), 200))) {
        if (c >= 0x20 && c < 0x7f && c != '\\')
            text += c;
        else
            text += "\\x" + QByteArray::number(uchar(c), 16).rightJustified(2, '0');
    }
    return bytes.size() > 200 ? text + "…(" + QByteArray::number(bytes.size()) + " bytes)" : text;
}

QByteArray describe(const Outcome &o)
{
    QByteArray fields;
    for (const auto &[name, value] : o.fields)
        fields += '[' + printable(name) + ": " + printable(value) + ']';
    return "state " + QByteArray(nameOf(o.state)) + ", status " + QByteArray::number(o.status) + ", HTTP/1."
           + QByteArray::number(o.minorVersion) + ", reason \"" + printable(o.reason) + "\", fields " + fields + ", body \""
           + printable(o.body) + "\", error " + (o.hasError ? "yes" : "no") + ", truncated " + (o.truncated ? "yes" : "no")
           + ", reusable " + (o.reusable ? "yes" : "no") + ", nothingReceived " + (o.nothingReceived ? "yes" : "no")
           + ", hasHead " + (o.hasHead ? "yes" : "no");
}

Outcome outcomeOf(const HttpResponseParser &parser, QByteArray body)
{
    Outcome o;
    o.state = parser.state();
    o.status = parser.head().status;
    o.minorVersion = parser.head().minorVersion;
    o.reason = parser.head().reason;
    o.fields = parser.head().fields;
    o.body = std::move(body);
    o.hasError = !parser.error().isEmpty();
    o.truncated = parser.truncated();
    o.reusable = parser.reusable();
    o.nothingReceived = parser.nothingReceived();
    o.hasHead = parser.hasHead();
    return o;
}

/// Feeds `pieces` in order (then tells the parser of the close when `close`); checks that feed()
/// returns the state it leaves.
Outcome parse(const QList<QByteArrayView> &pieces, bool close, bool *stateReturnedRight)
{
    HttpResponseParser parser;
    QByteArray body;
    for (const QByteArrayView piece : pieces) {
        if (piece.isEmpty())
            continue; // the client never feeds nothing
        if (parser.feed(piece, body) != parser.state())
            *stateReturnedRight = false;
    }
    if (close && parser.closed() != parser.state())
        *stateReturnedRight = false;
    return outcomeOf(parser, std::move(body));
}

QByteArray repeated(const QByteArray &line, int times)
{
    QByteArray all;
    for (int i = 0; i < times; ++i)
        all += line;
    return all;
}

QByteArray manyFields(int count)
{
    QByteArray fields;
    for (int i = 0; i < count; ++i)
        fields += "X-Field-" + QByteArray::number(i) + ": " + QByteArray::number(i) + "\r\n";
    return fields;
}

Fields manyFieldList(int count)
{
    Fields fields;
    for (int i = 0; i < count; ++i)
        fields.append({"X-Field-" + QByteArray::number(i), QByteArray::number(i)});
    return fields;
}

constexpr int kMaxLine = 16 * 1024; // the parser's limit for one line, without its line end

} // namespace

class TestHttpResponseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data();
    void parses();
    void notHttpFailsOnItsFirstByte_data();
    void notHttpFailsOnItsFirstByte();
    void bytesAfterTheEndAreNotParsed();
    void valueJoinsRepeatedFieldsCaseInsensitively();
};

void TestHttpResponseParser::parses_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("close");          // closed() after the bytes
    QTest::addColumn<State>("state");
    QTest::addColumn<int>("status");
    QTest::addColumn<Fields>("fields");       // checked only when the head arrived
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("truncated");
    QTest::addColumn<bool>("reusable");

    const Fields chunkedField{{"Transfer-Encoding", "chunked"}};
    const auto cl = [](const char *length) { return Fields{{"Content-Length", length}}; };

    // Chunked.
    QTest::newRow("chunked with extensions and trailers")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;name=value\r\nhello\r\n6 ; ext=\"quoted;\"\r\n world\r\n0;last\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n")
        << false << State::Complete << 200
        << Fields{{"Content-Type", "text/event-stream"}, {"Transfer-Encoding", "chunked"}} << QByteArray("hello world")
        << false << true;
    QTest::newRow("chunk sizes in upper and lower case hex")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\na\r\nabcdefghij\r\n1F\r\n"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234\r\n1f\r\nabcdefghijklmnopqrstuvwxyz01234\r\n0\r\n\r\n")
        << false << State::Complete << 200 << chunkedField
        << QByteArray("0123456789abcdefghijABCDEFGHIJKLMNOPQRSTUVWXYZ01234abcdefghijklmnopqrstuvwxyz01234") << false << true;
    QTest::newRow("chunked, data holding CR LF")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\ndata: \r\n\r\n2\r\n\r\n\r\n0\r\n\r\n")
        << false << State::Complete << 200 << chunkedField << QByteArray("data: \r\n\r\n") << false << true;
    QTest::newRow("chunked, LF-only line ends")
        << QByteArray("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n2;x\nde\n0\nTrailer: 1\n\n") << false
        << State::Complete << 200 << chunkedField << QByteArray("abcde") << false << true;
    QTest::newRow("chunked, waiting for the last chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n") << false << State::Body << 200
        << chunkedField << QByteArray("abc") << false << false;
    QTest::newRow("chunked, waiting for the trailers' end")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n") << false << State::Body << 200
        << chunkedField << QByteArray("abc") << false << false;

    // Content-Length.
    QTest::newRow("Content-Length body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") << false << State::Complete << 200 << cl("5")
        << QByteArray("hello") << false << true;
    QTest::newRow("Content-Length body, LF-only head")
        << QByteArray("HTTP/1.1 200 OK\nContent-Length: 2\n\n\r\n") << false << State::Complete << 200 << cl("2")
        << QByteArray("\r\n") << false << true;
    QTest::newRow("Content-Length 0")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << false << State::Complete << 200 << cl("0")
        << QByteArray() << false << true;
    QTest::newRow("Content-Length, waiting for the rest")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello") << false << State::Body << 200 << cl("10")
        << QByteArray("hello") << false << false;
    QTest::newRow("repeated identical Content-Length fields")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc") << false << State::Complete
        << 200 << Fields{{"Content-Length", "3"}, {"Content-Length", "3"}} << QByteArray("abc") << false << true;
    QTest::newRow("Content-Length list of identical values")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc") << false << State::Complete << 200 << cl("3, 3")
        << QByteArray("abc") << false << true;
    QTest::newRow("differing Content-Length fields")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") << false << State::Failed
        << 200 << Fields{{"Content-Length", "3"}, {"Content-Length", "4"}} << QByteArray() << false << false;
    QTest::newRow("Content-Length list of differing values")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc") << false << State::Failed << 200 << cl("3, 4")
        << QByteArray() << false << false;
    QTest::newRow("Content-Length not a number")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nabc") << false << State::Failed << 200 << cl("abc")
        << QByteArray() << false << false;
    QTest::newRow("Content-Length negative")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") << false << State::Failed << 200 << cl("-1")
        << QByteArray() << false << false;
    QTest::newRow("Content-Length with a sign")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc") << false << State::Failed << 200 << cl("+3")
        << QByteArray() << false << false;
    QTest::newRow("Content-Length empty")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n") << false << State::Failed << 200 << cl("")
        << QByteArray() << false << false;
    QTest::newRow("Content-Length with 19 digits")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000000\r\n\r\n") << false << State::Failed << 200
        << cl("1000000000000000000") << QByteArray() << false << false;
    QTest::newRow("Content-Length 1.5")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1.5\r\n\r\nab") << false << State::Failed << 200 << cl("1.5")
        << QByteArray() << false << false;

    // No body.
    QTest::newRow("204 without a body")
        << QByteArray("HTTP/1.1 204 No Content\r\nDate: Sun, 15 Nov 2026 12:00:00 GMT\r\n\r\n") << false << State::Complete
        << 204 << Fields{{"Date", "Sun, 15 Nov 2026 12:00:00 GMT"}} << QByteArray() << false << true;
    QTest::newRow("304 with the representation's Content-Length")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: \"x\"\r\n\r\n") << false << State::Complete
        << 304 << Fields{{"Content-Length", "1234"}, {"ETag", "\"x\""}} << QByteArray() << false << true;
    QTest::newRow("status line without a reason")
        << QByteArray("HTTP/1.1 204\r\n\r\n") << false << State::Complete << 204 << Fields{} << QByteArray() << false << true;

    // Until the close.
    QTest::newRow("body until the close, completed by closed()")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body\r\nmore") << true << State::Complete << 200
        << Fields{{"Content-Type", "text/plain"}} << QByteArray("some body\r\nmore") << false << false;
    QTest::newRow("body until the close, not closed yet")
        << QByteArray("HTTP/1.1 200 OK\r\n\r\nsome body") << false << State::Body << 200 << Fields{} << QByteArray("some body")
        << false << false;
    QTest::newRow("empty body until the close")
        << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n") << true << State::Complete << 200
        << Fields{{"Connection", "close"}} << QByteArray() << false << false;

    // Persistence.
    QTest::newRow("HTTP/1.0 is not persistent")
        << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") << false << State::Complete << 200 << cl("2")
        << QByteArray("ok") << false << false;
    QTest::newRow("HTTP/1.0 with Connection: keep-alive")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok") << false << State::Complete
        << 200 << Fields{{"Connection", "Keep-Alive"}, {"Content-Length", "2"}} << QByteArray("ok") << false << true;
    QTest::newRow("HTTP/1.0 keep-alive but until the close")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nok") << true << State::Complete << 200
        << Fields{{"Connection", "keep-alive"}} << QByteArray("ok") << false << false;
    QTest::newRow("Connection: close")
        << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok") << false << State::Complete << 200
        << Fields{{"Connection", "close"}, {"Content-Length", "2"}} << QByteArray("ok") << false << false;
    QTest::newRow("Connection: close in a list, upper case")
        << QByteArray("HTTP/1.1 200 OK\r\nconnection: Upgrade, CLOSE\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << false
        << State::Complete << 200 << Fields{{"connection", "Upgrade, CLOSE"}, {"Transfer-Encoding", "chunked"}} << QByteArray()
        << false << false;

    // Interim responses.
    QTest::newRow("100 Continue before the response")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") << false << State::Complete
        << 200 << cl("2") << QByteArray("ok") << false << true;
    QTest::newRow("103 Early Hints before the response")
        << QByteArray("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                      "HTTP/1.1 100 Continue\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        << false << State::Complete << 200 << chunkedField << QByteArray("ok") << false << true;
    QTest::newRow("16 interim responses")
        << QByteArray(repeated("HTTP/1.1 100 Continue\r\n\r\n", 16) + "HTTP/1.1 204 No Content\r\n\r\n") << false
        << State::Complete << 204 << Fields{} << QByteArray() << false << true;
    QTest::newRow("17 interim responses")
        << QByteArray(repeated("HTTP/1.1 100 Continue\r\n\r\n", 17) + "HTTP/1.1 204 No Content\r\n\r\n") << false
        << State::Failed << 100 << Fields{} << QByteArray() << false << false;
    QTest::newRow("interim response cut off by the close")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\n") << true << State::Failed << 0 << Fields{} << QByteArray() << false
        << false;
    QTest::newRow("101 Switching Protocols refused")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello")
        << false << State::Failed << 101 << Fields{{"Upgrade", "websocket"}, {"Connection", "Upgrade"}} << QByteArray()
        << false << false;

    // Fields.
    QTest::newRow("obs-fold continuation lines")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Long: first\r\n   second\r\n\tthird  \r\nContent-Length: 0\r\n\r\n") << false
        << State::Complete << 200 << Fields{{"X-Long", "first second third"}, {"Content-Length", "0"}} << QByteArray() << false
        << true;
    QTest::newRow("continuation line first")
        << QByteArray("HTTP/1.1 200 OK\r\n folded\r\nContent-Length: 0\r\n\r\n") << false << State::Failed << 200 << Fields{}
        << QByteArray() << false << false;
    QTest::newRow("field values trimmed, empty value kept")
        << QByteArray("HTTP/1.1 200 OK\r\nX-A: \t spaced \t\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n") << false << State::Complete
        << 200 << Fields{{"X-A", "spaced"}, {"X-Empty", ""}, {"Content-Length", "0"}} << QByteArray() << false << true;
    QTest::newRow("field without a colon")
        << QByteArray("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n") << false << State::Failed << 200 << Fields{} << QByteArray() << false
        << false;
    QTest::newRow("space before the colon")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n") << false << State::Failed << 200 << Fields{}
        << QByteArray() << false << false;
    QTest::newRow("line of exactly the limit")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(kMaxLine - 7, 'a') + "\r\nContent-Length: 0\r\n\r\n") << false
        << State::Complete << 200 << Fields{{"X-Big", QByteArray(kMaxLine - 7, 'a')}, {"Content-Length", "0"}} << QByteArray()
        << false << true;
    QTest::newRow("over-long header line")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(kMaxLine - 6, 'a') + "\r\nContent-Length: 0\r\n\r\n") << false
        << State::Failed << 200 << Fields{} << QByteArray() << false << false;
    QTest::newRow("over-long line without its end yet")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(kMaxLine, 'a')) << false << State::Failed << 200 << Fields{}
        << QByteArray() << false << false;
    QTest::newRow("256 fields")
        << QByteArray("HTTP/1.1 204 No Content\r\n" + manyFields(256) + "\r\n") << false << State::Complete << 204
        << manyFieldList(256) << QByteArray() << false << true;
    QTest::newRow("too many fields")
        << QByteArray("HTTP/1.1 204 No Content\r\n" + manyFields(257) + "\r\n") << false << State::Failed << 204
        << manyFieldList(256) << QByteArray() << false << false;
    QTest::newRow("head longer than 64 KiB")
        << QByteArray("HTTP/1.1 204 No Content\r\n" + repeated("X-Big: " + QByteArray(10000, 'b') + "\r\n", 7) + "\r\n") << false
        << State::Failed << 204 << Fields{} << QByteArray() << false << false;

    // Transfer codings.
    QTest::newRow("Transfer-Encoding gzip refused")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b") << false << State::Failed << 200
        << Fields{{"Transfer-Encoding", "gzip"}} << QByteArray() << false << false;
    QTest::newRow("Transfer-Encoding gzip, chunked refused")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") << false << State::Failed << 200
        << Fields{{"Transfer-Encoding", "gzip, chunked"}} << QByteArray() << false << false;
    QTest::newRow("chunked twice refused")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << false
        << State::Failed << 200 << Fields{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}} << QByteArray()
        << false << false;
    QTest::newRow("Transfer-Encoding and Content-Length: chunked wins")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: Chunked\r\n\r\n4\r\nwins\r\n0\r\n\r\n")
        << false << State::Complete << 200 << Fields{{"Content-Length", "100"}, {"Transfer-Encoding", "Chunked"}}
        << QByteArray("wins") << false << true;
    QTest::newRow("Transfer-Encoding identity runs until the close")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nabc") << true
        << State::Complete << 200 << Fields{{"Transfer-Encoding", "identity"}, {"Content-Length", "2"}} << QByteArray("abc")
        << false << false;

    // Broken chunks.
    const QByteArray chunkedHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    QTest::newRow("malformed chunk size") << QByteArray(chunkedHead + "zz\r\nabc\r\n0\r\n\r\n") << false << State::Failed
                                          << 200 << chunkedField << QByteArray() << false << false;
    QTest::newRow("chunk size with junk after it") << QByteArray(chunkedHead + "3 x\r\nabc\r\n0\r\n\r\n") << false
                                                   << State::Failed << 200 << chunkedField << QByteArray() << false << false;
    QTest::newRow("empty chunk size line") << QByteArray(chunkedHead + "\r\nabc\r\n") << false << State::Failed << 200
                                           << chunkedField << QByteArray() << false << false;
    QTest::newRow("negative chunk size") << QByteArray(chunkedHead + "-3\r\nabc\r\n0\r\n\r\n") << false << State::Failed
                                         << 200 << chunkedField << QByteArray() << false << false;
    QTest::newRow("chunk longer than its size") << QByteArray(chunkedHead + "3\r\nabcd\r\n0\r\n\r\n") << false << State::Failed
                                                << 200 << chunkedField << QByteArray("abc") << false << false;
    QTest::newRow("chunk data followed by CR CR LF") << QByteArray(chunkedHead + "3\r\nabc\r\r\n0\r\n\r\n") << false
                                                     << State::Failed << 200 << chunkedField << QByteArray("abc") << false
                                                     << false;
    QTest::newRow("huge chunk size digits") << QByteArray(chunkedHead + "10000000000000000\r\nabc") << false << State::Failed
                                            << 200 << chunkedField << QByteArray() << false << false;
    QTest::newRow("chunk-size line of exactly the limit")
        << QByteArray(chunkedHead + "3;" + QByteArray(kMaxLine - 2, 'x') + "\r\nabc\r\n0\r\n\r\n") << false << State::Complete
        << 200 << chunkedField << QByteArray("abc") << false << true;
    QTest::newRow("over-long chunk-size line")
        << QByteArray(chunkedHead + "3;" + QByteArray(kMaxLine - 1, 'x') + "\r\nabc\r\n0\r\n\r\n") << false << State::Failed
        << 200 << chunkedField << QByteArray() << false << false;
    QTest::newRow("15 hex digits is still a size")
        << QByteArray(chunkedHead + "fffffffffffffff\r\nabc") << false << State::Body << 200 << chunkedField << QByteArray("abc")
        << false << false;

    // Not HTTP.
    QTest::newRow("SSH banner") << QByteArray("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n") << false << State::Failed << 0
                                << Fields{} << QByteArray() << false << false;
    QTest::newRow("SSH banner, no newline") << QByteArray("SSH-2.0-OpenSSH_9.6p1") << false << State::Failed << 0 << Fields{}
                                            << QByteArray() << false << false;
    QTest::newRow("TLS record") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << false << State::Failed
                                << 0 << Fields{} << QByteArray() << false << false;
    QTest::newRow("HTTP/2 status line") << QByteArray("HTTP/2 200\r\n\r\n") << false << State::Failed << 0 << Fields{}
                                        << QByteArray() << false << false;
    QTest::newRow("lower-case http") << QByteArray("http/1.1 200 OK\r\n\r\n") << false << State::Failed << 0 << Fields{}
                                     << QByteArray() << false << false;
    QTest::newRow("two-digit status") << QByteArray("HTTP/1.1 20 OK\r\n\r\n") << false << State::Failed << 0 << Fields{}
                                      << QByteArray() << false << false;
    QTest::newRow("status 099") << QByteArray("HTTP/1.1 099 Odd\r\n\r\n") << false << State::Failed << 0 << Fields{}
                                << QByteArray() << false << false;
    QTest::newRow("no space after the status") << QByteArray("HTTP/1.1 200OK\r\n\r\n") << false << State::Failed << 0
                                               << Fields{} << QByteArray() << false << false;
    QTest::newRow("blank line before the status line") << QByteArray("\r\nHTTP/1.1 204 No Content\r\n\r\n") << false
                                                       << State::Failed << 0 << Fields{} << QByteArray() << false << false;
    QTest::newRow("not HTTP after an interim response")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nSSH-2.0-x\r\n") << false << State::Failed << 0 << Fields{} << QByteArray()
        << false << false;

    // The connection ends early.
    QTest::newRow("closed before any byte") << QByteArray() << true << State::Failed << 0 << Fields{} << QByteArray() << false
                                            << false;
    QTest::newRow("nothing yet") << QByteArray() << false << State::Head << 0 << Fields{} << QByteArray() << false << false;
    QTest::newRow("closed inside the status line") << QByteArray("HTTP/1.1 20") << true << State::Failed << 0 << Fields{}
                                                   << QByteArray() << false << false;
    QTest::newRow("closed inside the head") << QByteArray("HTTP/1.1 200 OK\r\nContent-Len") << true << State::Failed << 200
                                            << Fields{} << QByteArray() << false << false;
    QTest::newRow("truncated chunked body")
        << QByteArray(chunkedHead + "5\r\nhello\r\n6\r\n wor") << true << State::Failed << 200 << chunkedField
        << QByteArray("hello wor") << true << false;
    QTest::newRow("truncated before the trailers' end")
        << QByteArray(chunkedHead + "5\r\nhello\r\n0\r\n") << true << State::Failed << 200 << chunkedField
        << QByteArray("hello") << true << false;
    QTest::newRow("truncated Content-Length body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello") << true << State::Failed << 200 << cl("10")
        << QByteArray("hello") << true << false;

    // Bytes after the end of the response.
    QTest::newRow("surplus after a Content-Length body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n") << false << State::Complete << 200
        << cl("2") << QByteArray("ok") << false << false;
    QTest::newRow("surplus after the last chunk")
        << QByteArray(chunkedHead + "2\r\nok\r\n0\r\n\r\nextra") << false << State::Complete << 200 << chunkedField
        << QByteArray("ok") << false << false;
    QTest::newRow("surplus after a 204")
        << QByteArray("HTTP/1.1 204 No Content\r\n\r\nextra") << false << State::Complete << 204 << Fields{} << QByteArray()
        << false << false;
    QTest::newRow("surplus after Content-Length 0")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\n") << false << State::Complete << 200 << cl("0")
        << QByteArray() << false << false;
}

void TestHttpResponseParser::parses()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, close);
    QFETCH(State, state);
    QFETCH(int, status);
    QFETCH(Fields, fields);
    QFETCH(QByteArray, body);
    QFETCH(bool, truncated);
    QFETCH(bool, reusable);

    bool stateReturnedRight = true;
    const Outcome whole = parse({QByteArrayView(input)}, close, &stateReturnedRight);
    QVERIFY2(stateReturnedRight, "feed() or closed() returned another state than state()");

    QCOMPARE(whole.state, state);
    QCOMPARE(whole.status, status);
    if (whole.hasHead || state == State::Complete || state == State::Body)
        QCOMPARE(whole.fields, fields);
    QCOMPARE(whole.body, body);
    QCOMPARE(whole.truncated, truncated);
    QCOMPARE(whole.reusable, reusable);
    QCOMPARE(whole.hasError, state == State::Failed);
    QCOMPARE(whole.nothingReceived, input.isEmpty());
    if (state == State::Complete || state == State::Body || truncated)
        QVERIFY(whole.hasHead);

    // The same, however the bytes arrive.
    QList<QByteArrayView> bytes;
    for (qsizetype i = 0; i < input.size(); ++i)
        bytes.append(QByteArrayView(input).sliced(i, 1));
    const Outcome byteByByte = parse(bytes, close, &stateReturnedRight);
    if (byteByByte != whole)
        QFAIL(QByteArray("fed one byte at a time: " + describe(byteByByte) + "\nfed whole: " + describe(whole)).constData());

    // Split in two at every position; in the few inputs longer than 2 KiB, around every eighth
    // line end (where the parser changes step; their lines are all alike), everywhere in the first
    // and last 64 bytes, and at every 61st position elsewhere, which keeps the test quick.
    QList<bool> splitHere(input.size() + 1, input.size() <= 2048);
    int lineEnds = 0;
    for (qsizetype i = 0; i < input.size(); ++i) {
        if (i % 61 == 0 || i < 64 || i > input.size() - 64)
            splitHere[i] = true;
        if (input.at(i) == '\n' && lineEnds++ % 8 == 0) {
            splitHere[std::max<qsizetype>(0, i - 1)] = true;
            splitHere[i] = true;
            splitHere[i + 1] = true;
        }
    }
    for (qsizetype at = 1; at < input.size(); ++at) {
        if (!splitHere.at(at))
            continue;
        const Outcome split = parse({QByteArrayView(input).first(at), QByteArrayView(input).sliced(at)}, close, &stateReturnedRight);
        if (split != whole)
            QFAIL(QByteArray("split at " + QByteArray::number(at) + ": " + describe(split) + "\nfed whole: " + describe(whole)).constData());
    }
    QVERIFY2(stateReturnedRight, "feed() or closed() returned another state than state()");
}

void TestHttpResponseParser::notHttpFailsOnItsFirstByte_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<State>("state");

    QTest::newRow("S of SSH") << QByteArray("S") << State::Failed;
    QTest::newRow("TLS handshake byte") << QByteArray("\x16") << State::Failed;
    QTest::newRow("HTML") << QByteArray("<") << State::Failed;
    QTest::newRow("H") << QByteArray("H") << State::Head;
    QTest::newRow("HTTP/") << QByteArray("HTTP/") << State::Head;
    QTest::newRow("HTTPS") << QByteArray("HTTPS") << State::Failed;
    QTest::newRow("HTTP/1.1 without newline") << QByteArray("HTTP/1.1 200 OK") << State::Head;
}

void TestHttpResponseParser::notHttpFailsOnItsFirstByte()
{
    QFETCH(QByteArray, first);
    QFETCH(State, state);

    // No newline ever comes: the parser must not wait for one.
    HttpResponseParser parser;
    QByteArray body;
    QCOMPARE(parser.feed(first, body), state);
    QCOMPARE(parser.error().isEmpty(), state != State::Failed);
    QVERIFY(!parser.nothingReceived());
    if (state == State::Failed)
        QVERIFY2(parser.error().contains(u"not HTTP"), qPrintable(parser.error()));
}

void TestHttpResponseParser::bytesAfterTheEndAreNotParsed()
{
    // The next response on the same connection is surplus: not parsed, not in the body.
    HttpResponseParser parser;
    QByteArray body;
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", body), State::Complete);
    QVERIFY(parser.reusable());
    QCOMPARE(parser.feed("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", body), State::Complete);
    QCOMPARE(body, QByteArray("ok"));
    QCOMPARE(parser.head().status, 200);
    QVERIFY(!parser.reusable());

    // Nor after a failure.
    HttpResponseParser failed;
    QCOMPARE(failed.feed("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", body), State::Failed);
    const QString error = failed.error();
    QCOMPARE(failed.feed("HTTP/1.1 200 OK\r\n\r\n", body), State::Failed);
    QCOMPARE(failed.closed(), State::Failed);
    QCOMPARE(failed.error(), error);
    QVERIFY(!failed.truncated());
}

void TestHttpResponseParser::valueJoinsRepeatedFieldsCaseInsensitively()
{
    HttpResponseParser parser;
    QByteArray body;
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nX-Request-Id: 7\r\ncache-control:  no-store \r\n"
                         "CACHE-CONTROL: private\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n",
                         body),
             State::Complete);
    const HttpResponseHead &head = parser.head();
    QCOMPARE(head.value("Cache-Control"), QByteArray("no-cache, no-store, private"));
    QCOMPARE(head.value("cache-CONTROL"), QByteArray("no-cache, no-store, private"));
    QCOMPARE(head.value("x-request-id"), QByteArray("7"));
    QVERIFY(head.has("X-REQUEST-ID"));
    QVERIFY(head.has("x-empty"));
    QCOMPARE(head.value("X-Empty"), QByteArray());
    QVERIFY(!head.has("X-Missing"));
    QCOMPARE(head.value("X-Missing"), QByteArray());
    QVERIFY(!head.has("Cache-Contro"));
    QCOMPARE(head.reason, QByteArray("OK"));
    QCOMPARE(head.minorVersion, 1);
}

QTEST_GUILESS_MAIN(TestHttpResponseParser)
#include "tst_httpresponseparser.moc"
