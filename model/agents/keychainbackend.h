#pragma once

// The OS keychain as Heliodesk uses it, behind an interface that a plugin (heliodesk_keychain,
// built on QtKeychain) implements. The plugin is loaded the first time a key is read or stored:
// QtKeychain brings QtDBus, libdbus, libsystemd and libgcrypt on Linux, whose loading and
// relocation cost every heliodeskctl run ~3 ms while most never touch the keychain.

#include <QObject>
#include <QString>
#include <QtPlugin>

#include <functional>

namespace heliodesk {

struct KeychainRequest {
    enum class Operation { Read, Write, Remove };
    Operation operation = Operation::Read;
    QString service;
    QString key;
    QString text; // Write only
};

struct KeychainReply {
    /// QtKeychain's error codes, as the keychain module reports them.
    enum class Status { Ok, EntryNotFound, CouldNotDeleteEntry, AccessDeniedByUser, AccessDenied, NoBackendAvailable, NotImplemented, OtherError };
    Status status = Status::Ok;
    int backendCode = 0; // QKeychain::Error as a number, for logs
    QString message;     // the backend's own words
    QString text;        // Read only
};

class KeychainBackend
{
public:
    virtual ~KeychainBackend() = default;
    /// Starts one operation. `done` is called once, later, from this thread's event loop — unless
    /// `context` has been destroyed by then. Never stores a plain-text copy anywhere.
    virtual void start(const KeychainRequest &request, QObject *context, std::function<void(const KeychainReply &)> done) = 0;
};

} // namespace heliodesk

#define HeliodeskKeychainBackend_iid "org.heliodesk.KeychainBackend/1"
Q_DECLARE_INTERFACE(heliodesk::KeychainBackend, HeliodeskKeychainBackend_iid)
