#include "keychainclient.h"

#include <QCoreApplication>
#include <QCoroSignal>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPluginLoader>

#include <memory>

namespace heliodesk::keychain {

namespace {

Q_LOGGING_CATEGORY(lcKeychain, "heliodesk.keychain", QtInfoMsg)

/// The keychain module, loaded once, the first time it is needed; null with the reason when it
/// cannot be (a broken installation).
struct LoadedBackend {
    std::unique_ptr<QPluginLoader> loader;
    KeychainBackend *backend = nullptr;
    QString problem;

    LoadedBackend() = default;
    LoadedBackend(LoadedBackend &&) = default;
    ~LoadedBackend()
    {
        // At exit: the module's object goes with it, and the module with the program.
        if (loader)
            loader->unload();
    }
};

const LoadedBackend &keychainModule()
{
    static const LoadedBackend loaded = [] {
        LoadedBackend result;
        // Where installers put it, then the build tree (tests, scripts/run.sh).
        QStringList candidates;
        if (const QString path = qEnvironmentVariable("HELIODESK_KEYCHAIN_MODULE"); !path.isEmpty())
            candidates << path;
        const QString appDir = QCoreApplication::applicationDirPath();
        candidates << appDir + u"/heliodesk_keychain";
#ifdef HELIODESK_INSTALL_MODULE_DIR
        // bin/ -> ${CMAKE_INSTALL_LIBDIR}/heliodesk (model/CMakeLists.txt): /usr/lib/x86_64-linux-gnu/heliodesk in a .deb.
        candidates << appDir + QStringLiteral("/" HELIODESK_INSTALL_MODULE_DIR "/heliodesk_keychain");
#else
        candidates << appDir + u"/../lib/heliodesk/heliodesk_keychain";
#endif
        candidates << appDir + u"/../PlugIns/heliodesk_keychain";
#ifdef HELIODESK_BUILD_MODULE_DIR
        candidates << QStringLiteral(HELIODESK_BUILD_MODULE_DIR "/heliodesk_keychain");
#endif
        QStringList failures;
        for (const QString &candidate : std::as_const(candidates)) {
            auto loader = std::make_unique<QPluginLoader>(QDir::cleanPath(candidate));
            if (auto *backend = qobject_cast<KeychainBackend *>(loader->instance())) {
                result.backend = backend;
                result.loader = std::move(loader); // kept: the module stays loaded
                return result;
            }
            if (QFileInfo::exists(loader->fileName()))
                failures << loader->errorString();
        }
        result.problem = failures.isEmpty() ? QStringLiteral("the keychain module heliodesk_keychain is not installed")
                                            : failures.join(u"; ");
        qCWarning(lcKeychain).noquote() << "no keychain module:" << result.problem << "(looked in" << candidates << ')';
        return result;
    }();
    return loaded;
}

/// One keychain operation that is being waited for; the backend answers through it.
class KeychainCall : public QObject
{
    Q_OBJECT

public:
    std::optional<KeychainReply> reply;

Q_SIGNALS:
    void answered();
};

} // namespace

Module module()
{
    const LoadedBackend &loaded = keychainModule();
    return Module{loaded.backend, loaded.problem};
}

QCoro::Task<std::optional<KeychainReply>> run(KeychainBackend *backend, KeychainRequest request, std::chrono::milliseconds timeout)
{
    // QCoro resumes this coroutine inside answered(): the call must outlive that emission, so it
    // is deleted later, never with the coroutine's frame.
    const std::unique_ptr<KeychainCall, void (*)(KeychainCall *)> call(new KeychainCall, [](KeychainCall *c) { c->deleteLater(); });
    KeychainCall *raw = call.get();
    backend->start(request, raw, [raw](const KeychainReply &reply) {
        raw->reply = reply; // only called while `raw` lives (it is the backend's context)
        // Queued: the coroutine must not resume inside the backend's own signal either.
        QMetaObject::invokeMethod(raw, &KeychainCall::answered, Qt::QueuedConnection);
    });
    co_await qCoro(raw, &KeychainCall::answered, timeout);
    co_return raw->reply;
}

/// True when QtKeychain's message says that there is no keychain to talk to. libsecret reports a
/// missing session bus or secret service as a plain GLib error (OtherError), so only the text tells:
/// "Cannot autolaunch D-Bus without X11 $DISPLAY", "Could not connect: No such file or directory",
/// "The name org.freedesktop.secrets was not provided by any .service files", and a secret
/// service without a default collection ("Object does not exist at path …/collection/login").
bool saysNoKeychain(const QString &detail)
{
    static const QStringList signs = {
        QStringLiteral("D-Bus"),
        QStringLiteral("DBus"),
        QStringLiteral("dbus-launch"),
        QStringLiteral("Could not connect"),
        QStringLiteral("org.freedesktop.secrets"),
        QStringLiteral("ServiceUnknown"),
        QStringLiteral("not provided by any .service files"),
        QStringLiteral("No keychain service"),
        QStringLiteral("keyring daemon"),
        QStringLiteral("Object does not exist at path"),
    };
    for (const QString &sign : signs)
        if (detail.contains(sign, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace heliodesk::keychain

#include "keychainclient.moc"
