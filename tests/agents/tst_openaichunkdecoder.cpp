// The decoder of OpenAI-style streamed chat chunks, with payloads shaped as OpenAI, Ollama, llama.cpp,
// vLLM and LM Studio send them.

#include "support/testprinters.h"

#include "model/agents/openaichunkdecoder.h"

#include <QTest>

using namespace heliodesk;

Q_DECLARE_METATYPE(heliodesk::ErrorCode)

namespace {

QString u8(const char *text)
{
    return QString::fromUtf8(text);
}

const QString kProtocolPrefix = QStringLiteral("The model server sent something that is not a streaming chat answer: “");

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

#endif // Q_MOC_RUN

QTEST_GUILESS_MAIN(TestOpenAiChunkDecoder)
#include "tst_openaichunkdecoder.moc"
