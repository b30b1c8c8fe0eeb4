// FirstRunDialog on a real, empty database: the first account, and the forms it must refuse.

#include "ui/firstrundialog.h"
#include "ui/messagelabel.h"

#include "support/testdatabase.h"

#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

class TestFirstRunDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void createsTheFirstAccountAsAdmin();
    void validation_data();
    void validation();
    void refusesMismatchedConfirmation();
    void refusesWeakPassword();
    void showsTheServiceErrorWhenCreationFails();

private:
    void show();
    void fill(const QString &username, const QString &displayName, const QString &password, const QString &confirm);
    template<typename T>
    T *child(const char *name) const;

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FirstRunDialog> m_dialog;
};

void TestFirstRunDialog::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_dialog = std::make_unique<FirstRunDialog>(m_db->accounts(), m_db->database()->location());
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

QTEST_MAIN(TestFirstRunDialog)
#include "tst_firstrundialog.moc"
