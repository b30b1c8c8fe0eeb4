#pragma once

// The first start on an empty database: creates the first account, which becomes the administrator,
// and lets it choose where answers come from (offline unless changed).

#include "model/accountservice.h"
#include "storage/databaselocation.h"
#include "storage/records.h"

#include <QDialog>

#include <optional>

class QLineEdit;
class QPushButton;
class QToolButton;

namespace heliodesk {

class EndpointForm;
class MessageLabel;

class FirstRunDialog : public QDialog
{
    Q_OBJECT

public:
    FirstRunDialog(AccountService accounts, const DatabaseLocation &location, QWidget *parent = nullptr);
    /// `settingsFile`: where the choice of answers is written (ProviderSettings; empty: the
    /// per-user file).
    FirstRunDialog(AccountService accounts, const DatabaseLocation &location, QString settingsFile,
                   QWidget *parent = nullptr);

    /// The account made by the dialog, once it has been accepted.
    [[nodiscard]] const std::optional<UserRecord> &createdUser() const { return m_createdUser; }

    /// True when every field is acceptable, which is when the Create button is enabled.
    [[nodiscard]] bool isFormValid() const;

    /// The "where answers come from" section, folded away until asked for.
    [[nodiscard]] EndpointForm *endpointForm() const { return m_endpointForm; }
    [[nodiscard]] bool isAnswersSectionExpanded() const;
    void setAnswersSectionExpanded(bool expanded);

private:
    void validate();
    void createAccount();
    void updateAnswersToggle();
    void onKeyStorageFinished(bool stored);

    AccountService m_accounts;
    std::optional<UserRecord> m_createdUser;

    QLineEdit *m_usernameEdit = nullptr;
    QLineEdit *m_displayNameEdit = nullptr;
    QLineEdit *m_passwordEdit = nullptr;
    QLineEdit *m_confirmEdit = nullptr;
    MessageLabel *m_usernameMessage = nullptr;
    MessageLabel *m_passwordMessage = nullptr;
    MessageLabel *m_confirmMessage = nullptr;
    MessageLabel *m_errorMessage = nullptr;
    QPushButton *m_createButton = nullptr;
    QToolButton *m_answersToggle = nullptr;
    EndpointForm *m_endpointForm = nullptr;
};

} // namespace heliodesk
