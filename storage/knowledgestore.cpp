#include "knowledgestore.h"

#include "sql.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace heliodesk::KnowledgeStore {

namespace {

constexpr int MaxTerms = 32;
constexpr int MaxTermLength = 64;
// Tokens of context snippet() keeps around the matched words (FTS5 allows up to 64).
constexpr int SnippetTokens = 40;

bool isSqlite(const QSqlDatabase &db)
{
    return db.driverName() == u"QSQLITE";
}

// Words that occur in almost every question and every document. Searching for them would make any
// question "match" any document, so the answer for an off-topic question could never be "nothing".
const QSet<QString> &stopWords()
{
    static const QSet<QString> words = [] {
        QSet<QString> set;
        const char *const list[] = {
            "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
            "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
            "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "get", "give", "had", "has",
            "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it",
            "its", "itself", "just", "know", "let", "me", "more", "most", "my", "need", "no", "nor", "not", "now", "of",
            "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "please", "same", "she",
            "should", "so", "some", "such", "tell", "than", "that", "the", "their", "theirs", "them", "then", "there",
            "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "very", "was", "we",
            "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
            "your", "yours", "s", "t", "d", "ll", "m", "re", "ve", "don", "doesn", "isn", "aren", "won",
        };
        for (const char *word : list)
            set.insert(QString::fromLatin1(word));
        return set;
    }();
    return words;
}

QString quoted(const QString &term)
{
    QString escaped = term;
    escaped.replace(u'"', QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

Passage readPassage(const QSqlQuery &q, bool matchedAll)
{
    Passage p;
    p.documentId = q.value(0).toLongLong();
    p.title = q.value(1).toString();
    p.source = q.value(2).toString();
    p.snippet = q.value(3).toString();
    p.matchedAllTerms = matchedAll;
    return p;
}

Result<QList<Passage>> searchSqlite(const QSqlDatabase &db, const QString &agentId, const QString &match, bool matchedAll,
                                    int limit)
{
    // bm25() is smaller for better matches; a word in the title counts four times as much as one
    // in the text. The agent filter runs on the joined rows, so one index serves every agent.
    auto q = execSql(db,
                     QStringLiteral("SELECT d.id, d.title, d.source, snippet(kb_fts, 1, ?, ?, ?, %1) "
                                    "FROM kb_fts JOIN kb_documents d ON d.id = kb_fts.rowid "
                                    "WHERE kb_fts MATCH ? AND d.agent_id = ? "
                                    "ORDER BY bm25(kb_fts, 4.0, 1.0) LIMIT ?")
                         .arg(SnippetTokens),
                     {QString(QChar(MatchStart)), QString(QChar(MatchEnd)), QStringLiteral("…"), match, agentId, limit});
    if (!q)
        return Unexpected(q.error().withContext(QStringLiteral("Searching the knowledge base failed")));
    QList<Passage> passages;
    while (q->next())
        passages << readPassage(*q, matchedAll);
    return passages;
}

Result<QList<Passage>> searchPostgres(const QSqlDatabase &db, const QString &agentId, const QStringList &terms,
                                      TermJoin join, int limit)
{
    // plainto_tsquery() reads any text without syntax errors; one per term, combined with && or ||,
    // gives the same all-words / any-word semantics as the FTS5 expression. The document vector is
    // spelled exactly like the expression of the kb_documents_search index, so the index is used.
    QStringList parts;
    QVariantList values{QString(u"StartSel=" + QChar(MatchStart) + u", StopSel=" + QChar(MatchEnd)
                                + u", MaxWords=35, MinWords=15, ShortWord=2, FragmentDelimiter=\" … \", MaxFragments=1")};
    for (const QString &term : terms) {
        parts << QStringLiteral("plainto_tsquery('english', ?)");
        values << term;
    }
    values << agentId << limit;
    const QString query = parts.join(join == TermJoin::All ? QStringLiteral(" && ") : QStringLiteral(" || "));
    auto q = execSql(db,
                     u"SELECT d.id, d.title, d.source, ts_headline('english', d.content, q.query, ?) "
                     u"FROM kb_documents d, (SELECT " + query + u" AS query) q "
                     u"WHERE d.agent_id = ? AND to_tsvector('english', d.title || ' ' || d.content) @@ q.query "
                     u"ORDER BY ts_rank(to_tsvector('english', d.title || ' ' || d.content), q.query) DESC, d.id LIMIT ?",
                     values);
    if (!q)
        return Unexpected(q.error().withContext(QStringLiteral("Searching the knowledge base failed")));
    QList<Passage> passages;
    while (q->next())
        passages << readPassage(*q, join == TermJoin::All);
    return passages;
}

} // namespace

QStringList searchTerms(const QString &text)
{
    QStringList terms;
    QSet<QString> seen;
    QString current;
    auto flush = [&] {
        if (current.isEmpty())
            return;
        const QString term = current.left(MaxTermLength).toLower();
        current.clear();
        // One letter says nothing ("a", the "1" of "IEC 61724-1"); stop words match everything.
        if (term.size() < 2 || stopWords().contains(term) || seen.contains(term))
            return;
        seen.insert(term);
        terms << term;
    };
    const QList<uint> codePoints = text.toUcs4();
    for (const uint codePoint : codePoints) {
        if (terms.size() >= MaxTerms)
            break;
        const auto c = char32_t(codePoint);
        // Letters, digits and the combining marks of decomposed accents stay; everything else
        // (punctuation, quotes, operators, emoji) separates words, like FTS5's unicode61 tokenizer.
        if (QChar::isLetterOrNumber(c) || QChar::category(c) == QChar::Mark_NonSpacing) {
            if (!current.isEmpty() || QChar::isLetterOrNumber(c))
                current.append(QString::fromUcs4(&c, 1));
        } else {
            flush();
        }
    }
    if (terms.size() < MaxTerms)
        flush();
    return terms;
}

QString fts5MatchExpression(const QStringList &terms, TermJoin join)
{
    QStringList parts;
    parts.reserve(terms.size());
    for (const QString &term : terms)
        parts << quoted(term);
    return parts.join(join == TermJoin::All ? QStringLiteral(" AND ") : QStringLiteral(" OR "));
}

Result<InsertOutcome> insert(const QSqlDatabase &db, const NewDocument &document)
{
    // ON CONFLICT DO NOTHING rather than a look-up first: two importers of the same file (two
    // windows, or heliodeskctl next to the app) cannot both insert it.
    auto q = execSql(db,
                     QStringLiteral("INSERT INTO kb_documents (agent_id, title, source, content, content_hash, imported_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id, content_hash) DO NOTHING RETURNING id"),
                     {document.agentId, document.title, document.source, document.content, document.contentHash,
                      document.importedAtMs});
    if (!q)
        return Unexpected(q.error());
    if (q->next()) {
        InsertOutcome outcome{q->value(0).toLongLong(), true};
        q->finish(); // a RETURNING statement stays in progress until finished, and would block COMMIT
        return outcome;
    }
    q->finish();
    auto existing = scalar(db, QStringLiteral("SELECT id FROM kb_documents WHERE agent_id = ? AND content_hash = ?"),
                           {document.agentId, document.contentHash});
    if (!existing)
        return Unexpected(existing.error());
    if (existing->isNull())
        return fail(ErrorCode::Internal, QStringLiteral("Saving the document failed because of an internal error."),
                    QStringLiteral("kb_documents insert returned no row and no existing row for hash ") + document.contentHash);
    return InsertOutcome{existing->toLongLong(), false};
}

Result<int> countForAgent(const QSqlDatabase &db, const QString &agentId)
{
    auto count = scalar(db, QStringLiteral("SELECT count(*) FROM kb_documents WHERE agent_id = ?"), {agentId}, 0);
    if (!count)
        return Unexpected(count.error());
    return count->toInt();
}

Result<std::optional<qint64>> lastImportedAt(const QSqlDatabase &db, const QString &agentId)
{
    auto last = scalar(db, QStringLiteral("SELECT MAX(imported_at) FROM kb_documents WHERE agent_id = ?"), {agentId});
    if (!last)
        return Unexpected(last.error());
    if (last->isNull())
        return std::optional<qint64>();
    return std::optional<qint64>(last->toLongLong());
}

Result<QList<DocumentSummary>> list(const QSqlDatabase &db, const QString &agentId)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT id, title, source, imported_at, length(content) FROM kb_documents "
                                    "WHERE agent_id = ? ORDER BY imported_at DESC, id DESC"),
                     {agentId});
    if (!q)
        return Unexpected(q.error());
    QList<DocumentSummary> documents;
    while (q->next())
        documents << DocumentSummary{q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(),
                                     q->value(3).toLongLong(), q->value(4).toInt()};
    return documents;
}

Result<QList<Passage>> search(const QSqlDatabase &db, const QString &agentId, const QString &text, int limit)
{
    const QStringList terms = searchTerms(text);
    if (terms.isEmpty() || limit <= 0)
        return QList<Passage>();

    const auto run = [&](TermJoin join, int rows) -> Result<QList<Passage>> {
        if (isSqlite(db))
            return searchSqlite(db, agentId, fts5MatchExpression(terms, join), join == TermJoin::All, rows);
        return searchPostgres(db, agentId, terms, join, rows);
    };

    auto passages = run(TermJoin::All, limit);
    if (!passages)
        return passages;
    if (passages->size() >= limit || terms.size() == 1)
        return passages;

    // Too few documents hold every word: fill up with those that hold at least half of them, most
    // words first. Half, not one: a question about lasagne that happens to say "good" should find
    // nothing rather than a document that uses "good" once.
    auto some = run(TermJoin::Any, std::max(limit * 8, 32));
    if (!some)
        return Unexpected(some.error());
    QSet<qint64> have;
    for (const Passage &p : std::as_const(*passages))
        have.insert(p.documentId);
    QList<Passage> candidates;
    for (const Passage &p : std::as_const(*some)) {
        if (!have.contains(p.documentId))
            candidates << p;
    }
    if (candidates.isEmpty())
        return passages;

    const int needed = int((terms.size() + 1) / 2);
    QHash<qint64, int> wordsFound;
    if (needed > 1) {
        QStringList placeholders;
        QVariantList ids;
        for (const Passage &p : std::as_const(candidates)) {
            placeholders << QStringLiteral("?");
            ids << p.documentId;
        }
        const QString idList = placeholders.join(u',');
        const QString sql = isSqlite(db)
            ? QString(u"SELECT rowid FROM kb_fts WHERE kb_fts MATCH ? AND rowid IN (" + idList + u')')
            : QString(u"SELECT id FROM kb_documents WHERE to_tsvector('english', title || ' ' || content) "
                      u"@@ plainto_tsquery('english', ?) AND id IN (" + idList + u')');
        for (const QString &term : terms) {
            QVariantList values{isSqlite(db) ? fts5MatchExpression({term}, TermJoin::All) : term};
            values += ids;
            auto hits = execSql(db, sql, values);
            if (!hits)
                return Unexpected(hits.error().withContext(QStringLiteral("Searching the knowledge base failed")));
            while (hits->next())
                ++wordsFound[hits->value(0).toLongLong()];
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [&wordsFound](const Passage &a, const Passage &b) {
        return wordsFound.value(a.documentId) > wordsFound.value(b.documentId);
    });
    for (const Passage &p : std::as_const(candidates)) {
        if (passages->size() >= limit)
            break;
        if (needed <= 1 || wordsFound.value(p.documentId) >= needed)
            passages->append(p);
    }
    return passages;
}

} // namespace heliodesk::KnowledgeStore
