#include "messageactionbar.h"

#include <QHBoxLayout>
#include <QTimer>
#include <QToolButton>

namespace heliodesk {

MessageActionBar::MessageActionBar(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("messageActionBar"));
    setAccessibleName(tr("Answer actions"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(2);

    m_copy = addButton("copyButton", tr("Copy"), tr("Copy the answer"));
    m_regenerate = addButton("regenerateButton", tr("Regenerate"), tr("Ask again for a new answer"));
    m_retry = addButton("retryButton", tr("Retry"), tr("Try the question again"));
    m_continue = addButton("continueButton", tr("Continue"), tr("Continue the answer where it stopped"));
    m_good = addButton("goodButton", tr("Helpful"), tr("Rate the answer as helpful"));
    m_bad = addButton("badButton", tr("Not helpful"), tr("Rate the answer as not helpful"));
    m_good->setCheckable(true);
    m_bad->setCheckable(true);
    row->addStretch(1);

    connect(m_copy, &QToolButton::clicked, this, [this] { Q_EMIT copyClicked(m_state.messageId); });
    connect(m_regenerate, &QToolButton::clicked, this, [this] { Q_EMIT regenerateClicked(m_state.messageId); });
    connect(m_retry, &QToolButton::clicked, this, [this] { Q_EMIT retryClicked(m_state.messageId); });
    connect(m_continue, &QToolButton::clicked, this, [this] { Q_EMIT continueClicked(m_state.messageId); });
    connect(m_good, &QToolButton::clicked, this, [this](bool on) { Q_EMIT ratingClicked(m_state.messageId, on ? 1 : 0); });
    connect(m_bad, &QToolButton::clicked, this, [this](bool on) { Q_EMIT ratingClicked(m_state.messageId, on ? -1 : 0); });
}

QToolButton *MessageActionBar::addButton(const char *objectName, const QString &text, const QString &accessibleName)
{
    auto *button = new QToolButton(this);
    button->setObjectName(QLatin1String(objectName));
    button->setText(text);
    button->setAccessibleName(accessibleName);
    button->setToolTip(accessibleName);
    button->setAutoRaise(true);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setFocusPolicy(Qt::TabFocus);
    layout()->addWidget(button);
    return button;
}

void MessageActionBar::setState(const State &state)
{
    m_state = state;
    const bool done = !state.streaming;
    m_copy->setVisible(state.hasText && done);
    m_copy->setText(tr("Copy"));
    // Retry for a failed answer, Continue for an interrupted one; Regenerate for any other last answer.
    m_retry->setVisible(done && state.isLastAnswer && state.failed);
    m_continue->setVisible(done && state.isLastAnswer && state.interrupted);
    m_regenerate->setVisible(done && state.isLastAnswer && !state.failed);
    m_good->setVisible(done && state.hasText && !state.failed);
    m_bad->setVisible(done && state.hasText && !state.failed);
    m_good->setChecked(state.rating > 0);
    m_bad->setChecked(state.rating < 0);
    adjustSize();
}

void MessageActionBar::confirmCopied()
{
    m_copy->setText(tr("Copied"));
    QTimer::singleShot(1500, m_copy, [this] { m_copy->setText(tr("Copy")); });
}

} // namespace heliodesk
