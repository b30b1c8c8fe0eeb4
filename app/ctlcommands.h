#pragma once

// heliodeskctl's commands: parses the words after the program name, runs them on the services
// and reports in text or JSON. Exit codes are part of the interface (see --help).

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/error.h"

#include <QCoroTask>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace heliodesk {

class ChatService;
struct AgentSetup;
struct AskRequest;
struct ProviderConfig;
namespace DatabaseCopy {
struct Options;
}

enum ExitCode : int {
    ExitSuccess = 0,
    ExitFailure = 1,
    ExitUsage = 2,
    ExitQuotaExceeded = 3,
    ExitNotFoundOrNotAllowed = 4,
    ExitProviderError = 5,
    ExitCancelled = 130,
    /// Not an exit code: the command goes on in the event loop and ends it with the real code.
    ExitPending = -1,
};

class CtlCommands
{
public:
    CtlCommands(QTextStream &out, QTextStream &err, QTextStream &in);
    ~CtlCommands();

    /// Runs the command in `arguments` (arguments[0] is the program) and returns the exit code.
    int run(const QStringList &arguments);

    static QString helpText();

private:
    struct Invocation;

    int dispatch(const QStringList &words, const QStringList &rest);
    int userAdd(const QStringList &args);
    int userList(const QStringList &args);
    int userSet(const QStringList &args);
    int userPasswd(const QStringList &args);
    int userDelete(const QStringList &args);
    int planList(const QStringList &args);
    int planAdd(const QStringList &args);
    int planSet(const QStringList &args);
    int usage(const QStringList &args);
    int usageReconcile(const QStringList &args);
    int dbCheck(const QStringList &args);
    int dbBackup(const QStringList &args);
    // Whole-database copies between the engines (ctldbcopy.cpp).
    int dbMigrateTo(const QStringList &args);
    int backupByCopy(const QString &file);
    [[nodiscard]] DatabaseCopy::Options copyOptions(std::function<void(qint64, qint64)> progress) const;
    int auditList(const QStringList &args);
    // Agents and conversations (ctlchatcommands.cpp).
    int ask(const QStringList &args);
    int agentList(const QStringList &args);
    int hire(const QStringList &args);
    int release(const QStringList &args);
    int conversationList(const QStringList &args);
    int show(const QStringList &args);
    int exportConversation(const QStringList &args);
    int kbImport(const QStringList &args);
    int providerSet(const QStringList &args);
    int providerShow(const QStringList &args);
    int providerClear(const QStringList &args);
    // The keychain answers asynchronously: these go on in the event loop and end it (ExitPending).
    QCoro::Task<> finishProviderSet(QUrl baseUrl, std::optional<QString> apiKey);
    QCoro::Task<> finishProviderShow(QUrl baseUrl);
    QCoro::Task<> finishProviderClear(QUrl baseUrl);
    QCoro::Task<> askWithStoredKey(Actor actor, AskRequest request, ProviderConfig config);
    int startAnswer(const Actor &actor, const AskRequest &request, const ProviderConfig &config);
    /// Ends a command that returned ExitPending with `code`, once the event loop runs.
    void finishPending(int code);
    int hireOrRelease(const QStringList &args, bool hiring);
    int prepareAgents();
    void watchInterrupts(qint64 answerId);

    /// Opens the database named by --db, HELIODESK_DB or the default. Returns ExitSuccess, or reports
    /// the failure and returns its exit code (a missing file with `mustExist` is "not found", 4).
    int openDatabase(bool mustExist = false);
    std::optional<QString> readPasswordFromStdin();
    int report(const Error &error);
    int usageError(const QString &message);

    QTextStream &m_out;
    QTextStream &m_err;
    QTextStream &m_in;
    QString m_command; // "user add", for messages
    std::optional<QString> m_dbArgument;
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock = std::make_shared<SystemClock>();
    Actor m_actor;
    std::unique_ptr<AgentSetup> m_agents;
    std::unique_ptr<ChatService> m_chat;
    std::unique_ptr<QObject> m_interrupts; // what turns Ctrl-C into a stop on the event loop
};

} // namespace heliodesk
