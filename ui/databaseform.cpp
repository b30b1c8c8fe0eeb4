#include "databaseform.h"

#include "messagelabel.h"

#include "model/databasepasswordstore.h"
#include "model/databaseprobe.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

/// The address as typed, parsed: a postgresql:// URL without password, or the reason it is not.
Result<DatabaseLocation> teamLocation(const QString &text)
{
    if (text.trimmed().isEmpty())
        return fail(ErrorCode::InvalidInput,
                    QCoreApplication::translate("DatabaseForm", "Enter the server's address, for example postgresql://ann@db.example.com/heliodesk."));
    auto location = DatabaseLocation::parse(text);
    if (!location)
        return location;
    if (location->engine() != DatabaseLocation::Engine::PostgreSql)
        return fail(ErrorCode::InvalidInput,
                    QCoreApplication::translate("DatabaseForm", "A team server's address starts with postgresql://."));
    if (!location->postgresPassword().isEmpty())
        return fail(ErrorCode::InvalidInput,
                    QCoreApplication::translate("DatabaseForm", "Leave the password out of the address and type it in the Password field."));
    return location;
}

} // namespace

DatabaseForm::DatabaseForm(QString settingsFile, std::optional<DatabaseLocation> inUse, QWidget *parent)
    : QWidget(parent)
    , m_settingsFile(std::move(settingsFile))
    , m_inUse(std::move(inUse))
    , m_inUseLabel(new QLabel(this))
    , m_localRadio(new QRadioButton(tr("&This computer only (a database file in your user folder)"), this))
    , m_teamRadio(new QRadioButton(tr("A &team server (PostgreSQL), shared with colleagues"), this))
    , m_choiceGroup(new QButtonGroup(this))
    , m_teamFields(new QWidget(this))
    , m_addressEdit(new QLineEdit(m_teamFields))
    , m_addressMessage(new MessageLabel(MessageLabel::Presentation::Inline, m_teamFields))
    , m_passwordEdit(new QLineEdit(m_teamFields))
    , m_rememberCheck(new QCheckBox(tr("&Remember the password in the keychain"), m_teamFields))
    , m_testButton(new QPushButton(tr("Test &Connection"), this))
    , m_statusMessage(new MessageLabel(MessageLabel::Presentation::Banner, this))
    , m_restartNote(new QLabel(this))
    , m_probe(new DatabaseProbe(this))
{
    setObjectName(QStringLiteral("databaseForm"));
    m_inUseLabel->setObjectName(QStringLiteral("databaseInUseLabel"));
    m_inUseLabel->setWordWrap(true);
    m_inUseLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_localRadio->setObjectName(QStringLiteral("localDatabaseRadio"));
    m_teamRadio->setObjectName(QStringLiteral("teamDatabaseRadio"));
    m_choiceGroup->addButton(m_localRadio, int(Choice::ThisComputer));
    m_choiceGroup->addButton(m_teamRadio, int(Choice::TeamServer));

    m_addressEdit->setObjectName(QStringLiteral("databaseAddressEdit"));
    m_addressEdit->setAccessibleName(tr("Server address"));
    m_addressEdit->setPlaceholderText(QStringLiteral("postgresql://ann@db.example.com:5432/heliodesk"));
    m_addressEdit->setClearButtonEnabled(true);
    m_addressMessage->setObjectName(QStringLiteral("databaseAddressMessage"));
    m_passwordEdit->setObjectName(QStringLiteral("databasePasswordEdit"));
    m_passwordEdit->setAccessibleName(tr("Password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    m_passwordEdit->setPlaceholderText(tr("Leave empty to use your PGPASSFILE or the stored one"));
    m_rememberCheck->setObjectName(QStringLiteral("rememberDatabasePasswordCheck"));
    m_rememberCheck->setChecked(true);
    m_testButton->setObjectName(QStringLiteral("testDatabaseButton"));
    m_testButton->setAccessibleName(tr("Test the connection to the database"));
    m_statusMessage->setObjectName(QStringLiteral("databaseStatusMessage"));
    m_restartNote->setObjectName(QStringLiteral("databaseRestartNote"));
    m_restartNote->setWordWrap(true);

    auto *addressColumn = new QVBoxLayout;
    addressColumn->setContentsMargins(0, 0, 0, 0);
    addressColumn->setSpacing(3);
    addressColumn->addWidget(m_addressEdit);
    addressColumn->addWidget(m_addressMessage);
    auto *addressLabel = new QLabel(tr("&Address:"), m_teamFields);
    addressLabel->setBuddy(m_addressEdit);
    auto *passwordLabel = new QLabel(tr("&Password:"), m_teamFields);
    passwordLabel->setBuddy(m_passwordEdit);
    auto *teamForm = new QFormLayout(m_teamFields);
    teamForm->setContentsMargins(24, 0, 0, 0);
    teamForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    teamForm->addRow(addressLabel, addressColumn);
    teamForm->addRow(passwordLabel, m_passwordEdit);
    teamForm->addRow(QString(), m_rememberCheck);

    auto *testRow = new QHBoxLayout;
    testRow->setContentsMargins(0, 0, 0, 0);
    testRow->addWidget(m_testButton);
    testRow->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(m_inUseLabel);
    layout->addWidget(m_localRadio);
    layout->addWidget(m_teamRadio);
    layout->addWidget(m_teamFields);
    layout->addLayout(testRow);
    layout->addWidget(m_statusMessage);
    layout->addWidget(m_restartNote);

    if (m_inUse) {
        QString text = tr("In use now: %1").arg(m_inUse->displayName());
        const auto chosen = DatabaseSettings(m_settingsFile).resolve();
        if (chosen && chosen->source == DatabaseChoice::Source::Environment)
            text += u' ' + tr("(HELIODESK_DB chooses the database and overrides this setting)");
        else if (chosen && chosen->location.displayName() != m_inUse->displayName())
            text += u' ' + tr("(chosen when Heliodesk was started)");
        m_inUseLabel->setText(text);
    } else {
        m_inUseLabel->hide();
    }

    loadFromSettings();
    connect(m_choiceGroup, &QButtonGroup::idClicked, this, [this] {
        validate();
        Q_EMIT edited();
    });
    connect(m_addressEdit, &QLineEdit::textEdited, this, [this] {
        m_statusMessage->clearMessage();
        validate();
        Q_EMIT edited();
    });
    connect(m_passwordEdit, &QLineEdit::textEdited, this, [this] {
        m_statusMessage->clearMessage();
        Q_EMIT edited();
    });
    connect(m_testButton, &QPushButton::clicked, this, &DatabaseForm::startTest);
    connect(m_probe, &DatabaseProbe::succeeded, this, &DatabaseForm::onTestSucceeded);
    connect(m_probe, &DatabaseProbe::failed, this, &DatabaseForm::onTestFailed);
    validate();
}

DatabaseForm::~DatabaseForm() = default;

void DatabaseForm::loadFromSettings()
{
    m_savedLocation = DatabaseSettings(m_settingsFile).savedLocation();
    auto saved = m_savedLocation.isEmpty() ? Result<DatabaseLocation>(Unexpected(Error())) : DatabaseLocation::parse(m_savedLocation);
    const bool team = saved && saved->engine() == DatabaseLocation::Engine::PostgreSql;
    setChoice(team ? Choice::TeamServer : Choice::ThisComputer);
    m_addressEdit->setText(team ? saved->toUrlString(false) : QString());
    m_passwordEdit->clear();
}

DatabaseForm::Choice DatabaseForm::choice() const
{
    return m_teamRadio->isChecked() ? Choice::TeamServer : Choice::ThisComputer;
}

void DatabaseForm::setChoice(Choice choice)
{
    (choice == Choice::TeamServer ? m_teamRadio : m_localRadio)->setChecked(true);
    validate();
}

QString DatabaseForm::addressText() const
{
    return m_addressEdit->text().trimmed();
}

bool DatabaseForm::isValid() const
{
    return choice() == Choice::ThisComputer || teamLocation(addressText()).has_value();
}

bool DatabaseForm::isModified() const
{
    if (!m_passwordEdit->text().isEmpty())
        return true;
    if (choice() == Choice::ThisComputer) {
        auto saved = m_savedLocation.isEmpty() ? Result<DatabaseLocation>(Unexpected(Error())) : DatabaseLocation::parse(m_savedLocation);
        return saved && saved->engine() == DatabaseLocation::Engine::PostgreSql;
    }
    return addressText() != m_savedLocation;
}

bool DatabaseForm::isTesting() const
{
    return m_probe->isRunning();
}

void DatabaseForm::validate()
{
    const bool team = choice() == Choice::TeamServer;
    m_teamFields->setEnabled(team);
    if (team && !addressText().isEmpty()) {
        auto location = teamLocation(addressText());
        if (location)
            m_addressMessage->clearMessage();
        else
            m_addressMessage->showError(location.error().message());
    } else {
        m_addressMessage->clearMessage();
    }
    updateControls();
}

void DatabaseForm::updateControls()
{
    m_testButton->setEnabled(isValid() && !m_probe->isRunning());
    m_testButton->setText(m_probe->isRunning() ? tr("Testing…") : tr("Test &Connection"));
}

void DatabaseForm::startTest()
{
    m_statusMessage->clearMessage();
    DatabaseLocation location = DatabaseLocation::sqliteFile(DatabaseLocation::defaultSqlitePath());
    if (choice() == Choice::TeamServer) {
        auto team = teamLocation(addressText());
        if (!team) {
            m_addressMessage->showError(team.error().message());
            return;
        }
        location = *team;
    }
    if (!m_probe->start(location, m_passwordEdit->text()))
        return;
    m_statusMessage->showHint(tr("Connecting to %1…").arg(location.displayName()));
    updateControls();
}

void DatabaseForm::onTestSucceeded(const DatabaseProbeResult &result)
{
    QString text;
    if (result.schemaVersion == 0)
        text = tr("Connected to %1. The database is empty: Heliodesk sets it up at its next start, and the first "
                  "person to sign in creates the administrator.").arg(result.server);
    else
        text = tr("Connected to %1: a Heliodesk database with %n user(s).", nullptr, result.users).arg(result.server);
    m_statusMessage->showHint(text);
    updateControls();
    Q_EMIT connectionTested(true);
}

void DatabaseForm::onTestFailed(const Error &error)
{
    m_statusMessage->showError(error.message());
    updateControls();
    Q_EMIT connectionTested(false);
}

Result<void> DatabaseForm::save()
{
    DatabaseSettings settings(m_settingsFile);
    const QString before = m_savedLocation;
    if (choice() == Choice::ThisComputer) {
        settings.clearLocation();
        m_savedLocation.clear();
    } else {
        auto location = teamLocation(addressText());
        if (!location) {
            m_addressMessage->showError(location.error().message());
            return Unexpected(location.error());
        }
        auto saved = settings.saveLocation(addressText());
        if (!saved)
            return Unexpected(saved.error());
        m_savedLocation = settings.savedLocation();
        const QString password = m_passwordEdit->text();
        if (!password.isEmpty() && m_rememberCheck->isChecked()) {
            m_storingPassword = true;
            QCoro::connect(storePassword(*location, password), this, [] {});
        }
        m_passwordEdit->clear();
    }
    if (before != m_savedLocation)
        m_restartNote->setText(tr("Heliodesk opens the chosen database the next time it starts."));
    return {};
}

QCoro::Task<> DatabaseForm::storePassword(DatabaseLocation location, QString password)
{
    const QPointer<DatabaseForm> self(this);
    const Result<void> stored = co_await DatabasePasswordStore().write(location, password);
    if (!self)
        co_return;
    m_storingPassword = false;
    DatabaseSettings(m_settingsFile).setPasswordInKeychain(location, stored.has_value());
    if (stored)
        m_statusMessage->showHint(tr("The password is in the keychain."));
    else
        m_statusMessage->showError(stored.error().message());
    Q_EMIT passwordStorageFinished(stored.has_value());
}

} // namespace heliodesk
