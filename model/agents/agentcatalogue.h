#pragma once

// The agents Heliodesk ships with, read from the catalogue compiled into the program.

#include "storage/error.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>

namespace heliodesk {

struct AgentDefinition {
    QString id;                  // "om": the key of the agents table
    QString name;                // "O&M"
    QString description;         // one sentence for lists and tooltips
    QString iconPath;            // a readable file, usually ":/agents/icons/om.svg"
    QString systemPrompt;        // the default prompt; an admin's edit in the database wins
    QString knowledgeCollection; // folder of starter documents under ":/knowledge/"
    QStringList plans;           // names of the plans that may hire the agent
    int sortOrder = 0;           // position in the catalogue, from 1
};

/// What sync() changed.
struct CatalogueSyncReport {
    QStringList added;         // agents that were missing from the database
    QStringList updated;       // agents whose name, description or sort order changed
    QStringList promptsFilled; // agents whose empty system prompt got the default
};

class AgentCatalogue
{
public:
    /// ":/agents/catalogue.json"
    static QString defaultPath();

    /// The catalogue compiled into the program.
    static Result<AgentCatalogue> loadDefault();
    /// A catalogue file; icons are resolved relative to its folder.
    static Result<AgentCatalogue> load(const QString &path);
    /// Parses and validates catalogue JSON; `iconFolder` is where the icon names point.
    /// A file that is not valid gives an InvalidInput error naming the agent and field at fault.
    static Result<AgentCatalogue> parse(const QByteArray &json, const QString &iconFolder,
                                        const QString &displayName = QStringLiteral("The agent catalogue"));

    [[nodiscard]] const QList<AgentDefinition> &agents() const { return m_agents; }
    [[nodiscard]] std::optional<AgentDefinition> find(const QString &id) const;

    /// Brings the agents table in line with the catalogue in one write transaction: inserts missing
    /// agents (with their default prompt, hireable by the listed plans that exist), updates name,
    /// description and sort order, and fills a system prompt only when it is empty, so a prompt an
    /// admin edited is never overwritten. Agents that are not in the catalogue are left alone.
    Result<CatalogueSyncReport> sync(const QSqlDatabase &db) const;

private:
    QList<AgentDefinition> m_agents;
};

} // namespace heliodesk
