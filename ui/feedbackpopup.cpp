#include "feedbackpopup.h"

#include "messagelabel.h"

#include "model/chat/feedbackservice.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QVBoxLayout>

namespace heliodesk {

FeedbackPopup::FeedbackPopup(int rating, QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_rating(rating < 0 ? -1 : 1)
    , m_titleLabel(new QLabel(this))
    , m_commentEdit(new QPlainTextEdit(this))
    , m_commentMessage(new MessageLabel(MessageLabel::Presentation::Inline, this))
    , m_skipButton(new QPushButton(tr("S&kip"), this)) // before Send: Tab follows creation order
    , m_sendButton(new QPushButton(tr("&Send"), this))
{
    setObjectName(QStringLiteral("feedbackPopup"));
    setFrameShape(QFrame::StyledPanel);
    const QString title = m_rating > 0 ? tr("What was good?") : tr("What went wrong?");
    setAccessibleName(title);
    setAccessibleDescription(tr("Optional comment on the answer you rated"));

    m_titleLabel->setObjectName(QStringLiteral("feedbackTitle"));
    m_titleLabel->setText(title);
    m_titleLabel->setAccessibleName(title);
    QFont bold = m_titleLabel->font();
    bold.setBold(true);
    m_titleLabel->setFont(bold);
    m_titleLabel->setBuddy(m_commentEdit);

    m_commentEdit->setObjectName(QStringLiteral("feedbackCommentEdit"));
    m_commentEdit->setAccessibleName(tr("Comment"));
    m_commentEdit->setAccessibleDescription(tr("Optional. Ctrl+Enter sends it."));
    m_commentEdit->setPlaceholderText(m_rating > 0 ? tr("Optional: what made this answer useful?")
                                                   : tr("Optional: what was wrong or missing?"));
    // Tab moves on to the buttons, so the popup can be used without a mouse.
    m_commentEdit->setTabChangesFocus(true);
    m_commentEdit->installEventFilter(this);
    m_commentMessage->setObjectName(QStringLiteral("feedbackCommentMessage"));

    m_sendButton->setObjectName(QStringLiteral("feedbackSendButton"));
    m_sendButton->setAccessibleName(tr("Send comment"));
    m_sendButton->setAutoDefault(true);
    m_skipButton->setObjectName(QStringLiteral("feedbackSkipButton"));
    m_skipButton->setAccessibleName(tr("Skip the comment"));
    m_skipButton->setAutoDefault(true);
    connect(m_sendButton, &QPushButton::clicked, this, &FeedbackPopup::send);
    connect(m_skipButton, &QPushButton::clicked, this, &FeedbackPopup::dismiss);
    connect(m_commentEdit, &QPlainTextEdit::textChanged, this, &FeedbackPopup::validate);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_skipButton);
    buttons->addWidget(m_sendButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(8);
    layout->addWidget(m_titleLabel);
    layout->addWidget(m_commentEdit);
    layout->addWidget(m_commentMessage);
    layout->addLayout(buttons);
    setFixedWidth(340);
    m_commentEdit->setFixedHeight(m_commentEdit->fontMetrics().lineSpacing() * 4 + 12);
    validate();
}

QString FeedbackPopup::comment() const
{
    return m_commentEdit->toPlainText();
}

void FeedbackPopup::popUp(QWidget *anchor)
{
    m_answered = false;
    adjustSize();
    if (anchor) {
        const QPoint below = anchor->mapToGlobal(QPoint(0, anchor->height() + 2));
        QPoint at = below;
        if (const QScreen *screen = anchor->screen()) {
            const QRect area = screen->availableGeometry();
            if (at.y() + height() > area.bottom())
                at.setY(anchor->mapToGlobal(QPoint(0, 0)).y() - height() - 2);
            at.setX(std::clamp(at.x(), area.left(), std::max(area.left(), area.right() - width())));
            at.setY(std::max(at.y(), area.top()));
        }
        move(at);
    }
    show();
    m_commentEdit->setFocus(Qt::PopupFocusReason);
}

void FeedbackPopup::validate()
{
    const qsizetype length = m_commentEdit->toPlainText().trimmed().size();
    const bool tooLong = length > FeedbackService::maxCommentChars;
    if (tooLong)
        m_commentMessage->showError(tr("The comment is too long (%1 characters; at most %2). Shorten it.")
                                        .arg(length)
                                        .arg(FeedbackService::maxCommentChars));
    else
        m_commentMessage->clearMessage();
    m_commentEdit->setAccessibleDescription(tooLong ? m_commentMessage->text() : tr("Optional. Ctrl+Enter sends it."));
    m_sendButton->setEnabled(!tooLong);
}

void FeedbackPopup::send()
{
    if (m_answered || !m_sendButton->isEnabled())
        return;
    m_answered = true;
    const QString text = comment();
    // Closed before the signal, so a receiver may show it again or delete it later.
    hide();
    Q_EMIT submitted(text);
}

void FeedbackPopup::dismiss()
{
    if (m_answered)
        return;
    m_answered = true;
    hide();
    Q_EMIT dismissed();
}

void FeedbackPopup::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        event->accept();
        dismiss();
        return;
    }
    QFrame::keyPressEvent(event);
}

void FeedbackPopup::hideEvent(QHideEvent *event)
{
    QFrame::hideEvent(event);
    // A click outside closes a popup without Skip being pressed: that is a dismissal too.
    dismiss();
}

bool FeedbackPopup::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_commentEdit && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ControlModifier)) {
            send();
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace heliodesk
