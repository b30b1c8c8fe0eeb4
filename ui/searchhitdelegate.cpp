#include "searchhitdelegate.h"

#include "model/chat/searchresultsmodel.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QRegularExpression>
#include <QTextOption>

#include <algorithm>

namespace heliodesk {

namespace {

constexpr int Margin = 6;  // around the two lines
constexpr int LineGap = 2; // between them
constexpr int TitleMetaGap = 8;

QList<QTextLayout::FormatRange> boldRanges(const QList<std::pair<int, int>> &highlights, int offset, int textLength)
{
    QTextCharFormat bold;
    bold.setFontWeight(QFont::Bold);
    QList<QTextLayout::FormatRange> formats;
    for (const auto &[start, length] : highlights) {
        const int from = std::max(start + offset, 0);
        const int to = std::min(start + offset + length, textLength);
        if (to > from)
            formats.append(QTextLayout::FormatRange{from, to - from, bold});
    }
    return formats;
}

/// Lays `text` out on one unbounded line, so positions can be measured in pixels.
void layOutOneLine(QTextLayout &layout, const QList<QTextLayout::FormatRange> &formats)
{
    QTextOption option;
    option.setWrapMode(QTextOption::NoWrap);
    layout.setTextOption(option);
    layout.setFormats(formats);
    layout.beginLayout();
    QTextLine line = layout.createLine();
    if (line.isValid())
        line.setLineWidth(1e6);
    layout.endLayout();
}

QColor secondaryColor(const QPalette &palette, QPalette::ColorGroup group)
{
    // Two thirds of the way from the background to the text colour: quieter than text, still legible.
    const QColor text = palette.color(group, QPalette::Text);
    const QColor base = palette.color(group, QPalette::Base);
    return QColor((text.red() * 2 + base.red()) / 3, (text.green() * 2 + base.green()) / 3, (text.blue() * 2 + base.blue()) / 3);
}

} // namespace

SearchHitDelegate::SearchHitDelegate(std::shared_ptr<const Clock> clock, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_clock(std::move(clock))
{
}

SearchHitDelegate::FittedSnippet SearchHitDelegate::fitSnippet(const QString &text, const QList<std::pair<int, int>> &highlights,
                                                               const QFont &font, int width)
{
    FittedSnippet fitted{text, boldRanges(highlights, 0, int(text.size()))};
    if (width <= 0 || text.isEmpty())
        return fitted;
    const QString ellipsis = QStringLiteral("…");
    const qreal ellipsisWidth = QFontMetricsF(font).horizontalAdvance(ellipsis);
    const qreal room = std::max<qreal>(width - ellipsisWidth, 0);

    // The head goes when the first match would end past the visible part: what was found must show.
    if (!fitted.formats.isEmpty()) {
        QTextLayout layout(fitted.text, font);
        layOutOneLine(layout, fitted.formats);
        const QTextLine line = layout.lineAt(0);
        const QTextLayout::FormatRange &first = fitted.formats.constFirst();
        if (line.cursorToX(first.start + first.length) > room) {
            // Keep about a quarter of the line of context before the match, from a word's start.
            const qreal wantedX = line.cursorToX(first.start) - width / 4.0;
            int cut = std::min(line.xToCursor(std::max<qreal>(wantedX, 0), QTextLine::CursorBetweenCharacters), first.start);
            const qsizetype space = fitted.text.indexOf(u' ', cut);
            if (space >= 0 && space < first.start)
                cut = int(space) + 1;
            if (cut > 0) {
                fitted.text = ellipsis + fitted.text.mid(cut);
                fitted.formats = boldRanges(highlights, int(ellipsis.size()) - cut, int(fitted.text.size()));
            }
        }
    }

    // The tail goes when the line is still too long.
    QTextLayout layout(fitted.text, font);
    layOutOneLine(layout, fitted.formats);
    const QTextLine line = layout.lineAt(0);
    if (line.naturalTextWidth() <= width)
        return fitted;
    int cut = line.xToCursor(room, QTextLine::CursorBetweenCharacters);
    while (cut > 0 && line.cursorToX(cut) > room)
        cut = layout.previousCursorPosition(cut);
    while (cut > 0 && fitted.text.at(cut - 1).isSpace())
        --cut;
    fitted.text = fitted.text.left(cut) + ellipsis;
    QList<QTextLayout::FormatRange> kept;
    for (QTextLayout::FormatRange range : std::as_const(fitted.formats)) {
        range.length = std::min(range.start + range.length, cut) - range.start;
        if (range.length > 0)
            kept.append(range);
    }
    fitted.formats = kept;
    return fitted;
}

QString SearchHitDelegate::relativeDate(qint64 atMs, qint64 nowMs)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(atMs);
    const qint64 daysAgo = at.date().daysTo(QDateTime::fromMSecsSinceEpoch(nowMs).date());
    const QLocale locale;
    if (daysAgo <= 0) {
        // Hours and minutes: some locales' (C's) short format also has seconds, which say nothing here.
        static const QRegularExpression seconds(QStringLiteral("[.:]ss"));
        QString format = locale.timeFormat(QLocale::ShortFormat);
        format.remove(seconds);
        return locale.toString(at.time(), format);
    }
    if (daysAgo == 1)
        return tr("Yesterday");
    if (daysAgo < 7)
        return locale.dayName(at.date().dayOfWeek(), QLocale::LongFormat);
    return locale.toString(at.date(), QLocale::ShortFormat);
}

QSize SearchHitDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Q_UNUSED(index)
    QFont titleFont = option.font;
    titleFont.setWeight(QFont::DemiBold);
    const int height = Margin * 2 + QFontMetrics(titleFont).height() + LineGap + QFontMetrics(option.font).height();
    return QSize(std::max(option.rect.width(), 200), height);
}

void SearchHitDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    // The style draws the row's background, selection and focus; the text is drawn here.
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto hit = index.data(SearchResultsModel::HitRole).value<SearchHit>();
    const bool selected = opt.state.testFlag(QStyle::State_Selected);
    const QPalette::ColorGroup group = !opt.state.testFlag(QStyle::State_Enabled) ? QPalette::Disabled
        : opt.state.testFlag(QStyle::State_Active)                               ? QPalette::Active
                                                                                   : QPalette::Inactive;
    const QColor textColor = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor metaColor = selected ? textColor : secondaryColor(opt.palette, group);
    const QRect area = opt.rect.adjusted(Margin, Margin, -Margin, -Margin);

    painter->save();
    painter->setClipRect(opt.rect);

    // First line: the title, then "Agent · You · Yesterday" in a quieter colour. The title gives
    // way first, but the details never take more than half of the line.
    QFont titleFont = opt.font;
    titleFont.setWeight(QFont::DemiBold);
    const QFontMetrics titleMetrics(titleFont);
    const QFontMetrics textMetrics(opt.font);
    const qint64 nowMs = m_clock ? m_clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
    const QString meta = QStringList{hit.agentName.isEmpty() ? hit.agentId : hit.agentName,
                                     SearchResultsModel::authorLabel(hit.role), relativeDate(hit.createdAtMs, nowMs)}
                             .join(QStringLiteral(" · "));
    const QString title = hit.conversationTitle.isEmpty() ? SearchResultsModel::tr("New conversation") : hit.conversationTitle;
    const int metaWidth = std::min(textMetrics.horizontalAdvance(meta), area.width() / 2);
    const int titleWidth = std::max(area.width() - metaWidth - TitleMetaGap, 0);
    const QString shownTitle = titleMetrics.elidedText(title, Qt::ElideRight, titleWidth);
    const QRect titleRect(area.left(), area.top(), titleWidth, titleMetrics.height());
    painter->setFont(titleFont);
    painter->setPen(textColor);
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter, shownTitle);
    const int metaLeft = area.left() + titleMetrics.horizontalAdvance(shownTitle) + TitleMetaGap;
    const QRect metaRect(metaLeft, area.top(), std::max(area.right() - metaLeft + 1, 0), titleMetrics.height());
    painter->setFont(opt.font);
    painter->setPen(metaColor);
    painter->drawText(metaRect, Qt::AlignLeft | Qt::AlignVCenter, textMetrics.elidedText(meta, Qt::ElideRight, metaRect.width()));

    // Second line: the words around the match, the matched words bold.
    const FittedSnippet snippet = fitSnippet(hit.snippet, hit.highlights, opt.font, area.width());
    QTextLayout layout(snippet.text, opt.font);
    layOutOneLine(layout, snippet.formats);
    painter->setPen(textColor);
    layout.draw(painter, QPointF(area.left(), area.top() + titleMetrics.height() + LineGap));

    painter->restore();
}

} // namespace heliodesk
