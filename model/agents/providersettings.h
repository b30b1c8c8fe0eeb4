#pragma once

// Where answers come from, as the user set it: an OpenAI-compatible endpoint (base URL and model,
// in the per-user settings file) or, when none is set, the offline knowledge base. The
// environment (HELIODESK_API_BASE, HELIODESK_MODEL, HELIODESK_API_KEY) overrides the file for
// headless use. The API key itself is never written to the settings file.

#include "openaiprovider.h"

#include "storage/error.h"

#include <QString>
#include <QUrl>

namespace heliodesk {

struct ProviderConfig {
    QUrl baseUrl;      // empty: offline knowledge base
    QString model;
    QString apiKey;    // from the environment or the keychain; empty for local servers
    QString keySource; // "environment", "keychain", "session" or empty
    bool keyInKeychain = false; // Heliodesk stored a key for this host in the keychain
    [[nodiscard]] bool usesEndpoint() const { return !baseUrl.isEmpty(); }
};

class ProviderSettings
{
public:
    /// The per-user settings file shared by the app and heliodeskctl; tests pass their own file.
    explicit ProviderSettings(QString settingsFile = {});

    /// The file's settings with the environment's overrides applied.
    [[nodiscard]] ProviderConfig load() const;
    /// The endpoint in the file, without the environment's override (whose API key to forget).
    [[nodiscard]] QUrl savedBaseUrl() const;
    /// Checks and stores an endpoint: an http(s) URL and a model name.
    Result<void> saveEndpoint(const QString &baseUrl, const QString &model);
    /// Back to the offline knowledge base.
    void clearEndpoint();

    /// Records whether Heliodesk keeps an API key for the endpoint's host in the keychain (host
    /// names only, never keys); load() reports it as ProviderConfig::keyInKeychain. Asking reads
    /// the keychain only then: a keychain query costs a D-Bus round trip, and on some systems an
    /// unlock prompt.
    void setKeyInKeychain(const QUrl &baseUrl, bool stored);

    /// Validates a base URL typed by a person ("localhost:11434/v1" gets http://).
    static Result<QUrl> parseBaseUrl(const QString &text);
    /// The provider settings for an OpenAI-compatible endpoint.
    static OpenAiSettings toOpenAiSettings(const ProviderConfig &config);

private:
    QString m_file;
};

} // namespace heliodesk
