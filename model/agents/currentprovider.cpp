#include "currentprovider.h"

#include "agentsetup.h"
#include "apikeystore.h"

#include <QLoggingCategory>
#include <QPointer>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcProvider, "heliodesk.answers", QtInfoMsg)

CurrentProvider::CurrentProvider(std::shared_ptr<KnowledgeBase> knowledge, QString settingsFile, QObject *parent)
    : QObject(parent)
    , m_knowledge(std::move(knowledge))
    , m_settingsFile(std::move(settingsFile))
{
}

void CurrentProvider::reload()
{
    const quint64 generation = ++m_generation;
    m_config = ProviderSettings(m_settingsFile).load();
    m_keyProblem.clear();
    if (m_config.usesEndpoint() && m_config.apiKey.isEmpty()) {
        const QString sessionKey = ApiKeyStore::sessionKey(m_config.baseUrl);
        if (!sessionKey.isEmpty()) {
            m_config.apiKey = sessionKey;
            m_config.keySource = QStringLiteral("session");
        } else if (m_config.keyInKeychain) {
            m_ready = false;
            m_provider.reset();
            Q_EMIT changed();
            readKey(generation, m_config.baseUrl);
            return;
        }
    }
    build();
}

QCoro::Task<> CurrentProvider::readKey(quint64 generation, QUrl baseUrl)
{
    QPointer<CurrentProvider> self(this);
    const auto key = co_await ApiKeyStore().read(baseUrl);
    if (!self || generation != m_generation)
        co_return; // closed, or the settings changed again meanwhile
    if (!key) {
        m_keyProblem = key.error().message();
        qCWarning(lcProvider).noquote() << "going on without an API key:" << key.error().toLogString();
    } else if (!key->isEmpty()) {
        m_config.apiKey = *key;
        m_config.keySource = QStringLiteral("keychain");
    }
    build();
}

void CurrentProvider::build()
{
    m_provider = makeProvider(m_config, m_knowledge);
    m_ready = true;
    qCInfo(lcProvider).noquote() << "answers from" << m_provider->description();
    Q_EMIT changed();
}

QString CurrentProvider::description() const
{
    if (!m_config.usesEndpoint())
        return tr("Offline knowledge base");
    const QString where = m_config.baseUrl.port() > 0
        ? QStringLiteral("%1:%2").arg(m_config.baseUrl.host()).arg(m_config.baseUrl.port())
        : m_config.baseUrl.host();
    return m_config.model.isEmpty() ? where : tr("%1 at %2").arg(m_config.model, where);
}

} // namespace heliodesk
