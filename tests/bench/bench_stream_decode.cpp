// How fast Heliodesk turns a streamed answer's bytes into text, without a network or a process:
// the HTTP/1.1 chunked framing, the event-stream parser and the chunk decoder, over the same
// 20,000-token answer bench_ask_stream serves. The baseline, measured in the same run, is what
// any reader must do with those bytes: one memchr pass over them (finding the line ends).

#include "support/openaitestserver.h"

#include "model/agents/openaichunkdecoder.h"
#include "model/agents/sseparser.h"
#include "model/net/httpresponseparser.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>
#include <cstring>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

/// The answer as one HTTP response with every event its own chunk, as the test server sends it.
QByteArray chunkedResponse(int tokens, QString *text)
{
    QStringList pieces;
    const QStringList words = {QStringLiteral(" The"), QStringLiteral(" inverter"), QStringLiteral(" tripped"), QStringLiteral(" at"),
                               QStringLiteral(" 06:40,"), QStringLiteral(" 4 °C"), QStringLiteral(" —"), QStringLiteral(" 1 MΩ"),
                               QStringLiteral("\n\n"), QStringLiteral(" 120 €"), QStringLiteral(".")};
    for (int i = 0; i < tokens; ++i)
        pieces << words.at(i % words.size());
    *text = pieces.join(QString());
    const ScriptedResponse answer = ScriptedResponse::stream(pieces);
    QByteArray response = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const QByteArray &chunk : answer.chunks)
        response += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    response += "0\r\n\r\n";
    return response;
}

enum class Stage { Http, Events, Text };

/// Parses the response fed in reads of `readSize` bytes, up to `stage`; returns the text (or the
/// number of bytes or events, as characters, for the earlier stages).
QString decode(const QByteArray &response, qsizetype readSize, Stage stage = Stage::Text)
{
    HttpResponseParser http;
    SseParser sse;
    QByteArray body;
    OpenAiChunkDecoder decoder;
    ChatChunk decoded; // as the provider reads: one chunk gathers the text of a read's events
    QString text;
    qsizetype count = 0;
    for (qsizetype at = 0; at < response.size(); at += readSize) {
        http.feed(QByteArrayView(response).sliced(at, std::min(readSize, response.size() - at)), body);
        if (stage == Stage::Http) {
            count += body.size();
        } else {
            sse.feedBytes(body, [&decoder, &decoded, &count, stage](const SseEventBytes &event) {
                if (stage == Stage::Events)
                    count += event.data.size();
                else
                    (void)decoder.decodeNext(event.data, decoded);
            });
            text += decoded.text;
            decoded.text.resize(0);
        }
        body.resize(0);
    }
    return stage == Stage::Text ? text : QString::number(count);
}

qsizetype lineEnds(const QByteArray &response)
{
    qsizetype count = 0;
    const char *p = response.constData();
    const char *const end = p + response.size();
    while (const auto *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)))) {
        ++count;
        p = nl + 1;
    }
    return count;
}

template<typename F>
double medianMs(int runs, F &&work)
{
    QList<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        ms << double(timer.nsecsElapsed()) / 1e6;
    }
    std::sort(ms.begin(), ms.end());
    return ms.at(ms.size() / 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    constexpr int kTokens = 20'000;
    constexpr int kRuns = 31;
    QString expected;
    const QByteArray response = chunkedResponse(kTokens, &expected);
    if (decode(response, 64 * 1024) != expected || decode(response, 1000) != expected) {
        QTextStream(stderr) << "bench_stream_decode: the decoded text is not the answer" << Qt::endl;
        return 1;
    }
    volatile qsizetype sink = 0;
    const double baseline = medianMs(kRuns, [&] { sink = sink + lineEnds(response); });
    const double bulk = medianMs(kRuns, [&] { sink = sink + decode(response, 64 * 1024).size(); });
    const double small = medianMs(kRuns, [&] { sink = sink + decode(response, 1460).size(); });
    const double http = medianMs(kRuns, [&] { sink = sink + decode(response, 64 * 1024, Stage::Http).size(); });
    const double events = medianMs(kRuns, [&] { sink = sink + decode(response, 64 * 1024, Stage::Events).size(); });
    out() << "bench_stream_decode: " << kTokens << " tokens, " << response.size() << " bytes of HTTP, median of " << kRuns << " runs\n"
          << "  baseline (memchr over the bytes): " << QString::number(baseline, 'f', 2) << " ms\n"
          << "  decode, 64 KiB reads: " << QString::number(bulk, 'f', 2) << " ms ("
          << QString::number(bulk * 1e6 / kTokens, 'f', 0) << " ns per token, " << QString::number(bulk / baseline, 'f', 1)
          << "x baseline)\n"
          << "  decode, 1460-byte reads (one TCP segment each): " << QString::number(small, 'f', 2) << " ms ("
          << QString::number(small * 1e6 / kTokens, 'f', 0) << " ns per token)\n"
          << "  of which HTTP framing: " << QString::number(http, 'f', 2) << " ms, event stream: "
          << QString::number(events - http, 'f', 2) << " ms, chunk decoding and text: " << QString::number(bulk - events, 'f', 2)
          << " ms\n";
    return 0;
}
