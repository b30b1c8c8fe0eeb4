#include "composer.h"

#include "messagelabel.h"

#include <QAbstractTextDocumentLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

constexpr int maxVisibleLines = 8;

} // namespace

Composer::Composer(QWidget *parent)
    : QWidget(parent)
    , m_editor(new QPlainTextEdit(this))
    , m_send(new QPushButton(tr("Send"), this))
    , m_stop(new QPushButton(tr("Stop"), this))
    , m_reason(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("composer"));

    m_editor->setObjectName(QStringLiteral("composerEdit"));
    m_editor->setAccessibleName(tr("Question"));
    m_editor->setAccessibleDescription(tr("Enter sends the question; Shift+Enter starts a new line."));
    m_placeholder = tr("Ask a question… (Enter sends, Shift+Enter for a new line)");
    m_editor->setTabChangesFocus(true);
    m_editor->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_editor->installEventFilter(this);

    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setAccessibleName(tr("Send the question"));
    m_send->setDefault(false);
    m_send->setAutoDefault(false);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setAccessibleName(tr("Stop the answer"));
    m_stop->setToolTip(tr("Stop the answer (Esc)"));
    m_stop->setAutoDefault(false);
    m_stop->hide();

    m_reason->setObjectName(QStringLiteral("composerReason"));
    m_reason->setAccessibleName(tr("Why questions cannot be sent"));
    m_reason->clearMessage();

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_editor, 1);
    auto *buttons = new QVBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    row->addLayout(buttons);
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(12, 6, 12, 10);
    column->setSpacing(4);
    column->addWidget(m_reason);
    column->addLayout(row);

    connect(m_send, &QPushButton::clicked, this, &Composer::send);
    connect(m_stop, &QPushButton::clicked, this, &Composer::stopRequested);
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        updateState();
        fitHeight();
    });
    updateState();
    fitHeight();
}

QString Composer::text() const
{
    return m_editor->toPlainText();
}

void Composer::setText(const QString &text)
{
    m_editor->setPlainText(text);
    m_editor->moveCursor(QTextCursor::End);
}

void Composer::clear()
{
    m_editor->clear();
}

void Composer::focusEditor()
{
    m_editor->setFocus(Qt::ShortcutFocusReason);
}

void Composer::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    updateState();
}

void Composer::setStreaming(bool streaming)
{
    m_streaming = streaming;
    updateState();
}

void Composer::setBlockedReason(const QString &reason)
{
    m_blockedReason = reason;
    updateState();
}

bool Composer::canSend() const
{
    return !m_streaming && m_blockedReason.isEmpty() && !m_editor->toPlainText().trimmed().isEmpty();
}

void Composer::send()
{
    if (!canSend())
        return;
    Q_EMIT sendRequested(m_editor->toPlainText().trimmed());
}

void Composer::updateState()
{
    const bool blocked = !m_blockedReason.isEmpty();
    if (blocked)
        m_reason->showHint(m_blockedReason);
    else
        m_reason->clearMessage();
    // A blocked composer keeps what was typed, but cannot be typed into: it says why instead.
    m_editor->setReadOnly(blocked);
    m_editor->setEnabled(!blocked);
    m_send->setVisible(!m_streaming);
    m_stop->setVisible(m_streaming);
    m_send->setEnabled(canSend());
    m_send->setToolTip(blocked ? m_blockedReason : tr("Send the question (Enter)"));
    // The field says it is paused too, not only the line above it.
    m_editor->setPlaceholderText(blocked ? tr("Questions are paused: see above.") : m_placeholder);
}

void Composer::fitHeight()
{
    const QFontMetrics metrics(m_editor->font());
    const int lines = std::clamp(int(m_editor->document()->size().height()), 1, maxVisibleLines);
    const int frame = 2 * (m_editor->frameWidth() + int(m_editor->document()->documentMargin())) + 2;
    m_editor->setFixedHeight(std::max(2, lines) * metrics.lineSpacing() + frame);
}

bool Composer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_editor && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && !(key->modifiers() & (Qt::ShiftModifier | Qt::AltModifier))) {
            send();
            return true;
        }
        if (key->key() == Qt::Key_Escape && m_streaming) {
            Q_EMIT stopRequested();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace heliodesk
