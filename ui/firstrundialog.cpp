#include "firstrundialog.h"

#include "dialogheader.h"
#include "endpointform.h"
#include "messagelabel.h"

#include "model/agents/providersettings.h"
#include "model/passwordhasher.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

/// A field with its message right under it, so a problem shows next to what caused it.
QLayout *fieldWithMessage(QLineEdit *edit, MessageLabel *message)
{
    auto *column = new QVBoxLayout;
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(3);
    column->addWidget(edit);
    column->addWidget(message);
    return column;
}

QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

} // namespace

FirstRunDialog::FirstRunDialog(AccountService accounts, const DatabaseLocation &location, QWidget *parent)
    : FirstRunDialog(std::move(accounts), location, QString(), parent)
{
}

FirstRunDialog::FirstRunDialog(AccountService accounts, const DatabaseLocation &location, QString settingsFile,
                               QWidget *parent)
    : QDialog(parent)
    , m_accounts(std::move(accounts))
    , m_usernameEdit(new QLineEdit(this))
    , m_displayNameEdit(new QLineEdit(this))
    , m_passwordEdit(new QLineEdit(this))
    , m_confirmEdit(new QLineEdit(this))
    , m_usernameMessage(new MessageLabel(MessageLabel::Presentation::Inline, this))
    , m_passwordMessage(new MessageLabel(MessageLabel::Presentation::Inline, this))
    , m_confirmMessage(new MessageLabel(MessageLabel::Presentation::Inline, this))
    , m_errorMessage(new MessageLabel(MessageLabel::Presentation::Banner, this))
    , m_answersToggle(new QToolButton(this))
    , m_endpointForm(new EndpointForm(std::move(settingsFile), this))
{
    setWindowTitle(tr("Set Up Heliodesk"));
    setObjectName(QStringLiteral("firstRunDialog"));

    auto *header = new DialogHeader(
        tr("Welcome to Heliodesk"),
        tr("Nobody has an account yet. Create the first one: it becomes the administrator, who adds the other "
           "users, plans and limits."),
        location.displayName(), this);

    m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
    m_usernameEdit->setAccessibleName(tr("Username"));
    m_usernameEdit->setMaxLength(64);
    m_usernameEdit->setPlaceholderText(tr("e.g. ana.lima"));
    m_usernameEdit->setClearButtonEnabled(true);
    m_usernameMessage->setObjectName(QStringLiteral("usernameMessage"));

    m_displayNameEdit->setObjectName(QStringLiteral("displayNameEdit"));
    m_displayNameEdit->setAccessibleName(tr("Display name"));
    m_displayNameEdit->setPlaceholderText(tr("Optional, e.g. Ana Lima"));
    m_displayNameEdit->setMaxLength(128);

    m_passwordEdit->setObjectName(QStringLiteral("passwordEdit"));
    m_passwordEdit->setAccessibleName(tr("Password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    m_passwordMessage->setObjectName(QStringLiteral("passwordMessage"));

    m_confirmEdit->setObjectName(QStringLiteral("confirmEdit"));
    m_confirmEdit->setAccessibleName(tr("Confirm password"));
    m_confirmEdit->setEchoMode(QLineEdit::Password);
    m_confirmMessage->setObjectName(QStringLiteral("confirmMessage"));

    m_errorMessage->setObjectName(QStringLiteral("errorMessage"));

    // Where answers come from: offline unless changed, so folded away until someone asks.
    m_answersToggle->setObjectName(QStringLiteral("answersToggle"));
    m_answersToggle->setAccessibleName(tr("Where answers come from"));
    m_answersToggle->setCheckable(true);
    m_answersToggle->setAutoRaise(true);
    m_answersToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_answersToggle->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_endpointForm->setVisible(false);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft);
    form->setVerticalSpacing(10);
    form->addRow(buddyLabel(tr("&Username:"), m_usernameEdit, this), fieldWithMessage(m_usernameEdit, m_usernameMessage));
    form->addRow(buddyLabel(tr("&Display name:"), m_displayNameEdit, this), m_displayNameEdit);
    form->addRow(buddyLabel(tr("&Password:"), m_passwordEdit, this), fieldWithMessage(m_passwordEdit, m_passwordMessage));
    form->addRow(buddyLabel(tr("&Confirm password:"), m_confirmEdit, this), fieldWithMessage(m_confirmEdit, m_confirmMessage));

    auto *buttons = new QDialogButtonBox(this);
    m_createButton = buttons->addButton(tr("Create &Administrator"), QDialogButtonBox::AcceptRole);
    m_createButton->setObjectName(QStringLiteral("createButton"));
    m_createButton->setAccessibleName(tr("Create administrator account"));
    m_createButton->setDefault(true);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &FirstRunDialog::createAccount);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(16);
    layout->addWidget(header);
    layout->addLayout(form);
    layout->addWidget(m_answersToggle, 0, Qt::AlignLeft);
    layout->addWidget(m_endpointForm);
    layout->addWidget(m_errorMessage);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(500);

    for (QLineEdit *edit : {m_usernameEdit, m_displayNameEdit, m_passwordEdit, m_confirmEdit})
        connect(edit, &QLineEdit::textChanged, this, &FirstRunDialog::validate);
    connect(m_answersToggle, &QToolButton::toggled, this, &FirstRunDialog::setAnswersSectionExpanded);
    connect(m_endpointForm, &EndpointForm::validityChanged, this, &FirstRunDialog::validate);
    connect(m_endpointForm, &EndpointForm::edited, this, &FirstRunDialog::updateAnswersToggle);
    connect(m_endpointForm, &EndpointForm::keyStorageFinished, this, &FirstRunDialog::onKeyStorageFinished);
    // A saved endpoint that cannot be used as it is must be seen to be fixed.
    setAnswersSectionExpanded(!m_endpointForm->isValid());
    validate();
    m_usernameEdit->setFocus();
}

bool FirstRunDialog::isFormValid() const
{
    const QString password = m_passwordEdit->text();
    return AccountService::usernameProblem(AccountService::normalizeUsername(m_usernameEdit->text())).isEmpty()
        && PasswordHasher::weaknessOf(password).isEmpty() && m_confirmEdit->text() == password && m_endpointForm->isValid();
}

bool FirstRunDialog::isAnswersSectionExpanded() const
{
    return m_answersToggle->isChecked();
}

void FirstRunDialog::setAnswersSectionExpanded(bool expanded)
{
    if (m_answersToggle->isChecked() != expanded)
        m_answersToggle->setChecked(expanded); // comes back here through toggled()
    m_answersToggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_endpointForm->setVisible(expanded);
    updateAnswersToggle();
    adjustSize(); // room for the section, or its room given back
}

void FirstRunDialog::updateAnswersToggle()
{
    QString choice = tr("the offline knowledge base");
    if (m_endpointForm->source() == EndpointForm::Source::Endpoint) {
        const auto url = ProviderSettings::parseBaseUrl(m_endpointForm->baseUrlText());
        const QString model = m_endpointForm->modelText().trimmed();
        if (!url)
            choice = tr("an OpenAI-compatible endpoint");
        else if (model.isEmpty())
            choice = url->authority();
        else
            choice = tr("%1 on %2").arg(model, url->authority());
    }
    m_answersToggle->setText(tr("Answers come from %1").arg(choice));
    m_answersToggle->setAccessibleDescription(isAnswersSectionExpanded() ? tr("Expanded") : tr("Collapsed; press to change"));
}

void FirstRunDialog::validate()
{
    if (m_createdUser) {
        // The account exists; only the keychain is still awaited, or the user goes on without it.
        m_createButton->setEnabled(!m_endpointForm->isStoringKey());
        return;
    }
    if (!m_endpointForm->isValid() && !isAnswersSectionExpanded())
        setAnswersSectionExpanded(true);
    // An empty field gets guidance rather than a complaint: nobody has done anything wrong yet.
    const QString username = AccountService::normalizeUsername(m_usernameEdit->text());
    const QString usernameProblem = AccountService::usernameProblem(username);
    if (m_usernameEdit->text().isEmpty())
        m_usernameMessage->showHint(tr("You sign in with it. Letters, digits, dots, dashes, underscores and @."));
    else if (!usernameProblem.isEmpty())
        m_usernameMessage->showError(usernameProblem);
    else if (username != m_usernameEdit->text())
        m_usernameMessage->showHint(tr("You will sign in as “%1”.").arg(username));
    else
        m_usernameMessage->clearMessage();
    m_usernameEdit->setAccessibleDescription(m_usernameMessage->text());

    const QString password = m_passwordEdit->text();
    const QString weakness = PasswordHasher::weaknessOf(password);
    if (password.isEmpty())
        m_passwordMessage->showHint(weakness);
    else if (!weakness.isEmpty())
        m_passwordMessage->showError(weakness);
    else
        m_passwordMessage->clearMessage();
    m_passwordEdit->setAccessibleDescription(m_passwordMessage->text());

    if (!m_confirmEdit->text().isEmpty() && m_confirmEdit->text() != password)
        m_confirmMessage->showError(tr("The two passwords are not the same."));
    else
        m_confirmMessage->clearMessage();
    m_confirmEdit->setAccessibleDescription(m_confirmMessage->text());

    m_displayNameEdit->setPlaceholderText(username.isEmpty() || !usernameProblem.isEmpty()
                                              ? tr("Optional, e.g. Ana Lima")
                                              : tr("Optional; “%1” if left empty").arg(m_usernameEdit->text().trimmed()));
    m_createButton->setEnabled(isFormValid());
}

void FirstRunDialog::createAccount()
{
    if (m_createdUser) {
        accept(); // the API key was not stored, and the user goes on without it
        return;
    }
    if (!isFormValid())
        return;
    // The choice of answers first: should the account fail, the dialog stays open and saving it
    // again changes nothing.
    if (m_endpointForm->isModified()) {
        const Result<void> saved = m_endpointForm->save();
        if (!saved) {
            setAnswersSectionExpanded(true);
            m_errorMessage->showError(saved.error().message());
            return;
        }
    }
    NewUser request;
    request.username = m_usernameEdit->text();
    request.displayName = m_displayNameEdit->text();
    request.password = m_passwordEdit->text();
    request.role = Role::Admin;
    // Hashing takes a few tens of milliseconds; short enough to do here without a worker thread.
    auto created = m_accounts.createUser(Actor::anonymous(), request);
    if (!created) {
        m_errorMessage->showError(created.error().message());
        m_usernameEdit->setFocus();
        return;
    }
    m_errorMessage->clearMessage();
    m_createdUser = *created;
    if (m_endpointForm->isStoringKey()) {
        // Closes when the keychain has answered (onKeyStorageFinished).
        for (QLineEdit *edit : {m_usernameEdit, m_displayNameEdit, m_passwordEdit, m_confirmEdit})
            edit->setEnabled(false);
        m_createButton->setText(tr("&Continue"));
        m_createButton->setAccessibleName(tr("Continue"));
        validate();
        return;
    }
    accept();
}

void FirstRunDialog::onKeyStorageFinished(bool stored)
{
    if (!m_createdUser) {
        validate();
        return;
    }
    if (stored) {
        accept();
        return;
    }
    setAnswersSectionExpanded(true);
    m_errorMessage->showHint(tr("The account “%1” is created, but the API key is not stored (see above). Keep it for "
                                "this session only, or continue without it and enter it later in the settings.")
                                 .arg(m_createdUser->username));
    validate();
}

} // namespace heliodesk
