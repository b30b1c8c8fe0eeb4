#include "conversationview.h"

#include "messageactionbar.h"

#include "model/chat/messagelistmodel.h"
#include "storage/records.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>

#include <algorithm>

namespace heliodesk {

namespace {

// Rows laid out and kept; beyond this the least recently shown are dropped (their heights stay).
constexpr int maxCachedDocuments = 160;
constexpr int cachedDocumentsAfterEviction = 100;
constexpr auto flashDuration = std::chrono::milliseconds(1600);
constexpr auto pulseInterval = std::chrono::milliseconds(450);

QFont smallFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.88);
    return small;
}

QColor withAlpha(QColor color, float alpha)
{
    color.setAlphaF(alpha);
    return color;
}

QColor errorColor(const QPalette &palette)
{
    // Red that keeps its contrast on light and dark windows.
    return palette.color(QPalette::Window).lightness() < 128 ? QColor(0xff, 0x8a, 0x80) : QColor(0xb3, 0x26, 0x1e);
}

} // namespace

ConversationView::ConversationView(QWidget *parent)
    : QAbstractScrollArea(parent)
    , m_actionBar(new MessageActionBar(viewport()))
{
    setObjectName(QStringLiteral("conversationView"));
    setAccessibleName(tr("Conversation"));
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAutoFillBackground(true);
    viewport()->setBackgroundRole(QPalette::Base);
    m_textFont = font();
    m_actionBar->hide();
    updateMetrics();

    m_flashTimer.setSingleShot(true);
    m_flashTimer.setInterval(flashDuration);
    connect(&m_flashTimer, &QTimer::timeout, this, [this] {
        m_flashRow = -1;
        viewport()->update();
    });
    m_streamingPulse.setInterval(pulseInterval);
    connect(&m_streamingPulse, &QTimer::timeout, this, [this] {
        ++m_pulsePhase;
        viewport()->update();
    });
    m_copiedTimer.setSingleShot(true);
    m_copiedTimer.setInterval(std::chrono::milliseconds(1500));
    connect(&m_copiedTimer, &QTimer::timeout, this, [this] {
        m_copiedCodeRow = -1;
        viewport()->update();
    });

    connect(m_actionBar, &MessageActionBar::copyClicked, this, [this](qint64 id) {
        const int row = m_actionRow;
        if (row < 0 || m_blocks[size_t(row)].id != id)
            return;
        auto *mime = new QMimeData;
        const QString markdown = value(row, Qt::DisplayRole).toString();
        mime->setText(markdown);
        mime->setData(QStringLiteral("text/markdown"), markdown.toUtf8());
        QGuiApplication::clipboard()->setMimeData(mime);
        m_actionBar->confirmCopied();
    });
    connect(m_actionBar, &MessageActionBar::regenerateClicked, this, &ConversationView::regenerateRequested);
    connect(m_actionBar, &MessageActionBar::retryClicked, this, &ConversationView::regenerateRequested);
    connect(m_actionBar, &MessageActionBar::continueClicked, this, &ConversationView::continueRequested);
    connect(m_actionBar, &MessageActionBar::ratingClicked, this, &ConversationView::ratingRequested);
}

ConversationView::~ConversationView() = default;

void ConversationView::setModel(QAbstractItemModel *model)
{
    if (m_model)
        m_model->disconnect(this);
    m_model = model;
    connectModel();
    resetBlocks();
}

void ConversationView::connectModel()
{
    if (!m_model)
        return;
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ConversationView::onRowsInserted);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ConversationView::onRowsRemoved);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ConversationView::onDataChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ConversationView::resetBlocks);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &ConversationView::resetBlocks);
    connect(m_model, &QAbstractItemModel::rowsMoved, this, &ConversationView::resetBlocks);
}

void ConversationView::setAgentName(const QString &name)
{
    m_agentName = name;
    viewport()->update();
}

void ConversationView::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    viewport()->update();
}

void ConversationView::setRatings(const QHash<qint64, int> &ratings)
{
    m_ratings = ratings;
    updateActionState();
}

void ConversationView::setRating(qint64 messageId, int rating)
{
    if (rating == 0)
        m_ratings.remove(messageId);
    else
        m_ratings.insert(messageId, rating);
    updateActionState();
}

// --- model -------------------------------------------------------------------------------------

QVariant ConversationView::value(int row, int role) const
{
    return m_model ? m_model->data(m_model->index(row, 0), role) : QVariant();
}

bool ConversationView::isQuestion(int row) const
{
    return value(row, MessageListModel::RoleRole).toInt() == int(MessageRole::User);
}

void ConversationView::resetBlocks()
{
    m_blocks.clear();
    const int rows = m_model ? m_model->rowCount() : 0;
    m_blocks.resize(size_t(rows));
    for (int row = 0; row < rows; ++row) {
        m_blocks[size_t(row)].id = value(row, MessageListModel::IdRole).toLongLong();
        m_blocks[size_t(row)].height = estimateHeight(row);
    }
    m_tops.assign(size_t(rows) + 1, 0);
    updateTops(0);
    m_stickToBottom = true;
    m_actionRow = -1;
    m_actionRowPinned = false;
    m_flashRow = -1;
    updateScrollRange();
    setScrollY(verticalScrollBar()->maximum());
    updateActionState();
    viewport()->update();
}

void ConversationView::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    const int oldScroll = scrollY();
    const bool aboveScreen = !m_blocks.empty() && first == 0 && !m_stickToBottom;
    std::vector<Block> inserted(size_t(last - first + 1));
    int insertedHeight = 0;
    for (int row = first; row <= last; ++row) {
        Block &block = inserted[size_t(row - first)];
        block.id = value(row, MessageListModel::IdRole).toLongLong();
        block.height = estimateHeight(row);
        insertedHeight += block.height;
    }
    m_blocks.insert(m_blocks.begin() + first, std::make_move_iterator(inserted.begin()), std::make_move_iterator(inserted.end()));
    m_tops.resize(m_blocks.size() + 1);
    updateTops(first);
    if (m_actionRow >= first)
        m_actionRow += last - first + 1;
    if (m_flashRow >= first)
        m_flashRow += last - first + 1;
    if (m_copiedCodeRow >= first)
        m_copiedCodeRow += last - first + 1;
    updateScrollRange();
    // Older messages arrived above: what the reader is looking at stays where it is.
    if (aboveScreen)
        setScrollY(oldScroll + insertedHeight);
    else if (m_stickToBottom)
        setScrollY(verticalScrollBar()->maximum());
    updateActionState();
    viewport()->update();
}

void ConversationView::onRowsRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    m_blocks.erase(m_blocks.begin() + first, m_blocks.begin() + last + 1);
    m_tops.resize(m_blocks.size() + 1);
    updateTops(first);
    const int removed = last - first + 1;
    auto shift = [&](auto &row) {
        if (row > last)
            row -= removed;
        else if (row >= first)
            row = -1;
    };
    shift(m_actionRow);
    shift(m_flashRow);
    shift(m_copiedCodeRow);
    if (m_actionRow < 0)
        m_actionRowPinned = false;
    updateScrollRange();
    updateActionState();
    viewport()->update();
}

void ConversationView::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    const int viewTop = scrollY();
    const int viewBottom = viewTop + viewport()->height();
    bool visibleChange = false;
    for (int row = topLeft.row(); row <= bottomRight.row() && row < int(m_blocks.size()); ++row) {
        Block &block = m_blocks[size_t(row)];
        block.dirty = true;
        const bool onScreen = m_tops[size_t(row)] < viewBottom && m_tops[size_t(row) + 1] > viewTop;
        if (onScreen) {
            visibleChange = true; // laid out at the next paint: one per frame however many updates come
            continue;
        }
        // Off screen (the reader scrolled up while it streams): a cheap estimate keeps the
        // scroll range right; the layout waits until the row is shown.
        block.measured = false;
        const int estimate = estimateHeight(row);
        if (estimate != block.height) {
            block.height = estimate;
            updateTops(row);
            updateScrollRange();
        }
    }
    if (visibleChange || m_stickToBottom)
        viewport()->update();
    if ((m_actionRow >= topLeft.row() && m_actionRow <= bottomRight.row()) || bottomRight.row() == int(m_blocks.size()) - 1)
        updateActionState();
}

// --- geometry ----------------------------------------------------------------------------------

int ConversationView::contentWidth() const
{
    return std::max(120, std::min(viewport()->width() - 2 * m_metrics.margin, m_metrics.maxTextWidth));
}

int ConversationView::contentLeft() const
{
    return std::max(m_metrics.margin, (viewport()->width() - contentWidth()) / 2);
}

int ConversationView::documentWidth(int row) const
{
    if (isQuestion(row))
        return int(contentWidth() * 0.8) - 2 * m_metrics.padding;
    return contentWidth();
}

int ConversationView::estimateHeight(int row) const
{
    const QFontMetrics metrics(m_textFont);
    const QString text = value(row, Qt::DisplayRole).toString();
    const int charsPerLine = std::max(20, documentWidth(row) / std::max(1, metrics.averageCharWidth()));
    const int lines = int(text.count(u'\n')) + int(text.size() / charsPerLine) + 1;
    int height = m_metrics.gap + m_metrics.headerHeight + lines * metrics.lineSpacing();
    if (isQuestion(row))
        height += 2 * m_metrics.padding;
    else
        height += m_metrics.actionHeight + metrics.lineSpacing();
    return height;
}

QString ConversationView::footerText(int row) const
{
    if (isQuestion(row))
        return {};
    const auto status = MessageStatus(value(row, MessageListModel::StatusRole).toInt());
    QString footer;
    switch (status) {
    case MessageStatus::Streaming:
        footer = value(row, Qt::DisplayRole).toString().isEmpty() ? tr("● Thinking") : tr("● Answering");
        break;
    case MessageStatus::Cancelled:
        footer = tr("Stopped. The answer above is incomplete.");
        break;
    case MessageStatus::Failed: {
        const QString error = value(row, MessageListModel::ErrorRole).toString();
        footer = error.isEmpty() ? tr("The answer failed.") : tr("The answer failed: %1").arg(error);
        break;
    }
    case MessageStatus::Interrupted:
        footer = tr("Interrupted: Heliodesk closed before the answer was complete.");
        break;
    case MessageStatus::Complete:
        break;
    }
    const QVariantList sources = value(row, MessageListModel::SourcesRole).toList();
    if (!sources.isEmpty()) {
        QStringList names;
        for (const QVariant &source : sources) {
            const QVariantMap map = source.toMap();
            const QString title = map.value(QStringLiteral("title")).toString();
            const QString location = map.value(QStringLiteral("location")).toString();
            names << (location.isEmpty() || location == title ? title : tr("%1 (%2)").arg(title, location));
        }
        if (!footer.isEmpty())
            footer += u'\n';
        footer += tr("Sources: %1").arg(names.join(QStringLiteral(" · ")));
    }
    return footer;
}

void ConversationView::measure(int row)
{
    Block &block = m_blocks[size_t(row)];
    if (!block.document) {
        block.document = std::make_unique<MessageDocument>();
        block.document->setBaseFont(m_textFont);
        block.dirty = true;
    }
    const int width = documentWidth(row);
    if (block.dirty) {
        const auto status = MessageStatus(value(row, MessageListModel::StatusRole).toInt());
        block.document->setWidth(width);
        block.document->setMarkdown(value(row, Qt::DisplayRole).toString(), status == MessageStatus::Streaming);
        block.footer = footerText(row);
        block.dirty = false;
    } else {
        block.document->setWidth(width);
    }
    const QFontMetrics small(smallFont(m_textFont));
    block.footerHeight = block.footer.isEmpty()
        ? 0
        : small.boundingRect(QRect(0, 0, contentWidth(), 1 << 20), Qt::TextWordWrap, block.footer + QStringLiteral(" …")).height();
    int height = m_metrics.gap + m_metrics.headerHeight + int(std::ceil(block.document->height()));
    if (isQuestion(row))
        height += 2 * m_metrics.padding;
    else
        height += (block.footerHeight > 0 ? block.footerHeight + 6 : 0) + m_metrics.actionHeight;
    block.height = height;
    block.measured = true;
    ++m_layoutCount;
}

void ConversationView::updateMetrics()
{
    m_metrics.headerHeight = QFontMetrics(smallFont(m_textFont)).height() + 4;
    m_metrics.actionHeight = m_actionBar->sizeHint().height() + 2;
}

void ConversationView::updateTops(int fromRow)
{
    if (m_tops.size() != m_blocks.size() + 1)
        m_tops.resize(m_blocks.size() + 1);
    for (size_t row = size_t(std::max(0, fromRow)); row < m_blocks.size(); ++row)
        m_tops[row + 1] = m_tops[row] + m_blocks[row].height;
}

void ConversationView::updateScrollRange()
{
    const int total = m_tops.empty() ? 0 : m_tops.back();
    const int page = viewport()->height();
    QScrollBar *bar = verticalScrollBar();
    const bool wasLayingOut = std::exchange(m_layingOut, true);
    bar->setPageStep(page);
    bar->setSingleStep(QFontMetrics(m_textFont).lineSpacing() * 3);
    bar->setRange(0, std::max(0, total - page));
    m_layingOut = wasLayingOut;
}

int ConversationView::scrollY() const
{
    return verticalScrollBar()->value();
}

void ConversationView::setScrollY(int y)
{
    const bool wasLayingOut = std::exchange(m_layingOut, true);
    verticalScrollBar()->setValue(y);
    m_layingOut = wasLayingOut;
}

int ConversationView::rowAt(int contentY) const
{
    if (m_blocks.empty())
        return -1;
    // m_tops is sorted: the last row whose top is at or above contentY.
    const auto it = std::upper_bound(m_tops.begin(), m_tops.end() - 1, contentY);
    return std::clamp(int(it - m_tops.begin()) - 1, 0, int(m_blocks.size()) - 1);
}

bool ConversationView::isAtBottom() const
{
    return scrollY() >= verticalScrollBar()->maximum() - 2;
}

void ConversationView::layoutVisible()
{
    if (m_blocks.empty())
        return;
    const bool wasLayingOut = std::exchange(m_layingOut, true);
    updateMetrics();
    if (viewport()->width() != m_laidOutWidth) {
        // Heights at the old width remain the estimates until each row is shown again.
        m_laidOutWidth = viewport()->width();
        for (Block &block : m_blocks)
            block.measured = false;
    }
    const int anchor = rowAt(scrollY());
    const int anchorOffset = scrollY() - m_tops[size_t(anchor)];
    for (int pass = 0; pass < 4; ++pass) {
        bool changed = false;
        const int top = scrollY();
        const int bottom = top + viewport()->height();
        for (int row = rowAt(top); row >= 0 && row < int(m_blocks.size()) && m_tops[size_t(row)] < bottom; ++row) {
            Block &block = m_blocks[size_t(row)];
            block.lastUsed = ++m_useClock;
            if (block.measured && !block.dirty && block.document)
                continue;
            const int before = block.height;
            measure(row);
            if (block.height != before) {
                updateTops(row);
                changed = true;
            }
        }
        updateScrollRange();
        if (m_stickToBottom)
            setScrollY(verticalScrollBar()->maximum());
        else
            setScrollY(m_tops[size_t(std::min(anchor, int(m_blocks.size()) - 1))] + anchorOffset);
        if (!changed)
            break;
    }
    m_layingOut = wasLayingOut;
    evictDocuments();
}

void ConversationView::evictDocuments()
{
    if (cachedDocumentCount() <= maxCachedDocuments)
        return;
    std::vector<std::pair<qint64, size_t>> cached;
    for (size_t row = 0; row < m_blocks.size(); ++row)
        if (m_blocks[row].document)
            cached.emplace_back(m_blocks[row].lastUsed, row);
    std::sort(cached.begin(), cached.end());
    const size_t drop = cached.size() - cachedDocumentsAfterEviction;
    for (size_t i = 0; i < drop; ++i) {
        Block &block = m_blocks[cached[i].second];
        block.document.reset(); // the height stays: it is still right at this width
        block.dirty = true;
    }
}

int ConversationView::cachedDocumentCount() const
{
    return int(std::count_if(m_blocks.cbegin(), m_blocks.cend(), [](const Block &b) { return b.document != nullptr; }));
}

const MessageDocument *ConversationView::documentOf(int row) const
{
    if (row < 0 || row >= int(m_blocks.size()))
        return nullptr;
    return m_blocks[size_t(row)].document.get();
}

QRect ConversationView::rowRect(int row) const
{
    if (row < 0 || row >= int(m_blocks.size()))
        return {};
    return QRect(0, m_tops[size_t(row)] - scrollY(), viewport()->width(), m_blocks[size_t(row)].height);
}

QPoint ConversationView::textOrigin(int row) const
{
    const QRect rect = rowRect(row);
    const int top = rect.top() + m_metrics.gap / 2 + m_metrics.headerHeight;
    if (!isQuestion(row))
        return {contentLeft(), top};
    const Block &block = m_blocks[size_t(row)];
    const int textWidth = block.document ? int(std::ceil(block.document->idealWidth())) : documentWidth(row);
    const int bubbleWidth = textWidth + 2 * m_metrics.padding;
    return {contentLeft() + contentWidth() - bubbleWidth + m_metrics.padding, top + m_metrics.padding};
}

void ConversationView::scrollToBottom()
{
    m_stickToBottom = true;
    layoutVisible();
    setScrollY(verticalScrollBar()->maximum());
    viewport()->update();
}

void ConversationView::scrollToRow(int row)
{
    if (row < 0 || row >= int(m_blocks.size()))
        return;
    m_stickToBottom = false;
    setScrollY(m_tops[size_t(row)] - m_metrics.margin);
    layoutVisible();
    // Laying out the rows above may have moved it: place it again, now that heights are real.
    setScrollY(m_tops[size_t(row)] - m_metrics.margin);
    m_stickToBottom = isAtBottom();
    m_flashRow = row;
    m_flashTimer.start();
    viewport()->update();
}

// --- painting ----------------------------------------------------------------------------------

void ConversationView::paintEvent(QPaintEvent *event)
{
    layoutVisible();
    QPainter painter(viewport());
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    if (m_blocks.empty()) {
        if (!m_placeholder.isEmpty()) {
            painter.setPen(pal.color(QPalette::PlaceholderText));
            QFont big = m_textFont;
            big.setPointSizeF(m_textFont.pointSizeF() * 1.25);
            painter.setFont(big);
            painter.drawText(viewport()->rect().adjusted(40, 0, -40, 0), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        }
        m_actionBar->hide();
        return;
    }
    bool streamingOnScreen = false;
    const int top = scrollY();
    const int bottom = top + viewport()->height();
    for (int row = rowAt(top); row >= 0 && row < int(m_blocks.size()) && m_tops[size_t(row)] < bottom; ++row) {
        if (!event->rect().intersects(rowRect(row)))
            continue;
        paintRow(painter, row, event->rect());
        streamingOnScreen = streamingOnScreen
            || value(row, MessageListModel::StatusRole).toInt() == int(MessageStatus::Streaming);
    }
    if (streamingOnScreen && !m_streamingPulse.isActive())
        m_streamingPulse.start();
    else if (!streamingOnScreen)
        m_streamingPulse.stop();
    placeActionBar();
}

void ConversationView::paintRow(QPainter &painter, int row, const QRect &clip)
{
    const Block &block = m_blocks[size_t(row)];
    if (!block.document)
        return;
    const QPalette &pal = palette();
    const QRect rect = rowRect(row);
    const bool question = isQuestion(row);
    const int left = contentLeft();
    const int width = contentWidth();
    int y = rect.top() + m_metrics.gap / 2;

    if (row == m_flashRow)
        painter.fillRect(QRect(left - 8, rect.top() + 2, width + 16, rect.height() - 4), withAlpha(pal.color(QPalette::Highlight), 0.14F));

    // Who speaks.
    painter.setFont(smallFont(m_textFont));
    painter.setPen(pal.color(QPalette::PlaceholderText));
    const QRect header(left, y, width, m_metrics.headerHeight);
    painter.drawText(header, static_cast<int>((question ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter),
                     question ? tr("You") : (m_agentName.isEmpty() ? tr("Answer") : m_agentName));
    y += m_metrics.headerHeight;

    const QPoint origin = textOrigin(row);
    const int textHeight = int(std::ceil(block.document->height()));
    if (question) {
        const int bubbleWidth = int(std::ceil(block.document->idealWidth())) + 2 * m_metrics.padding;
        const QRectF bubble(origin.x() - m_metrics.padding, y, bubbleWidth, textHeight + 2 * m_metrics.padding);
        painter.setPen(Qt::NoPen);
        painter.setBrush(withAlpha(pal.color(QPalette::Highlight), 0.13F));
        painter.drawRoundedRect(bubble, 12, 12);
    }
    painter.save();
    painter.translate(origin);
    const bool copied = row == m_copiedCodeRow;
    block.document->paint(&painter, QRectF(clip).translated(-origin), pal, copied);
    painter.restore();
    if (question)
        return;
    y = origin.y() + textHeight;

    if (!block.footer.isEmpty()) {
        y += 6;
        const auto status = MessageStatus(value(row, MessageListModel::StatusRole).toInt());
        QString text = block.footer;
        if (status == MessageStatus::Streaming) {
            const int dots = m_pulsePhase % 4;
            const qsizetype lineEnd = text.indexOf(u'\n');
            text.insert(lineEnd < 0 ? text.size() : lineEnd, QString(dots, u'.') + QString(3 - dots, u' '));
        }
        painter.setFont(smallFont(m_textFont));
        // A live answer says so in the accent colour; a failed one in red; the rest quietly.
        painter.setPen(status == MessageStatus::Failed      ? errorColor(pal)
                       : status == MessageStatus::Streaming ? pal.color(QPalette::Highlight)
                                                            : pal.color(QPalette::PlaceholderText));
        painter.drawText(QRect(left, y, width, block.footerHeight), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, text);
    }
}

void ConversationView::placeActionBar()
{
    if (m_actionRow < 0 || m_actionRow >= int(m_blocks.size()) || !m_blocks[size_t(m_actionRow)].measured) {
        m_actionBar->hide();
        return;
    }
    const QRect rect = rowRect(m_actionRow);
    const QPoint pos(contentLeft() - 4, rect.bottom() - m_metrics.gap / 2 - m_metrics.actionHeight + 2);
    if (rect.bottom() < 0 || rect.top() > viewport()->height()) {
        m_actionBar->hide();
        return;
    }
    if (m_actionBar->pos() != pos)
        m_actionBar->move(pos);
    m_actionBar->show();
}

void ConversationView::setActionRow(int row)
{
    if (row >= 0 && row < int(m_blocks.size()) && isQuestion(row))
        return; // questions have no actions
    m_actionRowPinned = row >= 0;
    m_actionRow = row;
    updateActionState();
}

void ConversationView::updateActionState()
{
    const int rows = int(m_blocks.size());
    if (!m_actionRowPinned || m_actionRow < 0 || m_actionRow >= rows) {
        m_actionRowPinned = false;
        m_actionRow = rows > 0 && !isQuestion(rows - 1) ? rows - 1 : -1;
    }
    if (m_actionRow < 0) {
        m_actionBar->hide();
        return;
    }
    const int row = m_actionRow;
    MessageActionBar::State state;
    state.messageId = m_blocks[size_t(row)].id;
    const auto status = MessageStatus(value(row, MessageListModel::StatusRole).toInt());
    const bool hasText = !value(row, Qt::DisplayRole).toString().isEmpty();
    state.streaming = status == MessageStatus::Streaming;
    state.failed = status == MessageStatus::Failed;
    state.interrupted = (status == MessageStatus::Interrupted || status == MessageStatus::Cancelled) && hasText;
    state.isLastAnswer = value(row, MessageListModel::IsLastAnswerRole).toBool();
    state.hasText = hasText;
    state.rating = m_ratings.value(state.messageId, 0);
    m_actionBar->setState(state);
    placeActionBar();
}

// --- input -------------------------------------------------------------------------------------

void ConversationView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollRange();
    viewport()->update();
}

void ConversationView::scrollContentsBy(int, int)
{
    if (m_layingOut)
        return;
    m_stickToBottom = isAtBottom();
    viewport()->update();
    maybeFetchOlder();
}

void ConversationView::maybeFetchOlder()
{
    if (m_fetchQueued || !m_model || scrollY() > viewport()->height() || !m_model->canFetchMore({}))
        return;
    m_fetchQueued = true;
    // Not from inside a scroll or a paint: the rows arrive on the next turn of the event loop.
    QMetaObject::invokeMethod(this, [this] {
        m_fetchQueued = false;
        if (m_model && m_model->canFetchMore({}))
            m_model->fetchMore({});
    }, Qt::QueuedConnection);
}

void ConversationView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const int row = rowAt(scrollY() + pos.y());
    bool pointing = false;
    if (row >= 0 && m_blocks[size_t(row)].document) {
        const QPointF inText = pos - textOrigin(row);
        const MessageDocument *doc = m_blocks[size_t(row)].document.get();
        pointing = !doc->linkAt(inText).isEmpty();
        for (const MessageDocument::CodeBlock &code : doc->codeBlocks())
            pointing = pointing || code.copyButton.contains(inText);
        if (!isQuestion(row) && (row != m_actionRow || !m_actionRowPinned))
            setActionRow(row);
    }
    viewport()->setCursor(pointing ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QAbstractScrollArea::mouseMoveEvent(event);
}

void ConversationView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QAbstractScrollArea::mousePressEvent(event);
    const QPoint pos = event->position().toPoint();
    const int row = rowAt(scrollY() + pos.y());
    if (row < 0 || !m_blocks[size_t(row)].document)
        return QAbstractScrollArea::mousePressEvent(event);
    const QPointF inText = pos - textOrigin(row);
    const MessageDocument *doc = m_blocks[size_t(row)].document.get();
    const std::vector<MessageDocument::CodeBlock> &codes = doc->codeBlocks();
    for (size_t i = 0; i < codes.size(); ++i) {
        if (!codes[i].copyButton.contains(inText))
            continue;
        QGuiApplication::clipboard()->setText(codes[i].code);
        m_copiedCodeRow = row;
        m_copiedCodeIndex = int(i);
        m_copiedTimer.start();
        viewport()->update();
        return;
    }
    const QUrl link = doc->linkAt(inText);
    if (!link.isEmpty()) {
        Q_EMIT linkActivated(link);
        // Only links a browser should open: never a local file or program named in an answer.
        if (link.scheme() == u"http" || link.scheme() == u"https" || link.scheme() == u"mailto")
            QDesktopServices::openUrl(link);
        return;
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void ConversationView::leaveEvent(QEvent *event)
{
    m_actionRowPinned = false;
    updateActionState();
    QAbstractScrollArea::leaveEvent(event);
}

void ConversationView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Home:
        m_stickToBottom = false;
        setScrollY(0);
        viewport()->update();
        maybeFetchOlder();
        return;
    case Qt::Key_End:
        scrollToBottom();
        return;
    default:
        break;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

void ConversationView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange) {
        m_textFont = font();
        updateMetrics();
        for (Block &block : m_blocks) {
            block.document.reset();
            block.dirty = true;
            block.measured = false;
        }
        viewport()->update();
    } else if (event->type() == QEvent::PaletteChange) {
        viewport()->update();
    }
    QAbstractScrollArea::changeEvent(event);
}

} // namespace heliodesk
