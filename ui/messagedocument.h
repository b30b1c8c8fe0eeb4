#pragma once

// One message's Markdown laid out for painting: headings, lists, tables, links and code blocks
// (monospace, shaded, each with a copy button). While an answer streams, only its unfinished tail is
// parsed again: finished paragraphs are parsed once, into documents of their own, so the cost of
// a new piece does not grow with the length of the answer, nor does its end (the finished answer
// keeps its segments). A message that did not stream here is parsed as one document.

#include <QFont>
#include <QPalette>
#include <QRectF>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

class QPainter;
class QTextDocument;

namespace heliodesk {

class MessageDocument
{
public:
    struct CodeBlock {
        QRectF rect;       // the shaded area, in document coordinates
        QRectF copyButton; // the copy button in its top-right corner
        QString code;
    };

    MessageDocument();
    ~MessageDocument();
    MessageDocument(const MessageDocument &) = delete;
    MessageDocument &operator=(const MessageDocument &) = delete;

    /// The font every document starts from (the application's, scaled by the text size setting).
    void setBaseFont(const QFont &font);
    /// Sets the message's Markdown. With `streaming`, text that extends the previous text costs
    /// only the parse of its unfinished tail; anything else is parsed afresh. Returns true when
    /// something changed.
    bool setMarkdown(const QString &markdown, bool streaming);
    /// Lays the text out for `width` pixels (no parsing).
    void setWidth(qreal width);

    [[nodiscard]] qreal width() const { return m_width; }
    [[nodiscard]] qreal height() const;
    /// The width the text would take without wrapping, at most width() (a question's bubble fits it).
    [[nodiscard]] qreal idealWidth() const;
    [[nodiscard]] const QString &markdown() const { return m_markdown; }
    [[nodiscard]] bool isStreaming() const { return m_streaming; }
    /// Held in several documents (a streamed answer keeps the segments it arrived in).
    [[nodiscard]] bool isSegmented() const { return m_segments.size() > 1; }
    /// How many documents the text is held in (1 when finished; for tests and benchmarks).
    [[nodiscard]] int segmentCount() const;
    /// How many characters were parsed by the last setMarkdown() (for tests and benchmarks).
    [[nodiscard]] qsizetype lastParsedChars() const { return m_lastParsedChars; }

    /// Paints at the origin of `painter` (translate it first), text in the palette's colours.
    void paint(QPainter *painter, const QRectF &clip, const QPalette &palette, bool copiedFeedback = false) const;
    /// The link under `pos` (document coordinates), or an empty URL.
    [[nodiscard]] QUrl linkAt(const QPointF &pos) const;
    /// The code blocks with their copy buttons, in document coordinates.
    [[nodiscard]] const std::vector<CodeBlock> &codeBlocks() const;
    /// The plain text (what "Copy" puts on the clipboard besides the Markdown).
    [[nodiscard]] QString plainText() const;

private:
    struct Segment;
    std::unique_ptr<Segment> makeSegment(const QString &markdown) const;
    void rebuildAll(bool streaming);
    void advanceStable();
    void rebuildTail();
    void relayout();
    [[nodiscard]] std::vector<CodeBlock> findCodeBlocks() const;

    QFont m_baseFont;
    QString m_markdown;
    bool m_streaming = false;
    qreal m_width = 400;
    qreal m_gap = 8;
    qsizetype m_lastParsedChars = 0;

    // Streaming: the text up to m_stableEnd is in finished segments; m_scanPos is where the
    // first line not yet looked at starts; m_openFence is the fence of a code block still open.
    std::vector<std::unique_ptr<Segment>> m_segments; // finished segments, then the tail (always last)
    qsizetype m_stableEnd = 0;
    qsizetype m_scanPos = 0;
    QString m_openFence;
    bool m_sawBlank = false;
    bool m_segmentHasText = false;
    mutable std::optional<std::vector<CodeBlock>> m_codeBlocks;
};

} // namespace heliodesk
