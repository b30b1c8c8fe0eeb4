// MainWindow on a real database: the user, their usage this month, the agents and the database in use.

#include "ui/mainwindow.h"

#include "model/planservice.h"
#include "model/quotaservice.h"
#include "support/testdatabase.h"

#include <heliodesk/version.h>

#include <QAbstractButton>
#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTest>
#include <QTreeWidget>

using namespace heliodesk;
using namespace heliodesk::test;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void showsUserUsageAndDatabase();
    void showsAdministrator();
    void refreshShowsQueriesCountedSince();
    void newMonthStartsFromZero();
    void limitReached();
    void unlimitedPlan();
    void agentsOutsideThePlan();
    void aboutShowsTheVersion();
    void quitClosesTheWindow();

private:
    void reserve(const UserRecord &user, int queries);
    std::unique_ptr<MainWindow> makeWindow(const UserRecord &user);
    template<typename T>
    static T *child(const QWidget *window, const char *name);
    static QString text(const QWidget *window, const char *name) { return child<QLabel>(window, name)->text(); }

    std::unique_ptr<TestDatabase> m_db;
};

void TestMainWindow::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
}

void TestMainWindow::cleanup()
{
    m_db.reset();
}

template<typename T>
T *TestMainWindow::child(const QWidget *window, const char *name)
{
    auto *widget = window->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void TestMainWindow::reserve(const UserRecord &user, int queries)
{
    QuotaService quota(m_db->database(), m_db->clock());
    for (int i = 0; i < queries; ++i) {
        auto reserved = quota.reserve(Actor::user(user), QStringLiteral("news"));
        if (!reserved)
            qFatal("reserve failed: %s", qPrintable(reserved.error().toLogString()));
    }
}

std::unique_ptr<MainWindow> TestMainWindow::makeWindow(const UserRecord &user)
{
    auto window = std::make_unique<MainWindow>(m_db->database(), m_db->clock(), user);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        qFatal("main window not exposed");
    return window;
}

void TestMainWindow::showsUserUsageAndDatabase()
{
    const Actor root = m_db->createAdmin(QStringLiteral("root"));
    const UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"));
    NewUser request;
    request.username = QStringLiteral("carla.reyes");
    request.displayName = QStringLiteral("Carla Reyes");
    request.password = QStringLiteral("analyst password");
    auto carla = m_db->accounts().createUser(root, request);
    VERIFY_OK(carla);
    reserve(*carla, 7);
    reserve(ben, 2); // someone else's queries do not count

    auto window = makeWindow(*carla);
    QCOMPARE(window->windowTitle(), QStringLiteral("Heliodesk"));
    QCOMPARE(text(window.get(), "displayNameLabel"), QStringLiteral("Carla Reyes"));
    QVERIFY(text(window.get(), "userDetailsLabel").contains(u"carla.reyes"));
    QVERIFY(text(window.get(), "userDetailsLabel").contains(u"Analyst"));
    QCOMPARE(text(window.get(), "planLabel"), QStringLiteral("Standard"));
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 7 of 300 queries this month"));
    auto *bar = child<QProgressBar>(window.get(), "usageBar");
    QVERIFY(bar->isVisible());
    QCOMPARE(bar->value(), 7);
    QCOMPARE(bar->maximum(), 300);

    const QString path = QDir::toNativeSeparators(m_db->path());
    QCOMPARE(text(window.get(), "databaseLabel"), path);
    auto *status = child<QLabel>(window.get(), "statusDatabaseLabel");
    QVERIFY(window->statusBar()->isAncestorOf(status));
    QVERIFY(status->isVisible());
    QVERIFY2(status->text().contains(path), qPrintable(status->text()));

    // The agents come from the database: the four the schema installs.
    auto *agents = child<QTreeWidget>(window.get(), "agentList");
    QCOMPARE(agents->topLevelItemCount(), 4);
    QStringList names;
    for (int i = 0; i < agents->topLevelItemCount(); ++i)
        names << agents->topLevelItem(i)->text(0);
    QCOMPARE(names, (QStringList{QStringLiteral("News"), QStringLiteral("O&M"), QStringLiteral("Market Intelligence"),
                                 QStringLiteral("Digitalization")}));
    QCOMPARE(agents->topLevelItem(0)->text(1), QStringLiteral("In your plan"));
    QVERIFY(!child<QWidget>(window.get(), "problemMessage")->isVisible());
}

void TestMainWindow::showsAdministrator()
{
    const Actor root = m_db->createAdmin(QStringLiteral("root"));
    auto user = m_db->accounts().findUser(root, QStringLiteral("root"));
    QVERIFY(user);
    auto window = makeWindow(*user);
    QCOMPARE(text(window.get(), "displayNameLabel"), QStringLiteral("root"));
    QVERIFY(text(window.get(), "userDetailsLabel").contains(u"Administrator"));
}

void TestMainWindow::refreshShowsQueriesCountedSince()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"));
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 300 queries this month"));

    reserve(ben, 3);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 300 queries this month"));
    auto *refresh = child<QAction>(window.get(), "refreshAction");
    QCOMPARE(refresh->shortcut(), QKeySequence(QKeySequence::Refresh));
    refresh->trigger();
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 3 of 300 queries this month"));
    QCOMPARE(child<QProgressBar>(window.get(), "usageBar")->value(), 3);
}

void TestMainWindow::newMonthStartsFromZero()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"));
    reserve(ben, 5);
    m_db->clock()->set(QDateTime(QDate(2026, 12, 1), QTime(0, 0, 1), Qt::UTC));
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 300 queries this month"));
}

void TestMainWindow::limitReached()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"), 4);
    reserve(ben, 4);
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 4 of 4 queries this month — the limit is reached"));
    QCOMPARE(text(window.get(), "planLabel"), QStringLiteral("Standard, with a limit of your own"));
    QCOMPARE(child<QProgressBar>(window.get(), "usageBar")->value(), 4);
}

void TestMainWindow::unlimitedPlan()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"), std::nullopt, QStringLiteral("Unlimited"));
    reserve(ben, 2);
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "planLabel"), QStringLiteral("Unlimited"));
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Unlimited: used 2 queries this month"));
    QVERIFY(!child<QProgressBar>(window.get(), "usageBar")->isVisible());
    QVERIFY(!child<QLabel>(window.get(), "resetLabel")->isVisible());
}

void TestMainWindow::agentsOutsideThePlan()
{
    const Actor root = m_db->createAdmin(QStringLiteral("root"));
    PlanService plans(m_db->database(), m_db->clock());
    auto plan = plans.addPlan(root, QStringLiteral("Field Team"), 50, {QStringLiteral("news"), QStringLiteral("om")});
    VERIFY_OK(plan);
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"), std::nullopt, QStringLiteral("Field Team"));
    auto hired = plans.hireAgents(Actor::user(ben), QStringLiteral("ben"), {QStringLiteral("news")});
    VERIFY_OK(hired);

    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "planLabel"), QStringLiteral("Field Team"));
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 50 queries this month"));
    auto *agents = child<QTreeWidget>(window.get(), "agentList");
    QHash<QString, QString> access;
    for (int i = 0; i < agents->topLevelItemCount(); ++i)
        access.insert(agents->topLevelItem(i)->data(0, Qt::UserRole).toString(), agents->topLevelItem(i)->text(1));
    QCOMPARE(access.value(QStringLiteral("news")), QStringLiteral("Hired"));
    QCOMPARE(access.value(QStringLiteral("om")), QStringLiteral("In your plan"));
    QCOMPARE(access.value(QStringLiteral("market")), QStringLiteral("Not in your plan"));
    QCOMPARE(access.value(QStringLiteral("digitalization")), QStringLiteral("Not in your plan"));
}

void TestMainWindow::aboutShowsTheVersion()
{
    auto window = makeWindow(m_db->createAnalyst(QStringLiteral("ben")));
    QVERIFY(!window->findChild<QMessageBox *>());
    child<QAction>(window.get(), "aboutAction")->trigger();
    auto *box = window->findChild<QMessageBox *>(QStringLiteral("aboutBox"));
    QVERIFY(box);
    QVERIFY(QTest::qWaitForWindowExposed(box));
    QVERIFY2(box->text().contains(QStringLiteral("Heliodesk " HELIODESK_VERSION)), qPrintable(box->text()));
    // It does not block: the test goes on while it is open, and it goes away when closed.
    QPointer<QMessageBox> guard(box);
    box->button(QMessageBox::Ok)->click();
    QTRY_VERIFY(guard.isNull());
}

void TestMainWindow::quitClosesTheWindow()
{
    auto window = makeWindow(m_db->createAnalyst(QStringLiteral("ben")));
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    auto *quit = child<QAction>(window.get(), "quitAction");
    const QList<QKeySequence> platformKeys = QKeySequence::keyBindings(QKeySequence::Quit);
    QCOMPARE(quit->shortcuts(), platformKeys.isEmpty() ? QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_Q)} : platformKeys);
    QVERIFY(window->isVisible());
    QTest::keySequence(window.get(), quit->shortcut());
    QVERIFY(!window->isVisible());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
