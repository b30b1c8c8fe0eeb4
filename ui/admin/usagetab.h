#pragma once

// The admin panel's Usage tab: queries per day for a chosen range (UTC days) as a stacked bar
// chart by agent or by user, and a table by day, user and agent with the outcomes; CSV export;
// the reconciliation check (each user's counter against the ledger this month) with the rows of
// any mismatched user highlighted.

#include "model/actor.h"
#include "model/admin/usagechartdata.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/error.h"

#include <QWidget>

#include <memory>

class QChart;
class QChartView;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace heliodesk {

class MessageLabel;
class QuotaService;
class UsageReportModel;
class UsageReportService;

class UsageTab : public QWidget
{
    Q_OBJECT

public:
    UsageTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent = nullptr);
    ~UsageTab() override;

    /// Shows `from` to `to` (both included) and reads them.
    void setRange(QDate from, QDate to);
    [[nodiscard]] QDate from() const;
    [[nodiscard]] QDate to() const;

    /// Saves the table as shown (filtered and sorted) in `path` as CSV, and records the export in
    /// the audit log.
    Result<void> exportCsv(const QString &path);

    [[nodiscard]] UsageReportModel *model() const { return m_model; }
    [[nodiscard]] QSortFilterProxyModel *proxy() const { return m_proxy; }
    [[nodiscard]] QTableView *tableView() const { return m_table; }
    [[nodiscard]] QChart *chart() const { return m_chart; }
    /// The numbers the chart shows.
    [[nodiscard]] const UsageChartData &chartData() const { return m_chartData; }

public Q_SLOTS:
    /// Reads the range and the reconciliation check again.
    void reload();
    /// Runs the reconciliation check and marks the rows of users whose counter disagrees.
    void checkReconciliation();

Q_SIGNALS:
    /// After every reload (also a failed one), for tests and the panel's status.
    void reloaded();

private:
    void applyPreset(std::pair<QDate, QDate> range);
    void rebuildChart();
    void chooseExportFile();

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    Actor m_admin;
    std::unique_ptr<UsageReportService> m_service;
    std::unique_ptr<QuotaService> m_quota;
    UsageChartData m_chartData;
    bool m_settingRange = false;

    QDateEdit *m_fromEdit;
    QDateEdit *m_toEdit;
    QPushButton *m_lastWeekButton;
    QPushButton *m_thisMonthButton;
    QComboBox *m_splitCombo;
    QChartView *m_chartView;
    QChart *m_chart;
    QLineEdit *m_filterEdit;
    UsageReportModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_summaryLabel;
    QPushButton *m_reconcileButton;
    QLabel *m_reconcileLabel;
    QPushButton *m_exportButton;
    MessageLabel *m_message;
};

} // namespace heliodesk
