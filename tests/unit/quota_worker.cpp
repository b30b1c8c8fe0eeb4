// Child process of tst_quotaconcurrency: opens the database (a SQLite file or a postgresql:// URL),
// says "ready", waits for a start file, then tries to reserve queries for one user and prints what
// happened: "used N" for each query it counted (N: the counter the reservation returned), "ok N",
// "limit N", and one line per other error.

#include "support/fakeclock.h"

#include "model/quotaservice.h"
#include "storage/database.h"
#include "storage/userstore.h"

#include <QCoreApplication>
#include <QFile>
#include <QThread>

#include <cstdio>

using namespace heliodesk;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 5) {
        std::fprintf(stderr, "usage: quota_worker DB-LOCATION USERNAME ATTEMPTS STARTFILE\n");
        return 2;
    }
    auto location = DatabaseLocation::parse(args[1]);
    if (!location) {
        std::fprintf(stderr, "location: %s\n", qPrintable(location.error().toLogString()));
        return 1;
    }
    DatabaseOptions options;
    options.busyTimeout = std::chrono::seconds(30); // exactness is under test here, not patience
    auto database = Database::open(*location, options);
    if (!database) {
        std::fprintf(stderr, "open: %s\n", qPrintable(database.error().toLogString()));
        return 1;
    }
    auto db = (*database)->connection();
    if (!db) {
        std::fprintf(stderr, "connection: %s\n", qPrintable(db.error().toLogString()));
        return 1;
    }
    auto user = UserStore::findByName(*db, args[2]);
    if (!user || !*user) {
        std::fprintf(stderr, "no user %s\n", qPrintable(args[2]));
        return 1;
    }
    const int attempts = args[3].toInt();
    // The same instant in every process, so no run can straddle a month boundary.
    auto clock = std::make_shared<test::FakeClock>();
    QuotaService quotas(*database, clock);

    // Connected and ready: the test starts every process's attempts only when all have said so.
    std::printf("ready\n");
    std::fflush(stdout);
    while (!QFile::exists(args[4]))
        QThread::usleep(200); // a start line, so that all processes contend at once

    int ok = 0;
    int limit = 0;
    for (int i = 0; i < attempts; ++i) {
        auto r = quotas.reserve(Actor::user(**user), QStringLiteral("om"));
        if (r) {
            ++ok;
            std::printf("used %d\n", r->used);
        } else if (r.error().code() == ErrorCode::QuotaExceeded) {
            ++limit;
            std::printf("message %s\n", qPrintable(r.error().message()));
        } else {
            std::printf("error %s\n", qPrintable(r.error().toLogString()));
        }
    }
    std::printf("ok %d\nlimit %d\n", ok, limit);
    return 0;
}
