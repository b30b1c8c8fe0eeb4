#pragma once

// The results of a search over the user's conversations: a list of hits (title, who and when; the
// words around the match with the matches in bold), or a sentence saying nothing matched.
// Up/Down move, Enter or a click opens the hit.

#include "model/chat/searchhit.h"
#include "model/clock.h"

#include <QWidget>

#include <memory>

class QLabel;
class QListView;
class QStackedLayout;

namespace heliodesk {

class SearchHitDelegate;
class SearchResultsModel;

class SearchResultsView : public QWidget
{
    Q_OBJECT

public:
    explicit SearchResultsView(std::shared_ptr<const Clock> clock, QWidget *parent = nullptr);

    /// Shows the hits of a search for `typed`, the best one selected; with none, says that nothing
    /// matches `typed`. Blank `typed` shows an empty list.
    void showResults(const QString &typed, QList<SearchHit> hits);
    void clear();

    /// Moves the selection by `rows` (clamped to the list), so the search field can keep the focus
    /// while Up/Down pick a hit.
    void moveSelection(int rows);
    /// Activates the selected hit as Enter would; false when there is none.
    bool activateCurrent();

    [[nodiscard]] SearchResultsModel *model() const { return m_model; }
    [[nodiscard]] QListView *listView() const { return m_list; }
    [[nodiscard]] QString placeholderText() const;

Q_SIGNALS:
    /// A hit was chosen (Enter, or a click): open its conversation at the message.
    void hitActivated(qint64 conversationId, qint64 messageId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void activate(const QModelIndex &index);

    SearchResultsModel *m_model;
    SearchHitDelegate *m_delegate;
    QListView *m_list;
    QLabel *m_placeholder;
    QStackedLayout *m_stack;
};

} // namespace heliodesk
