// End-to-end tests of heliodeskctl: every check runs the real binary as a separate process on a
// database in the test function's own temporary folder, and looks at the exit code, both output
// streams and what ended up in the file.

#include "ctlprocess.h"
#include "support/testdatabase.h"

#include "model/accountservice.h"
#include "model/quotaservice.h"
#include "storage/database.h"
#include "storage/sql.h"

#include <heliodesk/version.h>

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace heliodesk;
using namespace heliodesk::test::ctl;

namespace {

/// The failure of `result` for a test message, or nothing when it succeeded. (QVERIFY2 builds its
/// message even when the check passes, so it must never call error() on a success.)
template<typename T>
QString problemOf(const Result<T> &result)
{
    return result ? QString() : result.error().toLogString();
}

/// A plain SQLite connection of the test's own, for what the product would never do: hold a write
/// lock, break a foreign key, bump a counter behind the ledger's back.
class RawConnection
{
public:
    explicit RawConnection(const QString &path)
        : m_name(u"tst_heliodeskctl raw " + QString::number(++s_counter))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        m_open = db.open();
    }
    ~RawConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    RawConnection(const RawConnection &) = delete;
    RawConnection &operator=(const RawConnection &) = delete;

    [[nodiscard]] bool isOpen() const { return m_open; }
    [[nodiscard]] QSqlDatabase database() const { return QSqlDatabase::database(m_name, false); }

    /// Runs one statement; false, with the reason logged, when it fails.
    bool exec(const QString &sql, const QVariantList &values = {}) const
    {
        auto done = execSql(database(), sql, values);
        if (!done)
            qWarning("%s: %s", qPrintable(sql), qPrintable(problemOf(done)));
        return done.has_value();
    }

    /// The first column of the first row, or an invalid QVariant when the query fails.
    [[nodiscard]] QVariant value(const QString &sql, const QVariantList &values = {}) const
    {
        auto v = scalar(database(), sql, values);
        if (!v) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(problemOf(v)));
            return {};
        }
        return *v;
    }

private:
    static inline int s_counter = 0;
    QString m_name;
    bool m_open = false;
};

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

#define QVERIFY_CONTAINS(text, part)                                                                                  \
    QVERIFY2((text).contains(part, Qt::CaseInsensitive),                                                              \
             qPrintable(u"“" + QString(part) + u"” not found in:\n" + (text)))

class TestHeliodeskctl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void version_data();
    void version();
    void help_data();
    void help();
    void noCommand();
    void usageErrors_data();
    void usageErrors();

    void userAddFirstAccountIsAdmin();
    void userAddPasswordOnlyFromStdin();
    void userAddErrors_data();
    void userAddErrors();
    void userList();
    void userSet_data();
    void userSet();
    void userSetErrors_data();
    void userSetErrors();
    void lastActiveAdmin();
    void userPasswd();
    void userDelete();
    void userDeleteRefusals();

    void plans();
    void planErrors_data();
    void planErrors();

    void usageAndReconcile();

    void dbCheckClean();
    void dbCheckForeignKeyViolation();
    void dbCheckMissingFile();
    void notADatabase_data();
    void notADatabase();
    void dbBackup();
    void dbBackupRefusesExistingTarget();

    void locationFromEnvironment();
    void defaultLocation();
    void lockedDatabase();

private:
    [[nodiscard]] QString dbPath() const { return m_dir->filePath(QStringLiteral("heliodesk.sqlite3")); }
    [[nodiscard]] QString path(const QString &name) const { return m_dir->filePath(name); }
    /// The system environment without HELIODESK_DB or debug switches, and with XDG_DATA_HOME in the
    /// temporary folder, so that a run without --db can never touch the real default database.
    [[nodiscard]] QProcessEnvironment environment() const;

    /// Runs heliodeskctl with exactly `arguments`; `input` goes to its standard input, which is then closed.
    CtlRun runRaw(const QStringList &arguments, const QByteArray &input = {}, std::optional<QProcessEnvironment> env = {});
    /// Runs heliodeskctl --db <the test's database> `arguments`.
    CtlRun run(const QStringList &arguments, const QByteArray &input = {});

    /// `user add NAME --role ROLE --password-stdin [extra]`; false, with the run logged, unless it succeeds.
    bool addUser(const QString &name, const QString &role = QStringLiteral("analyst"), const QByteArray &password = analystPassword,
                 const QStringList &extra = {});
    /// `user list --json` by username, or nothing (with the run logged) when it fails.
    std::optional<QHash<QString, QJsonObject>> listUsers();
    std::optional<QHash<QString, QJsonObject>> listPlans();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestHeliodeskctl::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
    QVERIFY2(QFile::exists(ctlPath()), qPrintable(u"heliodeskctl not found at " + ctlPath()));
}

void TestHeliodeskctl::cleanup()
{
    m_dir.reset();
}

QProcessEnvironment TestHeliodeskctl::environment() const
{
    return isolatedEnvironment(m_dir->path(), Isolation::Database);
}

CtlRun TestHeliodeskctl::runRaw(const QStringList &arguments, const QByteArray &input, std::optional<QProcessEnvironment> env)
{
    return runCtl(arguments, env ? *env : environment(), input);
}

CtlRun TestHeliodeskctl::run(const QStringList &arguments, const QByteArray &input)
{
    return runRaw(QStringList{QStringLiteral("--db"), dbPath()} + arguments, input);
}

bool TestHeliodeskctl::addUser(const QString &name, const QString &role, const QByteArray &password, const QStringList &extra)
{
    const CtlRun r = run(QStringList{QStringLiteral("user"), QStringLiteral("add"), name, QStringLiteral("--role"), role,
                                     QStringLiteral("--password-stdin")}
                             + extra,
                         password + '\n');
    if (!r.exitedWith(Success))
        qWarning("%s", qPrintable(r.describe()));
    return r.exitedWith(Success);
}

std::optional<QHash<QString, QJsonObject>> TestHeliodeskctl::listUsers()
{
    const auto doc = json(run({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--json")}));
    if (!doc || !doc->isArray())
        return std::nullopt;
    QHash<QString, QJsonObject> users;
    for (const auto &v : doc->array())
        users.insert(v.toObject().value(u"username").toString(), v.toObject());
    return users;
}

std::optional<QHash<QString, QJsonObject>> TestHeliodeskctl::listPlans()
{
    const auto doc = json(run({QStringLiteral("plan"), QStringLiteral("list"), QStringLiteral("--json")}));
    if (!doc || !doc->isArray())
        return std::nullopt;
    QHash<QString, QJsonObject> plans;
    for (const auto &v : doc->array())
        plans.insert(v.toObject().value(u"name").toString(), v.toObject());
    return plans;
}

// --- version, help and usage errors ------------------------------------------------------------

void TestHeliodeskctl::version_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("--version") << QStringList{QStringLiteral("--version")};
    QTest::newRow("-v") << QStringList{QStringLiteral("-v")};
    QTest::newRow("after --db") << QStringList{QStringLiteral("--db"), QStringLiteral("unused.sqlite3"), QStringLiteral("--version")};
}

void TestHeliodeskctl::version()
{
    QFETCH(QStringList, arguments);
    const CtlRun r = runRaw(arguments);
    QCOMPARE_EXIT(r, Success);
    QCOMPARE(r.out, QStringLiteral("heliodeskctl " HELIODESK_VERSION "\n"));
    QCOMPARE(r.err, QString());
    QVERIFY(!QFile::exists(QStringLiteral("unused.sqlite3")));
}

void TestHeliodeskctl::help_data()
{
    QTest::addColumn<QString>("expected");
    const QStringList commands = {QStringLiteral("user add NAME"), QStringLiteral("user list"), QStringLiteral("user set NAME"),
                                  QStringLiteral("user passwd NAME"), QStringLiteral("user delete NAME"),
                                  QStringLiteral("plan list"), QStringLiteral("plan add NAME"), QStringLiteral("plan set NAME"),
                                  QStringLiteral("usage [--user NAME] [--json]"), QStringLiteral("usage reconcile"),
                                  QStringLiteral("audit"), QStringLiteral("db check"), QStringLiteral("db backup FILE"),
                                  QStringLiteral("--version"), QStringLiteral("--help"), QStringLiteral("--db LOCATION"),
                                  QStringLiteral("HELIODESK_DB"), QStringLiteral("--password-stdin"),
                                  QStringLiteral("0 success"), QStringLiteral("1 failure"), QStringLiteral("2 usage error"),
                                  QStringLiteral("3 quota exceeded"), QStringLiteral("4 not found or not allowed")};
    for (const QString &c : commands)
        QTest::newRow(qPrintable(c)) << c;
}

void TestHeliodeskctl::help()
{
    QFETCH(QString, expected);
    for (const QString &flag : {QStringLiteral("--help"), QStringLiteral("-h")}) {
        const CtlRun r = runRaw({flag});
        QCOMPARE_EXIT(r, Success);
        QVERIFY_CONTAINS(r.out, expected);
        QCOMPARE(r.err, QString());
    }
}

void TestHeliodeskctl::noCommand()
{
    // No command is a usage error: the help goes to stderr, nothing to stdout.
    const CtlRun r = run({});
    QCOMPARE_EXIT(r, Usage);
    QCOMPARE(r.out, QString());
    QVERIFY_CONTAINS(r.err, QStringLiteral("Usage: heliodeskctl"));
    QVERIFY(!QFile::exists(dbPath()));
}

void TestHeliodeskctl::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    const auto words = [](const char *text) { return QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts); };
    QTest::newRow("unknown command") << words("frobnicate") << QStringLiteral("Unknown command");
    QTest::newRow("unknown user command") << words("user frob") << QStringLiteral("Unknown command");
    QTest::newRow("unknown db command") << words("db vacuum") << QStringLiteral("Unknown command");
    QTest::newRow("unknown global option") << words("--frob user list") << QStringLiteral("Unknown option");
    QTest::newRow("unknown command option") << words("user list --frob") << QStringLiteral("Unknown option");
    QTest::newRow("unknown usage option") << words("usage --frob") << QStringLiteral("Unknown option");
    QTest::newRow("user add without name") << words("user add --role analyst --password-stdin") << QStringLiteral("needs a user name");
    QTest::newRow("user add without role") << words("user add ann --password-stdin") << QStringLiteral("--role");
    QTest::newRow("option without value") << words("user add ann --password-stdin --role") << QStringLiteral("Missing value");
    QTest::newRow("user set without name") << words("user set --role admin") << QStringLiteral("needs a user name");
    QTest::newRow("user set nothing to change") << words("user set ann") << QStringLiteral("Nothing to change");
    QTest::newRow("user passwd without name") << words("user passwd --password-stdin") << QStringLiteral("needs a user name");
    QTest::newRow("user delete without name") << words("user delete --yes") << QStringLiteral("needs a user name");
    QTest::newRow("plan add without limit") << words("plan add Gold") << QStringLiteral("--limit");
    QTest::newRow("plan add bad limit") << words("plan add Gold --limit many") << QStringLiteral("whole number");
    QTest::newRow("plan set nothing") << words("plan set Gold") << QStringLiteral("Nothing to change");
    QTest::newRow("db backup without file") << words("db backup") << QStringLiteral("needs the backup file name");
    QTest::newRow("extra words") << words("user list everyone") << QStringLiteral("unexpected words");
    QTest::newRow("audit bad limit") << words("audit --limit -1") << QStringLiteral("whole number");
}

void TestHeliodeskctl::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const CtlRun r = run(arguments);
    QCOMPARE_EXIT(r, Usage);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, expected);
    // A usage error is found before the database is touched.
    QVERIFY(!QFile::exists(dbPath()));
}

// --- users ---------------------------------------------------------------------------------------

void TestHeliodeskctl::userAddFirstAccountIsAdmin()
{
    // Asked for an analyst, the first account becomes an admin, and the tool says so.
    const CtlRun first = run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("Root"), QStringLiteral("--role"),
                              QStringLiteral("analyst"), QStringLiteral("--password-stdin")},
                             rootPassword + '\n');
    QCOMPARE_EXIT(first, Success);
    QVERIFY_CONTAINS(first.out, QStringLiteral("Created admin root"));
    QVERIFY_CONTAINS(first.out, QStringLiteral("first account, so it is an administrator"));
    QCOMPARE(first.err, QString());

    const CtlRun second = run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"), QStringLiteral("--role"),
                               QStringLiteral("analyst"), QStringLiteral("--password-stdin")},
                              analystPassword + "\r\n");
    QCOMPARE_EXIT(second, Success);
    QVERIFY_CONTAINS(second.out, QStringLiteral("Created analyst ann"));
    QVERIFY(!second.out.contains(u"first account"));

    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->size(), 2);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"role").toString(), QStringLiteral("admin"));
    QCOMPARE(users->value(QStringLiteral("ann")).value(u"role").toString(), QStringLiteral("analyst"));

    // The passwords came from stdin, a trailing CR included, and work for signing in.
    auto database = Database::open(DatabaseLocation::sqliteFile(dbPath()));
    QVERIFY2(database, qPrintable(problemOf(database)));
    AccountService accounts(*database, std::make_shared<SystemClock>());
    QVERIFY(accounts.signIn(QStringLiteral("root"), QString::fromUtf8(rootPassword)));
    QVERIFY(accounts.signIn(QStringLiteral("ann"), QString::fromUtf8(analystPassword)));
}

void TestHeliodeskctl::userAddPasswordOnlyFromStdin()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));

    // There is no option that takes a password on the command line.
    const CtlRun argv = run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"), QStringLiteral("--role"),
                             QStringLiteral("analyst"), QStringLiteral("--password"), QStringLiteral("argv password")});
    QCOMPARE_EXIT(argv, Usage);
    QVERIFY_CONTAINS(argv.err, QStringLiteral("Unknown option"));

    // Without --password-stdin the tool refuses, even when stdin has a password.
    const CtlRun noFlag = run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"), QStringLiteral("--role"),
                               QStringLiteral("analyst")},
                              analystPassword + '\n');
    QCOMPARE_EXIT(noFlag, Usage);
    QCOMPARE(noFlag.out, QString());
    QVERIFY2(isOneErrorLine(noFlag.err), qPrintable(noFlag.describe()));
    QVERIFY_CONTAINS(noFlag.err, QStringLiteral("--password-stdin"));

    // --password-stdin with nothing on stdin.
    const CtlRun empty = run({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"), QStringLiteral("--role"),
                              QStringLiteral("analyst"), QStringLiteral("--password-stdin")});
    QCOMPARE_EXIT(empty, Usage);
    QVERIFY_CONTAINS(empty.err, QStringLiteral("No password arrived on standard input"));

    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->keys(), QStringList{QStringLiteral("root")});

    // The password is never echoed, nor written to the audit log.
    QVERIFY(addUser(QStringLiteral("ann")));
    const CtlRun audit = run({QStringLiteral("audit"), QStringLiteral("--json")});
    QCOMPARE_EXIT(audit, Success);
    QVERIFY_CONTAINS(audit.out, QStringLiteral("user.create"));
    QVERIFY(!audit.out.contains(QString::fromUtf8(analystPassword)));
    QVERIFY(!audit.out.contains(QString::fromUtf8(rootPassword)));
}

void TestHeliodeskctl::userAddErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    const auto add = [](const char *text) {
        return QStringList{QStringLiteral("user"), QStringLiteral("add")} + QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts)
            + QStringList{QStringLiteral("--password-stdin")};
    };
    QTest::newRow("weak password") << add("ann --role analyst") << QByteArray("short7!") << int(Usage)
                                   << QStringLiteral("A password needs at least 8 characters.");
    QTest::newRow("blank password") << add("ann --role analyst") << QByteArray("          ") << int(Usage)
                                    << QStringLiteral("only spaces");
    QTest::newRow("duplicate") << add("root --role analyst") << analystPassword << int(Failure) << QStringLiteral("already taken");
    QTest::newRow("duplicate other case") << add("ROOT --role analyst") << analystPassword << int(Failure)
                                          << QStringLiteral("“root” is already taken");
    QTest::newRow("unknown plan") << add("ann --role analyst --plan Gold") << analystPassword << int(NotFoundOrNotAllowed)
                                  << QStringLiteral("no plan called “Gold”");
    QTest::newRow("quota and unlimited") << add("ann --role analyst --quota 5 --unlimited") << analystPassword << int(Usage)
                                         << QStringLiteral("either --quota or --unlimited");
    QTest::newRow("negative quota") << add("ann --role analyst --quota -5") << analystPassword << int(Usage)
                                    << QStringLiteral("whole number");
    QTest::newRow("bad role") << add("ann --role boss") << analystPassword << int(Usage) << QStringLiteral("admin or analyst");
    QTest::newRow("bad username") << QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann lee"),
                                                 QStringLiteral("--role"), QStringLiteral("analyst"), QStringLiteral("--password-stdin")}
                                  << analystPassword << int(Usage) << QStringLiteral("A username starts with");
}

void TestHeliodeskctl::userAddErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, password);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));

    const CtlRun r = run(arguments, password + '\n');
    QCOMPARE_EXIT(r, exitCode);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, expected);

    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->keys(), QStringList{QStringLiteral("root")});
}

void TestHeliodeskctl::userList()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann"), QStringLiteral("analyst"), analystPassword, {QStringLiteral("--quota"), QStringLiteral("5")}));
    QVERIFY(addUser(QStringLiteral("bob"), QStringLiteral("analyst"), analystPassword, {QStringLiteral("--unlimited")}));
    QVERIFY(addUser(QStringLiteral("carol"), QStringLiteral("admin"), analystPassword,
                    {QStringLiteral("--plan"), QStringLiteral("Unlimited"), QStringLiteral("--display-name"), QStringLiteral("Carol C.")}));

    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->size(), 4);
    struct Expected {
        const char *name, *role, *plan;
        QJsonValue limit;
    };
    const Expected expected[] = {{"root", "admin", "Standard", QJsonValue(300)},
                                 {"ann", "analyst", "Standard", QJsonValue(5)},
                                 {"bob", "analyst", "Standard", QJsonValue(QJsonValue::Null)},
                                 {"carol", "admin", "Unlimited", QJsonValue(QJsonValue::Null)}};
    for (const Expected &e : expected) {
        const QString name = QString::fromUtf8(e.name);
        QVERIFY2(users->contains(name), e.name);
        const QJsonObject u = users->value(name);
        QCOMPARE(u.value(u"username").toString(), name);
        QCOMPARE(u.value(u"role").toString(), QString::fromUtf8(e.role));
        QCOMPARE(u.value(u"status").toString(), QStringLiteral("active"));
        QCOMPARE(u.value(u"plan").toString(), QString::fromUtf8(e.plan));
        QVERIFY2(u.value(u"used").isDouble(), e.name);
        QCOMPARE(u.value(u"used").toInt(-1), 0);
        QVERIFY2(u.contains(u"limit"), e.name); // present even when unlimited, as null
        QCOMPARE(u.value(u"limit"), e.limit);
    }
    QCOMPARE(users->value(QStringLiteral("carol")).value(u"display_name").toString(), QStringLiteral("Carol C."));

    // The text form: a header and one line per user.
    const CtlRun text = run({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE_EXIT(text, Success);
    const QStringList lines = text.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QVERIFY(lines.at(0).startsWith(u"USERNAME"));
    QVERIFY_CONTAINS(text.out, QStringLiteral("LIMIT"));
    const auto lineOf = [&lines](const QString &name) {
        for (const QString &line : lines)
            if (line.startsWith(name + u' '))
                return line;
        return QString();
    };
    QVERIFY_CONTAINS(lineOf(QStringLiteral("ann")), QStringLiteral(" 5 "));
    QVERIFY_CONTAINS(lineOf(QStringLiteral("bob")), QStringLiteral("unlimited"));
    QVERIFY_CONTAINS(lineOf(QStringLiteral("root")), QStringLiteral("300"));
}

void TestHeliodeskctl::userSet_data()
{
    QTest::addColumn<QStringList>("before");
    QTest::addColumn<QStringList>("change");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("expected");
    const auto words = [](const char *text) { return QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts); };
    const QString role = QStringLiteral("role"), plan = QStringLiteral("plan"), limit = QStringLiteral("limit"),
                  mode = QStringLiteral("quota_mode"), status = QStringLiteral("status");
    const QJsonValue null(QJsonValue::Null);
    QTest::newRow("role admin") << QStringList() << words("--role admin") << role << QJsonValue(QStringLiteral("admin"));
    QTest::newRow("role back") << words("--role admin") << words("--role analyst") << role << QJsonValue(QStringLiteral("analyst"));
    QTest::newRow("plan") << QStringList() << words("--plan Unlimited") << plan << QJsonValue(QStringLiteral("Unlimited"));
    QTest::newRow("plan sets limit") << QStringList() << words("--plan Unlimited") << limit << null;
    QTest::newRow("quota") << QStringList() << words("--quota 7") << limit << QJsonValue(7);
    QTest::newRow("quota zero") << QStringList() << words("--quota 0") << limit << QJsonValue(0);
    QTest::newRow("quota mode") << QStringList() << words("--quota 7") << mode << QJsonValue(QStringLiteral("limit"));
    QTest::newRow("quota beats plan") << words("--plan Unlimited") << words("--quota 9") << limit << QJsonValue(9);
    QTest::newRow("unlimited") << QStringList() << words("--unlimited") << limit << null;
    QTest::newRow("unlimited mode") << QStringList() << words("--unlimited") << mode << QJsonValue(QStringLiteral("unlimited"));
    QTest::newRow("plan-quota") << words("--quota 7") << words("--plan-quota") << limit << QJsonValue(300);
    QTest::newRow("plan-quota mode") << words("--unlimited") << words("--plan-quota") << mode << QJsonValue(QStringLiteral("plan"));
    QTest::newRow("disable") << QStringList() << words("--disable") << status << QJsonValue(QStringLiteral("disabled"));
    QTest::newRow("enable") << words("--disable") << words("--enable") << status << QJsonValue(QStringLiteral("active"));
    QTest::newRow("several at once") << QStringList() << words("--role admin --plan Unlimited --quota 3") << limit << QJsonValue(3);
}

void TestHeliodeskctl::userSet()
{
    QFETCH(QStringList, before);
    QFETCH(QStringList, change);
    QFETCH(QString, field);
    QFETCH(QJsonValue, expected);
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    const QStringList set = {QStringLiteral("user"), QStringLiteral("set"), QStringLiteral("ann")};
    if (!before.isEmpty())
        QCOMPARE_EXIT(run(set + before), Success);

    const auto old = listUsers();
    QVERIFY(old);
    QVERIFY2(old->value(QStringLiteral("ann")).value(field) != expected, "the change must be visible");

    const CtlRun r = run(set + change);
    QCOMPARE_EXIT(r, Success);
    QVERIFY2(r.out.startsWith(u"Updated ann: "), qPrintable(r.describe()));
    QCOMPARE(r.err, QString());

    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("ann")).value(field), expected);
    // Nobody else changed.
    QCOMPARE(users->value(QStringLiteral("root")), old->value(QStringLiteral("root")));

    // Every change is audited.
    const auto audit = json(run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--action"), QStringLiteral("user.update")}));
    QVERIFY(audit);
    QVERIFY(!audit->array().isEmpty());
    QCOMPARE(audit->array().first().toObject().value(u"target").toString(), QStringLiteral("ann"));
}

void TestHeliodeskctl::userSetErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    const auto set = [](const char *text) {
        return QStringList{QStringLiteral("user"), QStringLiteral("set")} + QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts);
    };
    QTest::newRow("unknown user") << set("nobody --role admin") << int(NotFoundOrNotAllowed) << QStringLiteral("no user called “nobody”");
    QTest::newRow("unknown plan") << set("ann --plan Gold") << int(NotFoundOrNotAllowed) << QStringLiteral("no plan called “Gold”");
    QTest::newRow("bad role") << set("ann --role boss") << int(Usage) << QStringLiteral("admin or analyst");
    QTest::newRow("quota and unlimited") << set("ann --quota 5 --unlimited") << int(Usage) << QStringLiteral("only one of");
    QTest::newRow("quota and plan-quota") << set("ann --quota 5 --plan-quota") << int(Usage) << QStringLiteral("only one of");
    QTest::newRow("negative quota") << set("ann --quota -1") << int(Usage) << QStringLiteral("whole number");
    QTest::newRow("disable and enable") << set("ann --disable --enable") << int(Usage) << QStringLiteral("either --disable or --enable");
}

void TestHeliodeskctl::userSetErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    const auto old = listUsers();
    QVERIFY(old);

    const CtlRun r = run(arguments);
    QCOMPARE_EXIT(r, exitCode);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, expected);
    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(*users, *old);
}

void TestHeliodeskctl::lastActiveAdmin()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    const QStringList setRoot = {QStringLiteral("user"), QStringLiteral("set"), QStringLiteral("root")};

    for (const QString &change : {QStringLiteral("--role=analyst"), QStringLiteral("--disable")}) {
        const CtlRun r = run(setRoot + QStringList{change});
        QCOMPARE_EXIT(r, NotFoundOrNotAllowed);
        QCOMPARE(r.out, QString());
        QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
        QVERIFY_CONTAINS(r.err, QStringLiteral("root is the last active administrator"));
    }
    auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"role").toString(), QStringLiteral("admin"));
    QCOMPARE(users->value(QStringLiteral("root")).value(u"status").toString(), QStringLiteral("active"));

    // A disabled admin does not count as a second one.
    QCOMPARE_EXIT(run({QStringLiteral("user"), QStringLiteral("set"), QStringLiteral("ann"), QStringLiteral("--role"),
                       QStringLiteral("admin"), QStringLiteral("--disable")}),
                  Success);
    const CtlRun stillLast = run(setRoot + QStringList{QStringLiteral("--role"), QStringLiteral("analyst")});
    QCOMPARE_EXIT(stillLast, NotFoundOrNotAllowed);
    QVERIFY_CONTAINS(stillLast.err, QStringLiteral("last active administrator"));

    // With a second active admin, root may step down.
    QCOMPARE_EXIT(run({QStringLiteral("user"), QStringLiteral("set"), QStringLiteral("ann"), QStringLiteral("--enable")}), Success);
    QCOMPARE_EXIT(run(setRoot + QStringList{QStringLiteral("--role"), QStringLiteral("analyst")}), Success);
    users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"role").toString(), QStringLiteral("analyst"));

    // ...and now ann is the last one.
    const CtlRun annLast = run({QStringLiteral("user"), QStringLiteral("set"), QStringLiteral("ann"), QStringLiteral("--disable")});
    QCOMPARE_EXIT(annLast, NotFoundOrNotAllowed);
    QVERIFY_CONTAINS(annLast.err, QStringLiteral("ann is the last active administrator"));
}

void TestHeliodeskctl::userPasswd()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    const auto storedHash = [this]() {
        RawConnection raw(dbPath());
        return raw.value(QStringLiteral("SELECT password_hash FROM users WHERE username = 'ann'")).toString();
    };
    const QString oldHash = storedHash();
    QVERIFY(!oldHash.isEmpty());

    // Lock ann out first: the reset must lift the lockout too.
    {
        auto database = Database::open(DatabaseLocation::sqliteFile(dbPath()));
        QVERIFY2(database, qPrintable(problemOf(database)));
        AccountService accounts(*database, std::make_shared<SystemClock>());
        Result<UserRecord> attempt = accounts.signIn(QStringLiteral("ann"), QStringLiteral("wrong password"));
        const auto lockedOut = [](const Result<UserRecord> &r) { return !r && r.error().code() == ErrorCode::LockedOut; };
        for (int i = 0; i < 10 && !lockedOut(attempt); ++i)
            attempt = accounts.signIn(QStringLiteral("ann"), QStringLiteral("wrong password"));
        QVERIFY2(lockedOut(attempt), qPrintable(problemOf(attempt)));
        // Even the right password is refused now.
        const auto locked = accounts.signIn(QStringLiteral("ann"), QString::fromUtf8(analystPassword));
        QVERIFY2(lockedOut(locked), qPrintable(problemOf(locked)));
    }

    const QStringList passwd = {QStringLiteral("user"), QStringLiteral("passwd"), QStringLiteral("ann"), QStringLiteral("--password-stdin")};
    const CtlRun weak = run(passwd, "short\n");
    QCOMPARE_EXIT(weak, Usage);
    QVERIFY_CONTAINS(weak.err, QStringLiteral("at least 8 characters"));
    const CtlRun noFlag = run(passwd.mid(0, 3), "new password 2\n");
    QCOMPARE_EXIT(noFlag, Usage);
    QVERIFY_CONTAINS(noFlag.err, QStringLiteral("--password-stdin"));
    const CtlRun unknown = run({QStringLiteral("user"), QStringLiteral("passwd"), QStringLiteral("nobody"), QStringLiteral("--password-stdin")},
                               "new password 2\n");
    QCOMPARE_EXIT(unknown, NotFoundOrNotAllowed);
    QVERIFY_CONTAINS(unknown.err, QStringLiteral("no user called “nobody”"));
    QCOMPARE(storedHash(), oldHash);

    const CtlRun changed = run(passwd, "new password 2\n");
    QCOMPARE_EXIT(changed, Success);
    QVERIFY_CONTAINS(changed.out, QStringLiteral("Password of ann changed."));
    QVERIFY(!changed.out.contains(u"new password 2"));
    QVERIFY(storedHash() != oldHash);

    auto database = Database::open(DatabaseLocation::sqliteFile(dbPath()));
    QVERIFY2(database, qPrintable(problemOf(database)));
    AccountService accounts(*database, std::make_shared<SystemClock>());
    const auto withOld = accounts.signIn(QStringLiteral("ann"), QString::fromUtf8(analystPassword));
    QVERIFY(!withOld);
    QCOMPARE(withOld.error().code(), ErrorCode::WrongCredentials);
    const auto withNew = accounts.signIn(QStringLiteral("ann"), QStringLiteral("new password 2"));
    QVERIFY2(withNew, qPrintable(problemOf(withNew)));
    QCOMPARE(withNew->username, QStringLiteral("ann"));

    const auto audit = json(run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--action"),
                                 QStringLiteral("user.password-reset")}));
    QVERIFY(audit);
    QCOMPARE(audit->array().size(), 1);
    QCOMPARE(audit->array().first().toObject().value(u"target").toString(), QStringLiteral("ann"));
}

void TestHeliodeskctl::userDelete()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    {
        auto database = Database::open(DatabaseLocation::sqliteFile(dbPath()));
        QVERIFY2(database, qPrintable(problemOf(database)));
        auto db = (*database)->connection();
        QVERIFY(db);
        const auto idOf = [&db](const QString &name) {
            return scalar(*db, QStringLiteral("SELECT id FROM users WHERE username = ?"), {name}).value_or(QVariant()).toLongLong();
        };
        QVERIFY(idOf(QStringLiteral("ann")) > 0);
        test::fillUserData(*db, idOf(QStringLiteral("ann")), 3, 4);
        test::fillUserData(*db, idOf(QStringLiteral("root")), 1, 2);
    } // closes the connection; fillUserData has committed

    // What ann owns, counted independently of the tool.
    RawConnection raw(dbPath());
    QVERIFY(raw.isOpen());
    const auto countsOf = [&raw](const QString &name) {
        const QVariantList user{name};
        const auto n = [&](const char *sql) { return raw.value(QString::fromUtf8(sql), user).toInt(); };
        return QList<int>{
            n("SELECT count(*) FROM conversations WHERE user_id = (SELECT id FROM users WHERE username = ?)"),
            n("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
              "WHERE c.user_id = (SELECT id FROM users WHERE username = ?)"),
            n("SELECT count(*) FROM feedback WHERE user_id = (SELECT id FROM users WHERE username = ?)"),
            n("SELECT count(*) FROM survey_responses WHERE user_id = (SELECT id FROM users WHERE username = ?)"),
            n("SELECT count(*) FROM hired_agents WHERE user_id = (SELECT id FROM users WHERE username = ?)"),
            n("SELECT count(*) FROM usage_events WHERE user_id = (SELECT id FROM users WHERE username = ?)"),
        };
    };
    const QList<int> ann = countsOf(QStringLiteral("ann"));
    const QList<int> root = countsOf(QStringLiteral("root"));
    for (int n : ann)
        QVERIFY2(n > 1, "every kind of data is there, in the plural");
    const QString summary = QStringLiteral("%1 conversations, %2 messages, %3 feedback entries, %4 survey answers, "
                                           "%5 hired agents, %6 usage records")
                                .arg(ann[0]).arg(ann[1]).arg(ann[2]).arg(ann[3]).arg(ann[4]).arg(ann[5]);

    // Without --yes: a usage error that says what would go, and nothing goes.
    const QStringList remove = {QStringLiteral("user"), QStringLiteral("delete"), QStringLiteral("ann")};
    const CtlRun preview = run(remove);
    QCOMPARE_EXIT(preview, Usage);
    QCOMPARE(preview.out, QString());
    QVERIFY_CONTAINS(preview.err, u"would remove " + summary);
    QVERIFY_CONTAINS(preview.err, QStringLiteral("--yes"));
    QCOMPARE(countsOf(QStringLiteral("ann")), ann);

    const CtlRun deleted = run(remove + QStringList{QStringLiteral("--yes")});
    QCOMPARE_EXIT(deleted, Success);
    QCOMPARE(deleted.out, u"Deleted ann: " + summary + u".\n");
    QCOMPARE(deleted.err, QString());

    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM users WHERE username = 'ann'")).toInt(), 0);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id "
                                      "WHERE c.id IS NULL"))
                 .toInt(),
             0);
    QCOMPARE(countsOf(QStringLiteral("root")), root); // only ann's data went
    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->keys(), QStringList{QStringLiteral("root")});

    // The audit log keeps who was deleted and how much went with them.
    const auto audit = json(run({QStringLiteral("audit"), QStringLiteral("--json")}));
    QVERIFY(audit);
    QJsonObject entry;
    for (const auto &v : audit->array())
        if (v.toObject().value(u"action").toString() == u"user.delete")
            entry = v.toObject();
    QVERIFY2(!entry.isEmpty(), qPrintable(QString::fromUtf8(audit->toJson())));
    QCOMPARE(entry.value(u"target").toString(), QStringLiteral("ann"));
    QVERIFY_CONTAINS(entry.value(u"actor").toString(), QStringLiteral("heliodeskctl"));
    const QJsonObject details = entry.value(u"details").toObject();
    QCOMPARE(details.value(u"conversations").toInt(-1), ann[0]);
    QCOMPARE(details.value(u"messages").toInt(-1), ann[1]);
    QCOMPARE(details.value(u"feedback").toInt(-1), ann[2]);
    QCOMPARE(details.value(u"survey_responses").toInt(-1), ann[3]);
    QCOMPARE(details.value(u"hired_agents").toInt(-1), ann[4]);
    QCOMPARE(details.value(u"usage_events").toInt(-1), ann[5]);

    // Deleting again: ann is gone.
    const CtlRun again = run(remove + QStringList{QStringLiteral("--yes")});
    QCOMPARE_EXIT(again, NotFoundOrNotAllowed);
    QVERIFY_CONTAINS(again.err, QStringLiteral("no user called “ann”"));
}

void TestHeliodeskctl::userDeleteRefusals()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));

    const CtlRun lastAdmin = run({QStringLiteral("user"), QStringLiteral("delete"), QStringLiteral("root"), QStringLiteral("--yes")});
    QCOMPARE_EXIT(lastAdmin, NotFoundOrNotAllowed);
    QCOMPARE(lastAdmin.out, QString());
    QVERIFY2(isOneErrorLine(lastAdmin.err), qPrintable(lastAdmin.describe()));
    QVERIFY_CONTAINS(lastAdmin.err, QStringLiteral("root is the last active administrator"));

    for (const QStringList &extra : {QStringList{QStringLiteral("--yes")}, QStringList()}) {
        const CtlRun unknown = run(QStringList{QStringLiteral("user"), QStringLiteral("delete"), QStringLiteral("nobody")} + extra);
        QCOMPARE_EXIT(unknown, NotFoundOrNotAllowed);
        QCOMPARE(unknown.out, QString());
        QVERIFY2(isOneErrorLine(unknown.err), qPrintable(unknown.describe()));
        QVERIFY_CONTAINS(unknown.err, QStringLiteral("no user called “nobody”"));
    }

    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->size(), 2);
    const auto audit = json(run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--action"), QStringLiteral("user.delete")}));
    QVERIFY(audit);
    QCOMPARE(audit->array().size(), 0);
}

// --- plans ---------------------------------------------------------------------------------------

void TestHeliodeskctl::plans()
{
    auto plans = listPlans();
    QVERIFY(plans);
    QCOMPARE(plans->size(), 2);
    QCOMPARE(plans->value(QStringLiteral("Standard")).value(u"monthly_limit"), QJsonValue(300));
    QCOMPARE(plans->value(QStringLiteral("Standard")).value(u"default"), QJsonValue(true));
    QCOMPARE(plans->value(QStringLiteral("Unlimited")).value(u"monthly_limit"), QJsonValue(QJsonValue::Null));
    const QJsonArray allAgents = plans->value(QStringLiteral("Standard")).value(u"agents").toArray();
    QCOMPARE(allAgents.size(), 4);

    const auto plan = [](const char *text) {
        return QStringList{QStringLiteral("plan")} + QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts);
    };
    const CtlRun gold = run(plan("add Gold --limit 50 --agents news,om"));
    QCOMPARE_EXIT(gold, Success);
    QVERIFY_CONTAINS(gold.out, QStringLiteral("Created plan Gold (limit 50, agents news,om)"));
    const CtlRun silver = run(plan("add Silver --unlimited"));
    QCOMPARE_EXIT(silver, Success);
    plans = listPlans();
    QVERIFY(plans);
    QCOMPARE(plans->size(), 4);
    QCOMPARE(plans->value(QStringLiteral("Gold")).value(u"monthly_limit"), QJsonValue(50));
    QCOMPARE(plans->value(QStringLiteral("Gold")).value(u"default"), QJsonValue(false));
    QCOMPARE(plans->value(QStringLiteral("Gold")).value(u"agents").toArray(),
             (QJsonArray{QStringLiteral("news"), QStringLiteral("om")}));
    QCOMPARE(plans->value(QStringLiteral("Silver")).value(u"monthly_limit"), QJsonValue(QJsonValue::Null));
    QCOMPARE(plans->value(QStringLiteral("Silver")).value(u"agents").toArray().size(), 4); // no --agents: all of them

    // A user on Gold follows the plan's limit as it changes.
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword, {QStringLiteral("--plan"), QStringLiteral("Gold")}));
    auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"limit"), QJsonValue(50));

    QCOMPARE_EXIT(run(plan("set Gold --limit 60")), Success);
    users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"limit"), QJsonValue(60));
    QCOMPARE_EXIT(run(plan("set Gold --unlimited")), Success);
    users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"limit"), QJsonValue(QJsonValue::Null));

    QCOMPARE_EXIT(run(plan("set Gold --agents market --limit 10")), Success);
    plans = listPlans();
    QVERIFY(plans);
    QCOMPARE(plans->value(QStringLiteral("Gold")).value(u"agents").toArray(), QJsonArray{QStringLiteral("market")});
    QCOMPARE(plans->value(QStringLiteral("Gold")).value(u"monthly_limit"), QJsonValue(10));
    QCOMPARE(plans->value(QStringLiteral("Gold")).value(u"users"), QJsonValue(1));

    const CtlRun renamed = run(plan("set Gold --rename Platinum"));
    QCOMPARE_EXIT(renamed, Success);
    QVERIFY_CONTAINS(renamed.out, QStringLiteral("Updated plan Platinum"));
    plans = listPlans();
    QVERIFY(plans);
    QVERIFY(!plans->contains(QStringLiteral("Gold")));
    QCOMPARE(plans->value(QStringLiteral("Platinum")).value(u"monthly_limit"), QJsonValue(10));
    users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("root")).value(u"plan").toString(), QStringLiteral("Platinum"));

    // The text list names every plan and marks the default.
    const CtlRun text = run(plan("list"));
    QCOMPARE_EXIT(text, Success);
    QVERIFY(text.out.startsWith(u"PLAN"));
    QVERIFY_CONTAINS(text.out, QStringLiteral("Standard (default)"));
    QVERIFY_CONTAINS(text.out, QStringLiteral("Platinum"));
    QVERIFY_CONTAINS(text.out, QStringLiteral("Silver"));

    const auto audit = json(run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--action"), QStringLiteral("plan.update")}));
    QVERIFY(audit);
    QCOMPARE(audit->array().size(), 4);
}

void TestHeliodeskctl::planErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    const auto plan = [](const char *text) {
        return QStringList{QStringLiteral("plan")} + QString::fromUtf8(text).split(u' ', Qt::SkipEmptyParts);
    };
    QTest::newRow("add duplicate") << plan("add Gold --limit 5") << int(Failure) << QStringLiteral("already a plan called “Gold”");
    QTest::newRow("add duplicate of seeded") << plan("add Standard --unlimited") << int(Failure) << QStringLiteral("already a plan");
    QTest::newRow("add unknown agent") << plan("add Bronze --limit 5 --agents news,nope") << int(Usage) << QStringLiteral("no agent “nope”");
    QTest::newRow("add limit and unlimited") << plan("add Bronze --limit 5 --unlimited") << int(Usage) << QStringLiteral("--unlimited");
    QTest::newRow("add negative limit") << plan("add Bronze --limit -5") << int(Usage) << QStringLiteral("whole number");
    QTest::newRow("add empty agents") << plan("add Bronze --limit 5 --agents ,") << int(Usage) << QStringLiteral("at least one agent");
    QTest::newRow("set unknown plan") << plan("set Bronze --limit 5") << int(NotFoundOrNotAllowed) << QStringLiteral("no plan called “Bronze”");
    QTest::newRow("set unknown agent") << plan("set Gold --agents nope") << int(Usage) << QStringLiteral("no agent “nope”");
    QTest::newRow("rename to taken") << plan("set Gold --rename Standard") << int(Failure) << QStringLiteral("already a plan called “Standard”");
    QTest::newRow("set limit and unlimited") << plan("set Gold --limit 5 --unlimited") << int(Usage) << QStringLiteral("not both");
}

void TestHeliodeskctl::planErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QCOMPARE_EXIT(run({QStringLiteral("plan"), QStringLiteral("add"), QStringLiteral("Gold"), QStringLiteral("--limit"), QStringLiteral("50"),
                       QStringLiteral("--agents"), QStringLiteral("news")}),
                  Success);
    const auto before = listPlans();
    QVERIFY(before);

    const CtlRun r = run(arguments);
    QCOMPARE_EXIT(r, exitCode);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, expected);
    const auto after = listPlans();
    QVERIFY(after);
    QCOMPARE(*after, *before);
}

// --- usage and the quota ledger ------------------------------------------------------------------

void TestHeliodeskctl::usageAndReconcile()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    QString period;
    {
        // Ann signs in through the model and asks three questions: two to News (one answered, one
        // still running) and one to O&M that failed.
        auto database = Database::open(DatabaseLocation::sqliteFile(dbPath()));
        QVERIFY2(database, qPrintable(problemOf(database)));
        const auto clock = std::make_shared<SystemClock>();
        AccountService accounts(*database, clock);
        const auto ann = accounts.signIn(QStringLiteral("ann"), QString::fromUtf8(analystPassword));
        QVERIFY2(ann, qPrintable(problemOf(ann)));
        const Actor actor = Actor::user(*ann);
        QuotaService quotas(*database, clock);
        period = quotas.currentPeriod();
        const auto news1 = quotas.reserve(actor, QStringLiteral("news"));
        QVERIFY(news1);
        QVERIFY(quotas.recordOutcome(news1->usageEventId, UsageOutcome::Complete));
        QVERIFY(quotas.reserve(actor, QStringLiteral("news")));
        const auto om = quotas.reserve(actor, QStringLiteral("om"));
        QVERIFY(om);
        QCOMPARE(om->used, 3);
        QVERIFY(quotas.recordOutcome(om->usageEventId, UsageOutcome::Failed, QStringLiteral("timeout")));
    }

    const auto usage = json(run({QStringLiteral("usage"), QStringLiteral("--json")}));
    QVERIFY(usage);
    QCOMPARE(usage->object().value(u"period").toString(), period);
    QHash<QString, QJsonObject> byAgent;
    for (const auto &v : usage->object().value(u"rows").toArray()) {
        QCOMPARE(v.toObject().value(u"username").toString(), QStringLiteral("ann"));
        byAgent.insert(v.toObject().value(u"agent").toString(), v.toObject());
    }
    QCOMPARE(byAgent.size(), 2);
    const QJsonObject news = byAgent.value(QStringLiteral("news"));
    QCOMPARE(news.value(u"total").toInt(-1), 2);
    QCOMPARE(news.value(u"complete").toInt(-1), 1);
    QCOMPARE(news.value(u"unfinished").toInt(-1), 1);
    QCOMPARE(news.value(u"failed").toInt(-1), 0);
    const QJsonObject omRow = byAgent.value(QStringLiteral("om"));
    QCOMPARE(omRow.value(u"total").toInt(-1), 1);
    QCOMPARE(omRow.value(u"failed").toInt(-1), 1);
    QCOMPARE(omRow.value(u"cancelled").toInt(-1), 0);

    // One user only, and an unknown one.
    const auto rootUsage = json(run({QStringLiteral("usage"), QStringLiteral("--user"), QStringLiteral("root"), QStringLiteral("--json")}));
    QVERIFY(rootUsage);
    QCOMPARE(rootUsage->object().value(u"rows").toArray().size(), 0);
    const auto annUsage = json(run({QStringLiteral("usage"), QStringLiteral("--user"), QStringLiteral("ANN"), QStringLiteral("--json")}));
    QVERIFY(annUsage);
    QCOMPARE(annUsage->object().value(u"rows").toArray().size(), 2);
    const CtlRun nobody = run({QStringLiteral("usage"), QStringLiteral("--user"), QStringLiteral("nobody")});
    QCOMPARE_EXIT(nobody, NotFoundOrNotAllowed);
    QVERIFY_CONTAINS(nobody.err, QStringLiteral("no user called “nobody”"));

    const CtlRun text = run({QStringLiteral("usage")});
    QCOMPARE_EXIT(text, Success);
    QVERIFY_CONTAINS(text.out, u"Queries in " + period);

    auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->value(QStringLiteral("ann")).value(u"used").toInt(-1), 3);

    // Counter and ledger agree.
    const QStringList reconcile = {QStringLiteral("usage"), QStringLiteral("reconcile")};
    const CtlRun agree = run(reconcile);
    QCOMPARE_EXIT(agree, Success);
    QVERIFY(!agree.out.contains(u"MISMATCH"));
    QCOMPARE(agree.err, QString());
    const auto agreeJson = json(run(reconcile + QStringList{QStringLiteral("--json")}));
    QVERIFY(agreeJson);
    QCOMPARE(agreeJson->object().value(u"mismatches").toInt(-1), 0);

    // Bump ann's counter behind the ledger's back.
    {
        RawConnection raw(dbPath());
        QVERIFY(raw.isOpen());
        QVERIFY(raw.exec(QStringLiteral("UPDATE users SET quota_used = quota_used + 1 WHERE username = 'ann'")));
    }
    const CtlRun mismatch = run(reconcile);
    QCOMPARE_EXIT(mismatch, Failure);
    QString annLine;
    for (const QString &line : mismatch.out.split(u'\n'))
        if (line.startsWith(u"ann "))
            annLine = line;
    QVERIFY2(annLine.contains(u"MISMATCH"), qPrintable(mismatch.describe()));
    QCOMPARE(annLine.simplified(), QStringLiteral("ann 4 0 3 MISMATCH")); // USERNAME COUNTER RESET LEDGER STATE
    QVERIFY2(isOneErrorLine(mismatch.err), qPrintable(mismatch.describe()));
    QVERIFY_CONTAINS(mismatch.err, QStringLiteral("1 user(s)"));

    const CtlRun mismatchJson = run(reconcile + QStringList{QStringLiteral("--json")});
    QCOMPARE_EXIT(mismatchJson, Failure);
    const QJsonObject report = QJsonDocument::fromJson(mismatchJson.out.toUtf8()).object();
    QCOMPARE(report.value(u"mismatches").toInt(-1), 1);
    bool sawAnn = false;
    for (const auto &v : report.value(u"users").toArray()) {
        const QJsonObject row = v.toObject();
        if (row.value(u"username").toString() != u"ann")
            continue;
        sawAnn = true;
        QCOMPARE(row.value(u"counter").toInt(-1), 4);
        QCOMPARE(row.value(u"ledger").toInt(-1), 3);
        QCOMPARE(row.value(u"reset").toInt(-1), 0);
        QCOMPARE(row.value(u"matches"), QJsonValue(false));
    }
    QVERIFY(sawAnn);
}

// --- db check and db backup ----------------------------------------------------------------------

void TestHeliodeskctl::dbCheckClean()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    const CtlRun r = run({QStringLiteral("db"), QStringLiteral("check")});
    QCOMPARE_EXIT(r, Success);
    QVERIFY_CONTAINS(r.out, QStringLiteral("is sound"));
    QCOMPARE(r.err, QString());
}

void TestHeliodeskctl::dbCheckForeignKeyViolation()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    {
        RawConnection raw(dbPath());
        QVERIFY(raw.isOpen());
        QVERIFY(raw.exec(QStringLiteral("PRAGMA foreign_keys = OFF")));
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                        "VALUES (9999, 'news', 'orphan', 0, 0)")));
    }
    const CtlRun r = run({QStringLiteral("db"), QStringLiteral("check")});
    QCOMPARE_EXIT(r, Failure);
    const QStringList problems = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(problems.size(), 1);
    QVERIFY_CONTAINS(problems.first(), QStringLiteral("Foreign key"));
    QVERIFY_CONTAINS(problems.first(), QStringLiteral("of conversations refers to a missing row of users"));
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, QStringLiteral("1 problem(s)"));
}

void TestHeliodeskctl::dbCheckMissingFile()
{
    for (const QStringList &command : {QStringList{QStringLiteral("db"), QStringLiteral("check")},
                                       QStringList{QStringLiteral("db"), QStringLiteral("backup"), path(QStringLiteral("copy.sqlite3"))}}) {
        const CtlRun r = run(command);
        QCOMPARE_EXIT(r, NotFoundOrNotAllowed);
        QCOMPARE(r.out, QString());
        QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
        QVERIFY_CONTAINS(r.err, QStringLiteral("There is no database at"));
        QVERIFY_CONTAINS(r.err, dbPath());
        // Inspecting never creates the file.
        QVERIFY(!QFile::exists(dbPath()));
        QVERIFY(!QFile::exists(path(QStringLiteral("copy.sqlite3"))));
    }
}

void TestHeliodeskctl::notADatabase_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::newRow("db check") << QStringList{QStringLiteral("db"), QStringLiteral("check")};
    QTest::newRow("db backup") << QStringList{QStringLiteral("db"), QStringLiteral("backup"), QStringLiteral("copy.sqlite3")};
    QTest::newRow("user list") << QStringList{QStringLiteral("user"), QStringLiteral("list")};
    QTest::newRow("user add") << QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"),
                                             QStringLiteral("--role"), QStringLiteral("admin"), QStringLiteral("--password-stdin")};
}

void TestHeliodeskctl::notADatabase()
{
    QFETCH(QStringList, command);
    QByteArray text;
    for (int i = 0; i < 200; ++i)
        text += "These are meeting notes, line " + QByteArray::number(i) + ", and certainly not a database.\n";
    QVERIFY(writeFile(dbPath(), text));

    const CtlRun r = run(command, analystPassword + '\n');
    QCOMPARE_EXIT(r, Failure);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, QStringLiteral("is not a SQLite database"));
    QVERIFY_CONTAINS(r.err, dbPath());
    QCOMPARE(readFile(dbPath()), text);
    QVERIFY(!QFile::exists(dbPath() + u"-wal"));
    QVERIFY(!QFile::exists(path(QStringLiteral("copy.sqlite3"))));
}

void TestHeliodeskctl::dbBackup()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    QVERIFY(addUser(QStringLiteral("ann")));
    QVERIFY(addUser(QStringLiteral("bob")));
    const QString target = path(QStringLiteral("backups/heliodesk-copy.sqlite3"));
    QVERIFY(QDir().mkpath(path(QStringLiteral("backups"))));

    const CtlRun r = run({QStringLiteral("db"), QStringLiteral("backup"), target});
    QCOMPARE_EXIT(r, Success);
    QVERIFY_CONTAINS(r.out, u"to " + target);
    QCOMPARE(r.err, QString());
    QVERIFY(QFile::exists(target));
    QVERIFY(!QFile::exists(target + u".partial"));

    // The copy is a sound database with the same users.
    {
        DatabaseOptions inspect;
        inspect.migrate = false;
        auto copy = Database::open(DatabaseLocation::sqliteFile(target), inspect);
        QVERIFY2(copy, qPrintable(problemOf(copy)));
        auto db = (*copy)->connection();
        QVERIFY(db);
        QCOMPARE(scalar(*db, QStringLiteral("SELECT count(*) FROM users")).value_or(QVariant()).toInt(), 3);
        QCOMPARE(scalar(*db, QStringLiteral("SELECT group_concat(username, ',') FROM (SELECT username FROM users ORDER BY username)"))
                     .value_or(QVariant())
                     .toString(),
                 QStringLiteral("ann,bob,root"));
    } // the connection copy goes before the Database that removes it
    const CtlRun check = runRaw({QStringLiteral("--db"), target, QStringLiteral("db"), QStringLiteral("check")});
    QCOMPARE_EXIT(check, Success);

    // The backup is on record: the audit log (and the Health tab's "last backup") has it.
    const auto audit = json(run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--action"),
                                 QStringLiteral("database.backup")}));
    QVERIFY(audit);
    QCOMPARE(audit->array().size(), 1);
    const QJsonObject details = audit->array().first().toObject().value(u"details").toObject();
    QCOMPARE(details.value(u"file").toString(), QDir::toNativeSeparators(QFileInfo(target).absoluteFilePath()));
    QVERIFY(details.value(u"bytes").toInteger() > 0);

    // A folder that does not exist.
    const CtlRun noFolder = run({QStringLiteral("db"), QStringLiteral("backup"), path(QStringLiteral("missing/copy.sqlite3"))});
    QVERIFY2(noFolder.finished && noFolder.exitCode != Success, qPrintable(noFolder.describe()));
    QVERIFY_CONTAINS(noFolder.err, QStringLiteral("does not exist"));
}

void TestHeliodeskctl::dbBackupRefusesExistingTarget()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    const QString target = path(QStringLiteral("important.txt"));
    const QByteArray content = "Not to be overwritten.\n";
    QVERIFY(writeFile(target, content));

    const CtlRun r = run({QStringLiteral("db"), QStringLiteral("backup"), target});
    // An existing target is refused as a usage problem: the caller named a file that is taken.
    QCOMPARE_EXIT(r, Usage);
    QCOMPARE(r.out, QString());
    QVERIFY2(isOneErrorLine(r.err), qPrintable(r.describe()));
    QVERIFY_CONTAINS(r.err, QStringLiteral("already exists"));
    QCOMPARE(readFile(target), content);
    QVERIFY(!QFile::exists(target + u".partial"));
}

// --- where the database is -----------------------------------------------------------------------

void TestHeliodeskctl::locationFromEnvironment()
{
    const QString envDb = path(QStringLiteral("from-env/heliodesk.sqlite3"));
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("HELIODESK_DB"), envDb);

    const CtlRun add = runRaw({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root"), QStringLiteral("--role"),
                               QStringLiteral("admin"), QStringLiteral("--password-stdin")},
                              rootPassword + '\n', env);
    QCOMPARE_EXIT(add, Success);
    QVERIFY(QFile::exists(envDb)); // its folder was created too
    QVERIFY(!QFile::exists(dbPath()));

    const CtlRun list = runRaw({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--json")}, {}, env);
    QCOMPARE_EXIT(list, Success);
    QCOMPARE(QJsonDocument::fromJson(list.out.toUtf8()).array().size(), 1);

    // --db wins over HELIODESK_DB, in both spellings.
    const CtlRun other = runRaw({QStringLiteral("--db"), dbPath(), QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--json")},
                                {}, env);
    QCOMPARE_EXIT(other, Success);
    QCOMPARE(QJsonDocument::fromJson(other.out.toUtf8()).array().size(), 0);
    QVERIFY(QFile::exists(dbPath()));
    const CtlRun equals = runRaw({u"--db=" + envDb, QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--json")}, {},
                                 environment());
    QCOMPARE_EXIT(equals, Success);
    QCOMPARE(QJsonDocument::fromJson(equals.out.toUtf8()).array().size(), 1);

    // A location that is no location.
    env.insert(QStringLiteral("HELIODESK_DB"), QStringLiteral("mysql://db.example/heliodesk"));
    const CtlRun bad = runRaw({QStringLiteral("user"), QStringLiteral("list")}, {}, env);
    QCOMPARE_EXIT(bad, Usage);
    QCOMPARE(bad.out, QString());
    QVERIFY2(isOneErrorLine(bad.err), qPrintable(bad.describe()));
    QVERIFY_CONTAINS(bad.err, QStringLiteral("HELIODESK_DB"));
    QVERIFY_CONTAINS(bad.err, QStringLiteral("Unknown kind of database location"));
}

void TestHeliodeskctl::defaultLocation()
{
    // Neither --db nor HELIODESK_DB: the app's own file under the XDG data folder.
    const CtlRun add = runRaw({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root"), QStringLiteral("--role"),
                               QStringLiteral("admin"), QStringLiteral("--password-stdin")},
                              rootPassword + '\n');
    QCOMPARE_EXIT(add, Success);
    QVERIFY(QFile::exists(path(QStringLiteral("xdg-data/heliodesk/heliodesk.sqlite3"))));
}

// --- another writer holds the lock ---------------------------------------------------------------

void TestHeliodeskctl::lockedDatabase()
{
    QVERIFY(addUser(QStringLiteral("root"), QStringLiteral("admin"), rootPassword));
    const QStringList addAnn = {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ann"), QStringLiteral("--role"),
                                QStringLiteral("analyst"), QStringLiteral("--password-stdin")};
    {
        RawConnection writer(dbPath());
        QVERIFY(writer.isOpen());
        QVERIFY(writer.exec(QStringLiteral("BEGIN IMMEDIATE")));
        QVERIFY(writer.exec(QStringLiteral("INSERT INTO plans (name, monthly_limit, is_default, created_at) VALUES ('Held', 1, 0, 0)")));

        // Readers are not blocked (WAL), so listing still works while the lock is held.
        const auto users = listUsers();
        QVERIFY(users);
        QCOMPARE(users->size(), 1);

        const CtlRun blocked = run(addAnn, analystPassword + '\n');
        QCOMPARE_EXIT(blocked, Failure);
        QCOMPARE(blocked.out, QString());
        QVERIFY2(isOneErrorLine(blocked.err), qPrintable(blocked.describe()));
        QVERIFY_CONTAINS(blocked.err, QStringLiteral("busy"));
        // It waited for the product's busy timeout (5 s) before giving up, but not much longer.
        QVERIFY2(blocked.elapsedMs >= 4'000, qPrintable(blocked.describe()));
        QVERIFY2(blocked.elapsedMs < 30'000, qPrintable(blocked.describe()));

        QVERIFY(writer.exec(QStringLiteral("ROLLBACK")));
    }

    const CtlRun retried = run(addAnn, analystPassword + '\n');
    QCOMPARE_EXIT(retried, Success);
    const auto users = listUsers();
    QVERIFY(users);
    QCOMPARE(users->size(), 2);
    const auto plans = listPlans();
    QVERIFY(plans);
    QVERIFY(!plans->contains(QStringLiteral("Held")));
}

QTEST_GUILESS_MAIN(TestHeliodeskctl)
#include "tst_heliodeskctl.moc"
