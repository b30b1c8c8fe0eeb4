#include "maintenance.h"

#include "sql.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace heliodesk::Maintenance {

namespace {

bool isPostgres(const QSqlDatabase &db)
{
    return db.driverName() == u"QPSQL";
}

QString quotedIdentifier(QString name)
{
    name.replace(u'"', QStringLiteral("\"\""));
    return u'"' + name + u'"';
}

Result<QStringList> checkSqlite(const QSqlDatabase &db)
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

struct ForeignKey {
    QString child;
    QString parent;
    QStringList childColumns;
    QStringList parentColumns;
};

/// The foreign keys of the tables in the current schema, with their columns in key order.
Result<QList<ForeignKey>> postgresForeignKeys(const QSqlDatabase &db)
{
    auto query = execSql(db,
                         QStringLiteral(
                             "SELECT child.relname, parent.relname, "
                             "  array_to_string(ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n) "
                             "    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.n), ','), "
                             "  array_to_string(ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n) "
                             "    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.n), ',') "
                             "FROM pg_constraint con "
                             "JOIN pg_class child ON child.oid = con.conrelid "
                             "JOIN pg_class parent ON parent.oid = con.confrelid "
                             "JOIN pg_namespace ns ON ns.oid = child.relnamespace "
                             "WHERE con.contype = 'f' AND ns.nspname = current_schema() "
                             "ORDER BY child.relname, con.conname"));
    if (!query)
        return Unexpected(query.error());
    QList<ForeignKey> keys;
    while (query->next())
        keys << ForeignKey{query->value(0).toString(), query->value(1).toString(), query->value(2).toString().split(u','),
                           query->value(3).toString().split(u',')};
    return keys;
}

/// How a row of `table` is named in a problem: its primary key (one value, or several in
/// parentheses), as SQLite names it by its rowid.
Result<QString> postgresRowName(const QSqlDatabase &db, const QString &table)
{
    auto query = execSql(db,
                         QStringLiteral("SELECT a.attname FROM pg_index i "
                                        "JOIN pg_class c ON c.oid = i.indrelid "
                                        "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
                                        "JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true "
                                        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
                                        "WHERE i.indisprimary AND ns.nspname = current_schema() AND c.relname = CAST(? AS TEXT) "
                                        "ORDER BY k.n"),
                         {table});
    if (!query)
        return Unexpected(query.error());
    QStringList columns;
    while (query->next())
        columns << u"CAST(c." + quotedIdentifier(query->value(0).toString()) + u" AS TEXT)";
    if (columns.isEmpty())
        return QStringLiteral("CAST(c.ctid AS TEXT)");
    if (columns.size() == 1)
        return columns.constFirst();
    return u"'(' || concat_ws(', ', " + columns.join(QStringLiteral(", ")) + u") || ')'";
}

Result<QStringList> checkPostgres(const QSqlDatabase &db)
{
    QStringList problems;
    auto versionTable = scalar(db,
                               QStringLiteral("SELECT count(*) FROM information_schema.tables "
                                              "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"));
    if (!versionTable)
        return Unexpected(versionTable.error());
    if (versionTable->toInt() == 0)
        problems << QStringLiteral("Integrity: the table of schema versions (schema_migrations) is missing");

    auto keys = postgresForeignKeys(db);
    if (!keys)
        return Unexpected(keys.error());
    for (const ForeignKey &key : std::as_const(*keys)) {
        auto rowName = postgresRowName(db, key.child);
        if (!rowName)
            return Unexpected(rowName.error());
        // Names come from the catalog and are quoted; a key with a NULL column refers to nothing.
        QStringList notNull;
        QStringList matches;
        for (qsizetype i = 0; i < key.childColumns.size(); ++i) {
            const QString childColumn = u"c." + quotedIdentifier(key.childColumns.at(i));
            notNull << childColumn + u" IS NOT NULL";
            matches << u"p." + quotedIdentifier(key.parentColumns.value(i)) + u" = " + childColumn;
        }
        const QString sql = u"SELECT " + *rowName + u" FROM " + quotedIdentifier(key.child) + u" c WHERE "
            + notNull.join(QStringLiteral(" AND ")) + u" AND NOT EXISTS (SELECT 1 FROM " + quotedIdentifier(key.parent)
            + u" p WHERE " + matches.join(QStringLiteral(" AND ")) + u") ORDER BY 1";
        auto orphans = execSql(db, sql);
        if (!orphans)
            return Unexpected(orphans.error());
        while (orphans->next())
            problems << QStringLiteral("Foreign key: row %1 of %2 refers to a missing row of %3")
                            .arg(orphans->value(0).toString(), key.child, key.parent);
    }
    return problems;
}

} // namespace

Result<QStringList> check(const QSqlDatabase &db)
{
    return isPostgres(db) ? checkPostgres(db) : checkSqlite(db);
}

Result<void> backup(const QSqlDatabase &db, const QString &targetPath)
{
    if (isPostgres(db))
        return fail(ErrorCode::NotAllowed,
                    QStringLiteral("A team database on a PostgreSQL server is backed up by copying it into a new SQLite file "
                                   "(heliodeskctl db backup FILE), not by copying a database file."),
                    QStringLiteral("Maintenance::backup is SQLite's VACUUM INTO; use DatabaseCopy::copyToNewSqliteFile"));
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
