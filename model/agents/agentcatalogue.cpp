#include "agentcatalogue.h"

#include "resources/heliodeskresources.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace heliodesk {

namespace {

constexpr int CatalogueFormat = 1;

Unexpected invalid(const QString &displayName, const QString &problem)
{
    return fail(ErrorCode::InvalidInput, displayName + u" is not valid: " + problem,
                QStringLiteral("agent catalogue validation"));
}

const QRegularExpression &identifierPattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9_-]{0,31}$"));
    return pattern;
}

} // namespace

QString AgentCatalogue::defaultPath()
{
    return QStringLiteral(":/agents/catalogue.json");
}

Result<AgentCatalogue> AgentCatalogue::loadDefault()
{
    initResources();
    return load(defaultPath());
}

Result<AgentCatalogue> AgentCatalogue::load(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return fail(ErrorCode::NotFound, QStringLiteral("The agent catalogue %1 does not exist.").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("The agent catalogue %1 cannot be read: %2.").arg(path, file.errorString()));
    return parse(file.readAll(), QFileInfo(path).path(), QStringLiteral("The agent catalogue %1").arg(path));
}

Result<AgentCatalogue> AgentCatalogue::parse(const QByteArray &json, const QString &iconFolder, const QString &displayName)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(displayName, QStringLiteral("it is not valid JSON (%1 at character %2).")
                                        .arg(parseError.errorString())
                                        .arg(parseError.offset));
    if (!document.isObject())
        return invalid(displayName, QStringLiteral("it must be a JSON object with an \"agents\" list."));
    const QJsonObject root = document.object();
    const int format = root.value(u"format").toInt(CatalogueFormat);
    if (format != CatalogueFormat)
        return invalid(displayName, QStringLiteral("it has format %1, but this version of Heliodesk reads format %2.")
                                        .arg(format)
                                        .arg(CatalogueFormat));
    const QJsonArray list = root.value(u"agents").toArray();
    if (list.isEmpty())
        return invalid(displayName, QStringLiteral("it lists no agents (an \"agents\" list is required)."));

    AgentCatalogue catalogue;
    QSet<QString> ids;
    const QDir folder(iconFolder);
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject entry = list.at(i).toObject();
        AgentDefinition agent;
        agent.id = entry.value(u"id").toString();
        const QString which = agent.id.isEmpty() ? QStringLiteral("agent %1").arg(i + 1)
                                                 : QStringLiteral("agent %1 (\"%2\")").arg(i + 1).arg(agent.id);
        if (!list.at(i).isObject())
            return invalid(displayName, which + u" is not a JSON object.");
        if (!identifierPattern().match(agent.id).hasMatch())
            return invalid(displayName, which + u" needs an \"id\" of lower-case letters, digits, '-' or '_' (at most 32).");
        if (ids.contains(agent.id))
            return invalid(displayName, which + u" has the same id as an earlier agent.");
        ids.insert(agent.id);

        const auto text = [&entry](const char16_t *key) -> QString { return entry.value(QStringView(key)).toString().trimmed(); };
        agent.name = text(u"name");
        agent.description = text(u"description");
        agent.systemPrompt = text(u"systemPrompt");
        agent.knowledgeCollection = text(u"knowledgeCollection");
        const QString icon = text(u"icon");
        if (agent.name.isEmpty())
            return invalid(displayName, which + u" has no \"name\".");
        if (agent.description.isEmpty())
            return invalid(displayName, which + u" has no \"description\".");
        if (agent.systemPrompt.isEmpty())
            return invalid(displayName, which + u" has no \"systemPrompt\".");
        if (!identifierPattern().match(agent.knowledgeCollection).hasMatch())
            return invalid(displayName, which + u" needs a \"knowledgeCollection\" of lower-case letters, digits, '-' or '_'.");
        if (icon.isEmpty() || QDir::isAbsolutePath(icon) || icon.contains(u".."))
            return invalid(displayName, which + u" needs an \"icon\": a file name relative to the catalogue's folder.");
        agent.iconPath = folder.filePath(icon);
        if (QFile iconFile(agent.iconPath); !iconFile.open(QIODevice::ReadOnly) || iconFile.size() == 0)
            return invalid(displayName, which + u" has an icon that cannot be read: " + agent.iconPath + u'.');

        const QJsonValue plans = entry.value(u"plans");
        if (!plans.isUndefined() && !plans.isArray())
            return invalid(displayName, which + u" has \"plans\" that are not a list of plan names.");
        for (const auto &plan : plans.toArray()) {
            const QString name = plan.toString().trimmed();
            if (name.isEmpty())
                return invalid(displayName, which + u" has an empty or non-text plan name in \"plans\".");
            agent.plans << name;
        }
        agent.sortOrder = int(i) + 1;
        catalogue.m_agents << agent;
    }
    return catalogue;
}

std::optional<AgentDefinition> AgentCatalogue::find(const QString &id) const
{
    for (const AgentDefinition &agent : m_agents) {
        if (agent.id == id)
            return agent;
    }
    return std::nullopt;
}

Result<CatalogueSyncReport> AgentCatalogue::sync(const QSqlDatabase &db) const
{
    auto txn = Transaction::begin(db);
    if (!txn)
        return Unexpected(txn.error().withContext(QStringLiteral("Could not update the agents")));

    CatalogueSyncReport report;
    for (const AgentDefinition &agent : m_agents) {
        auto row = execSql(db, QStringLiteral("SELECT name, description, sort_order, system_prompt FROM agents WHERE id = ?"),
                           {agent.id});
        if (!row)
            return Unexpected(row.error());
        if (!row->next()) {
            auto inserted = execSql(db,
                                    QStringLiteral("INSERT INTO agents (id, name, description, system_prompt, sort_order) "
                                                   "VALUES (?, ?, ?, ?, ?)"),
                                    {agent.id, agent.name, agent.description, agent.systemPrompt, agent.sortOrder});
            if (!inserted)
                return Unexpected(inserted.error().withContext(QStringLiteral("Could not add the agent %1").arg(agent.id)));
            for (const QString &plan : agent.plans) {
                // A plan the catalogue names but this database lacks (renamed or deleted) is skipped.
                auto hireable = execSql(db,
                                        QStringLiteral("INSERT INTO plan_agents (plan_id, agent_id) SELECT id, ? FROM plans "
                                                       "WHERE name = ? ON CONFLICT DO NOTHING"),
                                        {agent.id, plan});
                if (!hireable)
                    return Unexpected(hireable.error());
            }
            report.added << agent.id;
            continue;
        }

        const bool changed = row->value(0).toString() != agent.name || row->value(1).toString() != agent.description
            || row->value(2).toInt() != agent.sortOrder;
        const bool promptEmpty = row->value(3).toString().trimmed().isEmpty();
        row->finish();
        if (changed) {
            auto updated = execSql(db, QStringLiteral("UPDATE agents SET name = ?, description = ?, sort_order = ? WHERE id = ?"),
                                   {agent.name, agent.description, agent.sortOrder, agent.id});
            if (!updated)
                return Unexpected(updated.error());
            report.updated << agent.id;
        }
        if (promptEmpty) {
            // Filled only while empty, in SQL too: a prompt is never overwritten, whoever wrote it.
            auto filled = execSql(db, QStringLiteral("UPDATE agents SET system_prompt = ? WHERE id = ? AND trim(system_prompt) = ''"),
                                  {agent.systemPrompt, agent.id});
            if (!filled)
                return Unexpected(filled.error());
            report.promptsFilled << agent.id;
        }
    }

    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(QStringLiteral("Could not update the agents")));
    return report;
}

} // namespace heliodesk
