#include "agentadminservice.h"

#include "model/authorization.h"

#include "storage/transaction.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace heliodesk {

namespace {

Error noSuchAgent(const QString &agentId)
{
    return Error(ErrorCode::NotFound, QStringLiteral("There is no agent “%1”. Reload the list and choose another.").arg(agentId));
}

} // namespace

int DocumentImportReport::added() const
{
    return static_cast<int>(std::count_if(imported.cbegin(), imported.cend(), [](const ImportedDocument &d) { return d.added; }));
}

AgentAdminService::AgentAdminService(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

Result<QList<AgentStore::AgentSettings>> AgentAdminService::listAgents(const Actor &actor)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return AgentStore::list(*db);
}

Result<AgentStore::AgentSettings> AgentAdminService::updateAgent(const Actor &actor, const QString &agentId, const AgentChanges &changes)
{
    std::optional<QString> model;
    if (changes.model) {
        model = changes.model->trimmed();
        if (model->size() > MaxModelCharacters)
            return fail(ErrorCode::InvalidInput, QStringLiteral("A model name can have at most %1 characters.").arg(MaxModelCharacters));
        if (model->contains(QLatin1Char('\n')) || model->contains(QLatin1Char('\r')))
            return fail(ErrorCode::InvalidInput, QStringLiteral("A model name is one line; remove the line breaks."));
    }
    if (changes.systemPrompt && changes.systemPrompt->size() > MaxPromptCharacters)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A system prompt can have at most %1 characters; this one has %2. Shorten it.")
                        .arg(MaxPromptCharacters)
                        .arg(changes.systemPrompt->size()));

    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto current = AgentStore::find(*db, agentId);
    if (!current)
        return Unexpected(current.error());
    if (!*current)
        return Unexpected(noSuchAgent(agentId));
    const AgentStore::AgentSettings before = **current;

    QJsonObject details;
    if (changes.enabled && *changes.enabled != before.enabled) {
        if (auto set = AgentStore::setEnabled(*db, agentId, *changes.enabled); !set)
            return Unexpected(set.error());
        details.insert(QStringLiteral("enabled"), QJsonObject{{QStringLiteral("from"), before.enabled}, {QStringLiteral("to"), *changes.enabled}});
    }
    if (changes.systemPrompt && *changes.systemPrompt != before.systemPrompt) {
        if (auto set = AgentStore::setSystemPrompt(*db, agentId, *changes.systemPrompt); !set)
            return Unexpected(set.error());
        // The prompt itself can be long; the log keeps its size so the entry stays readable.
        details.insert(QStringLiteral("system_prompt"),
                       QJsonObject{{QStringLiteral("from_characters"), static_cast<int>(before.systemPrompt.size())},
                                   {QStringLiteral("to_characters"), static_cast<int>(changes.systemPrompt->size())}});
    }
    if (model && *model != before.model) {
        if (auto set = AgentStore::setModel(*db, agentId, *model); !set)
            return Unexpected(set.error());
        details.insert(QStringLiteral("model"), QJsonObject{{QStringLiteral("from"), before.model}, {QStringLiteral("to"), *model}});
    }
    if (details.isEmpty())
        return before; // nothing changed, nothing to record
    if (auto audited = writeAudit(*db, actor, m_clock->nowMs(), QStringLiteral("agent.update"), QStringLiteral("agent"), agentId,
                                  before.name, details);
        !audited)
        return Unexpected(audited.error());
    auto after = AgentStore::find(*db, agentId);
    if (!after)
        return Unexpected(after.error());
    if (!*after)
        return Unexpected(noSuchAgent(agentId));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return **after;
}

Result<QList<KnowledgeStore::DocumentSummary>> AgentAdminService::documents(const Actor &actor, const QString &agentId)
{
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    return KnowledgeStore::list(*db, agentId);
}

Result<DocumentImportReport> AgentAdminService::importDocuments(const Actor &actor, const QString &agentId, const QStringList &paths)
{
    if (paths.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("Choose at least one document to import."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    // Checked before any file is read, and again in the transaction that writes.
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());

    DocumentImportReport report;
    struct Readable {
        QString path;
        ParsedDocument document;
    };
    QList<Readable> readable;
    for (const QString &path : paths) {
        auto parsed = KnowledgeBase::readDocument(path);
        if (parsed)
            readable.append(Readable{path, *parsed});
        else
            report.problems << parsed.error().message();
    }
    if (readable.isEmpty())
        return report;

    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error());
    if (auto allowed = requireAdmin(*db, actor); !allowed)
        return Unexpected(allowed.error());
    auto agent = AgentStore::find(*db, agentId);
    if (!agent)
        return Unexpected(agent.error());
    if (!*agent)
        return Unexpected(noSuchAgent(agentId));
    const qint64 now = m_clock->nowMs();
    QJsonArray files;
    for (const Readable &file : std::as_const(readable)) {
        KnowledgeStore::NewDocument row;
        row.agentId = agentId;
        row.title = file.document.title;
        row.source = QFileInfo(file.path).fileName();
        row.content = file.document.content;
        row.contentHash = KnowledgeBase::contentHash(file.document.content);
        row.importedAtMs = now;
        auto inserted = KnowledgeStore::insert(*db, row);
        if (!inserted)
            return Unexpected(inserted.error().withContext(QStringLiteral("Could not import %1").arg(file.path)));
        report.imported.append(ImportedDocument{file.path, inserted->id, file.document.title, inserted->inserted});
        files.append(QJsonObject{{QStringLiteral("file"), row.source},
                                 {QStringLiteral("title"), row.title},
                                 {QStringLiteral("added"), inserted->inserted}});
    }
    if (auto audited = writeAudit(*db, actor, now, QStringLiteral("agent.import"), QStringLiteral("agent"), agentId, (*agent)->name,
                                  {{QStringLiteral("documents"), files}, {QStringLiteral("not_imported"), static_cast<int>(report.problems.size())}});
        !audited)
        return Unexpected(audited.error());
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error());
    return report;
}

} // namespace heliodesk
