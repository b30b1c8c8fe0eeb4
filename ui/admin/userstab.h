#pragma once

// The admin panel's Users tab: a sortable, filterable table of users, and the buttons that add,
// edit, disable or enable, reset the password or this month's count of, and delete a user.

#include "model/accountservice.h"
#include "model/actor.h"
#include "model/clock.h"
#include "storage/database.h"
#include "storage/records.h"

#include <QWidget>

#include <optional>

class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace heliodesk {

class ChatService;
class MessageLabel;
class UserTableModel;

class UsersTab : public QWidget
{
    Q_OBJECT

public:
    /// `chat` (may be null) stops a user's streaming answers before the user is deleted.
    UsersTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, ChatService *chat,
             QWidget *parent = nullptr);

    [[nodiscard]] UserTableModel *model() const { return m_model; }
    /// The user of the selected row, as last read.
    [[nodiscard]] std::optional<UserRecord> selectedUser() const;
    /// Selects the row of `username`; false when it is not in the (filtered) table.
    bool selectUser(const QString &username);

public Q_SLOTS:
    /// Reads the users again, keeping the selection.
    void reload();

Q_SIGNALS:
    /// Something was changed (for the other tabs, e.g. the audit log, to read again).
    void usersChanged();

private:
    void updateButtons();
    void addUser();
    void editUser();
    void toggleStatus();
    void resetPassword();
    void resetCount();
    void deleteUser();
    /// After a change: read again, select `username`, say what happened.
    void changed(const QString &username, const QString &outcome);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    Actor m_admin;
    ChatService *m_chat = nullptr;
    AccountService m_accounts;

    UserTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QTableView *m_table = nullptr;
    MessageLabel *m_message = nullptr;
    QPushButton *m_addButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QPushButton *m_statusButton = nullptr;
    QPushButton *m_passwordButton = nullptr;
    QPushButton *m_countButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
};

} // namespace heliodesk
