#pragma once

// The admin panel's Agents tab: the agents in a list; for the chosen one, a switch that turns it on
// or off at once, its system prompt and model (saved with Save), and its knowledge collection with
// "Import documents…". Every change goes through AgentAdminService (admin-checked, audited).
// Prompt and model edits not saved yet are kept per agent while the admin looks at other agents or
// other tabs (the list marks those agents), and the panel asks about them before it closes.

#include "model/actor.h"
#include "model/admin/agentadminservice.h"
#include "model/clock.h"

#include "storage/database.h"

#include <QFileDialog>
#include <QHash>
#include <QPointer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace heliodesk {

class KnowledgeDocumentModel;
class MessageLabel;

class AgentsTab : public QWidget
{
    Q_OBJECT

public:
    AgentsTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent = nullptr);

    /// The agent shown on the right, or an empty string.
    [[nodiscard]] QString currentAgent() const;
    /// Shows the agent with this id; false when there is none.
    bool selectAgent(const QString &agentId);
    [[nodiscard]] KnowledgeDocumentModel *documentModel() const { return m_documents; }
    /// The file dialog of "Import documents…" while it is open, else null.
    [[nodiscard]] QFileDialog *importDialog() const { return m_importDialog; }

    /// True while any agent has a prompt or model edited and not saved.
    [[nodiscard]] bool hasUnsavedChanges() const;
    /// The names of the agents with unsaved edits, in list order.
    [[nodiscard]] QStringList unsavedAgentNames() const;
    /// Saves every agent's unsaved edits; false (the banner says why) when one could not be saved.
    bool saveAll();
    /// Forgets every unsaved edit and shows the stored prompt and model again.
    void discardAll();

public Q_SLOTS:
    /// Reads the agents again and shows the current one afresh; unsaved edits are kept.
    void reload();
    /// Imports files into the current agent's collection and says in the banner what happened.
    void importDocuments(const QStringList &paths);

Q_SIGNALS:
    /// An agent was switched, its prompt or model changed, or documents were imported.
    void agentsChanged();

private:
    void showAgent(const QString &agentId);
    void showDocuments();
    void setEnabledFromSwitch(bool enabled);
    void saveSettings();
    void openImportDialog();
    void updateSaveButton();
    void fillList(const QString &keep);
    /// Keeps the shown agent's edits as its draft when they differ from what is stored.
    void stashDraft();
    void refreshItemTexts();
    [[nodiscard]] QString itemText(const AgentStore::AgentSettings &agent) const;
    bool saveChanges(const QString &agentId, const QString &prompt, const QString &model);

    struct Draft {
        QString prompt;
        QString model;
    };

    AgentAdminService m_service;
    Actor m_admin;
    QList<AgentStore::AgentSettings> m_agents;
    std::optional<AgentStore::AgentSettings> m_shown;
    QHash<QString, Draft> m_drafts; // by agent id; the shown agent's edits live in the editors

    QListWidget *m_list = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_description = nullptr;
    QCheckBox *m_enabled = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QLineEdit *m_model = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_knowledgeSummary = nullptr;
    QLineEdit *m_documentFilter = nullptr;
    QTableView *m_documentTable = nullptr;
    KnowledgeDocumentModel *m_documents = nullptr;
    QSortFilterProxyModel *m_documentProxy = nullptr;
    QPushButton *m_import = nullptr;
    MessageLabel *m_message = nullptr;
    QPointer<QFileDialog> m_importDialog;
};

} // namespace heliodesk
