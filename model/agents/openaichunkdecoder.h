#pragma once

// Decodes the data of one server-sent event of OpenAI's streaming chat-completions format
// (`chat.completion.chunk` objects, `data: [DONE]`, and an `error` object sent mid-stream).

#include "storage/error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace heliodesk {

struct ChatChunk {
    QString text;          // choices[0].delta.content (may be empty: role-only or keep-alive chunks)
    QString finishReason;  // choices[0].finish_reason when present ("stop", "length", …)
    bool done = false;     // the `[DONE]` sentinel
};

class OpenAiChunkDecoder
{
public:
    /// Decodes one event's data. A JSON `error` object becomes an Error with the server's message
    /// (code ProviderError); data that is neither `[DONE]` nor a JSON object is a ProviderProtocol
    /// error that quotes the start of what arrived.
    static Result<ChatChunk> decode(const QString &eventData);

    /// The same for the event's data as sent (UTF-8, undecoded), with the same result for every
    /// input. Ordinary chunks are read by a validating scanner that builds no JSON tree; anything
    /// else (errors, [DONE], escapes in names, unusual numbers) goes the way of decode().
    static Result<ChatChunk> decodeBytes(QByteArrayView eventData);

    /// decodeBytes() for the events of one stream, in order: appends the event's text to
    /// chunk.text, sets chunk.finishReason when the event has one and chunk.done on [DONE]; on
    /// failure `chunk` is left as it was. Remembers the bytes around the text of the last ordinary
    /// chunk, and reads a chunk that has the same ones by its text alone.
    Result<void> decodeNext(QByteArrayView eventData, ChatChunk &chunk);

private:
    /// decode() of the decoded text, appended to `chunk` as decodeNext() does.
    static Result<void> decodeSlowInto(QByteArrayView eventData, ChatChunk &chunk);

    QByteArray m_prefix; // the last ordinary chunk up to its delta.content string's first byte
    QByteArray m_suffix; // and from that string's closing quote
};

} // namespace heliodesk
