#include "planeditordialog.h"

#include "ui/messagelabel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace heliodesk {

PlanEditorDialog::PlanEditorDialog(const QList<AgentRecord> &agents, const std::optional<PlanRecord> &plan, QWidget *parent)
    : QDialog(parent)
    , m_plan(plan)
    , m_name(new QLineEdit(this))
    , m_unlimited(new QCheckBox(tr("Unlimited"), this))
    , m_limit(new QSpinBox(this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("planEditor"));
    setWindowTitle(plan ? tr("Edit Plan") : tr("Add Plan"));
    setModal(true);

    m_name->setObjectName(QStringLiteral("planNameEdit"));
    m_name->setAccessibleName(tr("Plan name"));
    m_name->setMaxLength(64);
    m_name->setPlaceholderText(tr("For example: Pilot"));

    m_limit->setObjectName(QStringLiteral("planLimitSpin"));
    m_limit->setAccessibleName(tr("Monthly query limit"));
    m_limit->setRange(0, MaxLimit);
    m_limit->setSuffix(tr(" queries a month"));
    m_unlimited->setObjectName(QStringLiteral("planUnlimitedCheck"));
    m_unlimited->setAccessibleName(tr("Unlimited queries"));
    connect(m_unlimited, &QCheckBox::toggled, m_limit, [this](bool unlimited) { m_limit->setEnabled(!unlimited); });

    auto *limitRow = new QHBoxLayout;
    limitRow->addWidget(m_limit, 1);
    limitRow->addWidget(m_unlimited);

    auto *agentGroup = new QGroupBox(tr("Agents included"), this);
    agentGroup->setObjectName(QStringLiteral("planAgentsGroup"));
    auto *agentLayout = new QVBoxLayout(agentGroup);
    for (const AgentRecord &agent : agents) {
        auto *box = new QCheckBox(agent.enabled ? agent.name : tr("%1 (switched off)").arg(agent.name), agentGroup);
        box->setObjectName(QStringLiteral("planAgent_") + agent.id);
        box->setAccessibleName(tr("Include the %1 agent").arg(agent.name));
        box->setToolTip(agent.description);
        agentLayout->addWidget(box);
        m_agentBoxes.emplace(agent.id, box);
        m_agentOrder << agent.id;
    }

    if (plan) {
        m_name->setText(plan->name);
        m_unlimited->setChecked(!plan->monthlyLimit);
        m_limit->setValue(plan->monthlyLimit.value_or(300));
        for (const auto &[id, box] : m_agentBoxes)
            box->setChecked(plan->agentIds.contains(id));
    } else {
        m_limit->setValue(300);
        for (const auto &[id, box] : m_agentBoxes)
            box->setChecked(true);
    }
    m_limit->setEnabled(!m_unlimited->isChecked());

    m_message->setObjectName(QStringLiteral("planEditorMessage"));
    m_message->clearMessage();

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Monthly &limit:"), limitRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_save = buttons->button(QDialogButtonBox::Save);
    m_save->setObjectName(QStringLiteral("planSaveButton"));
    m_save->setAccessibleName(plan ? tr("Save the plan") : tr("Add the plan"));
    QPushButton *cancel = buttons->button(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("planCancelButton"));
    cancel->setAccessibleName(tr("Close without saving"));
    // Save does not close the dialog: it closes once the plan is saved.
    connect(buttons, &QDialogButtonBox::accepted, this, &PlanEditorDialog::requestSave);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(agentGroup);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
}

PlanEditorDialog::Values PlanEditorDialog::values() const
{
    Values values;
    values.name = m_name->text().trimmed();
    if (!m_unlimited->isChecked())
        values.monthlyLimit = m_limit->value();
    for (const QString &id : m_agentOrder) {
        if (m_agentBoxes.at(id)->isChecked())
            values.agentIds << id;
    }
    return values;
}

void PlanEditorDialog::showError(const QString &message)
{
    m_message->showError(message);
}

void PlanEditorDialog::requestSave()
{
    const Values chosen = values();
    if (chosen.name.isEmpty()) {
        m_message->showError(tr("A plan needs a name. Type one above."));
        m_name->setFocus();
        return;
    }
    // PlanService reads an empty agent list as "every agent", so none at all is refused here.
    if (chosen.agentIds.isEmpty()) {
        m_message->showError(tr("A plan needs at least one agent. Tick the agents its users may hire."));
        return;
    }
    m_message->clearMessage();
    Q_EMIT saveRequested(chosen);
}

} // namespace heliodesk
