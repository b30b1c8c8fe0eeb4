#include "resetpassworddialog.h"

#include "ui/messagelabel.h"

#include "model/passwordhasher.h"

#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QVBoxLayout>

namespace heliodesk {

ResetPasswordDialog::ResetPasswordDialog(AccountService accounts, Actor admin, QString username, QWidget *parent)
    : QDialog(parent)
    , m_accounts(std::move(accounts))
    , m_admin(std::move(admin))
    , m_username(std::move(username))
    , m_generateRadio(new QRadioButton(tr("&Generate a password and show it once"), this))
    , m_typeRadio(new QRadioButton(tr("&Type a password:"), this))
    , m_passwordEdit(new QLineEdit(this))
    , m_generatedEdit(new QLineEdit(this))
    , m_copyButton(new QPushButton(tr("&Copy"), this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("resetPasswordDialog"));
    setWindowTitle(tr("Reset Password of %1").arg(m_username));

    auto *intro = new QLabel(tr("A new password for %1. It also lifts a lockout after failed sign-ins.").arg(m_username), this);
    intro->setWordWrap(true);

    m_generateRadio->setObjectName(QStringLiteral("generatePasswordRadio"));
    m_generateRadio->setAccessibleName(tr("Generate a password"));
    m_typeRadio->setObjectName(QStringLiteral("typePasswordRadio"));
    m_typeRadio->setAccessibleName(tr("Type a password"));
    m_generateRadio->setChecked(true);
    auto *choice = new QButtonGroup(this);
    choice->addButton(m_generateRadio);
    choice->addButton(m_typeRadio);

    m_passwordEdit->setObjectName(QStringLiteral("newPasswordEdit"));
    m_passwordEdit->setAccessibleName(tr("New password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);

    m_generatedEdit->setObjectName(QStringLiteral("generatedPasswordEdit"));
    m_generatedEdit->setAccessibleName(tr("Generated password"));
    m_generatedEdit->setReadOnly(true);
    m_generatedEdit->setVisible(false);
    m_copyButton->setObjectName(QStringLiteral("copyPasswordButton"));
    m_copyButton->setAccessibleName(tr("Copy the password"));
    m_copyButton->setVisible(false);
    connect(m_copyButton, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_generatedEdit->text()); });

    m_message->setObjectName(QStringLiteral("resetPasswordMessage"));

    auto *buttons = new QDialogButtonBox(this);
    m_resetButton = buttons->addButton(tr("&Reset Password"), QDialogButtonBox::AcceptRole);
    m_resetButton->setObjectName(QStringLiteral("resetPasswordConfirmButton"));
    m_resetButton->setAccessibleName(tr("Reset password"));
    m_resetButton->setDefault(true);
    m_closeButton = buttons->addButton(QDialogButtonBox::Cancel);
    m_closeButton->setObjectName(QStringLiteral("closeButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ResetPasswordDialog::reset);
    connect(buttons, &QDialogButtonBox::rejected, this, [this] { m_done ? accept() : reject(); });

    auto *typed = new QHBoxLayout;
    typed->addWidget(m_typeRadio);
    typed->addWidget(m_passwordEdit, 1);
    auto *generated = new QHBoxLayout;
    generated->addWidget(m_generatedEdit, 1);
    generated->addWidget(m_copyButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(12);
    layout->addWidget(intro);
    layout->addWidget(m_generateRadio);
    layout->addLayout(typed);
    layout->addLayout(generated);
    layout->addWidget(m_message);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(440);

    connect(choice, &QButtonGroup::buttonToggled, this, &ResetPasswordDialog::validate);
    connect(m_passwordEdit, &QLineEdit::textChanged, this, &ResetPasswordDialog::validate);
    validate();
}

QString ResetPasswordDialog::generatePassword()
{
    // No 0/O, 1/l/I: the password is read off the screen and typed in elsewhere.
    static const QString alphabet = QStringLiteral("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    QString password;
    password.reserve(16);
    for (int i = 0; i < 16; ++i)
        password += alphabet.at(int(QRandomGenerator::system()->bounded(quint32(alphabet.size()))));
    return password;
}

void ResetPasswordDialog::validate()
{
    m_passwordEdit->setEnabled(m_typeRadio->isChecked() && !m_done);
    if (m_done)
        return;
    const QString weakness = m_typeRadio->isChecked() ? PasswordHasher::weaknessOf(m_passwordEdit->text()) : QString();
    if (m_typeRadio->isChecked() && !m_passwordEdit->text().isEmpty())
        m_message->showHint(weakness);
    else
        m_message->clearMessage();
    m_resetButton->setEnabled(weakness.isEmpty());
}

void ResetPasswordDialog::reset()
{
    if (m_done)
        return;
    const bool generate = m_generateRadio->isChecked();
    const QString password = generate ? generatePassword() : m_passwordEdit->text();
    if (auto done = m_accounts.resetPassword(m_admin, m_username, password); !done) {
        m_message->showError(done.error().message());
        return;
    }
    m_done = true;
    Q_EMIT passwordReset(m_username);
    if (!generate) {
        accept();
        return;
    }
    // Shown once: it is not stored anywhere but in the hash.
    m_generatedEdit->setText(password);
    m_generatedEdit->setVisible(true);
    m_copyButton->setVisible(true);
    m_generateRadio->setEnabled(false);
    m_typeRadio->setEnabled(false);
    m_passwordEdit->setEnabled(false);
    m_resetButton->setVisible(false);
    m_closeButton->setText(tr("&Done"));
    m_message->showHint(tr("The password of %1 is now the one above. It is shown only this once: pass it on now. "
                           "They can change it after signing in.")
                            .arg(m_username));
    m_generatedEdit->setFocus();
    m_generatedEdit->selectAll();
}

} // namespace heliodesk
