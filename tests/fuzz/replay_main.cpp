// The main() of a fuzz target in the ordinary build: runs every file of the directories (or the
// files) given on the command line through LLVMFuzzerTestOneInput, so the seed corpus and every
// crash found so far are regression tests. A failed invariant aborts, which fails the test.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

namespace {

bool runFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s: %s\n", qPrintable(path), qPrintable(file.errorString()));
        return false;
    }
    const QByteArray bytes = file.readAll();
    std::fprintf(stderr, "running %s (%lld bytes)\n", qPrintable(path), static_cast<long long>(bytes.size()));
    // A copy of exactly the input's size, so that AddressSanitizer (in a sanitized build) sees a
    // read past its end as libFuzzer would.
    const QByteArray copy(bytes.constData(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(copy.constData()), size_t(copy.size()));
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    int ran = 0;
    for (int i = 1; i < argc; ++i) {
        const QString path = QString::fromLocal8Bit(argv[i]);
        const QFileInfo info(path);
        if (info.isDir()) {
            // Hidden files (.gitkeep) are not inputs.
            const QFileInfoList files = QDir(path).entryInfoList(QDir::Files, QDir::Name);
            for (const QFileInfo &file : files) {
                if (!runFile(file.filePath()))
                    return 1;
                ++ran;
            }
        } else if (info.isFile()) {
            if (!runFile(path))
                return 1;
            ++ran;
        } else {
            std::fprintf(stderr, "no such file or directory: %s\n", argv[i]);
            return 1;
        }
    }
    if (ran == 0) {
        std::fprintf(stderr, "no inputs found: the corpus is missing\n");
        return 1;
    }
    std::fprintf(stderr, "%d inputs ran without a failed invariant\n", ran);
    return 0;
}
