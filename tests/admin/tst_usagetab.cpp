// The Usage tab and its service: queries per UTC day by user and agent, from real ledger rows
// (QuotaService::reserve + recordOutcome); the stacked bar chart and the table; presets, filters,
// the reconciliation check with the mismatched user's rows marked; CSV export; analysts refused.

#include "ui/admin/usagetab.h"

#include "model/admin/usagereportmodel.h"
#include "model/admin/usagereportservice.h"
#include "model/quotaservice.h"
#include "storage/auditstore.h"
#include "storage/sql.h"
#include "support/testdatabase.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QDateEdit>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStackedBarSeries>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

QDateTime at(int day, int hour = 12, int minute = 0)
{
    return QDateTime(QDate(2026, 11, day), QTime(hour, minute), Qt::UTC);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QList<int> valuesOf(const QBarSet *set)
{
    QList<int> values;
    for (int i = 0; i < set->count(); ++i)
        values.append(int(set->at(i)));
    return values;
}

} // namespace

class TestUsageTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void analystIsRefused();
    void serviceCountsPerDayUserAgentAndOutcome();
    void daysAreUtcAndBothEndsIncluded();
    void badRanges_data();
    void badRanges();
    void presets();
    void chartAndTableFromTheLedger();
    void chartByUser();
    void editingTheRangeReloads();
    void filterNarrowsTheTable();
    void tableSortsNumbers();
    void reconciliationMarksMismatches();
    void exportWritesTheTableAsShown();
    void exportButtonOpensADialog();
    void analystTabShowsTheRefusal();

private:
    /// One query of `user` to `agent` at `when`, ended with `outcome` (left reserved if Reserved).
    void ask(const UserRecord &user, const QString &agent, const QDateTime &when, UsageOutcome outcome);

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<QuotaService> m_quota;
    std::unique_ptr<UsageReportService> m_service;
    Actor m_admin = Actor::anonymous();
    UserRecord m_ann;
    UserRecord m_bob;
};

void TestUsageTab::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY(m_db->isValid());
    m_admin = m_db->createAdmin();
    m_ann = m_db->createAnalyst(QStringLiteral("ann"));
    m_bob = m_db->createAnalyst(QStringLiteral("bob"));
    m_quota = std::make_unique<QuotaService>(m_db->database(), m_db->clock());
    m_service = std::make_unique<UsageReportService>(m_db->database(), m_db->clock());

    // Ann: 10 Nov two complete on News, one failed on O&M; 12 Nov one cancelled on News.
    // Bob: 10 Nov one complete on Market; 14 Nov one still reserved on News.
    ask(m_ann, QStringLiteral("news"), at(10, 9), UsageOutcome::Complete);
    ask(m_ann, QStringLiteral("news"), at(10, 17), UsageOutcome::Complete);
    ask(m_ann, QStringLiteral("om"), at(10, 18), UsageOutcome::Failed);
    ask(m_ann, QStringLiteral("news"), at(12, 8), UsageOutcome::Cancelled);
    ask(m_bob, QStringLiteral("market"), at(10, 11), UsageOutcome::Complete);
    ask(m_bob, QStringLiteral("news"), at(14, 23, 59), UsageOutcome::Reserved);
    m_db->clock()->set(at(15));
}

void TestUsageTab::cleanup()
{
    m_service.reset();
    m_quota.reset();
    m_db.reset();
}

void TestUsageTab::ask(const UserRecord &user, const QString &agent, const QDateTime &when, UsageOutcome outcome)
{
    m_db->clock()->set(when);
    auto reserved = m_quota->reserve(Actor::user(user), agent);
    QVERIFY2(reserved, qPrintable(reserved ? QString() : reserved.error().toLogString()));
    if (outcome == UsageOutcome::Reserved)
        return;
    m_db->clock()->advance(std::chrono::seconds(5));
    auto recorded = m_quota->recordOutcome(reserved->usageEventId, outcome, outcome == UsageOutcome::Failed ? QStringLiteral("timeout") : QString());
    QVERIFY2(recorded, qPrintable(recorded ? QString() : recorded.error().toLogString()));
}

void TestUsageTab::analystIsRefused()
{
    const int auditBefore = m_db->count(QStringLiteral("audit_log"));
    auto rows = m_service->dailyUsage(Actor::user(m_ann), QDate(2026, 11, 1), QDate(2026, 11, 15));
    QVERIFY(!rows);
    QCOMPARE(rows.error().code(), ErrorCode::NotAllowed);
    QVERIFY2(rows.error().message().startsWith(QStringLiteral("Not allowed:")), qPrintable(rows.error().message()));
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("usage.csv"));
    auto exported = m_service->exportCsv(Actor::user(m_ann), path, QByteArray("a\r\n"), 1);
    QVERIFY(!exported);
    QCOMPARE(exported.error().code(), ErrorCode::NotAllowed);
    QVERIFY(!QFile::exists(path)); // nothing written for an analyst
    QCOMPARE(m_db->count(QStringLiteral("audit_log")), auditBefore);
    // Nobody signed in, likewise.
    auto anonymous = m_service->dailyUsage(Actor::anonymous(), QDate(2026, 11, 1), QDate(2026, 11, 15));
    QVERIFY(!anonymous);
    QCOMPARE(anonymous.error().code(), ErrorCode::NotAllowed);
    // A demoted admin loses the right at once: the role is read from the database.
    auto promoted = Actor::user([&] { UserRecord r = m_ann; r.role = Role::Admin; return r; }());
    auto stale = m_service->dailyUsage(promoted, QDate(2026, 11, 1), QDate(2026, 11, 15));
    QVERIFY(!stale);
    QCOMPARE(stale.error().code(), ErrorCode::NotAllowed);
}

void TestUsageTab::serviceCountsPerDayUserAgentAndOutcome()
{
    auto rows = m_service->dailyUsage(m_admin, QDate(2026, 11, 1), QDate(2026, 11, 15));
    QVERIFY2(rows, qPrintable(rows ? QString() : rows.error().toLogString()));
    const QList<UsageDayRow> expected = {
        {QDate(2026, 11, 10), m_ann.id, QStringLiteral("ann"), QStringLiteral("news"), QStringLiteral("News"), 2, 0, 0, 0},
        {QDate(2026, 11, 10), m_ann.id, QStringLiteral("ann"), QStringLiteral("om"), QStringLiteral("O&M"), 0, 1, 0, 0},
        {QDate(2026, 11, 10), m_bob.id, QStringLiteral("bob"), QStringLiteral("market"), QStringLiteral("Market Intelligence"), 1, 0, 0, 0},
        {QDate(2026, 11, 12), m_ann.id, QStringLiteral("ann"), QStringLiteral("news"), QStringLiteral("News"), 0, 0, 1, 0},
        {QDate(2026, 11, 14), m_bob.id, QStringLiteral("bob"), QStringLiteral("news"), QStringLiteral("News"), 0, 0, 0, 1},
    };
    QCOMPARE(rows->size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QVERIFY2(rows->at(i) == expected.at(i), qPrintable(QStringLiteral("row %1: %2 %3 %4").arg(i).arg(rows->at(i).day.toString(Qt::ISODate),
                                                                                                        rows->at(i).username, rows->at(i).agentId)));
    // The system operator (heliodeskctl) may read it too.
    auto asSystem = m_service->dailyUsage(Actor::system(QStringLiteral("test")), QDate(2026, 11, 10), QDate(2026, 11, 10));
    QVERIFY(asSystem);
    QCOMPARE(asSystem->size(), 3);
}

void TestUsageTab::daysAreUtcAndBothEndsIncluded()
{
    // Bob's reserved query at 23:59 on the 14th belongs to the 14th; the range 14–14 has it, 15–15 not.
    auto only14 = m_service->dailyUsage(m_admin, QDate(2026, 11, 14), QDate(2026, 11, 14));
    QVERIFY(only14);
    QCOMPARE(only14->size(), 1);
    QCOMPARE(only14->first().reserved, 1);
    // A query at 00:00:00.000 on the 15th is on the 15th.
    ask(m_ann, QStringLiteral("om"), at(15, 0, 0), UsageOutcome::Complete);
    auto only15 = m_service->dailyUsage(m_admin, QDate(2026, 11, 15), QDate(2026, 11, 15));
    QVERIFY(only15);
    QCOMPARE(only15->size(), 1);
    QCOMPARE(only15->first().day, QDate(2026, 11, 15));
    auto before = m_service->dailyUsage(m_admin, QDate(2026, 11, 11), QDate(2026, 11, 13));
    QVERIFY(before);
    QCOMPARE(before->size(), 1);
    QCOMPARE(before->first().day, QDate(2026, 11, 12));
}

void TestUsageTab::badRanges_data()
{
    QTest::addColumn<QDate>("from");
    QTest::addColumn<QDate>("to");
    QTest::addColumn<QString>("says");
    QTest::newRow("backwards") << QDate(2026, 11, 10) << QDate(2026, 11, 9) << QStringLiteral("before it starts");
    QTest::newRow("too long") << QDate(2025, 1, 1) << QDate(2026, 11, 15) << QStringLiteral("choose at most 366");
    QTest::newRow("no first day") << QDate() << QDate(2026, 11, 15) << QStringLiteral("Choose both");
}

void TestUsageTab::badRanges()
{
    QFETCH(QDate, from);
    QFETCH(QDate, to);
    QFETCH(QString, says);
    auto rows = m_service->dailyUsage(m_admin, from, to);
    QVERIFY(!rows);
    QCOMPARE(rows.error().code(), ErrorCode::InvalidInput);
    QVERIFY2(rows.error().message().contains(says), qPrintable(rows.error().message()));
}

void TestUsageTab::presets()
{
    QCOMPARE(UsageReportService::lastSevenDays(QDate(2026, 11, 3)), std::make_pair(QDate(2026, 10, 28), QDate(2026, 11, 3)));
    QCOMPARE(UsageReportService::thisMonth(QDate(2026, 11, 3)), std::make_pair(QDate(2026, 11, 1), QDate(2026, 11, 3)));

    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    // It opens on this month.
    QCOMPARE(tab.from(), QDate(2026, 11, 1));
    QCOMPARE(tab.to(), QDate(2026, 11, 15));
    QCOMPARE(tab.proxy()->rowCount(), 5);

    QSignalSpy reloaded(&tab, &UsageTab::reloaded);
    auto *lastWeek = tab.findChild<QPushButton *>(QStringLiteral("usageLastSevenDaysButton"));
    QVERIFY(lastWeek);
    QTest::mouseClick(lastWeek, Qt::LeftButton);
    QCOMPARE(tab.from(), QDate(2026, 11, 9));
    QCOMPARE(tab.to(), QDate(2026, 11, 15));
    QCOMPARE(reloaded.size(), 1); // once, not once per date
    QCOMPARE(tab.chartData().days.size(), 7);

    auto *thisMonth = tab.findChild<QPushButton *>(QStringLiteral("usageThisMonthButton"));
    QVERIFY(thisMonth);
    QTest::mouseClick(thisMonth, Qt::LeftButton);
    QCOMPARE(tab.from(), QDate(2026, 11, 1));
    QCOMPARE(tab.to(), QDate(2026, 11, 15));
    QCOMPARE(tab.chartData().days.size(), 15);
}

void TestUsageTab::chartAndTableFromTheLedger()
{
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.setRange(QDate(2026, 11, 10), QDate(2026, 11, 14));
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));

    // The table, sorted by day.
    QSortFilterProxyModel *proxy = tab.proxy();
    QCOMPARE(proxy->rowCount(), 5);
    QCOMPARE(proxy->index(0, UsageReportModel::DayColumn).data().toString(), QStringLiteral("2026-11-10"));
    QCOMPARE(proxy->index(4, UsageReportModel::DayColumn).data().toString(), QStringLiteral("2026-11-14"));
    int complete = 0;
    int failed = 0;
    int cancelled = 0;
    int reserved = 0;
    for (int row = 0; row < proxy->rowCount(); ++row) {
        complete += proxy->index(row, UsageReportModel::CompleteColumn).data().toInt();
        failed += proxy->index(row, UsageReportModel::FailedColumn).data().toInt();
        cancelled += proxy->index(row, UsageReportModel::CancelledColumn).data().toInt();
        reserved += proxy->index(row, UsageReportModel::ReservedColumn).data().toInt();
    }
    QCOMPARE(complete, 3);
    QCOMPARE(failed, 1);
    QCOMPARE(cancelled, 1);
    QCOMPARE(reserved, 1);
    auto *summary = tab.findChild<QLabel *>(QStringLiteral("usageSummaryLabel"));
    QVERIFY(summary);
    QVERIFY2(summary->text().startsWith(QStringLiteral("6 queries in this range: 3 complete, 1 failed, 1 cancelled, 1 still reserved")),
             qPrintable(summary->text()));

    // The chart: one stacked bar per day, one set per agent, in name order.
    QChart *chart = tab.chart();
    QCOMPARE(chart->series().size(), 1);
    auto *series = qobject_cast<QStackedBarSeries *>(chart->series().first());
    QVERIFY(series);
    QStringList names;
    QList<QList<int>> values;
    for (QBarSet *set : series->barSets()) {
        names.append(set->label());
        values.append(valuesOf(set));
    }
    QCOMPARE(names, (QStringList{QStringLiteral("Market Intelligence"), QStringLiteral("News"), QStringLiteral("O&M")}));
    //                       10  11  12  13  14 Nov
    QCOMPARE(values.at(0), (QList<int>{1, 0, 0, 0, 0}));
    QCOMPARE(values.at(1), (QList<int>{2, 0, 1, 0, 1}));
    QCOMPARE(values.at(2), (QList<int>{1, 0, 0, 0, 0}));
    QCOMPARE(tab.chartData().highestDay(), 4);
    QCOMPARE(chart->title(), QStringLiteral("Queries per day by agent"));
    auto *days = qobject_cast<QBarCategoryAxis *>(chart->axes(Qt::Horizontal).value(0));
    QVERIFY(days);
    QCOMPARE(days->categories(), (QStringList{QStringLiteral("11-10"), QStringLiteral("11-11"), QStringLiteral("11-12"),
                                              QStringLiteral("11-13"), QStringLiteral("11-14")}));

    // A new query shows after a reload.
    ask(m_bob, QStringLiteral("om"), at(11, 10), UsageOutcome::Complete);
    tab.reload();
    QCOMPARE(proxy->rowCount(), 6);
    series = qobject_cast<QStackedBarSeries *>(chart->series().first());
    QVERIFY(series);
    QCOMPARE(valuesOf(series->barSets().at(2)), (QList<int>{1, 1, 0, 0, 0}));

    // A range without queries says so.
    tab.setRange(QDate(2026, 11, 1), QDate(2026, 11, 5));
    QCOMPARE(proxy->rowCount(), 0);
    QCOMPARE(chart->title(), QStringLiteral("No queries in this range"));
}

void TestUsageTab::chartByUser()
{
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.setRange(QDate(2026, 11, 10), QDate(2026, 11, 12));
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *split = tab.findChild<QComboBox *>(QStringLiteral("usageChartSplitCombo"));
    QVERIFY(split);
    split->setFocus();
    QTest::keyClick(split, Qt::Key_Down);
    QCOMPARE(split->currentText(), QStringLiteral("User"));
    auto *series = qobject_cast<QStackedBarSeries *>(tab.chart()->series().value(0));
    QVERIFY(series);
    QCOMPARE(series->count(), 2);
    QCOMPARE(series->barSets().at(0)->label(), QStringLiteral("ann"));
    QCOMPARE(valuesOf(series->barSets().at(0)), (QList<int>{3, 0, 1}));
    QCOMPARE(series->barSets().at(1)->label(), QStringLiteral("bob"));
    QCOMPARE(valuesOf(series->barSets().at(1)), (QList<int>{1, 0, 0}));
    QCOMPARE(tab.chart()->title(), QStringLiteral("Queries per day by user"));
}

void TestUsageTab::editingTheRangeReloads()
{
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.setRange(QDate(2026, 11, 13), QDate(2026, 11, 15));
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QCOMPARE(tab.proxy()->rowCount(), 1);
    auto *fromEdit = tab.findChild<QDateEdit *>(QStringLiteral("usageFromEdit"));
    QVERIFY(fromEdit);
    // Type a new first day: select the day section and step it down with the keyboard.
    fromEdit->setFocus();
    fromEdit->setCurrentSection(QDateTimeEdit::DaySection);
    QTest::keyClick(fromEdit, Qt::Key_Down); // 12 Nov
    QCOMPARE(tab.from(), QDate(2026, 11, 12));
    QCOMPARE(tab.proxy()->rowCount(), 2);

    // A range that ends before it starts is refused with the reason, and the table empties.
    auto *toEdit = tab.findChild<QDateEdit *>(QStringLiteral("usageToEdit"));
    QVERIFY(toEdit);
    toEdit->setDate(QDate(2026, 11, 11));
    QCOMPARE(tab.proxy()->rowCount(), 0);
    auto *message = tab.findChild<QLabel *>(QStringLiteral("usageMessage"));
    QVERIFY(message);
    QVERIFY2(message->text().contains(QStringLiteral("before it starts")), qPrintable(message->text()));
}

void TestUsageTab::filterNarrowsTheTable()
{
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *filter = tab.findChild<QLineEdit *>(QStringLiteral("usageFilterEdit"));
    QVERIFY(filter);
    QTest::keyClicks(filter, QStringLiteral("BOB"));
    QCOMPARE(tab.proxy()->rowCount(), 2);
    for (int row = 0; row < tab.proxy()->rowCount(); ++row)
        QCOMPARE(tab.proxy()->index(row, UsageReportModel::UserColumn).data().toString(), QStringLiteral("bob"));
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("O&M"));
    QCOMPARE(tab.proxy()->rowCount(), 1);
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("11-12"));
    QCOMPARE(tab.proxy()->rowCount(), 1);
    QCOMPARE(tab.proxy()->index(0, UsageReportModel::CancelledColumn).data().toInt(), 1);
}

void TestUsageTab::tableSortsNumbers()
{
    // 12 queries for one row, so that "12" sorts above "2" as a number would.
    for (int i = 0; i < 12; ++i)
        ask(m_bob, QStringLiteral("om"), at(13, 1, i), UsageOutcome::Complete);
    m_db->clock()->set(at(15));
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QHeaderView *header = tab.tableView()->horizontalHeader();
    const int x = header->sectionViewportPosition(UsageReportModel::TotalColumn) + header->sectionSize(UsageReportModel::TotalColumn) / 2;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    QCOMPARE(header->sortIndicatorSection(), int(UsageReportModel::TotalColumn));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(tab.proxy()->index(0, UsageReportModel::TotalColumn).data().toInt(), 12);
    QCOMPARE(tab.proxy()->index(1, UsageReportModel::TotalColumn).data().toInt(), 2);
}

void TestUsageTab::reconciliationMarksMismatches()
{
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *label = tab.findChild<QLabel *>(QStringLiteral("usageReconcileLabel"));
    QVERIFY(label);
    QVERIFY2(label->text().contains(QStringLiteral("every user's counter matches the ledger")), qPrintable(label->text()));
    for (int row = 0; row < tab.proxy()->rowCount(); ++row)
        QVERIFY(!tab.proxy()->index(row, 0).data(UsageReportModel::MismatchRole).toBool());

    // Someone changed Ann's counter behind the ledger's back.
    auto bumped = execSql(m_db->connection(), QStringLiteral("UPDATE users SET quota_used = quota_used + 2 WHERE username = 'ann'"));
    QVERIFY(bumped);
    auto *check = tab.findChild<QPushButton *>(QStringLiteral("usageReconcileButton"));
    QVERIFY(check);
    QTest::mouseClick(check, Qt::LeftButton);
    QVERIFY2(label->text().contains(QStringLiteral("ann (counter 6, ledger 4)")), qPrintable(label->text()));
    QVERIFY(!label->text().contains(QStringLiteral("bob")));
    int marked = 0;
    for (int row = 0; row < tab.proxy()->rowCount(); ++row) {
        const bool isAnn = tab.proxy()->index(row, UsageReportModel::UserColumn).data().toString() == u"ann";
        const QModelIndex cell = tab.proxy()->index(row, UsageReportModel::UserColumn);
        QCOMPARE(cell.data(UsageReportModel::MismatchRole).toBool(), isAnn);
        QCOMPARE(cell.data(Qt::BackgroundRole).isValid(), isAnn); // highlighted
        QCOMPARE(tab.proxy()->index(row, UsageReportModel::ReconciliationColumn).data().toString(),
                 isAnn ? QStringLiteral("Mismatch: counter 6, ledger 4") : QString());
        if (isAnn) {
            ++marked;
            QVERIFY(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("holds 4")));
        }
    }
    QCOMPARE(marked, 3);

    // Mended: the marks go at the next check.
    QVERIFY(execSql(m_db->connection(), QStringLiteral("UPDATE users SET quota_used = quota_used - 2 WHERE username = 'ann'")));
    QTest::mouseClick(check, Qt::LeftButton);
    for (int row = 0; row < tab.proxy()->rowCount(); ++row)
        QVERIFY(!tab.proxy()->index(row, 0).data(Qt::BackgroundRole).isValid());
}

void TestUsageTab::exportWritesTheTableAsShown()
{
    QVERIFY(execSql(m_db->connection(), QStringLiteral("UPDATE users SET quota_used = quota_used + 1 WHERE username = 'bob'")));
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("usage.csv"));
    auto saved = tab.exportCsv(path);
    QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toLogString()));
    QCOMPARE(readAll(path),
             QByteArray("Day (UTC),User,Agent,Complete,Failed,Cancelled,Reserved,Total,Reconciliation\r\n"
                        "2026-11-10,ann,News,2,0,0,0,2,\r\n"
                        "2026-11-10,ann,O&M,0,1,0,0,1,\r\n"
                        "2026-11-10,bob,Market Intelligence,1,0,0,0,1,\"Mismatch: counter 3, ledger 2\"\r\n"
                        "2026-11-12,ann,News,0,0,1,0,1,\r\n"
                        "2026-11-14,bob,News,0,0,0,1,1,\"Mismatch: counter 3, ledger 2\"\r\n"));

    // Filtered: only what the table shows.
    QTest::keyClicks(tab.findChild<QLineEdit *>(QStringLiteral("usageFilterEdit")), QStringLiteral("ann"));
    QVERIFY(tab.exportCsv(path));
    QCOMPARE(readAll(path).count("\r\n"), 4);

    // Each export is on record.
    auto entries = AuditStore::list(m_db->connection(), 10, QStringLiteral("report.export"));
    QVERIFY(entries);
    QCOMPARE(entries->size(), 2);
    QCOMPARE(entries->first().actorName, QStringLiteral("root"));
    QCOMPARE(entries->first().targetName, QStringLiteral("usage"));
    QCOMPARE(entries->first().detailsJson, QStringLiteral("{\"file\":\"usage.csv\",\"rows\":3}"));
}

void TestUsageTab::exportButtonOpensADialog()
{
    UsageTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QTest::mouseClick(tab.findChild<QPushButton *>(QStringLiteral("usageExportButton")), Qt::LeftButton);
    // We are here while the dialog is open: it did not block.
    QPointer<QFileDialog> dialog = tab.findChild<QFileDialog *>(QStringLiteral("usageExportDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
    QCOMPARE(QFileInfo(dialog->selectedFiles().value(0)).fileName(), QStringLiteral("usage 2026-11-01 to 2026-11-15.csv"));
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("chosen.csv"));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // as the Save button does
    QVERIFY(readAll(path).startsWith("Day (UTC),User,Agent,"));
    auto *message = tab.findChild<QLabel *>(QStringLiteral("usageMessage"));
    QCOMPARE(message->text(), QStringLiteral("Saved chosen.csv."));
    QTRY_VERIFY(dialog.isNull());
}

void TestUsageTab::analystTabShowsTheRefusal()
{
    UsageTab tab(m_db->database(), m_db->clock(), Actor::user(m_ann));
    QCOMPARE(tab.proxy()->rowCount(), 0);
    auto *message = tab.findChild<QLabel *>(QStringLiteral("usageMessage"));
    QVERIFY(message);
    QVERIFY2(message->text().startsWith(QStringLiteral("Not allowed:")), qPrintable(message->text()));
    QTemporaryDir out;
    auto exported = tab.exportCsv(out.filePath(QStringLiteral("x.csv")));
    QVERIFY(!exported);
    QCOMPARE(exported.error().code(), ErrorCode::NotAllowed);
    QVERIFY(!QFile::exists(out.filePath(QStringLiteral("x.csv"))));
}

QTEST_MAIN(TestUsageTab)
#include "tst_usagetab.moc"
