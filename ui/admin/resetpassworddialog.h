#pragma once

// An admin sets a user's password: one typed in, or one generated and shown once to pass on.

#include "model/accountservice.h"
#include "model/actor.h"

#include <QDialog>

class QLineEdit;
class QPushButton;
class QRadioButton;

namespace heliodesk {

class MessageLabel;

class ResetPasswordDialog : public QDialog
{
    Q_OBJECT

public:
    ResetPasswordDialog(AccountService accounts, Actor admin, QString username, QWidget *parent = nullptr);

    /// 16 characters from letters and digits that cannot be mistaken for one another.
    [[nodiscard]] static QString generatePassword();

Q_SIGNALS:
    /// The password was changed (the dialog may still be showing a generated one).
    void passwordReset(const QString &username);

private:
    void validate();
    void reset();

    AccountService m_accounts;
    Actor m_admin;
    QString m_username;
    bool m_done = false;

    QRadioButton *m_generateRadio = nullptr;
    QRadioButton *m_typeRadio = nullptr;
    QLineEdit *m_passwordEdit = nullptr;
    QLineEdit *m_generatedEdit = nullptr;
    QPushButton *m_copyButton = nullptr;
    MessageLabel *m_message = nullptr;
    QPushButton *m_resetButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace heliodesk
