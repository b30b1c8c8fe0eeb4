#pragma once

// SQL for the agents' settings an administrator edits: switched on or off, system prompt, model.

#include "error.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace heliodesk::AgentStore {

struct AgentSettings {
    QString id;
    QString name;
    QString description;
    bool enabled = true;
    QString systemPrompt;
    QString model; // empty: the provider's own model
};

/// Every agent in catalogue order.
Result<QList<AgentSettings>> list(const QSqlDatabase &db);
Result<std::optional<AgentSettings>> find(const QSqlDatabase &db, const QString &agentId);
Result<void> setEnabled(const QSqlDatabase &db, const QString &agentId, bool enabled);
Result<void> setSystemPrompt(const QSqlDatabase &db, const QString &agentId, const QString &prompt);
Result<void> setModel(const QSqlDatabase &db, const QString &agentId, const QString &model);

} // namespace heliodesk::AgentStore
