#pragma once

// The administrator's side of the agents: switch one on or off, edit its system prompt and model,
// see its knowledge collection and import documents into it. Admins only; every change is audited.

#include "model/actor.h"
#include "model/agents/knowledgebase.h"
#include "model/clock.h"

#include "storage/agentstore.h"
#include "storage/database.h"
#include "storage/knowledgestore.h"

#include <memory>
#include <optional>

namespace heliodesk {

struct AgentChanges {
    std::optional<bool> enabled;
    std::optional<QString> systemPrompt;
    std::optional<QString> model; // empty: the provider's own model
};

/// What one "Import documents…" did: each file imported (or found already there), and a sentence
/// for each file that was not.
struct DocumentImportReport {
    QList<ImportedDocument> imported;
    QStringList problems;

    [[nodiscard]] int added() const;
};

class AgentAdminService
{
public:
    static constexpr int MaxPromptCharacters = 20000;
    static constexpr int MaxModelCharacters = 200;

    AgentAdminService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    Result<QList<AgentStore::AgentSettings>> listAgents(const Actor &actor);
    /// Applies the changes that differ from the stored settings, with one audit entry, in one
    /// transaction; returns the agent as stored afterwards.
    Result<AgentStore::AgentSettings> updateAgent(const Actor &actor, const QString &agentId, const AgentChanges &changes);
    /// The agent's documents, newest first.
    Result<QList<KnowledgeStore::DocumentSummary>> documents(const Actor &actor, const QString &agentId);
    /// Reads each file (Markdown, text, HTML; see KnowledgeBase::readDocument), then stores the
    /// readable ones and one audit entry in one transaction. A file that cannot be read is named
    /// in `problems` and does not stop the others.
    Result<DocumentImportReport> importDocuments(const Actor &actor, const QString &agentId, const QStringList &paths);

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
