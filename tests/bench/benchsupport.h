#pragma once

// What every benchmark of tests/bench needs alike: its output stream, temporary folders removed
// when it stops early, medians, and fresh copies of a SQLite database for each side of a round.

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <algorithm>
#include <cstdlib>

namespace heliodesk::bench {

inline QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

/// Temporary folders to remove when the benchmark stops early (std::exit runs no destructors).
inline QStringList &scratchFolders()
{
    static QStringList folders;
    return folders;
}

/// Says what went wrong, prefixed with the benchmark's name, removes the scratch folders and exits 1.
[[noreturn]] inline void die(const QString &message)
{
    const QString name = QCoreApplication::instance() ? QCoreApplication::applicationName() : QStringLiteral("benchmark");
    QTextStream(stderr) << name << ": " << message << Qt::endl;
    for (const QString &folder : std::as_const(scratchFolders()))
        QDir(folder).removeRecursively();
    std::exit(1); // NOLINT(concurrency-mt-unsafe): the benchmark ends here; nothing else runs by then
}

inline double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    if (n == 0)
        return 0;
    return n % 2 == 1 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2.0;
}

/// "1.0, 2.5, 3.0": the single runs beside their median.
inline QString joined(const QList<double> &values, int decimals = 0)
{
    QStringList parts;
    for (double v : values)
        parts << QString::number(v, 'f', decimals);
    return parts.join(QStringLiteral(", "));
}

/// Replaces `to` (and its -wal/-shm files) by a byte copy of the closed, checkpointed database `from`.
inline void copyFresh(const QString &from, const QString &to)
{
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(to + suffix);
    if (!QFile::copy(from, to))
        die(QStringLiteral("cannot copy the database to %1").arg(to));
}

} // namespace heliodesk::bench
