#include "healthservice.h"

#include "model/authorization.h"
#include "model/chat/chatservice.h"

#include "storage/appstatestore.h"
#include "storage/databasecopy.h"
#include "storage/maintenance.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QThread>

namespace heliodesk {

namespace {

const QString kLastBackupAtKey = QStringLiteral("backup.last_at");
const QString kLastBackupPathKey = QStringLiteral("backup.last_path");
constexpr qint64 kDayMs = 24LL * 60 * 60 * 1000;

std::optional<qint64> fileSize(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return std::nullopt;
    return info.size();
}

struct BackupResult {
    QString path;
    qint64 bytes = 0;
};

/// The worker's part: the copy, then the record of it, on the worker's own connection.
Result<BackupResult> runBackup(Database &database, const Clock &clock, const Actor &actor, const QString &path)
{
    auto db = database.connection();
    if (!db)
        return Unexpected(db.error());
    {
        // A demoted admin loses the right at once, even between the button and the worker.
        auto txn = Transaction::begin(*db, Transaction::Mode::Read);
        if (!txn)
            return Unexpected(txn.error());
        if (auto allowed = requireAdmin(*db, actor); !allowed)
            return Unexpected(allowed.error());
    }
    if (database.dialect() == Database::Dialect::PostgreSql) {
        // A team database is backed up into a new SQLite file: every table copied from one
        // snapshot and verified, the file renamed into place only when complete.
        DatabaseCopy::Options options;
        options.actorName = actor.name();
        options.actorId = actor.userId();
        options.nowMs = clock.nowMs();
        if (auto copied = DatabaseCopy::copyToNewSqliteFile(database, path, options); !copied)
            return Unexpected(copied.error());
    } else if (auto copied = Maintenance::backup(*db, path); !copied) {
        // VACUUM INTO cannot run inside a transaction; it reads one snapshot on its own.
        return Unexpected(copied.error());
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const qint64 bytes = QFileInfo(absolute).size();

    auto txn = Transaction::begin(*db, Transaction::Mode::Write);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    const QString databaseName = database.dialect() == Database::Dialect::PostgreSql
        ? database.location().displayName()
        : QFileInfo(database.location().sqlitePath()).fileName();
    if (auto recorded = HealthService::recordBackup(*db, actor, databaseName,
                                                     absolute, bytes, clock.nowMs());
        !recorded)
        return Unexpected(recorded.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(
            QStringLiteral("The backup %1 was written, but could not be recorded").arg(QDir::toNativeSeparators(absolute))));
    return BackupResult{absolute, bytes};
}

} // namespace

/// Written by the worker before its thread finishes; read in the service's thread afterwards.
struct HealthService::Outcome {
    std::optional<Result<BackupResult>> result;
};

HealthService::HealthService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, ChatService *chat,
                             QObject *parent)
    : QObject(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_chat(chat)
{
}

HealthService::~HealthService()
{
    if (m_thread) {
        disconnect(m_thread, nullptr, this, nullptr);
        m_thread->setParent(nullptr);
        connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    }
}

Result<void> HealthService::recordBackup(const QSqlDatabase &db, const Actor &actor, const QString &databaseName,
                                         const QString &path, qint64 bytes, qint64 nowMs)
{
    if (auto saved = AppStateStore::setValue(db, kLastBackupAtKey, QString::number(nowMs), nowMs); !saved)
        return Unexpected(saved.error());
    if (auto saved = AppStateStore::setValue(db, kLastBackupPathKey, path, nowMs); !saved)
        return Unexpected(saved.error());
    return writeAudit(db, actor, nowMs, QStringLiteral("database.backup"), QStringLiteral("database"), {}, databaseName,
                      {{QStringLiteral("file"), QDir::toNativeSeparators(path)}, {QStringLiteral("bytes"), bytes}});
}

std::optional<qint64> HealthService::residentMemoryBytes()
{
#ifdef Q_OS_LINUX
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
        return std::nullopt;
    // "VmRSS:	   12345 kB"
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith("VmRSS:"))
            continue;
        const QList<QByteArray> parts = line.mid(6).simplified().split(' ');
        bool ok = false;
        const qint64 kib = parts.value(0).toLongLong(&ok);
        if (ok && parts.value(1) == "kB")
            return kib * 1024;
        return std::nullopt;
    }
#endif
    return std::nullopt;
}

Result<HealthFigures> HealthService::figures(const Actor &actor)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());

    HealthFigures figures;
    const qint64 since = m_clock->nowMs() - kDayMs;
    auto count = HealthStore::failedAnswerCount(*db, since);
    if (!count)
        return Unexpected(count.error());
    figures.failedAnswerCount = *count;
    auto failed = HealthStore::failedAnswers(*db, since, kFailedAnswersShown);
    if (!failed)
        return Unexpected(failed.error());
    figures.failedAnswers = *failed;
    auto lastAt = AppStateStore::value(*db, kLastBackupAtKey);
    if (!lastAt)
        return Unexpected(lastAt.error());
    if (*lastAt) {
        bool ok = false;
        const qint64 at = (*lastAt)->toLongLong(&ok);
        if (ok)
            figures.lastBackupAtMs = at;
    }
    auto lastPath = AppStateStore::value(*db, kLastBackupPathKey);
    if (!lastPath)
        return Unexpected(lastPath.error());
    figures.lastBackupPath = lastPath->value_or(QString());
    auto schemaBackup = SchemaBackup::last(*db);
    if (!schemaBackup)
        return Unexpected(schemaBackup.error());
    figures.schemaBackup = std::move(*schemaBackup);
    txn->rollback();

    figures.openConnections = Database::openConnectionCount();
    if (m_chat)
        figures.activeStreams = m_chat->activeStreamCount();
    figures.residentBytes = residentMemoryBytes();
    if (m_database->dialect() == Database::Dialect::PostgreSql) {
        // The server's files are not ours to read: its own measure of the database.
        figures.databasePath = m_database->location().displayName();
        if (auto size = scalar(*db, QStringLiteral("SELECT pg_database_size(current_database())")); size)
            figures.databaseBytes = size->toLongLong();
        figures.walBytes = 0;
    } else {
        figures.databasePath = m_database->location().sqlitePath();
        figures.databaseBytes = fileSize(figures.databasePath);
        figures.walBytes = fileSize(figures.databasePath + u"-wal").value_or(0);
    }
    return figures;
}

Result<void> HealthService::startBackup(const Actor &actor, const QString &path)
{
    {
        auto db = m_database->connection();
        if (!db)
            return Unexpected(db.error());
        if (auto allowed = requireAdmin(*db, actor); !allowed)
            return Unexpected(allowed.error());
    }
    if (m_thread)
        return fail(ErrorCode::InvalidInput, tr("A backup is already being written; wait for it to finish."));
    if (path.trimmed().isEmpty())
        return fail(ErrorCode::InvalidInput, tr("Choose a file to write the backup to."));

    auto outcome = std::make_shared<Outcome>();
    m_outcome = outcome;
    // The worker gets its own copies: nothing of this object is touched off its thread.
    QThread *thread = QThread::create([database = m_database, clock = m_clock, actor, path, outcome] {
        outcome->result = runBackup(*database, *clock, actor, path);
        database->closeThreadConnection();
    });
    thread->setObjectName(QStringLiteral("heliodesk backup"));
    thread->setParent(this);
    m_thread = thread;
    connect(thread, &QThread::finished, this, &HealthService::onBackupThreadFinished, Qt::QueuedConnection);
    thread->start();
    return {};
}

void HealthService::onBackupThreadFinished()
{
    QThread *thread = m_thread;
    m_thread = nullptr;
    if (thread)
        thread->deleteLater();
    const std::shared_ptr<Outcome> outcome = std::exchange(m_outcome, nullptr);
    if (!outcome || !outcome->result) {
        Q_EMIT backupFailed(tr("The backup stopped without a result. Try again."));
        return;
    }
    if (*outcome->result)
        Q_EMIT backupSucceeded((*outcome->result)->path, (*outcome->result)->bytes);
    else
        Q_EMIT backupFailed(outcome->result->error().message());
}

} // namespace heliodesk
