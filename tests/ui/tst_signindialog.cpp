// SignInDialog against a real database: what a person sees for a wrong password, a lockout and a disabled account.

#include "ui/messagelabel.h"
#include "ui/signindialog.h"

#include "support/testdatabase.h"

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

const QString analystPassword = QStringLiteral("analyst password"); // what TestDatabase::createAnalyst sets
const QString wrongMessage = QStringLiteral("Wrong username or password.");

} // namespace

class TestSignInDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void buttonNeedsBothFields();
    void signsIn();
    void wrongPasswordKeepsUsernameAndClearsPassword();
    void unknownUserGetsTheSameAnswer();
    void locksOutAfterFiveFailures();
    void disabledAccountIsTold();
    void setUsernameMovesFocusToPassword();

private:
    void show();
    void attempt(const QString &username, const QString &password);
    template<typename T>
    T *child(const char *name) const;

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<SignInDialog> m_dialog;
};

void TestSignInDialog::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_db->createAnalyst(QStringLiteral("ben"));
    m_dialog = std::make_unique<SignInDialog>(m_db->accounts(), m_db->database()->location());
}

void TestSignInDialog::cleanup()
{
    m_dialog.reset();
    m_db.reset();
}

void TestSignInDialog::show()
{
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowActive(m_dialog.get()));
}

template<typename T>
T *TestSignInDialog::child(const char *name) const
{
    auto *widget = m_dialog->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

/// Types into the fields as a person would and presses Enter in the password field.
void TestSignInDialog::attempt(const QString &username, const QString &password)
{
    auto *usernameEdit = child<QLineEdit>("usernameEdit");
    if (usernameEdit->text() != username) {
        usernameEdit->clear();
        QTest::keyClicks(usernameEdit, username);
    }
    auto *passwordEdit = child<QLineEdit>("passwordEdit");
    QTest::keyClicks(passwordEdit, password);
    QTest::keyClick(passwordEdit, Qt::Key_Return);
}

void TestSignInDialog::buttonNeedsBothFields()
{
    show();
    auto *button = child<QPushButton>("signInButton");
    QVERIFY(!button->isEnabled());
    QTest::keyClicks(child<QLineEdit>("usernameEdit"), QStringLiteral("ben"));
    QVERIFY(!button->isEnabled());
    QTest::keyClicks(child<QLineEdit>("passwordEdit"), QStringLiteral("x"));
    QVERIFY(button->isEnabled());
    QTest::keyClick(child<QLineEdit>("passwordEdit"), Qt::Key_Backspace);
    QVERIFY(!button->isEnabled());
}

void TestSignInDialog::signsIn()
{
    show();
    QTest::keyClicks(child<QLineEdit>("usernameEdit"), QStringLiteral("Ben"));
    QTest::keyClicks(child<QLineEdit>("passwordEdit"), analystPassword);
    QTest::mouseClick(child<QPushButton>("signInButton"), Qt::LeftButton);

    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QVERIFY(!m_dialog->isVisible());
    QVERIFY(m_dialog->signedInUser().has_value());
    QCOMPARE(m_dialog->signedInUser()->username, QStringLiteral("ben"));
    QVERIFY(m_dialog->signedInUser()->lastSignInAtMs.has_value());
    QVERIFY(!child<MessageLabel>("errorMessage")->isVisible());
}

void TestSignInDialog::wrongPasswordKeepsUsernameAndClearsPassword()
{
    show();
    auto *errorMessage = child<MessageLabel>("errorMessage");
    QVERIFY(!errorMessage->isVisible());

    attempt(QStringLiteral("ben"), QStringLiteral("not the password"));

    QVERIFY(m_dialog->isVisible());
    QVERIFY(!m_dialog->signedInUser());
    QVERIFY(errorMessage->isVisible());
    QVERIFY(errorMessage->isError());
    QCOMPARE(errorMessage->text(), wrongMessage);
    QCOMPARE(child<QLineEdit>("usernameEdit")->text(), QStringLiteral("ben"));
    QVERIFY(child<QLineEdit>("passwordEdit")->text().isEmpty());
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>("passwordEdit"));

    // The next try with the right password gets in and clears the message.
    attempt(QStringLiteral("ben"), analystPassword);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(m_dialog->signedInUser()->username, QStringLiteral("ben"));
}

void TestSignInDialog::unknownUserGetsTheSameAnswer()
{
    show();
    attempt(QStringLiteral("nobody"), analystPassword);
    QVERIFY(m_dialog->isVisible());
    QCOMPARE(child<MessageLabel>("errorMessage")->text(), wrongMessage);
}

void TestSignInDialog::locksOutAfterFiveFailures()
{
    show();
    auto *errorMessage = child<MessageLabel>("errorMessage");
    for (int i = 1; i <= 4; ++i) {
        attempt(QStringLiteral("ben"), QStringLiteral("guess %1").arg(i));
        QCOMPARE(errorMessage->text(), wrongMessage);
    }
    attempt(QStringLiteral("ben"), QStringLiteral("guess 5"));
    QVERIFY(errorMessage->isVisible());
    QVERIFY2(errorMessage->text().startsWith(u"Too many failed sign-in attempts"), qPrintable(errorMessage->text()));
    QVERIFY(errorMessage->text().contains(u"15 more minute"));

    // Locked means locked: the right password is refused with the same explanation.
    attempt(QStringLiteral("ben"), analystPassword);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(!m_dialog->signedInUser());
    QVERIFY(errorMessage->text().startsWith(u"Too many failed sign-in attempts"));
    QCOMPARE(child<QLineEdit>("usernameEdit")->text(), QStringLiteral("ben"));
    QVERIFY(child<QLineEdit>("passwordEdit")->text().isEmpty());

    // Once the lock has run out, the right password works again.
    m_db->clock()->advance(std::chrono::minutes(16));
    attempt(QStringLiteral("ben"), analystPassword);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(m_dialog->signedInUser()->username, QStringLiteral("ben"));
}

void TestSignInDialog::disabledAccountIsTold()
{
    const Actor admin = Actor::user(*m_db->accounts().findUser(Actor::system(QStringLiteral("test")), QStringLiteral("root")));
    UserChanges disable;
    disable.status = UserStatus::Disabled;
    auto updated = m_db->accounts().updateUser(admin, QStringLiteral("ben"), disable);
    VERIFY_OK(updated);

    show();
    attempt(QStringLiteral("ben"), analystPassword);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(!m_dialog->signedInUser());
    QCOMPARE(child<MessageLabel>("errorMessage")->text(),
             QStringLiteral("This account is disabled. Ask an administrator to enable it."));
}

void TestSignInDialog::setUsernameMovesFocusToPassword()
{
    m_dialog->setUsername(QStringLiteral("ben"));
    show();
    QCOMPARE(child<QLineEdit>("usernameEdit")->text(), QStringLiteral("ben"));
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>("passwordEdit"));
    QTest::keyClicks(QApplication::focusWidget(), analystPassword);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
}

QTEST_MAIN(TestSignInDialog)
#include "tst_signindialog.moc"
