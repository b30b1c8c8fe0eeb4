#include "agentsetup.h"

#include "offlineprovider.h"
#include "openaiprovider.h"

#include "resources/heliodeskresources.h"
#include "storage/appstatestore.h"

namespace heliodesk {

namespace {

const QString kSetUpWithKey = QStringLiteral("agents.set_up_with");

/// What prepareAgents() sets up from: the compiled-in files (hashed at build time) and the way
/// sync() and indexStarterSet() use them (the number below changes when they change).
QString setUpWith()
{
    return u"sync 1, starter index 1, resources " + QLatin1String(resourcesFingerprint());
}

} // namespace

Result<AgentSetup> prepareAgents(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock)
{
    auto catalogue = AgentCatalogue::loadDefault();
    if (!catalogue)
        return Unexpected(catalogue.error());
    auto db = database->connection();
    if (!db)
        return Unexpected(db.error());
    auto knowledge = std::make_shared<KnowledgeBase>(database, clock);

    // Syncing and indexing are idempotent, but each is a write transaction and re-reads the
    // starter set: on a start with nothing new (nearly every one) a single read says so.
    const QString fingerprint = setUpWith();
    auto recorded = AppStateStore::value(*db, kSetUpWithKey);
    if (!recorded)
        return Unexpected(recorded.error().withContext(QStringLiteral("The agents could not be set up")));
    if (*recorded == fingerprint)
        return AgentSetup{*catalogue, knowledge};

    if (auto synced = catalogue->sync(*db); !synced)
        return Unexpected(synced.error().withContext(QStringLiteral("The agents could not be set up")));
    if (auto indexed = knowledge->indexStarterSet(*catalogue); !indexed)
        return Unexpected(indexed.error().withContext(QStringLiteral("The offline knowledge base could not be set up")));
    if (auto saved = AppStateStore::setValue(*db, kSetUpWithKey, fingerprint, clock->nowMs()); !saved)
        return Unexpected(saved.error().withContext(QStringLiteral("The agents could not be set up")));
    return AgentSetup{*catalogue, knowledge};
}

std::shared_ptr<ChatProvider> makeProvider(const ProviderConfig &config, const std::shared_ptr<KnowledgeBase> &knowledge)
{
    if (config.usesEndpoint())
        return std::make_shared<OpenAiProvider>(ProviderSettings::toOpenAiSettings(config));
    return std::make_shared<OfflineProvider>(knowledge);
}

} // namespace heliodesk
