#pragma once

// Plain rows as the stores read and write them.

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace heliodesk {

enum class Role { Admin, Analyst };
enum class UserStatus { Active, Disabled };
/// Where a user's monthly limit comes from: their plan, an override of their own, or nowhere (unlimited).
enum class QuotaMode { Plan, Limit, Unlimited };
enum class UsageOutcome { Reserved, Complete, Failed, Cancelled };
enum class MessageRole { User, Assistant, System };
enum class MessageStatus { Streaming, Complete, Cancelled, Failed, Interrupted };

QString nameOf(Role role);
QString nameOf(UserStatus status);
QString nameOf(QuotaMode mode);
QString nameOf(UsageOutcome outcome);
QString nameOf(MessageRole role);
QString nameOf(MessageStatus status);
std::optional<Role> roleFromString(QStringView text);
std::optional<UserStatus> userStatusFromString(QStringView text);
std::optional<QuotaMode> quotaModeFromString(QStringView text);
std::optional<UsageOutcome> usageOutcomeFromString(QStringView text);
std::optional<MessageRole> messageRoleFromString(QStringView text);
std::optional<MessageStatus> messageStatusFromString(QStringView text);

struct UserRecord {
    qint64 id = 0;
    QString username;
    QString displayName;
    Role role = Role::Analyst;
    UserStatus status = UserStatus::Active;
    qint64 planId = 0;
    QString planName;
    QString passwordHash;
    int failedSignIns = 0;
    std::optional<qint64> lockedUntilMs;
    QuotaMode quotaMode = QuotaMode::Plan;
    std::optional<int> quotaLimit;    // the user's own limit when quotaMode is Limit
    std::optional<int> effectiveLimit; // what applies now; empty means unlimited
    int quotaUsed = 0;                // as stored: counts for quotaPeriod only
    QString quotaPeriod;
    qint64 createdAtMs = 0;
    std::optional<qint64> lastSignInAtMs;

    /// Queries counted in `period` ("2026-11"): the stored counter if it belongs to that period, else 0.
    [[nodiscard]] int usedIn(const QString &period) const { return quotaPeriod == period ? quotaUsed : 0; }
};

struct NewUserRow {
    QString username;
    QString displayName;
    Role role = Role::Analyst;
    qint64 planId = 0;
    QString passwordHash;
    QuotaMode quotaMode = QuotaMode::Plan;
    std::optional<int> quotaLimit;
    qint64 nowMs = 0;
};

struct PlanRecord {
    qint64 id = 0;
    QString name;
    std::optional<int> monthlyLimit; // empty means unlimited
    bool isDefault = false;
    QStringList agentIds;
    int userCount = 0;
};

struct AgentRecord {
    QString id;
    QString name;
    QString description;
    bool enabled = true;
};

/// What deleting a user removes, kind by kind.
struct DeletionCounts {
    int conversations = 0;
    int messages = 0;
    int feedback = 0;
    int surveyResponses = 0;
    int hiredAgents = 0;
    int usageEvents = 0;

    [[nodiscard]] int total() const
    {
        return conversations + messages + feedback + surveyResponses + hiredAgents + usageEvents;
    }
    bool operator==(const DeletionCounts &) const = default;
};

struct Reservation {
    qint64 usageEventId = 0;
    int used = 0;                // including this query
    std::optional<int> limit;    // empty means unlimited
    QString period;
};

struct ReconciliationRow {
    qint64 userId = 0;
    QString username;
    int counter = 0; // the user's counter for the period
    int ledger = 0;  // usage_events rows for the period
    int reset = 0;   // queries an admin took off the counter this period (audit `user.quota-reset`)
    /// Every query in the ledger is either still on the counter or was taken off by a recorded reset.
    [[nodiscard]] bool matches() const { return counter + reset == ledger; }
};

struct UsageRow {
    QString username;
    QString agentId;
    int reserved = 0; // still running, or ended without an outcome (a killed process)
    int complete = 0;
    int failed = 0;
    int cancelled = 0;
    [[nodiscard]] int total() const { return reserved + complete + failed + cancelled; }
};

struct ConversationRecord {
    qint64 id = 0;
    qint64 userId = 0;
    QString agentId;
    QString title;
    bool pinned = false;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
};

struct MessageRecord {
    qint64 id = 0;
    qint64 conversationId = 0;
    MessageRole role = MessageRole::User;
    QString content;
    MessageStatus status = MessageStatus::Complete;
    QString error;
    QString sourcesJson; // JSON array of {title, location, excerpt}; empty when none
    std::optional<qint64> usageEventId;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
};

/// Whether a user may ask an agent, and if not, why.
struct AgentAccess {
    bool agentExists = false;
    bool agentEnabled = false;
    bool hired = false;
    bool planIncludes = false;
    QString agentName;
    QString systemPrompt;
    QString model;
    [[nodiscard]] bool allowed() const { return agentExists && agentEnabled && hired && planIncludes; }
};

struct AuditEntry {
    qint64 id = 0;
    qint64 createdAtMs = 0;
    std::optional<qint64> actorId;
    QString actorName;
    QString action;
    QString targetType;
    QString targetId;
    QString targetName;
    QString detailsJson = QStringLiteral("{}");
};

} // namespace heliodesk
