#pragma once

// The API key of a model endpoint, kept in the OS keychain (service "Heliodesk", one entry per
// endpoint host: "api-key:api.openai.com"), or, when the user chooses so because there is no
// usable keychain, in this process's memory only. Never on disk.

#include "storage/error.h"

#include <QCoroTask>
#include <QString>
#include <QUrl>

#include <chrono>

namespace heliodesk {

/// read(), write() and remove() keep no state in the object (the session keys are per process),
/// so a temporary store may be awaited: `co_await ApiKeyStore().read(url)`.
class ApiKeyStore
{
public:
    /// The keychain's service name, shared by every Heliodesk program.
    static QString serviceName();
    /// The keychain entry of an endpoint: "api-key:" and its host ("api-key:api.openai.com").
    /// Empty when the URL has no host.
    static QString entryName(const QUrl &baseUrl);

    /// The key of the endpoint's host: the session key when one was set in this process, else the
    /// keychain's. No entry is not an error: an empty key (local servers need none).
    /// Failures: KeychainUnavailable (with the sentence that offers the fallbacks),
    /// KeychainAccessDenied, KeychainError, InvalidInput (a URL without host).
    QCoro::Task<Result<QString>> read(QUrl baseUrl);
    /// Stores the key in the keychain; on success a session key of the same host is dropped. On
    /// failure nothing is stored anywhere: the caller offers the fallbacks (the environment, or
    /// setSessionKey()) and lets the user choose.
    QCoro::Task<Result<void>> write(QUrl baseUrl, QString key);
    /// Forgets the key of the endpoint's host, in this process and in the keychain. A missing
    /// entry is not an error.
    QCoro::Task<Result<void>> remove(QUrl baseUrl);

    /// The fallback the user chose when no keychain is available: the key lives in this process's
    /// memory until it ends (or until removed). An empty key forgets it.
    static void setSessionKey(const QUrl &baseUrl, const QString &key);
    /// The session key of the endpoint's host, or an empty string.
    [[nodiscard]] static QString sessionKey(const QUrl &baseUrl);

    /// How long a keychain operation may take (an unlock prompt waits for the user).
    static constexpr std::chrono::milliseconds jobTimeout = std::chrono::minutes(2);
};

} // namespace heliodesk
