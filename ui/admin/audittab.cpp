#include "audittab.h"

#include "csvsavedialog.h"

#include "ui/messagelabel.h"

#include "model/admin/auditmodel.h"
#include "model/admin/auditservice.h"
#include "model/admin/csv.h"
#include "model/admin/exportaudit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace heliodesk {

AuditTab::AuditTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent)
    : QWidget(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_admin(std::move(admin))
    , m_model(new AuditModel(m_database, m_clock, m_admin, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_actionCombo(new QComboBox(this))
    , m_textEdit(new QLineEdit(this))
    , m_dateCheck(new QCheckBox(tr("&Between"), this))
    , m_fromEdit(new QDateEdit(this))
    , m_toEdit(new QDateEdit(this))
    , m_exportButton(new QPushButton(tr("&Export CSV…"), this))
    , m_table(new QTableView(this))
    , m_countLabel(new QLabel(this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("auditTab"));
    setAccessibleName(tr("Audit log"));

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(AuditModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_actionCombo->setObjectName(QStringLiteral("auditActionCombo"));
    m_actionCombo->setAccessibleName(tr("Only this action"));
    m_actionCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_textEdit->setObjectName(QStringLiteral("auditFilterEdit"));
    m_textEdit->setAccessibleName(tr("Filter by who or on whom"));
    m_textEdit->setPlaceholderText(tr("Filter by who or on whom"));
    m_textEdit->setClearButtonEnabled(true);

    const QDate today = m_clock->nowUtc().toLocalTime().date();
    m_dateCheck->setObjectName(QStringLiteral("auditDateCheck"));
    m_dateCheck->setAccessibleName(tr("Only between two dates"));
    m_fromEdit->setObjectName(QStringLiteral("auditFromEdit"));
    m_fromEdit->setAccessibleName(tr("From date"));
    m_fromEdit->setCalendarPopup(true);
    m_fromEdit->setDate(today.addDays(-30));
    m_fromEdit->setEnabled(false);
    m_toEdit->setObjectName(QStringLiteral("auditToEdit"));
    m_toEdit->setAccessibleName(tr("To date"));
    m_toEdit->setCalendarPopup(true);
    m_toEdit->setDate(today);
    m_toEdit->setEnabled(false);
    auto *andLabel = new QLabel(tr("and"), this);

    m_exportButton->setObjectName(QStringLiteral("auditExportButton"));
    m_exportButton->setAccessibleName(tr("Export the audit log as CSV"));
    m_exportButton->setAutoDefault(false);

    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setAccessibleName(tr("Audit log"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AuditModel::WhenColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(AuditModel::DetailsColumn, QHeaderView::Stretch);

    m_countLabel->setObjectName(QStringLiteral("auditCountLabel"));
    m_countLabel->setAccessibleName(tr("Entries shown"));
    m_message->setObjectName(QStringLiteral("auditMessage"));

    connect(m_actionCombo, &QComboBox::currentIndexChanged, this, &AuditTab::reloadEntries);
    connect(m_textEdit, &QLineEdit::textChanged, this, &AuditTab::reloadEntries);
    connect(m_dateCheck, &QCheckBox::toggled, this, [this](bool on) {
        m_fromEdit->setEnabled(on);
        m_toEdit->setEnabled(on);
        reloadEntries();
    });
    connect(m_fromEdit, &QDateEdit::dateChanged, this, &AuditTab::reloadEntries);
    connect(m_toEdit, &QDateEdit::dateChanged, this, &AuditTab::reloadEntries);
    connect(m_exportButton, &QPushButton::clicked, this, &AuditTab::chooseExportFile);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_actionCombo);
    filters->addWidget(m_textEdit, 1);
    filters->addWidget(m_dateCheck);
    filters->addWidget(m_fromEdit);
    filters->addWidget(andLabel);
    filters->addWidget(m_toEdit);
    auto *foot = new QHBoxLayout;
    foot->addWidget(m_countLabel, 1);
    foot->addWidget(m_exportButton);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message);
    layout->addLayout(foot);

    reload();
}

AuditStore::Filter AuditTab::currentFilter() const
{
    AuditStore::Filter filter;
    filter.action = m_actionCombo->currentData().toString();
    filter.text = m_textEdit->text().trimmed();
    if (m_dateCheck->isChecked()) {
        // Whole local days, the last one included.
        QDate from = m_fromEdit->date();
        QDate to = m_toEdit->date();
        if (to < from)
            std::swap(from, to);
        filter.fromMs = from.startOfDay().toMSecsSinceEpoch();
        filter.toMs = to.addDays(1).startOfDay().toMSecsSinceEpoch();
    }
    return filter;
}

void AuditTab::reload()
{
    reloadActions();
    reloadEntries();
}

void AuditTab::reloadActions()
{
    AuditService service(m_database, m_clock);
    auto actions = service.actions(m_admin);
    const QString current = m_actionCombo->currentData().toString();
    const QSignalBlocker blocker(m_actionCombo);
    m_actionCombo->clear();
    m_actionCombo->addItem(tr("All actions"), QString());
    if (actions) {
        for (const QString &action : std::as_const(*actions))
            m_actionCombo->addItem(AuditModel::actionTitle(action), action);
    }
    const int index = m_actionCombo->findData(current);
    m_actionCombo->setCurrentIndex(index < 0 ? 0 : index);
}

void AuditTab::reloadEntries()
{
    if (auto loaded = m_model->reload(currentFilter()); !loaded)
        m_message->showError(loaded.error().message());
    else
        m_message->clearMessage();
    const int rows = m_proxy->rowCount();
    m_countLabel->setText(rows >= m_model->filter().limit ? tr("The newest %n entries", nullptr, rows)
                                                           : tr("%n entries", nullptr, rows));
    m_exportButton->setEnabled(rows > 0);
}

void AuditTab::chooseExportFile()
{
    const QString name = tr("heliodesk-audit-%1.csv").arg(m_clock->nowUtc().toLocalTime().date().toString(Qt::ISODate));
    openCsvSaveDialog(this, tr("Export Audit Log"), name, QStringLiteral("auditExportDialog"), [this](const QString &path) {
        if (auto saved = exportCsv(path); !saved)
            m_message->showError(saved.error().message());
        else
            m_message->showHint(tr("Saved %1.").arg(QFileInfo(path).fileName()));
    });
}

Result<void> AuditTab::exportCsv(const QString &path)
{
    QStringList header;
    for (int column = 0; column < m_proxy->columnCount(); ++column)
        header << m_proxy->headerData(column, Qt::Horizontal).toString();
    header[AuditModel::WhenColumn] = tr("When (UTC)");
    header << tr("Action code");
    QList<QStringList> rows;
    rows.reserve(m_proxy->rowCount());
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        QStringList fields;
        for (int column = 0; column < m_proxy->columnCount(); ++column) {
            // Names and details can hold text people typed (a reason): keep it from running as a formula.
            const QModelIndex index = m_proxy->index(row, column);
            if (column == AuditModel::WhenColumn) // unambiguous for other programs: ISO 8601 in UTC
                fields << QDateTime::fromMSecsSinceEpoch(index.data(AuditModel::SortRole).toLongLong(), Qt::UTC)
                              .toString(Qt::ISODateWithMs);
            else
                fields << csvSafeText(index.data(Qt::DisplayRole).toString());
        }
        fields << m_proxy->index(row, 0).data(AuditModel::ActionCodeRole).toString();
        rows << fields;
    }
    if (auto written = writeCsv(path, toCsv(header, rows)); !written)
        return written;
    auto recorded = recordExport(*m_database, m_clock->nowMs(), m_admin, QStringLiteral("audit"), int(rows.size()), path);
    reload(); // the export itself is now in the log
    return recorded;
}

} // namespace heliodesk
