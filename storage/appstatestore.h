#pragma once

// SQL for small facts the application keeps about a database (app_state: key → value), such as
// which version of the compiled-in agents and starter knowledge it was last set up with.

#include "error.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace heliodesk::AppStateStore {

Result<std::optional<QString>> value(const QSqlDatabase &db, const QString &key);
Result<void> setValue(const QSqlDatabase &db, const QString &key, const QString &value, qint64 nowMs);

} // namespace heliodesk::AppStateStore
