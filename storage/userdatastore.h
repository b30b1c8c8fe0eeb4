#pragma once

// SQL that counts and removes everything a user owns, for the atomic deletion.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::UserDataStore {

/// What deleting the user would remove, without removing it.
Result<DeletionCounts> count(const QSqlDatabase &db, qint64 userId);

/// Removes the user's messages, feedback, usage rows, conversations, survey answers, hired agents
/// and the user row itself, and returns what was removed. Must run inside a write transaction: a
/// failure part-way leaves it to the caller's rollback to restore everything.
Result<DeletionCounts> removeAll(const QSqlDatabase &db, qint64 userId);

} // namespace heliodesk::UserDataStore
