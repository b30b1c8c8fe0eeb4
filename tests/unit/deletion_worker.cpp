// Child process of tst_userdeletion: starts deleting a user and stops dead part-way, inside the
// deletion's transaction, so that the test can kill it there. A trigger on the users table makes
// the last step wait: on SQLite a temporary trigger calls a SQL function of ours that announces
// "PAUSED" and then sleeps; on PostgreSQL a trigger sleeps on the server (pg_sleep) for this
// session only, and a second connection announces "PAUSED <server pid>" once it sees it asleep.

#include "model/accountservice.h"
#include "storage/database.h"
#include "storage/sql.h"

#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <sqlite3.h>

#include <cstdio>
#include <memory>

using namespace heliodesk;

namespace {
void pauseForever(sqlite3_context *context, int, sqlite3_value **)
{
    std::printf("PAUSED\n");
    std::fflush(stdout);
    QThread::sleep(3600);
    sqlite3_result_null(context);
}

int pauseOnSqlite(const QSqlDatabase &db)
{
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        std::fprintf(stderr, "no sqlite3 handle\n");
        return 1;
    }
    sqlite3 *raw = *static_cast<sqlite3 *const *>(handle.data());
    if (sqlite3_create_function(raw, "test_pause", 0, SQLITE_UTF8, nullptr, &pauseForever, nullptr, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "create_function failed\n");
        return 1;
    }
    // Fires as the last step, when every other table of the user has already been emptied.
    QSqlQuery trigger(db);
    if (!trigger.exec(QStringLiteral("CREATE TEMP TRIGGER pause_before_user BEFORE DELETE ON main.users "
                                     "BEGIN SELECT test_pause(); END"))) {
        std::fprintf(stderr, "trigger: %s\n", qPrintable(trigger.lastError().text()));
        return 1;
    }
    return 0;
}

/// Starts a thread that prints "PAUSED <pid>" once the server process `pid` sleeps in the trigger.
int pauseOnPostgres(const std::shared_ptr<Database> &database, const QSqlDatabase &db)
{
    // The trigger lives in the test's schema, which the test drops; it sleeps only in a session
    // that asked for it, so the test's own deletions after the kill run straight through.
    const QStringList statements = {
        QStringLiteral("CREATE FUNCTION test_pause_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       "IF current_setting('heliodesk.test_pause', true) = 'on' THEN PERFORM pg_sleep(3600); END IF; "
                       "RETURN OLD; END $$"),
        QStringLiteral("CREATE TRIGGER pause_before_user BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION test_pause_fn()"),
        QStringLiteral("SET heliodesk.test_pause = 'on'"),
        // Without this the server would notice the killed client only when the sleep ends.
        QStringLiteral("SET client_connection_check_interval = 100"),
    };
    for (const QString &sql : statements) {
        if (auto done = execSql(db, sql); !done) {
            std::fprintf(stderr, "setup: %s\n", qPrintable(done.error().toLogString()));
            return 1;
        }
    }
    auto pid = scalar(db, QStringLiteral("SELECT pg_backend_pid()"));
    if (!pid) {
        std::fprintf(stderr, "pid: %s\n", qPrintable(pid.error().toLogString()));
        return 1;
    }
    const qint64 backend = pid->toLongLong();
    QThread *watcher = QThread::create([database, backend] {
        auto other = database->connection(); // this thread's own connection
        if (!other) {
            std::fprintf(stderr, "watcher: %s\n", qPrintable(other.error().toLogString()));
            return;
        }
        for (int i = 0; i < 60000 / 20; ++i) {
            auto waiting = scalar(*other, QStringLiteral("SELECT wait_event FROM pg_stat_activity WHERE pid = CAST(? AS INTEGER)"),
                                  {backend});
            if (waiting && waiting->toString() == u"PgSleep") {
                std::printf("PAUSED %lld\n", static_cast<long long>(backend));
                std::fflush(stdout);
                return;
            }
            QThread::msleep(20);
        }
    });
    watcher->start();
    return 0;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: deletion_worker DB-LOCATION USERNAME\n");
        return 2;
    }
    auto location = DatabaseLocation::parse(args[1]);
    if (!location) {
        std::fprintf(stderr, "location: %s\n", qPrintable(location.error().toLogString()));
        return 2;
    }
    auto database = Database::open(*location);
    if (!database) {
        std::fprintf(stderr, "open: %s\n", qPrintable(database.error().toLogString()));
        return 1;
    }
    auto db = (*database)->connection();
    if (!db) {
        std::fprintf(stderr, "connection: %s\n", qPrintable(db.error().toLogString()));
        return 1;
    }
    const int prepared =
        (*database)->dialect() == Database::Dialect::PostgreSql ? pauseOnPostgres(*database, *db) : pauseOnSqlite(*db);
    if (prepared != 0)
        return prepared;
    AccountService accounts(*database, std::make_shared<SystemClock>());
    auto deleted = accounts.deleteUser(Actor::system(QStringLiteral("deletion_worker")), args[2]);
    // Reaching this line means the pause never happened: the test fails on the missing PAUSED.
    std::printf("FINISHED %s\n", deleted ? "ok" : qPrintable(deleted.error().toLogString()));
    return 3;
}
