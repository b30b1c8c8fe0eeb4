#include "usertablemodel.h"

#include <QDateTime>
#include <QLocale>

namespace heliodesk {

namespace {

QString when(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat);
}

} // namespace

UserTableModel::UserTableModel(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin,
                               QObject *parent)
    : QAbstractTableModel(parent)
    , m_accounts(std::move(database), clock)
    , m_clock(std::move(clock))
    , m_admin(std::move(admin))
{
}

Result<void> UserTableModel::reload()
{
    auto users = m_accounts.listUsers(m_admin);
    beginResetModel();
    m_period = quotaPeriodOf(m_clock->nowUtc());
    m_rows = users ? *users : QList<UserRecord>();
    endResetModel();
    if (!users)
        return Unexpected(users.error());
    return {};
}

int UserTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

int UserTableModel::rowOf(const QString &username) const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).username == username)
            return row;
    return -1;
}

QString UserTableModel::usageText(const UserRecord &user, const QString &period)
{
    const int used = user.usedIn(period);
    return user.effectiveLimit ? tr("%1 / %2").arg(used).arg(*user.effectiveLimit) : tr("%1 / unlimited").arg(used);
}

QVariant UserTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UserRecord &user = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(user, index.column());
    case Qt::ToolTipRole:
        if (index.column() == NameColumn)
            return user.displayName == user.username ? user.username : tr("%1 (%2)").arg(user.displayName, user.username);
        if (index.column() == UsageColumn && user.quotaMode != QuotaMode::Plan)
            return user.quotaMode == QuotaMode::Unlimited ? tr("Unlimited: the user's own setting, not the plan's")
                                                          : tr("A limit of the user's own, not the plan's");
        return display(user, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == UsageColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole: return sortValue(user, index.column());
    case UsernameRole: return user.username;
    case UserIdRole: return user.id;
    default: return {};
    }
}

QVariant UserTableModel::display(const UserRecord &user, int column) const
{
    switch (column) {
    case NameColumn: return user.username;
    case RoleColumn: return user.role == Role::Admin ? tr("Administrator") : tr("Analyst");
    case PlanColumn: return user.planName;
    case UsageColumn: {
        QString text = usageText(user, m_period);
        if (user.quotaMode == QuotaMode::Limit)
            text += tr(" (own limit)");
        return text;
    }
    case StatusColumn:
        if (user.status == UserStatus::Disabled)
            return tr("Disabled");
        if (user.lockedUntilMs && *user.lockedUntilMs > m_clock->nowMs())
            return tr("Locked until %1").arg(when(*user.lockedUntilMs));
        return tr("Active");
    case LastSignInColumn: return user.lastSignInAtMs ? when(*user.lastSignInAtMs) : tr("Never");
    case CreatedColumn: return when(user.createdAtMs);
    default: return {};
    }
}

QVariant UserTableModel::sortValue(const UserRecord &user, int column) const
{
    switch (column) {
    case NameColumn: return user.username;
    case RoleColumn: return nameOf(user.role);
    case PlanColumn: return user.planName;
    case UsageColumn: return user.usedIn(m_period);
    case StatusColumn: return nameOf(user.status);
    case LastSignInColumn: return user.lastSignInAtMs.value_or(-1);
    case CreatedColumn: return user.createdAtMs;
    default: return {};
    }
}

QVariant UserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case RoleColumn: return tr("Role");
    case PlanColumn: return tr("Plan");
    case UsageColumn: return tr("Used / limit this month");
    case StatusColumn: return tr("Status");
    case LastSignInColumn: return tr("Last sign-in");
    case CreatedColumn: return tr("Created");
    default: return {};
    }
}

} // namespace heliodesk
