#include "userstab.h"

#include "deleteuserdialog.h"
#include "resetcountdialog.h"
#include "resetpassworddialog.h"
#include "usereditdialog.h"

#include "ui/messagelabel.h"

#include "model/admin/usertablemodel.h"
#include "model/planservice.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

QPushButton *actionButton(const QString &text, const QString &objectName, const QString &accessibleName, QWidget *parent)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setAccessibleName(accessibleName);
    button->setAutoDefault(false);
    return button;
}

} // namespace

UsersTab::UsersTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, ChatService *chat,
                   QWidget *parent)
    : QWidget(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_admin(std::move(admin))
    , m_chat(chat)
    , m_accounts(m_database, m_clock)
    , m_model(new UserTableModel(m_database, m_clock, m_admin, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filterEdit(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("usersTab"));
    setAccessibleName(tr("Users"));

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(UserTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1); // any column: name, role, plan, status…
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_filterEdit->setObjectName(QStringLiteral("usersFilterEdit"));
    m_filterEdit->setAccessibleName(tr("Filter users"));
    m_filterEdit->setPlaceholderText(tr("Filter by name, role, plan or status"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setObjectName(QStringLiteral("usersTable"));
    m_table->setAccessibleName(tr("Users"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(UserTableModel::NameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_message->setObjectName(QStringLiteral("usersMessage"));

    m_addButton = actionButton(tr("&Add User…"), QStringLiteral("addUserButton"), tr("Add user"), this);
    m_editButton = actionButton(tr("&Edit…"), QStringLiteral("editUserButton"), tr("Edit user"), this);
    m_statusButton = actionButton(tr("D&isable"), QStringLiteral("toggleStatusButton"), tr("Disable or enable user"), this);
    m_passwordButton = actionButton(tr("Reset &Password…"), QStringLiteral("resetPasswordButton"), tr("Reset password"), this);
    m_countButton = actionButton(tr("Reset &Count…"), QStringLiteral("resetCountButton"), tr("Reset this month's count"), this);
    m_deleteButton = actionButton(tr("&Delete…"), QStringLiteral("deleteUserButton"), tr("Delete user"), this);
    connect(m_addButton, &QPushButton::clicked, this, &UsersTab::addUser);
    connect(m_editButton, &QPushButton::clicked, this, &UsersTab::editUser);
    connect(m_statusButton, &QPushButton::clicked, this, &UsersTab::toggleStatus);
    connect(m_passwordButton, &QPushButton::clicked, this, &UsersTab::resetPassword);
    connect(m_countButton, &QPushButton::clicked, this, &UsersTab::resetCount);
    connect(m_deleteButton, &QPushButton::clicked, this, &UsersTab::deleteUser);
    connect(m_table, &QTableView::doubleClicked, this, &UsersTab::editUser);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &UsersTab::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &UsersTab::updateButtons);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filterEdit, 1);
    top->addWidget(m_addButton);
    auto *actions = new QHBoxLayout;
    for (QPushButton *button : {m_editButton, m_statusButton, m_passwordButton, m_countButton})
        actions->addWidget(button);
    actions->addStretch(1);
    actions->addWidget(m_deleteButton);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message);
    layout->addLayout(actions);

    reload();
}

void UsersTab::reload()
{
    const std::optional<UserRecord> selected = selectedUser();
    if (auto loaded = m_model->reload(); !loaded)
        m_message->showError(loaded.error().message());
    if (selected)
        selectUser(selected->username);
    updateButtons();
}

std::optional<UserRecord> UsersTab::selectedUser() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    const QModelIndex source = m_proxy->mapToSource(rows.first());
    if (!source.isValid())
        return std::nullopt;
    return m_model->at(source.row());
}

bool UsersTab::selectUser(const QString &username)
{
    const int row = m_model->rowOf(username);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return false;
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
    return true;
}

void UsersTab::updateButtons()
{
    const std::optional<UserRecord> user = selectedUser();
    for (QPushButton *button : {m_editButton, m_statusButton, m_passwordButton, m_countButton, m_deleteButton})
        button->setEnabled(user.has_value());
    const bool disabled = user && user->status == UserStatus::Disabled;
    m_statusButton->setText(disabled ? tr("En&able") : tr("D&isable"));
}

void UsersTab::changed(const QString &username, const QString &outcome)
{
    reload();
    selectUser(username);
    m_message->showHint(outcome);
    Q_EMIT usersChanged();
}

void UsersTab::addUser()
{
    auto plans = PlanService(m_database, m_clock).listPlans();
    if (!plans) {
        m_message->showError(plans.error().message());
        return;
    }
    auto *dialog = new UserEditDialog(m_accounts, m_admin, *plans, std::nullopt, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &UserEditDialog::userSaved, this,
            [this](const UserRecord &user) { changed(user.username, tr("%1 was added.").arg(user.username)); });
    dialog->open();
}

void UsersTab::editUser()
{
    const std::optional<UserRecord> user = selectedUser();
    if (!user)
        return;
    auto plans = PlanService(m_database, m_clock).listPlans();
    if (!plans) {
        m_message->showError(plans.error().message());
        return;
    }
    auto *dialog = new UserEditDialog(m_accounts, m_admin, *plans, user, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &UserEditDialog::userSaved, this,
            [this](const UserRecord &saved) { changed(saved.username, tr("%1 was saved.").arg(saved.username)); });
    dialog->open();
}

void UsersTab::toggleStatus()
{
    const std::optional<UserRecord> user = selectedUser();
    if (!user)
        return;
    UserChanges changes;
    const bool enable = user->status == UserStatus::Disabled;
    changes.status = enable ? UserStatus::Active : UserStatus::Disabled;
    auto updated = m_accounts.updateUser(m_admin, user->username, changes);
    if (!updated) {
        m_message->showError(updated.error().message());
        return;
    }
    changed(user->username, enable ? tr("%1 is enabled again.").arg(user->username)
                                   : tr("%1 is disabled: they can no longer sign in or ask the agents.").arg(user->username));
}

void UsersTab::resetPassword()
{
    const std::optional<UserRecord> user = selectedUser();
    if (!user)
        return;
    auto *dialog = new ResetPasswordDialog(m_accounts, m_admin, user->username, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ResetPasswordDialog::passwordReset, this,
            [this](const QString &username) { changed(username, tr("The password of %1 was reset.").arg(username)); });
    dialog->open();
}

void UsersTab::resetCount()
{
    const std::optional<UserRecord> user = selectedUser();
    if (!user)
        return;
    auto *dialog = new ResetCountDialog(m_accounts, m_admin, *user, m_model->period(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ResetCountDialog::countReset, this, [this](const QString &username, int before) {
        changed(username, tr("This month's count of %1 was reset (it was %2).").arg(username).arg(before));
    });
    dialog->open();
}

void UsersTab::deleteUser()
{
    const std::optional<UserRecord> user = selectedUser();
    if (!user)
        return;
    auto *dialog = new DeleteUserDialog(m_database, m_clock, m_admin, m_chat, *user, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DeleteUserDialog::userDeleted, this, [this](const DeletionReport &report) {
        changed(QString(), tr("%1 was deleted: %2.").arg(report.username, report.summary()));
    });
    dialog->open();
}

} // namespace heliodesk
