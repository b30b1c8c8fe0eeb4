// MainWindow on a real database: the user, their usage this month, the agents and the database in use.

#include "ui/composer.h"
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
#include <QPushButton>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTest>
#include <QToolButton>

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
    // An analyst has no admin entry at all.
    QVERIFY(!window->findChild<QAction *>(QStringLiteral("adminAction")));
    QCOMPARE(text(window.get(), "displayNameLabel"), QStringLiteral("Carla Reyes"));
    QCOMPARE(text(window.get(), "userDetailsLabel"), QStringLiteral("Analyst · Standard plan"));
    QVERIFY(child<QLabel>(window.get(), "userDetailsLabel")->toolTip().contains(u"carla.reyes"));
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 7 of 300 questions this month"));
    auto *bar = child<QProgressBar>(window.get(), "usageBar");
    QVERIFY(window->statusBar()->isAncestorOf(bar));
    QVERIFY(bar->isVisible());
    QCOMPARE(bar->value(), 7);
    QCOMPARE(bar->maximum(), 300);
    // With no endpoint set up, answers come from the offline knowledge base, and the status bar says so.
    QCOMPARE(text(window.get(), "sourceLabel"), QStringLiteral("Answers: Offline knowledge base"));

    const QString path = QDir::toNativeSeparators(m_db->path());
    auto *status = child<QLabel>(window.get(), "statusDatabaseLabel");
    QVERIFY(window->statusBar()->isAncestorOf(status));
    QVERIFY(status->isVisible());
    QVERIFY2(status->text().contains(path), qPrintable(status->text()));

    // Nobody hired yet: the agent bar offers the gallery, and the composer says why it waits.
    QVERIFY(window->findChildren<QToolButton *>(QRegularExpression(QStringLiteral("^agentButton_"))).isEmpty());
    QCOMPARE(child<QPushButton>(window.get(), "hireButton")->text(), QStringLiteral("Hire Agents to Start…"));
    QVERIFY(child<Composer>(window.get(), "composer")->blockedReason().contains(QStringLiteral("Hire one")));
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
    // The admin panel is theirs to open.
    auto *admin = child<QAction>(window.get(), "adminAction");
    admin->trigger();
    QWidget *panel = nullptr;
    QTRY_VERIFY((panel = window->findChild<QWidget *>(QStringLiteral("adminPanel"))) && panel->isVisible());
}

void TestMainWindow::refreshShowsQueriesCountedSince()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"));
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 300 questions this month"));

    reserve(ben, 3); // e.g. heliodeskctl ask, in another process
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 300 questions this month"));
    auto *refresh = child<QAction>(window.get(), "refreshAction");
    QCOMPARE(refresh->shortcut(), QKeySequence(QKeySequence::Refresh));
    refresh->trigger();
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 3 of 300 questions this month"));
    QCOMPARE(child<QProgressBar>(window.get(), "usageBar")->value(), 3);
}

void TestMainWindow::newMonthStartsFromZero()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"));
    reserve(ben, 5);
    m_db->clock()->set(QDateTime(QDate(2026, 12, 1), QTime(0, 0, 1), Qt::UTC));
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 300 questions this month"));
}

void TestMainWindow::limitReached()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"), 4);
    PlanService plans(m_db->database(), m_db->clock());
    VERIFY_OK(plans.hireAgents(Actor::user(ben), QStringLiteral("ben"), {QStringLiteral("news")}));
    reserve(ben, 4);
    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 4 of 4 questions this month"));
    QCOMPARE(child<QProgressBar>(window.get(), "usageBar")->value(), 4);
    auto *composer = child<Composer>(window.get(), "composer");
    QVERIFY2(composer->blockedReason().startsWith(QStringLiteral("You have used all 4 questions of this month.")),
             qPrintable(composer->blockedReason()));
    QVERIFY(composer->blockedReason().contains(QStringLiteral("an administrator can raise your limit")));
    QVERIFY(child<QLabel>(window.get(), "composerReason")->isVisible());
}

void TestMainWindow::unlimitedPlan()
{
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"), std::nullopt, QStringLiteral("Unlimited"));
    reserve(ben, 2);
    auto window = makeWindow(ben);
    QVERIFY(text(window.get(), "userDetailsLabel").contains(QStringLiteral("Unlimited plan")));
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 2 questions this month (no limit)"));
    QVERIFY(!child<QProgressBar>(window.get(), "usageBar")->isVisible());
}

void TestMainWindow::agentsOutsideThePlan()
{
    const Actor root = m_db->createAdmin(QStringLiteral("root"));
    PlanService plans(m_db->database(), m_db->clock());
    auto plan = plans.addPlan(root, QStringLiteral("Field Team"), 50, {QStringLiteral("news"), QStringLiteral("om")});
    VERIFY_OK(plan);
    UserRecord ben = m_db->createAnalyst(QStringLiteral("ben"), std::nullopt, QStringLiteral("Field Team"));
    VERIFY_OK(plans.hireAgents(Actor::user(ben), QStringLiteral("ben"), {QStringLiteral("news"), QStringLiteral("om")}));
    // The plan loses O&M after it was hired.
    PlanChanges changes;
    changes.agentIds = QStringList{QStringLiteral("news")};
    VERIFY_OK(plans.updatePlan(root, QStringLiteral("Field Team"), changes));

    auto window = makeWindow(ben);
    QCOMPARE(text(window.get(), "usageLabel"), QStringLiteral("Used 0 of 50 questions this month"));
    auto *news = child<QToolButton>(window.get(), "agentButton_news");
    auto *om = child<QToolButton>(window.get(), "agentButton_om");
    QCOMPARE(news->text(), QStringLiteral("News"));
    QVERIFY(news->isEnabled());
    QVERIFY(news->isChecked()); // the new chat is with the first usable agent
    QVERIFY(!om->isEnabled());
    QVERIFY(om->toolTip().contains(QStringLiteral("your plan does not include it")));
    QCOMPARE(window->selectedAgentId(), QStringLiteral("news"));
    QCOMPARE(child<QPushButton>(window.get(), "hireButton")->text(), QStringLiteral("Hire Agents…"));
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
