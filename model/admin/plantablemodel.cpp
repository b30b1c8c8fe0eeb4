#include "plantablemodel.h"

#include <algorithm>
#include <limits>

namespace heliodesk {

PlanTableModel::PlanTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void PlanTableModel::setPlans(const QList<PlanRecord> &plans, const QList<AgentRecord> &agents)
{
    beginResetModel();
    m_plans = plans;
    m_agents = agents;
    endResetModel();
}

int PlanTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_plans.size());
}

int PlanTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int PlanTableModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_plans.size(); ++row) {
        if (m_plans.at(row).name == name)
            return row;
    }
    return -1;
}

QString PlanTableModel::limitText(std::optional<int> monthlyLimit)
{
    if (!monthlyLimit)
        return tr("Unlimited");
    return tr("%n a month", nullptr, *monthlyLimit);
}

QString PlanTableModel::agentsText(const PlanRecord &plan) const
{
    QStringList names;
    for (const AgentRecord &agent : m_agents) {
        if (plan.agentIds.contains(agent.id))
            names << agent.name;
    }
    // An id the agents table no longer knows still shows, rather than vanishing.
    for (const QString &id : plan.agentIds) {
        const bool known = std::any_of(m_agents.cbegin(), m_agents.cend(), [&id](const AgentRecord &a) { return a.id == id; });
        if (!known)
            names << id;
    }
    if (names.isEmpty())
        return tr("None");
    if (!m_agents.isEmpty() && names.size() == m_agents.size())
        return tr("All (%1)").arg(names.join(QStringLiteral(", ")));
    return names.join(QStringLiteral(", "));
}

QVariant PlanTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_plans.size())
        return {};
    const PlanRecord &plan = m_plans.at(index.row());
    const auto column = static_cast<Column>(index.column());
    if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole) {
        switch (column) {
        case NameColumn:
            return plan.isDefault ? tr("%1 (default)").arg(plan.name) : plan.name;
        case LimitColumn:
            return limitText(plan.monthlyLimit);
        case AgentsColumn:
            return agentsText(plan);
        case UsersColumn:
            return plan.userCount;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == SortRole) {
        switch (column) {
        case NameColumn:
            return plan.name;
        case LimitColumn:
            return plan.monthlyLimit ? static_cast<qlonglong>(*plan.monthlyLimit) : std::numeric_limits<qlonglong>::max();
        case AgentsColumn:
            return static_cast<int>(plan.agentIds.size());
        case UsersColumn:
            return plan.userCount;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole && (column == LimitColumn || column == UsersColumn))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && column == AgentsColumn)
        return agentsText(plan);
    return {};
}

QVariant PlanTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case NameColumn:
        return tr("Plan");
    case LimitColumn:
        return tr("Monthly limit");
    case AgentsColumn:
        return tr("Agents included");
    case UsersColumn:
        return tr("Users");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace heliodesk
