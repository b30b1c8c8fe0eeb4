#include "searchservice.h"

#include <QRegularExpression>

#include "storage/messagesearchstore.h"
#include "storage/transaction.h"
#include "storage/userstore.h"

#include <QStringView>

#include <algorithm>
#include <tuple>

namespace heliodesk {

namespace {

// What FTS5's unicode61 tokenizer keeps as token characters by default (categories L*, N*, Co).
// A word without one is all separators: as a quoted string it would be an empty phrase, which
// matches no row and would make the whole AND match nothing.
bool hasTokenCharacter(QStringView text)
{
    const QList<uint> codePoints = text.toUcs4();
    return std::any_of(codePoints.cbegin(), codePoints.cend(), [](uint codePoint) {
        const auto c = char32_t(codePoint);
        return QChar::isLetterOrNumber(c) || QChar::category(c) == QChar::Other_PrivateUse;
    });
}

QString quoted(QStringView text)
{
    QString escaped = text.toString();
    escaped.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

struct Term {
    QStringView text;
    bool closedPhrase = false; // a "quoted phrase" whose closing quote was typed: complete, no prefix
};

} // namespace

SearchService::SearchService(std::shared_ptr<Database> database)
    : m_database(std::move(database))
{
}

QString SearchService::ftsQuery(const QString &typed)
{
    // Control characters (a NUL above all, which would end the query string early) separate words.
    QString cleaned = typed;
    for (QChar &c : cleaned) {
        if (c.category() == QChar::Other_Control)
            c = u' ';
    }
    const QStringView text(cleaned);
    const qsizetype n = text.size();
    QList<Term> terms;
    qsizetype i = 0;
    while (i < n && terms.size() < MaxWords) {
        const QChar c = text.at(i);
        if (c.isSpace()) {
            ++i;
        } else if (c == u'"') {
            const qsizetype close = text.indexOf(u'"', i + 1);
            const qsizetype end = close < 0 ? n : close;
            const QStringView phrase = text.mid(i + 1, end - i - 1);
            if (hasTokenCharacter(phrase))
                terms.append(Term{phrase, close >= 0});
            i = close < 0 ? n : close + 1;
        } else {
            // A word runs to the next space or quote: `inverter"fault` is two words, as it looks.
            qsizetype end = i;
            while (end < n && !text.at(end).isSpace() && text.at(end) != u'"')
                ++end;
            const QStringView word = text.mid(i, end - i);
            if (hasTokenCharacter(word))
                terms.append(Term{word, false});
            i = end;
        }
    }
    QStringList parts;
    parts.reserve(terms.size());
    for (const Term &term : std::as_const(terms))
        parts << quoted(term.text);
    if (!terms.isEmpty() && !terms.constLast().closedPhrase)
        parts.last() += u'*';
    return parts.join(QStringLiteral(" AND "));
}

QString SearchService::withoutMarkdownMarks(const QString &snippet)
{
    // A passage reads as text: no emphasis stars, code ticks, heading hashes or list bullets.
    // The match markers are characters of their own, so the ranges parsed afterwards stay right.
    static const QRegularExpression marks(QStringLiteral("\\*{1,3}|`+|(^|\\n)\\s*(#{1,6}|[-+*]|>)\\s+"));
    QString text = snippet;
    text.replace(marks, QStringLiteral("\\1"));
    text.replace(u'\n', u' ');
    return text;
}

std::pair<QString, QList<std::pair<int, int>>> SearchService::parseSnippet(const QString &marked)
{
    QString plain;
    plain.reserve(marked.size());
    QList<std::pair<int, int>> ranges;
    int openedAt = -1;
    for (const QChar c : marked) {
        if (c == MessageSearchStore::MatchStart) {
            openedAt = int(plain.size());
        } else if (c == MessageSearchStore::MatchEnd) {
            if (openedAt >= 0 && plain.size() > openedAt)
                ranges.append({openedAt, int(plain.size()) - openedAt});
            openedAt = -1;
        } else if (c.isSpace()) {
            if (!plain.isEmpty() && plain.back() != u' ')
                plain.append(u' ');
        } else {
            plain.append(c);
        }
    }
    while (plain.endsWith(u' '))
        plain.chop(1);
    // A match never ends in a space (tokens have none), but a range must stay inside the text.
    for (auto &range : ranges)
        range.second = std::min(range.second, int(plain.size()) - range.first);
    ranges.removeIf([](const std::pair<int, int> &range) { return range.second <= 0; });
    return {plain, ranges};
}

Result<QList<SearchHit>> SearchService::search(const Actor &actor, const QString &typed, int limit)
{
    if (!actor.userId())
        return fail(ErrorCode::NotAllowed, QStringLiteral("Not allowed: sign in to search your conversations."));
    auto db = m_database->connection();
    if (!db)
        return Unexpected(db.error());
    // One snapshot for the rights check and the search.
    auto txn = Transaction::begin(*db, Transaction::Mode::Read);
    if (!txn)
        return Unexpected(txn.error());
    auto user = UserStore::findById(*db, *actor.userId());
    if (!user)
        return Unexpected(user.error());
    if (!*user)
        return fail(ErrorCode::NotFound, QStringLiteral("That user does not exist (any more)."));
    if ((*user)->status != UserStatus::Active)
        return fail(ErrorCode::NotAllowed,
                    QStringLiteral("This account is disabled, so it cannot search its conversations. "
                                   "Ask an administrator to enable it."));

    const QString query = ftsQuery(typed);
    if (query.isEmpty() || limit <= 0)
        return QList<SearchHit>();
    auto rows = MessageSearchStore::search(*db, *actor.userId(), query, std::min(limit, MaxLimit));
    if (!rows)
        return Unexpected(rows.error());
    QList<SearchHit> hits;
    hits.reserve(rows->size());
    for (const MessageSearchStore::Row &row : std::as_const(*rows)) {
        SearchHit hit;
        hit.messageId = row.messageId;
        hit.conversationId = row.conversationId;
        hit.conversationTitle = row.conversationTitle;
        hit.agentId = row.agentId;
        hit.agentName = row.agentName;
        hit.role = row.role;
        std::tie(hit.snippet, hit.highlights) = parseSnippet(withoutMarkdownMarks(row.snippet));
        hit.createdAtMs = row.createdAtMs;
        hits << hit;
    }
    return hits;
}

} // namespace heliodesk
