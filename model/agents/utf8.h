#pragma once

// UTF-8 decoding as the WHATWG Encoding standard defines it ("UTF-8 decode" with replacement),
// which the event-stream format requires: every maximal invalid subsequence becomes one U+FFFD.

#include <QByteArrayView>
#include <QString>

namespace heliodesk {

/// Appends the decoded bytes to `out`. A sequence cut off at the end of `bytes` becomes one
/// U+FFFD: callers decode whole fields, never pieces of one.
void appendUtf8(QString &out, QByteArrayView bytes);

[[nodiscard]] inline QString decodeUtf8(QByteArrayView bytes)
{
    QString text;
    appendUtf8(text, bytes);
    return text;
}

} // namespace heliodesk
