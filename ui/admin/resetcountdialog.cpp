#include "resetcountdialog.h"

#include "ui/messagelabel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace heliodesk {

ResetCountDialog::ResetCountDialog(AccountService accounts, Actor admin, UserRecord user, const QString &period, QWidget *parent)
    : QDialog(parent)
    , m_accounts(std::move(accounts))
    , m_admin(std::move(admin))
    , m_user(std::move(user))
    , m_reasonEdit(new QLineEdit(this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("resetCountDialog"));
    setWindowTitle(tr("Reset This Month's Count"));

    const int used = m_user.usedIn(period);
    const QString limit = m_user.effectiveLimit ? QString::number(*m_user.effectiveLimit) : tr("unlimited");
    auto *intro = new QLabel(tr("%1 has asked %n question(s) this month (limit: %2). Resetting sets the count to 0, so "
                                "they can ask up to their limit again. The month's usage records stay, so the usage "
                                "figures still show every question.",
                                nullptr, used)
                                 .arg(m_user.username, limit),
                             this);
    intro->setObjectName(QStringLiteral("resetCountIntro"));
    intro->setWordWrap(true);

    m_reasonEdit->setObjectName(QStringLiteral("resetReasonEdit"));
    m_reasonEdit->setAccessibleName(tr("Reason"));
    m_reasonEdit->setMaxLength(500);
    m_reasonEdit->setPlaceholderText(tr("e.g. quarterly report deadline"));
    m_message->setObjectName(QStringLiteral("resetCountMessage"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Reason (for the audit log):"), m_reasonEdit);

    auto *buttons = new QDialogButtonBox(this);
    m_resetButton = buttons->addButton(tr("Reset &Count"), QDialogButtonBox::AcceptRole);
    m_resetButton->setObjectName(QStringLiteral("resetCountConfirmButton"));
    m_resetButton->setAccessibleName(tr("Reset the count"));
    m_resetButton->setDefault(true);
    m_resetButton->setEnabled(false);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ResetCountDialog::reset);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reasonEdit, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_resetButton->setEnabled(!text.trimmed().isEmpty()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(12);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(440);
}

void ResetCountDialog::reset()
{
    auto before = m_accounts.resetMonthCount(m_admin, m_user.username, m_reasonEdit->text());
    if (!before) {
        m_message->showError(before.error().message());
        return;
    }
    accept();
    Q_EMIT countReset(m_user.username, *before);
}

} // namespace heliodesk
