// EndpointForm driven with the mouse and keyboard: Test Connection against a real local
// OpenAI-compatible server (models, a wrong key, a refused port), the inline URL messages, saving to
// a temporary settings file, and the keychain's failure with the session-only fallback (this
// machine has no keychain; on a desktop the test points D-Bus at a socket that does not exist).

#include "ui/endpointform.h"
#include "ui/messagelabel.h"

#include "model/agents/apikeystore.h"
#include "model/agents/providersettings.h"

#include "support/openaitestserver.h"
#include "support/testprinters.h"

#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

class TestEndpointForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void startsOfflineWithTheEndpointFieldsDisabled();
    void showsTheSavedEndpoint();
    void testConnectionListsTheModels();
    void testConnectionSendsTheTypedKey();
    void wrongKeySaysSo();
    void refusedPortSaysSo();
    void invalidUrl_data();
    void invalidUrl();
    void emptyUrlIsGuidanceNotAnError();
    void completedUrlIsShown();
    void saveWritesProviderSettings();
    void saveOfflineClearsTheEndpoint();
    void keyWithoutKeychainOffersTheSessionFallback();
    void formDestroyedDuringTest();
    void editDuringTestDropsTheStaleResult();

private:
    void show();
    void chooseEndpoint(const QString &url, const QString &model, const QString &key = {});
    void clickTest();
    template<typename T>
    T *child(const char *name) const;
    [[nodiscard]] QUrl refusedUrl() const;

    QTemporaryDir m_home;
    QString m_settingsFile;
    OpenAiTestServer m_server;
    std::unique_ptr<EndpointForm> m_form;
    int m_fileCounter = 0;
};

void TestEndpointForm::initTestCase()
{
    QVERIFY2(m_home.isValid(), qPrintable(m_home.errorString()));
    // Anything the keychain library writes lands in the temporary folder; no real keychain is used.
    for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(name, QFile::encodeName(m_home.filePath(QString::fromLatin1(name).toLower())));
    qputenv("HOME", QFile::encodeName(m_home.filePath(QStringLiteral("home"))));
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
    for (const char *name : {"HELIODESK_API_KEY", "HELIODESK_API_BASE", "HELIODESK_MODEL"})
        qunsetenv(name);
    QVERIFY(m_server.listen());
}

void TestEndpointForm::init()
{
    m_server.reset();
    m_settingsFile = m_home.filePath(QStringLiteral("settings-%1.ini").arg(++m_fileCounter));
}

void TestEndpointForm::cleanup()
{
    m_form.reset();
    ApiKeyStore::setSessionKey(m_server.baseUrl(), {});
    QCOMPARE(m_server.pendingResponses(), 0);
}

void TestEndpointForm::show()
{
    m_form = std::make_unique<EndpointForm>(m_settingsFile);
    m_form->setTestTimeouts(2s, 2s);
    m_form->resize(560, 420);
    m_form->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_form.get()));
}

template<typename T>
T *TestEndpointForm::child(const char *name) const
{
    auto *widget = m_form->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void TestEndpointForm::chooseEndpoint(const QString &url, const QString &model, const QString &key)
{
    QTest::mouseClick(child<QRadioButton>("endpointRadio"), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>("baseUrlEdit"), url);
    if (!model.isEmpty())
        QTest::keyClicks(child<QComboBox>("modelCombo")->lineEdit(), model);
    if (!key.isEmpty())
        QTest::keyClicks(child<QLineEdit>("apiKeyEdit"), key);
}

void TestEndpointForm::clickTest()
{
    auto *test = child<QPushButton>("testButton");
    QVERIFY(test->isEnabled());
    QTest::mouseClick(test, Qt::LeftButton);
}

QUrl TestEndpointForm::refusedUrl() const
{
    QTcpServer closed;
    if (!closed.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot find a free port");
    const quint16 port = closed.serverPort();
    closed.close();
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(port));
}

void TestEndpointForm::startsOfflineWithTheEndpointFieldsDisabled()
{
    show();
    QVERIFY(child<QRadioButton>("offlineRadio")->isChecked());
    QCOMPARE(m_form->source(), EndpointForm::Source::Offline);
    QVERIFY(m_form->isValid());
    QVERIFY(!m_form->isModified());
    QVERIFY(!child<QLineEdit>("baseUrlEdit")->isEnabled());
    QVERIFY(!child<QComboBox>("modelCombo")->isEnabled());
    QVERIFY(!child<QLineEdit>("apiKeyEdit")->isEnabled());
    QVERIFY(!child<QPushButton>("testButton")->isEnabled());
    QCOMPARE(child<QLineEdit>("baseUrlEdit")->placeholderText(), QStringLiteral("http://127.0.0.1:11434/v1"));
    QCOMPARE(child<QLineEdit>("apiKeyEdit")->echoMode(), QLineEdit::Password);
    QVERIFY(child<QComboBox>("modelCombo")->isEditable());

    QSignalSpy validity(m_form.get(), &EndpointForm::validityChanged);
    QTest::mouseClick(child<QRadioButton>("endpointRadio"), Qt::LeftButton);
    QVERIFY(child<QLineEdit>("baseUrlEdit")->isEnabled());
    QVERIFY(child<QComboBox>("modelCombo")->isEnabled());
    QVERIFY(child<QLineEdit>("apiKeyEdit")->isEnabled());
    QVERIFY(!m_form->isValid()); // no URL, no model yet
    QCOMPARE(validity.size(), 1);
    QCOMPARE(validity.constFirst().constFirst().toBool(), false);
    QVERIFY(m_form->isModified());
    // The key's hint says where it goes.
    QVERIFY2(child<MessageLabel>("apiKeyMessage")->text().contains(u"Stored in the system keychain"),
             qPrintable(child<MessageLabel>("apiKeyMessage")->text()));
}

void TestEndpointForm::showsTheSavedEndpoint()
{
    VERIFY_OK(ProviderSettings(m_settingsFile).saveEndpoint(QStringLiteral("localhost:11434/v1"), QStringLiteral("llama3.1")));
    show();
    QVERIFY(child<QRadioButton>("endpointRadio")->isChecked());
    QCOMPARE(child<QLineEdit>("baseUrlEdit")->text(), QStringLiteral("http://localhost:11434/v1"));
    QCOMPARE(child<QComboBox>("modelCombo")->currentText(), QStringLiteral("llama3.1"));
    QVERIFY(m_form->isValid());
    QVERIFY(!m_form->isModified());
    QVERIFY(child<QPushButton>("testButton")->isEnabled());
}

void TestEndpointForm::testConnectionListsTheModels()
{
    show();
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("llama3.1"));
    QVERIFY(m_form->isValid());
    m_server.enqueue(ScriptedResponse::modelList({QStringLiteral("qwen2.5"), QStringLiteral("llama3.1"), QStringLiteral("gemma2")})
                         .withDelay(50ms));
    QSignalSpy tested(m_form.get(), &EndpointForm::connectionTested);
    auto *test = child<QPushButton>("testButton");
    const QString idleText = test->text();
    clickTest();

    // Busy at once, without blocking the event loop.
    QVERIFY(m_form->isTesting());
    QVERIFY(!test->isEnabled());
    QCOMPARE(test->text(), QStringLiteral("Testing…"));

    QVERIFY(tested.wait(5000));
    QCOMPARE(tested.constFirst().constFirst().toBool(), true);
    QVERIFY(!m_form->isTesting());
    QVERIFY(test->isEnabled());
    QCOMPARE(test->text(), idleText);
    auto *message = child<MessageLabel>("testMessage");
    QVERIFY(message->isVisible());
    QVERIFY(!message->isError());
    QCOMPARE(message->text(), QStringLiteral("Connected. 3 models; llama3.1 is one of them."));

    auto *models = child<QComboBox>("modelCombo");
    QCOMPARE(models->count(), 3);
    QCOMPARE(models->itemText(0), QStringLiteral("gemma2"));
    QCOMPARE(models->currentText(), QStringLiteral("llama3.1")); // what was typed stays
    models->setCurrentIndex(2);
    QCOMPARE(m_form->modelText(), QStringLiteral("qwen2.5"));

    QCOMPARE(m_server.requests().size(), 1);
    QCOMPARE(m_server.requests().constFirst().path, QByteArrayLiteral("/v1/models"));
    QVERIFY(!m_server.requests().constFirst().hasHeader("Authorization"));
}

void TestEndpointForm::testConnectionSendsTheTypedKey()
{
    show();
    chooseEndpoint(m_server.baseUrl().toString(), QString(), QStringLiteral("sk-typed"));
    QVERIFY(!m_form->isValid()); // no model yet, but the connection can be tested
    m_server.enqueue(ScriptedResponse::modelList({QStringLiteral("gpt-4o-mini")}));
    QSignalSpy tested(m_form.get(), &EndpointForm::connectionTested);
    clickTest();
    QVERIFY(tested.wait(5000));
    QCOMPARE(child<MessageLabel>("testMessage")->text(), QStringLiteral("Connected. 1 model; choose one."));
    QCOMPARE(m_server.requests().constFirst().header("Authorization"), QByteArrayLiteral("Bearer sk-typed"));
}

void TestEndpointForm::wrongKeySaysSo()
{
    show();
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("gpt-4o"), QStringLiteral("sk-wrong"));
    m_server.enqueue(ScriptedResponse::jsonError(401, QStringLiteral("Incorrect API key provided: sk-wrong."),
                                                 QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key")));
    QSignalSpy tested(m_form.get(), &EndpointForm::connectionTested);
    clickTest();
    QVERIFY(tested.wait(5000));
    QCOMPARE(tested.constFirst().constFirst().toBool(), false);
    auto *message = child<MessageLabel>("testMessage");
    QVERIFY(message->isVisible());
    QVERIFY(message->isError());
    QCOMPARE(message->text(), QString(u"The model server at " + m_server.baseUrl().toString()
                                      + u" refused the API key (HTTP 401: Incorrect API key provided: sk-wrong.). Check the API key."));
    QCOMPARE(m_server.requests().constFirst().header("Authorization"), QByteArrayLiteral("Bearer sk-wrong"));
    QCOMPARE(child<QComboBox>("modelCombo")->count(), 0); // nothing listed
}

void TestEndpointForm::refusedPortSaysSo()
{
    show();
    const QUrl url = refusedUrl();
    chooseEndpoint(url.toString(), QStringLiteral("llama3.1"));
    QSignalSpy tested(m_form.get(), &EndpointForm::connectionTested);
    clickTest();
    QVERIFY(tested.wait(5000));
    auto *message = child<MessageLabel>("testMessage");
    QVERIFY(message->isError());
    QVERIFY2(message->text().startsWith(u"Could not connect to the model server at " + url.toString() + u" ("),
             qPrintable(message->text()));
    QVERIFY2(message->text().endsWith(u"Check that the server is running and that the base URL is right."), qPrintable(message->text()));
    QVERIFY(child<QPushButton>("testButton")->isEnabled()); // may be tried again
}

void TestEndpointForm::invalidUrl_data()
{
    QTest::addColumn<QString>("typed");
    QTest::newRow("ftp") << QStringLiteral("ftp://files.example/v1");
    QTest::newRow("no host") << QStringLiteral("http://");
    QTest::newRow("space in host") << QStringLiteral("http://my server/v1");
}

void TestEndpointForm::invalidUrl()
{
    QFETCH(QString, typed);
    show();
    chooseEndpoint(typed, QStringLiteral("llama3.1"));
    const auto expected = ProviderSettings::parseBaseUrl(typed);
    QVERIFY(!expected);
    auto *message = child<MessageLabel>("baseUrlMessage");
    QVERIFY(message->isVisible());
    QVERIFY(message->isError());
    QCOMPARE(message->text(), expected.error().message());
    QCOMPARE(child<QLineEdit>("baseUrlEdit")->accessibleDescription(), expected.error().message());
    QVERIFY(!m_form->isValid());
    QVERIFY(!child<QPushButton>("testButton")->isEnabled());
    const auto saved = m_form->save();
    QVERIFY(!saved);
    QCOMPARE(saved.error().code(), ErrorCode::InvalidInput);
    QVERIFY(ProviderSettings(m_settingsFile).savedBaseUrl().isEmpty());
}

void TestEndpointForm::emptyUrlIsGuidanceNotAnError()
{
    show();
    QTest::mouseClick(child<QRadioButton>("endpointRadio"), Qt::LeftButton);
    auto *message = child<MessageLabel>("baseUrlMessage");
    QVERIFY(message->isVisible());
    QVERIFY(!message->isError());
    QVERIFY(message->text().contains(u"http://127.0.0.1:11434/v1"));
    QVERIFY(child<MessageLabel>("modelMessage")->text().contains(u"Test Connection"));
    QVERIFY(!child<MessageLabel>("modelMessage")->isError());
}

void TestEndpointForm::completedUrlIsShown()
{
    show();
    chooseEndpoint(QStringLiteral("localhost:11434/v1/"), QStringLiteral("llama3.1"));
    auto *message = child<MessageLabel>("baseUrlMessage");
    QVERIFY(!message->isError());
    QCOMPARE(message->text(), QStringLiteral("Heliodesk will use http://localhost:11434/v1."));
    QVERIFY(m_form->isValid());
}

void TestEndpointForm::saveWritesProviderSettings()
{
    show();
    chooseEndpoint(QStringLiteral("http://127.0.0.1:11434/v1"), QStringLiteral("llama3.1"));
    QVERIFY(m_form->isModified());
    VERIFY_OK(m_form->save());
    QVERIFY(!m_form->isStoringKey()); // no key typed, nothing for the keychain
    QVERIFY(!m_form->isModified());
    const ProviderConfig config = ProviderSettings(m_settingsFile).load();
    QCOMPARE(config.baseUrl, QUrl(QStringLiteral("http://127.0.0.1:11434/v1")));
    QCOMPARE(config.model, QStringLiteral("llama3.1"));
    QVERIFY(!config.keyInKeychain);
}

void TestEndpointForm::saveOfflineClearsTheEndpoint()
{
    VERIFY_OK(ProviderSettings(m_settingsFile).saveEndpoint(QStringLiteral("http://127.0.0.1:11434/v1"), QStringLiteral("llama3.1")));
    show();
    QTest::mouseClick(child<QRadioButton>("offlineRadio"), Qt::LeftButton);
    QVERIFY(m_form->isModified());
    VERIFY_OK(m_form->save());
    QVERIFY(ProviderSettings(m_settingsFile).savedBaseUrl().isEmpty());
    QVERIFY(!ProviderSettings(m_settingsFile).load().usesEndpoint());
}

void TestEndpointForm::keyWithoutKeychainOffersTheSessionFallback()
{
    show();
    const QString secret = QStringLiteral("sk-session-only-4242");
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("gpt-4o"), secret);
    QSignalSpy finished(m_form.get(), &EndpointForm::keyStorageFinished);
    VERIFY_OK(m_form->save());
    QVERIFY(m_form->isStoringKey());
    QVERIFY(finished.wait(30'000));
    QCOMPARE(finished.constFirst().constFirst().toBool(), false);
    QVERIFY(!m_form->isStoringKey());

    auto *message = child<MessageLabel>("apiKeyMessage");
    QVERIFY(message->isError());
    QVERIFY2(message->text().contains(u"keep the key for this session only"), qPrintable(message->text()));
    auto *sessionButton = child<QPushButton>("sessionKeyButton");
    QVERIFY(sessionButton->isVisible());
    QVERIFY(ApiKeyStore::sessionKey(m_server.baseUrl()).isEmpty());
    // The endpoint is saved all the same; the key is nowhere on disk.
    QCOMPARE(ProviderSettings(m_settingsFile).load().baseUrl, m_server.baseUrl());
    QFile file(m_settingsFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(secret.toUtf8()));

    QTest::mouseClick(sessionButton, Qt::LeftButton);
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished.at(1).constFirst().toBool(), true);
    QCOMPARE(ApiKeyStore::sessionKey(m_server.baseUrl()), secret);
    QVERIFY(!sessionButton->isVisible());
    QVERIFY(!message->isError());
    QVERIFY(child<QLineEdit>("apiKeyEdit")->text().isEmpty());

    // Test Connection now uses the session's key.
    m_server.enqueue(ScriptedResponse::modelList({QStringLiteral("gpt-4o")}));
    QSignalSpy tested(m_form.get(), &EndpointForm::connectionTested);
    clickTest();
    QVERIFY(tested.wait(5000));
    QCOMPARE(m_server.requests().constLast().header("Authorization"), QByteArray("Bearer " + secret.toUtf8()));
}

void TestEndpointForm::formDestroyedDuringTest()
{
    show();
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("llama3.1"));
    m_server.enqueue(ScriptedResponse::modelList({QStringLiteral("llama3.1")}).withDelay(200ms));
    QSignalSpy requested(&m_server, &OpenAiTestServer::requestReceived);
    clickTest();
    QVERIFY(requested.wait(5000));
    m_form.reset(); // closed while the server is still answering
    QTest::qWait(400); // the answer arrives; the task must not touch the form
    QCOMPARE(m_server.requests().size(), 1);
}

void TestEndpointForm::editDuringTestDropsTheStaleResult()
{
    show();
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("llama3.1"));
    m_server.enqueue(ScriptedResponse::jsonError(401, QStringLiteral("Incorrect API key")).withDelay(150ms));
    QSignalSpy requested(&m_server, &OpenAiTestServer::requestReceived);
    clickTest();
    QVERIFY(requested.wait(5000));
    QTest::keyClicks(child<QLineEdit>("apiKeyEdit"), QStringLiteral("sk-new"));
    QTRY_VERIFY_WITH_TIMEOUT(!m_form->isTesting(), 5000);
    // The 401 was about the old (missing) key: it is not shown against the new one.
    QVERIFY(!child<MessageLabel>("testMessage")->isVisible());
    QVERIFY(child<QPushButton>("testButton")->isEnabled());
}

QTEST_MAIN(TestEndpointForm)
#include "tst_endpointform.moc"
