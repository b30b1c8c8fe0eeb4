#pragma once

// The plans as the admin panel's Plans tab shows them: name, monthly limit (or unlimited), the
// agents each includes, and how many users are on it.

#include "storage/records.h"

#include <QAbstractTableModel>
#include <QList>

namespace heliodesk {

class PlanTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, LimitColumn, AgentsColumn, UsersColumn, ColumnCount };
    Q_ENUM(Column)
    /// A value to sort by: the limit as a number (unlimited above every limit), the user count.
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit PlanTableModel(QObject *parent = nullptr);

    /// Shows `plans`; `agents` give the names the agent ids stand for.
    void setPlans(const QList<PlanRecord> &plans, const QList<AgentRecord> &agents);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    [[nodiscard]] const PlanRecord &at(int row) const { return m_plans.at(row); }
    /// The row of the plan called `name`, or -1.
    [[nodiscard]] int rowOf(const QString &name) const;
    /// "300 a month" or "Unlimited".
    [[nodiscard]] static QString limitText(std::optional<int> monthlyLimit);

private:
    [[nodiscard]] QString agentsText(const PlanRecord &plan) const;

    QList<PlanRecord> m_plans;
    QList<AgentRecord> m_agents;
};

} // namespace heliodesk
