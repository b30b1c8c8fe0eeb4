// What an OpenAI-compatible server answers outside the stream: the body of a refusal (JSON in
// several dialects, a proxy's HTML page, plain text), quoted in messages by ServerMessage, and
// "Test Connection"'s list of models. The input's first line is the model asked for, the rest the
// body. Quotes are one line, bounded, never end in half a surrogate pair; a model list is sorted,
// without duplicates or empty ids; a refusal is a ProviderProtocol error with a sentence.

#include "fuzzcheck.h"

#include "model/agents/endpointprobe.h"
#include "model/agents/servermessage.h"

using namespace heliodesk;

namespace {

void checkQuote(const QString &quoted, const QString &from)
{
    FUZZ_CHECK(quoted.size() <= ServerMessage::maxQuote + 1, from);
    FUZZ_CHECK(!quoted.contains(u'\n') && !quoted.contains(u'\r'), quoted);
    FUZZ_CHECK(quoted == quoted.trimmed(), quoted);
    if (quoted.size() > ServerMessage::maxQuote - 1 && quoted.endsWith(u'…')) {
        FUZZ_CHECK(!quoted.at(quoted.size() - 2).isHighSurrogate(), QStringLiteral("a quote ends in half a surrogate pair"));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    const qsizetype newline = input.indexOf('\n');
    const QString model = newline < 0 ? QString() : QString::fromUtf8(input.first(newline));
    const QByteArray body = (newline < 0 ? input : input.sliced(newline + 1)).toByteArray();
    const QString text = QString::fromUtf8(body);

    checkQuote(ServerMessage::fromBody(body), text);
    checkQuote(ServerMessage::quote(text), text);
    const QString title = ServerMessage::htmlTitle(text);
    FUZZ_CHECK(title == title.simplified(), title);
    (void)ServerMessage::looksLikeHtml(text);
    const QString note = ServerMessage::httpNote(502, ServerMessage::fromBody(body));
    FUZZ_CHECK(note.startsWith(u"(HTTP 502") && note.endsWith(u')'), note);

    const Result<EndpointCheck> check = parseModelList(body, model, QStringLiteral("http://127.0.0.1:1/v1"));
    if (!check) {
        FUZZ_CHECK(check.error().code() == ErrorCode::ProviderProtocol, check.error().message());
        FUZZ_CHECK(!check.error().message().isEmpty(), QString());
        return 0;
    }
    FUZZ_CHECK(!check->summary.isEmpty(), QString());
    for (qsizetype i = 0; i < check->models.size(); ++i) {
        FUZZ_CHECK(!check->models.at(i).isEmpty(), QStringLiteral("an empty model id"));
        if (i > 0) {
            const QString &a = check->models.at(i - 1);
            const QString &b = check->models.at(i);
            const int order = QString::compare(a, b, Qt::CaseInsensitive);
            FUZZ_CHECK(order < 0 || (order == 0 && a < b), u"not sorted or repeated: " + a + u" / " + b);
        }
    }
    if (check->models.contains(model.trimmed()))
        FUZZ_CHECK(check->modelListed, model);
    return 0;
}
