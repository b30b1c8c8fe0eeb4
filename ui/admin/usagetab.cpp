#include "usagetab.h"

#include "csvsavedialog.h"

#include "ui/appearance.h"
#include "ui/messagelabel.h"

#include "model/admin/csv.h"
#include "model/admin/usagereportmodel.h"
#include "model/admin/usagereportservice.h"
#include "model/quotaservice.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateEdit>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedBarSeries>
#include <QTableView>
#include <QValueAxis>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

/// Paints the rows of users who failed the reconciliation check; the Reconciliation column says
/// the same in words, so the mark does not rest on colour alone.
class MismatchHighlightProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::BackgroundRole && QSortFilterProxyModel::data(index, UsageReportModel::MismatchRole).toBool())
            return isDark(QApplication::palette()) ? QColor(0x7a, 0x4a, 0x00) : QColor(0xff, 0xe0, 0x99);
        return QSortFilterProxyModel::data(index, role);
    }
};

} // namespace

UsageTab::UsageTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent)
    : QWidget(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_admin(std::move(admin))
    , m_service(std::make_unique<UsageReportService>(m_database, m_clock))
    , m_quota(std::make_unique<QuotaService>(m_database, m_clock))
{
    setObjectName(QStringLiteral("usageTab"));
    setAccessibleName(tr("Usage"));

    // The range: two days and two presets. Days are UTC, as the quota months are.
    const QDate today = m_service->today();
    auto *fromLabel = new QLabel(tr("&From:"), this);
    m_fromEdit = new QDateEdit(this);
    m_fromEdit->setObjectName(QStringLiteral("usageFromEdit"));
    m_fromEdit->setAccessibleName(tr("First day"));
    fromLabel->setBuddy(m_fromEdit);
    auto *toLabel = new QLabel(tr("&To:"), this);
    m_toEdit = new QDateEdit(this);
    m_toEdit->setObjectName(QStringLiteral("usageToEdit"));
    m_toEdit->setAccessibleName(tr("Last day"));
    toLabel->setBuddy(m_toEdit);
    for (QDateEdit *edit : {m_fromEdit, m_toEdit}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setToolTip(tr("Days are counted in UTC, like the monthly quotas."));
    }
    m_lastWeekButton = new QPushButton(tr("Last 7 Days"), this);
    m_lastWeekButton->setObjectName(QStringLiteral("usageLastSevenDaysButton"));
    m_lastWeekButton->setAccessibleName(tr("Show the last 7 days"));
    m_thisMonthButton = new QPushButton(tr("This Month"), this);
    m_thisMonthButton->setObjectName(QStringLiteral("usageThisMonthButton"));
    m_thisMonthButton->setAccessibleName(tr("Show this month"));
    auto *splitLabel = new QLabel(tr("Chart &by:"), this);
    m_splitCombo = new QComboBox(this);
    m_splitCombo->setObjectName(QStringLiteral("usageChartSplitCombo"));
    m_splitCombo->setAccessibleName(tr("Split the chart by"));
    m_splitCombo->addItem(tr("Agent"), QVariant::fromValue(int(UsageChartData::Split::ByAgent)));
    m_splitCombo->addItem(tr("User"), QVariant::fromValue(int(UsageChartData::Split::ByUser)));
    splitLabel->setBuddy(m_splitCombo);

    auto *rangeRow = new QHBoxLayout;
    rangeRow->addWidget(fromLabel);
    rangeRow->addWidget(m_fromEdit);
    rangeRow->addWidget(toLabel);
    rangeRow->addWidget(m_toEdit);
    rangeRow->addWidget(m_lastWeekButton);
    rangeRow->addWidget(m_thisMonthButton);
    rangeRow->addStretch(1);
    rangeRow->addWidget(splitLabel);
    rangeRow->addWidget(m_splitCombo);

    m_chart = new QChart;
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(QStringLiteral("usageChartView"));
    m_chartView->setAccessibleName(tr("Queries per day"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("usageFilterEdit"));
    m_filterEdit->setAccessibleName(tr("Filter the usage table"));
    m_filterEdit->setPlaceholderText(tr("Filter by day, user or agent"));
    m_filterEdit->setClearButtonEnabled(true);

    m_model = new UsageReportModel(this);
    m_proxy = new MismatchHighlightProxy(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("usageTable"));
    m_table->setAccessibleName(tr("Queries by day, user and agent"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(UsageReportModel::DayColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_summaryLabel = new QLabel(this);
    m_summaryLabel->setObjectName(QStringLiteral("usageSummaryLabel"));

    m_reconcileButton = new QPushButton(tr("Check &Reconciliation"), this);
    m_reconcileButton->setObjectName(QStringLiteral("usageReconcileButton"));
    m_reconcileButton->setAccessibleName(tr("Check each user's counter against the ledger"));
    m_reconcileButton->setToolTip(tr("Compares each user's query counter this month with the queries in the ledger."));
    m_reconcileLabel = new QLabel(this);
    m_reconcileLabel->setObjectName(QStringLiteral("usageReconcileLabel"));
    m_reconcileLabel->setWordWrap(true);
    m_reconcileLabel->setTextFormat(Qt::PlainText);
    m_exportButton = new QPushButton(tr("&Export CSV…"), this);
    m_exportButton->setObjectName(QStringLiteral("usageExportButton"));
    m_exportButton->setAccessibleName(tr("Export the usage table as CSV"));

    auto *bottomRow = new QHBoxLayout;
    bottomRow->addWidget(m_reconcileButton);
    bottomRow->addWidget(m_reconcileLabel, 1);
    bottomRow->addWidget(m_exportButton);

    m_message = new MessageLabel(MessageLabel::Presentation::Banner, this);
    m_message->setObjectName(QStringLiteral("usageMessage"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(rangeRow);
    layout->addWidget(m_message);
    layout->addWidget(m_chartView, 1);
    layout->addWidget(m_filterEdit);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summaryLabel);
    layout->addLayout(bottomRow);

    m_settingRange = true;
    const auto month = UsageReportService::thisMonth(today);
    m_fromEdit->setDate(month.first);
    m_toEdit->setDate(month.second);
    m_settingRange = false;

    const auto onDateChanged = [this] {
        if (!m_settingRange)
            reload();
    };
    connect(m_fromEdit, &QDateEdit::dateChanged, this, onDateChanged);
    connect(m_toEdit, &QDateEdit::dateChanged, this, onDateChanged);
    connect(m_lastWeekButton, &QPushButton::clicked, this, [this] { applyPreset(UsageReportService::lastSevenDays(m_service->today())); });
    connect(m_thisMonthButton, &QPushButton::clicked, this, [this] { applyPreset(UsageReportService::thisMonth(m_service->today())); });
    connect(m_splitCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_chartData = UsageChartData::build(m_model->rows(), from(), to(),
                                            static_cast<UsageChartData::Split>(m_splitCombo->currentData().toInt()));
        rebuildChart();
    });
    connect(m_reconcileButton, &QPushButton::clicked, this, &UsageTab::checkReconciliation);
    connect(m_exportButton, &QPushButton::clicked, this, &UsageTab::chooseExportFile);

    reload();
}

UsageTab::~UsageTab() = default;

QDate UsageTab::from() const
{
    return m_fromEdit->date();
}

QDate UsageTab::to() const
{
    return m_toEdit->date();
}

void UsageTab::setRange(QDate from, QDate to)
{
    m_settingRange = true;
    m_fromEdit->setDate(from);
    m_toEdit->setDate(to);
    m_settingRange = false;
    reload();
}

void UsageTab::applyPreset(std::pair<QDate, QDate> range)
{
    setRange(range.first, range.second);
}

void UsageTab::reload()
{
    m_message->clearMessage();
    auto rows = m_service->dailyUsage(m_admin, from(), to());
    if (!rows) {
        m_model->setRows({});
        m_message->showError(rows.error().message());
    } else {
        m_model->setRows(std::move(*rows));
    }
    m_chartData = UsageChartData::build(m_model->rows(), from(), to(),
                                        static_cast<UsageChartData::Split>(m_splitCombo->currentData().toInt()));
    rebuildChart();

    int complete = 0;
    int failed = 0;
    int cancelled = 0;
    int reserved = 0;
    for (const UsageDayRow &row : m_model->rows()) {
        complete += row.complete;
        failed += row.failed;
        cancelled += row.cancelled;
        reserved += row.reserved;
    }
    m_summaryLabel->setText(tr("%n queries in this range: %1 complete, %2 failed, %3 cancelled, %4 still reserved.", nullptr,
                               complete + failed + cancelled + reserved)
                                .arg(complete)
                                .arg(failed)
                                .arg(cancelled)
                                .arg(reserved));
    if (rows)
        checkReconciliation();
    Q_EMIT reloaded();
}

void UsageTab::checkReconciliation()
{
    auto checked = m_quota->reconcile(m_admin);
    if (!checked) {
        m_model->setReconciliation({});
        m_reconcileLabel->setText(checked.error().message());
        return;
    }
    m_model->setReconciliation(*checked);
    const QList<ReconciliationRow> mismatches = m_model->mismatches();
    if (mismatches.isEmpty()) {
        m_reconcileLabel->setText(tr("Reconciliation: every user's counter matches the ledger this month (%n users).", nullptr,
                                     int(checked->size())));
        return;
    }
    QStringList parts;
    for (const ReconciliationRow &row : mismatches)
        parts.append(tr("%1 (counter %2, ledger %3)").arg(row.username).arg(row.counter).arg(row.ledger));
    m_reconcileLabel->setText(tr("Reconciliation: %n user(s) do not match the ledger this month: %1. Their rows are highlighted.",
                                 nullptr, int(mismatches.size()))
                                  .arg(parts.join(QStringLiteral(", "))));
}

void UsageTab::rebuildChart()
{
    m_chart->removeAllSeries();
    const QList<QAbstractAxis *> axes = m_chart->axes();
    for (QAbstractAxis *axis : axes) {
        m_chart->removeAxis(axis);
        delete axis;
    }

    const bool byAgent = static_cast<UsageChartData::Split>(m_splitCombo->currentData().toInt()) == UsageChartData::Split::ByAgent;
    m_chart->setTitle(m_chartData.total() == 0 ? tr("No queries in this range")
                      : byAgent               ? tr("Queries per day by agent")
                                              : tr("Queries per day by user"));

    auto *series = new QStackedBarSeries;
    for (qsizetype i = 0; i < m_chartData.series.size(); ++i) {
        auto *set = new QBarSet(m_chartData.series.at(i));
        for (int value : m_chartData.counts.at(i))
            set->append(value);
        series->append(set);
    }
    m_chart->addSeries(series);

    QStringList categories;
    for (const QDate &day : m_chartData.days)
        categories.append(day.toString(QStringLiteral("MM-dd")));
    auto *days = new QBarCategoryAxis;
    days->append(categories);
    // A week's labels fit side by side; a month's or more stand upright.
    days->setLabelsAngle(categories.size() > 14 ? -90 : 0);
    m_chart->addAxis(days, Qt::AlignBottom);
    series->attachAxis(days);

    auto *counts = new QValueAxis;
    counts->setLabelFormat(QStringLiteral("%d"));
    const int highest = std::max(1, m_chartData.highestDay());
    // Whole numbers on the axis: at most 5 ticks on a round step.
    int step = 1;
    while (highest / step > 5)
        step = step == 1 ? 2 : step == 2 ? 5 : step * 2;
    const int top = (highest + step - 1) / step * step;
    counts->setRange(0, top);
    counts->setTickCount(top / step + 1);
    m_chart->addAxis(counts, Qt::AlignLeft);
    series->attachAxis(counts);
    m_chart->legend()->setVisible(!m_chartData.series.isEmpty());
}

void UsageTab::chooseExportFile()
{
    const QString name = tr("usage %1 to %2.csv").arg(from().toString(Qt::ISODate), to().toString(Qt::ISODate));
    openCsvSaveDialog(this, tr("Export Usage"), name, QStringLiteral("usageExportDialog"), [this](const QString &path) {
        if (auto saved = exportCsv(path); !saved)
            m_message->showError(saved.error().message());
        else
            m_message->showHint(tr("Saved %1.").arg(QFileInfo(path).fileName()));
    });
}

Result<void> UsageTab::exportCsv(const QString &path)
{
    return m_service->exportCsv(m_admin, path, toCsv(*m_proxy), m_proxy->rowCount());
}

} // namespace heliodesk
