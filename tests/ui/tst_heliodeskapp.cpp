// The heliodesk program itself, run as a process in smoke-test mode: options, database choice and the first window.

#include "support/testdatabase.h"

#include <heliodesk/version.h>

#include <QFileInfo>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

} // namespace

class TestHeliodeskApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void printsVersion();
    void firstRunOnAnEmptyDatabase();
    void mainWindowWhenTheCredentialsWork();
    void signInDialogWhenTheyDoNot();
    void dbOptionWinsOverTheEnvironment();
    void badLocationExitsWithOne();

private:
    Run run(const QStringList &arguments, const QProcessEnvironment &env);
    QProcessEnvironment smokeEnvironment(const QString &database) const;
    QString databaseWithAdmin() const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestHeliodeskApp::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QProcessEnvironment TestHeliodeskApp::smokeEnvironment(const QString &database) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HELIODESK_SMOKE_TEST"), QStringLiteral("1"));
    env.insert(QStringLiteral("HELIODESK_DB"), database);
    // Settings and the default database go to the temporary folder, never to the real home.
    env.insert(QStringLiteral("HOME"), m_dir->path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir->filePath(QStringLiteral("data")));
    env.remove(QStringLiteral("HELIODESK_USER"));
    env.remove(QStringLiteral("HELIODESK_PASSWORD"));
    return env;
}

/// A database file in the test's folder with one admin, "root", whose password is "correct horse battery".
QString TestHeliodeskApp::databaseWithAdmin() const
{
    TestDatabase db;
    if (!db.isValid())
        return {};
    db.createAdmin(QStringLiteral("root"));
    // The database is its file and its write-ahead log: a copy of the file alone may lack the
    // latest transactions. VACUUM INTO writes one whole file, as `heliodeskctl db backup` does.
    const QString copy = m_dir->filePath(QStringLiteral("ready.sqlite3"));
    QSqlQuery vacuum(db.connection());
    vacuum.prepare(QStringLiteral("VACUUM INTO ?"));
    vacuum.addBindValue(copy);
    return vacuum.exec() ? copy : QString();
}

Run TestHeliodeskApp::run(const QStringList &arguments, const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(HELIODESK_APP_PATH), arguments);
    Run result;
    if (!process.waitForStarted(10'000) || !process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        qWarning("heliodesk did not finish: %s", qPrintable(process.errorString()));
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    result.err = QString::fromLocal8Bit(process.readAllStandardError());
    return result;
}

void TestHeliodeskApp::printsVersion()
{
    QProcessEnvironment env = smokeEnvironment(m_dir->filePath(QStringLiteral("unused.sqlite3")));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DISPLAY")); // --version must not need a screen
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    const Run result = run({QStringLiteral("--version")}, env);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out.trimmed(), QStringLiteral("Heliodesk " HELIODESK_VERSION));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("unused.sqlite3"))));
}

void TestHeliodeskApp::firstRunOnAnEmptyDatabase()
{
    const QString database = m_dir->filePath(QStringLiteral("new/heliodesk.sqlite3"));
    const Run result = run({}, smokeEnvironment(database));
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(u"heliodesk smoke test: first-run dialog shown"), qPrintable(result.out + result.err));
    QVERIFY(QFileInfo::exists(database));
}

void TestHeliodeskApp::mainWindowWhenTheCredentialsWork()
{
    const QString database = databaseWithAdmin();
    QVERIFY(!database.isEmpty());
    QProcessEnvironment env = smokeEnvironment(database);
    env.insert(QStringLiteral("HELIODESK_USER"), QStringLiteral("root"));
    env.insert(QStringLiteral("HELIODESK_PASSWORD"), QStringLiteral("correct horse battery"));
    const Run result = run({}, env);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(u"heliodesk smoke test: main window shown"), qPrintable(result.out + result.err));
}

void TestHeliodeskApp::signInDialogWhenTheyDoNot()
{
    const QString database = databaseWithAdmin();
    QVERIFY(!database.isEmpty());
    QProcessEnvironment env = smokeEnvironment(database);
    env.insert(QStringLiteral("HELIODESK_USER"), QStringLiteral("root"));
    env.insert(QStringLiteral("HELIODESK_PASSWORD"), QStringLiteral("wrong"));
    const Run result = run({}, env);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(u"heliodesk smoke test: sign-in dialog shown"), qPrintable(result.out + result.err));
    QVERIFY2(result.err.contains(u"Wrong username or password."), qPrintable(result.err));
}

void TestHeliodeskApp::dbOptionWinsOverTheEnvironment()
{
    const QString fromOption = m_dir->filePath(QStringLiteral("option.sqlite3"));
    const QString fromEnv = m_dir->filePath(QStringLiteral("env.sqlite3"));
    const Run result = run({QStringLiteral("--db"), fromOption}, smokeEnvironment(fromEnv));
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(QFileInfo::exists(fromOption));
    QVERIFY(!QFileInfo::exists(fromEnv));
}

void TestHeliodeskApp::badLocationExitsWithOne()
{
    const Run fromOption = run({QStringLiteral("--db"), QStringLiteral("mysql://db.example/heliodesk")},
                               smokeEnvironment(m_dir->filePath(QStringLiteral("unused.sqlite3"))));
    QCOMPARE(fromOption.exitCode, 1);
    QVERIFY2(fromOption.err.contains(u"--db: Unknown kind of database location"), qPrintable(fromOption.err));

    const Run fromEnv = run({}, smokeEnvironment(QStringLiteral("mysql://db.example/heliodesk")));
    QCOMPARE(fromEnv.exitCode, 1);
    QVERIFY2(fromEnv.err.contains(u"HELIODESK_DB: Unknown kind of database location"), qPrintable(fromEnv.err));

    // A file that is not a database.
    const QString notADatabase = m_dir->filePath(QStringLiteral("notes.txt"));
    QFile file(notADatabase);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();
    const Run garbage = run({QStringLiteral("--db"), notADatabase}, smokeEnvironment(QString()));
    QCOMPARE(garbage.exitCode, 1);
    QVERIFY(garbage.err.contains(u"heliodesk: "));
    QVERIFY(!garbage.out.contains(u"shown"));
}

QTEST_GUILESS_MAIN(TestHeliodeskApp)
#include "tst_heliodeskapp.moc"
