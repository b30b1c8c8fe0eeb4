#include "planstab.h"

#include "planeditordialog.h"

#include "model/admin/plantablemodel.h"
#include "ui/messagelabel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace heliodesk {

PlansTab::PlansTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent)
    : QWidget(parent)
    , m_plans(std::move(database), std::move(clock))
    , m_admin(std::move(admin))
    , m_model(new PlanTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_add(new QPushButton(tr("&Add Plan…"), this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_delete(new QPushButton(tr("&Delete…"), this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("plansTab"));
    setAccessibleName(tr("Plans"));

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(PlanTableModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);

    m_filter->setObjectName(QStringLiteral("planFilter"));
    m_filter->setAccessibleName(tr("Filter plans"));
    m_filter->setPlaceholderText(tr("Filter by plan or agent"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setObjectName(QStringLiteral("planTable"));
    m_table->setAccessibleName(tr("Plans"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(PlanTableModel::NameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(PlanTableModel::AgentsColumn, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &PlansTab::updateButtons);
    connect(m_table, &QTableView::doubleClicked, this, &PlansTab::editPlan);

    m_add->setObjectName(QStringLiteral("addPlanButton"));
    m_add->setAccessibleName(tr("Add a plan"));
    m_edit->setObjectName(QStringLiteral("editPlanButton"));
    m_edit->setAccessibleName(tr("Edit the selected plan"));
    m_delete->setObjectName(QStringLiteral("deletePlanButton"));
    m_delete->setAccessibleName(tr("Delete the selected plan"));
    connect(m_add, &QPushButton::clicked, this, &PlansTab::addPlan);
    connect(m_edit, &QPushButton::clicked, this, &PlansTab::editPlan);
    connect(m_delete, &QPushButton::clicked, this, &PlansTab::deletePlan);

    m_message->setObjectName(QStringLiteral("plansMessage"));
    m_message->clearMessage();

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_add);
    top->addWidget(m_edit);
    top->addWidget(m_delete);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(m_table, 1);

    reload();
}

QString PlansTab::selectedPlan() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const QModelIndex source = m_proxy->mapToSource(rows.first());
    return source.isValid() ? m_model->at(source.row()).name : QString();
}

bool PlansTab::selectPlan(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return false;
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->setCurrentIndex(index);
    return true;
}

void PlansTab::reload()
{
    const QString selected = selectedPlan();
    auto plans = m_plans.listPlans();
    auto agents = m_plans.listAgents();
    if (!plans || !agents) {
        m_message->showError(tr("Could not read the plans. %1").arg(!plans ? plans.error().message() : agents.error().message()));
        return;
    }
    m_agents = *agents;
    m_model->setPlans(*plans, *agents);
    if (!selected.isEmpty())
        selectPlan(selected);
    updateButtons();
}

void PlansTab::updateButtons()
{
    const bool chosen = !selectedPlan().isEmpty();
    m_edit->setEnabled(chosen);
    m_delete->setEnabled(chosen);
}

void PlansTab::addPlan()
{
    openEditor(std::nullopt);
}

void PlansTab::editPlan()
{
    const int row = m_model->rowOf(selectedPlan());
    if (row < 0)
        return;
    openEditor(m_model->at(row));
}

void PlansTab::openEditor(const std::optional<PlanRecord> &plan)
{
    if (m_editor)
        m_editor->close();
    auto *editor = new PlanEditorDialog(m_agents, plan, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    const QString originalName = plan ? plan->name : QString();
    const bool isNew = !plan;
    connect(editor, &PlanEditorDialog::saveRequested, this,
            [this, editor, originalName, isNew] { save(editor, originalName, isNew); });
    m_editor = editor;
    editor->open();
}

void PlansTab::save(PlanEditorDialog *editor, const QString &originalName, bool isNew)
{
    const PlanEditorDialog::Values values = editor->values();
    Result<PlanRecord> saved = [&]() -> Result<PlanRecord> {
        if (isNew)
            return m_plans.addPlan(m_admin, values.name, values.monthlyLimit, values.agentIds);
        PlanChanges changes;
        changes.newName = values.name;
        changes.monthlyLimit = values.monthlyLimit;
        changes.agentIds = values.agentIds;
        return m_plans.updatePlan(m_admin, originalName, changes);
    }();
    if (!saved) {
        editor->showError(saved.error().message());
        return;
    }
    editor->accept();
    editor->deleteLater(); // also when WA_DeleteOnClose does not act on accept()
    reload();
    selectPlan(saved->name);
    m_message->showHint(isNew ? tr("Plan “%1” added.").arg(saved->name)
                              : tr("Plan “%1” saved. Its users get the new limit and agents from their next query on.").arg(saved->name));
    Q_EMIT plansChanged();
}

void PlansTab::deletePlan()
{
    const QString name = selectedPlan();
    if (name.isEmpty())
        return;
    if (m_confirmation)
        m_confirmation->close();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete Plan"),
                                tr("Delete the plan “%1”? This cannot be undone.").arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deletePlanConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    box->button(QMessageBox::Yes)->setText(tr("Delete"));
    box->button(QMessageBox::Yes)->setObjectName(QStringLiteral("confirmDeletePlanButton"));
    box->button(QMessageBox::Yes)->setAccessibleName(tr("Delete the plan"));
    box->button(QMessageBox::Cancel)->setObjectName(QStringLiteral("cancelDeletePlanButton"));
    box->button(QMessageBox::Cancel)->setAccessibleName(tr("Keep the plan"));
    connect(box, &QMessageBox::finished, this, [this, box, name] {
        box->deleteLater();
        if (box->standardButton(box->clickedButton()) != QMessageBox::Yes)
            return;
        if (auto deleted = m_plans.deletePlan(m_admin, name); !deleted) {
            m_message->showError(deleted.error().message());
            return;
        }
        reload();
        m_message->showHint(tr("Plan “%1” deleted.").arg(name));
        Q_EMIT plansChanged();
    });
    m_confirmation = box;
    box->open();
}

} // namespace heliodesk
