#pragma once

// Reading the audit log, for admins only. The log itself is written by each service in the
// transaction of the action it records.

#include "model/actor.h"
#include "model/clock.h"

#include "storage/auditstore.h"
#include "storage/database.h"

#include <memory>

namespace heliodesk {

class AuditService
{
public:
    AuditService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock);

    /// The newest entries first that match `filter`. Admins only.
    Result<QList<AuditEntry>> list(const Actor &actor, const AuditStore::Filter &filter);
    /// The actions that occur in the log, for a filter's choices. Admins only.
    Result<QStringList> actions(const Actor &actor);

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
