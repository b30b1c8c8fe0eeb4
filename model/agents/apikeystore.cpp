#include "apikeystore.h"

#include "providersettings.h"

#include <QCoroSignal>
#include <QHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>

#include <qt6keychain/keychain.h>

namespace heliodesk {

namespace {

Q_LOGGING_CATEGORY(lcApiKeys, "heliodesk.apikeys", QtInfoMsg)

enum class Operation { Read, Write, Remove };

// What a person can do instead: as a sentence of its own, and as the end of one.
const QString fallbacks = QStringLiteral("Choose: set HELIODESK_API_KEY in the environment, or keep the key for this session only.");
const QString orFallbacks = QStringLiteral("choose: set HELIODESK_API_KEY in the environment, or keep the key for this session only.");

struct SessionKeys {
    QMutex mutex;
    QHash<QString, QString> byEntry;
};

SessionKeys &sessionKeys()
{
    static SessionKeys keys;
    return keys;
}

/// Owns a keychain job while it runs. A job that did not finish in time is left to delete itself
/// when it finally does: the backend's callback still points at it.
class JobOwner
{
public:
    explicit JobOwner(QKeychain::Job *job)
        : m_job(job)
    {
        m_job->setAutoDelete(false);
        m_job->setInsecureFallback(false); // never a plain-text copy in a settings file
    }
    ~JobOwner()
    {
        if (m_finished)
            m_job->deleteLater(); // QCoro resumes us from a queued call, but the job's own code may still be on the stack
        else
            m_job->setAutoDelete(true);
    }
    JobOwner(const JobOwner &) = delete;
    JobOwner &operator=(const JobOwner &) = delete;

    /// Starts the job and waits for its finished signal; false when it did not come in time.
    QCoro::Task<bool> run()
    {
        m_job->start(); // queued: the signal cannot come before qCoro() has connected to it
        const auto done = co_await qCoro(m_job, &QKeychain::Job::finished, ApiKeyStore::jobTimeout);
        m_finished = done.has_value();
        co_return m_finished;
    }

private:
    QKeychain::Job *m_job;
    bool m_finished = false;
};

QString withoutFinalStop(QString text)
{
    text = text.trimmed();
    while (text.endsWith(u'.'))
        text.chop(1);
    return text;
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

/// The sentence for a failed job. Not called for EntryNotFound on read or remove (not a failure).
Error errorFor(QKeychain::Error code, const QString &jobMessage, Operation operation, const QString &entry)
{
    const QString detail = withoutFinalStop(jobMessage.isEmpty() ? QStringLiteral("no detail given") : jobMessage);
    const QString logDetail = QStringLiteral("QtKeychain error %1 on %2: %3").arg(int(code)).arg(entry, jobMessage);
    switch (code) {
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return Error(ErrorCode::KeychainUnavailable,
                     QStringLiteral("This computer has no keychain Heliodesk can use (%1). ").arg(detail) + fallbacks, logDetail);
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Error(ErrorCode::KeychainAccessDenied,
                     QStringLiteral("Heliodesk may not use the keychain (%1): unlock it or allow access, then try again. Or ").arg(detail)
                         + orFallbacks,
                     logDetail);
    case QKeychain::OtherError:
        if (saysNoKeychain(jobMessage))
            return Error(ErrorCode::KeychainUnavailable,
                         QStringLiteral("This computer has no keychain Heliodesk can use (%1). ").arg(detail) + fallbacks, logDetail);
        break;
    case QKeychain::NoError:
    case QKeychain::EntryNotFound:
    case QKeychain::CouldNotDeleteEntry:
        break;
    }
    switch (operation) {
    case Operation::Read:
        return Error(ErrorCode::KeychainError,
                     QStringLiteral("The API key could not be read from the keychain (%1). Try again, or ").arg(detail)
                         + orFallbacks,
                     logDetail);
    case Operation::Write:
        return Error(ErrorCode::KeychainError,
                     QStringLiteral("The API key could not be stored in the keychain (%1). Try again, or ").arg(detail)
                         + orFallbacks,
                     logDetail);
    case Operation::Remove:
        break;
    }
    return Error(ErrorCode::KeychainError,
                 QStringLiteral("The API key could not be removed from the keychain (%1). Remove the entry “%2” of “%3” with the "
                                "system's keychain tool.")
                     .arg(detail, entry, ApiKeyStore::serviceName()),
                 logDetail);
}

Error timeoutError(const QString &entry)
{
    return Error(ErrorCode::KeychainError,
                 QStringLiteral("The keychain did not answer within %1 seconds. If it asks for a password, unlock it and try again; or ")
                         .arg(std::chrono::duration_cast<std::chrono::seconds>(ApiKeyStore::jobTimeout).count())
                     + orFallbacks,
                 QStringLiteral("QtKeychain job on %1 timed out").arg(entry));
}

Result<QString> checkedEntry(const QUrl &baseUrl)
{
    const QString entry = ApiKeyStore::entryName(baseUrl);
    if (entry.isEmpty())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("“%1” has no host name, so no API key can be kept for it.").arg(baseUrl.toDisplayString()));
    return entry;
}

} // namespace

QString ApiKeyStore::serviceName()
{
    return QStringLiteral("Heliodesk");
}

QString ApiKeyStore::entryName(const QUrl &baseUrl)
{
    const QString host = baseUrl.host(QUrl::FullyEncoded).toLower();
    return host.isEmpty() ? QString() : u"api-key:" + host;
}

QCoro::Task<Result<QString>> ApiKeyStore::read(QUrl baseUrl)
{
    const auto entry = checkedEntry(baseUrl);
    if (!entry)
        co_return Unexpected(entry.error());
    if (QString key = sessionKey(baseUrl); !key.isEmpty())
        co_return key;

    auto *job = new QKeychain::ReadPasswordJob(serviceName());
    job->setKey(*entry);
    JobOwner owner(job);
    if (!co_await owner.run())
        co_return Unexpected(timeoutError(*entry));
    if (job->error() == QKeychain::EntryNotFound)
        co_return QString();
    if (job->error() != QKeychain::NoError) {
        const Error error = errorFor(job->error(), job->errorString(), Operation::Read, *entry);
        qCInfo(lcApiKeys).noquote() << "reading" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    co_return job->textData();
}

QCoro::Task<Result<void>> ApiKeyStore::write(QUrl baseUrl, QString key)
{
    const auto entry = checkedEntry(baseUrl);
    if (!entry)
        co_return Unexpected(entry.error());
    if (key.isEmpty())
        co_return fail(ErrorCode::InvalidInput, QStringLiteral("The API key is empty."));

    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setKey(*entry);
    job->setTextData(key);
    JobOwner owner(job);
    if (!co_await owner.run())
        co_return Unexpected(timeoutError(*entry));
    if (job->error() != QKeychain::NoError) {
        const Error error = errorFor(job->error(), job->errorString(), Operation::Write, *entry);
        qCInfo(lcApiKeys).noquote() << "storing" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    setSessionKey(baseUrl, {}); // the keychain's copy is the one now
    ProviderSettings().setKeyInKeychain(baseUrl, true);
    co_return Result<void>();
}

QCoro::Task<Result<void>> ApiKeyStore::remove(QUrl baseUrl)
{
    const auto entry = checkedEntry(baseUrl);
    if (!entry)
        co_return Unexpected(entry.error());
    setSessionKey(baseUrl, {});

    auto *job = new QKeychain::DeletePasswordJob(serviceName());
    job->setKey(*entry);
    JobOwner owner(job);
    if (!co_await owner.run())
        co_return Unexpected(timeoutError(*entry));
    if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound) {
        const Error error = errorFor(job->error(), job->errorString(), Operation::Remove, *entry);
        qCInfo(lcApiKeys).noquote() << "removing" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    ProviderSettings().setKeyInKeychain(baseUrl, false);
    co_return Result<void>();
}

void ApiKeyStore::setSessionKey(const QUrl &baseUrl, const QString &key)
{
    const QString entry = entryName(baseUrl);
    if (entry.isEmpty())
        return;
    SessionKeys &keys = sessionKeys();
    const QMutexLocker lock(&keys.mutex);
    if (key.isEmpty())
        keys.byEntry.remove(entry);
    else
        keys.byEntry.insert(entry, key);
}

QString ApiKeyStore::sessionKey(const QUrl &baseUrl)
{
    SessionKeys &keys = sessionKeys();
    const QMutexLocker lock(&keys.mutex);
    return keys.byEntry.value(entryName(baseUrl));
}

} // namespace heliodesk
