#include "auditservice.h"

#include "model/authorization.h"

#include "storage/transaction.h"

namespace heliodesk {

AuditService::AuditService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

Result<QList<AuditEntry>> AuditService::list(const Actor &actor, const AuditStore::Filter &filter)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return AuditStore::list(*db, filter);
}

Result<QStringList> AuditService::actions(const Actor &actor)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return AuditStore::actions(*db);
}

} // namespace heliodesk
