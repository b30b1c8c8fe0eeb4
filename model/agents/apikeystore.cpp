#include "apikeystore.h"

#include "providersettings.h"

#include "keychainbackend.h"
#include "keychainclient.h"

#include <QCoreApplication>
#include <QHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>

#include <memory>

namespace heliodesk {

namespace {

Q_LOGGING_CATEGORY(lcApiKeys, "heliodesk.apikeys", QtInfoMsg)

using Operation = KeychainRequest::Operation;
using Status = KeychainReply::Status;

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

QString withoutFinalStop(QString text)
{
    text = text.trimmed();
    while (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

/// The sentence for a failed job. Not called for EntryNotFound on read or remove (not a failure).
Error errorFor(const KeychainReply &reply, Operation operation, const QString &entry)
{
    const QString &jobMessage = reply.message;
    const QString detail = withoutFinalStop(jobMessage.isEmpty() ? QStringLiteral("no detail given") : jobMessage);
    const QString logDetail = QStringLiteral("QtKeychain error %1 on %2: %3").arg(reply.backendCode).arg(entry, jobMessage);
    switch (reply.status) {
    case Status::NoBackendAvailable:
    case Status::NotImplemented:
        return Error(ErrorCode::KeychainUnavailable,
                     QStringLiteral("This computer has no keychain Heliodesk can use (%1). ").arg(detail) + fallbacks, logDetail);
    case Status::AccessDenied:
    case Status::AccessDeniedByUser:
        return Error(ErrorCode::KeychainAccessDenied,
                     QStringLiteral("Heliodesk may not use the keychain (%1): unlock it or allow access, then try again. Or ").arg(detail)
                         + orFallbacks,
                     logDetail);
    case Status::OtherError:
        if (keychain::saysNoKeychain(jobMessage))
            return Error(ErrorCode::KeychainUnavailable,
                         QStringLiteral("This computer has no keychain Heliodesk can use (%1). ").arg(detail) + fallbacks, logDetail);
        break;
    case Status::Ok:
    case Status::EntryNotFound:
    case Status::CouldNotDeleteEntry:
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

Error missingModuleError(const QString &problem)
{
    return Error(ErrorCode::KeychainUnavailable,
                 u"This installation of Heliodesk cannot use the keychain (its keychain module is missing or damaged). "
                     + fallbacks + u" Reinstalling Heliodesk brings the module back.",
                 problem);
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

    const keychain::Module module = keychain::module();
    if (!module.backend)
        co_return Unexpected(missingModuleError(module.problem));
    // A named request: GCC 12 copies a braced temporary into a coroutine's frame without its copy constructor.
    KeychainRequest request{Operation::Read, serviceName(), *entry, {}};
    const std::optional<KeychainReply> reply = co_await keychain::run(module.backend, std::move(request), jobTimeout);
    if (!reply)
        co_return Unexpected(timeoutError(*entry));
    if (reply->status == Status::EntryNotFound)
        co_return QString();
    if (reply->status != Status::Ok) {
        const Error error = errorFor(*reply, Operation::Read, *entry);
        qCInfo(lcApiKeys).noquote() << "reading" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    co_return reply->text;
}

QCoro::Task<Result<void>> ApiKeyStore::write(QUrl baseUrl, QString key)
{
    const auto entry = checkedEntry(baseUrl);
    if (!entry)
        co_return Unexpected(entry.error());
    if (key.isEmpty())
        co_return fail(ErrorCode::InvalidInput, QStringLiteral("The API key is empty."));

    const keychain::Module module = keychain::module();
    if (!module.backend)
        co_return Unexpected(missingModuleError(module.problem));
    // A named request: GCC 12 copies a braced temporary into a coroutine's frame without its copy constructor.
    KeychainRequest request{Operation::Write, serviceName(), *entry, key};
    const std::optional<KeychainReply> reply = co_await keychain::run(module.backend, std::move(request), jobTimeout);
    if (!reply)
        co_return Unexpected(timeoutError(*entry));
    if (reply->status != Status::Ok) {
        const Error error = errorFor(*reply, Operation::Write, *entry);
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

    const keychain::Module module = keychain::module();
    if (!module.backend)
        co_return Unexpected(missingModuleError(module.problem));
    // A named request: GCC 12 copies a braced temporary into a coroutine's frame without its copy constructor.
    KeychainRequest request{Operation::Remove, serviceName(), *entry, {}};
    const std::optional<KeychainReply> reply = co_await keychain::run(module.backend, std::move(request), jobTimeout);
    if (!reply)
        co_return Unexpected(timeoutError(*entry));
    if (reply->status != Status::Ok && reply->status != Status::EntryNotFound) {
        const Error error = errorFor(*reply, Operation::Remove, *entry);
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

