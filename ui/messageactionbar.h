#pragma once

// The row of buttons under one answer: copy, regenerate, retry or continue, and the two ratings.
// The conversation view keeps a single bar and moves it to the answer under the pointer (or the
// last answer), so a history of thousands of messages costs no widgets.

#include <QWidget>

class QToolButton;

namespace heliodesk {

class MessageActionBar : public QWidget
{
    Q_OBJECT

public:
    struct State {
        qint64 messageId = 0;
        bool streaming = false;
        bool failed = false;
        bool interrupted = false; // interrupted or stopped with text: it can be continued
        bool isLastAnswer = false;
        bool hasText = false;
        int rating = 0; // -1, 0 or 1
    };

    explicit MessageActionBar(QWidget *parent = nullptr);

    void setState(const State &state);
    [[nodiscard]] const State &state() const { return m_state; }
    /// Shows "Copied" on the copy button for a moment.
    void confirmCopied();

Q_SIGNALS:
    void copyClicked(qint64 messageId);
    void regenerateClicked(qint64 messageId);
    void retryClicked(qint64 messageId);
    void continueClicked(qint64 messageId);
    /// +1 or -1; 0 when the pressed rating is taken back.
    void ratingClicked(qint64 messageId, int rating);

private:
    QToolButton *addButton(const char *objectName, const QString &text, const QString &accessibleName);

    State m_state;
    QToolButton *m_copy = nullptr;
    QToolButton *m_regenerate = nullptr;
    QToolButton *m_retry = nullptr;
    QToolButton *m_continue = nullptr;
    QToolButton *m_good = nullptr;
    QToolButton *m_bad = nullptr;
};

} // namespace heliodesk
