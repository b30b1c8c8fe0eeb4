// The admin panel's Users tab, driven with the mouse and keyboard on a real database: the table
// (sorting, filtering), adding and editing users, disabling, resetting passwords and this month's
// count, and deleting with the typed confirmation — refused for oneself and the last admin, a
// streaming user's answers cancelled first, and a user with 100,000 messages deleted while the
// event loop keeps turning.

#include "support/scriptedprovider.h"
#include "support/testdatabase.h"

#include "ui/admin/deleteuserdialog.h"
#include "ui/admin/resetcountdialog.h"
#include "ui/admin/resetpassworddialog.h"
#include "ui/admin/usereditdialog.h"
#include "ui/admin/userstab.h"
#include "ui/messagelabel.h"

#include "model/admin/usertablemodel.h"
#include "model/chat/chatservice.h"
#include "model/planservice.h"
#include "model/quotaservice.h"
#include "storage/conversationstore.h"
#include "storage/hiringstore.h"
#include "storage/sql.h"
#include "storage/userstore.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

template<typename T>
T *need(const QObject *parent, const QString &name)
{
    T *found = parent->findChild<T *>(name);
    if (!found)
        qFatal("no child called %s", qPrintable(name));
    return found;
}

/// The dialog of type T the tab has open (the last one made).
template<typename T>
T *openDialog(const QWidget *tab)
{
    const QList<T *> dialogs = tab->findChildren<T *>();
    for (auto it = dialogs.rbegin(); it != dialogs.rend(); ++it)
        if ((*it)->isVisible())
            return *it;
    return nullptr;
}

void click(QWidget *widget)
{
    QVERIFY2(widget->isEnabled(), qPrintable(widget->objectName() + u" is disabled"));
    QTest::mouseClick(widget, Qt::LeftButton);
}

/// A radio button takes clicks on its circle and label only, so click the circle.
void clickRadio(QRadioButton *radio)
{
    QVERIFY(radio->isEnabled());
    QTest::mouseClick(radio, Qt::LeftButton, {}, QPoint(radio->height() / 2, radio->height() / 2));
    QVERIFY(radio->isChecked());
}

void typeInto(QLineEdit *edit, const QString &text)
{
    edit->clear();
    QTest::keyClicks(edit, text);
}

QString auditDetails(const TestDatabase &t, const QString &action, const QString &target)
{
    auto value = scalar(t.connection(),
                        QStringLiteral("SELECT details FROM audit_log WHERE action = ? AND target_name = ? ORDER BY id DESC LIMIT 1"),
                        {action, target});
    return value && !value->isNull() ? value->toString() : QString();
}

} // namespace

class TestUsersTab : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;
    std::unique_ptr<TestDatabase> m_db;
    Actor m_root;
    UserRecord m_bob;
    std::unique_ptr<UsersTab> m_tab;

    void makeTab(const Actor &admin, ChatService *chat = nullptr)
    {
        m_tab = std::make_unique<UsersTab>(m_db->database(), m_db->clock(), admin, chat);
        m_tab->resize(1000, 600);
        m_tab->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_tab.get()));
    }
    QTableView *table() const { return need<QTableView>(m_tab.get(), QStringLiteral("usersTable")); }
    QPushButton *button(const char *name) const { return need<QPushButton>(m_tab.get(), QString::fromLatin1(name)); }
    MessageLabel *message() const { return need<MessageLabel>(m_tab.get(), QStringLiteral("usersMessage")); }
    /// Clicks the row of `username` in the table.
    void clickRow(const QString &username)
    {
        const QAbstractItemModel *shown = table()->model();
        for (int row = 0; row < shown->rowCount(); ++row) {
            const QModelIndex index = shown->index(row, UserTableModel::NameColumn);
            if (index.data().toString() == username) {
                table()->scrollTo(index);
                QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, table()->visualRect(index).center());
                QCOMPARE(m_tab->selectedUser().value_or(UserRecord()).username, username);
                return;
            }
        }
        QFAIL(qPrintable(u"no row for " + username));
    }
    UserRecord userInDb(const QString &name) const
    {
        return UserStore::findByName(m_db->connection(), name).value().value_or(UserRecord());
    }
    /// Opens the delete dialog for `username`, types the confirmation and clicks Delete.
    DeleteUserDialog *deleteThroughDialog(const QString &username)
    {
        clickRow(username);
        click(button("deleteUserButton"));
        auto *dialog = openDialog<DeleteUserDialog>(m_tab.get());
        if (!dialog)
            return nullptr;
        typeInto(need<QLineEdit>(dialog, QStringLiteral("deleteConfirmEdit")), username);
        QTest::mouseClick(need<QPushButton>(dialog, QStringLiteral("deleteConfirmButton")), Qt::LeftButton);
        return dialog;
    }

private Q_SLOTS:
    void init()
    {
        m_baseline = Database::openConnectionCount();
        m_db = std::make_unique<TestDatabase>();
        m_root = m_db->createAdmin();
        m_bob = m_db->createAnalyst(QStringLiteral("bob"), 5);
        m_db->createAnalyst(QStringLiteral("carl"));
    }

    void cleanup()
    {
        m_tab.reset();
        m_db.reset();
        QTRY_COMPARE(Database::openConnectionCount(), m_baseline);
    }

    void tableSortsAndFilters()
    {
        QuotaService quotas(m_db->database(), m_db->clock());
        for (int i = 0; i < 3; ++i)
            VERIFY_OK(quotas.reserve(Actor::user(m_bob), QStringLiteral("om")));
        makeTab(m_root);
        QCOMPARE(table()->model()->rowCount(), 3);
        QCOMPARE(table()->model()->index(0, 0).data().toString(), QStringLiteral("bob"));

        // Used this month, by the raw count: click the header twice for descending.
        const QHeaderView *header = table()->horizontalHeader();
        const int x = header->sectionViewportPosition(UserTableModel::UsageColumn) + header->sectionSize(UserTableModel::UsageColumn) / 2;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
        if (header->sortIndicatorOrder() != Qt::DescendingOrder)
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
        QCOMPARE(header->sortIndicatorSection(), int(UserTableModel::UsageColumn));
        QCOMPARE(table()->model()->index(0, 0).data().toString(), QStringLiteral("bob"));
        QCOMPARE(table()->model()->index(0, UserTableModel::UsageColumn).data().toString(), QStringLiteral("3 / 5 (own limit)"));

        auto *filter = need<QLineEdit>(m_tab.get(), QStringLiteral("usersFilterEdit"));
        QTest::keyClicks(filter, QStringLiteral("CAR"));
        QCOMPARE(table()->model()->rowCount(), 1);
        QCOMPARE(table()->model()->index(0, 0).data().toString(), QStringLiteral("carl"));
        typeInto(filter, QStringLiteral("administrator"));
        QCOMPARE(table()->model()->rowCount(), 1);
        QCOMPARE(table()->model()->index(0, 0).data().toString(), QStringLiteral("root"));
        filter->clear();
        QCOMPARE(table()->model()->rowCount(), 3);
        // Nothing selected: nothing to act on.
        QVERIFY(!button("deleteUserButton")->isEnabled());
        QVERIFY(button("addUserButton")->isEnabled());
    }

    void addUser()
    {
        VERIFY_OK(PlanService(m_db->database(), m_db->clock()).addPlan(m_root, QStringLiteral("Pro"), 500));
        makeTab(m_root);
        click(button("addUserButton"));
        auto *dialog = openDialog<UserEditDialog>(m_tab.get());
        QVERIFY(dialog);
        auto *save = need<QPushButton>(dialog, QStringLiteral("saveUserButton"));
        QVERIFY(!save->isEnabled());
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("usernameEdit")), QStringLiteral("Dana"));
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("displayNameEdit")), QStringLiteral("Dana Ortiz"));
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("passwordEdit")), QStringLiteral("short"));
        QVERIFY(!save->isEnabled());
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("passwordEdit")), QStringLiteral(" but now long enough"));
        QVERIFY(save->isEnabled());
        auto *plan = need<QComboBox>(dialog, QStringLiteral("planCombo"));
        plan->setCurrentIndex(plan->findData(QStringLiteral("Pro")));
        clickRadio(need<QRadioButton>(dialog, QStringLiteral("quotaUnlimitedRadio")));
        click(save);
        QTRY_VERIFY(!dialog->isVisible());

        const UserRecord dana = userInDb(QStringLiteral("dana"));
        QCOMPARE(dana.displayName, QStringLiteral("Dana Ortiz"));
        QCOMPARE(dana.role, Role::Analyst);
        QCOMPARE(dana.planName, QStringLiteral("Pro"));
        QCOMPARE(dana.quotaMode, QuotaMode::Unlimited);
        QVERIFY(!auditDetails(*m_db, QStringLiteral("user.create"), QStringLiteral("dana")).isEmpty());
        QCOMPARE(table()->model()->rowCount(), 4);
        QCOMPARE(m_tab->selectedUser().value_or(UserRecord()).username, QStringLiteral("dana"));
        QVERIFY(message()->text().contains(u"dana was added"));
    }

    void addDuplicateShowsTheServiceSentence()
    {
        makeTab(m_root);
        click(button("addUserButton"));
        auto *dialog = openDialog<UserEditDialog>(m_tab.get());
        QVERIFY(dialog);
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("usernameEdit")), QStringLiteral("BOB"));
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("passwordEdit")), QStringLiteral("a long password"));
        click(need<QPushButton>(dialog, QStringLiteral("saveUserButton")));
        QVERIFY(dialog->isVisible());
        auto *error = need<MessageLabel>(dialog, QStringLiteral("userEditError"));
        QVERIFY(error->isError());
        QCOMPARE(error->text(), QStringLiteral("The username “bob” is already taken."));
        QCOMPARE(m_db->count(QStringLiteral("users")), 3);
    }

    void editRolePlanAndQuota()
    {
        VERIFY_OK(PlanService(m_db->database(), m_db->clock()).addPlan(m_root, QStringLiteral("Pro"), 500));
        makeTab(m_root);
        clickRow(QStringLiteral("bob"));
        click(button("editUserButton"));
        auto *dialog = openDialog<UserEditDialog>(m_tab.get());
        QVERIFY(dialog);
        QVERIFY(!dialog->findChild<QLineEdit *>(QStringLiteral("usernameEdit")));
        QVERIFY(need<QRadioButton>(dialog, QStringLiteral("quotaLimitRadio"))->isChecked());
        QCOMPARE(need<QSpinBox>(dialog, QStringLiteral("quotaLimitSpin"))->value(), 5);
        auto *plan = need<QComboBox>(dialog, QStringLiteral("planCombo"));
        plan->setCurrentIndex(plan->findData(QStringLiteral("Pro")));
        auto *spin = need<QSpinBox>(dialog, QStringLiteral("quotaLimitSpin"));
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("42"));
        click(need<QPushButton>(dialog, QStringLiteral("saveUserButton")));
        QTRY_VERIFY(!dialog->isVisible());
        UserRecord bob = userInDb(QStringLiteral("bob"));
        QCOMPARE(bob.planName, QStringLiteral("Pro"));
        QCOMPARE(bob.quotaMode, QuotaMode::Limit);
        QCOMPARE(bob.quotaLimit, std::optional<int>(42));
        QCOMPARE(bob.role, Role::Analyst);
        const QString details = auditDetails(*m_db, QStringLiteral("user.update"), QStringLiteral("bob"));
        QVERIFY2(details.contains(u"\"plan\"") && details.contains(u"limit 42"), qPrintable(details));
        QVERIFY2(!details.contains(u"\"role\""), qPrintable(details));

        // Back to the plan's limit, and made an administrator.
        clickRow(QStringLiteral("bob"));
        click(button("editUserButton"));
        dialog = openDialog<UserEditDialog>(m_tab.get());
        QVERIFY(dialog);
        need<QComboBox>(dialog, QStringLiteral("roleCombo"))->setCurrentIndex(1);
        clickRadio(need<QRadioButton>(dialog, QStringLiteral("quotaPlanRadio")));
        QVERIFY(!need<QSpinBox>(dialog, QStringLiteral("quotaLimitSpin"))->isEnabled());
        click(need<QPushButton>(dialog, QStringLiteral("saveUserButton")));
        QTRY_VERIFY(!dialog->isVisible());
        bob = userInDb(QStringLiteral("bob"));
        QCOMPARE(bob.role, Role::Admin);
        QCOMPARE(bob.quotaMode, QuotaMode::Plan);
        QCOMPARE(bob.effectiveLimit, std::optional<int>(500));
        const int row = m_tab->model()->rowOf(QStringLiteral("bob"));
        QCOMPARE(m_tab->model()->data(m_tab->model()->index(row, UserTableModel::UsageColumn)).toString(), QStringLiteral("0 / 500"));
        QCOMPARE(m_tab->model()->data(m_tab->model()->index(row, UserTableModel::RoleColumn)).toString(), QStringLiteral("Administrator"));
    }

    void disableAndEnable()
    {
        makeTab(m_root);
        clickRow(QStringLiteral("bob"));
        auto *toggle = button("toggleStatusButton");
        QCOMPARE(toggle->text().remove(u'&'), QStringLiteral("Disable"));
        click(toggle);
        QCOMPARE(userInDb(QStringLiteral("bob")).status, UserStatus::Disabled);
        QCOMPARE(toggle->text().remove(u'&'), QStringLiteral("Enable"));
        QVERIFY(message()->text().contains(u"bob is disabled"));
        const int row = m_tab->model()->rowOf(QStringLiteral("bob"));
        QCOMPARE(m_tab->model()->data(m_tab->model()->index(row, UserTableModel::StatusColumn)).toString(), QStringLiteral("Disabled"));
        QVERIFY(auditDetails(*m_db, QStringLiteral("user.update"), QStringLiteral("bob")).contains(u"disabled"));
        click(toggle);
        QCOMPARE(userInDb(QStringLiteral("bob")).status, UserStatus::Active);

        // Oneself: the service refuses, and the tab says why.
        clickRow(QStringLiteral("root"));
        click(toggle);
        QVERIFY(message()->isError());
        QCOMPARE(message()->text(), QStringLiteral("Not allowed: you cannot disable your own account."));
        QCOMPARE(userInDb(QStringLiteral("root")).status, UserStatus::Active);
    }

    void resetPasswordTyped()
    {
        makeTab(m_root);
        clickRow(QStringLiteral("bob"));
        click(button("resetPasswordButton"));
        auto *dialog = openDialog<ResetPasswordDialog>(m_tab.get());
        QVERIFY(dialog);
        clickRadio(need<QRadioButton>(dialog, QStringLiteral("typePasswordRadio")));
        auto *confirm = need<QPushButton>(dialog, QStringLiteral("resetPasswordConfirmButton"));
        QVERIFY(!confirm->isEnabled());
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("newPasswordEdit")), QStringLiteral("bobs new password"));
        click(confirm);
        QTRY_VERIFY(!dialog->isVisible());
        VERIFY_OK(m_db->accounts().signIn(QStringLiteral("bob"), QStringLiteral("bobs new password")));
        QVERIFY(!m_db->accounts().signIn(QStringLiteral("bob"), QStringLiteral("analyst password")));
        QVERIFY(!auditDetails(*m_db, QStringLiteral("user.password-reset"), QStringLiteral("bob")).isEmpty());
    }

    void resetPasswordGeneratedIsShownOnce()
    {
        makeTab(m_root);
        clickRow(QStringLiteral("bob"));
        click(button("resetPasswordButton"));
        auto *dialog = openDialog<ResetPasswordDialog>(m_tab.get());
        QVERIFY(dialog);
        auto *shown = need<QLineEdit>(dialog, QStringLiteral("generatedPasswordEdit"));
        QVERIFY(!shown->isVisible());
        click(need<QPushButton>(dialog, QStringLiteral("resetPasswordConfirmButton")));
        QVERIFY(dialog->isVisible());
        QVERIFY(shown->isVisible());
        QVERIFY(shown->isReadOnly());
        const QString password = shown->text();
        QCOMPARE(password.size(), 16);
        VERIFY_OK(m_db->accounts().signIn(QStringLiteral("bob"), password));
        QVERIFY(!need<QPushButton>(dialog, QStringLiteral("resetPasswordConfirmButton"))->isVisible());
        click(need<QPushButton>(dialog, QStringLiteral("closeButton")));
        QTRY_VERIFY(!dialog->isVisible());
        // Another reset opens a fresh dialog with nothing shown.
        click(button("resetPasswordButton"));
        auto *again = openDialog<ResetPasswordDialog>(m_tab.get());
        QVERIFY(again);
        QVERIFY(need<QLineEdit>(again, QStringLiteral("generatedPasswordEdit"))->text().isEmpty());
        again->reject();
    }

    void resetThisMonthsCountWithAReason()
    {
        QuotaService quotas(m_db->database(), m_db->clock());
        for (int i = 0; i < 5; ++i)
            VERIFY_OK(quotas.reserve(Actor::user(m_bob), QStringLiteral("om")));
        makeTab(m_root);
        clickRow(QStringLiteral("bob"));
        click(button("resetCountButton"));
        auto *dialog = openDialog<ResetCountDialog>(m_tab.get());
        QVERIFY(dialog);
        QVERIFY(need<QLabel>(dialog, QStringLiteral("resetCountIntro"))->text().contains(u"5 question(s)")
                || need<QLabel>(dialog, QStringLiteral("resetCountIntro"))->text().contains(u"5 questions"));
        auto *confirm = need<QPushButton>(dialog, QStringLiteral("resetCountConfirmButton"));
        QVERIFY(!confirm->isEnabled());
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("resetReasonEdit")), QStringLiteral("   "));
        QVERIFY(!confirm->isEnabled());
        QTest::keyClicks(need<QLineEdit>(dialog, QStringLiteral("resetReasonEdit")), QStringLiteral("audit week"));
        click(confirm);
        QTRY_VERIFY(!dialog->isVisible());
        QCOMPARE(userInDb(QStringLiteral("bob")).usedIn(quotas.currentPeriod()), 0);
        QCOMPARE(m_db->count(QStringLiteral("usage_events")), 5);
        const int row = m_tab->model()->rowOf(QStringLiteral("bob"));
        QCOMPARE(m_tab->model()->data(m_tab->model()->index(row, UserTableModel::UsageColumn)).toString(),
                 QStringLiteral("0 / 5 (own limit)"));
        const QString details = auditDetails(*m_db, QStringLiteral("user.quota-reset"), QStringLiteral("bob"));
        QVERIFY2(details.contains(u"audit week") && details.contains(u"\"count_before\":5"), qPrintable(details));
        QVERIFY(message()->text().contains(u"it was 5"));
    }

    void deleteWithTypedConfirmation()
    {
        fillUserData(m_db->connection(), m_bob.id, 12, 30);
        makeTab(m_root);
        QSignalSpy changed(m_tab.get(), &UsersTab::usersChanged);
        clickRow(QStringLiteral("bob"));
        click(button("deleteUserButton"));
        auto *dialog = openDialog<DeleteUserDialog>(m_tab.get());
        QVERIFY(dialog);
        const QString summary = need<QLabel>(dialog, QStringLiteral("deletionSummaryLabel"))->text();
        QVERIFY2(summary.contains(u"12 conversations, 360 messages, 96 feedback entries, 2 survey answers, 3 hired agents, "
                                  u"180 usage records"),
                 qPrintable(summary));
        auto *confirm = need<QLineEdit>(dialog, QStringLiteral("deleteConfirmEdit"));
        auto *remove = need<QPushButton>(dialog, QStringLiteral("deleteConfirmButton"));
        QVERIFY(!remove->isEnabled());
        QTest::keyClicks(confirm, QStringLiteral("bo"));
        QVERIFY(!remove->isEnabled());
        QTest::keyClicks(confirm, QStringLiteral("bx"));
        QVERIFY(!remove->isEnabled());
        typeInto(confirm, QStringLiteral("bob"));
        QVERIFY(remove->isEnabled());
        click(remove);
        QTRY_VERIFY(dialog->isDone());
        QVERIFY(dialog->isVisible()); // the report stays on screen
        const QString report = need<MessageLabel>(dialog, QStringLiteral("deletionMessage"))->text();
        QVERIFY2(report.startsWith(u"bob was deleted: 12 conversations, 360 messages"), qPrintable(report));
        QVERIFY(!remove->isVisible());
        for (const char *table : {"conversations", "messages", "feedback", "survey_responses", "hired_agents", "usage_events"})
            QCOMPARE(m_db->count(QString::fromLatin1(table)), 0);
        QCOMPARE(m_db->count(QStringLiteral("users")), 2);
        QCOMPARE(table()->model()->rowCount(), 2);
        QCOMPARE(changed.count(), 1);
        QVERIFY(auditDetails(*m_db, QStringLiteral("user.delete"), QStringLiteral("bob")).contains(u"\"messages\":360"));
        click(need<QPushButton>(dialog, QStringLiteral("closeButton")));
        QTRY_VERIFY(!dialog->isVisible());
    }

    void deletingOneselfIsRefused()
    {
        makeTab(m_root);
        auto *dialog = deleteThroughDialog(QStringLiteral("root"));
        QVERIFY(dialog);
        auto *shown = need<MessageLabel>(dialog, QStringLiteral("deletionMessage"));
        QTRY_VERIFY(shown->isError());
        QCOMPARE(shown->text(), QStringLiteral("Not allowed: you cannot delete your own account; ask another administrator."));
        QVERIFY(!dialog->isDone());
        QCOMPARE(m_db->count(QStringLiteral("users")), 3);
    }

    void deletingTheLastAdminIsRefused()
    {
        // Only the local operator (heliodeskctl) acts without being an admin account themself.
        makeTab(Actor::system(QStringLiteral("operator")));
        auto *dialog = deleteThroughDialog(QStringLiteral("root"));
        QVERIFY(dialog);
        auto *shown = need<MessageLabel>(dialog, QStringLiteral("deletionMessage"));
        QTRY_VERIFY(shown->isError());
        QCOMPARE(shown->text(), QStringLiteral("Not allowed: root is the last active administrator and cannot be deleted."));
        QCOMPARE(m_db->count(QStringLiteral("users")), 3);
    }

    void deletingAStreamingUserCancelsTheirAnswerFirst()
    {
        QVERIFY(HiringStore::hire(m_db->connection(), m_bob.id, QStringLiteral("om"), 0));
        ProviderScript hanging;
        hanging.pieces = {QStringLiteral("Half an answer ")};
        hanging.hangAfterPieces = true;
        auto provider = std::make_shared<ScriptedProvider>(hanging);
        ChatService chat(m_db->database(), m_db->clock(), [provider](const QString &) { return provider; });
        QSignalSpy finished(&chat, &ChatService::answerFinished);
        auto ticket = chat.ask(Actor::user(m_bob), AskRequest{{}, QStringLiteral("om"), QStringLiteral("Inverter faults?")});
        VERIFY_OK(ticket);
        QTRY_COMPARE(provider->calls(), 1);
        QCOMPARE(chat.activeStreamCount(), 1);

        makeTab(m_root, &chat);
        auto *dialog = deleteThroughDialog(QStringLiteral("bob"));
        QVERIFY(dialog);
        // Cancelled before the deletion started (the click returns before the worker is done).
        QCOMPARE(chat.activeStreamCount(), 0);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toLongLong(), ticket->answerId);
        QCOMPARE(finished.first().at(1).value<MessageStatus>(), MessageStatus::Cancelled);
        QTRY_VERIFY(dialog->isDone());
        QVERIFY(!ConversationStore::findMessage(m_db->connection(), ticket->answerId).value());
        QCOMPARE(m_db->count(QStringLiteral("users")), 2);
    }

    void deletingAHundredThousandMessagesKeepsTheEventLoopTurning()
    {
        fillUserData(m_db->connection(), m_bob.id, 1000, 100);
        QCOMPARE(m_db->count(QStringLiteral("messages")), 100'000);
        makeTab(m_root);
        const int connectionsBefore = Database::openConnectionCount();

        QElapsedTimer clock;
        qint64 lastTick = -1;
        qint64 longestGap = 0;
        int ticksWhileBusy = 0;
        DeleteUserDialog *dialog = nullptr;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            if (lastTick >= 0)
                longestGap = std::max(longestGap, now - lastTick);
            lastTick = now;
            if (dialog && dialog->isBusy())
                ++ticksWhileBusy;
        });

        clickRow(QStringLiteral("bob"));
        click(button("deleteUserButton"));
        dialog = openDialog<DeleteUserDialog>(m_tab.get());
        QVERIFY(dialog);
        typeInto(need<QLineEdit>(dialog, QStringLiteral("deleteConfirmEdit")), QStringLiteral("bob"));
        clock.start();
        ticker.start();
        const QElapsedTimer took = clock;
        click(need<QPushButton>(dialog, QStringLiteral("deleteConfirmButton")));
        QVERIFY(dialog->isBusy());
        QVERIFY(need<QProgressBar>(dialog, QStringLiteral("deletionProgress"))->isVisible());
        QVERIFY(!need<QPushButton>(dialog, QStringLiteral("closeButton"))->isEnabled());
        dialog->reject(); // closing is refused while busy
        QVERIFY(dialog->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isDone(), 120000);
        ticker.stop();
        const qint64 busyMs = took.elapsed();
        qInfo("deleted 100,000 messages in %lld ms; %d ticks of a 10 ms timer meanwhile, longest gap %lld ms", busyMs,
              ticksWhileBusy, longestGap);

        // The loop kept turning: ticks all along, no long stall.
        QVERIFY2(ticksWhileBusy >= std::max<qint64>(3, busyMs / 10 / 4), qPrintable(QString::number(ticksWhileBusy)));
        QVERIFY2(longestGap < 250, qPrintable(QString::number(longestGap)));
        for (const char *table : {"conversations", "messages", "feedback", "survey_responses", "hired_agents", "usage_events"})
            QCOMPARE(m_db->count(QString::fromLatin1(table)), 0);
        QCOMPARE(m_db->count(QStringLiteral("users")), 2);
        // The worker's connection closed with its thread.
        QTRY_COMPARE(Database::openConnectionCount(), connectionsBefore);
    }
};

QTEST_MAIN(TestUsersTab)
#include "tst_userstab.moc"
