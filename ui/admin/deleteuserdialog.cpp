#include "deleteuserdialog.h"

#include "ui/messagelabel.h"

#include "model/admin/userdeletionjob.h"
#include "model/chat/chatservice.h"

#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace heliodesk {

DeleteUserDialog::DeleteUserDialog(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin,
                                   ChatService *chat, UserRecord user, QWidget *parent)
    : QDialog(parent)
    , m_admin(std::move(admin))
    , m_chat(chat)
    , m_user(std::move(user))
    , m_summary(new QLabel(this))
    , m_confirmEdit(new QLineEdit(this))
    , m_progress(new QProgressBar(this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("deleteUserDialog"));
    setWindowTitle(tr("Delete %1").arg(m_user.username));

    AccountService accounts(database, clock);
    m_job = new UserDeletionJob(std::move(database), std::move(clock), this);
    connect(m_job, &UserDeletionJob::succeeded, this, &DeleteUserDialog::onSucceeded);
    connect(m_job, &UserDeletionJob::failed, this, &DeleteUserDialog::onFailed);

    m_summary->setObjectName(QStringLiteral("deletionSummaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_message->setObjectName(QStringLiteral("deletionMessage"));
    if (auto counts = accounts.previewDeletion(m_admin, m_user.username)) {
        m_previewed = true;
        m_summary->setText(tr("This removes the account of %1 and everything it owns: %2. It cannot be undone. "
                              "The audit log keeps a record of the deletion with these counts.")
                               .arg(m_user.username, DeletionReport{m_user.username, *counts}.summary()));
    } else {
        m_summary->setText(tr("What the deletion of %1 would remove could not be read.").arg(m_user.username));
        m_message->showError(counts.error().message());
    }

    m_confirmEdit->setObjectName(QStringLiteral("deleteConfirmEdit"));
    m_confirmEdit->setAccessibleName(tr("Type the username to confirm"));
    m_confirmEdit->setPlaceholderText(m_user.username);

    m_progress->setObjectName(QStringLiteral("deletionProgress"));
    m_progress->setAccessibleName(tr("Deleting"));
    m_progress->setRange(0, 0); // busy: the deletion is one transaction, with no steps to count
    m_progress->setTextVisible(false);
    m_progress->setVisible(false);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Type %1 to confirm:").arg(m_user.username), m_confirmEdit);

    auto *buttons = new QDialogButtonBox(this);
    m_deleteButton = buttons->addButton(tr("&Delete User"), QDialogButtonBox::DestructiveRole);
    m_deleteButton->setObjectName(QStringLiteral("deleteConfirmButton"));
    m_deleteButton->setAccessibleName(tr("Delete the user"));
    m_deleteButton->setAutoDefault(false);
    m_closeButton = buttons->addButton(QDialogButtonBox::Cancel);
    m_closeButton->setObjectName(QStringLiteral("closeButton"));
    connect(m_deleteButton, &QPushButton::clicked, this, &DeleteUserDialog::startDeletion);
    connect(m_closeButton, &QPushButton::clicked, this, &DeleteUserDialog::reject);
    connect(m_confirmEdit, &QLineEdit::textChanged, this, &DeleteUserDialog::updateButtons);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(12);
    layout->addWidget(m_summary);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_message);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(480);
    updateButtons();
}

bool DeleteUserDialog::isBusy() const
{
    return m_job->isRunning();
}

void DeleteUserDialog::updateButtons()
{
    const bool typed = AccountService::normalizeUsername(m_confirmEdit->text()) == m_user.username;
    m_deleteButton->setEnabled(m_previewed && typed && !isBusy() && !m_done);
    m_confirmEdit->setEnabled(!isBusy() && !m_done);
    m_closeButton->setEnabled(!isBusy());
}

void DeleteUserDialog::startDeletion()
{
    if (!m_deleteButton->isEnabled())
        return;
    // Answers of the user that are streaming end now, written as cancelled, before their rows go.
    if (m_chat)
        m_chat->stopUser(m_user.id);
    if (!m_job->start(m_admin, m_user.username))
        return;
    m_message->showHint(tr("Deleting %1…").arg(m_user.username));
    m_progress->setVisible(true);
    updateButtons();
}

void DeleteUserDialog::onSucceeded(const DeletionReport &report)
{
    m_done = true;
    m_progress->setVisible(false);
    m_deleteButton->setVisible(false);
    m_closeButton->setText(tr("&Close"));
    m_message->showHint(tr("%1 was deleted: %2.").arg(report.username, report.summary()));
    updateButtons();
    Q_EMIT userDeleted(report);
}

void DeleteUserDialog::onFailed(const Error &error)
{
    m_progress->setVisible(false);
    m_message->showError(error.message());
    updateButtons();
    Q_EMIT deletionFailed(error);
}

void DeleteUserDialog::reject()
{
    if (isBusy())
        return; // the deletion runs to its end; its result is shown here
    if (m_done)
        accept();
    else
        QDialog::reject();
}

void DeleteUserDialog::closeEvent(QCloseEvent *event)
{
    if (isBusy()) {
        event->ignore();
        return;
    }
    QDialog::closeEvent(event);
}

} // namespace heliodesk
