#include "messagesearchstore.h"

#include "sql.h"

#include <QSqlDriver>
#include <QSqlField>
#include <QStringView>

#include <optional>
#include <tuple>
#include <utility>

namespace heliodesk::MessageSearchStore {

namespace {

// Tokens of context snippet() keeps around the matched words: about one line of a results list.
constexpr int SnippetTokens = 14;

/// One hit from the first eight columns both engines' search statements share.
Row rowFrom(const QSqlQuery &q)
{
    Row row;
    row.messageId = q.value(0).toLongLong();
    row.conversationId = q.value(1).toLongLong();
    row.conversationTitle = q.value(2).toString();
    row.agentId = q.value(3).toString();
    row.agentName = q.value(4).toString();
    row.role = messageRoleFromString(q.value(5).toString()).value_or(MessageRole::User);
    row.createdAtMs = q.value(6).toLongLong();
    row.snippet = q.value(7).toString();
    return row;
}

Result<QList<Row>> searchSqlite(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit)
{
    auto q = execSql(db, searchSql(),
                     {ftsQuery, userId, limit, QString(QChar(MatchStart)), QString(QChar(MatchEnd)), QStringLiteral("…"),
                      ftsQuery});
    if (!q)
        return Unexpected(q.error().withContext(QStringLiteral("Searching your conversations failed")));
    QList<Row> rows;
    while (q->next()) {
        rows << rowFrom(*q);
    }
    return rows;
}

// The text search configuration of the messages_search index (migration 4). Every
// to_tsvector() on the messages below is spelled exactly like the index expression
// `to_tsvector('english', content)`, so the planner can use the index.
const QString SearchConfig = QStringLiteral("english");

/// The indexed expression, with the configuration as a literal: a bound value would be a
/// different expression to the planner, which matches index expressions by their text.
QString indexedVector()
{
    return u"to_tsvector('" + SearchConfig + u"', m.content)";
}

/// One quoted string of the FTS5 expression, and whether it ended in `*`.
struct Term {
    QString text;
    bool prefix = false;
};

// search() takes the FTS5 expression SearchService builds: quoted strings ("" inside for a quote),
// the last one perhaps followed by *, joined by " AND ". Anything else is a caller's bug.
std::optional<QList<Term>> parseFtsQuery(const QString &expression)
{
    QList<Term> terms;
    const QStringView text(expression);
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        if (!terms.isEmpty()) {
            if (terms.constLast().prefix || !text.mid(i).startsWith(u" AND "))
                return std::nullopt;
            i += 5;
        }
        if (i >= n || text.at(i) != u'"')
            return std::nullopt;
        Term term;
        ++i;
        for (;;) {
            if (i >= n)
                return std::nullopt;
            if (text.at(i) == u'"') {
                if (i + 1 < n && text.at(i + 1) == u'"') {
                    term.text += u'"';
                    i += 2;
                    continue;
                }
                ++i;
                break;
            }
            term.text += text.at(i);
            ++i;
        }
        if (i < n && text.at(i) == u'*') {
            term.prefix = true;
            ++i;
        }
        terms << term;
    }
    return terms;
}

/// A tsquery in PostgreSQL's own output syntax with its last lexeme made a prefix, as FTS5's `*`
/// makes only the last token of a phrase one.
QString withPrefix(const QString &phrase, bool prefix)
{
    if (!prefix || !phrase.endsWith(u'\''))
        return phrase;
    return phrase + QStringLiteral(":*");
}

QString allOf(const QStringList &queries)
{
    QStringList parts;
    parts.reserve(queries.size());
    for (const QString &query : queries)
        parts << QString(u'(' + query + u')');
    return parts.join(QStringLiteral(" & "));
}

/// `text` without diacritics ("Résumé" → "Resume"): FTS5's remove_diacritics folds them, the
/// 'english' configuration keeps them.
QString withoutDiacritics(const QString &text)
{
    const QString decomposed = text.normalized(QString::NormalizationForm_D);
    QString folded;
    folded.reserve(decomposed.size());
    for (const QChar c : decomposed) {
        if (c.category() != QChar::Mark_NonSpacing)
            folded.append(c);
    }
    return folded.normalized(QString::NormalizationForm_C);
}

/// Alternatives as one tsquery: "(a) | (b)".
QString anyOf(const QStringList &queries)
{
    if (queries.size() == 1)
        return queries.constFirst();
    QStringList parts;
    parts.reserve(queries.size());
    for (const QString &query : queries)
        parts << QString(u'(' + query + u')');
    return parts.join(QStringLiteral(" | "));
}

/// The tsqueries a search runs on PostgreSQL, as text. `stemmed` (the index's configuration: words
/// stemmed, stop words left out) holds the terms that have a lexeme there; `exact` (the 'simple'
/// configuration: lower-cased words, no stemming, no stop words) the terms made of stop words only
/// ("or", "it's"), which FTS5 finds as words like any other. Both empty: nothing to search for.
struct PostgresQuery {
    QString stemmed;
    QString exact;
};

Result<PostgresQuery> postgresQuery(const QSqlDatabase &db, const QList<Term> &terms)
{
    // phraseto_tsquery() reads any text as words (never as syntax), keeps a quoted phrase's words
    // in order and normalizes them exactly as to_tsvector() does the messages'. A term with
    // diacritics is looked for as typed and without them, so "RÉSUMÉ" finds "resume" as on SQLite.
    QStringList columns;
    QVariantList values;
    QList<QStringList> variants;
    for (const Term &term : terms) {
        QStringList spellings{term.text};
        const QString folded = withoutDiacritics(term.text);
        if (folded != term.text)
            spellings << folded;
        for (const QString &spelling : std::as_const(spellings)) {
            columns << QStringLiteral("CAST(phraseto_tsquery(CAST(? AS regconfig), CAST(? AS TEXT)) AS TEXT)")
                    << QStringLiteral("CAST(phraseto_tsquery('simple', CAST(? AS TEXT)) AS TEXT)");
            values << SearchConfig << spelling << spelling;
        }
        variants << spellings;
    }
    auto q = execSql(db, u"SELECT " + columns.join(QStringLiteral(", ")), values);
    if (!q)
        return Unexpected(q.error().withContext(QStringLiteral("Searching your conversations failed")));
    if (!q->next())
        return fail(ErrorCode::Internal, QStringLiteral("Searching your conversations failed because of an internal error."),
                    QStringLiteral("phraseto_tsquery returned no row"));
    QStringList stemmed;
    QStringList exact;
    int column = 0;
    for (qsizetype i = 0; i < terms.size(); ++i) {
        QStringList english;
        QStringList simple;
        for (qsizetype v = 0; v < variants.at(i).size(); ++v) {
            const QString e = withPrefix(q->value(column++).toString(), terms.at(i).prefix);
            const QString x = withPrefix(q->value(column++).toString(), terms.at(i).prefix);
            if (!e.isEmpty() && !english.contains(e))
                english << e;
            if (!x.isEmpty() && !simple.contains(x))
                simple << x;
        }
        if (!english.isEmpty())
            stemmed << anyOf(english);
        else if (!simple.isEmpty())
            exact << anyOf(simple);
    }
    return PostgresQuery{allOf(stemmed), allOf(exact)};
}

/// The PostgreSQL statement and its values for `query`; see search().
std::pair<QString, QVariantList> postgresSearchSql(const PostgresQuery &query, qint64 userId, int limit)
{
    const bool stemmed = !query.stemmed.isEmpty();
    QVariantList values;
    QString score = QStringLiteral("CAST(0 AS REAL)");
    QString where = QStringLiteral("m.status <> 'streaming' AND c.user_id = ?");
    if (stemmed) {
        // Normalization 1 divides the rank by the log of the length, so a word counts more in a
        // short message than in a long one, as with BM25.
        score = u"ts_rank_cd(" + indexedVector() + u", CAST(? AS tsquery), 1)";
        values << query.stemmed;
    }
    values << userId;
    if (stemmed) {
        where += u" AND " + indexedVector() + u" @@ CAST(? AS tsquery)";
        values << query.stemmed;
    }
    if (!query.exact.isEmpty()) {
        // Checked on the rows the index found, or on the user's messages when only stop words
        // were typed.
        where += QStringLiteral(" AND to_tsvector('simple', m.content) @@ CAST(? AS tsquery)");
        values << query.exact;
    }
    values << limit;

    // ts_headline() marks the matches and keeps about SnippetTokens words around them; a message
    // that short is shown whole. With only stop words typed, the exact query picks the matches.
    const QString markers = QString(QChar(MatchStart)) + QChar(MatchEnd);
    const QString selectors = u"StartSel=" + QChar(MatchStart) + u", StopSel=" + QChar(MatchEnd);
    const QString fragment =
        selectors + QStringLiteral(", MaxFragments=1, MaxWords=%1, MinWords=%2").arg(SnippetTokens).arg(SnippetTokens / 2);
    const QString whole = selectors + QStringLiteral(", HighlightAll=true");
    const QString headlineConfig = stemmed ? SearchConfig : QStringLiteral("simple");
    const QString headlineQuery = stemmed ? query.stemmed : query.exact;
    values << markers << markers << markers << headlineConfig << headlineQuery << whole << headlineConfig << headlineQuery
           << fragment;

    // As on SQLite, the best rows are chosen first and ts_headline(), which parses the whole text
    // again, runs only for them. The two booleans tell whether the snippet starts and ends where
    // the message does; where not, search() adds an ellipsis like snippet() does.
    const QString sql =
        QString(u"WITH best AS ("
                u"  SELECT m.id AS id, " + score + u" AS score, m.created_at AS created_at "
                u"  FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                u"  WHERE " + where + u" "
                u"  ORDER BY score DESC, m.created_at DESC, m.id DESC LIMIT ?) "
                u"SELECT m.id, m.conversation_id, c.title, c.agent_id, COALESCE(a.name, c.agent_id), m.role, m.created_at, "
                u"       h.marked, starts_with(btrim(m.content), translate(h.marked, ?, '')), "
                u"       right(btrim(m.content), length(translate(h.marked, ?, ''))) = translate(h.marked, ?, '') "
                u"FROM best "
                u"JOIN messages m ON m.id = best.id "
                u"JOIN conversations c ON c.id = m.conversation_id "
                u"LEFT JOIN agents a ON a.id = c.agent_id "
                u"CROSS JOIN LATERAL (SELECT CASE "
                u"  WHEN length(m.content) <= 400 "
                u"   AND array_length(regexp_split_to_array(btrim(m.content), '\\s+'), 1) <= %1 "
                u"  THEN ts_headline(CAST(? AS regconfig), m.content, CAST(? AS tsquery), ?) "
                u"  ELSE ts_headline(CAST(? AS regconfig), m.content, CAST(? AS tsquery), ?) END AS marked) h "
                u"ORDER BY best.score DESC, best.created_at DESC, best.id DESC")
            .arg(SnippetTokens);
    return {sql, values};
}

Result<QList<Row>> searchPostgres(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit)
{
    const std::optional<QList<Term>> terms = parseFtsQuery(ftsQuery);
    if (!terms)
        return fail(ErrorCode::Internal, QStringLiteral("Searching your conversations failed because of an internal error."),
                    u"MessageSearchStore::search got an expression it did not build: " + ftsQuery);
    auto query = postgresQuery(db, *terms);
    if (!query)
        return Unexpected(query.error());
    if (query->stemmed.isEmpty() && query->exact.isEmpty())
        return QList<Row>();
    const auto [sql, values] = postgresSearchSql(*query, userId, limit);
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error().withContext(QStringLiteral("Searching your conversations failed")));
    const QString ellipsis = QStringLiteral("…");
    QList<Row> rows;
    while (q->next()) {
        Row row = rowFrom(*q);
        if (!q->value(8).toBool())
            row.snippet.prepend(ellipsis);
        if (!q->value(9).toBool())
            row.snippet.append(ellipsis);
        rows << row;
    }
    return rows;
}

} // namespace

QString searchSql()
{
    // The best rows are chosen first and snippet() runs only for them: computed in the ranking
    // query it would read back and re-tokenize every matching message before the LIMIT applies.
    // The outer MATCH on the chosen rowids gives snippet() its query context; FTS5 answers it by
    // seeking to each rowid.
    static const QString sql = QStringLiteral("WITH best AS ("
                                              "  SELECT m.id AS id, bm25(messages_fts) AS score, m.created_at AS created_at "
                                              "  FROM messages_fts "
                                              "  JOIN messages m ON m.id = messages_fts.rowid "
                                              "  JOIN conversations c ON c.id = m.conversation_id "
                                              "  WHERE messages_fts MATCH ? AND c.user_id = ? "
                                              "  ORDER BY score, m.created_at DESC, m.id DESC LIMIT ?) "
                                              "SELECT m.id, m.conversation_id, c.title, c.agent_id, COALESCE(a.name, c.agent_id), "
                                              "       m.role, m.created_at, snippet(messages_fts, 0, ?, ?, ?, %1) "
                                              "FROM best "
                                              "JOIN messages_fts ON messages_fts.rowid = best.id "
                                              "JOIN messages m ON m.id = best.id "
                                              "JOIN conversations c ON c.id = m.conversation_id "
                                              "LEFT JOIN agents a ON a.id = c.agent_id "
                                              "WHERE messages_fts MATCH ? "
                                              "ORDER BY best.score, best.created_at DESC, best.id DESC")
                                   .arg(SnippetTokens);
    return sql;
}

Result<QList<Row>> search(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit)
{
    if (ftsQuery.isEmpty() || limit <= 0)
        return QList<Row>();
    if (db.driverName() == u"QPSQL")
        return searchPostgres(db, userId, ftsQuery, limit);
    return searchSqlite(db, userId, ftsQuery, limit);
}

Result<QString> searchPlan(const QSqlDatabase &db, qint64 userId, const QString &ftsQuery, int limit)
{
    QString sql;
    QVariantList values;
    if (db.driverName() == u"QPSQL") {
        const std::optional<QList<Term>> terms = parseFtsQuery(ftsQuery);
        if (!terms)
            return fail(ErrorCode::InvalidInput, QStringLiteral("That is not a search expression."), ftsQuery);
        auto query = postgresQuery(db, *terms);
        if (!query)
            return Unexpected(query.error());
        QVariantList bound;
        std::tie(sql, bound) = postgresSearchSql(*query, userId, limit);
        // PostgreSQL cannot PREPARE an EXPLAIN: the values go into the text as literals, quoted by
        // the driver, which is also what the planner sees for a statement prepared afresh.
        QString inlined;
        qsizetype next = 0;
        for (const QChar c : std::as_const(sql)) {
            if (c == u'?' && next < bound.size()) {
                QSqlField field(QString(), bound.at(next).metaType());
                field.setValue(bound.at(next++));
                inlined += db.driver()->formatValue(field);
            } else {
                inlined += c;
            }
        }
        sql = u"EXPLAIN " + inlined;
    } else {
        sql = u"EXPLAIN QUERY PLAN " + searchSql();
        values = {ftsQuery, userId, limit, QString(QChar(MatchStart)), QString(QChar(MatchEnd)), QStringLiteral("…"), ftsQuery};
    }
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error());
    // EXPLAIN gives one line per row; EXPLAIN QUERY PLAN gives (id, parent, notused, detail).
    const int column = db.driverName() == u"QPSQL" ? 0 : 3;
    QStringList lines;
    while (q->next())
        lines << q->value(column).toString();
    return lines.join(u'\n');
}

} // namespace heliodesk::MessageSearchStore
