#include "searchresultsview.h"

#include "searchhitdelegate.h"

#include "model/chat/searchresultsmodel.h"

#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QStackedLayout>

namespace heliodesk {

namespace {

// What was typed, as the "nothing matches" sentence quotes it: on one line and not too long.
QString quotedSearch(const QString &typed)
{
    constexpr qsizetype maxShown = 60;
    const QString line = typed.simplified();
    return line.size() <= maxShown ? line : line.left(maxShown - 1) + u'…';
}

} // namespace

SearchResultsView::SearchResultsView(std::shared_ptr<const Clock> clock, QWidget *parent)
    : QWidget(parent)
    , m_model(new SearchResultsModel(this))
    , m_delegate(new SearchHitDelegate(std::move(clock), this))
    , m_list(new QListView(this))
    , m_placeholder(new QLabel(this))
    , m_stack(new QStackedLayout(this))
{
    setObjectName(QStringLiteral("searchResultsView"));

    m_list->setObjectName(QStringLiteral("searchResultsList"));
    m_list->setAccessibleName(tr("Search results"));
    m_list->setModel(m_model);
    m_list->setItemDelegate(m_delegate);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setUniformItemSizes(true);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->installEventFilter(this);
    // A click opens the hit. Enter is taken in eventFilter(): QAbstractItemView::activated would
    // also fire on a double click (and, on some styles, a single one), opening the hit twice.
    connect(m_list, &QListView::clicked, this, &SearchResultsView::activate);

    m_placeholder->setObjectName(QStringLiteral("searchResultsPlaceholder"));
    m_placeholder->setTextFormat(Qt::PlainText);
    m_placeholder->setWordWrap(true);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setMargin(12);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setAccessibleName(tr("No search results"));

    m_stack->setContentsMargins(0, 0, 0, 0);
    m_stack->addWidget(m_list);
    m_stack->addWidget(m_placeholder);
    m_stack->setCurrentWidget(m_list);
}

void SearchResultsView::showResults(const QString &typed, QList<SearchHit> hits)
{
    const bool nothing = hits.isEmpty() && !typed.trimmed().isEmpty();
    m_model->setHits(std::move(hits));
    if (nothing) {
        //: Shown when a search finds no message; %1 is what the person typed.
        const QString text = tr("No messages match “%1”.").arg(quotedSearch(typed));
        m_placeholder->setText(text);
        m_placeholder->setAccessibleDescription(text);
        m_stack->setCurrentWidget(m_placeholder);
        return;
    }
    m_placeholder->clear();
    m_placeholder->setAccessibleDescription(QString());
    m_stack->setCurrentWidget(m_list);
    if (m_model->rowCount() > 0)
        m_list->setCurrentIndex(m_model->index(0));
}

void SearchResultsView::clear()
{
    showResults(QString(), {});
}

QString SearchResultsView::placeholderText() const
{
    return m_stack->currentWidget() == m_placeholder ? m_placeholder->text() : QString();
}

void SearchResultsView::moveSelection(int rows)
{
    const int count = m_model->rowCount();
    if (count == 0)
        return;
    const QModelIndex current = m_list->currentIndex();
    const int from = current.isValid() ? current.row() : (rows > 0 ? -1 : count);
    const int to = std::clamp(from + rows, 0, count - 1);
    m_list->setCurrentIndex(m_model->index(to));
}

bool SearchResultsView::activateCurrent()
{
    const QModelIndex current = m_list->currentIndex();
    if (!current.isValid())
        return false;
    activate(current);
    return true;
}

bool SearchResultsView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && activateCurrent())
            return true;
    }
    return QWidget::eventFilter(watched, event);
}

void SearchResultsView::activate(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const SearchHit &hit = m_model->at(index.row());
    Q_EMIT hitActivated(hit.conversationId, hit.messageId);
}

} // namespace heliodesk
