#pragma once

// "Test Connection" for a database location: opens it on a worker thread (a server that does not
// answer keeps that thread, not the window, waiting until libpq's connect timeout), reads what it
// is, closes it again, and reports on the caller's thread. Nothing is migrated or written.

#include "storage/databaselocation.h"
#include "storage/error.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <memory>


namespace heliodesk {

struct DatabaseProbeResult {
    QString server;     // "PostgreSQL 15.18" or "SQLite 3.40.1"
    int schemaVersion = 0; // 0: an empty database Heliodesk will set up on first use
    int users = -1;        // -1: no Heliodesk tables yet
};

class DatabaseProbe : public QObject
{
    Q_OBJECT

public:
    explicit DatabaseProbe(QObject *parent = nullptr);
    ~DatabaseProbe() override;

    /// Starts a probe; false (and nothing started) while one is still running.
    bool start(const DatabaseLocation &location, const QString &password);
    [[nodiscard]] bool isRunning() const { return m_thread != nullptr; }

Q_SIGNALS:
    void succeeded(const heliodesk::DatabaseProbeResult &result);
    void failed(const heliodesk::Error &error);

private:
    struct Outcome;
    void onThreadFinished();

    QPointer<QThread> m_thread;
    std::shared_ptr<Outcome> m_outcome;
};

} // namespace heliodesk
