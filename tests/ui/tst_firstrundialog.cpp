// FirstRunDialog on a real, empty database: the first account, the forms it must refuse, and the
// choice of answers folded under the account fields (offline unless changed), written to a
// temporary settings file when the account is created.

#include "ui/endpointform.h"
#include "ui/firstrundialog.h"
#include "ui/messagelabel.h"

#include "model/agents/apikeystore.h"
#include "model/agents/providersettings.h"

#include "support/testdatabase.h"

#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace heliodesk;
using namespace heliodesk::test;

class TestFirstRunDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void createsTheFirstAccountAsAdmin();
    void validation_data();
    void validation();
    void refusesMismatchedConfirmation();
    void refusesWeakPassword();
    void showsTheServiceErrorWhenCreationFails();

    void answersAreOfflineAndFoldedByDefault();
    void createsTheAccountWithAnEndpoint();
    void invalidEndpointBlocksCreation();
    void savedEndpointIsShownAndKept();
    void keyWithoutKeychainLetsTheUserChoose();

private:
    void show();
    void fill(const QString &username, const QString &displayName, const QString &password, const QString &confirm);
    template<typename T>
    T *child(const char *name) const;

    void fillValidAccount();
    void chooseEndpoint(const QString &url, const QString &model, const QString &key = {});

    QTemporaryDir m_home;
    QString m_settingsFile;
    int m_fileCounter = 0;
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FirstRunDialog> m_dialog;
};

void TestFirstRunDialog::initTestCase()
{
    QVERIFY2(m_home.isValid(), qPrintable(m_home.errorString()));
    // No real keychain: anything its library writes lands here, and D-Bus points at nothing.
    for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(name, QFile::encodeName(m_home.filePath(QString::fromLatin1(name).toLower())));
    qputenv("HOME", QFile::encodeName(m_home.filePath(QStringLiteral("home"))));
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
    for (const char *name : {"HELIODESK_API_KEY", "HELIODESK_API_BASE", "HELIODESK_MODEL"})
        qunsetenv(name);
}

void TestFirstRunDialog::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_settingsFile = m_home.filePath(QStringLiteral("settings-%1.ini").arg(++m_fileCounter));
    m_dialog = std::make_unique<FirstRunDialog>(m_db->accounts(), m_db->database()->location(), m_settingsFile);
}

void TestFirstRunDialog::cleanup()
{
    m_dialog.reset();
    m_db.reset();
}

void TestFirstRunDialog::show()
{
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
}

template<typename T>
T *TestFirstRunDialog::child(const char *name) const
{
    auto *widget = m_dialog->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void TestFirstRunDialog::fill(const QString &username, const QString &displayName, const QString &password,
                              const QString &confirm)
{
    QTest::keyClicks(child<QLineEdit>("usernameEdit"), username);
    QTest::keyClicks(child<QLineEdit>("displayNameEdit"), displayName);
    QTest::keyClicks(child<QLineEdit>("passwordEdit"), password);
    QTest::keyClicks(child<QLineEdit>("confirmEdit"), confirm);
}

void TestFirstRunDialog::createsTheFirstAccountAsAdmin()
{
    show();
    auto *create = child<QPushButton>("createButton");
    QVERIFY(!create->isEnabled());

    fill(QStringLiteral(" Ana.Lima"), QStringLiteral("Ana Lima"), QStringLiteral("sunny inverter 42"),
         QStringLiteral("sunny inverter 42"));
    QVERIFY(create->isEnabled());
    QVERIFY(!child<MessageLabel>("usernameMessage")->isError());
    QVERIFY(!child<MessageLabel>("passwordMessage")->isVisible());
    QVERIFY(!child<MessageLabel>("confirmMessage")->isVisible());

    QTest::mouseClick(create, Qt::LeftButton);

    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QVERIFY(!m_dialog->isVisible());
    QVERIFY(m_dialog->createdUser().has_value());
    QCOMPARE(m_dialog->createdUser()->username, QStringLiteral("ana.lima"));
    QCOMPARE(m_dialog->createdUser()->displayName, QStringLiteral("Ana Lima"));
    QCOMPARE(nameOf(m_dialog->createdUser()->role), nameOf(Role::Admin));

    // It is really in the database, with the password typed.
    QCOMPARE(m_db->count(QStringLiteral("users")), 1);
    auto signedIn = m_db->accounts().signIn(QStringLiteral("ana.lima"), QStringLiteral("sunny inverter 42"));
    VERIFY_OK(signedIn);
    QCOMPARE(nameOf(signedIn->role), nameOf(Role::Admin));
}

void TestFirstRunDialog::validation_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("confirm");
    QTest::addColumn<QString>("problemField"); // the message that must show an error, or empty
    QTest::addColumn<QString>("problem");

    const QString good = QStringLiteral("a long passphrase");
    QTest::newRow("valid") << QStringLiteral("ben") << good << good << QString() << QString();
    QTest::newRow("username with space") << QStringLiteral("ben okafor") << good << good << QStringLiteral("usernameMessage")
                                         << AccountService::usernameProblem(QStringLiteral("ben okafor"));
    QTest::newRow("username starting with a dot") << QStringLiteral(".ben") << good << good << QStringLiteral("usernameMessage")
                                                   << AccountService::usernameProblem(QStringLiteral(".ben"));
    QTest::newRow("short password") << QStringLiteral("ben") << QStringLiteral("short") << QStringLiteral("short")
                                    << QStringLiteral("passwordMessage") << PasswordHasher::weaknessOf(QStringLiteral("short"));
    QTest::newRow("only spaces") << QStringLiteral("ben") << QStringLiteral("          ") << QStringLiteral("          ")
                                 << QStringLiteral("passwordMessage")
                                 << PasswordHasher::weaknessOf(QStringLiteral("          "));
    QTest::newRow("confirmation differs") << QStringLiteral("ben") << good << QStringLiteral("a long passphrasE")
                                          << QStringLiteral("confirmMessage") << QStringLiteral("The two passwords are not the same.");
}

void TestFirstRunDialog::validation()
{
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QString, confirm);
    QFETCH(QString, problemField);
    QFETCH(QString, problem);

    show();
    fill(username, QString(), password, confirm);
    QCOMPARE(child<QPushButton>("createButton")->isEnabled(), problemField.isEmpty());
    QCOMPARE(m_dialog->isFormValid(), problemField.isEmpty());
    for (const char *name : {"usernameMessage", "passwordMessage", "confirmMessage"}) {
        auto *message = child<MessageLabel>(name);
        if (problemField == QLatin1String(name)) {
            QVERIFY(!problem.isEmpty());
            QVERIFY2(message->isVisible(), name);
            QVERIFY2(message->isError(), name);
            QCOMPARE(message->text(), problem);
        } else {
            QVERIFY2(!message->isError(), name);
        }
    }
}

void TestFirstRunDialog::refusesMismatchedConfirmation()
{
    show();
    fill(QStringLiteral("ana"), QString(), QStringLiteral("sunny inverter 42"), QStringLiteral("sunny inverter 24"));
    auto *confirmMessage = child<MessageLabel>("confirmMessage");
    QVERIFY(confirmMessage->isVisible());
    QVERIFY(confirmMessage->isError());
    QCOMPARE(confirmMessage->text(), QStringLiteral("The two passwords are not the same."));
    auto *create = child<QPushButton>("createButton");
    QVERIFY(!create->isEnabled());

    // Neither a click nor Enter gets past it.
    QTest::mouseClick(create, Qt::LeftButton);
    QTest::keyClick(child<QLineEdit>("confirmEdit"), Qt::Key_Return);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(!m_dialog->createdUser());
    QCOMPARE(m_db->count(QStringLiteral("users")), 0);

    // Fixing the confirmation clears the message and allows the account.
    auto *confirmEdit = child<QLineEdit>("confirmEdit");
    confirmEdit->clear();
    QTest::keyClicks(confirmEdit, QStringLiteral("sunny inverter 42"));
    QVERIFY(!confirmMessage->isVisible());
    QVERIFY(create->isEnabled());
    QTest::keyClick(confirmEdit, Qt::Key_Return);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(m_db->count(QStringLiteral("users")), 1);
}

void TestFirstRunDialog::refusesWeakPassword()
{
    show();
    auto *passwordMessage = child<MessageLabel>("passwordMessage");
    // Before anything is typed, the rule is there as a hint, not as an error.
    QVERIFY(passwordMessage->isVisible());
    QVERIFY(!passwordMessage->isError());

    fill(QStringLiteral("ana"), QString(), QStringLiteral("abc"), QStringLiteral("abc"));
    QVERIFY(passwordMessage->isVisible());
    QVERIFY(passwordMessage->isError());
    QCOMPARE(passwordMessage->text(), PasswordHasher::weaknessOf(QStringLiteral("abc")));
    QVERIFY(passwordMessage->text().contains(u"at least"));
    QVERIFY(!child<QPushButton>("createButton")->isEnabled());

    QTest::keyClick(child<QLineEdit>("confirmEdit"), Qt::Key_Return);
    QVERIFY(m_dialog->isVisible());
    QCOMPARE(m_db->count(QStringLiteral("users")), 0);
}

void TestFirstRunDialog::showsTheServiceErrorWhenCreationFails()
{
    show();
    fill(QStringLiteral("ana"), QStringLiteral("Ana"), QStringLiteral("sunny inverter 42"), QStringLiteral("sunny inverter 42"));
    auto *errorMessage = child<MessageLabel>("errorMessage");
    QVERIFY(!errorMessage->isVisible());

    // Someone else set Heliodesk up while the dialog was open: the account may no longer be made anonymously.
    m_db->createAdmin(QStringLiteral("root"));
    NewUser same;
    same.username = QStringLiteral("ana");
    same.password = QStringLiteral("sunny inverter 42");
    auto expected = m_db->accounts().createUser(Actor::anonymous(), same);
    QVERIFY(!expected);

    QTest::mouseClick(child<QPushButton>("createButton"), Qt::LeftButton);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(!m_dialog->createdUser());
    QVERIFY(errorMessage->isVisible());
    QVERIFY(errorMessage->isError());
    QCOMPARE(errorMessage->text(), expected.error().message());
    QVERIFY(!errorMessage->text().isEmpty());
    QCOMPARE(m_db->count(QStringLiteral("users")), 1);
}

void TestFirstRunDialog::fillValidAccount()
{
    fill(QStringLiteral("ana"), QStringLiteral("Ana"), QStringLiteral("sunny inverter 42"), QStringLiteral("sunny inverter 42"));
}

void TestFirstRunDialog::chooseEndpoint(const QString &url, const QString &model, const QString &key)
{
    auto *toggle = child<QToolButton>("answersToggle");
    if (!toggle->isChecked())
        QTest::mouseClick(toggle, Qt::LeftButton);
    QTest::mouseClick(child<QRadioButton>("endpointRadio"), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>("baseUrlEdit"), url);
    QTest::keyClicks(child<QComboBox>("modelCombo")->lineEdit(), model);
    if (!key.isEmpty())
        QTest::keyClicks(child<QLineEdit>("apiKeyEdit"), key);
}

void TestFirstRunDialog::answersAreOfflineAndFoldedByDefault()
{
    show();
    auto *toggle = child<QToolButton>("answersToggle");
    auto *form = child<EndpointForm>("endpointForm");
    QVERIFY(toggle->isVisible());
    QVERIFY(!toggle->isChecked());
    QVERIFY(!form->isVisible());
    QCOMPARE(toggle->text(), QStringLiteral("Answers come from the offline knowledge base"));
    QCOMPARE(form->source(), EndpointForm::Source::Offline);

    // Unfolded by a click, folded again by another.
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(form->isVisible());
    QVERIFY(m_dialog->isAnswersSectionExpanded());
    QVERIFY(child<QRadioButton>("offlineRadio")->isChecked());
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(!form->isVisible());

    fillValidAccount();
    QTest::mouseClick(child<QPushButton>("createButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    // Offline, as it already was: nothing to write.
    QVERIFY(!QFile::exists(m_settingsFile));
    QVERIFY(!ProviderSettings(m_settingsFile).load().usesEndpoint());
}

void TestFirstRunDialog::createsTheAccountWithAnEndpoint()
{
    show();
    fillValidAccount();
    chooseEndpoint(QStringLiteral("localhost:11434/v1"), QStringLiteral("llama3.1"));
    QCOMPARE(child<QToolButton>("answersToggle")->text(), QStringLiteral("Answers come from llama3.1 on localhost:11434"));
    auto *create = child<QPushButton>("createButton");
    QVERIFY(create->isEnabled());
    QTest::mouseClick(create, Qt::LeftButton);

    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QVERIFY(m_dialog->createdUser().has_value());
    QCOMPARE(m_db->count(QStringLiteral("users")), 1);
    const ProviderConfig config = ProviderSettings(m_settingsFile).load();
    QCOMPARE(config.baseUrl, QUrl(QStringLiteral("http://localhost:11434/v1")));
    QCOMPARE(config.model, QStringLiteral("llama3.1"));
}

void TestFirstRunDialog::invalidEndpointBlocksCreation()
{
    show();
    fillValidAccount();
    auto *create = child<QPushButton>("createButton");
    QVERIFY(create->isEnabled());
    chooseEndpoint(QStringLiteral("ftp://files.example/v1"), QStringLiteral("llama3.1"));
    QVERIFY(child<MessageLabel>("baseUrlMessage")->isError());
    QVERIFY(!m_dialog->isFormValid());
    QVERIFY(!create->isEnabled());
    QTest::keyClick(child<QLineEdit>("confirmEdit"), Qt::Key_Return);
    QVERIFY(m_dialog->isVisible());
    QCOMPARE(m_db->count(QStringLiteral("users")), 0);

    // Going back to offline is enough.
    QTest::mouseClick(child<QRadioButton>("offlineRadio"), Qt::LeftButton);
    QVERIFY(create->isEnabled());
}

void TestFirstRunDialog::savedEndpointIsShownAndKept()
{
    // heliodeskctl set an endpoint before anyone opened the program.
    VERIFY_OK(ProviderSettings(m_settingsFile).saveEndpoint(QStringLiteral("http://10.0.0.5:8000/v1"), QStringLiteral("qwen2.5")));
    m_dialog = std::make_unique<FirstRunDialog>(m_db->accounts(), m_db->database()->location(), m_settingsFile);
    show();
    QCOMPARE(child<QToolButton>("answersToggle")->text(), QStringLiteral("Answers come from qwen2.5 on 10.0.0.5:8000"));
    QVERIFY(!m_dialog->isAnswersSectionExpanded()); // usable as it is
    fillValidAccount();
    QTest::mouseClick(child<QPushButton>("createButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(ProviderSettings(m_settingsFile).load().model, QStringLiteral("qwen2.5"));
}

void TestFirstRunDialog::keyWithoutKeychainLetsTheUserChoose()
{
    show();
    fillValidAccount();
    const QUrl url(QStringLiteral("https://api.example.com/v1"));
    const QString secret = QStringLiteral("sk-first-run-31");
    chooseEndpoint(url.toString(), QStringLiteral("gpt-4o-mini"), secret);
    QSignalSpy finished(child<EndpointForm>("endpointForm"), &EndpointForm::keyStorageFinished);
    auto *create = child<QPushButton>("createButton");
    QTest::mouseClick(create, Qt::LeftButton);

    // The account is made at once; the dialog waits for the keychain, which fails here.
    QCOMPARE(m_db->count(QStringLiteral("users")), 1);
    QVERIFY(m_dialog->createdUser().has_value());
    QVERIFY(m_dialog->isVisible());
    QVERIFY(finished.wait(30'000));
    QVERIFY(m_dialog->isVisible());
    QVERIFY(child<MessageLabel>("apiKeyMessage")->isError());
    QVERIFY(!child<QLineEdit>("usernameEdit")->isEnabled());
    QVERIFY(create->isEnabled());
    QCOMPARE(create->text(), QStringLiteral("&Continue"));
    QVERIFY(child<MessageLabel>("errorMessage")->text().contains(u"“ana” is created"));

    QTest::mouseClick(child<QPushButton>("sessionKeyButton"), Qt::LeftButton);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(ApiKeyStore::sessionKey(url), secret);
    QCOMPARE(ProviderSettings(m_settingsFile).load().baseUrl, url);
    QCOMPARE(m_db->count(QStringLiteral("users")), 1);
    ApiKeyStore::setSessionKey(url, {});
}

QTEST_MAIN(TestFirstRunDialog)
#include "tst_firstrundialog.moc"
