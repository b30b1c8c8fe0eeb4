#pragma once

// Draws one search hit in two lines: the conversation's title with the agent, who wrote the
// message and when; under it the words around the match, the matched words in bold.

#include "model/clock.h"

#include <QStyledItemDelegate>
#include <QTextLayout>

#include <memory>
#include <utility>

namespace heliodesk {

class SearchHitDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    /// A snippet fitted to one line: its text (with "…" where it was cut) and the bold ranges.
    struct FittedSnippet {
        QString text;
        QList<QTextLayout::FormatRange> formats;
    };

    explicit SearchHitDelegate(std::shared_ptr<const Clock> clock, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// The snippet as it is drawn in `width` pixels of `font`: the matched ranges bold; cut at the
    /// end with "…" when too long, and at the start too when the first match would not show.
    [[nodiscard]] static FittedSnippet fitSnippet(const QString &text, const QList<std::pair<int, int>> &highlights,
                                                  const QFont &font, int width);

    /// When a message was written, said shortly: the time today, "Yesterday", the weekday within a
    /// week, else the date (local time).
    [[nodiscard]] static QString relativeDate(qint64 atMs, qint64 nowMs);

private:
    std::shared_ptr<const Clock> m_clock;
};

} // namespace heliodesk
