// Choosing and opening a team database: where the location comes from (--db, HELIODESK_DB, the
// settings, the default), the libpq parameters a URL may carry, and the password — in the URL,
// from the keychain, from PGPASSFILE, or wrong — against the test cluster's password-checked
// role "heliodesk_pw" (scripts/pg.sh). The server cases run in tst_teamdatabase_pg.

#include "model/databasepasswordstore.h"
#include "model/databasesettings.h"
#include "storage/database.h"
#include "storage/sql.h"

#include "storagetesthelpers.h"
#include "support/testdatabase.h"

#include <QCoroTask>
#include <QFile>
#include <QSqlError>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace heliodesk;
using heliodesk::test::humanErrorProblem;

namespace {

#define REQUIRE_POSTGRES()                                                                                                        \
    do {                                                                                                                          \
        if (!test::onPostgres())                                                                                                  \
            QSKIP("needs the PostgreSQL test cluster; runs as tst_teamdatabase_pg");                                              \
    } while (false)

const QString rolePassword = QStringLiteral("heliodesk-test-password");

/// The test cluster as the password-checked role, in a schema of its own (made here as that role).
class PasswordRoleDatabase
{
public:
    PasswordRoleDatabase()
    {
        const QUrl server(test::postgresServerUrl());
        m_host = server.host();
        m_port = server.port(5432);
        m_schema = QStringLiteral("pw_%1_%2").arg(QCoreApplication::applicationPid()).arg(++s_counter);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_schema);
        db.setHostName(m_host);
        db.setPort(m_port);
        db.setDatabaseName(QStringLiteral("heliodesk_pw"));
        db.setUserName(QStringLiteral("heliodesk_pw"));
        db.setPassword(rolePassword);
        if (!db.open() || !execSql(db, u"CREATE SCHEMA " + m_schema))
            qFatal("cannot prepare the password role's schema: %s", qPrintable(db.lastError().text()));
    }
    ~PasswordRoleDatabase()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_schema);
            (void)execSql(db, u"DROP SCHEMA " + m_schema + u" CASCADE");
            db.close();
        }
        QSqlDatabase::removeDatabase(m_schema);
    }
    PasswordRoleDatabase(const PasswordRoleDatabase &) = delete;
    PasswordRoleDatabase &operator=(const PasswordRoleDatabase &) = delete;

    /// postgresql://heliodesk_pw[:password]@host:port/heliodesk_pw?options=-c search_path=<schema>
    [[nodiscard]] QString url(const QString &password = {}) const
    {
        QUrl url;
        url.setScheme(QStringLiteral("postgresql"));
        url.setUserName(QStringLiteral("heliodesk_pw"));
        if (!password.isEmpty())
            url.setPassword(password);
        url.setHost(m_host);
        url.setPort(m_port);
        url.setPath(QStringLiteral("/heliodesk_pw"));
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("options"), u"-c search_path=" + m_schema);
        url.setQuery(query);
        return url.toString(QUrl::FullyEncoded);
    }
    [[nodiscard]] DatabaseLocation location(const QString &password = {}) const { return DatabaseLocation::parse(url(password)).value(); }
    [[nodiscard]] const QString &host() const { return m_host; }
    [[nodiscard]] int port() const { return m_port; }

private:
    static inline int s_counter = 0;
    QString m_host;
    int m_port = 0;
    QString m_schema;
};

} // namespace

class TestTeamDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_savedDb = qgetenv("HELIODESK_DB");
        m_hadDb = qEnvironmentVariableIsSet("HELIODESK_DB");
        qunsetenv("HELIODESK_DB");
        m_hadPassfile = qEnvironmentVariableIsSet("PGPASSFILE");
        m_savedPassfile = qgetenv("PGPASSFILE");
        // No ~/.pgpass of the machine may answer for the tests.
        qputenv("PGPASSFILE", QFile::encodeName(m_dir.filePath(QStringLiteral("no-such-pgpass"))));
        qunsetenv("PGPASSWORD");
    }
    void cleanup()
    {
        m_hadDb ? qputenv("HELIODESK_DB", m_savedDb) : qunsetenv("HELIODESK_DB");
        m_hadPassfile ? qputenv("PGPASSFILE", m_savedPassfile) : qunsetenv("PGPASSFILE");
    }

    void locationComesFromCommandLineThenEnvironmentThenSettings()
    {
        DatabaseSettings settings(m_dir.filePath(QStringLiteral("settings.ini")));
        auto fallback = settings.resolve();
        QVERIFY(fallback);
        QCOMPARE(fallback->source, DatabaseChoice::Source::Default);
        QCOMPARE(fallback->location.sqlitePath(), DatabaseLocation::defaultSqlitePath());

        QVERIFY(settings.saveLocation(QStringLiteral("postgresql://ann@db.example.com:5433/team?sslmode=require")));
        auto saved = settings.resolve();
        QVERIFY(saved);
        QCOMPARE(saved->source, DatabaseChoice::Source::Settings);
        QCOMPARE(saved->location.engine(), DatabaseLocation::Engine::PostgreSql);
        QCOMPARE(saved->location.url().host(), QStringLiteral("db.example.com"));

        qputenv("HELIODESK_DB", m_dir.filePath(QStringLiteral("env.sqlite3")).toUtf8());
        auto fromEnv = settings.resolve();
        QVERIFY(fromEnv);
        QCOMPARE(fromEnv->source, DatabaseChoice::Source::Environment);
        QCOMPARE(fromEnv->location.sqlitePath(), m_dir.filePath(QStringLiteral("env.sqlite3")));

        auto fromArgument = settings.resolve(m_dir.filePath(QStringLiteral("arg.sqlite3")));
        QVERIFY(fromArgument);
        QCOMPARE(fromArgument->source, DatabaseChoice::Source::CommandLine);
        QCOMPARE(fromArgument->location.sqlitePath(), m_dir.filePath(QStringLiteral("arg.sqlite3")));

        qunsetenv("HELIODESK_DB");
        settings.clearLocation();
        QCOMPARE(settings.resolve()->source, DatabaseChoice::Source::Default);
    }

    void badLocationsNameTheirSource()
    {
        DatabaseSettings settings(m_dir.filePath(QStringLiteral("bad.ini")));
        auto argument = settings.resolve(QStringLiteral("mysql://ann@db/team"));
        QVERIFY(!argument);
        QVERIFY2(argument.error().message().startsWith(u"--db"), qPrintable(argument.error().message()));
        qputenv("HELIODESK_DB", "postgresql://ann@db.example.com");
        auto environment = settings.resolve();
        QVERIFY(!environment);
        QVERIFY2(environment.error().message().startsWith(u"HELIODESK_DB"), qPrintable(environment.error().message()));
    }

    void settingsNeverHoldAPassword()
    {
        const QString file = m_dir.filePath(QStringLiteral("secret.ini"));
        DatabaseSettings settings(file);
        auto refused = settings.saveLocation(QStringLiteral("postgresql://ann:hunter2@db.example.com/team"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code(), ErrorCode::InvalidInput);
        QVERIFY2(humanErrorProblem(refused.error(), ErrorCode::InvalidInput).isEmpty(), qPrintable(refused.error().message()));
        QVERIFY(settings.savedLocation().isEmpty());

        auto location = settings.saveLocation(QStringLiteral("postgresql://ann@db.example.com/team"));
        QVERIFY(location);
        settings.setPasswordInKeychain(*location, true);
        QVERIFY(settings.passwordInKeychain(*location));
        QVERIFY(!settings.passwordInKeychain(DatabaseLocation::parse(QStringLiteral("postgresql://bob@db.example.com/team")).value()));
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QVERIFY(!written.readAll().contains("hunter2"));
        settings.setPasswordInKeychain(*location, false);
        QVERIFY(!settings.passwordInKeychain(*location));
    }

    void urlParametersReachLibpq_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("options");
        QTest::newRow("none") << QStringLiteral("postgresql://ann@db/team") << QString();
        QTest::newRow("sslmode") << QStringLiteral("postgresql://ann@db/team?sslmode=verify-full") << QStringLiteral("sslmode='verify-full'");
        QTest::newRow("server options with a space and a quote")
            << QStringLiteral("postgresql://ann@db/team?options=-c%20search_path%3Dteam's&connect_timeout=3")
            << QStringLiteral("options='-c search_path=team\\'s';connect_timeout='3'");
    }
    void urlParametersReachLibpq()
    {
        QFETCH(QString, url);
        QFETCH(QString, options);
        auto location = DatabaseLocation::parse(url);
        QVERIFY2(location, qPrintable(location ? QString() : location.error().toLogString()));
        QCOMPARE(location->postgresConnectOptions(), options);
    }

    void unknownOrUnsafeUrlParametersAreRefused_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("not libpq's") << QStringLiteral("postgresql://ann@db/team?pool=5");
        QTest::newRow("host in the query") << QStringLiteral("postgresql://ann@db/team?host=evil.example.com");
        QTest::newRow("a semicolon") << QStringLiteral("postgresql://ann@db/team?application_name=a%3Bhost%3Devil");
    }
    void unknownOrUnsafeUrlParametersAreRefused()
    {
        QFETCH(QString, url);
        auto location = DatabaseLocation::parse(url);
        QVERIFY(!location);
        QCOMPARE(location.error().code(), ErrorCode::InvalidInput);
    }

    void passwordInTheUrlOpens()
    {
        REQUIRE_POSTGRES();
        PasswordRoleDatabase server;
        auto opened = Database::open(server.location(rolePassword));
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toLogString()));
        QCOMPARE((*opened)->dialect(), Database::Dialect::PostgreSql);
        QVERIFY(!(*opened)->location().displayName().contains(rolePassword));
    }

    void passwordFromTheCallerOpens()
    {
        REQUIRE_POSTGRES();
        PasswordRoleDatabase server;
        DatabaseOptions options;
        options.password = rolePassword; // what the app passes after reading the keychain
        auto opened = Database::open(server.location(), options);
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toLogString()));
    }

    void passwordFromPgpassfileOpens()
    {
        REQUIRE_POSTGRES();
        PasswordRoleDatabase server;
        const QString passfile = m_dir.filePath(QStringLiteral("pgpass"));
        QFile file(passfile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral("%1:%2:heliodesk_pw:heliodesk_pw:%3\n").arg(server.host()).arg(server.port()).arg(rolePassword).toUtf8());
        file.close();
        QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner)); // libpq ignores a file others can read
        qputenv("PGPASSFILE", QFile::encodeName(passfile));
        auto opened = Database::open(server.location());
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toLogString()));
    }

    void wrongOrMissingPasswordSaysSo_data()
    {
        QTest::addColumn<QString>("password");
        QTest::newRow("wrong") << QStringLiteral("not-the-password");
        QTest::newRow("missing") << QString();
    }
    void wrongOrMissingPasswordSaysSo()
    {
        REQUIRE_POSTGRES();
        QFETCH(QString, password);
        PasswordRoleDatabase server;
        const int before = Database::openConnectionCount();
        auto opened = Database::open(server.location(password));
        QVERIFY(!opened);
        QCOMPARE(opened.error().code(), ErrorCode::WrongCredentials);
        QVERIFY2(humanErrorProblem(opened.error(), ErrorCode::WrongCredentials).isEmpty(), qPrintable(opened.error().message()));
        QVERIFY(!opened.error().message().contains(u"not-the-password"));
        QVERIFY(!opened.error().detail().contains(u"not-the-password"));
        QCOMPARE(Database::openConnectionCount(), before);
    }

    void unreachableServerSaysSo()
    {
        // A loopback port nothing listens on (the cluster's port + 1000 is not used by the tests).
        REQUIRE_POSTGRES();
        const QUrl server(test::postgresServerUrl());
        const QString url = QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres?connect_timeout=3").arg(server.port(5432) + 1000);
        const int before = Database::openConnectionCount();
        auto opened = Database::open(DatabaseLocation::parse(url).value());
        QVERIFY(!opened);
        QCOMPARE(opened.error().code(), ErrorCode::CannotOpen);
        QVERIFY2(opened.error().message().contains(u"cannot be reached"), qPrintable(opened.error().message()));
        QCOMPARE(Database::openConnectionCount(), before);
    }

    void keychainWithoutServiceOffersPgpassfile()
    {
        // The build machines have no keychain (no D-Bus session): reading says so and names the
        // alternative, and writing stores nothing.
        if (qEnvironmentVariableIsSet("HELIODESK_TEST_REAL_KEYCHAIN"))
            QSKIP("a real keychain is configured on this machine");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/heliodesk-test-bus");
        const DatabaseLocation location = DatabaseLocation::parse(QStringLiteral("postgresql://ann@db.example.com/team")).value();
        QCOMPARE(DatabasePasswordStore::entryName(location), QStringLiteral("db-password:ann@db.example.com:5432/team"));
        auto read = QCoro::waitFor(DatabasePasswordStore().read(location));
        QVERIFY(!read);
        QVERIFY2(read.error().code() == ErrorCode::KeychainUnavailable || read.error().code() == ErrorCode::KeychainError,
                 qPrintable(read.error().toLogString()));
        QVERIFY2(read.error().message().contains(u"PGPASSFILE"), qPrintable(read.error().message()));
        auto written = QCoro::waitFor(DatabasePasswordStore().write(location, QStringLiteral("hunter2")));
        QVERIFY(!written);
        QVERIFY(DatabasePasswordStore::entryName(DatabaseLocation::sqliteFile(QStringLiteral("/tmp/x.sqlite3"))).isEmpty());
    }

    void valuesRoundTripWhateverTheyHold()
    {
        // On PostgreSQL execSql() writes values into the statement as literals (one round trip):
        // quotes, backslashes, question marks, dollar quotes, NULLs and bytes must arrive unchanged,
        // and '?' inside strings, identifiers and comments is not a placeholder. Same check on SQLite.
        test::TestDatabase t;
        QVERIFY(t.isValid());
        const QSqlDatabase db = t.connection();
        QVERIFY(execSql(db, QStringLiteral("CREATE TABLE odd (id BIGINT, \"what?\" TEXT, n BIGINT, b INTEGER, raw TEXT)")));
        const QStringList texts = {QStringLiteral("it's"), QStringLiteral("back\\slash \\' \\\\"), QStringLiteral("why?"),
                                   QStringLiteral("$$ dollar $tag$"), QStringLiteral("-- not a comment"), QStringLiteral("/* nor this */"),
                                   QStringLiteral("caf\u00e9 \u2600 \U0001F600"), QString(u""_qs), QStringLiteral("line\nbreak\ttab")};
        for (int i = 0; i < texts.size(); ++i) {
            auto done = execSql(db,
                                QStringLiteral("INSERT INTO odd (id, \"what?\", n, b, raw) -- a comment with ? in it\n"
                                               "VALUES (?, ?, ?, ?, /* ? */ ?)"),
                                {qint64(i), texts.at(i), qint64(-9007199254740993LL) + i, true, QStringLiteral("'?'")});
            QVERIFY2(done, qPrintable(done ? QString() : done.error().toLogString()));
        }
        QVERIFY(execSql(db, QStringLiteral("INSERT INTO odd (id, \"what?\", n) VALUES (?, ?, ?)"),
                        {qint64(99), QVariant(QMetaType::fromType<QString>()), QVariant(QMetaType::fromType<qint64>())}));
        auto rows = execSql(db, QStringLiteral("SELECT id, \"what?\", n, b, raw FROM odd WHERE id < ? ORDER BY id"), {qint64(99)});
        QVERIFY(rows);
        int i = 0;
        while (rows->next()) {
            QCOMPARE(rows->value(1).toString(), texts.at(i));
            QCOMPARE(rows->value(2).toLongLong(), qint64(-9007199254740993LL) + i);
            QCOMPARE(rows->value(3).toInt(), 1);
            QCOMPARE(rows->value(4).toString(), QStringLiteral("'?'"));
            ++i;
        }
        QCOMPARE(i, texts.size());
        auto nulls = execSql(db, QStringLiteral("SELECT count(*) FROM odd WHERE \"what?\" IS NULL AND n IS NULL AND id = ?"), {qint64(99)});
        QVERIFY(nulls && nulls->next());
        QCOMPARE(nulls->value(0).toInt(), 1);
        // A statement whose placeholders and values disagree is refused, not half-bound.
        auto short_ = execSql(db, QStringLiteral("SELECT ? + ?"), {1});
        QVERIFY(!short_);
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_savedDb;
    bool m_hadDb = false;
    QByteArray m_savedPassfile;
    bool m_hadPassfile = false;
};

QTEST_GUILESS_MAIN(TestTeamDatabase)
#include "tst_teamdatabase.moc"
