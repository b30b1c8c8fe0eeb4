// heliodeskctl's arguments, all the way to SQL: each input runs one command on a fresh copy of a
// seeded SQLite database. The input's first line is what standard input holds (a password), every
// further line one argument. Whatever the words, the command ends with one of the documented exit
// codes, and a failure is a typed refusal, never a database error or a bug (with HELIODESK_DEBUG
// set, heliodeskctl prints the code of every error that has technical detail).
//
// Commands that reach outside the database are not run: ask (a model server), provider (the
// keychain and the settings file), kb import (reads the files named), db backup and export -o
// (write the files named). --db is always the fuzzer's.

#include "fuzzcheck.h"

#include "app/ctlcommands.h"
#include "storage/conversationstore.h"
#include "storage/database.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTextStream>

#include <tuple>

using namespace heliodesk;

namespace {

struct Fixture {
    QTemporaryDir dir;
    QString seeded;
    QString work;
};

Fixture *fixture = nullptr;

int runCtl(const QString &database, const QStringList &arguments, const QString &standardInput, QString *errors = nullptr)
{
    QString outText;
    QString errText;
    QString inText = standardInput;
    QTextStream out(&outText);
    QTextStream err(&errText);
    QTextStream in(&inText);
    CtlCommands commands(out, err, in);
    const int code = commands.run(QStringList{QStringLiteral("heliodeskctl"), QStringLiteral("--db"), database} + arguments);
    out.flush();
    err.flush();
    if (errors)
        *errors = errText;
    return code;
}

void seed(const QStringList &arguments, const QString &standardInput = {})
{
    QString errors;
    const int code = runCtl(fixture->seeded, arguments, standardInput, &errors);
    FUZZ_CHECK(code == ExitSuccess, arguments.join(u' ') + u": " + errors);
}

/// Users, plans, hired agents and a conversation with answers: something for every command to find.
void setUp()
{
    fixture = new Fixture; // lives as long as the process
    FUZZ_CHECK(fixture->dir.isValid(), QStringLiteral("no temporary folder"));
    fixture->seeded = fixture->dir.filePath(QStringLiteral("seeded.sqlite"));
    fixture->work = fixture->dir.filePath(QStringLiteral("work.sqlite"));
    const QString password = QStringLiteral("correct horse battery staple\n");
    seed({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root"), QStringLiteral("--role"), QStringLiteral("admin"),
          QStringLiteral("--password-stdin")},
         password);
    seed({QStringLiteral("plan"), QStringLiteral("add"), QStringLiteral("basic"), QStringLiteral("--limit"), QStringLiteral("5"),
          QStringLiteral("--agents"), QStringLiteral("om,market")});
    seed({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"), QStringLiteral("--role"), QStringLiteral("analyst"),
          QStringLiteral("--plan"), QStringLiteral("basic"), QStringLiteral("--password-stdin")},
         password);
    seed({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("bob"), QStringLiteral("--role"), QStringLiteral("analyst"),
          QStringLiteral("--quota"), QStringLiteral("0"), QStringLiteral("--password-stdin")},
         password);
    seed({QStringLiteral("hire"), QStringLiteral("--user"), QStringLiteral("alice"), QStringLiteral("om"), QStringLiteral("market")});

    auto database = Database::open(DatabaseLocation::sqliteFile(fixture->seeded));
    FUZZ_CHECK(bool(database), database.error().toLogString());
    auto db = (*database)->connection();
    FUZZ_CHECK(bool(db), db.error().toLogString());
    // alice is user 2 (root was first).
    auto conversation = ConversationStore::createConversation(*db, 2, QStringLiteral("om"), QStringLiteral("Transformer oil # tests"), 1000);
    FUZZ_CHECK(bool(conversation), conversation.error().toLogString());
    for (const auto &[role, text, status] : {std::tuple{MessageRole::User, QStringLiteral("What does DGA tell us?"), MessageStatus::Complete},
                                              std::tuple{MessageRole::Assistant, QStringLiteral("**Dissolved gas** analysis…\n```\nH2 100\n```"),
                                                         MessageStatus::Complete},
                                              std::tuple{MessageRole::Assistant, QStringLiteral("Half an ans"), MessageStatus::Interrupted}}) {
        auto message = ConversationStore::insertMessage(*db, *conversation, role, text, status, std::nullopt, 2000);
        FUZZ_CHECK(bool(message), message.error().toLogString());
    }
}

bool startsWithAny(const QString &text, std::initializer_list<const char16_t *> prefixes)
{
    for (const char16_t *prefix : prefixes) {
        if (text.startsWith(QStringView(prefix)))
            return true;
    }
    return false;
}

/// True for commands that would reach outside the database (see the top of the file).
bool reachesOutside(const QStringList &arguments)
{
    qsizetype at = 0;
    while (at < arguments.size() && arguments.at(at).startsWith(u'-'))
        ++at;
    if (at == arguments.size())
        return false;
    const QString &command = arguments.at(at);
    const QString next = arguments.value(at + 1);
    if (command == u"ask" || command == u"provider" || command == u"kb" || (command == u"db" && next == u"backup"))
        return true;
    if (command == u"export") {
        for (qsizetype i = at + 1; i < arguments.size(); ++i) {
            if (startsWithAny(arguments.at(i), {u"-o", u"--o"}))
                return true;
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // Never destroyed: at exit, its clean-up would close SQL connections after Qt Sql's own
    // statics are gone.
    static auto *app = new QCoreApplication(*argc, *argv);
    Q_UNUSED(app)
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\n*.info=false\n*.warning=false"));
    qputenv("HELIODESK_DEBUG", "1");
    qunsetenv("HELIODESK_DB");
    setUp();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    if (input.contains('\0') || input.size() > 4096)
        return 0; // program arguments cannot hold NUL bytes
    const QString text = QString::fromUtf8(input);
    QStringList lines = text.split(u'\n');
    const QString standardInput = lines.takeFirst() + u'\n';
    QStringList arguments;
    for (const QString &line : std::as_const(lines)) {
        if (!line.startsWith(u"--db"))
            arguments << line;
    }
    if (arguments.size() > 64 || reachesOutside(arguments))
        return 0;

    QFile::remove(fixture->work);
    FUZZ_CHECK(QFile::copy(fixture->seeded, fixture->work), QStringLiteral("cannot copy the seeded database"));
    QString errors;
    const int code = runCtl(fixture->work, arguments, standardInput, &errors);
    FUZZ_CHECK(code == ExitSuccess || code == ExitFailure || code == ExitUsage || code == ExitQuotaExceeded
                   || code == ExitNotFoundOrNotAllowed,
               u"exit code " + QString::number(code) + u" for " + arguments.join(u' '));
    // "message [code: detail]": a code the input itself spelled out proves nothing.
    static const char16_t *const forbidden[] = {u" [internal: ", u" [database-busy: ", u" [database-read-only: ", u" [disk-full: ",
                                                u" [not-a-database: ", u" [database-corrupt: ", u" [cannot-open: ",
                                                u" [constraint-violated: ", u" [connection-lost: ", u" [io: "};
    for (const char16_t *marker : forbidden) {
        if (!text.contains(QStringView(marker)))
            FUZZ_CHECK(!errors.contains(QStringView(marker)), arguments.join(u" \u00b6 ") + u"\n  " + errors);
    }
    return 0;
}
