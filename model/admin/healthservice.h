#pragma once

// The admin panel's health figures, read from the live process and the database, and "Back up
// now" on a worker thread. Admins only; the backup is recorded in the audit log and app_state.

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/healthstore.h"
#include "storage/schemabackup.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <memory>
#include <optional>


namespace heliodesk {

class ChatService;

struct HealthFigures {
    int openConnections = 0;                        // Heliodesk's database connections in this process
    std::optional<int> activeStreams;               // empty when this process streams no answers
    std::optional<qint64> residentBytes;            // process memory (RSS); empty where it cannot be read
    int failedAnswerCount = 0;                      // in the last 24 hours
    QList<HealthStore::FailedAnswer> failedAnswers; // the newest of them, with their errors
    QString databasePath;
    std::optional<qint64> databaseBytes;            // the database file; empty when it cannot be read
    qint64 walBytes = 0;                            // its write-ahead log (-wal), 0 when there is none
    std::optional<qint64> lastBackupAtMs;           // empty: no backup recorded for this database
    QString lastBackupPath;
    std::optional<SchemaBackup::Record> schemaBackup; // the copy taken before the last schema update
};

class HealthService : public QObject
{
    Q_OBJECT

public:
    /// `chat` may be null (no answers stream in this process).
    HealthService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, ChatService *chat,
                  QObject *parent = nullptr);
    /// A backup still running goes on to its end and its thread then deletes itself.
    ~HealthService() override;

    /// The figures now. Admins only.
    Result<HealthFigures> figures(const Actor &actor);

    /// Starts writing a consistent copy of the database to `path` on a worker thread and returns at
    /// once; backupSucceeded() or backupFailed() follows. Admins only; refused while a backup runs.
    Result<void> startBackup(const Actor &actor, const QString &path);
    [[nodiscard]] bool isBackingUp() const { return m_thread != nullptr; }

    /// The resident memory of this process (VmRSS in /proc/self/status), or empty where the system
    /// does not say.
    static std::optional<qint64> residentMemoryBytes();

    /// Notes in `db` (in the caller's write transaction) that `actor` wrote a backup of the database
    /// file named `databaseName` to `path` (`bytes` long) at `nowMs`: the last backup the Health tab
    /// shows, and an audit entry "database.backup". For heliodeskctl's "db backup" too.
    static Result<void> recordBackup(const QSqlDatabase &db, const Actor &actor, const QString &databaseName,
                                     const QString &path, qint64 bytes, qint64 nowMs);

    static constexpr int kFailedAnswersShown = 50;

Q_SIGNALS:
    /// The copy is complete at `path`, recorded as the last backup and in the audit log.
    void backupSucceeded(const QString &path, qint64 bytes);
    /// No backup was made; `message` says why and what to do.
    void backupFailed(const QString &message);

private:
    struct Outcome;
    void onBackupThreadFinished();

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    QPointer<ChatService> m_chat;
    QPointer<QThread> m_thread;
    std::shared_ptr<Outcome> m_outcome;
};

} // namespace heliodesk
