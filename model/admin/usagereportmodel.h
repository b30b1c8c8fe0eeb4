#pragma once

// The usage report's table: one row per day, user and agent with the outcome counts, and the
// rows of users whose quota counter disagrees with the ledger marked (MismatchRole, and the
// Reconciliation column says by how much).

#include "storage/records.h"
#include "storage/usagereportstore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace heliodesk {

class UsageReportModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { DayColumn, UserColumn, AgentColumn, CompleteColumn, FailedColumn, CancelledColumn, ReservedColumn,
                  TotalColumn, ReconciliationColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        MismatchRole = Qt::UserRole + 1, // bool: the row's user failed the reconciliation check
    };
    Q_ENUM(Role)

    explicit UsageReportModel(QObject *parent = nullptr);

    void setRows(QList<UsageDayRow> rows);
    /// The reconciliation check's result (every user's counter and ledger this month); rows of
    /// users that do not match are marked. An empty list clears the marks.
    void setReconciliation(const QList<ReconciliationRow> &rows);

    [[nodiscard]] const QList<UsageDayRow> &rows() const { return m_rows; }
    [[nodiscard]] const UsageDayRow &at(int row) const { return m_rows.at(row); }
    /// The users whose counter and ledger disagree, by username.
    [[nodiscard]] QList<ReconciliationRow> mismatches() const;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<UsageDayRow> m_rows;
    QHash<qint64, ReconciliationRow> m_mismatches; // by user id
};

} // namespace heliodesk
