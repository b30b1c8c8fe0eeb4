#pragma once

// The admin panel's Audit tab: every admin action (when, who, what, on whom, details), read-only,
// filtered by action, by a name and by dates, and exported as CSV.

#include "model/actor.h"
#include "model/clock.h"
#include "storage/auditstore.h"
#include "storage/database.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace heliodesk {

class AuditModel;
class MessageLabel;

class AuditTab : public QWidget
{
    Q_OBJECT

public:
    AuditTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent = nullptr);

    [[nodiscard]] AuditModel *model() const { return m_model; }
    /// The filter the controls describe now.
    [[nodiscard]] AuditStore::Filter currentFilter() const;

    /// Writes the rows the table shows, in its order, to `path` as CSV and notes the export in the log.
    Result<void> exportCsv(const QString &path);

public Q_SLOTS:
    /// Reads the actions and the entries again with the current filter.
    void reload();

private:
    void reloadEntries();
    void reloadActions();
    void chooseExportFile();

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    Actor m_admin;

    AuditModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QComboBox *m_actionCombo = nullptr;
    QLineEdit *m_textEdit = nullptr;
    QCheckBox *m_dateCheck = nullptr;
    QDateEdit *m_fromEdit = nullptr;
    QDateEdit *m_toEdit = nullptr;
    QPushButton *m_exportButton = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_countLabel = nullptr;
    MessageLabel *m_message = nullptr;
};

} // namespace heliodesk
