#include "utf8.h"

namespace heliodesk {

/// The WHATWG Encoding standard's UTF-8 decoder with replacement: every maximal invalid
/// subsequence becomes one U+FFFD. QString::fromUtf8 is not used because it drops a leading
/// U+FEFF of every call (which would eat a BOM at the start of any line, not only the stream's)
/// and replaces a truncated sequence with one U+FFFD per byte.
void appendUtf8(QString &result, QByteArrayView bytes)
{
    // One UTF-16 unit per byte at most: a 4-byte sequence becomes a surrogate pair.
    const qsizetype start = result.size();
    result.resize(start + bytes.size());
    QChar *out = result.data() + start;
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const uchar *const end = p + bytes.size();

    char32_t codePoint = 0;
    int needed = 0;
    int seen = 0;
    uchar lower = 0x80;
    uchar upper = 0xBF;
    while (p != end) {
        const uchar byte = *p;
        if (needed == 0) {
            ++p;
            if (byte < 0x80) {
                *out++ = QChar(char16_t(byte));
            } else if (byte >= 0xC2 && byte <= 0xDF) {
                needed = 1;
                codePoint = byte & 0x1F;
            } else if (byte >= 0xE0 && byte <= 0xEF) {
                if (byte == 0xE0)
                    lower = 0xA0;
                else if (byte == 0xED)
                    upper = 0x9F;
                needed = 2;
                codePoint = byte & 0x0F;
            } else if (byte >= 0xF0 && byte <= 0xF4) {
                if (byte == 0xF0)
                    lower = 0x90;
                else if (byte == 0xF4)
                    upper = 0x8F;
                needed = 3;
                codePoint = byte & 0x07;
            } else {
                *out++ = QChar::ReplacementCharacter;
            }
            continue;
        }
        if (byte < lower || byte > upper) {
            // The byte is not consumed: it starts over in the initial state.
            codePoint = 0;
            needed = seen = 0;
            lower = 0x80;
            upper = 0xBF;
            *out++ = QChar::ReplacementCharacter;
            continue;
        }
        ++p;
        lower = 0x80;
        upper = 0xBF;
        codePoint = (codePoint << 6) | (byte & 0x3F);
        if (++seen != needed)
            continue;
        if (QChar::requiresSurrogates(codePoint)) {
            *out++ = QChar(QChar::highSurrogate(codePoint));
            *out++ = QChar(QChar::lowSurrogate(codePoint));
        } else {
            *out++ = QChar(static_cast<char16_t>(codePoint));
        }
        codePoint = 0;
        needed = seen = 0;
    }
    if (needed != 0)
        *out++ = QChar::ReplacementCharacter;
    result.truncate(out - result.constData());
}

} // namespace heliodesk
