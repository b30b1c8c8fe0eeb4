#pragma once

// An admin sets a user's query count for this month back to zero, giving a reason for the audit log.

#include "model/accountservice.h"
#include "model/actor.h"
#include "storage/records.h"

#include <QDialog>

class QLineEdit;
class QPushButton;

namespace heliodesk {

class MessageLabel;

class ResetCountDialog : public QDialog
{
    Q_OBJECT

public:
    ResetCountDialog(AccountService accounts, Actor admin, UserRecord user, const QString &period, QWidget *parent = nullptr);

Q_SIGNALS:
    /// The count was reset; `before` is what it had been.
    void countReset(const QString &username, int before);

private:
    void reset();

    AccountService m_accounts;
    Actor m_admin;
    UserRecord m_user;
    QLineEdit *m_reasonEdit = nullptr;
    MessageLabel *m_message = nullptr;
    QPushButton *m_resetButton = nullptr;
};

} // namespace heliodesk
