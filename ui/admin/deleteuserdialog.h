#pragma once

// Deleting a user: says exactly what will go, asks for the username to be typed, stops the user's
// answers that are streaming, runs the deletion on a worker thread while showing that it is busy,
// and then shows the report (or the reason nothing was deleted).

#include "model/accountservice.h"
#include "model/actor.h"
#include "model/clock.h"
#include "storage/database.h"
#include "storage/records.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace heliodesk {

class ChatService;
class MessageLabel;
class UserDeletionJob;

class DeleteUserDialog : public QDialog
{
    Q_OBJECT

public:
    /// `chat` (may be null) stops the user's streaming answers before the deletion starts.
    DeleteUserDialog(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin,
                     ChatService *chat, UserRecord user, QWidget *parent = nullptr);

    [[nodiscard]] bool isBusy() const;
    /// The deletion ran to its end and the user is gone.
    [[nodiscard]] bool isDone() const { return m_done; }

Q_SIGNALS:
    void userDeleted(const heliodesk::DeletionReport &report);
    /// The deletion was refused or failed; nothing was deleted.
    void deletionFailed(const heliodesk::Error &error);

public Q_SLOTS:
    void reject() override;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void updateButtons();
    void startDeletion();
    void onSucceeded(const DeletionReport &report);
    void onFailed(const Error &error);

    Actor m_admin;
    ChatService *m_chat = nullptr;
    UserRecord m_user;
    UserDeletionJob *m_job = nullptr;
    bool m_previewed = false;
    bool m_done = false;

    QLabel *m_summary = nullptr;
    QLineEdit *m_confirmEdit = nullptr;
    QProgressBar *m_progress = nullptr;
    MessageLabel *m_message = nullptr;
    QPushButton *m_deleteButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace heliodesk
