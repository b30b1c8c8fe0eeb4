// heliodeskctl db migrate-to, and db backup of a PostgreSQL database: whole-database copies
// between the engines (storage/databasecopy.h does the copying and the checking).

#include "ctlcommands.h"

#include "model/admin/healthservice.h"

#include "storage/databasecopy.h"
#include "storage/transaction.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#ifdef Q_OS_WIN
#include <io.h>
#define isatty _isatty
#define STDERR_FILENO 2
#else
#include <unistd.h>
#endif

namespace heliodesk {

namespace {

/// Prints "Copying… 12,000 of 175,000 rows" on a terminal, at most five times a second.
class ProgressLine
{
public:
    explicit ProgressLine(QTextStream &err)
        : m_err(err)
        , m_enabled(isatty(STDERR_FILENO) == 1)
    {
        m_timer.start();
    }

    void show(qint64 copied, qint64 total)
    {
        if (!m_enabled || (copied < total && m_timer.elapsed() < 200))
            return;
        m_timer.restart();
        const QLocale locale = QLocale::system();
        m_err << "\rCopying… " << locale.toString(copied) << " of " << locale.toString(total) << " rows" << Qt::flush;
        m_shown = true;
    }

    void end()
    {
        if (m_shown)
            m_err << "\r\033[K" << Qt::flush;
        m_shown = false;
    }

private:
    QTextStream &m_err;
    bool m_enabled = false;
    bool m_shown = false;
    QElapsedTimer m_timer;
};

QJsonObject summaryJson(const DatabaseCopy::Summary &summary, const QString &source, const QString &target)
{
    QJsonArray tables;
    for (const DatabaseCopy::TableCopy &t : summary.tables)
        tables.append(QJsonObject{{QStringLiteral("name"), t.name},
                                  {QStringLiteral("rows"), t.rows},
                                  {QStringLiteral("checksum"), QString::fromLatin1(t.checksum)}});
    return QJsonObject{{QStringLiteral("source"), source},
                       {QStringLiteral("target"), target},
                       {QStringLiteral("rows"), summary.rows},
                       {QStringLiteral("elapsed_ms"), summary.elapsedMs},
                       {QStringLiteral("verified"), true},
                       {QStringLiteral("tables"), tables}};
}

} // namespace

DatabaseCopy::Options CtlCommands::copyOptions(std::function<void(qint64, qint64)> progress) const
{
    DatabaseCopy::Options options;
    options.actorName = m_actor.name();
    options.actorId = m_actor.userId();
    options.nowMs = m_clock->nowMs();
    options.progress = std::move(progress);
    return options;
}

int CtlCommands::dbMigrateTo(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print JSON.")));
    if (!parser.parse(QStringList{m_command} + args))
        return usageError(parser.errorText());
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(QStringLiteral("“%1” needs the target database: a postgresql:// URL or a new SQLite file.").arg(m_command));
    if (positional.size() > 1)
        return usageError(QStringLiteral("“%1” got unexpected words: %2").arg(m_command, positional.mid(1).join(u' ')));
    const bool json = parser.isSet(QStringLiteral("json"));

    auto targetLocation = DatabaseLocation::parse(positional.first());
    if (!targetLocation)
        return report(targetLocation.error());
    // The source is only read: it is neither created when missing nor brought to a newer schema.
    if (const int code = openDatabase(true); code != ExitSuccess)
        return code;

    ProgressLine progress(m_err);
    const DatabaseCopy::Options options = copyOptions([&progress](qint64 copied, qint64 total) { progress.show(copied, total); });
    Result<DatabaseCopy::Summary> summary;
    if (targetLocation->engine() == DatabaseLocation::Engine::Sqlite && !QFileInfo::exists(targetLocation->sqlitePath())) {
        summary = DatabaseCopy::copyToNewSqliteFile(*m_database, targetLocation->sqlitePath(), options);
    } else {
        // A new PostgreSQL database is empty until this open gives it the schema.
        auto target = Database::open(*targetLocation);
        if (!target)
            return report(target.error());
        summary = DatabaseCopy::copy(*m_database, **target, options);
    }
    progress.end();
    if (!summary)
        return report(summary.error());

    const QString source = m_database->location().displayName();
    const QString target = targetLocation->displayName();
    if (json) {
        m_out << QJsonDocument(summaryJson(*summary, source, target)).toJson();
        return ExitSuccess;
    }
    const QLocale locale = QLocale::system();
    m_out << "Copied " << locale.toString(summary->rows) << " rows in " << summary->tables.size() << " tables from " << source
          << " to " << target << " in " << locale.toString(double(summary->elapsedMs) / 1000.0, 'f', 1)
          << " s. Every table's row count and checksum match.\n";
    return ExitSuccess;
}

int CtlCommands::backupByCopy(const QString &file)
{
    ProgressLine progress(m_err);
    auto summary = DatabaseCopy::copyToNewSqliteFile(
        *m_database, file, copyOptions([&progress](qint64 copied, qint64 total) { progress.show(copied, total); }));
    progress.end();
    if (!summary)
        return report(summary.error());
    const QFileInfo written(file);
    m_out << "Backed up " << m_database->location().displayName() << " to " << written.absoluteFilePath() << " ("
          << QLocale::system().toString(summary->rows) << " rows, every table verified).\n";
    // As for a SQLite backup: the Health tab and the audit log of the database that was backed up note it.
    auto noted = [&]() -> Result<void> {
        auto db = m_database->connection();
        if (!db)
            return Unexpected(db.error());
        auto txn = Transaction::begin(*db);
        if (!txn)
            return Unexpected(txn.error());
        if (auto recorded = HealthService::recordBackup(*db, m_actor, m_database->location().displayName(),
                                                        written.absoluteFilePath(), written.size(), m_clock->nowMs());
            !recorded)
            return recorded;
        return txn->commit();
    }();
    if (!noted)
        m_err << "heliodeskctl: warning: the backup was written, but it could not be noted in the database: "
              << noted.error().message() << "\n";
    return ExitSuccess;
}

} // namespace heliodesk
