#include "schemabackup.h"

#include "appstatestore.h"
#include "maintenance.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>

namespace heliodesk::SchemaBackup {

namespace {

Q_LOGGING_CATEGORY(lcSchemaBackup, "heliodesk.migrations.backup", QtInfoMsg)

const QString kStateKey = QStringLiteral("schema_backup");

/// "<database name>-<yyyyMMdd-HHmmss>-schema<N>[-<n>].sqlite3": sorted by name, oldest first.
QString fileName(const QString &stem, const QDateTime &now, int fromVersion, int attempt)
{
    QString name = stem + u'-' + now.toUTC().toString(QStringLiteral("yyyyMMdd-HHmmss")) + u"-schema" + QString::number(fromVersion);
    if (attempt > 1)
        name += u'-' + QString::number(attempt);
    return name + QStringLiteral(".sqlite3");
}

/// Removes the oldest automatic copies of `stem` in `folder` beyond the newest kKept. A copy that
/// cannot be removed stays, with a warning: it costs only disk space, and the next update tries again.
void prune(const QDir &folder, const QString &stem)
{
    QFileInfoList copies = folder.entryInfoList({stem + QStringLiteral("-*-schema*.sqlite3")}, QDir::Files);
    std::sort(copies.begin(), copies.end(), [](const QFileInfo &a, const QFileInfo &b) {
        const QDateTime aTime = a.lastModified(), bTime = b.lastModified();
        return aTime != bTime ? aTime > bTime : a.fileName() > b.fileName();
    });
    for (qsizetype i = kKept; i < copies.size(); ++i) {
        QFile old(copies.at(i).absoluteFilePath());
        if (old.remove())
            qCInfo(lcSchemaBackup) << "removed the old automatic backup" << old.fileName();
        else
            qCWarning(lcSchemaBackup) << "could not remove the old automatic backup" << old.fileName() << ":" << old.errorString();
    }
}

} // namespace

QString folderFor(const QString &databasePath)
{
    return QFileInfo(databasePath).absoluteDir().filePath(QStringLiteral("backups"));
}

Result<Record> write(const QSqlDatabase &db, const QString &databasePath, int fromVersion, int toVersion, const QDateTime &now)
{
    const QString folderPath = folderFor(databasePath);
    const auto cannotCopy = [&](const QString &reason) {
        return fail(ErrorCode::Io,
                    QStringLiteral("Heliodesk left the database as it was, because it could not first save a copy of it in %1 "
                                   "(%2). Free some disk space or check that folder, then start Heliodesk again.")
                        .arg(QDir::toNativeSeparators(folderPath), reason),
                    QStringLiteral("backup before schema %1 → %2").arg(fromVersion).arg(toVersion));
    };
    if (!QDir().mkpath(folderPath))
        return cannotCopy(QStringLiteral("the folder cannot be created"));

    const QDir folder(folderPath);
    const QString stem = QFileInfo(databasePath).completeBaseName();
    // Two programs updating the same database in the same second each keep their own copy.
    constexpr int kAttempts = 20;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
        const QString path = folder.absoluteFilePath(fileName(stem, now, fromVersion, attempt));
        if (QFileInfo::exists(path))
            continue;
        auto copied = Maintenance::backup(db, path);
        if (!copied) {
            if (QFileInfo::exists(path))
                continue; // another program took the name between our look and our copy
            return cannotCopy(copied.error().message());
        }
        qCInfo(lcSchemaBackup).noquote() << QStringLiteral("backed up %1 (schema %2) to %3 before updating it to schema %4")
                                                .arg(QDir::toNativeSeparators(databasePath))
                                                .arg(fromVersion)
                                                .arg(QDir::toNativeSeparators(path))
                                                .arg(toVersion);
        prune(folder, stem);
        return Record{path, fromVersion, toVersion, now.toMSecsSinceEpoch()};
    }
    return cannotCopy(QStringLiteral("every name for the copy is taken"));
}

Result<void> remember(const QSqlDatabase &db, const Record &record, qint64 nowMs)
{
    const QJsonObject json{{QStringLiteral("path"), record.path},
                           {QStringLiteral("from"), record.fromVersion},
                           {QStringLiteral("to"), record.toVersion},
                           {QStringLiteral("at"), QString::number(record.atMs)}};
    return AppStateStore::setValue(db, kStateKey, QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)), nowMs);
}

Result<std::optional<Record>> last(const QSqlDatabase &db)
{
    auto stored = AppStateStore::value(db, kStateKey);
    if (!stored)
        return Unexpected(stored.error());
    if (!stored->has_value())
        return std::optional<Record>();
    const QJsonObject json = QJsonDocument::fromJson((*stored)->toUtf8()).object();
    bool atOk = false;
    Record record{json.value(QStringLiteral("path")).toString(), json.value(QStringLiteral("from")).toInt(),
                  json.value(QStringLiteral("to")).toInt(), json.value(QStringLiteral("at")).toString().toLongLong(&atOk)};
    if (record.path.isEmpty() || !atOk)
        return fail(ErrorCode::Internal, QStringLiteral("The note of the last automatic backup is damaged."),
                    QStringLiteral("app_state schema_backup: %1").arg(**stored));
    return std::optional<Record>(std::move(record));
}

} // namespace heliodesk::SchemaBackup
