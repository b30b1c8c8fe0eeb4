#pragma once

// Where the analyst writes: several lines, Enter sends, Shift+Enter starts a new line; Stop while an
// answer streams; and, when no question can be sent (the month's quota is used, no agent is hired),
// the reason in words instead of a button that silently does nothing.

#include <QWidget>

class QPlainTextEdit;
class QPushButton;

namespace heliodesk {

class MessageLabel;

class Composer : public QWidget
{
    Q_OBJECT

public:
    explicit Composer(QWidget *parent = nullptr);

    [[nodiscard]] QString text() const;
    void setText(const QString &text);
    void clear();
    /// Keyboard focus into the text field.
    void focusEditor();

    /// While an answer streams, Send becomes Stop (typing the next question stays possible).
    void setStreaming(bool streaming);
    [[nodiscard]] bool isStreaming() const { return m_streaming; }
    /// Why nothing can be sent now, shown under the field; empty to allow sending.
    void setBlockedReason(const QString &reason);
    [[nodiscard]] QString blockedReason() const { return m_blockedReason; }
    [[nodiscard]] bool canSend() const;
    void setPlaceholderText(const QString &text);

    [[nodiscard]] QPlainTextEdit *editor() const { return m_editor; }
    [[nodiscard]] QPushButton *sendButton() const { return m_send; }
    [[nodiscard]] QPushButton *stopButton() const { return m_stop; }

Q_SIGNALS:
    void sendRequested(const QString &text);
    void stopRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void send();
    void updateState();
    void fitHeight();

    QPlainTextEdit *m_editor = nullptr;
    QPushButton *m_send = nullptr;
    QPushButton *m_stop = nullptr;
    MessageLabel *m_reason = nullptr;
    QString m_placeholder;
    bool m_streaming = false;
    QString m_blockedReason;
};

} // namespace heliodesk
