#include "csv.h"

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace heliodesk {

namespace {

void appendRecord(QString &out, const QStringList &fields, qsizetype width)
{
    for (qsizetype i = 0; i < std::max(width, fields.size()); ++i) {
        if (i > 0)
            out += u',';
        if (i < fields.size())
            out += csvField(fields.at(i));
    }
    out += QStringLiteral("\r\n");
}

} // namespace

QString csvField(const QString &text)
{
    const bool needsQuotes = text.contains(u',') || text.contains(u'"') || text.contains(u'\n') || text.contains(u'\r')
        || text.startsWith(u' ') || text.endsWith(u' ');
    if (!needsQuotes)
        return text;
    QString quoted = text;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

QByteArray toCsv(const QStringList &header, const QList<QStringList> &rows)
{
    QString out;
    appendRecord(out, header, header.size());
    for (const QStringList &row : rows)
        appendRecord(out, row, header.size());
    return out.toUtf8();
}

QByteArray toCsv(const QAbstractItemModel &model)
{
    QStringList header;
    for (int column = 0; column < model.columnCount(); ++column)
        header.append(model.headerData(column, Qt::Horizontal, Qt::DisplayRole).toString());
    QList<QStringList> rows;
    rows.reserve(model.rowCount());
    for (int row = 0; row < model.rowCount(); ++row) {
        QStringList fields;
        for (int column = 0; column < model.columnCount(); ++column)
            fields.append(model.index(row, column).data(Qt::DisplayRole).toString());
        rows.append(fields);
    }
    return toCsv(header, rows);
}

QString csvSafeText(const QString &text)
{
    if (text.isEmpty())
        return text;
    const QChar first = text.front();
    if (first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t' || first == u'\r')
        return u'\'' + text;
    return text;
}

Result<void> writeCsv(const QString &path, const QByteArray &bytes)
{
    const QFileInfo info(path);
    const QString name = info.fileName();
    const QString folder = QDir::toNativeSeparators(info.absolutePath());
    if (info.isDir())
        return fail(ErrorCode::Io, QCoreApplication::translate("Csv", "Could not save “%1”: there is a folder of that name in %2. Choose another name.").arg(name, folder));
    if (!QFileInfo(info.absolutePath()).isDir())
        return fail(ErrorCode::Io, QCoreApplication::translate("Csv", "Could not save “%1”: the folder %2 does not exist. Choose another folder.").arg(name, folder));

    // QSaveFile renames its temporary file over the target only once every byte is on disk.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Io, QCoreApplication::translate("Csv", "Could not save “%1” in %2 (%3). Choose another folder.").arg(name, folder, file.errorString()),
                    file.errorString());
    if (file.write(bytes) == bytes.size() && file.commit())
        return {};
    const QString detail = file.errorString();
    const QFileDevice::FileError error = file.error();
    file.cancelWriting();
    if (error == QFileDevice::ResourceError)
        return fail(ErrorCode::DiskFull,
                    QCoreApplication::translate("Csv", "Could not save “%1”: the disk is full. Nothing was saved; free some space or choose another drive.").arg(name),
                    detail);
    return fail(ErrorCode::Io,
                QCoreApplication::translate("Csv", "Could not save “%1”: writing to the disk failed (%2). Nothing was saved; try another folder.").arg(name, detail),
                detail);
}

} // namespace heliodesk
