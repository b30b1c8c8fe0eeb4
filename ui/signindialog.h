#pragma once

// Asks for a username and password and signs the user in, saying in words why it did not work.

#include "model/accountservice.h"
#include "storage/databaselocation.h"
#include "storage/records.h"

#include <QDialog>

#include <optional>

class QLineEdit;
class QPushButton;

namespace heliodesk {

class MessageLabel;

class SignInDialog : public QDialog
{
    Q_OBJECT

public:
    SignInDialog(AccountService accounts, const DatabaseLocation &location, QWidget *parent = nullptr);

    /// Puts a name in the username field, e.g. the one used last time, and moves focus to the password.
    void setUsername(const QString &username);

    /// The signed-in user, once the dialog has been accepted.
    [[nodiscard]] const std::optional<UserRecord> &signedInUser() const { return m_user; }

private:
    void updateButton();
    void signIn();

    AccountService m_accounts;
    std::optional<UserRecord> m_user;

    QLineEdit *m_usernameEdit = nullptr;
    QLineEdit *m_passwordEdit = nullptr;
    MessageLabel *m_errorMessage = nullptr;
    QPushButton *m_signInButton = nullptr;
};

} // namespace heliodesk
