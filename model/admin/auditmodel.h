#pragma once

// The admin panel's audit log table: when, who, what, on whom, and the details as words.
// Display text for people; SortRole gives raw values (milliseconds, names).

#include "model/admin/auditservice.h"

#include <QAbstractTableModel>
#include <QList>

namespace heliodesk {

class AuditModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { WhenColumn, ActorColumn, ActionColumn, TargetColumn, DetailsColumn, ColumnCount };
    Q_ENUM(Column)

    enum ItemRole {
        SortRole = Qt::UserRole + 1, // raw values: milliseconds since the epoch, names, action codes
        ActionCodeRole,              // "user.delete"
        EntryIdRole,
    };
    Q_ENUM(ItemRole)

    AuditModel(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin,
               QObject *parent = nullptr);

    /// Reads the entries that match `filter` (as the admin: others get NotAllowed and an empty table).
    Result<void> reload(const AuditStore::Filter &filter);
    /// Re-reads with the last filter.
    Result<void> reload() { return reload(m_filter); }
    [[nodiscard]] const AuditStore::Filter &filter() const { return m_filter; }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    [[nodiscard]] const AuditEntry &at(int row) const { return m_rows.at(row); }

    /// "Deleted user" for "user.delete"; an action this version does not know is shown as it is.
    [[nodiscard]] static QString actionTitle(const QString &action);
    /// The details JSON as words: "conversations: 12, messages: 340, role: analyst";
    /// "name: Old → New" for a change; lists joined with commas.
    [[nodiscard]] static QString detailsText(const QString &detailsJson);
    /// "user ann.lee", "plan Standard", or the name alone when the type says nothing more.
    [[nodiscard]] static QString targetText(const AuditEntry &entry);

private:
    [[nodiscard]] QVariant display(const AuditEntry &entry, int column) const;

    AuditService m_service;
    Actor m_admin;
    AuditStore::Filter m_filter;
    QList<AuditEntry> m_rows;
};

} // namespace heliodesk
