// End-to-end tests of `heliodeskctl provider set/show/clear` and of where `ask` takes the API key
// from. The real binary runs as a separate process with its settings, data, cache and home in the
// test function's own temporary folder. This machine has no keychain (no D-Bus session), which is
// the case under test: an API key given on standard input is refused with the sentence that offers
// the fallbacks, and ends up in no file. On a desktop with a session bus the processes get a D-Bus
// address that leads nowhere, so they meet the same case.

#include "ctlprocess.h"
#include "support/openaitestserver.h"

#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace heliodesk::test;
using namespace heliodesk::test::ctl;

namespace {

const QString noKeychainStart = QStringLiteral("heliodeskctl: This computer has no keychain Heliodesk can use (");
const QString noKeychainEnd = QStringLiteral("). Choose: set HELIODESK_API_KEY in the environment, or keep the key for this session only.\n");

} // namespace

#define QVERIFY_CONTAINS(text, part)                                                                                  \
    QVERIFY2((text).contains(part), qPrintable(u"“" + QString(part) + u"” not found in:\n" + (text)))

class TestProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void setShowClear();
    void setUsageErrors_data();
    void setUsageErrors();
    void apiKeyWithoutKeychain_data();
    void apiKeyWithoutKeychain();
    void environmentKeyIsReported();
    void askGoesOnWithoutKeychain();

private:
    [[nodiscard]] QString path(const QString &name) const { return m_dir->filePath(name); }
    [[nodiscard]] QString settingsFile() const { return path(QStringLiteral("xdg-config/Heliodesk/Heliodesk.ini")); }
    /// The system environment without Heliodesk's variables or proxies, with the XDG folders and
    /// HOME in the temporary folder, and no way to a desktop's keychain (see the top of the file).
    [[nodiscard]] QProcessEnvironment environment() const;
    /// Runs heliodeskctl --db <the test's database> `arguments`.
    CtlRun run(const QStringList &arguments, const QByteArray &input = {}, std::optional<QProcessEnvironment> env = {});
    /// Every file under the temporary folder whose bytes contain `secret` (also base64-encoded).
    [[nodiscard]] QStringList filesContaining(const QByteArray &secret) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestProvider::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    QVERIFY2(QFile::exists(ctlPath()), qPrintable(u"heliodeskctl not found at " + ctlPath()));
}

void TestProvider::cleanup()
{
    m_dir.reset();
}

QProcessEnvironment TestProvider::environment() const
{
    return isolatedEnvironment(m_dir->path(), Isolation::Keychain);
}

CtlRun TestProvider::run(const QStringList &arguments, const QByteArray &input, std::optional<QProcessEnvironment> env)
{
    return runCtl(QStringList{QStringLiteral("--db"), path(QStringLiteral("heliodesk.sqlite3"))} + arguments, env ? *env : environment(),
                  input);
}

QStringList TestProvider::filesContaining(const QByteArray &secret) const
{
    QStringList found;
    QDirIterator it(m_dir->path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            found << file + u" (unreadable)";
            continue;
        }
        const QByteArray bytes = f.readAll();
        if (bytes.contains(secret) || bytes.contains(secret.toBase64()))
            found << file;
    }
    return found;
}

void TestProvider::setShowClear()
{
    const CtlRun before = run({QStringLiteral("provider"), QStringLiteral("show")});
    QCOMPARE_EXIT(before, Success);
    QVERIFY_CONTAINS(before.out, QStringLiteral("offline knowledge base"));

    const CtlRun set = run({QStringLiteral("provider"), QStringLiteral("set"), QStringLiteral("--base-url"),
                            QStringLiteral("localhost:11434/v1/chat/completions"), QStringLiteral("--model"), QStringLiteral("llama3.1")});
    QCOMPARE_EXIT(set, Success);
    QVERIFY_CONTAINS(set.out, QStringLiteral("Answers now come from http://localhost:11434/v1 with model llama3.1."));
    QVERIFY_CONTAINS(set.out, QStringLiteral("No API key is set"));
    QCOMPARE(set.err, QString());
    const QByteArray settings = [&] {
        QFile f(settingsFile());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY2(settings.contains("base_url=http://localhost:11434/v1"), settings.constData());
    QVERIFY2(settings.contains("model=llama3.1"), settings.constData());
    QVERIFY2(!settings.contains("key"), settings.constData());

    const CtlRun show = run({QStringLiteral("provider"), QStringLiteral("show")});
    QCOMPARE_EXIT(show, Success);
    QVERIFY_CONTAINS(show.out, QStringLiteral("Endpoint: http://localhost:11434/v1\nModel: llama3.1\nAPI key: none"));
    // Here the keychain cannot even be asked; show says so but still succeeds.
    QVERIFY_CONTAINS(show.out, QStringLiteral("This computer has no keychain Heliodesk can use ("));
    QCOMPARE(show.err, QString());

    const CtlRun clear = run({QStringLiteral("provider"), QStringLiteral("clear")});
    QCOMPARE_EXIT(clear, Success);
    QVERIFY_CONTAINS(clear.out, QStringLiteral("Answers now come from the offline knowledge base."));
    QCOMPARE(clear.err, QString()); // no keychain: nothing can have been kept there, nothing to complain about
    const CtlRun after = run({QStringLiteral("provider"), QStringLiteral("show")});
    QCOMPARE_EXIT(after, Success);
    QVERIFY_CONTAINS(after.out, QStringLiteral("offline knowledge base"));
}

void TestProvider::setUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");
    const QStringList endpoint = {QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com/v1"), QStringLiteral("--model"),
                                  QStringLiteral("gpt-4o-mini")};
    QTest::newRow("no model") << QStringList{QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com/v1")} << QByteArray()
                              << QStringLiteral("--model");
    QTest::newRow("not http") << QStringList{QStringLiteral("--base-url"), QStringLiteral("ftp://example.com"), QStringLiteral("--model"),
                                             QStringLiteral("m")}
                              << QByteArray() << QStringLiteral("not an http or https URL");
    QTest::newRow("no key on stdin") << endpoint + QStringList{QStringLiteral("--api-key-stdin")} << QByteArray()
                                     << QStringLiteral("No API key arrived on standard input.");
    QTest::newRow("empty key") << endpoint + QStringList{QStringLiteral("--api-key-stdin")} << QByteArray("  \n")
                               << QStringLiteral("The API key on standard input is empty.");
    QTest::newRow("key as an argument") << endpoint + QStringList{QStringLiteral("--api-key"), QStringLiteral("sk-x")} << QByteArray()
                                        << QStringLiteral("Unknown option");
}

void TestProvider::setUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    const CtlRun r = run(QStringList{QStringLiteral("provider"), QStringLiteral("set")} + arguments, input);
    QCOMPARE_EXIT(r, Usage);
    QVERIFY_CONTAINS(r.err, expected);
    QCOMPARE(r.out, QString());
    // Nothing was saved.
    const CtlRun show = run({QStringLiteral("provider"), QStringLiteral("show")});
    QCOMPARE_EXIT(show, Success);
    QVERIFY_CONTAINS(show.out, QStringLiteral("offline knowledge base"));
}

void TestProvider::apiKeyWithoutKeychain_data()
{
    QTest::addColumn<QString>("busAddress"); // empty: the machine's own (none here)
    QTest::newRow("no session bus") << QString();
    QTest::newRow("bus address leads nowhere") << QStringLiteral("unix:path=%1/missing-bus");
}

void TestProvider::apiKeyWithoutKeychain()
{
    QFETCH(QString, busAddress);
    QProcessEnvironment env = environment();
    if (!busAddress.isEmpty())
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress.arg(m_dir->path()));
    const QByteArray secret = "sk-tst-provider-" + QByteArray::number(QCoreApplication::applicationPid()) + "-secret";

    const CtlRun set = run({QStringLiteral("provider"), QStringLiteral("set"), QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com/v1"),
                            QStringLiteral("--model"), QStringLiteral("gpt-4o-mini"), QStringLiteral("--api-key-stdin")},
                           secret + '\n', env);
    QCOMPARE_EXIT(set, Failure);
    // The endpoint is saved and stdout says so; stderr has the sentence, then what became of the key.
    QVERIFY_CONTAINS(set.out, QStringLiteral("Answers now come from https://api.openai.com/v1 with model gpt-4o-mini."));
    QVERIFY2(set.err.startsWith(noKeychainStart), qPrintable(set.describe()));
    const QStringList lines = set.err.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(QString(lines.at(0) + u'\n').endsWith(noKeychainEnd), qPrintable(set.describe()));
    QVERIFY_CONTAINS(lines.at(1), QStringLiteral("The endpoint is saved, but the API key was not stored anywhere."));
    if (busAddress.isEmpty() && !QProcessEnvironment::systemEnvironment().contains(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"))
        && !QProcessEnvironment::systemEnvironment().contains(QStringLiteral("DISPLAY")))
        QVERIFY_CONTAINS(lines.at(0), QStringLiteral("D-Bus")); // here: "Cannot autolaunch D-Bus without X11 $DISPLAY"
    QVERIFY(!set.out.contains(QString::fromLatin1(secret)));
    QVERIFY(!set.err.contains(QString::fromLatin1(secret)));

    const CtlRun show = run({QStringLiteral("provider"), QStringLiteral("show")}, {}, env);
    QCOMPARE_EXIT(show, Success);
    QVERIFY_CONTAINS(show.out, QStringLiteral("Endpoint: https://api.openai.com/v1\nModel: gpt-4o-mini\nAPI key: none"));

    // The key is in no file: not the settings, not a plain-text keychain fallback, not a cache.
    QVERIFY(QFile::exists(settingsFile()));
    const QStringList leaks = filesContaining(secret);
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u'\n')));
}

void TestProvider::environmentKeyIsReported()
{
    const CtlRun set = run({QStringLiteral("provider"), QStringLiteral("set"), QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com/v1"),
                            QStringLiteral("--model"), QStringLiteral("gpt-4o-mini")});
    QCOMPARE_EXIT(set, Success);

    QProcessEnvironment env = environment();
    const QString secret = QStringLiteral("sk-from-the-environment");
    env.insert(QStringLiteral("HELIODESK_API_KEY"), secret);
    const CtlRun show = run({QStringLiteral("provider"), QStringLiteral("show")}, {}, env);
    QCOMPARE_EXIT(show, Success);
    QVERIFY_CONTAINS(show.out, QStringLiteral("API key: set (from the environment)"));
    QVERIFY(!show.out.contains(secret));
    QCOMPARE(show.err, QString());

    // provider set names the environment as the key's source too, and asks no keychain.
    const CtlRun again = run({QStringLiteral("provider"), QStringLiteral("set"), QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com/v1"),
                              QStringLiteral("--model"), QStringLiteral("gpt-4o")},
                             {}, env);
    QCOMPARE_EXIT(again, Success);
    QVERIFY_CONTAINS(again.out, QStringLiteral("The API key comes from HELIODESK_API_KEY."));
    QCOMPARE(again.err, QString());
    const QStringList leaks = filesContaining(secret.toUtf8());
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u'\n')));
}

void TestProvider::askGoesOnWithoutKeychain()
{
    // A local server that needs no key: the keychain's failure is only logged, the answer comes.
    OpenAiTestServer server;
    QVERIFY(server.listen());
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Local "), QStringLiteral("answer.")}));
    const auto ok = [](const CtlRun &r) {
        if (!r.exitedWith(Success))
            qWarning("%s", qPrintable(r.describe()));
        return r.exitedWith(Success);
    };
    QVERIFY(ok(run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root"), QStringLiteral("--role"), QStringLiteral("admin"),
                    QStringLiteral("--password-stdin")},
                   "root password 1\n")));
    QVERIFY(ok(run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"), QStringLiteral("--role"), QStringLiteral("analyst"),
                    QStringLiteral("--password-stdin")},
                   "analyst password\n")));
    QVERIFY(ok(run({QStringLiteral("hire"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("om")})));
    QVERIFY(ok(run({QStringLiteral("provider"), QStringLiteral("set"), QStringLiteral("--base-url"), server.baseUrl().toString(),
                    QStringLiteral("--model"), QStringLiteral("test-model")})));

    const CtlRun ask = run({QStringLiteral("ask"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--agent"), QStringLiteral("om"),
                            QStringLiteral("Which string is down?")});
    QCOMPARE_EXIT(ask, Success);
    QCOMPARE(ask.out, QStringLiteral("Local answer.\n"));
    QCOMPARE(ask.err, QString()); // the keychain note is at info level, which heliodeskctl keeps quiet
    QCOMPARE(server.requests().size(), 1);
    QVERIFY(!server.requests().at(0).hasHeader("Authorization"));
    QCOMPARE(server.requests().at(0).json.value(u"model").toString(), QStringLiteral("test-model"));

    // With HELIODESK_DEBUG the note shows why no key was sent.
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Again.")}));
    QProcessEnvironment debug = environment();
    debug.insert(QStringLiteral("HELIODESK_DEBUG"), QStringLiteral("1"));
    const CtlRun noisy = run({QStringLiteral("ask"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--agent"), QStringLiteral("om"),
                              QStringLiteral("And now?")},
                             {}, debug);
    QCOMPARE_EXIT(noisy, Success);
    QCOMPARE(noisy.out, QStringLiteral("Again.\n"));
    QVERIFY_CONTAINS(noisy.err, QStringLiteral("going on without an API key"));

    // A key in the environment is used without asking the keychain.
    server.enqueue(ScriptedResponse::stream({QStringLiteral("Keyed.")}));
    QProcessEnvironment keyed = environment();
    keyed.insert(QStringLiteral("HELIODESK_API_KEY"), QStringLiteral("sk-env"));
    const CtlRun withKey = run({QStringLiteral("ask"), QStringLiteral("--user"), QStringLiteral("ann"), QStringLiteral("--agent"),
                                QStringLiteral("om"), QStringLiteral("Once more?")},
                               {}, keyed);
    QCOMPARE_EXIT(withKey, Success);
    QCOMPARE(server.requests().size(), 3);
    QCOMPARE(server.requests().at(2).header("Authorization"), QByteArrayLiteral("Bearer sk-env"));
}

QTEST_GUILESS_MAIN(TestProvider)
#include "tst_provider.moc"
