#pragma once

// CSV files as RFC 4180 describes them (fields with a comma, quote or line break quoted, quotes
// doubled, CRLF after every record, UTF-8), written atomically. Every admin export goes through here.

#include "storage/error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

class QAbstractItemModel;

namespace heliodesk {

/// One field as it goes in a record: quoted when it holds a comma, a quote, CR or LF (or starts or
/// ends with a space, which some readers trim), with its quotes doubled.
QString csvField(const QString &text);

/// The header record, then one record per row, each ended by CRLF, in UTF-8. Rows shorter than
/// the header get empty fields; nothing is cut from longer ones.
QByteArray toCsv(const QStringList &header, const QList<QStringList> &rows);

/// The model's horizontal header and its rows as shown (Qt::DisplayRole), in the model's order
/// (pass the sort/filter proxy to export what the table shows).
QByteArray toCsv(const QAbstractItemModel &model);

/// Free text typed by users, made safe to open in a spreadsheet: a field that starts with = + - @,
/// a tab or CR would run as a formula there, so it gets a leading apostrophe (OWASP's advice).
QString csvSafeText(const QString &text);

/// Writes `bytes` to `path` atomically (QSaveFile): all of them, or nothing and an older file of
/// that name unchanged.
Result<void> writeCsv(const QString &path, const QByteArray &bytes);

} // namespace heliodesk
