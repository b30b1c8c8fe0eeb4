#pragma once

// Adding a user (name, password, role, plan, quota) or editing one (role, plan, quota: the plan's
// limit, a limit of the user's own, or unlimited). The service checks everything again.

#include "model/accountservice.h"
#include "model/actor.h"
#include "storage/records.h"

#include <QDialog>

#include <optional>

class QComboBox;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace heliodesk {

class MessageLabel;

class UserEditDialog : public QDialog
{
    Q_OBJECT

public:
    /// Adds a user when `user` is empty, else edits it. `plans` fill the plan list.
    UserEditDialog(AccountService accounts, Actor admin, const QList<PlanRecord> &plans, std::optional<UserRecord> user,
                   QWidget *parent = nullptr);

    [[nodiscard]] bool isAdding() const { return !m_user.has_value(); }

Q_SIGNALS:
    /// The user as saved, after the dialog closed.
    void userSaved(const heliodesk::UserRecord &user);

private:
    void validate();
    void save();
    [[nodiscard]] QuotaMode chosenQuotaMode() const;

    AccountService m_accounts;
    Actor m_admin;
    std::optional<UserRecord> m_user;

    QLineEdit *m_usernameEdit = nullptr;
    QLineEdit *m_displayNameEdit = nullptr;
    QLineEdit *m_passwordEdit = nullptr;
    QComboBox *m_roleCombo = nullptr;
    QComboBox *m_planCombo = nullptr;
    QRadioButton *m_quotaPlanRadio = nullptr;
    QRadioButton *m_quotaLimitRadio = nullptr;
    QRadioButton *m_quotaUnlimitedRadio = nullptr;
    QSpinBox *m_quotaLimitSpin = nullptr;
    MessageLabel *m_errorMessage = nullptr;
    QPushButton *m_saveButton = nullptr;
};

} // namespace heliodesk
