// The Audit tab and the service under it: admin actions listed as words, filtered by action, by
// name and by dates, exported as CSV, kept after the user they mention is deleted; analysts refused.

#include "ui/admin/audittab.h"

#include "model/admin/auditmodel.h"
#include "model/admin/auditservice.h"
#include "model/authorization.h"
#include "model/planservice.h"
#include "support/testdatabase.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

AuditStore::Filter onlyAction(const QString &action)
{
    AuditStore::Filter filter;
    filter.action = action;
    return filter;
}

} // namespace

class TestAuditTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listsAdminActionsAsWords();
    void filterByAction();
    void filterByName_data();
    void filterByName();
    void filterByDates();
    void sortsByColumn();
    void entriesOutliveTheUserTheyMention();
    void exportsCsv();
    void detailsText_data();
    void detailsText();
    void analystIsNotAllowed();

private:
    UserRecord record(const QString &name);
    /// root creates ann (day 0), resets her password (day 1), creates plan Pro (day 2), creates bob (day 3).
    void seed();
    [[nodiscard]] QStringList column(const AuditTab &tab, int column) const;
    template<typename T>
    static T *child(const QWidget *parent, const char *name);

    std::unique_ptr<TestDatabase> m_db;
    Actor m_root = Actor::anonymous();
};

void TestAuditTab::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_root = m_db->createAdmin();
}

void TestAuditTab::cleanup()
{
    m_db.reset();
}

template<typename T>
T *TestAuditTab::child(const QWidget *parent, const char *name)
{
    auto *widget = parent->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

UserRecord TestAuditTab::record(const QString &name)
{
    auto found = m_db->accounts().findUser(Actor::system(QStringLiteral("test")), name);
    if (!found)
        qFatal("no user %s", qPrintable(name));
    return *found;
}

void TestAuditTab::seed()
{
    m_db->createAnalyst(QStringLiteral("ann"));
    m_db->clock()->advance(24h);
    auto reset = m_db->accounts().resetPassword(m_root, QStringLiteral("ann"), QStringLiteral("another long password"));
    QVERIFY2(reset, qPrintable(reset ? QString() : reset.error().message()));
    m_db->clock()->advance(24h);
    PlanService plans(m_db->database(), m_db->clock());
    auto plan = plans.addPlan(m_root, QStringLiteral("Pro"), 1000);
    QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().message()));
    m_db->clock()->advance(24h);
    m_db->createAnalyst(QStringLiteral("bob"));
}

QStringList TestAuditTab::column(const AuditTab &tab, int column) const
{
    auto *table = child<QTableView>(&tab, "auditTable");
    QStringList texts;
    for (int row = 0; row < table->model()->rowCount(); ++row)
        texts << table->model()->index(row, column).data().toString();
    return texts;
}

void TestAuditTab::listsAdminActionsAsWords()
{
    seed();
    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QCOMPARE(tab.objectName(), QStringLiteral("auditTab"));

    // Newest first: the table starts sorted by time, descending.
    QCOMPARE(column(tab, AuditModel::ActionColumn),
             (QStringList{QStringLiteral("Created user"), QStringLiteral("Created plan"), QStringLiteral("Reset password"),
                          QStringLiteral("Created user"), QStringLiteral("Created user")}));
    QCOMPARE(column(tab, AuditModel::TargetColumn),
             (QStringList{QStringLiteral("user bob"), QStringLiteral("plan Pro"), QStringLiteral("user ann"),
                          QStringLiteral("user ann"), QStringLiteral("user root")}));
    QCOMPARE(column(tab, AuditModel::ActorColumn).first(), QStringLiteral("root"));
    const QString planDetails = column(tab, AuditModel::DetailsColumn).at(1);
    QVERIFY2(planDetails.contains(QStringLiteral("monthly limit: 1")), qPrintable(planDetails));
    QVERIFY2(!planDetails.contains(u'{'), qPrintable(planDetails));
    QVERIFY(child<QLabel>(&tab, "auditCountLabel")->text().contains(u'5'));
    // Read-only.
    QCOMPARE(child<QTableView>(&tab, "auditTable")->editTriggers(), QAbstractItemView::NoEditTriggers);
}

void TestAuditTab::filterByAction()
{
    seed();
    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *combo = child<QComboBox>(&tab, "auditActionCombo");
    // "All actions" and the three actions in the log.
    QCOMPARE(combo->count(), 4);
    const int created = combo->findData(QStringLiteral("user.create"));
    QVERIFY(created > 0);
    QCOMPARE(combo->itemText(created), QStringLiteral("Created user"));

    combo->setFocus();
    combo->setCurrentIndex(created);
    QCOMPARE(column(tab, AuditModel::TargetColumn),
             (QStringList{QStringLiteral("user bob"), QStringLiteral("user ann"), QStringLiteral("user root")}));
    combo->setCurrentIndex(combo->findData(QStringLiteral("user.password-reset")));
    QCOMPARE(column(tab, AuditModel::TargetColumn), QStringList{QStringLiteral("user ann")});
    combo->setCurrentIndex(0);
    QCOMPARE(column(tab, AuditModel::TargetColumn).size(), 5);
}

void TestAuditTab::filterByName_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QStringList>("targets");
    QTest::newRow("target") << QStringLiteral("ann") << QStringList{QStringLiteral("user ann"), QStringLiteral("user ann")};
    QTest::newRow("any case") << QStringLiteral("BO") << QStringList{QStringLiteral("user bob")};
    QTest::newRow("actor matches all") << QStringLiteral("roo")
                                       << QStringList{QStringLiteral("user bob"), QStringLiteral("plan Pro"), QStringLiteral("user ann"),
                                                      QStringLiteral("user ann"), QStringLiteral("user root")};
    QTest::newRow("LIKE wildcard taken literally") << QStringLiteral("%") << QStringList{};
    QTest::newRow("underscore taken literally") << QStringLiteral("a_n") << QStringList{};
    QTest::newRow("nobody") << QStringLiteral("zed") << QStringList{};
}

void TestAuditTab::filterByName()
{
    QFETCH(QString, typed);
    QFETCH(QStringList, targets);
    seed();
    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *edit = child<QLineEdit>(&tab, "auditFilterEdit");
    QTest::keyClicks(edit, typed);
    QCOMPARE(column(tab, AuditModel::TargetColumn), targets);
    QCOMPARE(child<QPushButton>(&tab, "auditExportButton")->isEnabled(), !targets.isEmpty());
}

void TestAuditTab::filterByDates()
{
    seed(); // entries on Nov 15 (root, ann), 16 (password), 17 (plan), 18 (bob), at 12:00 UTC
    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *check = child<QCheckBox>(&tab, "auditDateCheck");
    auto *from = child<QDateEdit>(&tab, "auditFromEdit");
    auto *to = child<QDateEdit>(&tab, "auditToEdit");
    QVERIFY(!from->isEnabled());

    const auto localDate = [](int day) { return QDateTime(QDate(2026, 11, day), QTime(12, 0), Qt::UTC).toLocalTime().date(); };
    from->setDate(localDate(16));
    to->setDate(localDate(17));
    QCOMPARE(column(tab, AuditModel::TargetColumn).size(), 5); // not applied until ticked
    QTest::mouseClick(check, Qt::LeftButton, {}, QPoint(4, check->height() / 2));
    QVERIFY(check->isChecked());
    QVERIFY(from->isEnabled());
    QCOMPARE(column(tab, AuditModel::TargetColumn), (QStringList{QStringLiteral("plan Pro"), QStringLiteral("user ann")}));
    // The last day is included whole; a reversed range means the same.
    from->setDate(localDate(18));
    to->setDate(localDate(18));
    QCOMPARE(column(tab, AuditModel::TargetColumn), QStringList{QStringLiteral("user bob")});
    from->setDate(localDate(16));
    to->setDate(localDate(15));
    QCOMPARE(column(tab, AuditModel::TargetColumn).size(), 3);

    const AuditStore::Filter filter = tab.currentFilter();
    QVERIFY(filter.fromMs && filter.toMs);
    QCOMPARE(*filter.toMs - *filter.fromMs, qint64(2 * 24 * 3600 * 1000)); // outside DST changes
    QTest::mouseClick(check, Qt::LeftButton, {}, QPoint(4, check->height() / 2));
    QCOMPARE(column(tab, AuditModel::TargetColumn).size(), 5);
}

void TestAuditTab::sortsByColumn()
{
    seed();
    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *table = child<QTableView>(&tab, "auditTable");
    table->sortByColumn(AuditModel::WhenColumn, Qt::AscendingOrder);
    QCOMPARE(column(tab, AuditModel::TargetColumn).last(), QStringLiteral("user bob"));
    QCOMPARE(column(tab, AuditModel::TargetColumn).at(2), QStringLiteral("user ann")); // root and ann share a moment
    table->sortByColumn(AuditModel::TargetColumn, Qt::AscendingOrder);
    QCOMPARE(column(tab, AuditModel::TargetColumn),
             (QStringList{QStringLiteral("plan Pro"), QStringLiteral("user ann"), QStringLiteral("user ann"),
                          QStringLiteral("user bob"), QStringLiteral("user root")}));
}

void TestAuditTab::entriesOutliveTheUserTheyMention()
{
    seed();
    const UserRecord ann = record(QStringLiteral("ann"));
    fillUserData(m_db->connection(), ann.id, 2, 3);
    auto deleted = m_db->accounts().deleteUser(m_root, QStringLiteral("ann"));
    QVERIFY2(deleted, qPrintable(deleted ? QString() : deleted.error().message()));
    QCOMPARE(m_db->count(QStringLiteral("users")), 2);

    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QTest::keyClicks(child<QLineEdit>(&tab, "auditFilterEdit"), QStringLiteral("ann"));
    QCOMPARE(column(tab, AuditModel::ActionColumn),
             (QStringList{QStringLiteral("Deleted user"), QStringLiteral("Reset password"), QStringLiteral("Created user")}));
    QCOMPARE(column(tab, AuditModel::TargetColumn),
             (QStringList{QStringLiteral("user ann"), QStringLiteral("user ann"), QStringLiteral("user ann")}));
    const QString details = column(tab, AuditModel::DetailsColumn).first();
    QVERIFY2(details.contains(QStringLiteral("conversations: %1").arg(deleted->counts.conversations)), qPrintable(details));
    QVERIFY2(details.contains(QStringLiteral("messages: %1").arg(deleted->counts.messages)), qPrintable(details));
}

void TestAuditTab::exportsCsv()
{
    seed();
    // A reason an admin typed, with a comma, quotes and a line break; a name that a spreadsheet would run.
    auto db = m_db->connection();
    const qint64 annId = record(QStringLiteral("ann")).id;
    QVERIFY(writeAudit(db, m_root, m_db->clock()->nowMs() + 1000, QStringLiteral("user.quota-reset"), QStringLiteral("user"),
                       QString::number(annId), QStringLiteral("ann"),
                       {{QStringLiteral("reason"), QStringLiteral("=1+1, \"said\"\nok")}}));
    QVERIFY(writeAudit(db, m_root, m_db->clock()->nowMs() + 2000, QStringLiteral("something.new"), QStringLiteral("thing"),
                       {}, QStringLiteral("=2+3")));

    AuditTab tab(m_db->database(), m_db->clock(), m_root, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QCOMPARE(column(tab, 0).size(), 7);

    const QString path = m_db->folder() + u"/audit.csv";
    auto saved = tab.exportCsv(path);
    QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().message()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.startsWith("When (UTC),Who,Action,On whom,Details,Action code\r\n"
                              "2026-11-18T12:00:02.000Z,root,something.new,'=2+3,,something.new\r\n"
                              "2026-11-18T12:00:01.000Z,root,Reset month's count,user ann,\"reason: =1+1, \"\"said\"\"\nok\","
                              "user.quota-reset\r\n"
                              "2026-11-18T12:00:00.000Z,root,Created user,user bob,"),
             bytes.constData());
    QVERIFY(bytes.endsWith(",user.create\r\n"));
    QCOMPARE(bytes.count("\r\n"), 1 + 7); // the header and seven records; the reason's own line break stays inside its quotes

    // The export itself is on record, and the table shows it now.
    auto exports = AuditService(m_db->database(), m_db->clock()).list(m_root, onlyAction(QStringLiteral("report.export")));
    QVERIFY(exports);
    QCOMPARE(exports->size(), 1);
    QVERIFY2(exports->first().detailsJson.contains(QStringLiteral("\"rows\":7")), qPrintable(exports->first().detailsJson));
    QVERIFY(child<QComboBox>(&tab, "auditActionCombo")->findData(QStringLiteral("report.export")) > 0);
    QCOMPARE(column(tab, 0).size(), 8);
}

void TestAuditTab::detailsText_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QStringLiteral("{}") << QString();
    QTest::newRow("numbers and words") << QStringLiteral("{\"messages\":340,\"role\":\"analyst\"}")
                                       << QStringLiteral("messages: 340, role: analyst");
    QTest::newRow("underscores") << QStringLiteral("{\"survey_responses\":2}") << QStringLiteral("survey responses: 2");
    QTest::newRow("change") << QStringLiteral("{\"name\":{\"from\":\"Old\",\"to\":\"New\"}}") << QStringLiteral("name: Old → New");
    QTest::newRow("list") << QStringLiteral("{\"agents\":[\"news\",\"om\"]}") << QStringLiteral("agents: news, om");
    QTest::newRow("empty list") << QStringLiteral("{\"agents\":[]}") << QStringLiteral("agents: none");
    QTest::newRow("null") << QStringLiteral("{\"monthly_limit\":null}") << QStringLiteral("monthly limit: none");
    QTest::newRow("bool") << QStringLiteral("{\"first_account\":true}") << QStringLiteral("first account: yes");
    QTest::newRow("not JSON") << QStringLiteral("plain") << QStringLiteral("plain");
}

void TestAuditTab::detailsText()
{
    QFETCH(QString, json);
    QFETCH(QString, text);
    QLocale::setDefault(QLocale::c());
    QCOMPARE(AuditModel::detailsText(json), text);
}

void TestAuditTab::analystIsNotAllowed()
{
    seed();
    const Actor ann = Actor::user(record(QStringLiteral("ann")));
    AuditService service(m_db->database(), m_db->clock());
    auto listed = service.list(ann, {});
    QVERIFY(!listed);
    QCOMPARE(listed.error().code(), ErrorCode::NotAllowed);
    QVERIFY(listed.error().message().startsWith(QStringLiteral("Not allowed")));
    auto actions = service.actions(ann);
    QVERIFY(!actions);
    QCOMPARE(actions.error().code(), ErrorCode::NotAllowed);
    QVERIFY(!service.list(Actor::anonymous(), {}));
    QVERIFY(service.list(m_root, {}));

    AuditTab tab(m_db->database(), m_db->clock(), ann, nullptr);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QCOMPARE(child<QTableView>(&tab, "auditTable")->model()->rowCount(), 0);
    QVERIFY(child<QLabel>(&tab, "auditMessage")->text().startsWith(QStringLiteral("Not allowed")));
    QCOMPARE(child<QComboBox>(&tab, "auditActionCombo")->count(), 1);
    // …and an export writes nothing on record.
    QVERIFY(!tab.exportCsv(m_db->folder() + u"/x.csv"));
}

QTEST_MAIN(TestAuditTab)
#include "tst_audittab.moc"
