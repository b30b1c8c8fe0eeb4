#include "records.h"

namespace heliodesk {

namespace {
template<typename Enum, std::size_t N>
std::optional<Enum> lookup(QStringView text, const std::pair<Enum, const char16_t *> (&table)[N])
{
    for (const auto &[value, name] : table)
        if (text == QStringView(name))
            return value;
    return std::nullopt;
}
template<typename Enum, std::size_t N>
QString name(Enum value, const std::pair<Enum, const char16_t *> (&table)[N])
{
    for (const auto &[v, n] : table)
        if (v == value)
            return QString::fromUtf16(n);
    return {};
}

const std::pair<Role, const char16_t *> roles[] = {{Role::Admin, u"admin"}, {Role::Analyst, u"analyst"}};
const std::pair<UserStatus, const char16_t *> statuses[] = {{UserStatus::Active, u"active"}, {UserStatus::Disabled, u"disabled"}};
const std::pair<QuotaMode, const char16_t *> quotaModes[] = {
    {QuotaMode::Plan, u"plan"}, {QuotaMode::Limit, u"limit"}, {QuotaMode::Unlimited, u"unlimited"}};
const std::pair<UsageOutcome, const char16_t *> outcomes[] = {{UsageOutcome::Reserved, u"reserved"},
                                                             {UsageOutcome::Complete, u"complete"},
                                                             {UsageOutcome::Failed, u"failed"},
                                                             {UsageOutcome::Cancelled, u"cancelled"}};
const std::pair<MessageRole, const char16_t *> messageRoles[] = {
    {MessageRole::User, u"user"}, {MessageRole::Assistant, u"assistant"}, {MessageRole::System, u"system"}};
const std::pair<MessageStatus, const char16_t *> messageStatuses[] = {{MessageStatus::Streaming, u"streaming"},
                                                                     {MessageStatus::Complete, u"complete"},
                                                                     {MessageStatus::Cancelled, u"cancelled"},
                                                                     {MessageStatus::Failed, u"failed"},
                                                                     {MessageStatus::Interrupted, u"interrupted"}};
} // namespace

QString nameOf(MessageRole role) { return name(role, messageRoles); }
QString nameOf(MessageStatus status) { return name(status, messageStatuses); }
std::optional<MessageRole> messageRoleFromString(QStringView text) { return lookup(text, messageRoles); }
std::optional<MessageStatus> messageStatusFromString(QStringView text) { return lookup(text, messageStatuses); }

QString nameOf(Role role) { return name(role, roles); }
QString nameOf(UserStatus status) { return name(status, statuses); }
QString nameOf(QuotaMode mode) { return name(mode, quotaModes); }
QString nameOf(UsageOutcome outcome) { return name(outcome, outcomes); }
std::optional<Role> roleFromString(QStringView text) { return lookup(text, roles); }
std::optional<UserStatus> userStatusFromString(QStringView text) { return lookup(text, statuses); }
std::optional<QuotaMode> quotaModeFromString(QStringView text) { return lookup(text, quotaModes); }
std::optional<UsageOutcome> usageOutcomeFromString(QStringView text) { return lookup(text, outcomes); }

} // namespace heliodesk
