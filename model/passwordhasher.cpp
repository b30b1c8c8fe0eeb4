#include "passwordhasher.h"

#include <sodium.h>

#include <QByteArray>

namespace heliodesk {

namespace {
constexpr qsizetype minimumLength = 8;
constexpr qsizetype maximumLength = 1024; // hashing cost must not be the caller's to choose
} // namespace

PasswordHasher::PasswordHasher(PasswordHashParams params)
    : m_params(params)
{
    if (sodium_init() < 0)
        qFatal("libsodium could not be initialised"); // without it no password can be checked safely
}

Result<QString> PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, utf8.constData(), static_cast<unsigned long long>(utf8.size()), m_params.opsLimit,
                              m_params.memLimitBytes, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(ErrorCode::Internal, QStringLiteral("The password could not be protected: the computer is out of memory."),
                    QStringLiteral("crypto_pwhash_str_alg failed"));
    return QString::fromLatin1(out);
}

bool PasswordHasher::verify(const QString &phcHash, const QString &password) const
{
    const QByteArray hashBytes = phcHash.toLatin1();
    const QByteArray utf8 = password.toUtf8();
    if (hashBytes.size() >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hashBytes.constData(), utf8.constData(), static_cast<unsigned long long>(utf8.size())) == 0;
}

bool PasswordHasher::needsRehash(const QString &phcHash) const
{
    const QByteArray hashBytes = phcHash.toLatin1();
    if (!hashBytes.startsWith("$argon2id$"))
        return true;
    return crypto_pwhash_str_needs_rehash(hashBytes.constData(), m_params.opsLimit, m_params.memLimitBytes) != 0;
}

void PasswordHasher::verifyDummy(const QString &password) const
{
    // Made lazily once: a fixed hash of a random password, verified against the attempt.
    if (m_dummyHash.isEmpty()) {
        auto made = hash(QString::number(randombytes_random()) + u"-heliodesk-dummy");
        if (made)
            m_dummyHash = *made;
    }
    (void)verify(m_dummyHash, password);
}

QString PasswordHasher::weaknessOf(const QString &password)
{
    if (password.size() < minimumLength)
        return QStringLiteral("A password needs at least %1 characters.").arg(minimumLength);
    if (password.size() > maximumLength)
        return QStringLiteral("A password can have at most %1 characters.").arg(maximumLength);
    if (password.trimmed().isEmpty())
        return QStringLiteral("A password cannot be only spaces.");
    return {};
}

} // namespace heliodesk
