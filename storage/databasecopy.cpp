#include "databasecopy.h"

#include "auditstore.h"
#include "migrations.h"
#include "sql.h"
#include "transaction.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>
#include <vector>

namespace heliodesk::DatabaseCopy {

Q_LOGGING_CATEGORY(lcDatabaseCopy, "heliodesk.databasecopy", QtInfoMsg)

namespace {

// The copier reads the schema of whichever engine it meets: it talks to both by nature, so the
// catalogue queries of each live here rather than in the stores.

/// Tables every new database holds rows in before anyone uses it: the compiled-in agents and
/// plans the first migration adds, and what start-up notes about itself. A target holding rows
/// only there still counts as empty; the copy replaces them with the source's.
const QStringList &setUpTables()
{
    static const QStringList tables = {QStringLiteral("agents"), QStringLiteral("plans"), QStringLiteral("plan_agents"),
                                       QStringLiteral("app_state")};
    return tables;
}

/// Each database records its own migrations; the versions are compared instead of copied.
const QString schemaTable = QStringLiteral("schema_migrations");

struct TableInfo {
    QString name;
    QStringList columns;    // in the source's order
    QStringList primaryKey; // in key order; empty when the table has none
    QStringList references; // the tables its foreign keys point to
};

bool isPostgres(const QSqlDatabase &db)
{
    return db.driverName() == u"QPSQL";
}

QString quoted(const QString &identifier)
{
    QString escaped = identifier;
    escaped.replace(u'"', QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

QString quotedList(const QStringList &identifiers)
{
    QStringList quotedNames;
    quotedNames.reserve(identifiers.size());
    for (const QString &name : identifiers)
        quotedNames << quoted(name);
    return quotedNames.join(QStringLiteral(", "));
}

Result<QStringList> strings(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error());
    QStringList list;
    while (q->next())
        list << q->value(0).toString();
    return list;
}

/// The ordinary tables of `db` (no FTS tables, no SQLite internals, no schema_migrations).
Result<QStringList> tableNames(const QSqlDatabase &db)
{
    if (isPostgres(db)) {
        return strings(db, QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                                          "AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name"));
    }
    auto q = execSql(db, QStringLiteral("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' "
                                        "ESCAPE '!' AND name <> 'schema_migrations' ORDER BY name"));
    if (!q)
        return Unexpected(q.error());
    QStringList names;
    QStringList virtualTables;
    while (q->next()) {
        const QString name = q->value(0).toString();
        if (q->value(1).toString().startsWith(QStringLiteral("CREATE VIRTUAL TABLE"), Qt::CaseInsensitive))
            virtualTables << name;
        else
            names << name;
    }
    // An FTS5 table keeps its index in shadow tables named after it (messages_fts_data, …); the
    // triggers on the content tables rebuild them as rows arrive.
    names.erase(std::remove_if(names.begin(), names.end(),
                               [&virtualTables](const QString &name) {
                                   return std::any_of(virtualTables.cbegin(), virtualTables.cend(),
                                                      [&name](const QString &v) { return name.startsWith(v + u'_'); });
                               }),
                names.end());
    return names;
}

Result<TableInfo> tableInfo(const QSqlDatabase &db, const QString &table)
{
    TableInfo info;
    info.name = table;
    if (isPostgres(db)) {
        auto columns = strings(db, QStringLiteral("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                                                  "AND table_name = CAST(? AS TEXT) ORDER BY ordinal_position"),
                               {table});
        if (!columns)
            return Unexpected(columns.error());
        info.columns = *columns;
        auto key = strings(db, QStringLiteral("SELECT k.column_name FROM information_schema.table_constraints c "
                                              "JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name "
                                              "AND k.constraint_schema = c.constraint_schema AND k.table_name = c.table_name "
                                              "WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() "
                                              "AND c.table_name = CAST(? AS TEXT) ORDER BY k.ordinal_position"),
                           {table});
        if (!key)
            return Unexpected(key.error());
        info.primaryKey = *key;
        auto references = strings(db, QStringLiteral("SELECT DISTINCT r.relname FROM pg_constraint c JOIN pg_class r ON r.oid = c.confrelid "
                                                     "WHERE c.contype = 'f' AND c.conrelid = CAST(CAST(? AS TEXT) AS regclass)"),
                                  {quoted(table)});
        if (!references)
            return Unexpected(references.error());
        info.references = *references;
        return info;
    }
    auto columns = execSql(db, QStringLiteral("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid"), {table});
    if (!columns)
        return Unexpected(columns.error());
    QList<std::pair<int, QString>> key;
    while (columns->next()) {
        info.columns << columns->value(0).toString();
        if (const int position = columns->value(1).toInt(); position > 0)
            key.append({position, columns->value(0).toString()});
    }
    std::sort(key.begin(), key.end());
    for (const auto &part : std::as_const(key))
        info.primaryKey << part.second;
    auto references = strings(db, QStringLiteral("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)"), {table});
    if (!references)
        return Unexpected(references.error());
    info.references = *references;
    return info;
}

Result<QList<TableInfo>> readSchema(const QSqlDatabase &db)
{
    auto names = tableNames(db);
    if (!names)
        return Unexpected(names.error());
    QList<TableInfo> tables;
    for (const QString &name : std::as_const(*names)) {
        auto info = tableInfo(db, name);
        if (!info)
            return Unexpected(info.error());
        tables << *info;
    }
    return tables;
}

/// The tables ordered so that each comes after every table its foreign keys point to.
QList<TableInfo> inForeignKeyOrder(QList<TableInfo> tables)
{
    QList<TableInfo> ordered;
    QSet<QString> placed;
    while (!tables.isEmpty()) {
        const auto ready = std::find_if(tables.begin(), tables.end(), [&placed](const TableInfo &t) {
            return std::all_of(t.references.cbegin(), t.references.cend(),
                               [&](const QString &r) { return r == t.name || placed.contains(r); });
        });
        // A cycle of foreign keys (none in the schema today) is copied in name order; the database
        // then names the key it could not satisfy.
        const auto next = ready != tables.end() ? ready : tables.begin();
        placed.insert(next->name);
        ordered << *next;
        tables.erase(next);
    }
    return ordered;
}

Error schemaDiffers(const QString &what)
{
    return Error(ErrorCode::InvalidInput,
                 QStringLiteral("The two databases do not have the same tables, so nothing was copied. "
                                "Copy into a new, empty database made by this version of Heliodesk."),
                 what);
}

/// Checks that `target` has the same tables and columns as `source`.
Result<void> compareSchemas(const QList<TableInfo> &source, const QList<TableInfo> &target)
{
    QHash<QString, QStringList> targetColumns;
    for (const TableInfo &t : target)
        targetColumns.insert(t.name, t.columns);
    for (const TableInfo &s : source) {
        const auto found = targetColumns.constFind(s.name);
        if (found == targetColumns.cend())
            return Unexpected(schemaDiffers(u"the target has no table " + s.name));
        QStringList a = s.columns;
        QStringList b = *found;
        a.sort();
        b.sort();
        if (a != b)
            return Unexpected(schemaDiffers(u"table " + s.name + u" has columns " + s.columns.join(u',') + u" in the source and "
                                            + found->join(u',') + u" in the target"));
        targetColumns.remove(s.name);
    }
    if (!targetColumns.isEmpty())
        return Unexpected(schemaDiffers(u"the source has no table " + targetColumns.keys().join(u',')));
    return {};
}

Result<qint64> rowCount(const QSqlDatabase &db, const QString &table)
{
    const QString sql = u"SELECT count(*) FROM " + quoted(table);
    auto n = scalar(db, sql);
    if (!n)
        return Unexpected(n.error());
    return n->toLongLong();
}

/// What `target` holds beyond what every new database starts with, as "3 users, 12 messages".
Result<QStringList> userData(const QSqlDatabase &db, const QList<TableInfo> &tables)
{
    QStringList held;
    for (const TableInfo &t : tables) {
        if (setUpTables().contains(t.name))
            continue;
        auto n = rowCount(db, t.name);
        if (!n)
            return Unexpected(n.error());
        if (*n > 0)
            held << QStringLiteral("%1 rows in %2").arg(*n).arg(t.name);
    }
    return held;
}

/// One value in the text form both engines give the same: SQL NULL, bytes and text are told apart,
/// and each value carries its length so that no two rows run together the same way.
void addValue(QByteArray &row, const QVariant &value)
{
    if (value.isNull()) {
        row += "N;";
        return;
    }
    QByteArray text;
    char kind = 'V';
    switch (value.metaType().id()) {
    case QMetaType::QByteArray:
        kind = 'B';
        text = value.toByteArray().toHex();
        break;
    case QMetaType::Bool:
        text = value.toBool() ? "1" : "0"; // PostgreSQL's booleans are SQLite's 0 and 1
        break;
    default:
        text = value.toString().toUtf8();
        break;
    }
    row += kind;
    row += QByteArray::number(text.size());
    row += ':';
    row += text;
    row += ';';
}

/// The checksum of a table: every row's digest, sorted (so row order and collation do not matter),
/// hashed in turn.
class TableChecksum
{
public:
    void addRow(const QSqlQuery &query, int columns)
    {
        m_row.clear();
        for (int i = 0; i < columns; ++i)
            addValue(m_row, query.value(i));
        m_digests.push_back(QCryptographicHash::hash(m_row, QCryptographicHash::Sha256));
    }

    [[nodiscard]] qint64 rows() const { return qint64(m_digests.size()); }

    QByteArray result()
    {
        std::sort(m_digests.begin(), m_digests.end());
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (const QByteArray &digest : m_digests)
            hash.addData(digest);
        return hash.result().toHex();
    }

private:
    QByteArray m_row;
    std::vector<QByteArray> m_digests;
};

QString selectAll(const TableInfo &table, const QStringList &columns)
{
    QString sql = u"SELECT " + quotedList(columns) + u" FROM " + quoted(table.name);
    if (!table.primaryKey.isEmpty())
        sql += u" ORDER BY " + quotedList(table.primaryKey);
    return sql;
}

/// The INSERT of `rows` rows of `table` at once.
QString insertRows(const TableInfo &table, const QStringList &columns, qsizetype rows)
{
    QString oneRow = QStringLiteral("(?");
    for (qsizetype i = 1; i < columns.size(); ++i)
        oneRow += QStringLiteral(", ?");
    oneRow += u')';
    QStringList all(rows, oneRow);
    return u"INSERT INTO " + quoted(table.name) + u" (" + quotedList(columns) + u") VALUES " + all.join(QStringLiteral(", "));
}

/// How many rows go into one INSERT. PostgreSQL: many, as each statement is a round trip to the
/// server (its values travel as text, kept to a reasonable size). SQLite: one, with the statement
/// prepared once and reused; Qt's SQLite driver looks each bound value up by position at a cost
/// that grows with the number of placeholders, so multi-row statements there are slower.
qsizetype rowsPerBatch(const QSqlDatabase &target, qsizetype columns)
{
    if (!isPostgres(target))
        return 1;
    return std::clamp<qsizetype>(20000 / std::max<qsizetype>(columns, 1), 1, 500);
}

struct CopyState {
    qint64 copied = 0;
    qint64 total = 0;
    qint64 reported = 0;
    const Options *options = nullptr;

    /// Tells the caller about progress every thousand rows or so, and at the end of each table.
    void report(bool tableDone)
    {
        if (!options->progress || copied == reported || (!tableDone && copied - reported < 1000))
            return;
        reported = copied;
        options->progress(copied, total);
    }
};

/// Copies one table and returns the checksum of what it read.
Result<TableCopy> copyTable(const QSqlDatabase &source, const QSqlDatabase &target, const TableInfo &table, CopyState &state)
{
    const QStringList &columns = table.columns;
    const int columnCount = int(columns.size());
    auto read = execSql(source, selectAll(table, columns));
    if (!read)
        return Unexpected(read.error().withContext(u"Reading " + table.name + u" failed"));
    const qsizetype batch = rowsPerBatch(target, columnCount);
    const QString fullInsert = insertRows(table, columns, batch);
    TableChecksum checksum;
    QVariantList values;
    values.reserve(batch * columnCount);
    // The statement for a full batch is prepared once per table and run for every batch.
    QSqlQuery full(target);
    bool prepared = false;
    const auto runFull = [&]() -> Result<void> {
        if (!prepared) {
            if (!full.prepare(fullInsert))
                return Unexpected(errorFromSql(full.lastError(), fullInsert));
            prepared = true;
        }
        for (qsizetype i = 0; i < values.size(); ++i)
            full.bindValue(int(i), values.at(i));
        if (!full.exec())
            return Unexpected(errorFromSql(full.lastError(), fullInsert));
        return {};
    };
    const auto flush = [&](bool tableDone) -> Result<void> {
        const qsizetype rows = values.size() / columnCount;
        if (rows == 0) {
            state.report(tableDone);
            return {};
        }
        auto written = rows == batch ? runFull() : execSql(target, insertRows(table, columns, rows), values).map([](QSqlQuery &&) {});
        if (!written)
            return Unexpected(written.error().withContext(u"Copying " + table.name + u" failed"));
        values.clear();
        state.copied += rows;
        state.report(tableDone);
        return {};
    };
    while (read->next()) {
        for (int i = 0; i < columnCount; ++i)
            values << read->value(i);
        checksum.addRow(*read, columnCount);
        if (values.size() == batch * columnCount) {
            if (auto done = flush(false); !done)
                return Unexpected(done.error());
        }
    }
    if (read->lastError().isValid())
        return Unexpected(errorFromSql(read->lastError(), table.name).withContext(u"Reading " + table.name + u" failed"));
    if (auto done = flush(true); !done)
        return Unexpected(done.error());
    return TableCopy{table.name, checksum.rows(), checksum.result()};
}

/// Reads back what the copy wrote into `table` and compares it with what was read.
Result<void> verifyTable(const QSqlDatabase &target, const TableInfo &table, const TableCopy &expected)
{
    auto read = execSql(target, selectAll(table, table.columns));
    if (!read)
        return Unexpected(read.error());
    TableChecksum checksum;
    const int columnCount = int(table.columns.size());
    while (read->next())
        checksum.addRow(*read, columnCount);
    if (read->lastError().isValid())
        return Unexpected(errorFromSql(read->lastError(), table.name));
    const qint64 rows = checksum.rows();
    const QByteArray sum = checksum.result();
    if (rows != expected.rows || sum != expected.checksum)
        return fail(ErrorCode::Internal,
                    QStringLiteral("The copy of table %1 does not match the original (%2 rows copied, %3 read back%4), so nothing "
                                   "was kept. Report this; the original database is unchanged.")
                        .arg(table.name)
                        .arg(expected.rows)
                        .arg(rows)
                        .arg(rows == expected.rows ? QStringLiteral(", different content") : QString()),
                    QStringLiteral("%1: source checksum %2, target checksum %3")
                        .arg(table.name, QString::fromLatin1(expected.checksum), QString::fromLatin1(sum)));
    return {};
}

/// PostgreSQL: each identity column's sequence continues after the largest id copied.
Result<void> resetSequences(const QSqlDatabase &target, const TableInfo &table)
{
    auto identities = strings(target,
                              QStringLiteral("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                                             "AND table_name = CAST(? AS TEXT) AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"),
                              {table.name});
    if (!identities)
        return Unexpected(identities.error());
    for (const QString &column : std::as_const(*identities)) {
        const QString sql = u"SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), CAST(? AS TEXT)), COALESCE(MAX(" + quoted(column)
            + u"), 0) + 1, false) FROM " + quoted(table.name);
        if (auto done = execSql(target, sql, {quoted(table.name), column}); !done)
            return Unexpected(done.error().withContext(u"Resetting the ids of " + table.name + u" failed"));
    }
    return {};
}

QString engineName(const Database &database)
{
    return database.dialect() == Database::Dialect::PostgreSql ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
}

bool sameLocation(const Database &a, const Database &b)
{
    if (a.dialect() != b.dialect())
        return false;
    if (a.dialect() == Database::Dialect::Sqlite)
        return QFileInfo(a.location().sqlitePath()).absoluteFilePath() == QFileInfo(b.location().sqlitePath()).absoluteFilePath();
    return a.location().toUrlString(false) == b.location().toUrlString(false);
}

} // namespace

QString auditAction()
{
    return QStringLiteral("database.migrated-from");
}

Result<Summary> copy(Database &source, Database &target, const Options &options)
{
    QElapsedTimer timer;
    timer.start();
    if (sameLocation(source, target))
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 cannot be copied into itself; name another database.").arg(source.location().displayName()));
    auto sourceDb = source.connection();
    if (!sourceDb)
        return Unexpected(sourceDb.error());
    auto targetDb = target.connection();
    if (!targetDb)
        return Unexpected(targetDb.error());

    // One snapshot of the source: writers there neither block the copy nor tear it.
    auto snapshot = Transaction::begin(*sourceDb, Transaction::Mode::Read);
    if (!snapshot)
        return Unexpected(snapshot.error());
    auto txn = Transaction::begin(*targetDb, Transaction::Mode::Write);
    if (!txn)
        return Unexpected(txn.error());

    auto sourceVersion = schemaVersion(*sourceDb);
    if (!sourceVersion)
        return Unexpected(sourceVersion.error());
    auto targetVersion = schemaVersion(*targetDb);
    if (!targetVersion)
        return Unexpected(targetVersion.error());
    if (*sourceVersion != *targetVersion)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 has schema version %2 and %3 has version %4, so nothing was copied. Open both with this "
                                   "version of Heliodesk first.")
                        .arg(source.location().displayName())
                        .arg(*sourceVersion)
                        .arg(target.location().displayName())
                        .arg(*targetVersion));

    auto sourceTables = readSchema(*sourceDb);
    if (!sourceTables)
        return Unexpected(sourceTables.error());
    auto targetTables = readSchema(*targetDb);
    if (!targetTables)
        return Unexpected(targetTables.error());
    if (auto same = compareSchemas(*sourceTables, *targetTables); !same)
        return Unexpected(same.error());

    auto held = userData(*targetDb, *targetTables);
    if (!held)
        return Unexpected(held.error());
    if (!held->isEmpty())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not empty (it holds %2), so nothing was copied. Copy into a new, empty database.")
                        .arg(target.location().displayName(), held->join(QStringLiteral(", "))));

    const QList<TableInfo> tables = inForeignKeyOrder(*sourceTables);
    CopyState state;
    state.options = &options;
    for (const TableInfo &table : tables) {
        auto n = rowCount(*sourceDb, table.name);
        if (!n)
            return Unexpected(n.error());
        state.total += *n;
    }

    // What every new database starts with goes, children first, to make room for the source's rows.
    for (auto it = tables.crbegin(); it != tables.crend(); ++it) {
        const QString sql = u"DELETE FROM " + quoted(it->name);
        if (auto done = execSql(*targetDb, sql); !done)
            return Unexpected(done.error());
    }

    Summary summary;
    for (const TableInfo &table : tables) {
        auto copied = copyTable(*sourceDb, *targetDb, table, state);
        if (!copied)
            return Unexpected(copied.error());
        summary.tables << *copied;
        summary.rows += copied->rows;
    }
    if (target.dialect() == Database::Dialect::PostgreSql) {
        for (const TableInfo &table : tables) {
            if (auto done = resetSequences(*targetDb, table); !done)
                return Unexpected(done.error());
        }
    }
    for (qsizetype i = 0; i < tables.size(); ++i) {
        if (auto same = verifyTable(*targetDb, tables.at(i), summary.tables.at(i)); !same)
            return Unexpected(same.error());
    }

    AuditEntry entry;
    entry.createdAtMs = options.nowMs;
    entry.actorId = options.actorId;
    entry.actorName = options.actorName;
    entry.action = auditAction();
    entry.targetType = QStringLiteral("database");
    entry.targetName = source.location().displayName();
    entry.detailsJson = QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("source"), source.location().displayName()},
                                                                    {QStringLiteral("engine"), engineName(source)},
                                                                    {QStringLiteral("tables"), int(summary.tables.size())},
                                                                    {QStringLiteral("rows"), summary.rows}})
                                              .toJson(QJsonDocument::Compact));
    if (auto appended = AuditStore::append(*targetDb, entry); !appended)
        return Unexpected(appended.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    snapshot->rollback(); // it only read
    summary.elapsedMs = timer.elapsed();
    qCInfo(lcDatabaseCopy) << "copied" << summary.rows << "rows in" << summary.tables.size() << "tables from"
                           << source.location().displayName() << "to" << target.location().displayName() << "in"
                           << summary.elapsedMs << "ms";
    return summary;
}

Result<Summary> copyToNewSqliteFile(Database &source, const QString &path, const Options &options)
{
    const QFileInfo target(path);
    if (target.exists())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 already exists; choose a new file name for the copy.").arg(QDir::toNativeSeparators(path)));
    if (!target.absoluteDir().exists())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The folder %1 does not exist.").arg(QDir::toNativeSeparators(target.absolutePath())));
    const QString partial = target.absoluteFilePath() + u".partial";
    const auto removePartial = [&partial] {
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")})
            QFile::remove(partial + suffix);
    };
    removePartial();

    Result<Summary> summary;
    {
        auto opened = Database::open(DatabaseLocation::sqliteFile(partial));
        if (!opened) {
            removePartial();
            return Unexpected(opened.error());
        }
        std::shared_ptr<Database> copyDb = *opened;
        summary = copy(source, *copyDb, options);
        if (summary) {
            // One self-contained file: the write-ahead log goes back into it before the rename.
            auto db = copyDb->connection();
            auto folded = db ? execSql(*db, QStringLiteral("PRAGMA journal_mode = DELETE")) : Result<QSqlQuery>(Unexpected(db.error()));
            if (!folded)
                summary = Unexpected(folded.error().withContext(QStringLiteral("The copy could not be completed")));
        }
    }
    if (!summary) {
        removePartial();
        return summary;
    }
    if (!QFile::rename(partial, target.absoluteFilePath())) {
        removePartial();
        return fail(ErrorCode::Io, QStringLiteral("The copy could not be given its name %1.").arg(QDir::toNativeSeparators(path)));
    }
    return summary;
}

} // namespace heliodesk::DatabaseCopy
