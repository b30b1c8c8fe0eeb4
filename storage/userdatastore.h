#pragma once

// SQL that counts and removes everything a user owns, for the atomic deletion.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>
#include <QStringList>

namespace heliodesk::UserDataStore {

/// What deleting the user would remove, without removing it.
Result<DeletionCounts> count(const QSqlDatabase &db, qint64 userId);

/// Removes the user's messages, feedback, usage rows, conversations, survey answers, hired agents
/// and the user row itself, and returns what was removed. Must run inside a write transaction: a
/// failure part-way leaves it to the caller's rollback to restore everything.
Result<DeletionCounts> removeAll(const QSqlDatabase &db, qint64 userId);

/// The statements removeAll runs, in its order (the user row last); every `?` stands for the user's
/// id. For running the very same SQL elsewhere: the deletion benchmark feeds it to the sqlite3 shell.
QStringList removalStatements();

} // namespace heliodesk::UserDataStore
