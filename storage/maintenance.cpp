#include "maintenance.h"

#include "sql.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace heliodesk::Maintenance {

Result<QStringList> check(const QSqlDatabase &db)
{
    QStringList problems;
    auto integrity = execSql(db, QStringLiteral("PRAGMA integrity_check"));
    if (!integrity)
        return Unexpected(integrity.error());
    while (integrity->next()) {
        const QString line = integrity->value(0).toString();
        if (line != u"ok")
            problems << QStringLiteral("Integrity: %1").arg(line);
    }
    auto foreignKeys = execSql(db, QStringLiteral("PRAGMA foreign_key_check"));
    if (!foreignKeys)
        return Unexpected(foreignKeys.error());
    while (foreignKeys->next())
        problems << QStringLiteral("Foreign key: row %1 of %2 refers to a missing row of %3")
                        .arg(foreignKeys->value(1).toString(), foreignKeys->value(0).toString(), foreignKeys->value(2).toString());
    return problems;
}

Result<void> backup(const QSqlDatabase &db, const QString &targetPath)
{
    const QFileInfo target(targetPath);
    if (target.exists())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 already exists; choose a new file name for the backup.").arg(QDir::toNativeSeparators(targetPath)));
    if (!target.absoluteDir().exists())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The folder %1 does not exist.").arg(QDir::toNativeSeparators(target.absolutePath())));

    // VACUUM INTO reads one snapshot, so writers elsewhere neither block it nor tear it. It writes a
    // partial file first; only a complete copy is renamed to the name asked for.
    const QString partial = target.absoluteFilePath() + u".partial";
    QFile::remove(partial);
    auto copied = execSql(db, QStringLiteral("VACUUM INTO ?"), {partial});
    if (!copied) {
        QFile::remove(partial);
        return Unexpected(copied.error().withContext(QStringLiteral("The backup was not written")));
    }
    if (!QFile::rename(partial, target.absoluteFilePath())) {
        QFile::remove(partial);
        return fail(ErrorCode::Io, QStringLiteral("The backup could not be given its name %1.").arg(QDir::toNativeSeparators(targetPath)));
    }
    return {};
}

} // namespace heliodesk::Maintenance
