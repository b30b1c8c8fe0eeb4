// The decoder of OpenAI-style streamed chat chunks, with payloads shaped as OpenAI, Ollama, llama.cpp,
// vLLM and LM Studio send them; and decodeBytes() checked against decode() on a corpus of chunks and
// on mutations of it.

#include "support/testprinters.h"

#include "model/agents/openaichunkdecoder.h"
#include "model/agents/utf8.h"

#include <QRandomGenerator>
#include <QTest>

using namespace heliodesk;

Q_DECLARE_METATYPE(heliodesk::ErrorCode)

namespace {

QString u8(const char *text)
{
    return QString::fromUtf8(text);
}

const QString kProtocolPrefix = QStringLiteral("The model server sent something that is not a streaming chat answer: “");

/// A string with every character outside printable ASCII written as \uXXXX, so that lone
/// surrogates and replacement characters show in a failure message.
QByteArray escapedText(const QString &text)
{
    QByteArray out;
    for (const QChar c : text) {
        if (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'\\')
            out += char(c.unicode());
        else
            out += "\\u" + QByteArray::number(c.unicode(), 16).rightJustified(4, '0');
    }
    return out;
}

QByteArray escapedBytes(QByteArrayView bytes)
{
    QByteArray out;
    for (const char c : bytes) {
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out += c;
        else
            out += "\\x" + QByteArray::number(uchar(c), 16).rightJustified(2, '0');
    }
    return out;
}

QByteArray describe(const Result<ChatChunk> &result)
{
    if (result) {
        return "chunk {text \"" + escapedText(result->text) + "\", finishReason \"" + escapedText(result->finishReason) + "\", done "
               + (result->done ? "true" : "false") + '}';
    }
    return "error {" + QByteArray(errorCodeName(result.error().code())) + ", \"" + escapedText(result.error().message()) + "\", \""
           + escapedText(result.error().detail()) + "\"}";
}

bool sameResult(const Result<ChatChunk> &a, const Result<ChatChunk> &b)
{
    if (bool(a) != bool(b))
        return false;
    if (a)
        return a->text == b->text && a->finishReason == b->finishReason && a->done == b->done;
    return a.error().code() == b.error().code() && a.error().message() == b.error().message()
           && a.error().detail() == b.error().detail();
}

/// decodeBytes() must answer exactly what decode() answers for the text the event stream decodes.
bool bytesDecodeAsText(QByteArrayView bytes)
{
    return sameResult(OpenAiChunkDecoder::decodeBytes(bytes), OpenAiChunkDecoder::decode(decodeUtf8(bytes)));
}

/// A small input on which the two still disagree, what a failure reports: no run of 1 to 16
/// bytes, nor of half, a quarter, … of the input, can be left out of it.
QByteArray minimalDisagreement(QByteArray bytes)
{
    bool shrunk = true;
    while (shrunk) {
        shrunk = false;
        QList<qsizetype> runs;
        for (qsizetype run = bytes.size() / 2; run > 16; run /= 2)
            runs << run;
        for (qsizetype run = 16; run >= 1; --run)
            runs << run;
        for (const qsizetype run : std::as_const(runs)) {
            for (qsizetype at = 0; at + run <= bytes.size(); ++at) {
                QByteArray shorter = bytes;
                shorter.remove(at, run);
                if (!bytesDecodeAsText(shorter)) {
                    bytes = std::move(shorter);
                    shrunk = true;
                }
            }
        }
    }
    return bytes;
}

QByteArray disagreement(const QByteArray &bytes)
{
    const QByteArray minimal = minimalDisagreement(bytes);
    return "decodeBytes() and decode() disagree on\n  " + escapedBytes(bytes) + "\nminimal input\n  " + escapedBytes(minimal)
           + "\ndecodeBytes(): " + describe(OpenAiChunkDecoder::decodeBytes(minimal))
           + "\ndecode():      " + describe(OpenAiChunkDecoder::decode(decodeUtf8(minimal)));
}

/// `bytes` with 1 to 4 random edits: byte flips, deletions, insertions of JSON's structural bytes
/// and of bytes >= 0x80, truncations and repeated stretches.
QByteArray mutated(QByteArray bytes, QRandomGenerator &random)
{
    const QByteArray structural("\"\\{}[],:");
    const int edits = 1 + random.bounded(4);
    for (int e = 0; e < edits; ++e) {
        const auto at = qsizetype(random.bounded(int(bytes.size()) + 1));
        switch (random.bounded(6)) {
        case 0: // flip one bit, or replace the byte
            if (at < bytes.size())
                bytes[at] = random.bounded(2) ? char(bytes.at(at) ^ (1 << random.bounded(8))) : char(random.bounded(256));
            break;
        case 1: // delete a few bytes
            bytes.remove(at, 1 + random.bounded(3));
            break;
        case 2:
            bytes.insert(at, structural.at(random.bounded(int(structural.size()))));
            break;
        case 3:
            bytes.insert(at, char(0x80 + random.bounded(0x80)));
            break;
        case 4:
            bytes.truncate(at);
            break;
        case 5: // repeat a stretch: a key twice, a value twice
            if (at < bytes.size())
                bytes.insert(at, bytes.mid(at, 1 + random.bounded(24)));
            break;
        }
    }
    return bytes;
}

QByteArray nested(int depth)
{
    return QByteArray(depth, '[') + QByteArray(depth, ']');
}

} // namespace

class TestOpenAiChunkDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodes_data();
    void decodes();
    void rejects_data();
    void rejects();
    void errorDetailNamesTypeAndCode();
    void protocolErrorDetailSaysWhy();
    void decodeBytesAgreesWithDecode_data();
    void decodeBytesAgreesWithDecode();
    void decodeBytesAgreesOnMutations();
    void decodeNextAgreesOnStreams();
};

// moc 6.4 does not lex raw string literals (an apostrophe in one hides the class from it), so the
// bodies, full of JSON in raw strings, are kept out of its sight.
#ifndef Q_MOC_RUN

void TestOpenAiChunkDecoder::decodes_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("finishReason");
    QTest::addColumn<bool>("done");

    // The sentinel.
    QTest::newRow("[DONE]") << u8("[DONE]") << QString() << QString() << true;
    QTest::newRow("[DONE] with whitespace") << u8("  [DONE] \n") << QString() << QString() << true;

    // OpenAI.
    QTest::newRow("openai role chunk")
        << u8(R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]})")
        << QString() << QString() << false;
    QTest::newRow("openai content chunk")
        << u8(R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]})")
        << u8("Hello") << QString() << false;
    QTest::newRow("openai chunk with usage null and obfuscation")
        << u8(R"({"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1755000000,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"4k2"})")
        << u8(" there") << QString() << false;
    QTest::newRow("openai final chunk")
        << u8(R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]})")
        << QString() << u8("stop") << false;
    QTest::newRow("openai length")
        << u8(R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]})")
        << QString() << u8("length") << false;
    QTest::newRow("openai usage chunk")
        << u8(R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}})")
        << QString() << QString() << false;
    QTest::newRow("openai tool call, content null")
        << u8(R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]},"logprobs":null,"finish_reason":null}]})")
        << QString() << QString() << false;
    QTest::newRow("escaped unicode and newlines")
        << u8(R"({"choices":[{"index":0,"delta":{"content":"caf\u00e9 \ud83d\ude00\n\"quoted\"\ttab"},"finish_reason":null}]})")
        << QStringLiteral("café \U0001F600\n\"quoted\"\ttab") << QString() << false;
    QTest::newRow("raw UTF-8 content")
        << u8(R"({"choices":[{"index":0,"delta":{"content":"Grüße, 世界"},"finish_reason":null}]})")
        << QStringLiteral("Grüße, 世界") << QString() << false;
    QTest::newRow("content and finish in one chunk")
        << u8(R"({"choices":[{"index":0,"delta":{"content":"."},"finish_reason":"stop"}]})")
        << u8(".") << u8("stop") << false;
    QTest::newRow("whitespace around the object")
        << u8(" \n{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n ") << u8("x") << QString() << false;

    // Ollama's OpenAI-compatible /v1 endpoint.
    QTest::newRow("ollama content chunk")
        << u8(R"({"id":"chatcmpl-712","object":"chat.completion.chunk","created":1718280830,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"The"},"finish_reason":null}]})")
        << u8("The") << QString() << false;
    QTest::newRow("ollama thinking chunk")
        << u8(R"({"id":"chatcmpl-712","object":"chat.completion.chunk","created":1718280830,"model":"qwen3","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Let me think"},"finish_reason":null}]})")
        << QString() << QString() << false;
    QTest::newRow("ollama final chunk")
        << u8(R"({"id":"chatcmpl-712","object":"chat.completion.chunk","created":1718280831,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]})")
        << QString() << u8("stop") << false;

    // llama.cpp server.
    QTest::newRow("llama.cpp first chunk")
        << u8(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1781492230,"id":"chatcmpl-qC6laQHbZ2CmxNvJ4NoB1L93LcVF7nfe","model":"gemma-3-4b-it-Q4_K_M.gguf","system_fingerprint":"b5554-d403f00ec","object":"chat.completion.chunk"})")
        << QString() << QString() << false;
    QTest::newRow("llama.cpp content chunk with timings")
        << u8(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":" world"}}],"created":1781492230,"id":"chatcmpl-qC6laQHbZ2CmxNvJ4NoB1L93LcVF7nfe","model":"gemma-3-4b-it-Q4_K_M.gguf","system_fingerprint":"b5554-d403f00ec","object":"chat.completion.chunk","timings":{"cache_n":7,"prompt_n":10,"prompt_ms":251.51,"prompt_per_token_ms":25.151,"prompt_per_second":39.75985050296211,"predicted_n":28,"predicted_ms":407.596,"predicted_per_token_ms":14.557,"predicted_per_second":68.69547296833139}})")
        << u8(" world") << QString() << false;
    QTest::newRow("llama.cpp reasoning chunk")
        << u8(R"({"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":" it"}}],"created":1781492230,"id":"chatcmpl-q","model":"m.gguf","system_fingerprint":"b5554-d403f00ec","object":"chat.completion.chunk"})")
        << QString() << QString() << false;
    QTest::newRow("llama.cpp final chunk with usage")
        << u8(R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1781492231,"id":"chatcmpl-q","model":"m.gguf","system_fingerprint":"b5554-d403f00ec","object":"chat.completion.chunk","usage":{"completion_tokens":40,"prompt_tokens":10,"total_tokens":50},"timings":{"prompt_n":10,"predicted_n":40}})")
        << QString() << u8("stop") << false;

    // vLLM.
    QTest::newRow("vllm role chunk")
        << u8(R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"meta-llama/Meta-Llama-3-8B-Instruct","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})")
        << QString() << QString() << false;
    QTest::newRow("vllm content chunk")
        << u8(R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"meta-llama/Meta-Llama-3-8B-Instruct","choices":[{"index":0,"delta":{"content":"Paris"},"logprobs":null,"finish_reason":null,"stop_reason":null}]})")
        << u8("Paris") << QString() << false;
    QTest::newRow("vllm final chunk")
        << u8(R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"meta-llama/Meta-Llama-3-8B-Instruct","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"length","stop_reason":null}]})")
        << QString() << u8("length") << false;
    QTest::newRow("vllm usage chunk, choices null")
        << u8(R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"meta-llama/Meta-Llama-3-8B-Instruct","choices":null,"usage":{"prompt_tokens":12,"total_tokens":40,"completion_tokens":28}})")
        << QString() << QString() << false;

    // LM Studio.
    QTest::newRow("lm studio content chunk")
        << u8(R"({"id":"chatcmpl-x1y2","object":"chat.completion.chunk","created":1720000000,"model":"lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF","system_fingerprint":"lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"logprobs":null,"finish_reason":null}]})")
        << u8("Hi") << QString() << false;

    // Tolerated oddities.
    QTest::newRow("no choices member") << u8(R"({"object":"chat.completion.chunk","id":"x"})") << QString() << QString() << false;
    QTest::newRow("delta null") << u8(R"({"choices":[{"index":0,"delta":null,"finish_reason":"stop"}]})") << QString() << u8("stop") << false;
    QTest::newRow("no delta") << u8(R"({"choices":[{"index":0,"finish_reason":"stop"}]})") << QString() << u8("stop") << false;
    QTest::newRow("error null") << u8(R"({"error":null,"choices":[{"delta":{"content":"ok"}}]})") << u8("ok") << QString() << false;
}

void TestOpenAiChunkDecoder::decodes()
{
    QFETCH(QString, data);
    QFETCH(QString, text);
    QFETCH(QString, finishReason);
    QFETCH(bool, done);

    const Result<ChatChunk> chunk = OpenAiChunkDecoder::decode(data);
    VERIFY_OK(chunk);
    QCOMPARE(chunk->text, text);
    QCOMPARE(chunk->finishReason, finishReason);
    QCOMPARE(chunk->done, done);
}

void TestOpenAiChunkDecoder::rejects_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("message");

    const auto reported = [](const char *what) -> QString {
        return u"The model server reported an error: " + QString::fromUtf8(what);
    };
    const auto protocol = [](const QString &quoted) -> QString { return kProtocolPrefix + quoted + u"”."; };

    // Errors the server reports mid-stream.
    QTest::newRow("openai error object")
        << u8(R"({"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}})")
        << ErrorCode::ProviderError << reported("The server had an error while processing your request. Sorry about that!");
    QTest::newRow("openai rate limit error")
        << u8(R"({"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM).","type":"tokens","param":null,"code":"rate_limit_exceeded"}})")
        << ErrorCode::ProviderError << reported("Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM).");
    QTest::newRow("llama.cpp error")
        << u8(R"({"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}})")
        << ErrorCode::ProviderError << reported("the request exceeds the available context size, try increasing it");
    QTest::newRow("vllm error")
        << u8(R"({"error":{"object":"error","message":"This model's maximum context length is 8192 tokens.","type":"BadRequestError","param":null,"code":400}})")
        << ErrorCode::ProviderError << reported("This model's maximum context length is 8192 tokens.");
    QTest::newRow("older vllm top-level error")
        << u8(R"({"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404})")
        << ErrorCode::ProviderError << reported("The model `x` does not exist.");
    QTest::newRow("ollama error")
        << u8(R"j({"error":{"message":"model requires more system memory (9.5 GiB) than is available (4.0 GiB)","type":"api_error","param":null,"code":null}})j")
        << ErrorCode::ProviderError << reported("model requires more system memory (9.5 GiB) than is available (4.0 GiB)");
    QTest::newRow("error string") << u8(R"({"error":"model 'llama9' not found, try pulling it first"})")
                                  << ErrorCode::ProviderError << reported("model 'llama9' not found, try pulling it first");
    QTest::newRow("error without message uses type") << u8(R"({"error":{"type":"server_error","code":500}})")
                                                     << ErrorCode::ProviderError << reported("server_error");
    QTest::newRow("error with only a code") << u8(R"({"error":{"code":500}})") << ErrorCode::ProviderError
                                            << reported(R"({"code":500})");
    QTest::newRow("empty error object") << u8(R"({"error":{}})") << ErrorCode::ProviderError << reported("no details given");
    QTest::newRow("error beside choices") << u8(R"({"choices":[{"delta":{"content":"x"}}],"error":{"message":"stopped"}})")
                                          << ErrorCode::ProviderError << reported("stopped");

    // Not the streaming format.
    QTest::newRow("empty") << QString() << ErrorCode::ProviderProtocol << protocol(QString());
    QTest::newRow("plain text") << u8("hello") << ErrorCode::ProviderProtocol << protocol(u8("hello"));
    QTest::newRow("lower-case done") << u8("[done]") << ErrorCode::ProviderProtocol << protocol(u8("[done]"));
    QTest::newRow("DONE with more") << u8("[DONE] now") << ErrorCode::ProviderProtocol << protocol(u8("[DONE] now"));
    QTest::newRow("truncated JSON") << u8(R"({"choices":[{"delta":{"content":"Hel)") << ErrorCode::ProviderProtocol
                                    << protocol(u8(R"({"choices":[{"delta":{"content":"Hel)"));
    QTest::newRow("two objects") << u8("{}{}") << ErrorCode::ProviderProtocol << protocol(u8("{}{}"));
    QTest::newRow("array") << u8(R"([{"choices":[]}])") << ErrorCode::ProviderProtocol << protocol(u8(R"([{"choices":[]}])"));
    QTest::newRow("string") << u8(R"("text")") << ErrorCode::ProviderProtocol << protocol(u8(R"("text")"));
    QTest::newRow("number") << u8("42") << ErrorCode::ProviderProtocol << protocol(u8("42"));
    QTest::newRow("null") << u8("null") << ErrorCode::ProviderProtocol << protocol(u8("null"));
    QTest::newRow("HTML page") << u8("<html><body>502 Bad Gateway</body></html>") << ErrorCode::ProviderProtocol
                               << protocol(u8("<html><body>502 Bad Gateway</body></html>"));
    QTest::newRow("multi-line data quoted on one line") << u8("not\njson") << ErrorCode::ProviderProtocol << protocol(u8("not json"));
    QTest::newRow("choices not an array") << u8(R"({"choices":"x"})") << ErrorCode::ProviderProtocol << protocol(u8(R"({"choices":"x"})"));
    QTest::newRow("choice not an object") << u8(R"({"choices":[1]})") << ErrorCode::ProviderProtocol << protocol(u8(R"({"choices":[1]})"));
    QTest::newRow("delta not an object") << u8(R"({"choices":[{"delta":"x"}]})") << ErrorCode::ProviderProtocol
                                         << protocol(u8(R"({"choices":[{"delta":"x"}]})"));
    QTest::newRow("content a number") << u8(R"({"choices":[{"delta":{"content":42}}]})") << ErrorCode::ProviderProtocol
                                      << protocol(u8(R"({"choices":[{"delta":{"content":42}}]})"));
    QTest::newRow("finish_reason a number") << u8(R"({"choices":[{"delta":{},"finish_reason":1}]})") << ErrorCode::ProviderProtocol
                                            << protocol(u8(R"({"choices":[{"delta":{},"finish_reason":1}]})"));

    // Long input is quoted by its first 80 characters.
    QTest::newRow("long garbage") << QString(100, u'a') << ErrorCode::ProviderProtocol << protocol(QString(80, u'a') + u'…');
    QTest::newRow("quote never splits a surrogate pair")
        << QString(QString(79, u'a') + u"\U0001F600bbb") << ErrorCode::ProviderProtocol << protocol(QString(79, u'a') + u'…');
    QTest::newRow("exactly 80 characters") << QString(80, u'z') << ErrorCode::ProviderProtocol << protocol(QString(80, u'z'));
}

void TestOpenAiChunkDecoder::rejects()
{
    QFETCH(QString, data);
    QFETCH(ErrorCode, code);
    QFETCH(QString, message);

    const Result<ChatChunk> chunk = OpenAiChunkDecoder::decode(data);
    QVERIFY2(!chunk, "decoded although it should have failed");
    QCOMPARE(chunk.error().code(), code);
    QCOMPARE(chunk.error().message(), message);
}

void TestOpenAiChunkDecoder::errorDetailNamesTypeAndCode()
{
    const Result<ChatChunk> chunk = OpenAiChunkDecoder::decode(
        u8(R"({"error":{"message":"busy","type":"server_error","param":null,"code":503}})"));
    QVERIFY(!chunk);
    QCOMPARE(chunk.error().detail(), u8("type=server_error, code=503"));
}

void TestOpenAiChunkDecoder::protocolErrorDetailSaysWhy()
{
    const Result<ChatChunk> chunk = OpenAiChunkDecoder::decode(u8("{\"choices\":"));
    QVERIFY(!chunk);
    QVERIFY2(chunk.error().detail().startsWith(u"not JSON"), qPrintable(chunk.error().detail()));
}

namespace {

/// Chunks as servers send them, and the odd shapes decodeBytes() must not read differently.
QList<QPair<QByteArray, QByteArray>> chunkCorpus()
{
    const auto content = [](const QByteArray &value) -> QByteArray {
        return R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":)" + value
               + R"(},"finish_reason":null}]})";
    };
    return {
        // OpenAI.
        {"openai role", R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]})"},
        {"openai content", R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]})"},
        {"openai usage null, obfuscation", R"({"id":"chatcmpl-C1","object":"chat.completion.chunk","created":1755000000,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"4k2"})"},
        {"openai final", R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]})"},
        {"openai usage chunk", R"({"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}})"},
        {"openai tool call", R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]},"logprobs":null,"finish_reason":null}]})"},
        {"openai tool call arguments", R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Par"}}]},"logprobs":null,"finish_reason":null}]})"},
        {"openai tool calls finish", R"({"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]})"},
        {"openai logprobs", R"({"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":{"content":[{"token":"Hi","logprob":-0.0019,"bytes":[72,105],"top_logprobs":[]}]},"finish_reason":null}]})"},
        // Ollama /v1.
        {"ollama content", R"({"id":"chatcmpl-712","object":"chat.completion.chunk","created":1718280830,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"The"},"finish_reason":null}]})"},
        {"ollama reasoning", R"({"id":"chatcmpl-712","object":"chat.completion.chunk","created":1718280830,"model":"qwen3","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Let me think"},"finish_reason":null}]})"},
        {"ollama final", R"({"id":"chatcmpl-712","object":"chat.completion.chunk","created":1718280831,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]})"},
        {"ollama error", R"j({"error":{"message":"model requires more system memory (9.5 GiB) than is available (4.0 GiB)","type":"api_error","param":null,"code":null}})j"},
        // llama.cpp.
        {"llama.cpp first", R"({"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1781492230,"id":"chatcmpl-q","model":"gemma-3-4b-it-Q4_K_M.gguf","system_fingerprint":"b5554-d403f00ec","object":"chat.completion.chunk"})"},
        {"llama.cpp timings", R"({"choices":[{"finish_reason":null,"index":0,"delta":{"content":" world"}}],"created":1781492230,"id":"chatcmpl-q","model":"m.gguf","object":"chat.completion.chunk","timings":{"cache_n":7,"prompt_n":10,"prompt_ms":251.51,"prompt_per_token_ms":25.151,"prompt_per_second":39.75985050296211,"predicted_n":28}})"},
        {"llama.cpp final with usage", R"({"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1781492231,"id":"chatcmpl-q","model":"m.gguf","object":"chat.completion.chunk","usage":{"completion_tokens":40,"prompt_tokens":10,"total_tokens":50}})"},
        {"llama.cpp error", R"({"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}})"},
        // vLLM.
        {"vllm role", R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"meta-llama/Meta-Llama-3-8B-Instruct","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})"},
        {"vllm content, stop_reason", R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"m","choices":[{"index":0,"delta":{"content":"Paris"},"logprobs":null,"finish_reason":null,"stop_reason":null}]})"},
        {"vllm final length", R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"m","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"length","stop_reason":128009}]})"},
        {"vllm choices null", R"({"id":"chatcmpl-b5d3c1e2","object":"chat.completion.chunk","created":1716000000,"model":"m","choices":null,"usage":{"prompt_tokens":12,"total_tokens":40,"completion_tokens":28}})"},
        {"vllm error", R"({"error":{"object":"error","message":"This model's maximum context length is 8192 tokens.","type":"BadRequestError","param":null,"code":400}})"},
        {"older vllm top-level error", R"({"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404})"},
        // Errors.
        {"error string", R"({"error":"model 'llama9' not found, try pulling it first"})"},
        {"error null", R"({"error":null,"choices":[{"delta":{"content":"ok"}}]})"},
        {"error beside choices", R"({"choices":[{"delta":{"content":"x"}}],"error":{"message":"stopped"}})"},
        {"error array", R"({"error":[1,"two"]})"},
        {"object error written with an escape", R"({"object":"err\u006fr","message":"boom"})"},
        {"object not a string", R"({"object":1,"choices":[{"delta":{"content":"x"}}]})"},
        // [DONE].
        {"done", "[DONE]"},
        {"done with spaces", "  [DONE] \n"},
        {"done with tabs and CR LF", "\t[DONE]\r\n"},
        {"done after no-break space", "\xc2\xa0[DONE]"},
        {"done after a BOM", "\xef\xbb\xbf[DONE]"},
        {"done with more", "[DONE] now"},
        {"done spaced inside", "[ DONE ]"},
        {"done lower case", "[done]"},
        // Escapes.
        {"escapes", content(R"("caf\u00e9 \ud83d\ude00\n\"quoted\"\\ \/ \t\b\f\r")")},
        {"upper-case hex escapes", content(R"("\u00E9\uD83D\uDE00\u0041")")},
        {"escaped NUL", content(R"("a\u0000b")")},
        {"escaped BOM first", content(R"("\ufeffhi")")},
        {"lone high surrogate", content(R"("\ud83d")")},
        {"lone high surrogate then text", content(R"("\ud83d x")")},
        {"high surrogate then non-surrogate escape", content(R"("\ud83d\u0041")")},
        {"lone low surrogate", content(R"("\ude00")")},
        {"reversed surrogates", content(R"("\ude00\ud83d")")},
        {"lone surrogate in an ignored member", R"({"x":"\ud800","choices":[{"delta":{"content":"x"}}]})"},
        {"bad escape", content(R"("\x41")")},
        {"short unicode escape", content(R"("\u00e")")},
        // UTF-8.
        {"raw UTF-8", content("\"Grüße, 世界 😀\"")},
        {"invalid UTF-8", content("\"a\xff\xfe" "b\"")},
        {"truncated UTF-8 before the quote", content("\"a\xe2\x82\"")},
        {"truncated UTF-8 before an escape", content("\"a\xe2\x82\\n\"")},
        {"overlong UTF-8", content("\"\xc0\xaf\"")},
        {"UTF-8 surrogate", content("\"\xed\xa0\x80\"")},
        {"UTF-8 beyond U+10FFFF", content("\"\xf4\x90\x80\x80\"")},
        {"noncharacters", content("\"\xef\xbf\xbf\xef\xbf\xbe\xef\xb7\x90\xf4\x8f\xbf\xbf\"")},
        {"raw BOM first in content", content("\"\xef\xbb\xbfhi\"")},
        {"raw BOM inside content", content("\"hi\xef\xbb\xbf\"")},
        {"raw BOM first in content with an escape", content("\"\xef\xbb\xbfhi\\n\"")},
        {"raw BOM first in an ignored member", "{\"model\":\"\xef\xbb\xbfm\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"},
        {"raw BOM first in the object member, not error", "{\"object\":\"\xef\xbb\xbf" "chunk\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"},
        {"two BOMs first in content", content("\"\xef\xbb\xbf\xef\xbb\xbfhi\"")},
        {"raw BOM first in finish_reason", "{\"choices\":[{\"delta\":{},\"finish_reason\":\"\xef\xbb\xbfstop\"}]}"},
        {"raw BOM first in a key", "{\"\xef\xbb\xbf" "choices\":[{\"delta\":{\"content\":\"x\"}}]}"},
        {"raw BOM first in the object member", "{\"object\":\"\xef\xbb\xbf" "error\",\"message\":\"boom\"}"},
        {"raw BOM before the object", "\xef\xbb\xbf{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"},
        {"invalid UTF-8 in a key", "{\"cho\xff" "ices\":[{\"delta\":{\"content\":\"x\"}}]}"},
        {"invalid UTF-8 outside strings", "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\xff"},
        {"raw control characters", content("\"tab\there\x01\x7f\"")},
        // Keys.
        {"choices twice", R"({"choices":null,"choices":[{"delta":{"content":"second"}}]})"},
        {"content twice", R"({"choices":[{"delta":{"content":"one","content":"two"}}]})"},
        {"finish_reason twice", R"({"choices":[{"delta":{},"finish_reason":"stop","finish_reason":null}]})"},
        {"delta twice", R"({"choices":[{"delta":{"content":"one"},"delta":null}]})"},
        {"ignored key twice", R"({"id":"a","id":"b","choices":[{"delta":{"content":"x"}}]})"},
        {"content written with an escape", R"({"choices":[{"delta":{"cont\u0065nt":"hidden"}}]})"},
        {"choices written with an escape", R"({"ch\u006fices":[{"delta":{"content":"hidden"}}]})"},
        {"error written with an escape", R"({"\u0065rror":{"message":"boom"}})"},
        {"empty key", R"({"":1,"choices":[{"delta":{"content":"x"}}]})"},
        // Numbers.
        {"exponents", R"({"created":1.7e9,"choices":[{"index":0E0,"delta":{"content":"x"},"logprob":-1.5E-3}]})"},
        {"negative zero and fractions", R"({"created":-0,"x":0.5,"y":-12.25,"choices":[{"index":0,"delta":{"content":"x"}}]})"},
        {"long integer", R"({"created":123456789012345678901234567890,"choices":[{"delta":{"content":"x"}}]})"},
        {"18 and 19 digits", R"({"a":123456789012345678,"b":1234567890123456789,"choices":[{"delta":{"content":"x"}}]})"},
        {"leading zero", R"({"created":01,"choices":[{"delta":{"content":"x"}}]})"},
        {"dot without digits", R"({"created":1.,"choices":[{"delta":{"content":"x"}}]})"},
        {"plus sign", R"({"created":+1,"choices":[{"delta":{"content":"x"}}]})"},
        {"literals", R"({"a":true,"b":false,"c":null,"choices":[{"delta":{"content":"x"}}]})"},
        {"misspelt literal", R"({"a":tru,"choices":[{"delta":{"content":"x"}}]})"},
        // Nesting.
        {"nesting 30", R"({"x":)" + nested(30) + R"(,"choices":[{"delta":{"content":"x"}}]})"},
        {"nesting 31", R"({"x":)" + nested(31) + R"(,"choices":[{"delta":{"content":"x"}}]})"},
        {"nesting 32", R"({"x":)" + nested(32) + R"(,"choices":[{"delta":{"content":"x"}}]})"},
        {"nesting 40", R"({"x":)" + nested(40) + R"(,"choices":[{"delta":{"content":"x"}}]})"},
        {"nesting 1100", R"({"x":)" + nested(1100) + R"(,"choices":[{"delta":{"content":"x"}}]})"},
        // Shapes decode() rejects or tolerates.
        {"choices not an array", R"({"choices":"x"})"},
        {"choices an object", R"({"choices":{"0":{"delta":{"content":"x"}}}})"},
        {"choice not an object", R"({"choices":[1]})"},
        {"choice null", R"({"choices":[null]})"},
        {"second choice ignored", R"({"choices":[{"delta":{"content":"first"}},{"delta":{"content":"second"}}]})"},
        {"second choice not an object", R"({"choices":[{"delta":{"content":"first"}},5]})"},
        {"delta not an object", R"({"choices":[{"delta":"x"}]})"},
        {"delta null", R"({"choices":[{"index":0,"delta":null,"finish_reason":"stop"}]})"},
        {"content a number", R"({"choices":[{"delta":{"content":42}}]})"},
        {"content an array", R"({"choices":[{"delta":{"content":["x"]}}]})"},
        {"finish_reason a number", R"({"choices":[{"delta":{},"finish_reason":1}]})"},
        {"finish_reason an object", R"({"choices":[{"delta":{},"finish_reason":{}}]})"},
        // Around the object.
        {"whitespace around", " \n{ \"choices\" : [ { \"delta\" : { \"content\" : \"x\" } } ] }\r\n\t"},
        {"form feed around", "\f{\"choices\":[]}\f"},
        {"trailing garbage", R"({"choices":[{"delta":{"content":"x"}}]}x)"},
        {"trailing brace", R"({"choices":[{"delta":{"content":"x"}}]}})"},
        {"two objects", "{}{}"},
        {"trailing comma", R"({"choices":[{"delta":{"content":"x"}}],})"},
        {"trailing NUL", QByteArray("{\"choices\":[]}\0", 15)},
        {"NUL inside", QByteArray("{\"choices\":\0[]}", 15)},
        {"empty", ""},
        {"spaces", "   "},
        {"empty object", "{}"},
        {"empty array", "[]"},
        {"null", "null"},
        {"string", R"("text")"},
        {"number", "42"},
        {"plain text", "hello"},
        {"HTML", "<html><body>502 Bad Gateway</body></html>"},
        {"truncated", R"({"choices":[{"delta":{"content":"Hel)"},
    };
}

} // namespace

void TestOpenAiChunkDecoder::decodeBytesAgreesWithDecode_data()
{
    QTest::addColumn<QByteArray>("bytes");
    for (const auto &[name, bytes] : chunkCorpus())
        QTest::newRow(name.constData()) << bytes;
}

void TestOpenAiChunkDecoder::decodeBytesAgreesWithDecode()
{
    QFETCH(QByteArray, bytes);
    if (!bytesDecodeAsText(bytes))
        QFAIL(disagreement(bytes).constData());
    // Every prefix too: what a cut-off event leaves.
    for (qsizetype length = 0; length < bytes.size(); ++length) {
        if (!bytesDecodeAsText(bytes.first(length)))
            QFAIL(disagreement(bytes.first(length)).constData());
    }
}

void TestOpenAiChunkDecoder::decodeBytesAgreesOnMutations()
{
    // Byte flips, deletions, insertions of JSON's structural bytes and of bytes >= 0x80,
    // truncations and repeated stretches of the corpus, from a fixed seed so that a failure repeats.
    // HELIODESK_MUTANTS and HELIODESK_MUTANT_SEED run more, or others, by hand.
    const QList<QPair<QByteArray, QByteArray>> corpus = chunkCorpus();
    bool seedSet = false;
    const int seed = qEnvironmentVariableIntValue("HELIODESK_MUTANT_SEED", &seedSet);
    QRandomGenerator random(seedSet ? quint32(seed) : 20261115u);
    const int kMutants = std::max(qEnvironmentVariableIntValue("HELIODESK_MUTANTS"), 20'000);
    int decoded = 0;
    for (int i = 0; i < kMutants; ++i) {
        const QByteArray bytes = mutated(corpus.at(random.bounded(int(corpus.size()))).second, random);
        const Result<ChatChunk> fromBytes = OpenAiChunkDecoder::decodeBytes(bytes);
        if (!sameResult(fromBytes, OpenAiChunkDecoder::decode(decodeUtf8(bytes))))
            QFAIL(QByteArray("mutant " + QByteArray::number(i) + ": " + disagreement(bytes)).constData());
        decoded += fromBytes ? 1 : 0;
    }
    // Not every mutant is broken JSON: many still decode, so the scanner's accepting path is covered.
    QVERIFY2(decoded > kMutants / 10, QByteArray::number(decoded).constData());
}

void TestOpenAiChunkDecoder::decodeNextAgreesOnStreams()
{
    // decodeNext() reads a chunk that keeps the last one's bytes around delta.content by its text
    // alone. Streams of such chunks with every kind of content (a quote, a trailing backslash,
    // escapes, control bytes, a byte order mark, bytes that are not UTF-8), mixed with other and
    // mutated chunks, must decode as decode() decodes each on its own.
    const QList<QPair<QByteArray, QByteArray>> corpus = chunkCorpus();
    QRandomGenerator random(20261128u);
    const QByteArray prefix = R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":")";
    const QByteArray suffix = R"("},"logprobs":null,"finish_reason":null}]})";
    // Content string bodies as they appear between the quotes, valid or not.
    const QList<QByteArray> contents = {
        "plain", "", R"( \u00e9t\u00e9)", R"(\ud83d\ude00)", R"(\ud83d)", R"(a\\)", R"(a\\\\)", R"(a\\\"b)", R"(quote"inside)",
        R"(back\)", R"(tab\tnew\nline)", R"(\/)", R"(\x)", R"(\u12)", "ctl\x01",
        "\357\273\277bom", // a byte-order mark (EF BB BF, in octal: a hex escape would swallow the "b") before "bom"
        "caf\xC3\xA9", "bad\xC3",
        "\xFF\xFE", R"(\u0000)", R"("},"finish_reason":"stop)", R"(\u0022)", R"(end\u)", "a\rb", R"(\ufeffx)",
    };
    OpenAiChunkDecoder decoder;
    int viaMemo = 0;
    for (int i = 0; i < 20'000; ++i) {
        QByteArray bytes;
        const int kind = random.bounded(10);
        if (kind < 7) {
            const QByteArray &content = contents.at(random.bounded(int(contents.size())));
            bytes = prefix + content + suffix;
            viaMemo += 1;
        } else if (kind < 9) {
            bytes = corpus.at(random.bounded(int(corpus.size()))).second;
        } else {
            bytes = mutated(prefix + "x" + suffix, random);
        }
        ChatChunk chunk;
        chunk.text = QStringLiteral("before|");
        const Result<void> next = decoder.decodeNext(bytes, chunk);
        const Result<ChatChunk> expected = OpenAiChunkDecoder::decode(decodeUtf8(bytes));
        Result<ChatChunk> got = next ? Result<ChatChunk>(chunk) : Result<ChatChunk>(tl::unexpected(next.error()));
        if (got)
            got->text.remove(0, 7); // "before|"
        else
            QCOMPARE(chunk.text, QStringLiteral("before|")); // a failure leaves the chunk as it was
        if (!sameResult(got, expected))
            QFAIL(QByteArray("event " + QByteArray::number(i) + " " + escapedBytes(bytes) + "\ndecodeNext(): " + describe(got)
                             + "\ndecode():     " + describe(expected))
                      .constData());
    }
    QVERIFY(viaMemo > 10'000);
}

#endif // Q_MOC_RUN

QTEST_GUILESS_MAIN(TestOpenAiChunkDecoder)
#include "tst_openaichunkdecoder.moc"
