#pragma once

// Typed errors shared by every layer: a code for programs and a sentence for people.

#include <QDebug>
#include <QString>

#include <tl/expected.hpp>

namespace heliodesk {

enum class ErrorCode {
    Internal,           // a bug or an unexpected state; the detail says more
    InvalidInput,       // the caller passed something malformed
    NotFound,           // the user, plan, … does not exist
    NotAllowed,         // the actor may not do this
    Duplicate,          // a name that must be unique is taken
    WrongCredentials,   // unknown user or wrong password (deliberately not told apart)
    LockedOut,          // too many failed sign-ins
    AccountDisabled,
    QuotaExceeded,
    DatabaseBusy,       // locked by another writer beyond the busy timeout
    DatabaseReadOnly,
    DiskFull,
    NotADatabase,       // the file exists but is not a SQLite database
    DatabaseCorrupt,
    DatabaseTooNew,     // written by a newer Heliodesk
    CannotOpen,
    ConstraintViolated, // the database refused a change (foreign key, trigger, check)
    ConnectionLost,
    Io,
    // Model endpoints (OpenAI-compatible servers):
    ProviderUnreachable,   // connection refused, DNS failure, TLS failure, connect timeout
    ProviderUnauthorized,  // 401/403: missing or wrong API key
    ProviderModelNotFound, // 404: unknown model or wrong base URL
    ProviderRateLimited,   // 429, with Retry-After when the server gave one
    ProviderUnavailable,   // 5xx
    ProviderTimeout,       // no data for longer than the idle timeout
    ProviderProtocol,      // a reply that is not the streaming format (not SSE, bad JSON, truncated)
    ProviderError,         // the server reported an error object mid-stream
    // The OS keychain (API keys):
    KeychainUnavailable,   // no keychain service here (no D-Bus session, no secret service): offer a fallback
    KeychainAccessDenied,  // the keychain is locked or the user refused access
    KeychainError,         // any other keychain failure
};

/// What went wrong: a code, one sentence a person understands, and the technical detail for logs.
class Error
{
public:
    Error() = default;
    Error(ErrorCode code, QString message, QString detail = {});

    [[nodiscard]] ErrorCode code() const { return m_code; }
    [[nodiscard]] const QString &message() const { return m_message; }
    [[nodiscard]] const QString &detail() const { return m_detail; }

    /// The message followed by the technical detail, for logs.
    [[nodiscard]] QString toLogString() const;

    /// A copy whose message is prefixed with what was being attempted ("Could not delete user ann: …").
    [[nodiscard]] Error withContext(const QString &context) const;

private:
    ErrorCode m_code = ErrorCode::Internal;
    QString m_message;
    QString m_detail;
};

template<typename T>
using Result = tl::expected<T, Error>;

using Unexpected = tl::unexpected<Error>;

inline Unexpected fail(ErrorCode code, QString message, QString detail = {})
{
    return Unexpected(Error(code, std::move(message), std::move(detail)));
}

QDebug operator<<(QDebug debug, const Error &error);

const char *errorCodeName(ErrorCode code);

} // namespace heliodesk
