#include "ctlcommands.h"

#include "model/accountservice.h"
#include "model/planservice.h"
#include "model/quotaservice.h"

#include "storage/auditstore.h"
#include "storage/maintenance.h"

#include <heliodesk/version.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace heliodesk {

namespace {

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

QString CtlCommands::helpText()
{
    return QStringLiteral(
        "Usage: heliodeskctl [--db LOCATION] COMMAND [OPTIONS]\n"
        "\n"
        "Administers a Heliodesk database from the command line. LOCATION is a SQLite file\n"
        "(default: the file the Heliodesk app uses; HELIODESK_DB overrides it).\n"
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
        "Database:\n"
        "  db check                            integrity and foreign-key check\n"
        "  db backup FILE                      consistent copy, safe while others write\n"
        "\n"
        "  --version                           print the version\n"
        "  --help                              print this help\n"
        "\n"
        "Exit codes: 0 success, 1 failure, 2 usage error, 3 quota exceeded,\n"
        "4 not found or not allowed. Errors are printed to standard error.\n");
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
        {QStringLiteral("audit"), &CtlCommands::auditList},
    };
    const QString name = words.join(u' ');
    for (const auto &[command, handler] : commands)
        if (command == name)
            return (this->*handler)(rest);
    return usageError(QStringLiteral("Unknown command “%1”. Run heliodeskctl --help to see the commands.").arg(name));
}

int CtlCommands::openDatabase(bool mustExist)
{
    auto location = m_dbArgument ? DatabaseLocation::parse(*m_dbArgument) : DatabaseLocation::fromEnvironmentOrDefault();
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
                                     {QStringLiteral("matches"), r.matches()}});
        m_out << QJsonDocument(QJsonObject{{QStringLiteral("period"), quotas.currentPeriod()}, {QStringLiteral("users"), array},
                                           {QStringLiteral("mismatches"), int(mismatches)}})
                     .toJson();
    } else {
        QList<QStringList> lines;
        for (const ReconciliationRow &r : std::as_const(*rows))
            lines << QStringList{r.username, QString::number(r.counter), QString::number(r.ledger),
                                 r.matches() ? QStringLiteral("ok") : QStringLiteral("MISMATCH")};
        m_out << table({QStringLiteral("USERNAME"), QStringLiteral("COUNTER"), QStringLiteral("LEDGER"), QStringLiteral("STATE")}, lines);
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
    auto db = m_database->connection();
    if (!db)
        return report(db.error());
    if (auto done = Maintenance::backup(*db, p.positional(0)); !done)
        return report(done.error());
    m_out << "Backed up " << m_database->location().displayName() << " to " << QFileInfo(p.positional(0)).absoluteFilePath() << ".\n";
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

} // namespace heliodesk
