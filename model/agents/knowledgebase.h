#pragma once

// The reference documents each agent answers from offline: the starter set compiled into the
// program, files an administrator imports, and search over both.

#include "model/clock.h"
#include "storage/database.h"
#include "storage/error.h"
#include "storage/knowledgestore.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace heliodesk {

class AgentCatalogue;

enum class DocumentFormat { Markdown, PlainText, Html };

/// A file turned into what is stored and searched.
struct ParsedDocument {
    DocumentFormat format = DocumentFormat::PlainText;
    QString title;
    QString content;
};

struct ImportedDocument {
    QString path;
    qint64 documentId = 0;
    QString title;
    bool added = false; // false: the agent already had this text, nothing changed
};

struct StarterSetReport {
    int added = 0;
    int alreadyPresent = 0;
};

class KnowledgeBase
{
public:
    /// Larger files are refused: reference documents are text, not data dumps.
    static constexpr qint64 MaxFileBytes = 8 * 1024 * 1024;

    explicit KnowledgeBase(std::shared_ptr<Database> database,
                           std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>());

    /// Adds the starter documents of every catalogue agent (":/knowledge/<collection>/*.md") that are
    /// not there yet, in one transaction; running it again adds nothing. The agents must exist in
    /// the database (AgentCatalogue::sync() first).
    Result<StarterSetReport> indexStarterSet(const AgentCatalogue &catalogue);

    /// Imports one Markdown (.md, .markdown), text (.txt) or HTML (.html, .htm) file for the agent, in
    /// a transaction of its own. The same text imported again is reported with added = false.
    /// Refuses, with a sentence naming the file, a file that is missing, unreadable, too large, of
    /// another type, not UTF-8 text, or without any text.
    Result<ImportedDocument> importFile(const QString &agentId, const QString &path);
    /// importFile() for each path, in order; one file failing does not stop the others.
    QList<Result<ImportedDocument>> importFiles(const QString &agentId, const QStringList &paths);

    /// The agent's passages that best match the question, best first (see KnowledgeStore::search).
    Result<QList<KnowledgeStore::Passage>> search(const QString &agentId, const QString &question, int limit) const;
    Result<int> documentCount(const QString &agentId) const;
    /// When the agent's newest document was imported (UTC); nullopt when it has none.
    Result<std::optional<QDateTime>> lastImport(const QString &agentId) const;
    Result<QList<KnowledgeStore::DocumentSummary>> documents(const QString &agentId) const;

    /// The format a file name stands for; nullopt for a type that cannot be imported.
    static std::optional<DocumentFormat> formatOf(const QString &path);
    /// Reads and converts a file (see importFile() for what is refused).
    static Result<ParsedDocument> readDocument(const QString &path);
    /// Converts file bytes; `fileName` names the file in errors, and its base name is the title
    /// when the text has none (Markdown: front-matter title or first heading; HTML: <title> or <h1>).
    static Result<ParsedDocument> parseDocument(const QByteArray &bytes, DocumentFormat format, const QString &fileName);
    /// HTML to plain text: scripts, styles and tags removed, entities decoded, blocks on lines of
    /// their own. `title` receives the <title> (or first <h1>) when given.
    static QString htmlToText(const QString &html, QString *title = nullptr);
    /// SHA-256 of the text, in hex: the identity of a document within an agent's collection.
    static QString contentHash(const QString &content);

    /// A search snippet as plain text: match marks and Markdown syntax removed, one line.
    static QString plainExcerpt(const QString &snippet);
    /// A search snippet for a Markdown answer: Markdown syntax of the source removed, the rest
    /// escaped, and the matched words in bold.
    static QString markdownExcerpt(const QString &snippet);

private:
    Result<QSqlDatabase> connection() const;

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
