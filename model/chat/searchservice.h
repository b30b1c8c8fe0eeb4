#pragma once

// Full-text search over the signed-in user's own conversations: what a person types becomes an
// FTS5 query in which nothing acts as syntax, and each hit comes with a plain-text snippet and the
// ranges of its matched words.

#include "model/actor.h"
#include "model/chat/searchhit.h"

#include "storage/database.h"
#include "storage/error.h"

#include <memory>

namespace heliodesk {

class SearchService
{
public:
    /// At most this many words of what was typed are searched for.
    static constexpr int MaxWords = 32;
    /// search() returns at most this many hits whatever limit it is given.
    static constexpr int MaxLimit = 500;

    explicit SearchService(std::shared_ptr<Database> database);

    /// The actor's messages that contain every word typed (the last one also as the start of a
    /// word, for search as you type), best match first, then newest. Blank text finds nothing and
    /// is not an error. Another user's conversations are never searched; answers still streaming
    /// are found once they finish.
    Result<QList<SearchHit>> search(const Actor &actor, const QString &typed, int limit = 50);

    /// The FTS5 MATCH expression for what a person typed: each word a quoted string ("" doubled
    /// inside), "quoted phrases" kept as phrases (an unclosed quote runs to the end), all ANDed,
    /// the last word or an unclosed phrase as a prefix (*). Operators, parentheses, colons, NEAR,
    /// ^, - and * typed by a person are only text. Words with no letter or digit are left out;
    /// empty when nothing searchable remains.
    static QString ftsQuery(const QString &typed);

    /// Splits a snippet with MatchStart/MatchEnd markers into plain text (whitespace runs folded
    /// into one space, so it fits one line) and the (start, length) ranges that were marked.
    static std::pair<QString, QList<std::pair<int, int>>> parseSnippet(const QString &marked);
    /// A snippet without Markdown's marks ("**", "`", "# ", "- "), line breaks as spaces.
    static QString withoutMarkdownMarks(const QString &snippet);

private:
    std::shared_ptr<Database> m_database;
};

} // namespace heliodesk
