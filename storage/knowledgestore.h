#pragma once

// SQL for the knowledge base (kb_documents and its full-text index). Every function runs on the
// connection it is given, inside the caller's transaction when there is one.

#include "error.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>

namespace heliodesk::KnowledgeStore {

/// search() marks the matched words of a snippet with these private-use characters; callers turn
/// them into their own markup (Markdown bold, HTML) or remove them.
inline constexpr char16_t MatchStart = u'\uE000';
inline constexpr char16_t MatchEnd = u'\uE001';

struct NewDocument {
    QString agentId;
    QString title;
    QString source;      // the file name or URL it came from
    QString content;     // the text, as it is searched and quoted
    QString contentHash; // SHA-256 of content, hex; unique per agent
    qint64 importedAtMs = 0;
};

struct InsertOutcome {
    qint64 id = 0;
    bool inserted = false; // false: the agent already had a document with this content
};

struct DocumentSummary {
    qint64 id = 0;
    QString title;
    QString source;
    qint64 importedAtMs = 0;
    int characters = 0;
};

struct Passage {
    qint64 documentId = 0;
    QString title;
    QString source;
    QString snippet;              // a short excerpt of the content around the matched words
    bool matchedAllTerms = false; // false: found by the fallback that needs only some of the words
};

/// Inserts a document unless the agent already holds the same content (then returns the existing id).
Result<InsertOutcome> insert(const QSqlDatabase &db, const NewDocument &document);
Result<int> countForAgent(const QSqlDatabase &db, const QString &agentId);
/// When the agent's newest document was imported; nullopt when it has none.
Result<std::optional<qint64>> lastImportedAt(const QSqlDatabase &db, const QString &agentId);
/// The agent's documents, newest first.
Result<QList<DocumentSummary>> list(const QSqlDatabase &db, const QString &agentId);

/// The agent's passages that best match `text`, best first, at most `limit`. Documents holding all
/// the words of the question come first (ranked by BM25 on SQLite, ts_rank on PostgreSQL), then
/// documents holding at least half of them (most words first). `text` is never read as query
/// syntax: any question is safe, and one with no searchable word gives an empty list.
Result<QList<Passage>> search(const QSqlDatabase &db, const QString &agentId, const QString &text, int limit);

/// The words search() looks for: letters and digits only, lower-cased, without duplicates and
/// common English words, at most 32 of them.
QStringList searchTerms(const QString &text);

/// An FTS5 MATCH expression in which every term is a quoted string, so no user text can act as an
/// operator, column filter or prefix: `"inverter" AND "fault"`. Empty for no terms.
enum class TermJoin { All, Any };
QString fts5MatchExpression(const QStringList &terms, TermJoin join);

} // namespace heliodesk::KnowledgeStore
