#include "quotaservice.h"

#include "accountservice.h"
#include "authorization.h"

#include "storage/quotaledger.h"
#include "storage/transaction.h"
#include "storage/userstore.h"

#include <QLoggingCategory>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcQuota, "heliodesk.quota", QtInfoMsg)

QuotaService::QuotaService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

QString QuotaService::currentPeriod() const
{
    return quotaPeriodOf(m_clock->nowUtc());
}

Result<Reservation> QuotaService::reserve(const Actor &actor, const QString &agentId, std::optional<qint64> conversationId)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: sign in as a user to ask the agents."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    const QDateTime now = m_clock->nowUtc();
    auto reservation = QuotaLedger::reserve(*db, *actor.userId(), agentId, conversationId, quotaPeriodOf(now), now.toMSecsSinceEpoch());
    if (!reservation) {
        qCInfo(lcQuota) << "query of" << actor.name() << "not counted:" << reservation.error();
        return reservation;
    }
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return reservation;
}

Result<void> QuotaService::recordOutcome(qint64 usageEventId, UsageOutcome outcome, const QString &error)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto recorded = QuotaLedger::finish(*db, usageEventId, outcome, error, m_clock->nowMs()); !recorded)
        return recorded;
    return txn->commit();
}

Result<QList<ReconciliationRow>> QuotaService::reconcile(const Actor &actor)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    // One snapshot, so a query counted while we read cannot show up as a mismatch.
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return QuotaLedger::reconcile(*db, currentPeriod());
}

Result<QList<UsageRow>> QuotaService::usage(const Actor &actor, const QString &username)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    const QString wanted = AccountService::normalizeUsername(username);
    const bool onlySelf = !actor.isSystem() && actor.userId() && (wanted.isEmpty() || wanted == actor.name())
        && actor.role() != Role::Admin;
    if (!onlySelf) {
        if (auto allowed = requireAdmin(*db, actor); !allowed)
            return Unexpected(allowed.error());
    }
    std::optional<qint64> userId;
    if (onlySelf) {
        userId = actor.userId();
    } else if (!wanted.isEmpty()) {
        auto user = UserStore::findByName(*db, wanted);
        if (!user)
            return Unexpected(user.error());
        if (!*user)
            return fail(ErrorCode::NotFound, QStringLiteral("There is no user called “%1”.").arg(wanted));
        userId = (*user)->id;
    }
    return QuotaLedger::usage(*db, currentPeriod(), userId);
}

} // namespace heliodesk
