#include "conversationlistdelegate.h"

#include "model/chat/conversationlistmodel.h"

#include <QApplication>
#include <QPainter>

namespace heliodesk {

namespace {

QFont smaller(const QFont &font, qreal factor, bool bold = false)
{
    QFont f = font;
    f.setPointSizeF(font.pointSizeF() * factor);
    f.setBold(bold);
    return f;
}

} // namespace

ConversationListDelegate::ConversationListDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

void ConversationListDelegate::setAgentNames(const QHash<QString, QString> &names)
{
    m_agentNames = names;
}

bool ConversationListDelegate::startsSection(const QModelIndex &index)
{
    if (index.row() == 0)
        return true;
    const QModelIndex previous = index.sibling(index.row() - 1, 0);
    return previous.data(ConversationListModel::SectionRole) != index.data(ConversationListModel::SectionRole);
}

int ConversationListDelegate::headerHeight(const QStyleOptionViewItem &option) const
{
    return QFontMetrics(smaller(option.font, 0.85, true)).height() + 14;
}

QSize ConversationListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics title(option.font);
    const QFontMetrics detail(smaller(option.font, 0.85));
    int height = title.height() + detail.height() + 14;
    if (startsSection(index))
        height += headerHeight(option);
    return {200, height};
}

void ConversationListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    QRect rect = opt.rect;
    painter->save();
    if (startsSection(index)) {
        const int header = headerHeight(option);
        painter->setFont(smaller(option.font, 0.85, true));
        painter->setPen(opt.palette.color(QPalette::PlaceholderText));
        painter->drawText(rect.adjusted(10, 6, -10, 0).topLeft() + QPoint(0, QFontMetrics(painter->font()).ascent()),
                          index.data(ConversationListModel::SectionRole).toString());
        rect.setTop(rect.top() + header);
    }
    // The row's own background: selection and hover, drawn by the style on the row's part only.
    QStyleOptionViewItem row = opt;
    row.rect = rect.adjusted(4, 1, -4, -1);
    row.text.clear();
    row.icon = QIcon();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &row, painter, opt.widget);

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QRect text = rect.adjusted(12, 6, -12, -6);
    const QFontMetrics titleMetrics(option.font);
    painter->setFont(option.font);
    painter->setPen(opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text));
    // Pinned conversations need no mark of their own: they are the "Pinned" section.
    const QString title = index.data(Qt::DisplayRole).toString();
    painter->drawText(QRect(text.left(), text.top(), text.width(), titleMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(title, Qt::ElideRight, text.width()));
    const QFont detailFont = smaller(option.font, 0.85);
    painter->setFont(detailFont);
    QColor detailColour = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::PlaceholderText);
    painter->setPen(detailColour);
    const QString agentId = index.data(ConversationListModel::AgentIdRole).toString();
    const QString agent = m_agentNames.value(agentId, agentId);
    painter->drawText(QRect(text.left(), text.top() + titleMetrics.height() + 2, text.width(), QFontMetrics(detailFont).height()),
                      Qt::AlignLeft | Qt::AlignVCenter, QFontMetrics(detailFont).elidedText(agent, Qt::ElideRight, text.width()));
    painter->restore();
}

} // namespace heliodesk
