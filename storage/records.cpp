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
} // namespace

QString toString(Role role) { return name(role, roles); }
QString toString(UserStatus status) { return name(status, statuses); }
QString toString(QuotaMode mode) { return name(mode, quotaModes); }
QString toString(UsageOutcome outcome) { return name(outcome, outcomes); }
std::optional<Role> roleFromString(QStringView text) { return lookup(text, roles); }
std::optional<UserStatus> userStatusFromString(QStringView text) { return lookup(text, statuses); }
std::optional<QuotaMode> quotaModeFromString(QStringView text) { return lookup(text, quotaModes); }
std::optional<UsageOutcome> usageOutcomeFromString(QStringView text) { return lookup(text, outcomes); }

} // namespace heliodesk
