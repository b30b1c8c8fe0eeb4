#include "databasepasswordstore.h"

#include "agents/keychainclient.h"

#include <QLoggingCategory>

namespace heliodesk {

namespace {

Q_LOGGING_CATEGORY(lcDatabasePassword, "heliodesk.database.password", QtInfoMsg)

using Operation = KeychainRequest::Operation;
using Status = KeychainReply::Status;

const QString serviceName = QStringLiteral("Heliodesk");
const QString otherWays = QStringLiteral("Put the password in a PGPASSFILE (~/.pgpass on Linux and macOS, "
                                         "%APPDATA%\\postgresql\\pgpass.conf on Windows) instead.");

QString withoutFinalStop(QString text)
{
    text = text.trimmed();
    while (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

Error errorFor(const KeychainReply &reply, Operation operation, const QString &entry)
{
    const QString detail = withoutFinalStop(reply.message.isEmpty() ? QStringLiteral("no detail given") : reply.message);
    const QString logDetail = QStringLiteral("QtKeychain error %1 on %2: %3").arg(reply.backendCode).arg(entry, reply.message);
    const bool noKeychain = reply.status == Status::NoBackendAvailable || reply.status == Status::NotImplemented
        || (reply.status == Status::OtherError && keychain::saysNoKeychain(reply.message));
    if (noKeychain)
        return Error(ErrorCode::KeychainUnavailable,
                     QStringLiteral("This computer has no keychain Heliodesk can use (%1). ").arg(detail) + otherWays, logDetail);
    if (reply.status == Status::AccessDenied || reply.status == Status::AccessDeniedByUser)
        return Error(ErrorCode::KeychainAccessDenied,
                     QStringLiteral("Heliodesk may not use the keychain (%1): unlock it or allow access, then try again. ").arg(detail)
                         + otherWays,
                     logDetail);
    const QString what = operation == Operation::Read    ? QStringLiteral("read from")
                       : operation == Operation::Write ? QStringLiteral("stored in")
                                                        : QStringLiteral("removed from");
    return Error(ErrorCode::KeychainError,
                 QStringLiteral("The database password could not be %1 the keychain (%2). ").arg(what, detail) + otherWays, logDetail);
}

/// One request on the keychain: the reply when it answered, else the error to report.
QCoro::Task<Result<KeychainReply>> ask(KeychainRequest request)
{
    const keychain::Module module = keychain::module();
    if (!module.backend)
        co_return fail(ErrorCode::KeychainUnavailable,
                       u"This installation of Heliodesk cannot use the keychain (its keychain module is missing or damaged). " + otherWays,
                       module.problem);
    const QString entry = request.key;
    const std::optional<KeychainReply> reply = co_await keychain::run(module.backend, std::move(request), DatabasePasswordStore::jobTimeout);
    if (!reply)
        co_return fail(ErrorCode::KeychainError,
                       QStringLiteral("The keychain did not answer within %1 seconds. If it asks for a password, unlock it and try again.")
                           .arg(std::chrono::duration_cast<std::chrono::seconds>(DatabasePasswordStore::jobTimeout).count()),
                       QStringLiteral("QtKeychain job on %1 timed out").arg(entry));
    co_return *reply;
}

Result<QString> checkedEntry(const DatabaseLocation &location)
{
    const QString entry = DatabasePasswordStore::entryName(location);
    if (entry.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("A SQLite database file has no password."));
    return entry;
}

} // namespace

QString DatabasePasswordStore::entryName(const DatabaseLocation &location)
{
    if (location.engine() != DatabaseLocation::Engine::PostgreSql)
        return {};
    const QUrl &url = location.url();
    return QStringLiteral("db-password:%1@%2:%3/%4")
        .arg(url.userName(QUrl::FullyDecoded), url.host(QUrl::FullyEncoded).toLower())
        .arg(url.port(5432))
        .arg(url.path().mid(1));
}

QCoro::Task<Result<QString>> DatabasePasswordStore::read(DatabaseLocation location)
{
    const auto entry = checkedEntry(location);
    if (!entry)
        co_return Unexpected(entry.error());
    KeychainRequest request{Operation::Read, serviceName, *entry, {}};
    const Result<KeychainReply> reply = co_await ask(std::move(request));
    if (!reply)
        co_return Unexpected(reply.error());
    if (reply->status == Status::EntryNotFound)
        co_return QString();
    if (reply->status != Status::Ok) {
        const Error error = errorFor(*reply, Operation::Read, *entry);
        qCInfo(lcDatabasePassword).noquote() << "reading" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    co_return reply->text;
}

QCoro::Task<Result<void>> DatabasePasswordStore::write(DatabaseLocation location, QString password)
{
    const auto entry = checkedEntry(location);
    if (!entry)
        co_return Unexpected(entry.error());
    if (password.isEmpty())
        co_return fail(ErrorCode::InvalidInput, QStringLiteral("The password is empty."));
    KeychainRequest request{Operation::Write, serviceName, *entry, password};
    const Result<KeychainReply> reply = co_await ask(std::move(request));
    if (!reply)
        co_return Unexpected(reply.error());
    if (reply->status != Status::Ok) {
        const Error error = errorFor(*reply, Operation::Write, *entry);
        qCInfo(lcDatabasePassword).noquote() << "storing" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    co_return Result<void>();
}

QCoro::Task<Result<void>> DatabasePasswordStore::remove(DatabaseLocation location)
{
    const auto entry = checkedEntry(location);
    if (!entry)
        co_return Unexpected(entry.error());
    KeychainRequest request{Operation::Remove, serviceName, *entry, {}};
    const Result<KeychainReply> reply = co_await ask(std::move(request));
    if (!reply)
        co_return Unexpected(reply.error());
    if (reply->status != Status::Ok && reply->status != Status::EntryNotFound) {
        const Error error = errorFor(*reply, Operation::Remove, *entry);
        qCInfo(lcDatabasePassword).noquote() << "removing" << *entry << "failed:" << error.toLogString();
        co_return Unexpected(error);
    }
    co_return Result<void>();
}

} // namespace heliodesk
