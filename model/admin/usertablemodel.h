#pragma once

// The admin panel's table of users: name, role, plan, queries used of the limit this month,
// status, last sign-in and creation date. Display text for people; SortRole gives raw values.

#include "model/accountservice.h"
#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/records.h"

#include <QAbstractTableModel>
#include <QList>

#include <memory>

namespace heliodesk {

class UserTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, RoleColumn, PlanColumn, UsageColumn, StatusColumn, LastSignInColumn, CreatedColumn, ColumnCount };
    Q_ENUM(Column)

    enum ItemRole {
        SortRole = Qt::UserRole + 1, // raw values: names, counts, milliseconds since the epoch
        UsernameRole,
        UserIdRole,
    };
    Q_ENUM(ItemRole)

    UserTableModel(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin,
                   QObject *parent = nullptr);

    /// Reads every user again (as the admin: others get NotAllowed and an empty table).
    Result<void> reload();

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    [[nodiscard]] const UserRecord &at(int row) const { return m_rows.at(row); }
    /// The row of a username, or -1.
    [[nodiscard]] int rowOf(const QString &username) const;
    /// The month whose counts the table shows ("2026-11").
    [[nodiscard]] const QString &period() const { return m_period; }

    /// "12 / 100", "12 / unlimited": queries counted in `period` against the limit that applies.
    [[nodiscard]] static QString usageText(const UserRecord &user, const QString &period);

private:
    [[nodiscard]] QVariant display(const UserRecord &user, int column) const;
    [[nodiscard]] QVariant sortValue(const UserRecord &user, int column) const;

    AccountService m_accounts;
    std::shared_ptr<const Clock> m_clock;
    Actor m_admin;
    QString m_period;
    QList<UserRecord> m_rows;
};

} // namespace heliodesk
