#pragma once

// Runs AccountService::deleteUser on a worker thread of its own, so that deleting a user with a
// long history does not stop the event loop. The result comes back by a queued signal.

#include "model/accountservice.h"
#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <memory>

namespace heliodesk {

class UserDeletionJob : public QObject
{
    Q_OBJECT

public:
    UserDeletionJob(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, QObject *parent = nullptr);
    /// A deletion still running goes on to its end (all or nothing) and its thread then deletes itself.
    ~UserDeletionJob() override;

    /// Starts deleting `username` as `admin`. False (and nothing starts) while a deletion runs.
    bool start(const Actor &admin, const QString &username);
    [[nodiscard]] bool isRunning() const { return m_thread != nullptr; }

Q_SIGNALS:
    /// The user and everything they owned are gone; the worker's database connection is closed.
    void succeeded(const heliodesk::DeletionReport &report);
    /// Nothing was deleted; `error` says why (a refusal, or the failure that rolled it back).
    void failed(const heliodesk::Error &error);

private:
    struct Outcome;
    void onThreadFinished();

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    QPointer<QThread> m_thread;
    std::shared_ptr<Outcome> m_outcome;
};

} // namespace heliodesk
