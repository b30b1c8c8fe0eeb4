#pragma once

// Argon2id password hashes in PHC string form, through libsodium.

#include "storage/error.h"

#include <QString>

#include <cstddef>

namespace heliodesk {

struct PasswordHashParams {
    unsigned long long opsLimit = 2;  // iterations (t)
    std::size_t memLimitBytes = std::size_t{19} * 1024 * 1024; // memory (m = 19 MiB); libsodium fixes p = 1
};

class PasswordHasher
{
public:
    /// OWASP's minimum recommendation for Argon2id: m = 19 MiB, t = 2, p = 1.
    static PasswordHashParams owaspParams() { return {}; }

    explicit PasswordHasher(PasswordHashParams params = owaspParams());

    /// "$argon2id$v=19$m=19456,t=2,p=1$salt$hash"
    [[nodiscard]] Result<QString> hash(const QString &password) const;
    [[nodiscard]] bool verify(const QString &phcHash, const QString &password) const;
    /// True when the hash was made with other parameters (or another algorithm) than this hasher's.
    [[nodiscard]] bool needsRehash(const QString &phcHash) const;
    /// Spends the time of one verification, so that an unknown user answers as slowly as a wrong password.
    void verifyDummy(const QString &password) const;

    /// Why a new password is not acceptable, or empty when it is.
    [[nodiscard]] static QString weaknessOf(const QString &password);

private:
    PasswordHashParams m_params;
    mutable QString m_dummyHash; // made on first use only: it costs one hash
};

} // namespace heliodesk
