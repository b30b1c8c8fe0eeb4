#include "signindialog.h"

#include "dialogheader.h"
#include "messagelabel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace heliodesk {

SignInDialog::SignInDialog(AccountService accounts, const DatabaseLocation &location, QWidget *parent)
    : QDialog(parent)
    , m_accounts(std::move(accounts))
    , m_usernameEdit(new QLineEdit(this))
    , m_passwordEdit(new QLineEdit(this))
    , m_errorMessage(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setWindowTitle(tr("Sign In to Heliodesk"));
    setObjectName(QStringLiteral("signInDialog"));

    auto *header = new DialogHeader(tr("Sign in"), tr("Sign in with the account your administrator gave you."),
                                    location.displayName(), this);

    m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
    m_usernameEdit->setAccessibleName(tr("Username"));
    m_usernameEdit->setMaxLength(64);
    m_passwordEdit->setObjectName(QStringLiteral("passwordEdit"));
    m_passwordEdit->setAccessibleName(tr("Password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    m_errorMessage->setObjectName(QStringLiteral("errorMessage"));

    auto *usernameLabel = new QLabel(tr("&Username:"), this);
    usernameLabel->setBuddy(m_usernameEdit);
    auto *passwordLabel = new QLabel(tr("&Password:"), this);
    passwordLabel->setBuddy(m_passwordEdit);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft);
    form->setVerticalSpacing(10);
    form->addRow(usernameLabel, m_usernameEdit);
    form->addRow(passwordLabel, m_passwordEdit);

    auto *buttons = new QDialogButtonBox(this);
    m_signInButton = buttons->addButton(tr("&Sign In"), QDialogButtonBox::AcceptRole);
    m_signInButton->setObjectName(QStringLiteral("signInButton"));
    m_signInButton->setAccessibleName(tr("Sign in"));
    m_signInButton->setDefault(true);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SignInDialog::signIn);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(16);
    layout->addWidget(header);
    layout->addLayout(form);
    layout->addWidget(m_errorMessage);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(440);

    connect(m_usernameEdit, &QLineEdit::textChanged, this, &SignInDialog::updateButton);
    connect(m_passwordEdit, &QLineEdit::textChanged, this, &SignInDialog::updateButton);
    updateButton();
    m_usernameEdit->setFocus();
}

void SignInDialog::setUsername(const QString &username)
{
    m_usernameEdit->setText(username);
    m_passwordEdit->setFocus();
}

void SignInDialog::updateButton()
{
    m_signInButton->setEnabled(!m_usernameEdit->text().trimmed().isEmpty() && !m_passwordEdit->text().isEmpty());
}

void SignInDialog::signIn()
{
    if (!m_signInButton->isEnabled())
        return;
    // Verifying the password takes a few tens of milliseconds; short enough to do here without a worker thread.
    auto user = m_accounts.signIn(m_usernameEdit->text(), m_passwordEdit->text());
    if (!user) {
        // Keep the name, so a mistyped password costs one field; the password itself must go.
        m_passwordEdit->clear();
        m_errorMessage->showError(user.error().message());
        m_passwordEdit->setFocus();
        return;
    }
    m_errorMessage->clearMessage();
    m_user = *user;
    accept();
}

} // namespace heliodesk
