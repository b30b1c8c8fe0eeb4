// The admin panel window: it opens for an active admin, and for anyone else shows only a refusal.

#include "ui/admin/adminpanel.h"

#include "support/testdatabase.h"

#include "ui/admin/agentstab.h"

#include "storage/agentstore.h"

#include <QAbstractButton>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

class TestAdminPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void opensForAnAdmin();
    void refusedForAnalyst_data();
    void refusedForAnalyst();
    void closingAsksAboutUnsavedAgentEdits_data();
    void closingAsksAboutUnsavedAgentEdits();

private:
    UserRecord user(const QString &name);
    std::unique_ptr<TestDatabase> m_db;
};

void TestAdminPanel::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
}

void TestAdminPanel::cleanup()
{
    m_db.reset();
}

UserRecord TestAdminPanel::user(const QString &name)
{
    auto found = m_db->accounts().findUser(Actor::system(QStringLiteral("test")), name);
    if (!found)
        qFatal("no user %s", qPrintable(name));
    return *found;
}

void TestAdminPanel::opensForAnAdmin()
{
    m_db->createAdmin();
    AdminPanel panel(m_db->database(), m_db->clock(), user(QStringLiteral("root")), nullptr);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.objectName(), QStringLiteral("adminPanel"));
    QVERIFY(panel.isAllowed());
    QVERIFY(panel.isWindow());
    QVERIFY(!panel.isModal());
    auto *tabs = panel.findChild<QTabWidget *>(QStringLiteral("adminTabs"));
    QVERIFY(tabs);
    QCOMPARE(tabs, panel.tabs());
    QVERIFY(!panel.findChild<QLabel *>(QStringLiteral("notAllowedMessage")));
    // Every tab of the issue, in its order.
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i)
        names << tabs->widget(i)->objectName();
    QCOMPARE(names, (QStringList{QStringLiteral("usersTab"), QStringLiteral("plansTab"), QStringLiteral("usageTab"),
                                 QStringLiteral("feedbackTab"), QStringLiteral("agentsTab"), QStringLiteral("auditTab"),
                                 QStringLiteral("healthTab")}));
    tabs->setCurrentWidget(panel.findChild<QWidget *>(QStringLiteral("healthTab")));
    panel.reload(); // every tab re-reads without trouble
}

void TestAdminPanel::closingAsksAboutUnsavedAgentEdits_data()
{
    QTest::addColumn<QMessageBox::StandardButton>("answer");
    QTest::addColumn<bool>("closed");
    QTest::addColumn<QString>("storedPrompt");
    QTest::newRow("save") << QMessageBox::Save << true << QStringLiteral("Check the inverter logs first.");
    QTest::newRow("discard") << QMessageBox::Discard << true << QString();
    QTest::newRow("cancel") << QMessageBox::Cancel << false << QString();
}

void TestAdminPanel::closingAsksAboutUnsavedAgentEdits()
{
    QFETCH(QMessageBox::StandardButton, answer);
    QFETCH(bool, closed);
    QFETCH(QString, storedPrompt);
    m_db->createAdmin();
    const QString before = AgentStore::find(m_db->connection(), QStringLiteral("om")).value()->systemPrompt;
    AdminPanel panel(m_db->database(), m_db->clock(), user(QStringLiteral("root")), nullptr);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *agents = panel.findChild<AgentsTab *>(QStringLiteral("agentsTab"));
    QVERIFY(agents);
    panel.tabs()->setCurrentWidget(agents);
    QVERIFY(agents->selectAgent(QStringLiteral("om")));
    auto *prompt = agents->findChild<QPlainTextEdit *>(QStringLiteral("systemPromptEdit"));
    prompt->selectAll();
    QTest::keyClicks(prompt, QStringLiteral("Check the inverter logs first."));
    // Another tab and back: the edit is still there.
    panel.tabs()->setCurrentIndex(0);
    panel.tabs()->setCurrentWidget(agents);
    QCOMPARE(prompt->toPlainText(), QStringLiteral("Check the inverter logs first."));

    QVERIFY(!panel.close()); // the question comes first
    QVERIFY(panel.isVisible());
    auto *box = panel.findChild<QMessageBox *>(QStringLiteral("unsavedAgentChangesBox"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY(box->text().contains(u"O&M"));
    QVERIFY(!panel.close()); // asking twice shows the same question
    QCOMPARE(panel.findChildren<QMessageBox *>().size(), 1);
    QTest::mouseClick(box->button(answer), Qt::LeftButton);
    QTRY_COMPARE(panel.isVisible(), !closed);
    const QString now = AgentStore::find(m_db->connection(), QStringLiteral("om")).value()->systemPrompt;
    QCOMPARE(now, storedPrompt.isEmpty() ? before : storedPrompt);
    QCOMPARE(agents->hasUnsavedChanges(), answer == QMessageBox::Cancel);
    if (answer == QMessageBox::Discard)
        QCOMPARE(prompt->toPlainText(), before);
    // With nothing unsaved any more, closing needs no question.
    if (answer != QMessageBox::Cancel) {
        panel.show();
        QVERIFY(panel.close());
    }
}

void TestAdminPanel::refusedForAnalyst_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("analyst") << QStringLiteral("analyst");
    QTest::newRow("demoted admin") << QStringLiteral("demoted");
    QTest::newRow("disabled admin") << QStringLiteral("disabled");
}

void TestAdminPanel::refusedForAnalyst()
{
    QFETCH(QString, kind);
    const Actor root = m_db->createAdmin();
    UserRecord who;
    if (kind == QStringLiteral("analyst")) {
        who = m_db->createAnalyst(QStringLiteral("ann"));
    } else {
        NewUser second;
        second.username = QStringLiteral("bob");
        second.password = QStringLiteral("a long enough password");
        second.role = Role::Admin;
        auto created = m_db->accounts().createUser(root, second);
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message()));
        who = *created; // the record the window is given still says "admin"…
        UserChanges changes;
        if (kind == QStringLiteral("demoted"))
            changes.role = Role::Analyst;
        else
            changes.status = UserStatus::Disabled;
        auto updated = m_db->accounts().updateUser(root, QStringLiteral("bob"), changes);
        QVERIFY2(updated, qPrintable(updated ? QString() : updated.error().message()));
        QCOMPARE(who.role, Role::Admin); // …but the database decides
    }

    AdminPanel panel(m_db->database(), m_db->clock(), who, nullptr);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(!panel.isAllowed());
    QVERIFY(!panel.tabs());
    QVERIFY(!panel.findChild<QTabWidget *>());
    auto *message = panel.findChild<QLabel *>(QStringLiteral("notAllowedMessage"));
    QVERIFY(message);
    QVERIFY2(message->text().startsWith(QStringLiteral("Not allowed")), qPrintable(message->text()));
    panel.reload(); // harmless
}

QTEST_MAIN(TestAdminPanel)
#include "tst_adminpanel.moc"
