#include "ctlcommands.h"

#include "model/databasesettings.h"

#include "model/accountservice.h"
#include "model/admin/healthservice.h"
#include "model/agents/agentsetup.h"
#include "model/agents/apikeystore.h"
#include "model/chat/chatservice.h"
#include "model/planservice.h"
#include "model/quotaservice.h"

#include "model/chat/conversationexport.h"
#include "model/planservice.h"

#include "storage/auditstore.h"
#include "storage/conversationstore.h"
#include "storage/userstore.h"
#include "storage/maintenance.h"
#include "storage/transaction.h"

#include <heliodesk/version.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <functional>

#ifdef Q_OS_WIN
#include <qt_windows.h>
#else
#include <csignal>
#include <unistd.h>
#endif

namespace heliodesk {

namespace {

Q_LOGGING_CATEGORY(lcCtlProvider, "heliodesk.ctl.provider", QtInfoMsg)

int exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::QuotaExceeded:
        return ExitQuotaExceeded;
    case ErrorCode::NotFound:
    case ErrorCode::NotAllowed:
        return ExitNotFoundOrNotAllowed;
    case ErrorCode::InvalidInput:
        return ExitUsage;
    case ErrorCode::ProviderUnreachable:
    case ErrorCode::ProviderUnauthorized:
    case ErrorCode::ProviderModelNotFound:
    case ErrorCode::ProviderRateLimited:
    case ErrorCode::ProviderUnavailable:
    case ErrorCode::ProviderTimeout:
    case ErrorCode::ProviderProtocol:
    case ErrorCode::ProviderError:
        return ExitProviderError;
    default:
        return ExitFailure;
    }
}

QString limitText(const std::optional<int> &limit)
{
    return limit ? QString::number(*limit) : QStringLiteral("unlimited");
}

QJsonValue limitJson(const std::optional<int> &limit)
{
    return limit ? QJsonValue(*limit) : QJsonValue(QJsonValue::Null);
}

QString timeText(const std::optional<qint64> &ms)
{
    if (!ms)
        return QStringLiteral("never");
    return QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toString(Qt::ISODate);
}

QJsonValue timeJson(const std::optional<qint64> &ms)
{
    return ms ? QJsonValue(QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

/// Formats rows as left-aligned columns under a header.
QString table(const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : header)
        widths << h.size();
    for (const QStringList &row : rows)
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    QString text;
    const auto line = [&](const QStringList &cells) {
        QStringList padded;
        for (qsizetype i = 0; i < cells.size(); ++i)
            padded << (i + 1 < cells.size() ? cells[i].leftJustified(widths[i]) : cells[i]);
        text += padded.join(QStringLiteral("  ")) + u'\n';
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
    return text;
}

/// The options of one subcommand, parsed from its arguments.
class SubcommandParser
{
public:
    SubcommandParser(const QString &command, const QList<QCommandLineOption> &options)
        : m_command(command)
    {
        m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        m_parser.addOptions(options);
    }

    /// Empty on success, else the usage problem.
    QString parse(const QStringList &args, int minPositional, int maxPositional, const QString &positionalName = {})
    {
        if (!m_parser.parse(QStringList{m_command} + args))
            return m_parser.errorText();
        const int n = int(m_parser.positionalArguments().size());
        if (n < minPositional)
            return QStringLiteral("“%1” needs %2.").arg(m_command, positionalName);
        if (n > maxPositional)
            return QStringLiteral("“%1” got unexpected words: %2")
                .arg(m_command, m_parser.positionalArguments().mid(maxPositional).join(u' '));
        return {};
    }

    [[nodiscard]] bool isSet(const QString &name) const { return m_parser.isSet(name); }
    [[nodiscard]] QString value(const QString &name) const { return m_parser.value(name); }
    [[nodiscard]] QString positional(int i) const { return m_parser.positionalArguments().value(i); }

private:
    QString m_command;
    QCommandLineParser m_parser;
};

QCommandLineOption jsonOption()
{
    return QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print JSON."));
}

QCommandLineOption passwordStdinOption()
{
    return QCommandLineOption(QStringLiteral("password-stdin"), QStringLiteral("Read the password from the first line of standard input."));
}

std::optional<int> parseCount(const QString &text)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 0)
        return std::nullopt;
    return n;
}

} // namespace

CtlCommands::CtlCommands(QTextStream &out, QTextStream &err, QTextStream &in)
    : m_out(out)
    , m_err(err)
    , m_in(in)
{
    QString osUser = qEnvironmentVariable("USER");
    if (osUser.isEmpty())
        osUser = qEnvironmentVariable("USERNAME");
    m_actor = Actor::system(osUser.isEmpty() ? QStringLiteral("heliodeskctl") : QStringLiteral("heliodeskctl (%1)").arg(osUser));
}

CtlCommands::~CtlCommands() = default;

QString CtlCommands::helpText()
{
    return QStringLiteral(
        "Usage: heliodeskctl [--db LOCATION] COMMAND [OPTIONS]\n"
        "\n"
        "Administers a Heliodesk database from the command line. LOCATION is a SQLite file\n"
        "or a team database, postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=…].\n"
        "Without --db: HELIODESK_DB, else the database chosen in the app's Settings, else the\n"
        "app's default file. A PostgreSQL password missing from the URL comes from PGPASSFILE\n"
        "(~/.pgpass) or PGPASSWORD.\n"
        "\n"
        "Users:\n"
        "  user add NAME --role admin|analyst [--plan PLAN] [--quota N | --unlimited]\n"
        "           [--display-name TEXT] --password-stdin\n"
        "  user list [--json]                  every user with used and limit this month\n"
        "  user set NAME [--role R] [--plan P] [--quota N | --unlimited | --plan-quota]\n"
        "           [--disable | --enable]\n"
        "  user passwd NAME --password-stdin   set a new password (also lifts a lockout)\n"
        "  user delete NAME --yes              delete the user and all their data at once;\n"
        "                                      without --yes, shows what would be removed\n"
        "Plans:\n"
        "  plan list [--json]\n"
        "  plan add NAME (--limit N | --unlimited) [--agents ID,ID...]\n"
        "  plan set NAME [--limit N | --unlimited] [--agents ID,ID...] [--rename NEW]\n"
        "Usage and audit:\n"
        "  usage [--user NAME] [--json]        this month's queries by user and agent\n"
        "  usage reconcile [--json]            compare each counter with the ledger\n"
        "  audit [--limit N] [--action ACTION] [--json]\n"
        "Agents and conversations:\n"
        "  ask --user NAME (--agent ID [--new] | --conversation ID) [--password-stdin] QUESTION\n"
        "                                      stream an answer to standard output; Ctrl-C stops it\n"
        "                                      and keeps what arrived. Without --password-stdin it\n"
        "                                      acts as NAME on the database you own (automation)\n"
        "  agents [--json]                     the agents and whether they are switched on\n"
        "  hire --user NAME AGENT...           hire agents for a user (release: the reverse)\n"
        "  release --user NAME AGENT...\n"
        "  conversations --user NAME [--json]\n"
        "  show CONVERSATION [--json]          every message with role, status, text and error\n"
        "  export CONVERSATION --format md|json [-o FILE]\n"
        "  kb import --agent ID FILE...        add Markdown, text or HTML files to the offline\n"
        "                                      knowledge base of an agent\n"
        "  provider set --base-url URL --model MODEL [--api-key-stdin]\n"
        "                                      answer from an OpenAI-compatible endpoint; with\n"
        "                                      --api-key-stdin the API key (first line of standard\n"
        "                                      input) is kept in the OS keychain, never in a file.\n"
        "                                      HELIODESK_API_KEY wins over the keychain (and\n"
        "                                      HELIODESK_API_BASE, HELIODESK_MODEL over the settings)\n"
        "  provider show                       the endpoint, and where its API key comes from:\n"
        "                                      environment, keychain or none\n"
        "  provider clear                      back to offline answers; forgets the endpoint's key\n"
        "                                      in the keychain too\n"
        "Database:\n"
        "  db check                            integrity and foreign-key check\n"
        "  db backup FILE                      consistent copy, safe while others write (of a\n"
        "                                      PostgreSQL database: a new SQLite file, verified)\n"
        "  db migrate-to TARGET [--json]       copy the whole database into TARGET, a new or empty\n"
        "                                      database: a postgresql:// URL (team mode) or a SQLite\n"
        "                                      file. One transaction; every table's row count and\n"
        "                                      checksum compared; the source is left unchanged\n"
        "\n"
        "  --version                           print the version\n"
        "  --help                              print this help\n"
        "\n"
        "Exit codes: 0 success, 1 failure, 2 usage error, 3 quota exceeded,\n"
        "4 not found or not allowed, 5 the model endpoint failed (ask), 130 cancelled (ask).\n"
        "Errors are printed to standard error.\n");
}

int CtlCommands::run(const QStringList &arguments)
{
    QStringList words;
    QStringList rest;
    bool commandStarted = false;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (!commandStarted) {
            if (arg == u"--help" || arg == u"-h") {
                m_out << helpText();
                return ExitSuccess;
            }
            if (arg == u"--version" || arg == u"-v") {
                m_out << "heliodeskctl " << HELIODESK_VERSION << '\n';
                return ExitSuccess;
            }
            if (arg == u"--db") {
                if (i + 1 >= arguments.size())
                    return usageError(QStringLiteral("--db needs a location."));
                m_dbArgument = arguments.at(++i);
                continue;
            }
            if (arg.startsWith(u"--db=")) {
                m_dbArgument = arg.mid(5);
                continue;
            }
            if (arg.startsWith(u'-'))
                return usageError(QStringLiteral("Unknown option %1.").arg(arg));
            commandStarted = true;
        }
        // The command is one or two words ("usage", "user add"); what follows belongs to it.
        if (words.isEmpty() || (words.size() == 1 && rest.isEmpty() && !arg.startsWith(u'-')
                                && (words.first() == u"user" || words.first() == u"plan" || words.first() == u"db"
                                    || words.first() == u"kb" || words.first() == u"provider"
                                    || (words.first() == u"usage" && arg == u"reconcile"))))
            words << arg;
        else
            rest << arg;
    }
    if (words.isEmpty()) {
        m_err << helpText();
        return ExitUsage;
    }
    m_command = words.join(u' ');
    return dispatch(words, rest);
}

int CtlCommands::dispatch(const QStringList &words, const QStringList &rest)
{
    using Handler = int (CtlCommands::*)(const QStringList &);
    static const QList<std::pair<QString, Handler>> commands = {
        {QStringLiteral("user add"), &CtlCommands::userAdd},
        {QStringLiteral("user list"), &CtlCommands::userList},
        {QStringLiteral("user set"), &CtlCommands::userSet},
        {QStringLiteral("user passwd"), &CtlCommands::userPasswd},
        {QStringLiteral("user delete"), &CtlCommands::userDelete},
        {QStringLiteral("plan list"), &CtlCommands::planList},
        {QStringLiteral("plan add"), &CtlCommands::planAdd},
        {QStringLiteral("plan set"), &CtlCommands::planSet},
        {QStringLiteral("usage"), &CtlCommands::usage},
        {QStringLiteral("usage reconcile"), &CtlCommands::usageReconcile},
        {QStringLiteral("db check"), &CtlCommands::dbCheck},
        {QStringLiteral("db backup"), &CtlCommands::dbBackup},
        {QStringLiteral("db migrate-to"), &CtlCommands::dbMigrateTo},
        {QStringLiteral("audit"), &CtlCommands::auditList},
        {QStringLiteral("ask"), &CtlCommands::ask},
        {QStringLiteral("agents"), &CtlCommands::agentList},
        {QStringLiteral("hire"), &CtlCommands::hire},
        {QStringLiteral("release"), &CtlCommands::release},
        {QStringLiteral("conversations"), &CtlCommands::conversationList},
        {QStringLiteral("show"), &CtlCommands::show},
        {QStringLiteral("export"), &CtlCommands::exportConversation},
        {QStringLiteral("kb import"), &CtlCommands::kbImport},
        {QStringLiteral("provider set"), &CtlCommands::providerSet},
        {QStringLiteral("provider show"), &CtlCommands::providerShow},
        {QStringLiteral("provider clear"), &CtlCommands::providerClear},
    };
    const QString name = words.join(u' ');
    for (const auto &[command, handler] : commands)
        if (command == name)
            return (this->*handler)(rest);
    return usageError(QStringLiteral("Unknown command “%1”. Run heliodeskctl --help to see the commands.").arg(name));
}

int CtlCommands::openDatabase(bool mustExist)
{
    auto choice = DatabaseSettings().resolve(m_dbArgument);
    auto location = choice.map([](const DatabaseChoice &c) { return c.location; });
    if (!location)
        return report(location.error());
    if (mustExist && location->engine() == DatabaseLocation::Engine::Sqlite && !QFileInfo::exists(location->sqlitePath()))
        return report(Error(ErrorCode::NotFound, QStringLiteral("There is no database at %1.").arg(location->displayName())));
    DatabaseOptions options;
    options.migrate = !mustExist; // inspecting a file never changes its schema
    auto database = Database::open(*location, options);
    if (!database)
        return report(database.error());
    m_database = *database;
    return ExitSuccess;
}

std::optional<QString> CtlCommands::readPasswordFromStdin()
{
    QString line = m_in.readLine();
    if (line.isNull()) {
        usageError(QStringLiteral("No password arrived on standard input."));
        return std::nullopt;
    }
    if (line.endsWith(u'\r'))
        line.chop(1);
    return line;
}

int CtlCommands::report(const Error &error)
{
    m_err << "heliodeskctl: " << error.message() << '\n';
    m_err.flush();
    if (qEnvironmentVariableIsSet("HELIODESK_DEBUG"))
        m_err << "  detail: " << error.toLogString() << '\n';
    return exitCodeFor(error.code());
}

int CtlCommands::usageError(const QString &message)
{
    m_err << "heliodeskctl: " << message << '\n';
    m_err.flush();
    return ExitUsage;
}

int CtlCommands::userAdd(const QStringList &args)
{
    SubcommandParser p(m_command, {
        {QStringLiteral("role"), QStringLiteral("admin or analyst"), QStringLiteral("role")},
        {QStringLiteral("plan"), QStringLiteral("Plan name."), QStringLiteral("plan")},
        {QStringLiteral("quota"), QStringLiteral("Monthly limit of the user's own."), QStringLiteral("n")},
        {QStringLiteral("unlimited"), QStringLiteral("No monthly limit.")},
        {QStringLiteral("display-name"), QStringLiteral("Name shown in the app."), QStringLiteral("text")},
        passwordStdinOption(),
    });
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a user name")); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("role")))
        return usageError(QStringLiteral("Give --role admin or --role analyst."));
    const auto role = roleFromString(p.value(QStringLiteral("role")));
    if (!role)
        return usageError(QStringLiteral("The role must be admin or analyst, not “%1”.").arg(p.value(QStringLiteral("role"))));
    if (!p.isSet(QStringLiteral("password-stdin")))
        return usageError(QStringLiteral("Give --password-stdin and type the password on standard input "
                                         "(passwords are never taken from the command line)."));
    if (p.isSet(QStringLiteral("quota")) && p.isSet(QStringLiteral("unlimited")))
        return usageError(QStringLiteral("Give either --quota or --unlimited, not both."));
    NewUser request;
    request.username = p.positional(0);
    request.role = *role;
    request.planName = p.value(QStringLiteral("plan"));
    request.displayName = p.value(QStringLiteral("display-name"));
    request.unlimited = p.isSet(QStringLiteral("unlimited"));
    if (p.isSet(QStringLiteral("quota"))) {
        request.quotaLimit = parseCount(p.value(QStringLiteral("quota")));
        if (!request.quotaLimit)
            return usageError(QStringLiteral("--quota needs a whole number of 0 or more."));
    }
    const auto password = readPasswordFromStdin();
    if (!password)
        return ExitUsage;
    request.password = *password;
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    AccountService accounts(m_database, m_clock);
    auto created = accounts.createUser(m_actor, request);
    if (!created)
        return report(created.error());
    m_out << "Created " << nameOf(created->role) << ' ' << created->username << " on plan " << created->planName
          << " (limit " << limitText(created->effectiveLimit) << " queries a month).\n";
    if (created->role != request.role)
        m_out << "This is the first account, so it is an administrator.\n";
    return ExitSuccess;
}

int CtlCommands::userList(const QStringList &args)
{
    SubcommandParser p(m_command, {jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    AccountService accounts(m_database, m_clock);
    auto users = accounts.listUsers(m_actor);
    if (!users)
        return report(users.error());
    const QString period = quotaPeriodOf(m_clock->nowUtc());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const UserRecord &u : std::as_const(*users))
            array.append(QJsonObject{{QStringLiteral("username"), u.username},
                                     {QStringLiteral("display_name"), u.displayName},
                                     {QStringLiteral("role"), nameOf(u.role)},
                                     {QStringLiteral("status"), nameOf(u.status)},
                                     {QStringLiteral("plan"), u.planName},
                                     {QStringLiteral("quota_mode"), nameOf(u.quotaMode)},
                                     {QStringLiteral("used"), u.usedIn(period)},
                                     {QStringLiteral("limit"), limitJson(u.effectiveLimit)},
                                     {QStringLiteral("period"), period},
                                     {QStringLiteral("created_at"), timeJson(u.createdAtMs)},
                                     {QStringLiteral("last_sign_in_at"), timeJson(u.lastSignInAtMs)}});
        m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return ExitSuccess;
    }
    QList<QStringList> rows;
    for (const UserRecord &u : std::as_const(*users))
        rows << QStringList{u.username, nameOf(u.role), nameOf(u.status), u.planName, QString::number(u.usedIn(period)),
                            limitText(u.effectiveLimit), timeText(u.lastSignInAtMs)};
    m_out << table({QStringLiteral("USERNAME"), QStringLiteral("ROLE"), QStringLiteral("STATUS"), QStringLiteral("PLAN"),
                    QStringLiteral("USED"), QStringLiteral("LIMIT"), QStringLiteral("LAST SIGN-IN")},
                   rows);
    return ExitSuccess;
}

int CtlCommands::userSet(const QStringList &args)
{
    SubcommandParser p(m_command, {
        {QStringLiteral("role"), QStringLiteral("admin or analyst"), QStringLiteral("role")},
        {QStringLiteral("plan"), QStringLiteral("Plan name."), QStringLiteral("plan")},
        {QStringLiteral("quota"), QStringLiteral("Monthly limit of the user's own."), QStringLiteral("n")},
        {QStringLiteral("unlimited"), QStringLiteral("No monthly limit.")},
        {QStringLiteral("plan-quota"), QStringLiteral("Use the plan's limit again.")},
        {QStringLiteral("disable"), QStringLiteral("Disable the account.")},
        {QStringLiteral("enable"), QStringLiteral("Enable the account.")},
    });
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a user name")); !problem.isEmpty())
        return usageError(problem);
    UserChanges changes;
    if (p.isSet(QStringLiteral("role"))) {
        changes.role = roleFromString(p.value(QStringLiteral("role")));
        if (!changes.role)
            return usageError(QStringLiteral("The role must be admin or analyst, not “%1”.").arg(p.value(QStringLiteral("role"))));
    }
    if (p.isSet(QStringLiteral("plan")))
        changes.planName = p.value(QStringLiteral("plan"));
    const int quotaChoices = int(p.isSet(QStringLiteral("quota"))) + int(p.isSet(QStringLiteral("unlimited")))
        + int(p.isSet(QStringLiteral("plan-quota")));
    if (quotaChoices > 1)
        return usageError(QStringLiteral("Give only one of --quota, --unlimited and --plan-quota."));
    if (p.isSet(QStringLiteral("quota"))) {
        changes.quotaLimit = parseCount(p.value(QStringLiteral("quota")));
        if (!changes.quotaLimit)
            return usageError(QStringLiteral("--quota needs a whole number of 0 or more."));
        changes.quotaMode = QuotaMode::Limit;
    } else if (p.isSet(QStringLiteral("unlimited"))) {
        changes.quotaMode = QuotaMode::Unlimited;
    } else if (p.isSet(QStringLiteral("plan-quota"))) {
        changes.quotaMode = QuotaMode::Plan;
    }
    if (p.isSet(QStringLiteral("disable")) && p.isSet(QStringLiteral("enable")))
        return usageError(QStringLiteral("Give either --disable or --enable, not both."));
    if (p.isSet(QStringLiteral("disable")))
        changes.status = UserStatus::Disabled;
    if (p.isSet(QStringLiteral("enable")))
        changes.status = UserStatus::Active;
    if (!changes.role && !changes.planName && !changes.quotaMode && !changes.status)
        return usageError(QStringLiteral("Nothing to change: give --role, --plan, --quota, --unlimited, --plan-quota, --disable or --enable."));
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    AccountService accounts(m_database, m_clock);
    auto updated = accounts.updateUser(m_actor, p.positional(0), changes);
    if (!updated)
        return report(updated.error());
    m_out << "Updated " << updated->username << ": " << nameOf(updated->role) << ", " << nameOf(updated->status) << ", plan "
          << updated->planName << ", limit " << limitText(updated->effectiveLimit) << ".\n";
    return ExitSuccess;
}

int CtlCommands::userPasswd(const QStringList &args)
{
    SubcommandParser p(m_command, {passwordStdinOption()});
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a user name")); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("password-stdin")))
        return usageError(QStringLiteral("Give --password-stdin and type the new password on standard input."));
    const auto password = readPasswordFromStdin();
    if (!password)
        return ExitUsage;
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    AccountService accounts(m_database, m_clock);
    if (auto reset = accounts.resetPassword(m_actor, p.positional(0), *password); !reset)
        return report(reset.error());
    m_out << "Password of " << AccountService::normalizeUsername(p.positional(0)) << " changed.\n";
    return ExitSuccess;
}

int CtlCommands::userDelete(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("yes"), QStringLiteral("Really delete.")}});
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a user name")); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    AccountService accounts(m_database, m_clock);
    const QString name = p.positional(0);
    if (!p.isSet(QStringLiteral("yes"))) {
        auto preview = accounts.previewDeletion(m_actor, name);
        if (!preview)
            return report(preview.error());
        m_err << "heliodeskctl: deleting " << AccountService::normalizeUsername(name) << " would remove "
              << DeletionReport{name, *preview}.summary() << ". Add --yes to delete.\n";
        return ExitUsage;
    }
    auto deleted = accounts.deleteUser(m_actor, name);
    if (!deleted)
        return report(deleted.error());
    m_out << "Deleted " << deleted->username << ": " << deleted->summary() << ".\n";
    return ExitSuccess;
}

int CtlCommands::planList(const QStringList &args)
{
    SubcommandParser p(m_command, {jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    PlanService plans(m_database, m_clock);
    auto list = plans.listPlans();
    if (!list)
        return report(list.error());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const PlanRecord &plan : std::as_const(*list))
            array.append(QJsonObject{{QStringLiteral("name"), plan.name},
                                     {QStringLiteral("monthly_limit"), limitJson(plan.monthlyLimit)},
                                     {QStringLiteral("default"), plan.isDefault},
                                     {QStringLiteral("agents"), QJsonArray::fromStringList(plan.agentIds)},
                                     {QStringLiteral("users"), plan.userCount}});
        m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return ExitSuccess;
    }
    QList<QStringList> rows;
    for (const PlanRecord &plan : std::as_const(*list))
        rows << QStringList{plan.name + (plan.isDefault ? QStringLiteral(" (default)") : QString()), limitText(plan.monthlyLimit),
                            QString::number(plan.userCount), plan.agentIds.join(u',')};
    m_out << table({QStringLiteral("PLAN"), QStringLiteral("LIMIT"), QStringLiteral("USERS"), QStringLiteral("AGENTS")}, rows);
    return ExitSuccess;
}

namespace {
QList<QCommandLineOption> planOptions()
{
    return {
        {QStringLiteral("limit"), QStringLiteral("Monthly query limit."), QStringLiteral("n")},
        {QStringLiteral("unlimited"), QStringLiteral("No monthly limit.")},
        {QStringLiteral("agents"), QStringLiteral("Comma-separated agent ids."), QStringLiteral("ids")},
    };
}
QStringList splitAgents(const QString &text)
{
    QStringList ids;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        ids << part.trimmed();
    return ids;
}
} // namespace

int CtlCommands::planAdd(const QStringList &args)
{
    SubcommandParser p(m_command, planOptions());
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a plan name")); !problem.isEmpty())
        return usageError(problem);
    if (p.isSet(QStringLiteral("limit")) == p.isSet(QStringLiteral("unlimited")))
        return usageError(QStringLiteral("Give either --limit N or --unlimited."));
    std::optional<int> limit;
    if (p.isSet(QStringLiteral("limit"))) {
        limit = parseCount(p.value(QStringLiteral("limit")));
        if (!limit)
            return usageError(QStringLiteral("--limit needs a whole number of 0 or more."));
    }
    if (p.isSet(QStringLiteral("agents")) && splitAgents(p.value(QStringLiteral("agents"))).isEmpty())
        return usageError(QStringLiteral("--agents needs at least one agent id."));
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    PlanService plans(m_database, m_clock);
    auto plan = plans.addPlan(m_actor, p.positional(0), limit, splitAgents(p.value(QStringLiteral("agents"))));
    if (!plan)
        return report(plan.error());
    m_out << "Created plan " << plan->name << " (limit " << limitText(plan->monthlyLimit) << ", agents "
          << plan->agentIds.join(u',') << ").\n";
    return ExitSuccess;
}

int CtlCommands::planSet(const QStringList &args)
{
    auto options = planOptions();
    options << QCommandLineOption(QStringLiteral("rename"), QStringLiteral("New name."), QStringLiteral("name"));
    SubcommandParser p(m_command, options);
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a plan name")); !problem.isEmpty())
        return usageError(problem);
    if (p.isSet(QStringLiteral("limit")) && p.isSet(QStringLiteral("unlimited")))
        return usageError(QStringLiteral("Give either --limit N or --unlimited, not both."));
    PlanChanges changes;
    if (p.isSet(QStringLiteral("limit"))) {
        const auto limit = parseCount(p.value(QStringLiteral("limit")));
        if (!limit)
            return usageError(QStringLiteral("--limit needs a whole number of 0 or more."));
        changes.monthlyLimit = std::optional<int>(*limit);
    } else if (p.isSet(QStringLiteral("unlimited"))) {
        changes.monthlyLimit = std::optional<int>();
    }
    if (p.isSet(QStringLiteral("agents"))) {
        changes.agentIds = splitAgents(p.value(QStringLiteral("agents")));
        if (changes.agentIds->isEmpty())
            return usageError(QStringLiteral("--agents needs at least one agent id."));
    }
    if (p.isSet(QStringLiteral("rename")))
        changes.newName = p.value(QStringLiteral("rename"));
    if (!changes.monthlyLimit && !changes.agentIds && !changes.newName)
        return usageError(QStringLiteral("Nothing to change: give --limit, --unlimited, --agents or --rename."));
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    PlanService plans(m_database, m_clock);
    auto plan = plans.updatePlan(m_actor, p.positional(0), changes);
    if (!plan)
        return report(plan.error());
    m_out << "Updated plan " << plan->name << " (limit " << limitText(plan->monthlyLimit) << ", agents "
          << plan->agentIds.join(u',') << ").\n";
    return ExitSuccess;
}

int CtlCommands::usage(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("user"), QStringLiteral("Only this user."), QStringLiteral("name")}, jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    QuotaService quotas(m_database, m_clock);
    auto rows = quotas.usage(m_actor, p.value(QStringLiteral("user")));
    if (!rows)
        return report(rows.error());
    const QString period = quotas.currentPeriod();
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const UsageRow &r : std::as_const(*rows))
            array.append(QJsonObject{{QStringLiteral("username"), r.username},
                                     {QStringLiteral("agent"), r.agentId},
                                     {QStringLiteral("total"), r.total()},
                                     {QStringLiteral("complete"), r.complete},
                                     {QStringLiteral("failed"), r.failed},
                                     {QStringLiteral("cancelled"), r.cancelled},
                                     {QStringLiteral("unfinished"), r.reserved}});
        m_out << QJsonDocument(QJsonObject{{QStringLiteral("period"), period}, {QStringLiteral("rows"), array}}).toJson();
        return ExitSuccess;
    }
    m_out << "Queries in " << period << " (UTC):\n";
    QList<QStringList> lines;
    for (const UsageRow &r : std::as_const(*rows))
        lines << QStringList{r.username, r.agentId, QString::number(r.total()), QString::number(r.complete),
                             QString::number(r.failed), QString::number(r.cancelled), QString::number(r.reserved)};
    m_out << table({QStringLiteral("USERNAME"), QStringLiteral("AGENT"), QStringLiteral("TOTAL"), QStringLiteral("COMPLETE"),
                    QStringLiteral("FAILED"), QStringLiteral("CANCELLED"), QStringLiteral("UNFINISHED")},
                   lines);
    return ExitSuccess;
}

int CtlCommands::usageReconcile(const QStringList &args)
{
    SubcommandParser p(m_command, {jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    QuotaService quotas(m_database, m_clock);
    auto rows = quotas.reconcile(m_actor);
    if (!rows)
        return report(rows.error());
    const auto mismatches = std::count_if(rows->cbegin(), rows->cend(), [](const ReconciliationRow &r) { return !r.matches(); });
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const ReconciliationRow &r : std::as_const(*rows))
            array.append(QJsonObject{{QStringLiteral("username"), r.username},
                                     {QStringLiteral("counter"), r.counter},
                                     {QStringLiteral("ledger"), r.ledger},
                                     {QStringLiteral("reset"), r.reset},
                                     {QStringLiteral("matches"), r.matches()}});
        m_out << QJsonDocument(QJsonObject{{QStringLiteral("period"), quotas.currentPeriod()}, {QStringLiteral("users"), array},
                                           {QStringLiteral("mismatches"), int(mismatches)}})
                     .toJson();
    } else {
        QList<QStringList> lines;
        for (const ReconciliationRow &r : std::as_const(*rows))
            lines << QStringList{r.username, QString::number(r.counter), QString::number(r.reset), QString::number(r.ledger),
                                 r.matches() ? QStringLiteral("ok") : QStringLiteral("MISMATCH")};
        m_out << table({QStringLiteral("USERNAME"), QStringLiteral("COUNTER"), QStringLiteral("RESET"), QStringLiteral("LEDGER"),
                        QStringLiteral("STATE")},
                       lines);
    }
    if (mismatches > 0) {
        m_err << "heliodeskctl: " << mismatches << " user(s) have a counter that differs from the ledger.\n";
        return ExitFailure;
    }
    return ExitSuccess;
}

int CtlCommands::dbCheck(const QStringList &args)
{
    SubcommandParser p(m_command, {});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(true); code != ExitSuccess)
        return code;
    auto db = m_database->connection();
    if (!db)
        return report(db.error());
    auto problems = Maintenance::check(*db);
    if (!problems)
        return report(problems.error());
    if (problems->isEmpty()) {
        m_out << "The database " << m_database->location().displayName() << " is sound.\n";
        return ExitSuccess;
    }
    for (const QString &problem : std::as_const(*problems))
        m_out << problem << '\n';
    m_err << "heliodeskctl: the database has " << problems->size() << " problem(s); restore it from a backup.\n";
    return ExitFailure;
}

int CtlCommands::dbBackup(const QStringList &args)
{
    SubcommandParser p(m_command, {});
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("the backup file name")); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(true); code != ExitSuccess)
        return code;
    // VACUUM INTO is SQLite's own; a server's database is copied table by table into a new file.
    if (m_database->dialect() == Database::Dialect::PostgreSql)
        return backupByCopy(p.positional(0));
    auto db = m_database->connection();
    if (!db)
        return report(db.error());
    if (auto done = Maintenance::backup(*db, p.positional(0)); !done)
        return report(done.error());
    const QFileInfo written(p.positional(0));
    m_out << "Backed up " << m_database->location().displayName() << " to " << written.absoluteFilePath() << ".\n";
    // The admin panel's Health tab shows the last backup, and the audit log has it. The copy is
    // made either way: a database that cannot note it (read-only, an old schema) only gets a warning.
    auto noted = [&]() -> Result<void> {
        auto txn = Transaction::begin(*db);
        if (!txn)
            return Unexpected(txn.error());
        if (auto recorded = HealthService::recordBackup(*db, m_actor, m_database->location().displayName(),
                                                        written.absoluteFilePath(), written.size(), m_clock->nowMs());
            !recorded)
            return recorded;
        return txn->commit();
    }();
    if (!noted)
        m_err << "heliodeskctl: warning: the backup was written, but it could not be noted in the database: "
              << noted.error().message() << "\n";
    return ExitSuccess;
}

int CtlCommands::auditList(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("limit"), QStringLiteral("How many entries."), QStringLiteral("n"), QStringLiteral("50")},
                                   {QStringLiteral("action"), QStringLiteral("Only this action."), QStringLiteral("action")},
                                   jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    const auto limit = parseCount(p.value(QStringLiteral("limit")));
    if (!limit)
        return usageError(QStringLiteral("--limit needs a whole number of 0 or more."));
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    auto db = m_database->connection();
    if (!db)
        return report(db.error());
    auto entries = AuditStore::list(*db, *limit, p.value(QStringLiteral("action")));
    if (!entries)
        return report(entries.error());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const AuditEntry &e : std::as_const(*entries))
            array.append(QJsonObject{{QStringLiteral("at"), timeJson(e.createdAtMs)},
                                     {QStringLiteral("actor"), e.actorName},
                                     {QStringLiteral("action"), e.action},
                                     {QStringLiteral("target_type"), e.targetType},
                                     {QStringLiteral("target"), e.targetName},
                                     {QStringLiteral("details"), QJsonDocument::fromJson(e.detailsJson.toUtf8()).object()}});
        m_out << QJsonDocument(array).toJson();
        return ExitSuccess;
    }
    QList<QStringList> lines;
    for (const AuditEntry &e : std::as_const(*entries))
        lines << QStringList{timeText(e.createdAtMs), e.actorName, e.action, e.targetName, e.detailsJson};
    m_out << table({QStringLiteral("WHEN (UTC)"), QStringLiteral("WHO"), QStringLiteral("ACTION"), QStringLiteral("ON"),
                    QStringLiteral("DETAILS")},
                   lines);
    return ExitSuccess;
}

// ---- Agents and conversations ----------------------------------------------------------------

namespace {

#ifdef Q_OS_WIN
// Windows has no signals for Ctrl-C: the console calls this on a thread of its own, which may
// post to the event loop of the one receiver watchInterrupts() set.
QObject *interruptReceiver = nullptr;
std::function<void()> *onInterruptInLoop = nullptr;

BOOL WINAPI onConsoleControl(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
        return FALSE;
    if (!interruptReceiver)
        return FALSE; // the default: end the process
    QMetaObject::invokeMethod(interruptReceiver, [] { (*onInterruptInLoop)(); }, Qt::QueuedConnection);
    return TRUE;
}
#else
int interruptPipe[2] = {-1, -1};

void onInterrupt(int)
{
    const char byte = 1;
    // Only async-signal-safe work here: the event loop reads the pipe and stops the answer.
    [[maybe_unused]] const auto written = ::write(interruptPipe[1], &byte, 1);
}
#endif

} // namespace

int CtlCommands::prepareAgents()
{
    if (m_agents)
        return ExitSuccess;
    auto setup = heliodesk::prepareAgents(m_database, m_clock);
    if (!setup)
        return report(setup.error());
    m_agents = std::make_unique<AgentSetup>(std::move(*setup));
    return ExitSuccess;
}

void CtlCommands::watchInterrupts(qint64 answerId)
{
#ifdef Q_OS_WIN
    static std::function<void()> stop;
    stop = [this, answerId] { m_chat->stop(answerId); };
    m_interrupts = std::make_unique<QObject>();
    onInterruptInLoop = &stop;
    interruptReceiver = m_interrupts.get();
    QObject::connect(m_interrupts.get(), &QObject::destroyed, [] { interruptReceiver = nullptr; });
    SetConsoleCtrlHandler(onConsoleControl, TRUE);
#else
    if (::pipe(interruptPipe) != 0)
        return; // without the pipe Ctrl-C ends the process the default way; the answer becomes interrupted
    auto notifier = std::make_unique<QSocketNotifier>(interruptPipe[0], QSocketNotifier::Read);
    QObject::connect(notifier.get(), &QSocketNotifier::activated, notifier.get(), [this, answerId] {
        char byte = 0;
        [[maybe_unused]] const auto n = ::read(interruptPipe[0], &byte, 1);
        m_chat->stop(answerId);
    });
    m_interrupts = std::move(notifier);
    struct sigaction action = {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
#endif
}

int CtlCommands::ask(const QStringList &args)
{
    SubcommandParser p(m_command, {
        {QStringLiteral("user"), QStringLiteral("Who asks."), QStringLiteral("name")},
        {QStringLiteral("agent"), QStringLiteral("Agent id for a new conversation."), QStringLiteral("id")},
        {QStringLiteral("conversation"), QStringLiteral("Continue this conversation."), QStringLiteral("id")},
        {QStringLiteral("new"), QStringLiteral("Start a new conversation (the default with --agent).")},
        passwordStdinOption(),
    });
    if (const QString problem = p.parse(args, 1, 1000, QStringLiteral("a question")); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("user")))
        return usageError(QStringLiteral("Give --user NAME: who is asking."));
    if (p.isSet(QStringLiteral("conversation")) && p.isSet(QStringLiteral("new")))
        return usageError(QStringLiteral("Give either --conversation ID or --new, not both."));
    if (!p.isSet(QStringLiteral("conversation")) && !p.isSet(QStringLiteral("agent")))
        return usageError(QStringLiteral("Give --agent ID for a new conversation, or --conversation ID to continue one."));
    AskRequest request;
    request.agentId = p.value(QStringLiteral("agent"));
    if (p.isSet(QStringLiteral("conversation"))) {
        bool ok = false;
        request.conversationId = p.value(QStringLiteral("conversation")).toLongLong(&ok);
        if (!ok)
            return usageError(QStringLiteral("--conversation needs a conversation number."));
    }
    QStringList words;
    for (int i = 0; !p.positional(i).isNull(); ++i)
        words << p.positional(i);
    request.question = words.join(u' ');
    std::optional<QString> password;
    if (p.isSet(QStringLiteral("password-stdin"))) {
        password = readPasswordFromStdin();
        if (!password)
            return ExitUsage;
    }
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;

    AccountService accounts(m_database, m_clock);
    Actor actor;
    if (password) {
        auto user = accounts.signIn(p.value(QStringLiteral("user")), *password);
        if (!user)
            return report(user.error());
        actor = Actor::user(*user);
    } else {
        auto user = accounts.findUser(m_actor, p.value(QStringLiteral("user")));
        if (!user)
            return report(user.error());
        actor = Actor::user(*user);
    }
    if (const int code = prepareAgents(); code != ExitSuccess)
        return code;

    const ProviderConfig config = ProviderSettings().load();
    if (config.usesEndpoint() && config.apiKey.isEmpty()) {
        if (config.keyInKeychain) {
            askWithStoredKey(actor, request, config); // the answer starts when the keychain has answered
            return ExitPending;
        }
        qCInfo(lcCtlProvider).noquote() << "going on without an API key: none in HELIODESK_API_KEY, and none kept in the keychain for"
                                        << config.baseUrl.host();
    }
    return startAnswer(actor, request, config);
}

QCoro::Task<> CtlCommands::askWithStoredKey(Actor actor, AskRequest request, ProviderConfig config)
{
    // No key in the environment: the keychain's, if any. Its failure must not stop a local server
    // that needs no key, so it is only noted; a hosted service then says 401 itself.
    const auto key = co_await ApiKeyStore().read(config.baseUrl);
    if (!key) {
        qCInfo(lcCtlProvider).noquote() << "going on without an API key:" << key.error().toLogString();
    } else if (!key->isEmpty()) {
        config.apiKey = *key;
        config.keySource = QStringLiteral("keychain");
    }
    if (const int code = startAnswer(actor, request, config); code != ExitPending)
        finishPending(code);
}

int CtlCommands::startAnswer(const Actor &actor, const AskRequest &request, const ProviderConfig &config)
{
    auto provider = makeProvider(config, m_agents->knowledge);
    m_chat = std::make_unique<ChatService>(m_database, m_clock, [provider](const QString &) { return provider; });
    if (auto recovered = m_chat->recoverInterruptedAnswers(); !recovered)
        return report(recovered.error());
    auto ticket = m_chat->ask(actor, request);
    if (!ticket)
        return report(ticket.error());

    const qint64 answerId = ticket->answerId;
    const qint64 conversationId = ticket->conversationId;
    QObject::connect(m_chat.get(), &ChatService::answerProgress, m_chat.get(), [this, answerId](qint64 id, const QString &text) {
        if (id != answerId)
            return;
        m_out << text;
        m_out.flush();
    });
    QObject::connect(m_chat.get(), &ChatService::answerFinished, m_chat.get(),
                     [this, answerId, conversationId](qint64 id, MessageStatus status, const QString &error) {
                         if (id != answerId)
                             return;
                         m_out << '\n';
                         m_out.flush();
                         int code = ExitSuccess;
                         if (status == MessageStatus::Cancelled) {
                             m_err << "heliodeskctl: stopped; what arrived is kept in conversation " << conversationId << ".\n";
                             code = ExitCancelled;
                         } else if (status == MessageStatus::Failed) {
                             m_err << "heliodeskctl: " << error << '\n';
                             code = ExitProviderError;
                         }
                         m_err.flush();
                         QCoreApplication::exit(code);
                     });
    watchInterrupts(answerId);
    return ExitPending;
}

int CtlCommands::agentList(const QStringList &args)
{
    SubcommandParser p(m_command, {jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    if (const int code = prepareAgents(); code != ExitSuccess)
        return code;
    PlanService plans(m_database, m_clock);
    auto agents = plans.listAgents();
    if (!agents)
        return report(agents.error());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const AgentRecord &a : std::as_const(*agents)) {
            const auto definition = m_agents->catalogue.find(a.id);
            array.append(QJsonObject{{QStringLiteral("id"), a.id},
                                     {QStringLiteral("name"), a.name},
                                     {QStringLiteral("description"), a.description},
                                     {QStringLiteral("enabled"), a.enabled},
                                     {QStringLiteral("plans"), QJsonArray::fromStringList(definition ? definition->plans : QStringList())}});
        }
        m_out << QJsonDocument(array).toJson();
        return ExitSuccess;
    }
    QList<QStringList> rows;
    for (const AgentRecord &a : std::as_const(*agents))
        rows << QStringList{a.id, a.name, a.enabled ? QStringLiteral("on") : QStringLiteral("off"), a.description};
    m_out << table({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("STATE"), QStringLiteral("DESCRIPTION")}, rows);
    return ExitSuccess;
}

int CtlCommands::hire(const QStringList &args)
{
    return hireOrRelease(args, true);
}

int CtlCommands::release(const QStringList &args)
{
    return hireOrRelease(args, false);
}

int CtlCommands::hireOrRelease(const QStringList &args, bool hiring)
{
    SubcommandParser p(m_command, {{QStringLiteral("user"), QStringLiteral("For whom."), QStringLiteral("name")}});
    if (const QString problem = p.parse(args, 1, 100, QStringLiteral("at least one agent id")); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("user")))
        return usageError(QStringLiteral("Give --user NAME."));
    QStringList ids;
    for (int i = 0; !p.positional(i).isNull(); ++i)
        ids << p.positional(i);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    if (const int code = prepareAgents(); code != ExitSuccess)
        return code;
    PlanService plans(m_database, m_clock);
    auto now = hiring ? plans.hireAgents(m_actor, p.value(QStringLiteral("user")), ids)
                      : plans.releaseAgents(m_actor, p.value(QStringLiteral("user")), ids);
    if (!now)
        return report(now.error());
    m_out << AccountService::normalizeUsername(p.value(QStringLiteral("user"))) << " has hired: "
          << (now->isEmpty() ? QStringLiteral("no agents") : now->join(QStringLiteral(", "))) << ".\n";
    return ExitSuccess;
}

int CtlCommands::conversationList(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("user"), QStringLiteral("Whose."), QStringLiteral("name")}, jsonOption()});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("user")))
        return usageError(QStringLiteral("Give --user NAME."));
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    AccountService accounts(m_database, m_clock);
    auto user = accounts.findUser(m_actor, p.value(QStringLiteral("user")));
    if (!user)
        return report(user.error());
    ChatService chat(m_database, m_clock, [](const QString &) { return std::shared_ptr<ChatProvider>(); });
    auto list = chat.conversations(Actor::user(*user));
    if (!list)
        return report(list.error());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const ConversationRecord &c : std::as_const(*list))
            array.append(QJsonObject{{QStringLiteral("id"), c.id},
                                     {QStringLiteral("agent"), c.agentId},
                                     {QStringLiteral("title"), c.title},
                                     {QStringLiteral("pinned"), c.pinned},
                                     {QStringLiteral("created_at"), timeJson(c.createdAtMs)},
                                     {QStringLiteral("updated_at"), timeJson(c.updatedAtMs)}});
        m_out << QJsonDocument(array).toJson();
        return ExitSuccess;
    }
    QList<QStringList> rows;
    for (const ConversationRecord &c : std::as_const(*list))
        rows << QStringList{QString::number(c.id), c.agentId, timeText(c.updatedAtMs), c.title};
    m_out << table({QStringLiteral("ID"), QStringLiteral("AGENT"), QStringLiteral("LAST ACTIVE (UTC)"), QStringLiteral("TITLE")}, rows);
    return ExitSuccess;
}

namespace {

/// The conversation with its owner and messages, read as its owner: the operator of heliodeskctl
/// owns the database file, but the service still only hands a conversation to the user it belongs to.
Result<ConversationExport> loadConversation(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock,
                                            const QString &idText)
{
    bool ok = false;
    const qint64 id = idText.toLongLong(&ok);
    if (!ok)
        return fail(ErrorCode::InvalidInput, QStringLiteral("“%1” is not a conversation number.").arg(idText));
    auto db = database->connection();
    if (!db)
        return Unexpected(db.error());
    auto conversation = ConversationStore::find(*db, id);
    if (!conversation)
        return Unexpected(conversation.error());
    if (!*conversation)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no conversation %1.").arg(id));
    auto owner = UserStore::findById(*db, (*conversation)->userId);
    if (!owner)
        return Unexpected(owner.error());
    if (!*owner)
        return fail(ErrorCode::NotFound, QStringLiteral("There is no conversation %1.").arg(id));
    ChatService chat(database, clock, [](const QString &) { return std::shared_ptr<ChatProvider>(); });
    // Answers a killed process left "streaming" are shown as what they are: interrupted.
    if (auto recovered = chat.recoverInterruptedAnswers(); !recovered)
        return Unexpected(recovered.error());
    auto messages = chat.messages(Actor::user(**owner), id);
    if (!messages)
        return Unexpected(messages.error());
    PlanService plans(database, clock);
    QString agentName = (*conversation)->agentId;
    if (auto agents = plans.listAgents())
        for (const AgentRecord &a : std::as_const(*agents))
            if (a.id == agentName)
                agentName = a.name;
    return ConversationExport{**conversation, agentName, (*owner)->username, *messages};
}

} // namespace

int CtlCommands::show(const QStringList &args)
{
    SubcommandParser p(m_command, {jsonOption()});
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a conversation number")); !problem.isEmpty())
        return usageError(problem);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    auto data = loadConversation(m_database, m_clock, p.positional(0));
    if (!data)
        return report(data.error());
    if (p.isSet(QStringLiteral("json"))) {
        m_out << QString::fromUtf8(exportJson(*data));
        return ExitSuccess;
    }
    m_out << "Conversation " << data->conversation.id << " of " << data->username << " with " << data->agentName << ": "
          << data->conversation.title << '\n';
    for (const MessageRecord &m : std::as_const(data->messages)) {
        m_out << "\n[" << m.id << "] " << nameOf(m.role) << " (" << nameOf(m.status) << ", " << timeText(m.createdAtMs) << ")\n";
        m_out << m.content << '\n';
        if (!m.error.isEmpty())
            m_out << "error: " << m.error << '\n';
    }
    return ExitSuccess;
}

int CtlCommands::exportConversation(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("format"), QStringLiteral("md or json"), QStringLiteral("format")},
                                   {{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Write to this file."), QStringLiteral("file")}});
    if (const QString problem = p.parse(args, 1, 1, QStringLiteral("a conversation number")); !problem.isEmpty())
        return usageError(problem);
    const QString format = p.value(QStringLiteral("format"));
    if (format != u"md" && format != u"json")
        return usageError(QStringLiteral("Give --format md or --format json."));
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    auto data = loadConversation(m_database, m_clock, p.positional(0));
    if (!data)
        return report(data.error());
    const QByteArray bytes = format == u"md" ? exportMarkdown(*data) : exportJson(*data);
    const QString target = p.value(QStringLiteral("o"));
    if (target.isEmpty() || target == u"-") {
        m_out << QString::fromUtf8(bytes);
        return ExitSuccess;
    }
    QSaveFile file(target); // complete or not at all
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return report(Error(ErrorCode::Io, QStringLiteral("The export could not be written to %1: %2.").arg(target, file.errorString())));
    m_out << "Exported conversation " << data->conversation.id << " to " << target << ".\n";
    return ExitSuccess;
}

int CtlCommands::kbImport(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("agent"), QStringLiteral("Whose knowledge."), QStringLiteral("id")}});
    if (const QString problem = p.parse(args, 1, 100000, QStringLiteral("at least one file")); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("agent")))
        return usageError(QStringLiteral("Give --agent ID: which agent's knowledge the files are for."));
    QStringList files;
    for (int i = 0; !p.positional(i).isNull(); ++i)
        files << p.positional(i);
    if (const int code = openDatabase(); code != ExitSuccess)
        return code;
    if (const int code = prepareAgents(); code != ExitSuccess)
        return code;
    const QString agentId = p.value(QStringLiteral("agent"));
    if (!m_agents->catalogue.find(agentId))
        return report(Error(ErrorCode::NotFound, QStringLiteral("There is no agent “%1”.").arg(agentId)));
    const auto results = m_agents->knowledge->importFiles(agentId, files);
    int failed = 0;
    for (qsizetype i = 0; i < results.size(); ++i) {
        if (results[i]) {
            m_out << "Imported " << files[i] << '\n';
        } else {
            ++failed;
            m_err << "heliodeskctl: " << files[i] << ": " << results[i].error().message() << '\n';
        }
    }
    m_err.flush();
    return failed == 0 ? ExitSuccess : ExitFailure;
}

int CtlCommands::providerSet(const QStringList &args)
{
    SubcommandParser p(m_command, {{QStringLiteral("base-url"), QStringLiteral("Endpoint base URL."), QStringLiteral("url")},
                                   {QStringLiteral("model"), QStringLiteral("Model name."), QStringLiteral("model")},
                                   {QStringLiteral("api-key-stdin"),
                                    QStringLiteral("Read the API key from the first line of standard input and keep it in the keychain.")}});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    if (!p.isSet(QStringLiteral("base-url")) || !p.isSet(QStringLiteral("model")))
        return usageError(QStringLiteral("Give --base-url URL and --model MODEL."));
    std::optional<QString> apiKey;
    if (p.isSet(QStringLiteral("api-key-stdin"))) {
        const QString line = m_in.readLine();
        if (line.isNull())
            return usageError(QStringLiteral("No API key arrived on standard input."));
        if (line.trimmed().isEmpty())
            return usageError(QStringLiteral("The API key on standard input is empty."));
        apiKey = line.trimmed();
    }
    ProviderSettings settings;
    if (auto saved = settings.saveEndpoint(p.value(QStringLiteral("base-url")), p.value(QStringLiteral("model"))); !saved)
        return report(saved.error());
    const QUrl baseUrl = settings.savedBaseUrl();
    m_out << "Answers now come from " << baseUrl.toString() << " with model " << p.value(QStringLiteral("model")).trimmed() << ".\n";
    if (!apiKey && !qEnvironmentVariable("HELIODESK_API_KEY").trimmed().isEmpty()) {
        m_out << "The API key comes from HELIODESK_API_KEY.\n";
        return ExitSuccess;
    }
    finishProviderSet(baseUrl, apiKey);
    return ExitPending;
}

QCoro::Task<> CtlCommands::finishProviderSet(QUrl baseUrl, std::optional<QString> apiKey)
{
    if (!apiKey) {
        // Tell whether a key kept earlier will be used; a keychain that cannot be read keeps none.
        const auto stored = co_await ApiKeyStore().read(baseUrl);
        if (!stored)
            qCInfo(lcCtlProvider).noquote() << "no API key from the keychain:" << stored.error().toLogString();
        if (stored && !stored->isEmpty())
            m_out << "The API key kept in the keychain for " << baseUrl.host() << " will be used.\n";
        else
            m_out << "No API key is set; local servers need none. For a hosted service run this again with --api-key-stdin,\n"
                     "or set HELIODESK_API_KEY.\n";
        finishPending(ExitSuccess);
        co_return;
    }
    const auto written = co_await ApiKeyStore().write(baseUrl, *apiKey);
    if (!written) {
        const int code = report(written.error());
        m_err << "heliodeskctl: The endpoint is saved, but the API key was not stored anywhere. heliodeskctl keeps nothing "
                 "between runs: set HELIODESK_API_KEY in the environment of the commands that need the key.\n";
        finishPending(code);
        co_return;
    }
    m_out << "The API key for " << baseUrl.host() << " is kept in the keychain (service “" << ApiKeyStore::serviceName()
          << "”, entry “" << ApiKeyStore::entryName(baseUrl) << "”).\n";
    if (!qEnvironmentVariable("HELIODESK_API_KEY").trimmed().isEmpty())
        m_out << "HELIODESK_API_KEY is set too, and wins over the keychain while it is.\n";
    finishPending(ExitSuccess);
}

int CtlCommands::providerShow(const QStringList &args)
{
    SubcommandParser p(m_command, {});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    const ProviderConfig config = ProviderSettings().load();
    if (!config.usesEndpoint()) {
        m_out << "Answers come from the offline knowledge base (no model endpoint is set).\n";
        return ExitSuccess;
    }
    m_out << "Endpoint: " << config.baseUrl.toString() << "\nModel: " << config.model << '\n';
    if (!config.apiKey.isEmpty()) {
        m_out << "API key: set (from the " << config.keySource << ")\n";
        return ExitSuccess;
    }
    finishProviderShow(config.baseUrl);
    return ExitPending;
}

QCoro::Task<> CtlCommands::finishProviderShow(QUrl baseUrl)
{
    const auto stored = co_await ApiKeyStore().read(baseUrl);
    if (!stored)
        m_out << "API key: none (the keychain could not be read)\n" << stored.error().message() << '\n';
    else if (stored->isEmpty())
        m_out << "API key: none\n";
    else
        m_out << "API key: set (from the keychain)\n";
    finishPending(ExitSuccess);
}

int CtlCommands::providerClear(const QStringList &args)
{
    SubcommandParser p(m_command, {});
    if (const QString problem = p.parse(args, 0, 0); !problem.isEmpty())
        return usageError(problem);
    ProviderSettings settings;
    const QUrl saved = settings.savedBaseUrl();
    settings.clearEndpoint();
    m_out << "Answers now come from the offline knowledge base.\n";
    if (ApiKeyStore::entryName(saved).isEmpty())
        return ExitSuccess;
    finishProviderClear(saved);
    return ExitPending;
}

QCoro::Task<> CtlCommands::finishProviderClear(QUrl baseUrl)
{
    // The endpoint's key goes with it. Without a keychain nothing can have been kept in it.
    const auto removed = co_await ApiKeyStore().remove(baseUrl);
    if (removed) {
        m_out << "No API key for " << baseUrl.host() << " is left in the keychain.\n";
    } else if (removed.error().code() == ErrorCode::KeychainUnavailable) {
        qCInfo(lcCtlProvider).noquote() << "no keychain to remove the API key from:" << removed.error().toLogString();
    } else {
        finishPending(report(removed.error()));
        co_return;
    }
    finishPending(ExitSuccess);
}

void CtlCommands::finishPending(int code)
{
    m_out.flush();
    m_err.flush();
    // Queued: QCoreApplication::exit() does nothing before exec() runs.
    QMetaObject::invokeMethod(QCoreApplication::instance(), [code] { QCoreApplication::exit(code); }, Qt::QueuedConnection);
}

} // namespace heliodesk
