#include "agentsetup.h"

#include "offlineprovider.h"
#include "openaiprovider.h"

namespace heliodesk {

Result<AgentSetup> prepareAgents(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock)
{
    auto catalogue = AgentCatalogue::loadDefault();
    if (!catalogue)
        return Unexpected(catalogue.error());
    auto db = database->connection();
    if (!db)
        return Unexpected(db.error());
    if (auto synced = catalogue->sync(*db); !synced)
        return Unexpected(synced.error().withContext(QStringLiteral("The agents could not be set up")));
    auto knowledge = std::make_shared<KnowledgeBase>(database, clock);
    if (auto indexed = knowledge->indexStarterSet(*catalogue); !indexed)
        return Unexpected(indexed.error().withContext(QStringLiteral("The offline knowledge base could not be set up")));
    return AgentSetup{*catalogue, knowledge};
}

std::shared_ptr<ChatProvider> makeProvider(const ProviderConfig &config, const std::shared_ptr<KnowledgeBase> &knowledge)
{
    if (config.usesEndpoint())
        return std::make_shared<OpenAiProvider>(ProviderSettings::toOpenAiSettings(config));
    return std::make_shared<OfflineProvider>(knowledge);
}

} // namespace heliodesk
