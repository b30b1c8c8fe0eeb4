#include "userdeletionjob.h"

#include <QThread>

#include <optional>

namespace heliodesk {

/// Written by the worker before its thread finishes; read in this object's thread afterwards.
struct UserDeletionJob::Outcome {
    std::optional<Result<DeletionReport>> result;
};

UserDeletionJob::UserDeletionJob(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, QObject *parent)
    : QObject(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

UserDeletionJob::~UserDeletionJob()
{
    if (m_thread) {
        // Let the transaction finish rather than wait here: the thread cleans up after itself.
        disconnect(m_thread, nullptr, this, nullptr);
        m_thread->setParent(nullptr);
        connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    }
}

bool UserDeletionJob::start(const Actor &admin, const QString &username)
{
    if (m_thread)
        return false;
    auto outcome = std::make_shared<Outcome>();
    m_outcome = outcome;
    // The worker gets its own copies: nothing of this object is touched off its thread.
    QThread *thread = QThread::create([database = m_database, clock = m_clock, admin, username, outcome] {
        AccountService accounts(database, clock);
        outcome->result = accounts.deleteUser(admin, username);
        // The thread's connection closes now, before finished() is emitted.
        database->closeThreadConnection();
    });
    thread->setObjectName(QStringLiteral("heliodesk user deletion"));
    thread->setParent(this);
    m_thread = thread;
    // finished() is emitted in the worker thread: the connection is queued to this object's thread.
    connect(thread, &QThread::finished, this, &UserDeletionJob::onThreadFinished, Qt::QueuedConnection);
    thread->start();
    return true;
}

void UserDeletionJob::onThreadFinished()
{
    QThread *thread = m_thread;
    m_thread = nullptr;
    if (thread)
        thread->deleteLater(); // Qt's way for a finished thread: deleted once control returns here
    const std::shared_ptr<Outcome> outcome = std::exchange(m_outcome, nullptr);
    if (!outcome || !outcome->result) {
        Q_EMIT failed(Error(ErrorCode::Internal, tr("The deletion stopped without a result. Nothing was deleted; try again.")));
        return;
    }
    if (*outcome->result)
        Q_EMIT succeeded(**outcome->result);
    else
        Q_EMIT failed(outcome->result->error());
}

} // namespace heliodesk
