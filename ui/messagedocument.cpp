#include "messagedocument.h"

#include <QAbstractTextDocumentLayout>
#include <QCoreApplication>
#include <QFontDatabase>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>

namespace heliodesk {

namespace {

constexpr auto markdownFeatures = QTextDocument::MarkdownDialectGitHub;
constexpr qreal codePadding = 6;
// A finished segment holds at least this much: few documents per answer, and a tail that stays small.
constexpr qsizetype minSegmentChars = 600;

bool isCodeBlock(const QTextBlock &block)
{
    const QTextBlockFormat format = block.blockFormat();
    return format.hasProperty(QTextFormat::BlockCodeFence) || format.hasProperty(QTextFormat::BlockCodeLanguage)
        || (block.charFormat().fontFixedPitch() && format.nonBreakableLines());
}

/// The fence that opens a code block on this line ("```", "~~~~"), or an empty string.
QString openingFence(QStringView line)
{
    qsizetype indent = 0;
    while (indent < line.size() && line[indent] == u' ')
        ++indent;
    if (indent > 3)
        return {};
    const QStringView trimmed = line.sliced(indent);
    for (const QChar fenceChar : {QChar(u'`'), QChar(u'~')}) {
        qsizetype n = 0;
        while (n < trimmed.size() && trimmed[n] == fenceChar)
            ++n;
        if (n >= 3)
            return QString(n, fenceChar);
    }
    return {};
}

bool closesFence(QStringView line, const QString &fence)
{
    const QStringView trimmed = line.trimmed();
    if (!trimmed.startsWith(fence))
        return false;
    for (const QChar c : trimmed)
        if (c != fence.front())
            return false;
    return true;
}

bool isBlank(QStringView line)
{
    return line.trimmed().isEmpty();
}

/// A line that continues what came before even after a blank line: indented text, or a list item
/// (splitting a list would restart its numbering).
bool continuesBlock(QStringView line)
{
    static const QRegularExpression listItem(QStringLiteral("^\\s*([-*+]|\\d{1,9}[.)])\\s"));
    if (!line.isEmpty() && (line.front() == u' ' || line.front() == u'\t'))
        return true;
    return listItem.match(line.toString()).hasMatch();
}

/// Tables as people expect them in a chat: single hairlines, room in the cells, a shaded header.
void styleTables(QTextDocument &doc)
{
    const QList<QTextFrame *> frames = doc.rootFrame()->childFrames();
    for (QTextFrame *frame : frames) {
        auto *table = qobject_cast<QTextTable *>(frame);
        if (!table)
            continue;
        QTextTableFormat format = table->format();
        format.setBorderCollapse(true);
        format.setBorder(1);
        format.setBorderBrush(QColor(128, 128, 128, 110));
        format.setCellPadding(5);
        format.setCellSpacing(0);
        format.setTopMargin(4);
        format.setBottomMargin(8);
        table->setFormat(format);
        for (int column = 0; column < table->columns(); ++column) {
            QTextTableCell cell = table->cellAt(0, column);
            QTextTableCellFormat header = cell.format().toTableCellFormat();
            header.setBackground(QColor(128, 128, 128, 40));
            cell.setFormat(header);
        }
    }
    // Headings get air below them, so the paragraph after does not sit on them.
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next()) {
        if (block.blockFormat().headingLevel() == 0)
            continue;
        QTextCursor cursor(block);
        QTextBlockFormat format = block.blockFormat();
        format.setBottomMargin(std::max<qreal>(format.bottomMargin(), 6));
        format.setTopMargin(std::max<qreal>(format.topMargin(), 6));
        cursor.setBlockFormat(format);
    }
}

} // namespace

struct MessageDocument::Segment {
    QTextDocument document;
    qreal height = 0;
};

MessageDocument::MessageDocument() = default;
MessageDocument::~MessageDocument() = default;

void MessageDocument::setBaseFont(const QFont &font)
{
    if (font == m_baseFont)
        return;
    m_baseFont = font;
    m_codeBlocks.reset();
    m_gap = QFontMetricsF(font).lineSpacing() * 0.6;
    if (!m_markdown.isEmpty())
        rebuildAll(m_streaming);
}

std::unique_ptr<MessageDocument::Segment> MessageDocument::makeSegment(const QString &markdown) const
{
    auto segment = std::make_unique<Segment>();
    QTextDocument &doc = segment->document;
    doc.setDefaultFont(m_baseFont);
    doc.setDocumentMargin(0);
    doc.setUndoRedoEnabled(false);
    doc.setMarkdown(markdown, markdownFeatures);
    // Code blocks: the system's monospace face at the text's size, indented inside their shading.
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(m_baseFont.pointSizeF() * 0.95);
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next()) {
        if (!isCodeBlock(block))
            continue;
        QTextCursor cursor(block);
        QTextBlockFormat format = block.blockFormat();
        format.setLeftMargin(codePadding * 2);
        format.setRightMargin(codePadding * 2);
        cursor.setBlockFormat(format);
        cursor.select(QTextCursor::BlockUnderCursor);
        QTextCharFormat chars;
        chars.setFont(mono, QTextCharFormat::FontPropertiesSpecifiedOnly);
        cursor.mergeCharFormat(chars);
    }
    styleTables(doc);
    doc.setTextWidth(m_width);
    segment->height = doc.size().height();
    return segment;
}

bool MessageDocument::setMarkdown(const QString &markdown, bool streaming)
{
    if (streaming == m_streaming && markdown == m_markdown && !m_segments.empty())
        return false;
    // Text that extends a streaming answer costs only its tail, and so does the end of the stream:
    // the answer keeps the segments it streamed into (parsing 25 kB of Markdown at once takes
    // 35 ms, two frames).
    const bool extends = m_streaming && !m_segments.empty() && markdown.startsWith(m_markdown);
    m_markdown = markdown;
    m_codeBlocks.reset();
    if (!extends) {
        rebuildAll(streaming);
        return true;
    }
    m_streaming = streaming;
    m_lastParsedChars = 0;
    advanceStable();
    rebuildTail();
    return true;
}

void MessageDocument::rebuildAll(bool streaming)
{
    m_streaming = streaming;
    m_segments.clear();
    m_lastParsedChars = 0;
    if (!streaming) {
        m_segments.push_back(makeSegment(m_markdown));
        m_lastParsedChars = m_markdown.size();
        return;
    }
    m_stableEnd = 0;
    m_scanPos = 0;
    m_openFence.clear();
    m_sawBlank = false;
    m_segmentHasText = false;
    m_segments.push_back(makeSegment(QString())); // the tail
    advanceStable();
    rebuildTail();
}

// Looks at each complete line once. A segment ends before a line that follows a blank line,
// outside any code block, and does not continue a list or an indented block: there the Markdown
// before it can no longer change meaning, whatever comes next.
void MessageDocument::advanceStable()
{
    while (true) {
        const qsizetype newline = m_markdown.indexOf(u'\n', m_scanPos);
        if (newline < 0)
            break;
        const QStringView line = QStringView(m_markdown).sliced(m_scanPos, newline - m_scanPos);
        const qsizetype lineStart = m_scanPos;
        m_scanPos = newline + 1;
        if (!m_openFence.isEmpty()) {
            if (closesFence(line, m_openFence))
                m_openFence.clear();
            continue;
        }
        if (isBlank(line)) {
            m_sawBlank = m_segmentHasText;
            continue;
        }
        if (m_sawBlank && !continuesBlock(line) && lineStart - m_stableEnd >= minSegmentChars) {
            std::unique_ptr<Segment> finished = makeSegment(m_markdown.sliced(m_stableEnd, lineStart - m_stableEnd));
            m_lastParsedChars += lineStart - m_stableEnd;
            m_segments.insert(m_segments.end() - 1, std::move(finished));
            m_stableEnd = lineStart;
        }
        m_sawBlank = false;
        m_segmentHasText = true;
        m_openFence = openingFence(line);
    }
}

void MessageDocument::rebuildTail()
{
    const QString tail = m_markdown.sliced(m_stableEnd);
    m_lastParsedChars += tail.size();
    m_segments.back() = makeSegment(tail);
}

void MessageDocument::setWidth(qreal width)
{
    width = std::max<qreal>(width, 40);
    if (qFuzzyCompare(width, m_width))
        return;
    m_width = width;
    relayout();
}

void MessageDocument::relayout()
{
    m_codeBlocks.reset();
    for (auto &segment : m_segments) {
        segment->document.setTextWidth(m_width);
        segment->height = segment->document.size().height();
    }
}

qreal MessageDocument::height() const
{
    qreal total = 0;
    int shown = 0;
    for (const auto &segment : m_segments) {
        if (segment->document.isEmpty())
            continue;
        total += segment->height;
        ++shown;
    }
    return total + std::max(0, shown - 1) * m_gap;
}

qreal MessageDocument::idealWidth() const
{
    qreal widest = 0;
    for (const auto &segment : m_segments)
        if (!segment->document.isEmpty())
            widest = std::max(widest, segment->document.idealWidth());
    if (!codeBlocks().empty())
        return m_width; // a code block's shading spans the whole width
    return std::min(widest, m_width);
}

int MessageDocument::segmentCount() const
{
    return int(m_segments.size());
}

void MessageDocument::paint(QPainter *painter, const QRectF &clip, const QPalette &palette, bool copiedFeedback) const
{
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = palette;
    context.palette.setColor(QPalette::Text, palette.color(QPalette::WindowText));
    const QColor shade = palette.color(QPalette::WindowText);
    QColor codeBackground = shade;
    codeBackground.setAlphaF(0.07F);
    QColor codeBorder = shade;
    codeBorder.setAlphaF(0.15F);

    painter->save();
    for (const CodeBlock &code : codeBlocks()) {
        if (!code.rect.intersects(clip))
            continue;
        painter->setPen(codeBorder);
        painter->setBrush(codeBackground);
        painter->drawRoundedRect(code.rect, 5, 5);
        QFont small = m_baseFont;
        small.setPointSizeF(m_baseFont.pointSizeF() * 0.85);
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawText(code.copyButton, Qt::AlignCenter,
                          copiedFeedback ? QCoreApplication::translate("heliodesk::MessageDocument", "Copied")
                                         : QCoreApplication::translate("heliodesk::MessageDocument", "Copy"));
    }
    qreal y = 0;
    for (const auto &segment : m_segments) {
        if (segment->document.isEmpty())
            continue;
        const QRectF area(0, y, m_width, segment->height);
        if (area.intersects(clip)) {
            painter->save();
            painter->translate(0, y);
            context.clip = clip.translated(0, -y);
            painter->setClipRect(context.clip);
            segment->document.documentLayout()->draw(painter, context);
            painter->restore();
        }
        y += segment->height + m_gap;
    }
    painter->restore();
}

QUrl MessageDocument::linkAt(const QPointF &pos) const
{
    qreal y = 0;
    for (const auto &segment : m_segments) {
        if (segment->document.isEmpty())
            continue;
        if (pos.y() >= y && pos.y() < y + segment->height) {
            const QString anchor = segment->document.documentLayout()->anchorAt(pos - QPointF(0, y));
            return anchor.isEmpty() ? QUrl() : QUrl(anchor);
        }
        y += segment->height + m_gap;
    }
    return {};
}

const std::vector<MessageDocument::CodeBlock> &MessageDocument::codeBlocks() const
{
    if (!m_codeBlocks)
        m_codeBlocks = findCodeBlocks();
    return *m_codeBlocks;
}

std::vector<MessageDocument::CodeBlock> MessageDocument::findCodeBlocks() const
{
    std::vector<CodeBlock> blocks;
    const QFontMetricsF metrics(m_baseFont);
    qreal y = 0;
    for (const auto &segment : m_segments) {
        if (segment->document.isEmpty())
            continue;
        QAbstractTextDocumentLayout *layout = segment->document.documentLayout();
        std::optional<CodeBlock> open;
        auto close = [&] {
            if (!open)
                return;
            open->rect.adjust(0, -codePadding, 0, codePadding);
            const qreal buttonWidth = metrics.horizontalAdvance(QStringLiteral("Copied")) + 12;
            open->copyButton = QRectF(open->rect.right() - buttonWidth - 2, open->rect.top() + 2, buttonWidth,
                                      metrics.height() + 2);
            if (open->code.endsWith(u'\n'))
                open->code.chop(1);
            blocks.push_back(*open);
            open.reset();
        };
        for (QTextBlock block = segment->document.begin(); block.isValid(); block = block.next()) {
            if (!isCodeBlock(block)) {
                close();
                continue;
            }
            const QRectF r = layout->blockBoundingRect(block).translated(0, y);
            const QRectF full(0, r.top(), m_width, r.height());
            if (!open)
                open = CodeBlock{full, {}, {}};
            else
                open->rect = open->rect.united(full);
            // Qt keeps a fenced block's lines in one block, separated by U+2028.
            open->code += block.text().replace(QChar::LineSeparator, u'\n') + u'\n';
        }
        close();
        y += segment->height + m_gap;
    }
    return blocks;
}

QString MessageDocument::plainText() const
{
    QStringList parts;
    for (const auto &segment : m_segments)
        if (!segment->document.isEmpty())
            parts << segment->document.toPlainText();
    return parts.join(QStringLiteral("\n\n"));
}

} // namespace heliodesk
