#pragma once

// Getting the agents ready on an open database: the catalogue synced into the agents table, the
// starter knowledge indexed, and the provider chosen from the settings.

#include "agentcatalogue.h"
#include "chatprovider.h"
#include "knowledgebase.h"
#include "providersettings.h"

#include "model/clock.h"
#include "storage/database.h"

#include <memory>

namespace heliodesk {

struct AgentSetup {
    AgentCatalogue catalogue;
    std::shared_ptr<KnowledgeBase> knowledge;
};

/// Syncs the compiled-in catalogue and indexes the starter knowledge (both idempotent).
Result<AgentSetup> prepareAgents(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock);

/// An OpenAI-compatible provider when an endpoint is configured, else the offline knowledge base.
std::shared_ptr<ChatProvider> makeProvider(const ProviderConfig &config, const std::shared_ptr<KnowledgeBase> &knowledge);

} // namespace heliodesk
