#pragma once

// The messages of one conversation, painted from a MessageListModel. Its cost follows what is on
// screen, not the length of the history: rows off screen keep only an estimated height, rows on
// screen are laid out once and cached (a bounded number of them), a streaming answer re-parses only
// its unfinished tail, and model updates are painted at most once a frame. Scrolling near the top
// loads older messages without moving what is on screen.

#include "ui/messagedocument.h"

#include <QAbstractScrollArea>
#include <QHash>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <vector>

class QAbstractItemModel;

namespace heliodesk {

class MessageActionBar;

class ConversationView : public QAbstractScrollArea
{
    Q_OBJECT

public:
    explicit ConversationView(QWidget *parent = nullptr);
    ~ConversationView() override;

    /// The messages, with MessageListModel's roles.
    void setModel(QAbstractItemModel *model);
    [[nodiscard]] QAbstractItemModel *model() const { return m_model; }

    /// The name shown above answers ("Market Intelligence").
    void setAgentName(const QString &name);
    /// What an empty conversation says.
    void setPlaceholderText(const QString &text);
    /// The user's ratings of answers, by message id (+1 or -1).
    void setRatings(const QHash<qint64, int> &ratings);
    void setRating(qint64 messageId, int rating);

    void scrollToBottom();
    /// Brings a row on screen, near the top, and highlights it for a moment.
    void scrollToRow(int row);
    [[nodiscard]] bool isAtBottom() const;

    /// The row the action bar belongs to, or -1.
    [[nodiscard]] int actionRow() const { return m_actionRow; }
    /// Puts the action bar under a row (the pointer does this; tests and keyboard users call it).
    void setActionRow(int row);
    [[nodiscard]] MessageActionBar *actionBar() const { return m_actionBar; }

    /// Where a row is, in viewport coordinates (rows off screen have an estimated place).
    [[nodiscard]] QRect rowRect(int row) const;
    /// Where a row's text starts, in viewport coordinates.
    [[nodiscard]] QPoint textOrigin(int row) const;
    /// The laid-out text of a row on screen, or nullptr (for tests).
    [[nodiscard]] const MessageDocument *documentOf(int row) const;
    /// How many rows currently hold a laid-out document (bounded; for tests and benchmarks).
    [[nodiscard]] int cachedDocumentCount() const;
    /// How many rows were laid out since the view was created (for benchmarks).
    [[nodiscard]] qint64 layoutCount() const { return m_layoutCount; }

Q_SIGNALS:
    void regenerateRequested(qint64 answerId);
    void continueRequested(qint64 answerId);
    /// +1, -1, or 0 to take a rating back.
    void ratingRequested(qint64 answerId, int rating);
    /// A link in a message was clicked; the view has already asked the desktop to open it.
    void linkActivated(const QUrl &url);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Block {
        qint64 id = 0;
        int height = 0;          // measured, or estimated while !measured
        bool measured = false;
        bool dirty = true;       // content or status changed since it was laid out
        std::unique_ptr<MessageDocument> document;
        QString footer;          // status line and sources, below the text
        int footerHeight = 0;
        qint64 lastUsed = 0;
    };
    struct Metrics {
        int margin = 16;
        int maxTextWidth = 760;
        int padding = 10;        // inside a question's bubble
        int headerHeight = 0;
        int actionHeight = 0;
        int gap = 14;            // between messages
    };

    void connectModel();
    void resetBlocks();
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);

    [[nodiscard]] QVariant value(int row, int role) const;
    [[nodiscard]] bool isQuestion(int row) const;
    [[nodiscard]] int contentWidth() const;
    [[nodiscard]] int contentLeft() const;
    [[nodiscard]] int documentWidth(int row) const;
    int estimateHeight(int row) const;
    void measure(int row);
    QString footerText(int row) const;
    void updateMetrics();
    void updateTops(int fromRow);
    void updateScrollRange();
    /// Lays out the rows on screen, keeping the first of them where it was (or the bottom in view).
    void layoutVisible();
    [[nodiscard]] int rowAt(int contentY) const;
    [[nodiscard]] int scrollY() const;
    void setScrollY(int y);
    void evictDocuments();
    void placeActionBar();
    void updateActionState();
    void maybeFetchOlder();
    void paintRow(QPainter &painter, int row, const QRect &clip);

    QPointer<QAbstractItemModel> m_model;
    std::vector<Block> m_blocks;
    std::vector<int> m_tops; // content y of each row; m_tops.back() is the total height
    int m_topsValidUpTo = 0;
    Metrics m_metrics;
    QString m_agentName;
    QString m_placeholder;
    QHash<qint64, int> m_ratings;
    QFont m_textFont;
    int m_laidOutWidth = 0;
    bool m_stickToBottom = true;
    bool m_layingOut = false;
    bool m_fetchQueued = false;
    qint64 m_useClock = 0;
    qint64 m_layoutCount = 0;
    int m_actionRow = -1;
    bool m_actionRowPinned = false; // chosen by the pointer or the keyboard, not the default
    int m_flashRow = -1;
    QTimer m_flashTimer;
    QTimer m_streamingPulse;
    int m_pulsePhase = 0;
    qint64 m_copiedCodeRow = -1;
    int m_copiedCodeIndex = -1;
    QTimer m_copiedTimer;
    MessageActionBar *m_actionBar = nullptr;
};

} // namespace heliodesk
