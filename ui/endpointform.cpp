#include "endpointform.h"

#include "messagelabel.h"

#include "model/agents/apikeystore.h"
#include "model/agents/endpointprobe.h"
#include "model/agents/providersettings.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

Q_LOGGING_CATEGORY(lcEndpointForm, "heliodesk.ui.endpointform", QtInfoMsg)

QString displayUrl(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

/// A field with its message right under it, so a problem shows next to what caused it.
QLayout *fieldWithMessage(QWidget *field, MessageLabel *message, QWidget *extra = nullptr)
{
    auto *column = new QVBoxLayout;
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(3);
    column->addWidget(field);
    column->addWidget(message);
    if (extra)
        column->addWidget(extra, 0, Qt::AlignLeft);
    return column;
}

QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

} // namespace

EndpointForm::EndpointForm(QString settingsFile, QWidget *parent)
    : QWidget(parent)
    , m_settingsFile(std::move(settingsFile))
    , m_connectTimeout(OpenAiSettings().connectTimeout)
    , m_idleTimeout(std::chrono::seconds(20)) // listing models is quick; a person is waiting
    , m_offlineRadio(new QRadioButton(tr("&Offline knowledge base (no network)"), this))
    , m_endpointRadio(new QRadioButton(tr("An &OpenAI-compatible endpoint"), this))
    , m_sourceGroup(new QButtonGroup(this))
    , m_endpointFields(new QWidget(this))
    , m_baseUrlEdit(new QLineEdit(m_endpointFields))
    , m_baseUrlMessage(new MessageLabel(MessageLabel::Presentation::Inline, m_endpointFields))
    , m_modelCombo(new QComboBox(m_endpointFields))
    , m_modelMessage(new MessageLabel(MessageLabel::Presentation::Inline, m_endpointFields))
    , m_apiKeyEdit(new QLineEdit(m_endpointFields))
    , m_apiKeyMessage(new MessageLabel(MessageLabel::Presentation::Inline, m_endpointFields))
    , m_sessionKeyButton(new QPushButton(tr("Keep the Key for This &Session Only"), m_endpointFields))
    , m_testButton(new QPushButton(tr("&Test Connection"), m_endpointFields))
    , m_testMessage(new MessageLabel(MessageLabel::Presentation::Banner, m_endpointFields))
{
    setObjectName(QStringLiteral("endpointForm"));

    auto *sourceLabel = new QLabel(tr("Answers come from:"), this);
    sourceLabel->setObjectName(QStringLiteral("sourceLabel"));
    m_offlineRadio->setObjectName(QStringLiteral("offlineRadio"));
    m_offlineRadio->setAccessibleName(tr("Answers come from the offline knowledge base"));
    m_offlineRadio->setAccessibleDescription(tr("No network; answers from the documents that come with Heliodesk."));
    m_endpointRadio->setObjectName(QStringLiteral("endpointRadio"));
    m_endpointRadio->setAccessibleName(tr("Answers come from an OpenAI-compatible endpoint"));
    m_sourceGroup->addButton(m_offlineRadio, int(Source::Offline));
    m_sourceGroup->addButton(m_endpointRadio, int(Source::Endpoint));

    m_endpointFields->setObjectName(QStringLiteral("endpointFields"));
    m_baseUrlEdit->setObjectName(QStringLiteral("baseUrlEdit"));
    m_baseUrlEdit->setAccessibleName(tr("Base URL"));
    m_baseUrlEdit->setPlaceholderText(QStringLiteral("http://127.0.0.1:11434/v1"));
    m_baseUrlEdit->setClearButtonEnabled(true);
    m_baseUrlMessage->setObjectName(QStringLiteral("baseUrlMessage"));

    m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
    m_modelCombo->setAccessibleName(tr("Model"));
    m_modelCombo->setEditable(true);
    m_modelCombo->setInsertPolicy(QComboBox::NoInsert);
    m_modelCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_modelCombo->setMinimumContentsLength(20);
    m_modelCombo->lineEdit()->setPlaceholderText(tr("e.g. llama3.1 or gpt-4o-mini"));
    m_modelMessage->setObjectName(QStringLiteral("modelMessage"));

    m_apiKeyEdit->setObjectName(QStringLiteral("apiKeyEdit"));
    m_apiKeyEdit->setAccessibleName(tr("API key"));
    m_apiKeyEdit->setEchoMode(QLineEdit::Password);
    m_apiKeyEdit->setClearButtonEnabled(true);
    m_apiKeyMessage->setObjectName(QStringLiteral("apiKeyMessage"));
    m_sessionKeyButton->setObjectName(QStringLiteral("sessionKeyButton"));
    m_sessionKeyButton->setAccessibleName(tr("Keep the API key for this session only"));
    m_sessionKeyButton->setAccessibleDescription(tr("Heliodesk keeps the key in memory until it quits; it is never written to disk."));
    m_sessionKeyButton->setVisible(false);

    m_testButton->setObjectName(QStringLiteral("testButton"));
    m_testButton->setAccessibleName(tr("Test connection"));
    m_testButton->setAccessibleDescription(tr("Asks the endpoint for its models, with the API key if one is given."));
    m_testButton->setAutoDefault(false);
    m_testMessage->setObjectName(QStringLiteral("testMessage"));

    // A grid rather than a QFormLayout: the wrapped messages under the fields get the height they
    // need (QFormLayout's height-for-width clipped the second line of a nested label).
    auto *fields = new QGridLayout(m_endpointFields);
    fields->setContentsMargins(22, 4, 0, 0); // under the radio button it belongs to
    fields->setHorizontalSpacing(12);
    fields->setVerticalSpacing(10);
    fields->setColumnStretch(1, 1);
    const QList<QPair<QString, QWidget *>> rows{{tr("Base &URL:"), m_baseUrlEdit}, {tr("&Model:"), m_modelCombo}, {tr("API &key:"), m_apiKeyEdit}};
    for (const auto &[text, field] : rows) {
        QLabel *label = buddyLabel(text, field, m_endpointFields);
        label->setMinimumHeight(field->sizeHint().height()); // level with the field, not with its message
        m_fieldLabels << label;
    }
    fields->addWidget(m_fieldLabels.at(0), 0, 0, Qt::AlignLeft | Qt::AlignTop);
    fields->addLayout(fieldWithMessage(m_baseUrlEdit, m_baseUrlMessage), 0, 1);
    fields->addWidget(m_fieldLabels.at(1), 1, 0, Qt::AlignLeft | Qt::AlignTop);
    fields->addLayout(fieldWithMessage(m_modelCombo, m_modelMessage), 1, 1);
    fields->addWidget(m_fieldLabels.at(2), 2, 0, Qt::AlignLeft | Qt::AlignTop);
    fields->addLayout(fieldWithMessage(m_apiKeyEdit, m_apiKeyMessage, m_sessionKeyButton), 2, 1);
    fields->addWidget(m_testButton, 3, 1, Qt::AlignLeft);
    fields->addWidget(m_testMessage, 4, 0, 1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(sourceLabel);
    // As wide as their text: a click in the empty space beside one must not choose it.
    layout->addWidget(m_offlineRadio, 0, Qt::AlignLeft);
    layout->addWidget(m_endpointRadio, 0, Qt::AlignLeft);
    layout->addWidget(m_endpointFields);

    loadFromSettings();

    connect(m_sourceGroup, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (!checked)
            return;
        ++m_testGeneration;
        validate();
        Q_EMIT edited();
    });
    connect(m_baseUrlEdit, &QLineEdit::textChanged, this, &EndpointForm::validate);
    connect(m_modelCombo, &QComboBox::editTextChanged, this, &EndpointForm::validate);
    connect(m_apiKeyEdit, &QLineEdit::textChanged, this, &EndpointForm::validate);
    // Only a person's edits make a running test's result stale and the form modified.
    for (QLineEdit *edit : {m_baseUrlEdit, m_apiKeyEdit})
        connect(edit, &QLineEdit::textEdited, this, [this] {
            ++m_testGeneration;
            Q_EMIT edited();
        });
    connect(m_modelCombo->lineEdit(), &QLineEdit::textEdited, this, &EndpointForm::edited);
    connect(m_modelCombo, &QComboBox::activated, this, &EndpointForm::edited);
    connect(m_testButton, &QPushButton::clicked, this, &EndpointForm::startTest);
    connect(m_sessionKeyButton, &QPushButton::clicked, this, &EndpointForm::keepKeyForSession);
    validate();
}

void EndpointForm::loadFromSettings()
{
    const ProviderSettings settings(m_settingsFile);
    const ProviderConfig config = settings.load();
    const QUrl saved = settings.savedBaseUrl();
    m_savedSource = saved.isEmpty() ? Source::Offline : Source::Endpoint;
    m_savedBaseUrl = saved.isEmpty() ? QString() : displayUrl(saved);
    m_savedModel = saved.isEmpty() ? QString() : config.model;
    m_keyHost = config.keyInKeychain ? config.baseUrl.host() : QString();

    m_baseUrlEdit->setText(m_savedBaseUrl);
    m_modelCombo->setEditText(m_savedModel);
    (m_savedSource == Source::Offline ? m_offlineRadio : m_endpointRadio)->setChecked(true);
}

EndpointForm::Source EndpointForm::source() const
{
    return m_endpointRadio->isChecked() ? Source::Endpoint : Source::Offline;
}

void EndpointForm::setSource(Source source)
{
    (source == Source::Offline ? m_offlineRadio : m_endpointRadio)->setChecked(true);
}

QString EndpointForm::baseUrlText() const
{
    return m_baseUrlEdit->text();
}

QString EndpointForm::modelText() const
{
    return m_modelCombo->currentText();
}

bool EndpointForm::isValid() const
{
    return m_valid;
}

bool EndpointForm::isModified() const
{
    if (source() != m_savedSource)
        return true;
    if (source() == Source::Offline)
        return false;
    return m_baseUrlEdit->text().trimmed() != m_savedBaseUrl || modelText().trimmed() != m_savedModel
        || !m_apiKeyEdit->text().trimmed().isEmpty();
}

bool EndpointForm::keyStoredFor(const QUrl &baseUrl) const
{
    return !m_keyHost.isEmpty() && baseUrl.host() == m_keyHost;
}

void EndpointForm::setTestTimeouts(std::chrono::milliseconds connect, std::chrono::milliseconds idle)
{
    m_connectTimeout = connect;
    m_idleTimeout = idle;
}

void EndpointForm::validate()
{
    const bool endpoint = source() == Source::Endpoint;
    // The fields, not their container: a MessageLabel works out its colours from its parent's
    // palette, and a disabled parent would leave it with the greyed ones.
    for (QWidget *widget : std::initializer_list<QWidget *>{m_baseUrlEdit, m_modelCombo, m_apiKeyEdit, m_sessionKeyButton})
        widget->setEnabled(endpoint);
    for (QLabel *label : std::as_const(m_fieldLabels))
        label->setEnabled(endpoint);
    bool valid = true;
    if (!endpoint) {
        // Guidance for fields that do not count would only distract.
        for (MessageLabel *message : {m_baseUrlMessage, m_modelMessage, m_testMessage})
            message->clearMessage();
    } else {
        // An empty field gets guidance rather than a complaint: nobody has done anything wrong yet.
        const QString typed = m_baseUrlEdit->text();
        const auto url = ProviderSettings::parseBaseUrl(typed);
        if (typed.trimmed().isEmpty())
            m_baseUrlMessage->showHint(tr("The address of the API, for example http://127.0.0.1:11434/v1 for Ollama or "
                                          "https://api.openai.com/v1."));
        else if (!url)
            m_baseUrlMessage->showError(url.error().message());
        else if (displayUrl(*url) != typed.trimmed())
            m_baseUrlMessage->showHint(tr("Heliodesk will use %1.").arg(displayUrl(*url)));
        else
            m_baseUrlMessage->clearMessage();

        if (modelText().trimmed().isEmpty())
            m_modelMessage->showHint(tr("Name the model, or use Test Connection to list the server's models."));
        else
            m_modelMessage->clearMessage();
        valid = url.has_value() && !modelText().trimmed().isEmpty();
    }
    m_baseUrlEdit->setAccessibleDescription(m_baseUrlMessage->text());
    m_modelCombo->setAccessibleDescription(m_modelMessage->text());

    const auto typedUrl = ProviderSettings::parseBaseUrl(m_baseUrlEdit->text());
    const bool keyStored = typedUrl && keyStoredFor(*typedUrl);
    if (!m_storingKey && m_failedKey.isEmpty()) {
        if (keyStored)
            m_apiKeyMessage->showHint(tr("A key for this server is stored in the system keychain. Leave this empty to "
                                         "keep it, or type a new one to replace it."));
        else
            m_apiKeyMessage->showHint(tr("Optional; local servers need none. Stored in the system keychain, never in a file."));
    }
    m_apiKeyEdit->setPlaceholderText(keyStored ? tr("Stored in the system keychain") : tr("Optional"));
    m_apiKeyEdit->setAccessibleDescription(m_apiKeyMessage->text());

    updateTestButton();
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

void EndpointForm::updateTestButton()
{
    const bool canTest = source() == Source::Endpoint && ProviderSettings::parseBaseUrl(m_baseUrlEdit->text()).has_value();
    m_testButton->setEnabled(canTest && !m_testing);
}

void EndpointForm::startTest()
{
    if (m_testing)
        return;
    const auto url = ProviderSettings::parseBaseUrl(m_baseUrlEdit->text());
    if (!url)
        return;
    m_testing = true;
    m_testButton->setText(tr("Testing…"));
    updateTestButton();
    m_testMessage->showHint(tr("Asking %1 for its models…").arg(displayUrl(*url)));
    runTest(*url, modelText().trimmed(), m_apiKeyEdit->text().trimmed(), m_testGeneration);
}

QCoro::Task<> EndpointForm::runTest(QUrl baseUrl, QString model, QString typedKey, int generation)
{
    const QPointer<EndpointForm> self(this);
    OpenAiSettings settings;
    settings.baseUrl = baseUrl;
    settings.model = model;
    settings.connectTimeout = m_connectTimeout;
    settings.idleTimeout = m_idleTimeout;
    settings.apiKey = typedKey;
    if (settings.apiKey.isEmpty())
        settings.apiKey = qEnvironmentVariable("HELIODESK_API_KEY").trimmed();
    if (settings.apiKey.isEmpty() && keyStoredFor(baseUrl)) {
        // The key kept for this server (or for this session): the same one answers would use.
        const auto stored = co_await ApiKeyStore().read(baseUrl);
        if (!self)
            co_return;
        if (stored)
            settings.apiKey = *stored;
        else
            qCInfo(lcEndpointForm).noquote() << "testing without the stored key:" << stored.error().toLogString();
    } else if (settings.apiKey.isEmpty()) {
        settings.apiKey = ApiKeyStore::sessionKey(baseUrl);
    }

    const Result<EndpointCheck> result = co_await checkEndpoint(std::move(settings));
    if (!self)
        co_return; // the form was closed while the server was being asked
    m_testing = false;
    m_testButton->setText(tr("&Test Connection"));
    updateTestButton();
    if (generation != m_testGeneration) {
        // The address or key changed while the old ones were being tested: their result would mislead.
        m_testMessage->clearMessage();
        co_return;
    }
    showTestResult(result);
    Q_EMIT connectionTested(result.has_value());
}

void EndpointForm::showTestResult(const Result<EndpointCheck> &result)
{
    if (!result) {
        m_testMessage->showError(result.error().message());
        return;
    }
    const QString current = modelText();
    m_modelCombo->clear();
    m_modelCombo->addItems(result->models);
    m_modelCombo->setEditText(current);
    m_testMessage->showHint(result->summary);
}

Result<void> EndpointForm::save()
{
    ProviderSettings settings(m_settingsFile);
    if (source() == Source::Offline) {
        settings.clearEndpoint();
        markSaved();
        return {};
    }
    // saveEndpoint() checks the URL and the model again, with the sentences the fields show.
    auto saved = settings.saveEndpoint(m_baseUrlEdit->text(), modelText());
    if (!saved)
        return saved;
    const QUrl url = settings.savedBaseUrl();
    const QString key = m_apiKeyEdit->text().trimmed();
    markSaved();
    const ProviderConfig config = settings.load();
    m_keyHost = config.keyInKeychain ? config.baseUrl.host() : QString();
    if (!key.isEmpty()) {
        // Started from the event loop, so that keyStorageFinished() always comes after save()
        // has returned, even when the keychain fails at once (its module is missing).
        m_storingKey = true;
        m_failedKey.clear();
        m_sessionKeyButton->setVisible(false);
        m_apiKeyMessage->showHint(tr("Storing the key in the system keychain…"));
        QMetaObject::invokeMethod(this, [this, url, key] { storeKey(url, key); }, Qt::QueuedConnection);
    }
    validate();
    return {};
}

void EndpointForm::markSaved()
{
    m_savedSource = source();
    if (m_savedSource == Source::Offline) {
        m_savedBaseUrl.clear();
        m_savedModel.clear();
        return;
    }
    m_savedBaseUrl = m_baseUrlEdit->text().trimmed();
    m_savedModel = modelText().trimmed();
}

QCoro::Task<> EndpointForm::storeKey(QUrl baseUrl, QString key)
{
    const QPointer<EndpointForm> self(this);
    const QString settingsFile = m_settingsFile;
    const Result<void> written = co_await ApiKeyStore().write(baseUrl, key);
    if (written && !settingsFile.isEmpty())
        ProviderSettings(settingsFile).setKeyInKeychain(baseUrl, true); // ApiKeyStore records it in the default file
    if (!self)
        co_return;
    m_storingKey = false;
    if (written) {
        m_keyHost = baseUrl.host();
        m_apiKeyEdit->clear();
        m_apiKeyMessage->showHint(tr("The key is stored in the system keychain."));
        Q_EMIT keyStorageFinished(true);
        co_return;
    }
    m_failedKeyUrl = baseUrl;
    m_failedKey = key;
    m_apiKeyMessage->showError(written.error().message());
    m_apiKeyEdit->setAccessibleDescription(m_apiKeyMessage->text());
    m_sessionKeyButton->setVisible(true);
    Q_EMIT keyStorageFinished(false);
}

void EndpointForm::keepKeyForSession()
{
    if (m_failedKey.isEmpty())
        return;
    ApiKeyStore::setSessionKey(m_failedKeyUrl, m_failedKey);
    m_failedKey.clear();
    m_sessionKeyButton->setVisible(false);
    m_apiKeyEdit->clear();
    m_apiKeyMessage->showHint(tr("Heliodesk keeps the key in memory until it quits. Enter it here again after the next start."));
    m_apiKeyEdit->setAccessibleDescription(m_apiKeyMessage->text());
    Q_EMIT keyStorageFinished(true);
}

} // namespace heliodesk
