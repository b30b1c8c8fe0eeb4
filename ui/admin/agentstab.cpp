#include "agentstab.h"

#include "model/admin/knowledgedocumentmodel.h"
#include "ui/messagelabel.h"

#include <QCheckBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace heliodesk {

namespace {

constexpr int AgentIdRole = Qt::UserRole + 1;

} // namespace

AgentsTab::AgentsTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent)
    : QWidget(parent)
    , m_service(std::move(database), std::move(clock))
    , m_admin(std::move(admin))
    , m_list(new QListWidget(this))
    , m_title(new QLabel(this))
    , m_description(new QLabel(this))
    , m_enabled(new QCheckBox(tr("Switched &on: users whose plan includes it can hire and ask it"), this))
    , m_prompt(new QPlainTextEdit(this))
    , m_model(new QLineEdit(this))
    , m_save(new QPushButton(tr("&Save Prompt and Model"), this))
    , m_knowledgeSummary(new QLabel(this))
    , m_documentFilter(new QLineEdit(this))
    , m_documentTable(new QTableView(this))
    , m_documents(new KnowledgeDocumentModel(this))
    , m_documentProxy(new QSortFilterProxyModel(this))
    , m_import(new QPushButton(tr("&Import Documents…"), this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("agentsTab"));
    setAccessibleName(tr("Agents"));

    m_list->setObjectName(QStringLiteral("agentList"));
    m_list->setAccessibleName(tr("Agents"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            showAgent(item->data(AgentIdRole).toString());
    });

    m_title->setObjectName(QStringLiteral("agentTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_description->setObjectName(QStringLiteral("agentDescription"));
    m_description->setWordWrap(true);

    m_enabled->setObjectName(QStringLiteral("agentEnabledSwitch"));
    m_enabled->setAccessibleName(tr("Agent switched on"));
    // clicked, not toggled: only the admin's click changes the database, not showing another agent.
    connect(m_enabled, &QCheckBox::clicked, this, &AgentsTab::setEnabledFromSwitch);

    m_prompt->setObjectName(QStringLiteral("systemPromptEdit"));
    m_prompt->setAccessibleName(tr("System prompt"));
    m_prompt->setPlaceholderText(tr("What the agent is told before every conversation"));
    m_prompt->setTabChangesFocus(true);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &AgentsTab::updateSaveButton);

    m_model->setObjectName(QStringLiteral("modelEdit"));
    m_model->setAccessibleName(tr("Model"));
    m_model->setPlaceholderText(tr("Empty: the model chosen in Settings"));
    m_model->setMaxLength(AgentAdminService::MaxModelCharacters);
    connect(m_model, &QLineEdit::textChanged, this, &AgentsTab::updateSaveButton);

    m_save->setObjectName(QStringLiteral("saveAgentButton"));
    m_save->setAccessibleName(tr("Save the system prompt and model"));
    connect(m_save, &QPushButton::clicked, this, &AgentsTab::saveSettings);

    m_knowledgeSummary->setObjectName(QStringLiteral("knowledgeSummary"));
    m_documentProxy->setSourceModel(m_documents);
    m_documentProxy->setSortRole(KnowledgeDocumentModel::SortRole);
    m_documentProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_documentProxy->setFilterKeyColumn(-1);
    m_documentFilter->setObjectName(QStringLiteral("documentFilter"));
    m_documentFilter->setAccessibleName(tr("Filter documents"));
    m_documentFilter->setPlaceholderText(tr("Filter by title or source"));
    m_documentFilter->setClearButtonEnabled(true);
    connect(m_documentFilter, &QLineEdit::textChanged, m_documentProxy, &QSortFilterProxyModel::setFilterFixedString);
    m_documentTable->setObjectName(QStringLiteral("documentTable"));
    m_documentTable->setAccessibleName(tr("Knowledge documents"));
    m_documentTable->setModel(m_documentProxy);
    m_documentTable->setSortingEnabled(true);
    m_documentTable->sortByColumn(KnowledgeDocumentModel::ImportedColumn, Qt::DescendingOrder);
    m_documentTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_documentTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_documentTable->verticalHeader()->hide();
    m_documentTable->horizontalHeader()->setSectionResizeMode(KnowledgeDocumentModel::TitleColumn, QHeaderView::Stretch);
    m_documentTable->setWordWrap(false);

    m_import->setObjectName(QStringLiteral("importDocumentsButton"));
    m_import->setAccessibleName(tr("Import documents into this agent's knowledge"));
    connect(m_import, &QPushButton::clicked, this, &AgentsTab::openImportDialog);

    m_message->setObjectName(QStringLiteral("agentsMessage"));
    m_message->clearMessage();

    auto *form = new QFormLayout;
    form->addRow(tr("System &prompt:"), m_prompt);
    form->addRow(tr("&Model:"), m_model);
    auto *saveRow = new QHBoxLayout;
    saveRow->addStretch(1);
    saveRow->addWidget(m_save);

    auto *documentBar = new QHBoxLayout;
    documentBar->addWidget(m_knowledgeSummary, 1);
    documentBar->addWidget(m_documentFilter);
    documentBar->addWidget(m_import);

    auto *details = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(details);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_title);
    detailLayout->addWidget(m_description);
    detailLayout->addWidget(m_enabled);
    detailLayout->addLayout(form);
    detailLayout->addLayout(saveRow);
    auto *knowledgeHeading = new QLabel(tr("Knowledge"), details);
    knowledgeHeading->setFont(titleFont);
    detailLayout->addWidget(knowledgeHeading);
    detailLayout->addLayout(documentBar);
    detailLayout->addWidget(m_documentTable, 1);

    auto *splitter = new QSplitter(this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_list);
    splitter->addWidget(details);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({180, 620});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);

    reload();
}

QString AgentsTab::currentAgent() const
{
    return m_shown ? m_shown->id : QString();
}

bool AgentsTab::selectAgent(const QString &agentId)
{
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(AgentIdRole).toString() == agentId) {
            m_list->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

void AgentsTab::reload()
{
    auto agents = m_service.listAgents(m_admin);
    if (!agents) {
        m_message->showError(tr("Could not read the agents. %1").arg(agents.error().message()));
        return;
    }
    stashDraft();
    m_agents = *agents;
    // A draft that now equals what is stored (saved elsewhere) is no longer a change.
    for (auto it = m_drafts.begin(); it != m_drafts.end();) {
        const auto agent = std::find_if(m_agents.cbegin(), m_agents.cend(),
                                        [&it](const AgentStore::AgentSettings &a) { return a.id == it.key(); });
        if (agent == m_agents.cend() || (agent->systemPrompt == it->prompt && agent->model == it->model.trimmed()))
            it = m_drafts.erase(it);
        else
            ++it;
    }
    const QString keep = currentAgent();
    m_shown.reset();
    fillList(keep);
}

void AgentsTab::stashDraft()
{
    if (!m_shown)
        return;
    const QString prompt = m_prompt->toPlainText();
    const QString model = m_model->text();
    if (prompt != m_shown->systemPrompt || model.trimmed() != m_shown->model)
        m_drafts.insert(m_shown->id, Draft{prompt, model});
    else
        m_drafts.remove(m_shown->id);
}

QString AgentsTab::itemText(const AgentStore::AgentSettings &agent) const
{
    const QString name = agent.enabled ? agent.name : tr("%1 (off)").arg(agent.name);
    //: An agent in the list whose prompt or model was edited and not saved yet.
    return m_drafts.contains(agent.id) ? tr("%1 — unsaved").arg(name) : name;
}

bool AgentsTab::hasUnsavedChanges() const
{
    return !unsavedAgentNames().isEmpty();
}

QStringList AgentsTab::unsavedAgentNames() const
{
    // updateSaveButton() keeps the shown agent's entry in m_drafts in step with its editors.
    QStringList names;
    for (const AgentStore::AgentSettings &agent : m_agents) {
        if (m_drafts.contains(agent.id))
            names << agent.name;
    }
    return names;
}

bool AgentsTab::saveAll()
{
    stashDraft();
    const QList<QString> ids = m_drafts.keys();
    for (const QString &id : ids) {
        const Draft draft = m_drafts.value(id);
        if (!saveChanges(id, draft.prompt, draft.model))
            return false;
    }
    return true;
}

void AgentsTab::discardAll()
{
    m_drafts.clear();
    const QString keep = currentAgent();
    m_shown.reset();
    fillList(keep);
}

void AgentsTab::fillList(const QString &keep)
{
    {
        const QSignalBlocker blocker(m_list);
        m_list->clear();
        for (const AgentStore::AgentSettings &agent : std::as_const(m_agents)) {
            auto *item = new QListWidgetItem(itemText(agent), m_list);
            item->setData(AgentIdRole, agent.id);
            item->setToolTip(agent.description);
        }
    }
    if (m_agents.isEmpty()) {
        setEnabled(false);
        return;
    }
    if (keep.isEmpty() || !selectAgent(keep))
        m_list->setCurrentRow(0);
    // setCurrentRow emits nothing when the row was already current under the blocker.
    if (!m_shown)
        showAgent(m_list->currentItem()->data(AgentIdRole).toString());
}

void AgentsTab::showAgent(const QString &agentId)
{
    const auto found = std::find_if(m_agents.cbegin(), m_agents.cend(),
                                    [&agentId](const AgentStore::AgentSettings &a) { return a.id == agentId; });
    if (found == m_agents.cend())
        return;
    stashDraft();
    m_shown = *found;
    m_title->setText(found->name);
    m_description->setText(found->description);
    m_enabled->setChecked(found->enabled);
    {
        const QSignalBlocker promptBlocker(m_prompt);
        const QSignalBlocker modelBlocker(m_model);
        const auto draft = m_drafts.constFind(found->id);
        m_prompt->setPlainText(draft != m_drafts.cend() ? draft->prompt : found->systemPrompt);
        m_model->setText(draft != m_drafts.cend() ? draft->model : found->model);
    }
    refreshItemTexts();
    updateSaveButton();
    showDocuments();
}

void AgentsTab::showDocuments()
{
    if (!m_shown)
        return;
    auto documents = m_service.documents(m_admin, m_shown->id);
    if (!documents) {
        m_documents->setDocuments({});
        m_knowledgeSummary->setText(tr("The documents could not be read."));
        m_message->showError(tr("Could not read the %1 agent's documents. %2").arg(m_shown->name, documents.error().message()));
        return;
    }
    m_documents->setDocuments(*documents);
    if (const auto last = m_documents->lastImportMs()) {
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(*last).toLocalTime(), QLocale::ShortFormat);
        m_knowledgeSummary->setText(documents->size() == 1 ? tr("1 document; last import %1").arg(when)
                                                           : tr("%1 documents; last import %2").arg(documents->size()).arg(when));
    } else {
        m_knowledgeSummary->setText(tr("No documents yet. Import Markdown or text files for the agent to answer from."));
    }
}

void AgentsTab::updateSaveButton()
{
    const bool changed = m_shown && (m_prompt->toPlainText() != m_shown->systemPrompt || m_model->text().trimmed() != m_shown->model);
    m_save->setEnabled(changed);
    if (m_shown && changed != m_drafts.contains(m_shown->id)) {
        stashDraft();
        refreshItemTexts();
    }
}

void AgentsTab::refreshItemTexts()
{
    for (int row = 0; row < m_list->count(); ++row) {
        QListWidgetItem *item = m_list->item(row);
        const QString id = item->data(AgentIdRole).toString();
        for (const AgentStore::AgentSettings &agent : std::as_const(m_agents)) {
            if (agent.id == id && item->text() != itemText(agent))
                item->setText(itemText(agent));
        }
    }
}

void AgentsTab::setEnabledFromSwitch(bool enabled)
{
    if (!m_shown)
        return;
    AgentChanges changes;
    changes.enabled = enabled;
    auto updated = m_service.updateAgent(m_admin, m_shown->id, changes);
    if (!updated) {
        const QSignalBlocker blocker(m_enabled);
        m_enabled->setChecked(m_shown->enabled);
        m_message->showError(tr("The %1 agent was not switched %2. %3")
                                 .arg(m_shown->name, enabled ? tr("on") : tr("off"), updated.error().message()));
        return;
    }
    // Only the switch is taken from the database: an unsaved prompt or model stays as typed.
    m_shown->enabled = updated->enabled;
    for (AgentStore::AgentSettings &agent : m_agents) {
        if (agent.id == updated->id)
            agent.enabled = updated->enabled;
    }
    refreshItemTexts();
    m_message->showHint(updated->enabled ? tr("%1 is switched on.").arg(updated->name)
                                         : tr("%1 is switched off: nobody can ask it until it is switched on again.").arg(updated->name));
    Q_EMIT agentsChanged();
}

void AgentsTab::saveSettings()
{
    if (m_shown)
        saveChanges(m_shown->id, m_prompt->toPlainText(), m_model->text());
}

bool AgentsTab::saveChanges(const QString &agentId, const QString &prompt, const QString &model)
{
    const auto stored = std::find_if(m_agents.begin(), m_agents.end(),
                                     [&agentId](const AgentStore::AgentSettings &a) { return a.id == agentId; });
    if (stored == m_agents.end())
        return false;
    AgentChanges changes;
    changes.systemPrompt = prompt;
    changes.model = model;
    auto updated = m_service.updateAgent(m_admin, agentId, changes);
    if (!updated) {
        if (!m_shown || m_shown->id != agentId)
            selectAgent(agentId); // show the admin the edits that were refused
        m_message->showError(tr("The %1 agent's prompt and model were not saved. %2").arg(stored->name, updated.error().message()));
        return false;
    }
    *stored = *updated;
    m_drafts.remove(agentId);
    if (m_shown && m_shown->id == agentId) {
        m_shown = *updated;
        const QSignalBlocker modelBlocker(m_model);
        m_model->setText(updated->model);
    }
    updateSaveButton();
    refreshItemTexts();
    m_message->showHint(tr("Saved. The %1 agent uses the new prompt and model from the next question on.").arg(updated->name));
    Q_EMIT agentsChanged();
    return true;
}

void AgentsTab::openImportDialog()
{
    if (!m_shown)
        return;
    if (m_importDialog) {
        m_importDialog->raise();
        return;
    }
    auto *dialog = new QFileDialog(this, tr("Import Documents for %1").arg(m_shown->name),
                                   QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    dialog->setObjectName(QStringLiteral("importDocumentsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    dialog->setNameFilters({tr("Markdown and text (*.md *.markdown *.txt)"), tr("Web pages (*.html *.htm)")});
    // The collection the files go to is the one shown when the dialog opened.
    const QString agentId = m_shown->id;
    connect(dialog, &QFileDialog::filesSelected, this, [this, agentId](const QStringList &paths) {
        if (currentAgent() != agentId)
            selectAgent(agentId);
        importDocuments(paths);
    });
    m_importDialog = dialog;
    dialog->open();
}

void AgentsTab::importDocuments(const QStringList &paths)
{
    if (!m_shown || paths.isEmpty())
        return;
    const QString name = m_shown->name;
    auto report = m_service.importDocuments(m_admin, m_shown->id, paths);
    if (!report) {
        m_message->showError(tr("No documents were imported for %1. %2").arg(name, report.error().message()));
        return;
    }
    showDocuments();
    const int added = report->added();
    const int present = static_cast<int>(report->imported.size()) - added;
    QStringList sentences;
    if (added > 0 || present == 0)
        sentences << (added == 1 ? tr("1 document imported for %1.").arg(name) : tr("%1 documents imported for %2.").arg(added).arg(name));
    if (present > 0)
        sentences << (present == 1 ? tr("1 document was already in the collection and is unchanged.")
                                   : tr("%1 documents were already in the collection and are unchanged.").arg(present));
    sentences << report->problems;
    if (report->problems.isEmpty())
        m_message->showHint(sentences.join(QLatin1Char(' ')));
    else
        m_message->showError(sentences.join(QLatin1Char(' ')));
    if (!report->imported.isEmpty())
        Q_EMIT agentsChanged();
}

} // namespace heliodesk
