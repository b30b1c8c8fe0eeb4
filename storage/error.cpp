#include "error.h"

namespace heliodesk {

Error::Error(ErrorCode code, QString message, QString detail)
    : m_code(code)
    , m_message(std::move(message))
    , m_detail(std::move(detail))
{
}

QString Error::toLogString() const
{
    if (m_detail.isEmpty())
        return m_message;
    return m_message + u" [" + QString::fromLatin1(errorCodeName(m_code)) + u": " + m_detail + u']';
}

Error Error::withContext(const QString &context) const
{
    return Error(m_code, context + u": " + m_message, m_detail);
}

QDebug operator<<(QDebug debug, const Error &error)
{
    QDebugStateSaver saver(debug);
    debug.noquote() << error.toLogString();
    return debug;
}

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Internal: return "internal";
    case ErrorCode::InvalidInput: return "invalid-input";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::NotAllowed: return "not-allowed";
    case ErrorCode::Duplicate: return "duplicate";
    case ErrorCode::WrongCredentials: return "wrong-credentials";
    case ErrorCode::LockedOut: return "locked-out";
    case ErrorCode::AccountDisabled: return "account-disabled";
    case ErrorCode::QuotaExceeded: return "quota-exceeded";
    case ErrorCode::DatabaseBusy: return "database-busy";
    case ErrorCode::DatabaseReadOnly: return "database-read-only";
    case ErrorCode::DiskFull: return "disk-full";
    case ErrorCode::NotADatabase: return "not-a-database";
    case ErrorCode::DatabaseCorrupt: return "database-corrupt";
    case ErrorCode::DatabaseTooNew: return "database-too-new";
    case ErrorCode::CannotOpen: return "cannot-open";
    case ErrorCode::ConstraintViolated: return "constraint-violated";
    case ErrorCode::ConnectionLost: return "connection-lost";
    case ErrorCode::Io: return "io";
    case ErrorCode::ProviderUnreachable: return "provider-unreachable";
    case ErrorCode::ProviderUnauthorized: return "provider-unauthorized";
    case ErrorCode::ProviderModelNotFound: return "provider-model-not-found";
    case ErrorCode::ProviderRateLimited: return "provider-rate-limited";
    case ErrorCode::ProviderUnavailable: return "provider-unavailable";
    case ErrorCode::ProviderTimeout: return "provider-timeout";
    case ErrorCode::ProviderProtocol: return "provider-protocol";
    case ErrorCode::ProviderError: return "provider-error";
    case ErrorCode::KeychainUnavailable: return "keychain-unavailable";
    case ErrorCode::KeychainAccessDenied: return "keychain-access-denied";
    case ErrorCode::KeychainError: return "keychain-error";
    }
    return "unknown";
}

} // namespace heliodesk
