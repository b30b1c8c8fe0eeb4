#include "agentsetup.h"

#include "offlineprovider.h"
#include "openaiprovider.h"

#include "resources/heliodeskresources.h"
#include "storage/appstatestore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

namespace heliodesk {

namespace {

const QString kSetUpWithKey = QStringLiteral("agents.set_up_with");

/// A hash of everything prepareAgents() takes from the resources (the catalogue and every
/// starter document) and of how it uses them: equal to the database's record when an earlier
/// start already did the same work.
QString resourcesFingerprint(const AgentCatalogue &catalogue)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView("sync 1, starter index 1")); // change when sync() or indexStarterSet() changes
    QFile file(AgentCatalogue::defaultPath());
    if (file.open(QIODevice::ReadOnly))
        hash.addData(file.readAll());
    for (const AgentDefinition &agent : catalogue.agents()) {
        const QDir folder(KnowledgeBase::starterFolder(agent));
        for (const QString &name : folder.entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name)) {
            QFile document(folder.filePath(name));
            if (!document.open(QIODevice::ReadOnly))
                return {}; // unreadable: never matches, so indexStarterSet() runs and reports it
            hash.addData(QByteArray(agent.id.toUtf8() + '/' + name.toUtf8() + '\0'));
            hash.addData(document.readAll());
        }
    }
    return QString::fromLatin1(hash.result().toHex());
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
    const QString fingerprint = resourcesFingerprint(*catalogue);
    auto setUpWith = AppStateStore::value(*db, kSetUpWithKey);
    if (!setUpWith)
        return Unexpected(setUpWith.error().withContext(QStringLiteral("The agents could not be set up")));
    if (!fingerprint.isEmpty() && *setUpWith == fingerprint)
        return AgentSetup{*catalogue, knowledge};

    if (auto synced = catalogue->sync(*db); !synced)
        return Unexpected(synced.error().withContext(QStringLiteral("The agents could not be set up")));
    if (auto indexed = knowledge->indexStarterSet(*catalogue); !indexed)
        return Unexpected(indexed.error().withContext(QStringLiteral("The offline knowledge base could not be set up")));
    if (auto recorded = AppStateStore::setValue(*db, kSetUpWithKey, fingerprint, clock->nowMs()); !recorded)
        return Unexpected(recorded.error().withContext(QStringLiteral("The agents could not be set up")));
    return AgentSetup{*catalogue, knowledge};
}

std::shared_ptr<ChatProvider> makeProvider(const ProviderConfig &config, const std::shared_ptr<KnowledgeBase> &knowledge)
{
    if (config.usesEndpoint())
        return std::make_shared<OpenAiProvider>(ProviderSettings::toOpenAiSettings(config));
    return std::make_shared<OfflineProvider>(knowledge);
}

} // namespace heliodesk
