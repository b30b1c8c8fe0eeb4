#pragma once

// The small popup after a thumbs up or down on an answer: an optional word on what was good or
// what went wrong. The rating itself is saved at the click; a comment sent here updates it.

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace heliodesk {

class MessageLabel;

class FeedbackPopup : public QFrame
{
    Q_OBJECT

public:
    /// `rating` is 1 (thumbs up: "What was good?") or -1 (thumbs down: "What went wrong?").
    explicit FeedbackPopup(int rating, QWidget *parent = nullptr);

    [[nodiscard]] int rating() const { return m_rating; }
    /// The comment as typed (the caller's service trims it).
    [[nodiscard]] QString comment() const;

    /// Shows the popup just below `anchor` (above it when there is no room), kept on the anchor's
    /// screen, with the keyboard focus in the comment. Does not block.
    void popUp(QWidget *anchor);

Q_SIGNALS:
    /// Send: the comment may be empty. The popup has closed itself already.
    void submitted(const QString &comment);
    /// Skip, Escape or a click elsewhere. The popup has closed itself already.
    void dismissed();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void send();
    void dismiss();
    void validate();

    int m_rating = 1;
    bool m_answered = false; // submitted or dismissed already emitted for this showing

    QLabel *m_titleLabel = nullptr;
    QPlainTextEdit *m_commentEdit = nullptr;
    MessageLabel *m_commentMessage = nullptr;
    QPushButton *m_skipButton = nullptr;
    QPushButton *m_sendButton = nullptr;
};

} // namespace heliodesk
