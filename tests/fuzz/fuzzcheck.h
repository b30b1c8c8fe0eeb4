#pragma once

// What the fuzz targets share: FUZZ_CHECK, which aborts with a message when an invariant fails
// (libFuzzer then keeps the input as a crash; the replay test fails), and the input as Qt sees it.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace heliodesk::fuzz {

[[noreturn]] inline void failed(const char *condition, const char *file, int line, const QString &detail)
{
    std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, condition);
    if (!detail.isEmpty())
        std::fprintf(stderr, "  %s\n", detail.toUtf8().constData());
    std::fflush(stderr);
    std::abort();
}

/// The fuzzer's bytes, not copied.
inline QByteArrayView bytes(const uint8_t *data, size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

/// Takes the first byte of `input` (0 when empty), for choices the input makes.
inline quint8 takeByte(QByteArrayView &input)
{
    if (input.isEmpty())
        return 0;
    const auto byte = quint8(input.front());
    input = input.sliced(1);
    return byte;
}

} // namespace heliodesk::fuzz

/// The detail is built only when the check fails.
#define FUZZ_CHECK(condition, detail)                                                    \
    do {                                                                                 \
        if (!(condition))                                                                \
            ::heliodesk::fuzz::failed(#condition, __FILE__, __LINE__, (detail));         \
    } while (false)
