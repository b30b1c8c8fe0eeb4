// The Plans tab on a real database through the real PlanService: the table, filter and sorting,
// Add and Edit through the plan editor by keyboard and mouse, Delete with its confirmation (and
// its refusal while users are on the plan), and a lowered limit biting at the user's next query.

#include "ui/admin/planeditordialog.h"
#include "ui/admin/planstab.h"
#include "ui/messagelabel.h"

#include "model/admin/plantablemodel.h"
#include "model/planservice.h"
#include "model/quotaservice.h"
#include "storage/auditstore.h"
#include "storage/planstore.h"
#include "support/testdatabase.h"

#include <QCheckBox>
#include <QStyle>
#include <QStyleOptionButton>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include <algorithm>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

// Clicks a check box on its box: the middle of a wide check box can lie past its text, where a
// click does nothing.
void clickCheckBox(QCheckBox *box)
{
    QStyleOptionButton option;
    option.initFrom(box);
    const QRect indicator = box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
    QTest::mouseClick(box, Qt::LeftButton, {}, indicator.center());
}

} // namespace

class TestPlansTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listsPlansWithLimitsAgentsAndUsers();
    void filterAndSort();
    void addPlanByKeyboardAndMouse();
    void editorRefusesWhatTheServiceWould_data();
    void editorRefusesWhatTheServiceWould();
    void duplicateNameKeepsTheEditorOpen();
    void loweredLimitBitesAtTheNextQuery();
    void deleteRefusedWhileUsersAreOnThePlan();
    void deleteAfterConfirmation();
    void cancelledDeleteKeepsThePlan();
    void analystSeesNotAllowed();

private:
    template<typename T>
    T *child(const QString &name) const
    {
        T *found = m_tab->findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }
    QStringList namesShown() const;
    QString cell(const QString &plan, int column) const;
    PlanEditorDialog *openEditorWith(const QString &button);
    void setName(PlanEditorDialog *editor, const QString &name);
    void setLimit(PlanEditorDialog *editor, int limit);
    QMessageBox *confirmation() const;

    std::unique_ptr<TestDatabase> m_db;
    Actor m_root;
    std::unique_ptr<PlansTab> m_tab;
};

void TestPlansTab::init()
{
    m_db = std::make_unique<TestDatabase>();
    m_root = m_db->createAdmin();
    m_tab = std::make_unique<PlansTab>(m_db->database(), m_db->clock(), m_root);
    m_tab->resize(900, 500);
    m_tab->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_tab.get()));
}

void TestPlansTab::cleanup()
{
    m_tab.reset();
    m_db.reset();
}

QStringList TestPlansTab::namesShown() const
{
    QStringList names;
    const QAbstractItemModel *shown = m_tab->table()->model();
    for (int row = 0; row < shown->rowCount(); ++row)
        names << shown->index(row, PlanTableModel::NameColumn).data(PlanTableModel::SortRole).toString();
    return names;
}

QString TestPlansTab::cell(const QString &plan, int column) const
{
    const int row = m_tab->model()->rowOf(plan);
    return row < 0 ? QString() : m_tab->model()->index(row, column).data().toString();
}

PlanEditorDialog *TestPlansTab::openEditorWith(const QString &button)
{
    QTest::mouseClick(child<QPushButton>(button), Qt::LeftButton);
    PlanEditorDialog *editor = m_tab->editor();
    if (editor && !QTest::qWaitForWindowExposed(editor))
        return nullptr;
    return editor;
}

void TestPlansTab::setName(PlanEditorDialog *editor, const QString &name)
{
    auto *edit = editor->findChild<QLineEdit *>(QStringLiteral("planNameEdit"));
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, name);
}

void TestPlansTab::setLimit(PlanEditorDialog *editor, int limit)
{
    auto *spin = editor->findChild<QSpinBox *>(QStringLiteral("planLimitSpin"));
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QString::number(limit));
}

QMessageBox *TestPlansTab::confirmation() const
{
    return m_tab->findChild<QMessageBox *>(QStringLiteral("deletePlanConfirmation"));
}

void TestPlansTab::listsPlansWithLimitsAgentsAndUsers()
{
    m_db->createAnalyst(QStringLiteral("ana"));
    m_db->createAnalyst(QStringLiteral("ben"), {}, QStringLiteral("Unlimited"));
    m_tab->reload();
    QCOMPARE(namesShown(), (QStringList{QStringLiteral("Standard"), QStringLiteral("Unlimited")}));
    QCOMPARE(cell(QStringLiteral("Standard"), PlanTableModel::NameColumn), QStringLiteral("Standard (default)"));
    QCOMPARE(cell(QStringLiteral("Standard"), PlanTableModel::LimitColumn), QStringLiteral("300 a month"));
    QCOMPARE(cell(QStringLiteral("Unlimited"), PlanTableModel::LimitColumn), QStringLiteral("Unlimited"));
    QCOMPARE(cell(QStringLiteral("Standard"), PlanTableModel::UsersColumn), QStringLiteral("2")); // root and ana
    QCOMPARE(cell(QStringLiteral("Unlimited"), PlanTableModel::UsersColumn), QStringLiteral("1"));
    QCOMPARE(cell(QStringLiteral("Standard"), PlanTableModel::AgentsColumn),
             QStringLiteral("All (News, O&M, Market Intelligence, Digitalization)"));
    QVERIFY(!child<QPushButton>(QStringLiteral("editPlanButton"))->isEnabled());
    QVERIFY(!child<QPushButton>(QStringLiteral("deletePlanButton"))->isEnabled());
}

void TestPlansTab::filterAndSort()
{
    PlanService plans(m_db->database(), m_db->clock());
    VERIFY_OK(plans.addPlan(m_root, QStringLiteral("Pilot"), 1000, {QStringLiteral("market")}));
    VERIFY_OK(plans.addPlan(m_root, QStringLiteral("Trial"), 20, {QStringLiteral("news")}));
    m_tab->reload();
    QCOMPARE(namesShown(), (QStringList{QStringLiteral("Pilot"), QStringLiteral("Standard"), QStringLiteral("Trial"), QStringLiteral("Unlimited")}));

    // A click on the limit header sorts by the number, unlimited above every limit.
    QHeaderView *header = m_tab->table()->horizontalHeader();
    const int x = header->sectionViewportPosition(PlanTableModel::LimitColumn) + header->sectionSize(PlanTableModel::LimitColumn) / 2;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    QCOMPARE(header->sortIndicatorSection(), int(PlanTableModel::LimitColumn));
    const QStringList ascending{QStringLiteral("Trial"), QStringLiteral("Standard"), QStringLiteral("Pilot"), QStringLiteral("Unlimited")};
    QStringList expected = ascending;
    if (header->sortIndicatorOrder() == Qt::DescendingOrder)
        std::reverse(expected.begin(), expected.end());
    QCOMPARE(namesShown(), expected);

    // The filter matches plan names and agent names.
    auto *filter = child<QLineEdit>(QStringLiteral("planFilter"));
    QTest::keyClicks(filter, QStringLiteral("market"));
    QCOMPARE(namesShown().size(), 3); // Pilot, and the two plans with every agent
    QVERIFY(!namesShown().contains(QStringLiteral("Trial")));
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("tri"));
    QCOMPARE(namesShown(), QStringList{QStringLiteral("Trial")});
}

void TestPlansTab::addPlanByKeyboardAndMouse()
{
    QSignalSpy changed(m_tab.get(), &PlansTab::plansChanged);
    PlanEditorDialog *editor = openEditorWith(QStringLiteral("addPlanButton"));
    QVERIFY(editor);
    QVERIFY(editor->isVisible());
    setName(editor, QStringLiteral("Pilot"));
    setLimit(editor, 40);
    // Every agent starts ticked; leave out two of them.
    clickCheckBox(editor->findChild<QCheckBox *>(QStringLiteral("planAgent_market")));
    clickCheckBox(editor->findChild<QCheckBox *>(QStringLiteral("planAgent_digitalization")));
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("planSaveButton")), Qt::LeftButton);

    QTRY_VERIFY(!m_tab->editor());
    QCOMPARE(changed.count(), 1);
    auto pilot = PlanStore::findByName(m_db->connection(), QStringLiteral("Pilot")).value();
    QVERIFY(pilot);
    QCOMPARE(pilot->monthlyLimit, std::optional<int>(40));
    QCOMPARE(pilot->agentIds, (QStringList{QStringLiteral("news"), QStringLiteral("om")}));
    QCOMPARE(m_tab->selectedPlan(), QStringLiteral("Pilot"));
    QCOMPARE(cell(QStringLiteral("Pilot"), PlanTableModel::AgentsColumn), QStringLiteral("News, O&M"));
    QVERIFY(child<MessageLabel>(QStringLiteral("plansMessage"))->text().contains(u"Pilot"));

    const auto entries = AuditStore::list(m_db->connection(), 10, QStringLiteral("plan.create")).value();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().targetName, QStringLiteral("Pilot"));
    QCOMPARE(entries.first().actorName, QStringLiteral("root"));

    // Edit it: unlimited, by the checkbox; the spin box is then off.
    editor = openEditorWith(QStringLiteral("editPlanButton"));
    QVERIFY(editor);
    QCOMPARE(editor->findChild<QLineEdit *>(QStringLiteral("planNameEdit"))->text(), QStringLiteral("Pilot"));
    QCOMPARE(editor->findChild<QSpinBox *>(QStringLiteral("planLimitSpin"))->value(), 40);
    QVERIFY(!editor->findChild<QCheckBox *>(QStringLiteral("planAgent_market"))->isChecked());
    clickCheckBox(editor->findChild<QCheckBox *>(QStringLiteral("planUnlimitedCheck")));
    QVERIFY(!editor->findChild<QSpinBox *>(QStringLiteral("planLimitSpin"))->isEnabled());
    setName(editor, QStringLiteral("Pilot Plus"));
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("planSaveButton")), Qt::LeftButton);
    QTRY_VERIFY(!m_tab->editor());
    QCOMPARE(cell(QStringLiteral("Pilot Plus"), PlanTableModel::LimitColumn), QStringLiteral("Unlimited"));
    QCOMPARE(m_tab->model()->rowOf(QStringLiteral("Pilot")), -1);
    QCOMPARE(AuditStore::list(m_db->connection(), 10, QStringLiteral("plan.update")).value().size(), 1);
}

void TestPlansTab::editorRefusesWhatTheServiceWould_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("untickAll");
    QTest::addColumn<QString>("says");
    QTest::newRow("no name") << QString() << false << QStringLiteral("A plan needs a name.");
    QTest::newRow("blank name") << QStringLiteral("   ") << false << QStringLiteral("A plan needs a name.");
    QTest::newRow("no agent") << QStringLiteral("Empty") << true << QStringLiteral("A plan needs at least one agent.");
}

void TestPlansTab::editorRefusesWhatTheServiceWould()
{
    QFETCH(QString, name);
    QFETCH(bool, untickAll);
    QFETCH(QString, says);
    PlanEditorDialog *editor = openEditorWith(QStringLiteral("addPlanButton"));
    QVERIFY(editor);
    setName(editor, name);
    if (untickAll) {
        for (const QString &id : {QStringLiteral("news"), QStringLiteral("om"), QStringLiteral("market"), QStringLiteral("digitalization")})
            clickCheckBox(editor->findChild<QCheckBox *>(QStringLiteral("planAgent_") + id));
    }
    const int plansBefore = m_db->count(QStringLiteral("plans"));
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("planSaveButton")), Qt::LeftButton);
    QVERIFY(editor->isVisible());
    auto *message = editor->findChild<MessageLabel *>(QStringLiteral("planEditorMessage"));
    QVERIFY(message->isError());
    QVERIFY2(message->text().startsWith(says), qPrintable(message->text()));
    QCOMPARE(m_db->count(QStringLiteral("plans")), plansBefore);
}

void TestPlansTab::duplicateNameKeepsTheEditorOpen()
{
    PlanEditorDialog *editor = openEditorWith(QStringLiteral("addPlanButton"));
    QVERIFY(editor);
    setName(editor, QStringLiteral("Standard"));
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("planSaveButton")), Qt::LeftButton);
    QVERIFY(m_tab->editor());
    QVERIFY(editor->isVisible());
    auto *message = editor->findChild<MessageLabel *>(QStringLiteral("planEditorMessage"));
    QCOMPARE(message->text(), QStringLiteral("There is already a plan called “Standard”."));
    // Cancel closes it without saving.
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("planCancelButton")), Qt::LeftButton);
    QTRY_VERIFY(!m_tab->editor());
    QCOMPARE(m_db->count(QStringLiteral("plans")), 2);
}

void TestPlansTab::loweredLimitBitesAtTheNextQuery()
{
    PlanService plans(m_db->database(), m_db->clock());
    VERIFY_OK(plans.addPlan(m_root, QStringLiteral("Pilot"), 10, {QStringLiteral("om")}));
    const UserRecord ana = m_db->createAnalyst(QStringLiteral("ana"), {}, QStringLiteral("Pilot"));
    QuotaService quotas(m_db->database(), m_db->clock());
    for (int i = 0; i < 3; ++i)
        VERIFY_OK(quotas.reserve(Actor::user(ana), QStringLiteral("om")));
    m_tab->reload();

    QVERIFY(m_tab->selectPlan(QStringLiteral("Pilot")));
    PlanEditorDialog *editor = openEditorWith(QStringLiteral("editPlanButton"));
    QVERIFY(editor);
    setLimit(editor, 3);
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("planSaveButton")), Qt::LeftButton);
    QTRY_VERIFY(!m_tab->editor());
    QCOMPARE(cell(QStringLiteral("Pilot"), PlanTableModel::LimitColumn), QStringLiteral("3 a month"));

    auto refused = quotas.reserve(Actor::user(ana), QStringLiteral("om"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code(), ErrorCode::QuotaExceeded);
    QVERIFY2(refused.error().message().startsWith(u"Query limit reached (3 of 3 this month)."), qPrintable(refused.error().message()));
}

void TestPlansTab::deleteRefusedWhileUsersAreOnThePlan()
{
    PlanService plans(m_db->database(), m_db->clock());
    VERIFY_OK(plans.addPlan(m_root, QStringLiteral("Pilot"), 10, {QStringLiteral("om")}));
    m_db->createAnalyst(QStringLiteral("ana"), {}, QStringLiteral("Pilot"));
    m_tab->reload();
    QVERIFY(m_tab->selectPlan(QStringLiteral("Pilot")));
    QTest::mouseClick(child<QPushButton>(QStringLiteral("deletePlanButton")), Qt::LeftButton);
    QMessageBox *box = confirmation();
    QVERIFY(box);
    QVERIFY(QTest::qWaitForWindowExposed(box));
    QVERIFY(box->text().contains(u"Pilot"));
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("confirmDeletePlanButton")), Qt::LeftButton);
    QTRY_VERIFY(!confirmation());

    auto *message = child<MessageLabel>(QStringLiteral("plansMessage"));
    QVERIFY(message->isError());
    QCOMPARE(message->text(), QStringLiteral("The plan “Pilot” was not deleted: 1 user is on it. Move that user to another plan first."));
    QVERIFY(m_tab->model()->rowOf(QStringLiteral("Pilot")) >= 0);
    QVERIFY(PlanStore::findByName(m_db->connection(), QStringLiteral("Pilot")).value());
    QVERIFY(AuditStore::list(m_db->connection(), 10, QStringLiteral("plan.delete")).value().isEmpty());
}

void TestPlansTab::deleteAfterConfirmation()
{
    QSignalSpy changed(m_tab.get(), &PlansTab::plansChanged);
    QVERIFY(m_tab->selectPlan(QStringLiteral("Unlimited")));
    QTest::mouseClick(child<QPushButton>(QStringLiteral("deletePlanButton")), Qt::LeftButton);
    QMessageBox *box = confirmation();
    QVERIFY(box);
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("confirmDeletePlanButton")), Qt::LeftButton);
    QTRY_VERIFY(!confirmation());
    QCOMPARE(namesShown(), QStringList{QStringLiteral("Standard")});
    QCOMPARE(changed.count(), 1);
    QVERIFY(!child<MessageLabel>(QStringLiteral("plansMessage"))->isError());
    const auto entries = AuditStore::list(m_db->connection(), 10, QStringLiteral("plan.delete")).value();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().targetName, QStringLiteral("Unlimited"));
    QVERIFY(!child<QPushButton>(QStringLiteral("deletePlanButton"))->isEnabled());
}

void TestPlansTab::cancelledDeleteKeepsThePlan()
{
    QVERIFY(m_tab->selectPlan(QStringLiteral("Unlimited")));
    QTest::mouseClick(child<QPushButton>(QStringLiteral("deletePlanButton")), Qt::LeftButton);
    QMessageBox *box = confirmation();
    QVERIFY(box);
    QTest::keyClick(box, Qt::Key_Escape);
    QTRY_VERIFY(!confirmation());
    QCOMPARE(m_db->count(QStringLiteral("plans")), 2);
    QCOMPARE(namesShown().size(), 2);
}

void TestPlansTab::analystSeesNotAllowed()
{
    // The panel is not offered to analysts; were the tab built for one anyway, the service refuses.
    const UserRecord ana = m_db->createAnalyst(QStringLiteral("ana"));
    PlansTab tab(m_db->database(), m_db->clock(), Actor::user(ana));
    tab.show();
    QVERIFY(tab.selectPlan(QStringLiteral("Unlimited")));
    QTest::mouseClick(tab.findChild<QPushButton *>(QStringLiteral("deletePlanButton")), Qt::LeftButton);
    auto *box = tab.findChild<QMessageBox *>(QStringLiteral("deletePlanConfirmation"));
    QVERIFY(box);
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("confirmDeletePlanButton")), Qt::LeftButton);
    auto *message = tab.findChild<MessageLabel *>(QStringLiteral("plansMessage"));
    QTRY_VERIFY(message->isError());
    QVERIFY2(message->text().startsWith(u"Not allowed: "), qPrintable(message->text()));
    QCOMPARE(m_db->count(QStringLiteral("plans")), 2);
}

QTEST_MAIN(TestPlansTab)
#include "tst_planstab.moc"
