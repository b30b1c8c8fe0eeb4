// ApiKeyStore against the real QtKeychain of the machine it runs on. The build machines have no
// keychain (no D-Bus session: libsecret says "Cannot autolaunch D-Bus without X11 $DISPLAY"), which
// is exactly the case to cover: the sentence that offers the fallbacks, nothing written to disk,
// and the session-only fallback. On a desktop with a session bus the test points D-Bus at a socket
// that does not exist, so it checks the same case there; HELIODESK_TEST_REAL_KEYCHAIN=1 instead
// runs a round trip through the desktop's real keychain.

#include "model/agents/apikeystore.h"
#include "model/agents/providersettings.h"

#include <QCoroTask>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace heliodesk;

namespace {

const QString noKeychainStart = QStringLiteral("This computer has no keychain Heliodesk can use (");
const QString noKeychainEnd = QStringLiteral("). Choose: set HELIODESK_API_KEY in the environment, or keep the key for this session only.");

template<typename T>
QString describe(const Result<T> &result)
{
    return result ? QStringLiteral("success") : result.error().toLogString();
}

/// True when `result` failed with the no-keychain sentence (and a detail inside its parentheses).
template<typename T>
bool isNoKeychain(const Result<T> &result)
{
    if (result || result.error().code() != ErrorCode::KeychainUnavailable)
        return false;
    const QString &message = result.error().message();
    return message.startsWith(noKeychainStart) && message.endsWith(noKeychainEnd)
        && message.size() > noKeychainStart.size() + noKeychainEnd.size();
}

/// The key read() gives, or the failure in angle brackets (so that QCOMPARE shows it).
QString readKey(ApiKeyStore &store, const QUrl &url)
{
    const auto key = QCoro::waitFor(store.read(url));
    return key ? *key : u"<" + key.error().toLogString() + u">";
}

} // namespace

class TestApiKeyStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void entryName_data();
    void entryName();
    void invalidInput();

    void writeWithoutKeychainStoresNothing();
    void readMissingEntryWithoutKeychain();
    void removeWithoutKeychain();
    void sessionFallback();
    void keysArePerHost();

    void realKeychainRoundTrip();

private:
    /// Every file under the temporary home (settings, data, cache) whose bytes contain `secret`.
    [[nodiscard]] QStringList filesContaining(const QByteArray &secret) const;

    QTemporaryDir m_home;
    bool m_realKeychain = false;
    bool m_busRedirected = false;
    QUrl m_openAi = QUrl(QStringLiteral("https://api.openai.com/v1"));
};

void TestApiKeyStore::initTestCase()
{
    QVERIFY2(m_home.isValid(), qPrintable(m_home.errorString()));
    // Settings, data and cache (QtKeychain's plain-text fallback, GLib's files) all land in the
    // temporary folder, where the test can look for the key.
    for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(name, QFile::encodeName(m_home.filePath(QString::fromLatin1(name).toLower())));
    qputenv("HOME", QFile::encodeName(m_home.filePath(QStringLiteral("home"))));
    qunsetenv("HELIODESK_API_KEY");

    m_realKeychain = qEnvironmentVariable("HELIODESK_TEST_REAL_KEYCHAIN") == u"1";
    if (!m_realKeychain && (qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS") || qEnvironmentVariableIsSet("DISPLAY")
                            || qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))) {
        qunsetenv("DISPLAY");
        qunsetenv("WAYLAND_DISPLAY");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(m_home.filePath(QStringLiteral("no-such-bus"))));
        m_busRedirected = true;
    }
}

void TestApiKeyStore::init()
{
    // The session store is per process: every test starts without session keys.
    for (const char *url : {"https://api.openai.com/v1", "https://a.example/v1", "https://b.example/v1", "http://localhost:11434/v1"})
        ApiKeyStore::setSessionKey(QUrl(QString::fromLatin1(url)), {});
}

void TestApiKeyStore::cleanup()
{
    init();
}

QStringList TestApiKeyStore::filesContaining(const QByteArray &secret) const
{
    QStringList found;
    QDirIterator it(m_home.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            found << path + u" (unreadable)";
            continue;
        }
        const QByteArray bytes = file.readAll();
        if (bytes.contains(secret) || bytes.contains(secret.toBase64()))
            found << path;
    }
    return found;
}

void TestApiKeyStore::entryName_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("expected");
    QTest::newRow("hosted") << QUrl(QStringLiteral("https://api.openai.com/v1")) << QStringLiteral("api-key:api.openai.com");
    QTest::newRow("path and port ignored") << QUrl(QStringLiteral("https://api.openai.com:8443/other/path"))
                                           << QStringLiteral("api-key:api.openai.com");
    QTest::newRow("case folded") << QUrl(QStringLiteral("http://LocalHost:11434/v1")) << QStringLiteral("api-key:localhost");
    QTest::newRow("ip address") << QUrl(QStringLiteral("http://127.0.0.1:8080/v1")) << QStringLiteral("api-key:127.0.0.1");
    QTest::newRow("no host") << QUrl(QStringLiteral("file:///tmp/x")) << QString();
    QTest::newRow("empty") << QUrl() << QString();
}

void TestApiKeyStore::entryName()
{
    QFETCH(QUrl, url);
    QFETCH(QString, expected);
    QCOMPARE(ApiKeyStore::entryName(url), expected);
    QCOMPARE(ApiKeyStore::serviceName(), QStringLiteral("Heliodesk"));
}

void TestApiKeyStore::invalidInput()
{
    ApiKeyStore store;
    const auto read = QCoro::waitFor(store.read(QUrl()));
    QVERIFY(!read);
    QCOMPARE(read.error().code(), ErrorCode::InvalidInput);
    const auto written = QCoro::waitFor(store.write(QUrl(QStringLiteral("file:///tmp/x")), QStringLiteral("sk-x")));
    QVERIFY(!written);
    QCOMPARE(written.error().code(), ErrorCode::InvalidInput);
    const auto removed = QCoro::waitFor(store.remove(QUrl()));
    QVERIFY(!removed);
    QCOMPARE(removed.error().code(), ErrorCode::InvalidInput);
    // An empty key is refused before the keychain is asked.
    const auto empty = QCoro::waitFor(store.write(m_openAi, QString()));
    QVERIFY(!empty);
    QCOMPARE(empty.error().code(), ErrorCode::InvalidInput);
}

void TestApiKeyStore::writeWithoutKeychainStoresNothing()
{
    if (m_realKeychain)
        QSKIP("HELIODESK_TEST_REAL_KEYCHAIN=1: this run uses the desktop's keychain");
    const QString settingsFile = m_home.filePath(QStringLiteral("provider-settings.ini"));
    ProviderSettings settings(settingsFile);
    QVERIFY(settings.saveEndpoint(m_openAi.toString(), QStringLiteral("gpt-4o-mini")));

    const QByteArray secret = "sk-tst-apikeystore-" + QByteArray::number(QCoreApplication::applicationPid());
    ApiKeyStore store;
    const auto written = QCoro::waitFor(store.write(m_openAi, QString::fromLatin1(secret)));
    QVERIFY2(isNoKeychain(written), qPrintable(describe(written)));
    qInfo("write without a keychain: %s", qPrintable(written.error().toLogString()));
    if (!m_busRedirected) // the machine as it is: libsecret cannot reach a session bus
        QVERIFY2(written.error().message().contains(u"D-Bus", Qt::CaseInsensitive), qPrintable(written.error().message()));
    QVERIFY(!written.error().message().contains(QString::fromLatin1(secret)));
    QVERIFY(!written.error().detail().contains(QString::fromLatin1(secret)));

    // No silent fallback: the key is neither kept for the session nor written anywhere.
    QCOMPARE(ApiKeyStore::sessionKey(m_openAi), QString());
    QFile file(settingsFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY2(content.contains("api.openai.com"), content.constData());
    QVERIFY2(!content.contains(secret), content.constData());
    const QStringList leaks = filesContaining(secret);
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u'\n')));
    const auto read = QCoro::waitFor(store.read(m_openAi));
    QVERIFY(!read || read->isEmpty());
}

void TestApiKeyStore::readMissingEntryWithoutKeychain()
{
    if (m_realKeychain)
        QSKIP("HELIODESK_TEST_REAL_KEYCHAIN=1: this run uses the desktop's keychain");
    // What happens here: without a keychain service even a lookup cannot be made, so a missing
    // entry is not "empty key" but the no-keychain error (with a keychain it is an empty key, see
    // realKeychainRoundTrip). Callers that can go on without a key (ask, local servers) log it.
    ApiKeyStore store;
    const auto read = QCoro::waitFor(store.read(QUrl(QStringLiteral("https://never-stored.example/v1"))));
    QVERIFY2(isNoKeychain(read), qPrintable(describe(read)));
}

void TestApiKeyStore::removeWithoutKeychain()
{
    if (m_realKeychain)
        QSKIP("HELIODESK_TEST_REAL_KEYCHAIN=1: this run uses the desktop's keychain");
    ApiKeyStore::setSessionKey(m_openAi, QStringLiteral("sk-session"));
    ApiKeyStore store;
    const auto removed = QCoro::waitFor(store.remove(m_openAi));
    QVERIFY2(isNoKeychain(removed), qPrintable(describe(removed)));
    // The session copy is gone even though the keychain could not be asked.
    QCOMPARE(ApiKeyStore::sessionKey(m_openAi), QString());
}

void TestApiKeyStore::sessionFallback()
{
    const QString key = QStringLiteral("sk-session-only");
    ApiKeyStore::setSessionKey(m_openAi, key);
    QCOMPARE(ApiKeyStore::sessionKey(m_openAi), key);

    // read() gives the session key without asking the keychain (which would fail here).
    ApiKeyStore store;
    const auto read = QCoro::waitFor(store.read(m_openAi));
    QVERIFY2(read, qPrintable(describe(read)));
    QCOMPARE(*read, key);
    // Another instance sees it too: the store is per process.
    const auto again = QCoro::waitFor(ApiKeyStore().read(m_openAi));
    QVERIFY2(again, qPrintable(describe(again)));
    QCOMPARE(*again, key);

    // Replacing and forgetting.
    ApiKeyStore::setSessionKey(m_openAi, QStringLiteral("sk-replaced"));
    QCOMPARE(readKey(store, m_openAi), QStringLiteral("sk-replaced"));
    const auto removed = QCoro::waitFor(store.remove(m_openAi));
    QVERIFY2(removed || removed.error().code() == ErrorCode::KeychainUnavailable, qPrintable(describe(removed)));
    QCOMPARE(ApiKeyStore::sessionKey(m_openAi), QString());
    const auto afterRemove = QCoro::waitFor(store.read(m_openAi));
    QVERIFY2(!afterRemove || afterRemove->isEmpty(), qPrintable(describe(afterRemove)));

    ApiKeyStore::setSessionKey(m_openAi, key);
    ApiKeyStore::setSessionKey(m_openAi, QString()); // an empty key forgets
    QCOMPARE(ApiKeyStore::sessionKey(m_openAi), QString());

    // A session key is never written to disk.
    ApiKeyStore::setSessionKey(m_openAi, key);
    const QStringList leaks = filesContaining(key.toUtf8());
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u'\n')));
}

void TestApiKeyStore::keysArePerHost()
{
    const QUrl a(QStringLiteral("https://a.example/v1"));
    const QUrl b(QStringLiteral("https://b.example/v1"));
    ApiKeyStore::setSessionKey(a, QStringLiteral("sk-a"));
    ApiKeyStore::setSessionKey(b, QStringLiteral("sk-b"));
    ApiKeyStore store;
    QCOMPARE(readKey(store, a), QStringLiteral("sk-a"));
    QCOMPARE(readKey(store, b), QStringLiteral("sk-b"));
    // The host names the key: another path, port or scheme on the same host shares it.
    QCOMPARE(readKey(store, QUrl(QStringLiteral("http://A.example:8080/other"))), QStringLiteral("sk-a"));
    QCOMPARE(ApiKeyStore::sessionKey(m_openAi), QString());

    const auto removed = QCoro::waitFor(store.remove(a));
    QVERIFY2(removed || removed.error().code() == ErrorCode::KeychainUnavailable, qPrintable(describe(removed)));
    QCOMPARE(ApiKeyStore::sessionKey(a), QString());
    QCOMPARE(ApiKeyStore::sessionKey(b), QStringLiteral("sk-b"));
    QCOMPARE(readKey(store, b), QStringLiteral("sk-b"));
}

void TestApiKeyStore::realKeychainRoundTrip()
{
    if (!m_realKeychain)
        QSKIP("set HELIODESK_TEST_REAL_KEYCHAIN=1 on a desktop with a keychain to run this");
    const QUrl url(u"https://heliodesk-test-" + QString::number(QCoreApplication::applicationPid()) + u".invalid/v1");
    const QString key = QStringLiteral("sk-round-trip");
    ApiKeyStore store;
    const auto missing = QCoro::waitFor(store.read(url));
    QVERIFY2(missing, qPrintable(describe(missing)));
    QCOMPARE(*missing, QString()); // no entry: an empty key, not an error
    const auto written = QCoro::waitFor(store.write(url, key));
    QVERIFY2(written, qPrintable(describe(written)));
    const auto read = QCoro::waitFor(store.read(url));
    QVERIFY2(read, qPrintable(describe(read)));
    QCOMPARE(*read, key);
    const auto removed = QCoro::waitFor(store.remove(url));
    QVERIFY2(removed, qPrintable(describe(removed)));
    const auto gone = QCoro::waitFor(store.read(url));
    QVERIFY2(gone, qPrintable(describe(gone)));
    QCOMPARE(*gone, QString());
    const auto removedTwice = QCoro::waitFor(store.remove(url)); // nothing to remove is fine
    QVERIFY2(removedTwice, qPrintable(describe(removedTwice)));
}

QTEST_GUILESS_MAIN(TestApiKeyStore)
#include "tst_apikeystore.moc"
