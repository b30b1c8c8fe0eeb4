// Parsing of database locations: paths, file: URLs, PostgreSQL URLs and HELIODESK_DB.

#include "storage/databaselocation.h"

#include "storagetesthelpers.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;

Q_DECLARE_METATYPE(heliodesk::DatabaseLocation::Engine)

class TestDatabaseLocation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void parsesSqlite_data();
    void parsesSqlite();
    void parsesPostgres_data();
    void parsesPostgres();
    void rejectsInvalid_data();
    void rejectsInvalid();
    void sqliteFileIsAbsolute();
    void defaultPath();
    void defaultPathFollowsXdgDataHome();
    void environment_data();
    void environment();
    void environmentErrorNamesTheVariable();

private:
    QByteArray m_savedDb;
    bool m_hadDb = false;
    QByteArray m_savedXdg;
    bool m_hadXdg = false;
};

void TestDatabaseLocation::init()
{
    m_hadDb = qEnvironmentVariableIsSet("HELIODESK_DB");
    m_savedDb = qgetenv("HELIODESK_DB");
    m_hadXdg = qEnvironmentVariableIsSet("XDG_DATA_HOME");
    m_savedXdg = qgetenv("XDG_DATA_HOME");
    qunsetenv("HELIODESK_DB");
}

void TestDatabaseLocation::cleanup()
{
    if (m_hadDb)
        qputenv("HELIODESK_DB", m_savedDb);
    else
        qunsetenv("HELIODESK_DB");
    if (m_hadXdg)
        qputenv("XDG_DATA_HOME", m_savedXdg);
    else
        qunsetenv("XDG_DATA_HOME");
}

void TestDatabaseLocation::parsesSqlite_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expectedPath");

    QTest::newRow("absolute path") << QStringLiteral("/var/lib/heliodesk/data.sqlite3")
                                   << QStringLiteral("/var/lib/heliodesk/data.sqlite3");
    QTest::newRow("relative path") << QStringLiteral("data/team.sqlite3") << QDir::current().absoluteFilePath(QStringLiteral("data/team.sqlite3"));
    QTest::newRow("surrounding blanks") << QStringLiteral("  /tmp/my data.sqlite3\n") << QStringLiteral("/tmp/my data.sqlite3");
    QTest::newRow("dot segments") << QStringLiteral("/srv/a/../b/./db.sqlite3") << QStringLiteral("/srv/b/db.sqlite3");
    QTest::newRow("file URL") << QStringLiteral("file:///tmp/heliodesk/db.sqlite3") << QStringLiteral("/tmp/heliodesk/db.sqlite3");
    QTest::newRow("file URL, encoded space") << QStringLiteral("file:///tmp/my%20data/db.sqlite3")
                                             << QStringLiteral("/tmp/my data/db.sqlite3");
    QTest::newRow("file URL, single slash") << QStringLiteral("file:/srv/heliodesk.sqlite3") << QStringLiteral("/srv/heliodesk.sqlite3");
}

void TestDatabaseLocation::parsesSqlite()
{
    QFETCH(QString, input);
    QFETCH(QString, expectedPath);

    const auto location = DatabaseLocation::parse(input);
    QVERIFY2(location.has_value(), qPrintable(location ? QString() : location.error().toLogString()));
    QCOMPARE(location->engine(), DatabaseLocation::Engine::Sqlite);
    QCOMPARE(location->sqlitePath(), expectedPath);
    QVERIFY(location->url().isEmpty());
    QCOMPARE(location->displayName(), QDir::toNativeSeparators(expectedPath));
}

void TestDatabaseLocation::parsesPostgres_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("databaseName");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("displayName");

    QTest::newRow("postgresql, everything")
        << QStringLiteral("postgresql://ann:s3cr3t-Pw@db.example.com:5433/heliodesk") << QStringLiteral("db.example.com") << 5433
        << QStringLiteral("heliodesk") << QStringLiteral("ann") << QStringLiteral("s3cr3t-Pw")
        << QStringLiteral("postgresql://ann@db.example.com:5433/heliodesk");
    QTest::newRow("postgres short scheme")
        << QStringLiteral("postgres://bob:hunter2@localhost/team") << QStringLiteral("localhost") << -1 << QStringLiteral("team")
        << QStringLiteral("bob") << QStringLiteral("hunter2") << QStringLiteral("postgres://bob@localhost/team");
    QTest::newRow("no password") << QStringLiteral("postgresql://carol@127.0.0.1:54329/heliodesk") << QStringLiteral("127.0.0.1")
                                 << 54329 << QStringLiteral("heliodesk") << QStringLiteral("carol") << QString()
                                 << QStringLiteral("postgresql://carol@127.0.0.1:54329/heliodesk");
    QTest::newRow("no user") << QStringLiteral("postgresql://db.internal/heliodesk") << QStringLiteral("db.internal") << -1
                             << QStringLiteral("heliodesk") << QString() << QString()
                             << QStringLiteral("postgresql://db.internal/heliodesk");
    QTest::newRow("upper-case scheme, blanks")
        << QStringLiteral("  POSTGRESQL://dan:pa55word@pg:5432/prod  ") << QStringLiteral("pg") << 5432 << QStringLiteral("prod")
        << QStringLiteral("dan") << QStringLiteral("pa55word") << QStringLiteral("postgresql://dan@pg:5432/prod");
    QTest::newRow("encoded password") << QStringLiteral("postgresql://eve:p%40ss%3Aword@pg/prod") << QStringLiteral("pg") << -1
                                      << QStringLiteral("prod") << QStringLiteral("eve") << QStringLiteral("p@ss:word")
                                      << QStringLiteral("postgresql://eve@pg/prod");
}

void TestDatabaseLocation::parsesPostgres()
{
    QFETCH(QString, input);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, databaseName);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, displayName);

    const auto location = DatabaseLocation::parse(input);
    QVERIFY2(location.has_value(), qPrintable(location ? QString() : location.error().toLogString()));
    QCOMPARE(location->engine(), DatabaseLocation::Engine::PostgreSql);
    QVERIFY(location->sqlitePath().isEmpty());
    QCOMPARE(location->url().host(), host);
    QCOMPARE(location->url().port(), port);
    QCOMPARE(location->url().path().mid(1), databaseName);
    QCOMPARE(location->url().userName(), user);
    QCOMPARE(location->url().password(), password);

    const QString shown = location->displayName();
    QCOMPARE(shown, displayName);
    if (!password.isEmpty()) {
        QVERIFY2(!shown.contains(password), qPrintable(shown));
        QVERIFY2(!shown.contains(QString::fromLatin1(QUrl::toPercentEncoding(password))), qPrintable(shown));
    }
}

void TestDatabaseLocation::rejectsInvalid_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("mustMention"); // a hint the message has to give
    QTest::addColumn<QString>("secret");      // must appear neither in the message nor the detail

    QTest::newRow("empty") << QString() << QString() << QString();
    QTest::newRow("blanks") << QStringLiteral("   \t ") << QString() << QString();
    QTest::newRow("postgresql, no database") << QStringLiteral("postgresql://ann:topsecret@db.example.com:5432")
                                             << QStringLiteral("postgresql://") << QStringLiteral("topsecret");
    QTest::newRow("postgresql, empty database") << QStringLiteral("postgresql://ann:topsecret@db.example.com/")
                                                << QStringLiteral("postgresql://") << QStringLiteral("topsecret");
    QTest::newRow("postgresql, nested path") << QStringLiteral("postgres://ann@db.example.com/a/b") << QStringLiteral("postgresql://")
                                             << QString();
    QTest::newRow("postgresql, no host") << QStringLiteral("postgresql:///heliodesk") << QStringLiteral("postgresql://") << QString();
    QTest::newRow("postgresql, bad port") << QStringLiteral("postgresql://ann:topsecret@db:port/heliodesk")
                                          << QStringLiteral("postgresql://") << QStringLiteral("topsecret");
    QTest::newRow("mysql") << QStringLiteral("mysql://ann:topsecret@db.example.com/heliodesk") << QStringLiteral("postgresql://")
                           << QStringLiteral("topsecret");
    QTest::newRow("sqlite scheme") << QStringLiteral("sqlite:///tmp/x.sqlite3") << QStringLiteral("postgresql://") << QString();
    QTest::newRow("http") << QStringLiteral("https://example.com/db") << QStringLiteral("postgresql://") << QString();
    QTest::newRow("file URL without path") << QStringLiteral("file:") << QString() << QString();
}

void TestDatabaseLocation::rejectsInvalid()
{
    QFETCH(QString, input);
    QFETCH(QString, mustMention);
    QFETCH(QString, secret);

    const auto location = DatabaseLocation::parse(input);
    QVERIFY2(!location.has_value(), qPrintable(location ? location->displayName() : QString()));
    const Error &error = location.error();
    const QString problem = humanErrorProblem(error, ErrorCode::InvalidInput);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    if (!mustMention.isEmpty())
        QVERIFY2(error.message().contains(mustMention), qPrintable(error.message()));
    // The message goes to a window and the detail to the log: a password belongs in neither.
    if (!secret.isEmpty()) {
        QVERIFY2(!error.message().contains(secret), qPrintable(error.message()));
        QVERIFY2(!error.detail().contains(secret), qPrintable(error.detail()));
    }
}

void TestDatabaseLocation::sqliteFileIsAbsolute()
{
    const auto relative = DatabaseLocation::sqliteFile(QStringLiteral("x/../y.sqlite3"));
    QCOMPARE(relative.engine(), DatabaseLocation::Engine::Sqlite);
    QVERIFY(QDir::isAbsolutePath(relative.sqlitePath()));
    QCOMPARE(relative.sqlitePath(), QDir::current().absoluteFilePath(QStringLiteral("y.sqlite3")));
}

void TestDatabaseLocation::defaultPath()
{
    const QString path = DatabaseLocation::defaultSqlitePath();
    QVERIFY2(path.endsWith(u"/heliodesk.sqlite3"), qPrintable(path));
    QVERIFY(QDir::isAbsolutePath(path));
    const QString dataFolder = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    QVERIFY2(path.startsWith(dataFolder + u'/'), qPrintable(path));
    // Its own folder inside the data folder, not loose in it.
    QCOMPARE(QFileInfo(path).dir().dirName().toLower(), QStringLiteral("heliodesk"));
}

void TestDatabaseLocation::defaultPathFollowsXdgDataHome()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    qputenv("XDG_DATA_HOME", QFile::encodeName(dir.path()));
    QCOMPARE(DatabaseLocation::defaultSqlitePath(), dir.path() + QStringLiteral("/heliodesk/heliodesk.sqlite3"));
    const auto location = DatabaseLocation::fromEnvironmentOrDefault();
    QVERIFY(location.has_value());
    QCOMPARE(location->sqlitePath(), dir.path() + QStringLiteral("/heliodesk/heliodesk.sqlite3"));
}

void TestDatabaseLocation::environment_data()
{
    QTest::addColumn<bool>("set");
    QTest::addColumn<QString>("value");
    QTest::addColumn<DatabaseLocation::Engine>("engine");
    QTest::addColumn<QString>("expected"); // the path, or the display name of a URL; empty means the default file

    QTest::newRow("unset") << false << QString() << DatabaseLocation::Engine::Sqlite << QString();
    QTest::newRow("empty") << true << QString() << DatabaseLocation::Engine::Sqlite << QString();
    QTest::newRow("blanks") << true << QStringLiteral("   ") << DatabaseLocation::Engine::Sqlite << QString();
    QTest::newRow("path") << true << QStringLiteral("/srv/heliodesk/team.sqlite3") << DatabaseLocation::Engine::Sqlite
                          << QStringLiteral("/srv/heliodesk/team.sqlite3");
    QTest::newRow("file URL") << true << QStringLiteral("file:///srv/other.sqlite3") << DatabaseLocation::Engine::Sqlite
                              << QStringLiteral("/srv/other.sqlite3");
    QTest::newRow("postgresql URL") << true << QStringLiteral("postgresql://ann:pw@db:5432/heliodesk")
                                    << DatabaseLocation::Engine::PostgreSql << QStringLiteral("postgresql://ann@db:5432/heliodesk");
}

void TestDatabaseLocation::environment()
{
    QFETCH(bool, set);
    QFETCH(QString, value);
    QFETCH(DatabaseLocation::Engine, engine);
    QFETCH(QString, expected);

    if (set)
        qputenv("HELIODESK_DB", value.toUtf8());
    else
        qunsetenv("HELIODESK_DB");

    const auto location = DatabaseLocation::fromEnvironmentOrDefault();
    QVERIFY2(location.has_value(), qPrintable(location ? QString() : location.error().toLogString()));
    QCOMPARE(location->engine(), engine);
    if (expected.isEmpty())
        QCOMPARE(location->sqlitePath(), DatabaseLocation::defaultSqlitePath());
    else
        QCOMPARE(location->displayName(), expected);
}

void TestDatabaseLocation::environmentErrorNamesTheVariable()
{
    qputenv("HELIODESK_DB", "mysql://ann:pw@db/heliodesk");
    const auto location = DatabaseLocation::fromEnvironmentOrDefault();
    QVERIFY(!location.has_value());
    const QString problem = humanErrorProblem(location.error(), ErrorCode::InvalidInput);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // Without the variable's name a person cannot tell where the bad location came from.
    QVERIFY2(location.error().message().startsWith(u"HELIODESK_DB"), qPrintable(location.error().message()));
}

QTEST_GUILESS_MAIN(TestDatabaseLocation)
#include "tst_databaselocation.moc"
