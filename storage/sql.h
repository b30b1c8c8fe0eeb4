#pragma once

// Running statements: prepare + bind + exec with every driver error turned into a typed Error.

#include "error.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace heliodesk {

/// Classifies a driver error (SQLite result code or PostgreSQL SQLSTATE) into an Error with a
/// sentence a person understands. `what` says what was being done, for the log detail.
Error errorFromSql(const QSqlError &error, QStringView what);

/// Whether a failed statement left `db` without its server (PostgreSQL connection lost); such a
/// connection is marked by execSql() and reopened by Database::connection() on the next action.
bool isMarkedLost(const QSqlDatabase &db);

/// Prepares `sql`, binds `values` to its `?` placeholders in order and executes it.
/// The returned query is positioned before the first row.
Result<QSqlQuery> execSql(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {});

/// Runs a query expected to produce one value in one row; `fallback` when it produced no row.
Result<QVariant> scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {},
                        const QVariant &fallback = {});

/// Qt binds a null QString as SQL NULL; text for NOT NULL columns goes through this.
inline QVariant nonNullText(const QString &text)
{
    return text.isNull() ? QVariant(QString(u""_qs)) : QVariant(text);
}

/// A NULL for binding where a value is optional.
QVariant nullIf(bool isNull, const QVariant &value);

} // namespace heliodesk
