#pragma once

// Where the desktop app's answers come from right now: the provider built from the saved settings
// (an OpenAI-compatible endpoint with its API key from the keychain, or the offline knowledge
// base), rebuilt when the settings change. Answers already streaming keep the provider they
// started with.

#include "chatprovider.h"
#include "knowledgebase.h"
#include "providersettings.h"

#include <QObject>

#include <memory>

namespace heliodesk {

class CurrentProvider : public QObject
{
    Q_OBJECT

public:
    /// `settingsFile` as ProviderSettings takes it (empty: the user's settings file).
    CurrentProvider(std::shared_ptr<KnowledgeBase> knowledge, QString settingsFile = {}, QObject *parent = nullptr);

    /// Reads the settings again and builds the provider. An endpoint whose key is kept in the
    /// keychain is ready once the keychain has answered (readyChanged); a keychain failure is
    /// reported by keyProblem() and the endpoint is used without a key.
    void reload();

    [[nodiscard]] std::shared_ptr<ChatProvider> provider() const { return m_provider; }
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] bool isOffline() const { return !m_config.usesEndpoint(); }
    [[nodiscard]] const ProviderConfig &config() const { return m_config; }
    /// "Offline knowledge base", or "llama3.1 at 127.0.0.1:11434".
    [[nodiscard]] QString description() const;
    /// Why the keychain could not give the key, or empty.
    [[nodiscard]] QString keyProblem() const { return m_keyProblem; }

Q_SIGNALS:
    /// The provider was rebuilt, or became ready.
    void changed();

private:
    QCoro::Task<> readKey(quint64 generation, QUrl baseUrl);
    void build();

    std::shared_ptr<KnowledgeBase> m_knowledge;
    QString m_settingsFile;
    ProviderConfig m_config;
    std::shared_ptr<ChatProvider> m_provider;
    QString m_keyProblem;
    bool m_ready = false;
    quint64 m_generation = 0;
};

} // namespace heliodesk
