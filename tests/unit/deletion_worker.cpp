// Child process of tst_userdeletion: starts deleting a user and stops dead part-way, inside the
// deletion's transaction, so that the test can kill it there. A temporary trigger on the users
// table calls a SQL function of ours that announces "PAUSED" and then sleeps.

#include "model/accountservice.h"
#include "storage/database.h"

#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <sqlite3.h>

#include <cstdio>

using namespace heliodesk;

namespace {
void pauseForever(sqlite3_context *context, int, sqlite3_value **)
{
    std::printf("PAUSED\n");
    std::fflush(stdout);
    QThread::sleep(3600);
    sqlite3_result_null(context);
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: deletion_worker DB USERNAME\n");
        return 2;
    }
    auto database = Database::open(DatabaseLocation::sqliteFile(args[1]));
    if (!database) {
        std::fprintf(stderr, "open: %s\n", qPrintable(database.error().toLogString()));
        return 1;
    }
    auto db = (*database)->connection();
    const QVariant handle = db->driver()->handle();
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
    QSqlQuery trigger(*db);
    if (!trigger.exec(QStringLiteral("CREATE TEMP TRIGGER pause_before_user BEFORE DELETE ON main.users "
                                     "BEGIN SELECT test_pause(); END"))) {
        std::fprintf(stderr, "trigger: %s\n", qPrintable(trigger.lastError().text()));
        return 1;
    }
    trigger.finish();
    AccountService accounts(*database, std::make_shared<SystemClock>());
    auto deleted = accounts.deleteUser(Actor::system(QStringLiteral("deletion_worker")), args[2]);
    // Reaching this line means the pause never happened: the test fails on the missing PAUSED.
    std::printf("FINISHED %s\n", deleted ? "ok" : qPrintable(deleted.error().toLogString()));
    return 3;
}
