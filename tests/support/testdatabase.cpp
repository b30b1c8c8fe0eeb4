#include "testdatabase.h"

#include "storage/sql.h"
#include "storage/transaction.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QFile>
#include <QSqlError>
#include <QTest>
#include <QUrlQuery>

namespace heliodesk::test {

PasswordHashParams quickHashParams()
{
    return PasswordHashParams{1, 64u * 1024u};
}

bool onPostgres()
{
    return qEnvironmentVariableIsSet("HELIODESK_TEST_POSTGRES_URL") || qEnvironmentVariableIsSet("HELIODESK_TEST_POSTGRES_URL_FILE");
}

QString postgresServerUrl()
{
    static const QString url = [] {
        QString text = qEnvironmentVariable("HELIODESK_TEST_POSTGRES_URL").trimmed();
        if (text.isEmpty()) {
            const QString file = qEnvironmentVariable("HELIODESK_TEST_POSTGRES_URL_FILE");
            QFile f(file);
            if (file.isEmpty() || !f.open(QIODevice::ReadOnly))
                qFatal("The PostgreSQL test cluster is not running: %s does not exist. The test fixture "
                       "postgres_start (scripts/pg.sh start) makes it; run the _pg tests through ctest.",
                       qPrintable(file));
            text = QString::fromUtf8(f.readAll()).trimmed();
        }
        if (!text.startsWith(u"postgresql://"))
            qFatal("HELIODESK_TEST_POSTGRES_URL is not a postgresql:// URL: %s", qPrintable(text));
        return text;
    }();
    return url;
}

namespace {

/// The test process's own connection to the test cluster, outside Database (its name lacks the
/// "heliodesk:" prefix, so Database::openConnectionCount() does not count it): it makes and drops
/// the schemas. Opened once, in the main thread.
QSqlDatabase adminConnection()
{
    const QString name = QStringLiteral("heliodesk-test-admin");
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    auto location = DatabaseLocation::parse(postgresServerUrl());
    if (!location)
        qFatal("bad test cluster URL: %s", qPrintable(location.error().toLogString()));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(location->url().host());
    db.setPort(location->url().port(5432));
    db.setDatabaseName(location->url().path().mid(1));
    db.setUserName(location->url().userName());
    db.setConnectOptions(QStringLiteral("options='-c client_min_messages=warning'"));
    if (!db.open())
        qFatal("cannot reach the PostgreSQL test cluster at %s: %s", qPrintable(postgresServerUrl()), qPrintable(db.lastError().text()));
    return db;
}

void runAdmin(const QString &sql)
{
    auto done = execSql(adminConnection(), sql);
    if (!done)
        qFatal("test cluster: %s: %s", qPrintable(sql), qPrintable(done.error().toLogString()));
}

QAtomicInteger<int> schemaCounter;

} // namespace

TestDatabase::TestDatabase(const DatabaseOptions &options)
{
    if (onPostgres()) {
        m_schema = QStringLiteral("t_%1_%2").arg(QCoreApplication::applicationPid()).arg(++schemaCounter);
        runAdmin(u"DROP SCHEMA IF EXISTS " + m_schema + u" CASCADE");
        runAdmin(u"CREATE SCHEMA " + m_schema);
    }
    auto opened = Database::open(location(), options);
    if (opened)
        m_database = *opened;
    else
        m_openError = opened.error();
}

TestDatabase::~TestDatabase()
{
    m_database.reset();
    if (!m_schema.isEmpty())
        runAdmin(u"DROP SCHEMA IF EXISTS " + m_schema + u" CASCADE");
}

QString TestDatabase::path() const
{
    if (!m_schema.isEmpty())
        qFatal("TestDatabase::path() is the SQLite file; this test runs on PostgreSQL (use locationText())");
    return m_dir.filePath(QStringLiteral("heliodesk.sqlite3"));
}

QString TestDatabase::locationText() const
{
    if (m_schema.isEmpty())
        return path();
    QUrl url(postgresServerUrl());
    QUrlQuery query(url);
    query.addQueryItem(QStringLiteral("options"), u"-c search_path=" + m_schema);
    url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}

DatabaseLocation TestDatabase::location() const
{
    auto parsed = DatabaseLocation::parse(locationText());
    if (!parsed)
        qFatal("test database location: %s", qPrintable(parsed.error().toLogString()));
    return *parsed;
}

Result<std::shared_ptr<Database>> TestDatabase::openAnother(const DatabaseOptions &options) const
{
    return Database::open(location(), options);
}

QSqlDatabase TestDatabase::connection() const
{
    auto db = m_database->connection();
    if (!db)
        qFatal("test database connection failed: %s", qPrintable(db.error().toLogString()));
    return *db;
}

AccountService TestDatabase::accounts() const
{
    return AccountService(m_database, m_clock, PasswordHasher(quickHashParams()));
}

Actor TestDatabase::createAdmin(const QString &name)
{
    NewUser request;
    request.username = name;
    request.password = QStringLiteral("correct horse battery");
    request.role = Role::Admin;
    auto created = accounts().createUser(m_admin.value_or(Actor::anonymous()), request);
    if (!created)
        qFatal("createAdmin failed: %s", qPrintable(created.error().toLogString()));
    Actor actor = Actor::user(*created);
    if (!m_admin)
        m_admin = actor;
    return actor;
}

UserRecord TestDatabase::createAnalyst(const QString &name, std::optional<int> quotaLimit, const QString &plan)
{
    if (!m_admin)
        createAdmin();
    NewUser request;
    request.username = name;
    request.password = QStringLiteral("analyst password");
    request.quotaLimit = quotaLimit;
    request.planName = plan;
    auto created = accounts().createUser(*m_admin, request);
    if (!created)
        qFatal("createAnalyst failed: %s", qPrintable(created.error().toLogString()));
    return *created;
}

int TestDatabase::count(const QString &table) const
{
    static const QStringList tables = {QStringLiteral("users"), QStringLiteral("conversations"), QStringLiteral("messages"),
                                       QStringLiteral("feedback"), QStringLiteral("survey_responses"),
                                       QStringLiteral("hired_agents"), QStringLiteral("usage_events"),
                                       QStringLiteral("audit_log"), QStringLiteral("plans"), QStringLiteral("plan_agents")};
    if (!tables.contains(table))
        qFatal("count() of an unknown table");
    // Table names come from the fixed list above, never from input.
    const QString sql = u"SELECT count(*) FROM " + table;
    auto n = scalar(connection(), sql);
    if (!n)
        qFatal("count failed: %s", qPrintable(n.error().toLogString()));
    return n->toInt();
}

void installFailingTrigger(const QSqlDatabase &db, const QString &name, const QString &table, const QString &operation,
                           const QString &message)
{
    QString quotedMessage = message;
    quotedMessage.replace(u'\'', QStringLiteral("''"));
    QStringList statements;
    if (db.driverName() == u"QPSQL") {
        statements << u"CREATE FUNCTION " + name + u"_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '"
                + quotedMessage + u"' USING ERRCODE = 'check_violation'; END $$"
                   << u"CREATE TRIGGER " + name + u" BEFORE " + operation + u" ON " + table + u" FOR EACH ROW EXECUTE FUNCTION "
                + name + u"_fn()";
    } else {
        statements << u"CREATE TRIGGER " + name + u" BEFORE " + operation + u" ON " + table + u" BEGIN SELECT RAISE(ABORT, '"
                + quotedMessage + u"'); END";
    }
    for (const QString &sql : std::as_const(statements)) {
        if (auto done = execSql(db, sql); !done)
            qFatal("installFailingTrigger: %s", qPrintable(done.error().toLogString()));
    }
}

void dropFailingTrigger(const QSqlDatabase &db, const QString &name, const QString &table)
{
    QStringList statements;
    if (db.driverName() == u"QPSQL")
        statements << u"DROP TRIGGER " + name + u" ON " + table << u"DROP FUNCTION " + name + u"_fn()";
    else
        statements << u"DROP TRIGGER " + name;
    for (const QString &sql : std::as_const(statements)) {
        if (auto done = execSql(db, sql); !done)
            qFatal("dropFailingTrigger: %s", qPrintable(done.error().toLogString()));
    }
}

void fillUserData(const QSqlDatabase &db, qint64 userId, int conversations, int messagesEach)
{
    auto txn = Transaction::begin(db);
    if (!txn)
        qFatal("fillUserData: %s", qPrintable(txn.error().toLogString()));
    const auto run = [&db](const QString &sql, const QVariantList &values) {
        auto q = execSql(db, sql, values);
        if (!q)
            qFatal("fillUserData: %s", qPrintable(q.error().toLogString()));
        return std::move(*q);
    };
    const QStringList agents = {QStringLiteral("news"), QStringLiteral("om"), QStringLiteral("market")};
    for (const QString &agent : agents)
        run(QStringLiteral("INSERT INTO hired_agents (user_id, agent_id, hired_at) VALUES (?, ?, 0) ON CONFLICT DO NOTHING"),
            {userId, agent});
    for (int c = 0; c < conversations; ++c) {
        const QString &agent = agents.at(c % agents.size());
        QSqlQuery conv = run(QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                            "VALUES (?, ?, ?, 0, 0) RETURNING id"),
                             {userId, agent, QStringLiteral("Conversation %1").arg(c)});
        conv.next();
        const qint64 conversationId = conv.value(0).toLongLong();
        conv.finish();
        for (int m = 0; m < messagesEach; ++m) {
            const bool answer = m % 2 == 1;
            qint64 usageId = 0;
            if (answer) {
                QSqlQuery usage = run(QStringLiteral("INSERT INTO usage_events (user_id, agent_id, conversation_id, period, outcome, "
                                                     "created_at) VALUES (?, ?, ?, '2026-11', 'complete', 0) RETURNING id"),
                                      {userId, agent, conversationId});
                usage.next();
                usageId = usage.value(0).toLongLong();
                usage.finish();
            }
            QSqlQuery msg = run(QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, usage_event_id, "
                                               "created_at, updated_at) VALUES (?, ?, ?, 'complete', ?, 0, 0) RETURNING id"),
                                {conversationId, answer ? QStringLiteral("assistant") : QStringLiteral("user"),
                                 QStringLiteral("Message %1 of conversation %2 about inverter faults").arg(m).arg(c),
                                 answer ? QVariant(usageId) : QVariant(QMetaType::fromType<qint64>())});
            msg.next();
            const qint64 messageId = msg.value(0).toLongLong();
            msg.finish();
            if (answer && m % 4 == 1)
                run(QStringLiteral("INSERT INTO feedback (user_id, message_id, rating, comment, created_at) VALUES (?, ?, 1, 'useful', 0)"),
                    {userId, messageId});
        }
    }
    run(QStringLiteral("INSERT INTO survey_responses (user_id, score, comment, created_at) VALUES (?, 4, 'good', 0)"), {userId});
    run(QStringLiteral("INSERT INTO survey_responses (user_id, score, comment, created_at) VALUES (?, 5, 'great', 0)"), {userId});
    if (auto committed = txn->commit(); !committed)
        qFatal("fillUserData commit: %s", qPrintable(committed.error().toLogString()));
}

} // namespace heliodesk::test
