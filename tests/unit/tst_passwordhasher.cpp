// Argon2id hashing with the real OWASP parameters: format, verification, rehash detection.

#include "model/passwordhasher.h"

#include <QTest>

using namespace heliodesk;

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hashIsArgon2idPhcWithOwaspParameters()
    {
        PasswordHasher hasher;
        auto hash = hasher.hash(QStringLiteral("correct horse battery"));
        QVERIFY(hash);
        QVERIFY2(hash->startsWith(u"$argon2id$v=19$m=19456,t=2,p=1$"), qPrintable(*hash));
    }

    void verifiesOnlyTheRightPassword()
    {
        PasswordHasher hasher;
        const QString password = QStringLiteral("Zählerstand über 9000 ☀");
        auto hash = hasher.hash(password);
        QVERIFY(hash);
        QVERIFY(hasher.verify(*hash, password));
        QVERIFY(!hasher.verify(*hash, QStringLiteral("Zählerstand über 9001 ☀")));
        QVERIFY(!hasher.verify(*hash, QString()));
        QVERIFY(!hasher.verify(QStringLiteral("not a hash"), password));
    }

    void saltsDiffer()
    {
        PasswordHasher hasher(PasswordHashParams{1, 64u * 1024u});
        auto a = hasher.hash(QStringLiteral("same password"));
        auto b = hasher.hash(QStringLiteral("same password"));
        QVERIFY(a && b);
        QVERIFY(*a != *b);
    }

    void needsRehashWhenParametersChange()
    {
        PasswordHasher weak(PasswordHashParams{1, 64u * 1024u});
        PasswordHasher strong;
        auto weakHash = weak.hash(QStringLiteral("some password"));
        auto strongHash = strong.hash(QStringLiteral("some password"));
        QVERIFY(weakHash && strongHash);
        QVERIFY(strong.needsRehash(*weakHash));
        QVERIFY(!strong.needsRehash(*strongHash));
        QVERIFY(weak.needsRehash(*strongHash));
        QVERIFY(strong.needsRehash(QStringLiteral("$2b$12$someBcryptHashFromElsewhere")));
        // An old hash still verifies, so the user can sign in and be upgraded.
        QVERIFY(strong.verify(*weakHash, QStringLiteral("some password")));
    }

    void weakPasswordsAreExplained_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("acceptable");
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("seven") << QStringLiteral("1234567") << false;
        QTest::newRow("spaces") << QStringLiteral("          ") << false;
        QTest::newRow("eight") << QStringLiteral("12345678") << true;
        QTest::newRow("too long") << QString(1025, u'x') << false;
    }

    void weakPasswordsAreExplained()
    {
        QFETCH(QString, password);
        QFETCH(bool, acceptable);
        QCOMPARE(PasswordHasher::weaknessOf(password).isEmpty(), acceptable);
    }
};

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
