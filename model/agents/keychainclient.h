#pragma once

// Talking to the OS keychain through the heliodesk_keychain module (QtKeychain), shared by the
// stores of secrets: API keys (ApiKeyStore) and database passwords (DatabasePasswordStore). Each
// store words its own errors; this only loads the module and runs one request.

#include "keychainbackend.h"

#include <QCoroTask>
#include <QString>

#include <chrono>
#include <optional>

namespace heliodesk::keychain {

/// The keychain module, loaded the first time it is asked for; a null backend with the reason
/// when it cannot be loaded (a broken installation).
struct Module {
    KeychainBackend *backend = nullptr;
    QString problem;
};
Module module();

/// Runs one request: the backend's reply, or nullopt when none came within `timeout` (an unlock
/// prompt that nobody answered).
QCoro::Task<std::optional<KeychainReply>> run(KeychainBackend *backend, KeychainRequest request, std::chrono::milliseconds timeout);

/// True when a QtKeychain message says that there is no keychain to talk to (no session bus, no
/// secret service), which libsecret reports only in words.
bool saysNoKeychain(const QString &detail);

} // namespace heliodesk::keychain
