// SettingsDialog driven for real: an endpoint typed and tested against a local OpenAI-compatible
// server and saved to a temporary settings file, OK disabled by an invalid URL, the theme switched
// to dark and back on the running application, the text size, Cancel, and the keychain's failure
// with the session-only fallback (no keychain here; D-Bus points at a socket that does not exist).

#include "ui/appearance.h"
#include "ui/endpointform.h"
#include "ui/messagelabel.h"
#include "ui/settingsdialog.h"

#include "model/agents/apikeystore.h"
#include "model/agents/providersettings.h"

#include "support/openaitestserver.h"
#include "support/testprinters.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSlider>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStyle>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void opensWithWhatIsSaved();
    void testConnectionThenOkSavesTheEndpoint();
    void wrongKeyIsReported();
    void refusedPortIsReported();
    void invalidUrlDisablesOk();
    void themeSwitchesToDarkAndBack();
    void lightThemeIsCompleteAndLight();
    void textSizeChangesTheFont();
    void cancelWritesNothing();
    void applyOnlyWhenSomethingChanged();
    void keychainFailureKeepsTheDialogOpenUntilTheUserChooses();

private:
    void open();
    void chooseEndpoint(const QString &url, const QString &model, const QString &key = {});
    bool runTest();
    template<typename T>
    T *child(const char *name) const;

    QTemporaryDir m_home;
    QString m_settingsFile;
    OpenAiTestServer m_server;
    std::unique_ptr<SettingsDialog> m_dialog;
    int m_fileCounter = 0;
    QColor m_platformWindow;
    QFont m_platformFont;
    QString m_platformStyle;
};

void TestSettingsDialog::initTestCase()
{
    QVERIFY2(m_home.isValid(), qPrintable(m_home.errorString()));
    for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(name, QFile::encodeName(m_home.filePath(QString::fromLatin1(name).toLower())));
    qputenv("HOME", QFile::encodeName(m_home.filePath(QStringLiteral("home"))));
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
    for (const char *name : {"HELIODESK_API_KEY", "HELIODESK_API_BASE", "HELIODESK_MODEL"})
        qunsetenv(name);
    QVERIFY(m_server.listen());
    m_platformWindow = QApplication::palette().color(QPalette::Window);
    m_platformFont = QApplication::font();
    m_platformStyle = QApplication::style()->name();
    QVERIFY2(!isDark(QApplication::palette()), "the test expects the offscreen platform's light palette");
}

void TestSettingsDialog::init()
{
    m_server.reset();
    m_settingsFile = m_home.filePath(QStringLiteral("settings-%1.ini").arg(++m_fileCounter));
}

void TestSettingsDialog::cleanup()
{
    m_dialog.reset();
    applyAppearance(AppearanceSettings()); // every test starts with the platform's look
    ApiKeyStore::setSessionKey(m_server.baseUrl(), {});
    QCOMPARE(m_server.pendingResponses(), 0);
}

void TestSettingsDialog::open()
{
    m_dialog = std::make_unique<SettingsDialog>(m_settingsFile);
    m_dialog->endpointForm()->setTestTimeouts(2s, 2s);
    m_dialog->open();
    QVERIFY(m_dialog->isModal());
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
}

template<typename T>
T *TestSettingsDialog::child(const char *name) const
{
    auto *widget = m_dialog->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void TestSettingsDialog::chooseEndpoint(const QString &url, const QString &model, const QString &key)
{
    child<QTabWidget>("settingsTabs")->setCurrentIndex(0);
    QTest::mouseClick(child<QRadioButton>("endpointRadio"), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>("baseUrlEdit"), url);
    QTest::keyClicks(child<QComboBox>("modelCombo")->lineEdit(), model);
    if (!key.isEmpty())
        QTest::keyClicks(child<QLineEdit>("apiKeyEdit"), key);
}

bool TestSettingsDialog::runTest()
{
    QSignalSpy tested(m_dialog->endpointForm(), &EndpointForm::connectionTested);
    auto *button = child<QPushButton>("testButton");
    if (!button->isEnabled())
        return false;
    QTest::mouseClick(button, Qt::LeftButton);
    return tested.wait(5000);
}

void TestSettingsDialog::opensWithWhatIsSaved()
{
    VERIFY_OK(ProviderSettings(m_settingsFile).saveEndpoint(QStringLiteral("http://127.0.0.1:8080/v1"), QStringLiteral("qwen2.5")));
    AppearanceSettings saved;
    saved.theme = Theme::Dark;
    saved.textScalePercent = 125;
    QVERIFY(saved.save(m_settingsFile));
    open();
    QCOMPARE(child<QLineEdit>("baseUrlEdit")->text(), QStringLiteral("http://127.0.0.1:8080/v1"));
    QCOMPARE(child<QComboBox>("modelCombo")->currentText(), QStringLiteral("qwen2.5"));
    QCOMPARE(child<QComboBox>("themeCombo")->currentText(), QStringLiteral("Dark"));
    QCOMPARE(child<QSpinBox>("textScaleSpin")->value(), 125);
    QCOMPARE(m_dialog->chosenAppearance(), saved);
    // The preview shows the chosen look before it is applied.
    QVERIFY(isDark(child<QLabel>("appearancePreview")->palette()));
    QVERIFY(!isDark(QApplication::palette()));
    QVERIFY(!child<QPushButton>("applyButton")->isEnabled());
    QVERIFY(child<QPushButton>("okButton")->isEnabled());
}

void TestSettingsDialog::testConnectionThenOkSavesTheEndpoint()
{
    open();
    QSignalSpy changed(m_dialog.get(), &SettingsDialog::settingsChanged);
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("llama3.1"));
    m_server.enqueue(ScriptedResponse::modelList({QStringLiteral("llama3.1"), QStringLiteral("mistral")}));
    QVERIFY(runTest());
    auto *message = child<MessageLabel>("testMessage");
    QVERIFY(!message->isError());
    QCOMPARE(message->text(), QStringLiteral("Connected. 2 models; llama3.1 is one of them."));
    auto *models = child<QComboBox>("modelCombo");
    QCOMPARE(models->count(), 2);
    models->setCurrentIndex(models->findText(QStringLiteral("mistral")));

    QTest::mouseClick(child<QPushButton>("okButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QVERIFY(!m_dialog->isVisible());
    QCOMPARE(changed.size(), 1);
    const ProviderConfig config = ProviderSettings(m_settingsFile).load();
    QCOMPARE(config.baseUrl, m_server.baseUrl());
    QCOMPARE(config.model, QStringLiteral("mistral"));
}

void TestSettingsDialog::wrongKeyIsReported()
{
    open();
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("gpt-4o"), QStringLiteral("sk-wrong"));
    m_server.enqueue(ScriptedResponse::jsonError(401, QStringLiteral("Incorrect API key provided")));
    QVERIFY(runTest());
    auto *message = child<MessageLabel>("testMessage");
    QVERIFY(message->isError());
    QVERIFY2(message->text().contains(u"refused the API key (HTTP 401: Incorrect API key provided). Check the API key."),
             qPrintable(message->text()));
}

void TestSettingsDialog::refusedPortIsReported()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/v1").arg(closed.serverPort()));
    closed.close();
    open();
    chooseEndpoint(url.toString(), QStringLiteral("llama3.1"));
    QVERIFY(runTest());
    auto *message = child<MessageLabel>("testMessage");
    QVERIFY(message->isError());
    QVERIFY2(message->text().startsWith(u"Could not connect to the model server at " + url.toString()), qPrintable(message->text()));
}

void TestSettingsDialog::invalidUrlDisablesOk()
{
    open();
    chooseEndpoint(QStringLiteral("http://my server/v1"), QStringLiteral("llama3.1"));
    auto *message = child<MessageLabel>("baseUrlMessage");
    QVERIFY(message->isVisible());
    QVERIFY(message->isError());
    QCOMPARE(message->text(), ProviderSettings::parseBaseUrl(QStringLiteral("http://my server/v1")).error().message());
    auto *ok = child<QPushButton>("okButton");
    QVERIFY(!ok->isEnabled());
    QVERIFY(!child<QPushButton>("applyButton")->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QVERIFY(m_dialog->isVisible());

    // Mending the URL enables OK again.
    auto *edit = child<QLineEdit>("baseUrlEdit");
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("http://my-server/v1"));
    QVERIFY(!message->isError());
    QVERIFY(ok->isEnabled());
    QVERIFY(ProviderSettings(m_settingsFile).savedBaseUrl().isEmpty()); // nothing written before OK
}

void TestSettingsDialog::themeSwitchesToDarkAndBack()
{
    open();
    QSignalSpy changed(m_dialog.get(), &SettingsDialog::settingsChanged);
    child<QTabWidget>("settingsTabs")->setCurrentIndex(1);
    auto *theme = child<QComboBox>("themeCombo");
    theme->setCurrentIndex(theme->findData(int(Theme::Dark)));
    QVERIFY(!isDark(QApplication::palette())); // not before Apply
    auto *apply = child<QPushButton>("applyButton");
    QVERIFY(apply->isEnabled());
    QTest::mouseClick(apply, Qt::LeftButton);

    QVERIFY(isDark(QApplication::palette()));
    QCOMPARE(QApplication::palette().color(QPalette::Window), darkPalette().color(QPalette::Window));
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    QTRY_VERIFY(isDark(m_dialog->palette())); // the open dialog follows
    QCOMPARE(QSettings(m_settingsFile, QSettings::IniFormat).value(QStringLiteral("appearance/theme")).toString(),
             QStringLiteral("dark"));
    QCOMPARE(AppearanceSettings::load(m_settingsFile).theme, Theme::Dark);
    QVERIFY(!apply->isEnabled());
    QCOMPARE(changed.size(), 0); // the provider has nothing to rebuild for a theme

    theme->setCurrentIndex(theme->findData(int(Theme::System)));
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY(!isDark(QApplication::palette()));
    QCOMPARE(QApplication::palette().color(QPalette::Window), m_platformWindow);
    QCOMPARE(QApplication::style()->name(), m_platformStyle);
    QCOMPARE(AppearanceSettings::load(m_settingsFile).theme, Theme::System);
}

void TestSettingsDialog::lightThemeIsCompleteAndLight()
{
    const QPalette light = lightPalette();
    const QPalette dark = darkPalette();
    QVERIFY(!isDark(light));
    QVERIFY(isDark(dark));
    // Every role of every group is set, so nothing falls back to the platform's colours.
    for (const QPalette &palette : {light, dark}) {
        for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
            for (int role = 0; role < int(QPalette::NColorRoles); ++role) {
                if (role == int(QPalette::NoRole))
                    continue;
                QVERIFY2(palette.isBrushSet(group, QPalette::ColorRole(role)), qPrintable(QStringLiteral("group %1 role %2").arg(int(group)).arg(role)));
            }
        }
        QVERIFY(palette.color(QPalette::Disabled, QPalette::Text) != palette.color(QPalette::Active, QPalette::Text));
    }
    AppearanceSettings settings;
    settings.theme = Theme::Light;
    applyAppearance(settings);
    QCOMPARE(QApplication::palette().color(QPalette::Link), light.color(QPalette::Link));
    QCOMPARE(QApplication::palette().color(QPalette::PlaceholderText), light.color(QPalette::PlaceholderText));
    QCOMPARE(QApplication::palette().color(QPalette::Disabled, QPalette::WindowText), light.color(QPalette::Disabled, QPalette::WindowText));
}

void TestSettingsDialog::textSizeChangesTheFont()
{
    open();
    child<QTabWidget>("settingsTabs")->setCurrentIndex(1);
    auto *spin = child<QSpinBox>("textScaleSpin");
    auto *preview = child<QLabel>("appearancePreview");
    const qreal base = m_platformFont.pointSizeF();
    QVERIFY(base > 0);
    spin->setValue(150);
    QCOMPARE(child<QSlider>("textScaleSlider")->value(), 150);
    QCOMPARE(preview->font().pointSizeF(), base * 1.5);
    QCOMPARE(QApplication::font().pointSizeF(), base); // not before OK

    QTest::mouseClick(child<QPushButton>("okButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(QApplication::font().pointSizeF(), base * 1.5);
    QCOMPARE(AppearanceSettings::load(m_settingsFile).textScalePercent, 150);

    // Smaller, through the spin box's keyboard, and back to normal.
    open();
    child<QTabWidget>("settingsTabs")->setCurrentIndex(1);
    spin = child<QSpinBox>("textScaleSpin");
    QCOMPARE(spin->value(), 150);
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("80"));
    QCOMPARE(spin->value(), 80);
    QTest::mouseClick(child<QPushButton>("applyButton"), Qt::LeftButton);
    QCOMPARE(QApplication::font().pointSizeF(), base * 0.8);
    spin->setValue(100);
    QTest::mouseClick(child<QPushButton>("applyButton"), Qt::LeftButton);
    QCOMPARE(QApplication::font().pointSizeF(), base);
}

void TestSettingsDialog::cancelWritesNothing()
{
    open();
    QSignalSpy changed(m_dialog.get(), &SettingsDialog::settingsChanged);
    chooseEndpoint(QStringLiteral("http://127.0.0.1:11434/v1"), QStringLiteral("llama3.1"));
    auto *theme = child<QComboBox>("themeCombo");
    theme->setCurrentIndex(theme->findData(int(Theme::Dark)));
    QTest::mouseClick(child<QPushButton>("cancelButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Rejected));
    QCOMPARE(changed.size(), 0);
    QVERIFY(ProviderSettings(m_settingsFile).savedBaseUrl().isEmpty());
    QCOMPARE(AppearanceSettings::load(m_settingsFile).theme, Theme::System);
    QVERIFY(!isDark(QApplication::palette()));
}

void TestSettingsDialog::applyOnlyWhenSomethingChanged()
{
    open();
    auto *apply = child<QPushButton>("applyButton");
    QVERIFY(!apply->isEnabled());
    QTest::mouseClick(child<QRadioButton>("endpointRadio"), Qt::LeftButton);
    QVERIFY(!apply->isEnabled()); // changed, but not valid yet
    QTest::mouseClick(child<QRadioButton>("offlineRadio"), Qt::LeftButton);
    QVERIFY(!apply->isEnabled()); // back as it was
    QSignalSpy changed(m_dialog.get(), &SettingsDialog::settingsChanged);
    chooseEndpoint(QStringLiteral("http://127.0.0.1:11434/v1"), QStringLiteral("llama3.1"));
    QVERIFY(apply->isEnabled());
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(!apply->isEnabled());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(ProviderSettings(m_settingsFile).load().model, QStringLiteral("llama3.1"));
}

void TestSettingsDialog::keychainFailureKeepsTheDialogOpenUntilTheUserChooses()
{
    open();
    QSignalSpy changed(m_dialog.get(), &SettingsDialog::settingsChanged);
    const QString secret = QStringLiteral("sk-settings-dialog-77");
    chooseEndpoint(m_server.baseUrl().toString(), QStringLiteral("gpt-4o"), secret);
    QSignalSpy finished(m_dialog->endpointForm(), &EndpointForm::keyStorageFinished);
    QTest::mouseClick(child<QPushButton>("okButton"), Qt::LeftButton);
    QVERIFY(m_dialog->isVisible()); // waits for the keychain
    QVERIFY(!child<QPushButton>("okButton")->isEnabled());
    QVERIFY(finished.wait(30'000));
    QCOMPARE(finished.constFirst().constFirst().toBool(), false);
    QVERIFY(m_dialog->isVisible());
    QCOMPARE(changed.size(), 1); // the endpoint is written; a provider without the key may be built
    QVERIFY(child<MessageLabel>("apiKeyMessage")->isError());
    QVERIFY(child<QPushButton>("okButton")->isEnabled());

    QTest::mouseClick(child<QPushButton>("sessionKeyButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QVERIFY(!m_dialog->isVisible());
    QCOMPARE(changed.size(), 2);
    QCOMPARE(ApiKeyStore::sessionKey(m_server.baseUrl()), secret);
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
