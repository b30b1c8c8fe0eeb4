#include "knowledgebase.h"

#include "agentcatalogue.h"

#include "resources/heliodeskresources.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QStringDecoder>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcKnowledge, "heliodesk.knowledge", QtInfoMsg)

namespace {

QRegularExpression pattern(const QString &expression)
{
    return QRegularExpression(expression, QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
}

QString normalizeLineEnds(QString text)
{
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(u'\r', u'\n');
    return text;
}

QString collapseSpaces(const QString &text)
{
    return text.simplified();
}

// Front matter ("---" … "---" at the very top) is metadata, not text to search or quote.
QString withoutFrontMatter(const QString &markdown, QString *title)
{
    static const QRegularExpression frontMatter(QStringLiteral("\\A---[ \\t]*\\n(.*?)\\n---[ \\t]*(\\n|\\z)"),
                                                QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = frontMatter.match(markdown);
    if (!match.hasMatch())
        return markdown;
    static const QRegularExpression titleLine(QStringLiteral("^title:\\s*(.+?)\\s*$"), QRegularExpression::MultilineOption);
    if (const QRegularExpressionMatch t = titleLine.match(match.captured(1)); t.hasMatch() && title) {
        QString value = t.captured(1);
        if (value.size() >= 2 && (value.front() == u'"' || value.front() == u'\'') && value.back() == value.front())
            value = value.mid(1, value.size() - 2);
        *title = value.trimmed();
    }
    return markdown.mid(match.capturedLength());
}

QString markdownTitle(const QString &markdown)
{
    // The first ATX heading ("# Title", closing #s optional) or setext heading ("Title" over === or ---).
    static const QRegularExpression heading(
        QStringLiteral("^ {0,3}(?:#{1,6}[ \\t]+(.+?)(?:[ \\t]+#+)?[ \\t]*|([^\\n]*\\S[^\\n]*)\\n {0,3}(?:=+|-+)[ \\t]*)$"),
        QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = heading.match(markdown);
    if (!match.hasMatch())
        return {};
    const QString text = match.captured(1).isEmpty() ? match.captured(2) : match.captured(1);
    // Emphasis and code marks in a heading are not part of its title.
    QString title = text;
    title.remove(QRegularExpression(QStringLiteral("[*_`]")));
    return collapseSpaces(title);
}

QString decodeEntities(const QString &text)
{
    static const QHash<QString, QString> named = {
        {QStringLiteral("amp"), QStringLiteral("&")},      {QStringLiteral("lt"), QStringLiteral("<")},
        {QStringLiteral("gt"), QStringLiteral(">")},       {QStringLiteral("quot"), QStringLiteral("\"")},
        {QStringLiteral("apos"), QStringLiteral("'")},     {QStringLiteral("nbsp"), QStringLiteral(" ")},
        {QStringLiteral("ndash"), QStringLiteral("–")},    {QStringLiteral("mdash"), QStringLiteral("—")},
        {QStringLiteral("hellip"), QStringLiteral("…")},   {QStringLiteral("lsquo"), QStringLiteral("‘")},
        {QStringLiteral("rsquo"), QStringLiteral("’")},    {QStringLiteral("ldquo"), QStringLiteral("“")},
        {QStringLiteral("rdquo"), QStringLiteral("”")},    {QStringLiteral("euro"), QStringLiteral("€")},
        {QStringLiteral("pound"), QStringLiteral("£")},    {QStringLiteral("deg"), QStringLiteral("°")},
        {QStringLiteral("copy"), QStringLiteral("©")},     {QStringLiteral("reg"), QStringLiteral("®")},
        {QStringLiteral("middot"), QStringLiteral("·")},   {QStringLiteral("times"), QStringLiteral("×")},
        {QStringLiteral("shy"), QString()},                {QStringLiteral("bull"), QStringLiteral("•")},
        {QStringLiteral("sup2"), QStringLiteral("²")},     {QStringLiteral("micro"), QStringLiteral("µ")},
    };
    static const QRegularExpression entity(QStringLiteral("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"));
    QString result;
    result.reserve(text.size());
    qsizetype last = 0;
    auto it = entity.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        result += QStringView(text).mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        const QString name = m.captured(1);
        if (name.startsWith(u'#')) {
            bool ok = false;
            const bool hex = name.size() > 1 && (name.at(1) == u'x' || name.at(1) == u'X');
            const uint code = hex ? name.mid(2).toUInt(&ok, 16) : name.mid(1).toUInt(&ok, 10);
            if (ok && code > 0 && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF)) {
                const auto c = char32_t(code);
                result += QString::fromUcs4(&c, 1);
            } else {
                result += m.captured(0);
            }
        } else if (const auto found = named.constFind(name.toLower()); found != named.constEnd()) {
            result += *found;
        } else {
            result += m.captured(0); // an unknown entity stays as written
        }
    }
    result += QStringView(text).mid(last);
    return result;
}

QString stripTags(const QString &html)
{
    static const QRegularExpression tag(QStringLiteral("<[^>]*>"));
    QString text = html;
    text.remove(tag);
    return text;
}

QString fileNameOf(const QString &path)
{
    return QFileInfo(path).fileName();
}

// Markdown syntax a snippet may carry from its document, removed before it is quoted.
QString withoutMarkdownSyntax(const QString &snippet)
{
    // A heading runs into the paragraph after it once lines are joined: end it with a colon.
    static const QRegularExpression heading(QStringLiteral("^[ \\t]*#{1,6}[ \\t]+(.*?)[ \\t]*#*[ \\t]*$"),
                                            QRegularExpression::MultilineOption);
    static const QRegularExpression doubledColon(QStringLiteral("([.:;!?]):$"), QRegularExpression::MultilineOption);
    static const QRegularExpression linePrefix(QStringLiteral("^[ \\t]*(?:#{1,6}[ \\t]+|[-*+][ \\t]+|[0-9]{1,3}[.)][ \\t]+|>[ \\t]?)+"),
                                               QRegularExpression::MultilineOption);
    static const QRegularExpression link(QStringLiteral("!?\\[([^\\]\\n]*)\\]\\([^)\\n]*\\)"));
    static const QRegularExpression emphasis(QStringLiteral("(\\*\\*|__|`+)"));
    static const QRegularExpression rule(QStringLiteral("^[ \\t]*(?:[-*_=][ \\t]*){3,}$"), QRegularExpression::MultilineOption);
    QString text = normalizeLineEnds(snippet);
    text.remove(rule);
    text.replace(heading, QStringLiteral("\\1:"));
    text.replace(doubledColon, QStringLiteral("\\1"));
    text.remove(linePrefix);
    text.replace(link, QStringLiteral("\\1"));
    text.remove(emphasis);
    text.replace(u'|', u' ');
    return collapseSpaces(text);
}

} // namespace

KnowledgeBase::KnowledgeBase(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock)
    : m_database(std::move(database))
    , m_clock(std::move(clock))
{
}

Result<QSqlDatabase> KnowledgeBase::connection() const
{
    return m_database->connection();
}

std::optional<DocumentFormat> KnowledgeBase::formatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"md" || suffix == u"markdown")
        return DocumentFormat::Markdown;
    if (suffix == u"txt" || suffix == u"text")
        return DocumentFormat::PlainText;
    if (suffix == u"html" || suffix == u"htm")
        return DocumentFormat::Html;
    return std::nullopt;
}

Result<ParsedDocument> KnowledgeBase::readDocument(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return fail(ErrorCode::NotFound, QStringLiteral("The file %1 does not exist. Check the path and try again.").arg(path));
    if (info.isDir())
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is a folder, not a file. Name the files in it instead.").arg(path));
    const std::optional<DocumentFormat> format = formatOf(path);
    if (!format)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 cannot be imported: only Markdown (.md), plain text (.txt) and HTML (.html) files can. "
                                   "Convert it to one of those first.")
                        .arg(path));
    if (info.size() > MaxFileBytes)
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The file %1 is too large to import (%2 MB; at most %3 MB). Split it into smaller documents.")
                        .arg(path)
                        .arg(double(info.size()) / (1024.0 * 1024.0), 0, 'f', 1)
                        .arg(MaxFileBytes / (1024 * 1024)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("The file %1 cannot be read (%2). Check that you may read it.").arg(path, file.errorString()),
                    file.errorString());
    const QByteArray bytes = file.read(MaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return fail(ErrorCode::Io, QStringLiteral("Reading the file %1 failed (%2).").arg(path, file.errorString()), file.errorString());
    return parseDocument(bytes, *format, path);
}

Result<ParsedDocument> KnowledgeBase::parseDocument(const QByteArray &bytes, DocumentFormat format, const QString &fileName)
{
    if (bytes.trimmed().isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("The file %1 is empty: there is no text to import.").arg(fileName));
    // Valid UTF-8 may contain NUL bytes, text files do not: they mark a binary file.
    if (bytes.contains('\0'))
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The file %1 is not a text file (it contains binary data). Only Markdown, plain text and HTML "
                                   "files can be imported.")
                        .arg(fileName));
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The file %1 is not UTF-8 text (it is a binary file or uses another encoding, such as "
                                   "Windows-1252). Save it as UTF-8 and import it again.")
                        .arg(fileName));
    if (text.startsWith(QChar(0xFEFF)))
        text.remove(0, 1);
    text = normalizeLineEnds(text);

    ParsedDocument document;
    document.format = format;
    switch (format) {
    case DocumentFormat::Markdown: {
        QString frontMatterTitle;
        document.content = withoutFrontMatter(text, &frontMatterTitle).trimmed();
        document.title = frontMatterTitle.isEmpty() ? markdownTitle(document.content) : frontMatterTitle;
        break;
    }
    case DocumentFormat::PlainText:
        document.content = text.trimmed();
        break;
    case DocumentFormat::Html:
        document.content = htmlToText(text, &document.title);
        break;
    }
    if (document.content.trimmed().isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("The file %1 holds no text to import.").arg(fileName));
    if (document.title.isEmpty())
        document.title = QFileInfo(fileName).completeBaseName();
    return document;
}

QString KnowledgeBase::htmlToText(const QString &html, QString *title)
{
    static const QRegularExpression titleElement = pattern(QStringLiteral("<title\\b[^>]*>(.*?)</title\\s*>"));
    static const QRegularExpression firstH1 = pattern(QStringLiteral("<h1\\b[^>]*>(.*?)</h1\\s*>"));
    static const QRegularExpression comment = pattern(QStringLiteral("<!--.*?(-->|\\z)"));
    static const QRegularExpression hidden = pattern(
        QStringLiteral("<(script|style|title|noscript|template|svg|iframe|object)\\b[^>]*>.*?(</\\1\\s*>|\\z)"));
    // Blocks become paragraphs (a blank line), list items and table rows lines, cells spaces.
    static const QRegularExpression listItem = pattern(QStringLiteral("<li\\b[^>]*>"));
    static const QRegularExpression lineStart = pattern(QStringLiteral("<(br|tr|dt|dd)\\b[^>]*>"));
    static const QRegularExpression lineEnd = pattern(QStringLiteral("</(li|tr|dt|dd)\\s*>"));
    static const QRegularExpression block = pattern(QStringLiteral(
        "</?(p|div|hr|ul|ol|dl|h[1-6]|table|thead|tbody|tfoot|caption|section|article|header|footer|nav|aside|main|"
        "blockquote|pre|figure|figcaption|form|fieldset|address|details|summary)\\b[^>]*>"));
    static const QRegularExpression cell = pattern(QStringLiteral("</?(td|th)\\b[^>]*>"));
    static const QRegularExpression blankLines(QStringLiteral("\\n{3,}"));

    const auto titleText = [](const QString &element) -> QString {
        QString plain = element;
        plain.replace(QRegularExpression(QStringLiteral("<[^>]*>")), QStringLiteral(" "));
        return collapseSpaces(decodeEntities(plain));
    };
    QString text = normalizeLineEnds(html);
    text.remove(comment);
    if (title) {
        QRegularExpressionMatch m = titleElement.match(text);
        if (!m.hasMatch() || titleText(m.captured(1)).isEmpty())
            m = firstH1.match(text);
        *title = m.hasMatch() ? titleText(m.captured(1)) : QString();
    }
    text.remove(hidden);
    text.remove(lineEnd);
    text.replace(listItem, QStringLiteral("\n- "));
    text.replace(lineStart, QStringLiteral("\n"));
    text.replace(block, QStringLiteral("\n\n"));
    text.replace(cell, QStringLiteral(" "));
    text = stripTags(text);
    // Entities last, so that an escaped "&lt;script&gt;" stays text.
    text = decodeEntities(text);

    QStringList lines;
    for (const QString &line : text.split(u'\n')) {
        const QString clean = collapseSpaces(line);
        lines << (clean == u"-" ? QString() : clean);
    }
    text = lines.join(u'\n');
    text.replace(blankLines, QStringLiteral("\n\n"));
    return text.trimmed();
}

QString KnowledgeBase::contentHash(const QString &content)
{
    return QString::fromLatin1(QCryptographicHash::hash(content.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString KnowledgeBase::plainExcerpt(const QString &snippet)
{
    QString text = snippet;
    text.remove(QChar(KnowledgeStore::MatchStart));
    text.remove(QChar(KnowledgeStore::MatchEnd));
    return withoutMarkdownSyntax(text);
}

QString KnowledgeBase::markdownExcerpt(const QString &snippet)
{
    QString text = withoutMarkdownSyntax(snippet);
    QString escaped;
    escaped.reserve(text.size() + 16);
    for (const QChar c : std::as_const(text)) {
        if (c == KnowledgeStore::MatchStart || c == KnowledgeStore::MatchEnd) {
            escaped += QStringLiteral("**");
        } else {
            if (QStringView(u"\\`*_[]<>#|~").contains(c))
                escaped += u'\\';
            escaped += c;
        }
    }
    // Neighbouring matches become one bold run ("**low insulation**"), and a mark around nothing
    // but spaces would print stray asterisks.
    static const QRegularExpression adjacentMarks(QStringLiteral("\\*\\*(\\s*)\\*\\*"));
    escaped.replace(adjacentMarks, QStringLiteral("\\1"));
    return escaped.simplified();
}

Result<StarterSetReport> KnowledgeBase::indexStarterSet(const AgentCatalogue &catalogue)
{
    initResources();
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error().withContext(QStringLiteral("Could not add the starter knowledge")));

    StarterSetReport report;
    const qint64 now = m_clock->nowMs();
    for (const AgentDefinition &agent : catalogue.agents()) {
        auto known = scalar(*db, QStringLiteral("SELECT count(*) FROM agents WHERE id = ?"), {agent.id}, 0);
        if (!known)
            return Unexpected(known.error());
        if (known->toInt() == 0)
            return fail(ErrorCode::NotFound,
                        QStringLiteral("The agent %1 is missing from the database, so its starter knowledge cannot be added.")
                            .arg(agent.id),
                        QStringLiteral("AgentCatalogue::sync() must run before indexStarterSet()"));

        const QDir folder(u":/knowledge/" + agent.knowledgeCollection);
        const QStringList files = folder.entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name);
        for (const QString &name : files) {
            const QString path = folder.filePath(name);
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return fail(ErrorCode::Internal, QStringLiteral("The starter knowledge compiled into Heliodesk cannot be read."), path);
            auto parsed = parseDocument(file.readAll(), DocumentFormat::Markdown, name);
            if (!parsed)
                return Unexpected(parsed.error().withContext(QStringLiteral("The starter knowledge is damaged")));
            KnowledgeStore::NewDocument row;
            row.agentId = agent.id;
            row.title = parsed->title;
            row.source = u"Heliodesk starter knowledge: " + name;
            row.content = parsed->content;
            row.contentHash = contentHash(parsed->content);
            row.importedAtMs = now;
            auto inserted = KnowledgeStore::insert(*db, row);
            if (!inserted)
                return Unexpected(inserted.error().withContext(QStringLiteral("Could not add the starter knowledge")));
            ++(inserted->inserted ? report.added : report.alreadyPresent);
        }
    }
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(QStringLiteral("Could not add the starter knowledge")));
    if (report.added > 0)
        qCInfo(lcKnowledge) << "starter knowledge: added" << report.added << "documents";
    return report;
}

Result<ImportedDocument> KnowledgeBase::importFile(const QString &agentId, const QString &path)
{
    auto parsed = readDocument(path);
    if (!parsed)
        return Unexpected(parsed.error());

    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto txn = Transaction::begin(*db);
    if (!txn)
        return Unexpected(txn.error().withContext(QStringLiteral("Could not import %1").arg(path)));
    auto known = scalar(*db, QStringLiteral("SELECT count(*) FROM agents WHERE id = ?"), {agentId}, 0);
    if (!known)
        return Unexpected(known.error());
    if (known->toInt() == 0) {
        QStringList ids;
        if (auto q = execSql(*db, QStringLiteral("SELECT id FROM agents ORDER BY sort_order, id"))) {
            while (q->next())
                ids << q->value(0).toString();
        }
        return fail(ErrorCode::NotFound,
                    QStringLiteral("There is no agent \"%1\", so %2 was not imported. Name one of these agents: %3.")
                        .arg(agentId, path, ids.join(QStringLiteral(", "))));
    }

    KnowledgeStore::NewDocument row;
    row.agentId = agentId;
    row.title = parsed->title;
    row.source = fileNameOf(path);
    row.content = parsed->content;
    row.contentHash = contentHash(parsed->content);
    row.importedAtMs = m_clock->nowMs();
    auto inserted = KnowledgeStore::insert(*db, row);
    if (!inserted)
        return Unexpected(inserted.error().withContext(QStringLiteral("Could not import %1").arg(path)));
    if (auto committed = txn->commit(); !committed)
        return Unexpected(committed.error().withContext(QStringLiteral("Could not import %1").arg(path)));

    qCInfo(lcKnowledge) << (inserted->inserted ? "imported" : "already present:") << path << "for agent" << agentId;
    return ImportedDocument{path, inserted->id, parsed->title, inserted->inserted};
}

QList<Result<ImportedDocument>> KnowledgeBase::importFiles(const QString &agentId, const QStringList &paths)
{
    QList<Result<ImportedDocument>> results;
    results.reserve(paths.size());
    for (const QString &path : paths)
        results << importFile(agentId, path);
    return results;
}

Result<QList<KnowledgeStore::Passage>> KnowledgeBase::search(const QString &agentId, const QString &question, int limit) const
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    return KnowledgeStore::search(*db, agentId, question, limit);
}

Result<int> KnowledgeBase::documentCount(const QString &agentId) const
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    return KnowledgeStore::countForAgent(*db, agentId);
}

Result<std::optional<QDateTime>> KnowledgeBase::lastImport(const QString &agentId) const
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    auto last = KnowledgeStore::lastImportedAt(*db, agentId);
    if (!last)
        return Unexpected(last.error());
    if (!*last)
        return std::optional<QDateTime>();
    return std::optional<QDateTime>(QDateTime::fromMSecsSinceEpoch(**last, Qt::UTC));
}

Result<QList<KnowledgeStore::DocumentSummary>> KnowledgeBase::documents(const QString &agentId) const
{
    auto db = connection();
    if (!db)
        return Unexpected(db.error());
    return KnowledgeStore::list(*db, agentId);
}

} // namespace heliodesk
