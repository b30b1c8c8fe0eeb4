#pragma once

// Add or edit one plan: its name, a monthly query limit or unlimited, and the agents it includes.
// The dialog only gathers the values: whoever opened it saves them through PlanService and either
// closes it or shows the refusal in it. Not modal: open it with open().

#include "storage/records.h"

#include <QDialog>

#include <map>
#include <optional>

class QCheckBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace heliodesk {

class MessageLabel;

class PlanEditorDialog : public QDialog
{
    Q_OBJECT

public:
    struct Values {
        QString name;
        std::optional<int> monthlyLimit; // empty: unlimited
        QStringList agentIds;
    };

    static constexpr int MaxLimit = 1000000;

    /// `plan` empty: a new plan; otherwise its current values fill the form.
    PlanEditorDialog(const QList<AgentRecord> &agents, const std::optional<PlanRecord> &plan, QWidget *parent = nullptr);

    /// The plan being edited, as it was when the dialog opened; empty for a new plan.
    [[nodiscard]] const std::optional<PlanRecord> &plan() const { return m_plan; }
    [[nodiscard]] Values values() const;

    /// Shows why saving did not work; the dialog stays open with what was typed.
    void showError(const QString &message);

Q_SIGNALS:
    /// Save was pressed with a name and at least one agent.
    void saveRequested(const heliodesk::PlanEditorDialog::Values &values);

private:
    void requestSave();

    std::optional<PlanRecord> m_plan;
    QLineEdit *m_name = nullptr;
    QCheckBox *m_unlimited = nullptr;
    QSpinBox *m_limit = nullptr;
    std::map<QString, QCheckBox *> m_agentBoxes;
    QStringList m_agentOrder;
    MessageLabel *m_message = nullptr;
    QPushButton *m_save = nullptr;
};

} // namespace heliodesk
