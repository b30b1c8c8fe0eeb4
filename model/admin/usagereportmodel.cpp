#include "usagereportmodel.h"

#include <algorithm>

namespace heliodesk {

UsageReportModel::UsageReportModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void UsageReportModel::setRows(QList<UsageDayRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void UsageReportModel::setReconciliation(const QList<ReconciliationRow> &rows)
{
    m_mismatches.clear();
    for (const ReconciliationRow &row : rows) {
        if (!row.matches())
            m_mismatches.insert(row.userId, row);
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QList<ReconciliationRow> UsageReportModel::mismatches() const
{
    QList<ReconciliationRow> list = m_mismatches.values();
    std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.username < b.username; });
    return list;
}

int UsageReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UsageReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsageReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UsageDayRow &row = m_rows.at(index.row());
    const auto mismatch = m_mismatches.constFind(row.userId);
    if (role == MismatchRole)
        return mismatch != m_mismatches.cend();
    if (role == Qt::ToolTipRole && mismatch != m_mismatches.cend())
        return mismatch->reset == 0
            ? tr("%1's counter says %2 queries this month, but the ledger holds %3.")
                  .arg(row.username)
                  .arg(mismatch->counter)
                  .arg(mismatch->ledger)
            : tr("%1's counter says %2 queries this month and an admin reset %3, but the ledger holds %4.")
                  .arg(row.username)
                  .arg(mismatch->counter)
                  .arg(mismatch->reset)
                  .arg(mismatch->ledger);
    if (role == Qt::TextAlignmentRole && index.column() >= CompleteColumn && index.column() <= TotalColumn)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(index.column())) {
    case DayColumn: return row.day.toString(Qt::ISODate);
    case UserColumn: return row.username;
    case AgentColumn: return row.agentName;
    case CompleteColumn: return row.complete;
    case FailedColumn: return row.failed;
    case CancelledColumn: return row.cancelled;
    case ReservedColumn: return row.reserved;
    case TotalColumn: return row.total();
    case ReconciliationColumn:
        return mismatch == m_mismatches.cend()
            ? QString()
            : mismatch->reset == 0
            ? tr("Mismatch: counter %1, ledger %2").arg(mismatch->counter).arg(mismatch->ledger)
            : tr("Mismatch: counter %1 + reset %2, ledger %3").arg(mismatch->counter).arg(mismatch->reset).arg(mismatch->ledger);
    case ColumnCount: break;
    }
    return {};
}

QVariant UsageReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case DayColumn: return tr("Day (UTC)");
    case UserColumn: return tr("User");
    case AgentColumn: return tr("Agent");
    case CompleteColumn: return tr("Complete");
    case FailedColumn: return tr("Failed");
    case CancelledColumn: return tr("Cancelled");
    case ReservedColumn: return tr("Reserved");
    case TotalColumn: return tr("Total");
    case ReconciliationColumn: return tr("Reconciliation");
    case ColumnCount: break;
    }
    return {};
}

} // namespace heliodesk
