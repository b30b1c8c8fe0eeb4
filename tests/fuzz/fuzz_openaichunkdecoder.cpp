// OpenAI's streaming chunk decoder. Each line of the input is the data of one event of a stream.
// decodeBytes() (the validating scanner) must answer exactly what decode() answers for the
// decoded text; decodeNext() over the events in order must add up to the same answer; every
// failure is a typed error with a sentence.

#include "fuzzcheck.h"

#include "model/agents/openaichunkdecoder.h"
#include "model/agents/utf8.h"

using namespace heliodesk;

namespace {

QString describe(const Result<ChatChunk> &result)
{
    if (!result)
        return u"error " + QString::fromLatin1(errorCodeName(result.error().code())) + u": " + result.error().message() + u" ["
            + result.error().detail() + u']';
    return u"text “" + result->text + u"” finish “" + result->finishReason + u"” done " + QString::number(result->done);
}

bool sameError(const Error &a, const Error &b)
{
    return a.code() == b.code() && a.message() == b.message() && a.detail() == b.detail();
}

bool sameResult(const Result<ChatChunk> &a, const Result<ChatChunk> &b)
{
    if (bool(a) != bool(b))
        return false;
    if (!a)
        return sameError(a.error(), b.error());
    return a->text == b->text && a->finishReason == b->finishReason && a->done == b->done;
}

void checkTyped(const Result<ChatChunk> &result)
{
    if (result)
        return;
    const ErrorCode code = result.error().code();
    FUZZ_CHECK(code == ErrorCode::ProviderProtocol || code == ErrorCode::ProviderError, describe(result));
    FUZZ_CHECK(!result.error().message().trimmed().isEmpty(), describe(result));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);

    // The whole input as one event's data.
    const Result<ChatChunk> slow = OpenAiChunkDecoder::decode(decodeUtf8(input));
    const Result<ChatChunk> fast = OpenAiChunkDecoder::decodeBytes(input);
    checkTyped(slow);
    FUZZ_CHECK(sameResult(slow, fast), u"decode(): " + describe(slow) + u"\n  decodeBytes(): " + describe(fast));

    // Each line as one event of a stream.
    OpenAiChunkDecoder decoder;
    ChatChunk streamed;
    ChatChunk expected;
    qsizetype from = 0;
    while (from <= input.size()) {
        qsizetype end = input.indexOf('\n', from);
        if (end < 0)
            end = input.size();
        const QByteArrayView event = input.sliced(from, end - from);
        from = end + 1;

        const Result<ChatChunk> alone = OpenAiChunkDecoder::decodeBytes(event);
        FUZZ_CHECK(sameResult(alone, OpenAiChunkDecoder::decode(decodeUtf8(event))), describe(alone));
        checkTyped(alone);
        const ChatChunk before = streamed;
        const Result<void> next = decoder.decodeNext(event, streamed);
        FUZZ_CHECK(bool(next) == bool(alone), describe(alone));
        if (alone) {
            expected.text += alone->text;
            if (!alone->finishReason.isEmpty())
                expected.finishReason = alone->finishReason;
            expected.done = expected.done || alone->done;
        } else {
            FUZZ_CHECK(sameError(next.error(), alone.error()), next.error().message());
            FUZZ_CHECK(streamed.text == before.text && streamed.finishReason == before.finishReason && streamed.done == before.done,
                       QStringLiteral("a failed decodeNext() changed the chunk"));
        }
        FUZZ_CHECK(streamed.text == expected.text && streamed.finishReason == expected.finishReason && streamed.done == expected.done,
                   u"decodeNext() gave “" + streamed.text + u"” / “" + streamed.finishReason + u"”, the events one by one “"
                       + expected.text + u"” / “" + expected.finishReason + u'”');
    }
    return 0;
}
