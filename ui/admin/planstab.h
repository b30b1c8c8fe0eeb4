#pragma once

// The admin panel's Plans tab: every plan with its monthly limit, the agents it includes and the
// users on it; Add, Edit and Delete through PlanService (which checks the admin and audits).
// A changed limit applies to the plan's users from their next query on.

#include "model/actor.h"
#include "model/clock.h"
#include "model/planservice.h"

#include "storage/database.h"
#include "ui/admin/planeditordialog.h"

#include <QMessageBox>
#include <QPointer>
#include <QWidget>

#include <memory>

class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace heliodesk {

class MessageLabel;
class PlanTableModel;

class PlansTab : public QWidget
{
    Q_OBJECT

public:
    PlansTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent = nullptr);

    [[nodiscard]] PlanTableModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    /// The Add or Edit dialog while it is open, else null.
    [[nodiscard]] PlanEditorDialog *editor() const { return m_editor; }
    /// The plan selected in the table, or an empty string.
    [[nodiscard]] QString selectedPlan() const;
    /// Selects the plan called `name`; false when it is not shown.
    bool selectPlan(const QString &name);

public Q_SLOTS:
    /// Reads the plans and agents again, keeping the selection.
    void reload();

Q_SIGNALS:
    /// A plan was added, changed or deleted (other tabs show plan names).
    void plansChanged();

private:
    void addPlan();
    void editPlan();
    void deletePlan();
    void openEditor(const std::optional<PlanRecord> &plan);
    void save(PlanEditorDialog *editor, const QString &originalName, bool isNew);
    void updateButtons();

    PlanService m_plans;
    Actor m_admin;
    QList<AgentRecord> m_agents;

    PlanTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_delete = nullptr;
    MessageLabel *m_message = nullptr;
    QPointer<PlanEditorDialog> m_editor;
    QPointer<QMessageBox> m_confirmation;
};

} // namespace heliodesk
