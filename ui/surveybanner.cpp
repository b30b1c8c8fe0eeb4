#include "surveybanner.h"

#include "messagelabel.h"

#include "model/chat/surveyservice.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

QLabel *endLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont small = label->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    label->setFont(small);
    return label;
}

} // namespace

SurveyBanner::SurveyBanner(QWidget *parent)
    : QFrame(parent)
    , m_scores(new QButtonGroup(this))
{
    setObjectName(QStringLiteral("surveyBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    const QString question = tr("How useful were the agents this week?");
    setAccessibleName(tr("Survey"));
    setAccessibleDescription(question);

    auto *questionLabel = new QLabel(question, this);
    questionLabel->setObjectName(QStringLiteral("surveyQuestion"));
    QFont bold = questionLabel->font();
    bold.setBold(true);
    questionLabel->setFont(bold);

    const QString names[] = {tr("1 – not useful"), tr("2 – a little useful"), tr("3 – fairly useful"), tr("4 – useful"),
                             tr("5 – very useful")};
    auto *row = new QHBoxLayout;
    row->setSpacing(4);
    row->addWidget(endLabel(tr("Not useful"), this));
    m_scores->setExclusive(true);
    for (int score = 1; score <= 5; ++score) {
        auto *button = new QPushButton(QString::number(score), this);
        button->setObjectName(QStringLiteral("surveyScore%1").arg(score));
        button->setAccessibleName(names[score - 1]);
        button->setToolTip(names[score - 1]);
        button->setCheckable(true);
        button->setFocusPolicy(Qt::StrongFocus);
        button->setFixedWidth(button->fontMetrics().horizontalAdvance(QStringLiteral("00")) + 24);
        m_scores->addButton(button, score);
        row->addWidget(button);
    }
    row->addWidget(endLabel(tr("Very useful"), this));
    row->addSpacing(12);

    m_commentEdit = new QLineEdit(this);
    m_commentEdit->setObjectName(QStringLiteral("surveyCommentEdit"));
    m_commentEdit->setAccessibleName(tr("Comment"));
    m_commentEdit->setPlaceholderText(tr("Anything to add? (optional)"));
    m_commentEdit->setMaxLength(int(SurveyService::maxCommentChars));
    m_commentEdit->setClearButtonEnabled(true);
    row->addWidget(m_commentEdit, 1);

    // No mnemonic: the composer below has its own Send.
    m_sendButton = new QPushButton(tr("Send"), this);
    m_sendButton->setObjectName(QStringLiteral("surveySendButton"));
    m_sendButton->setAccessibleName(tr("Send survey answer"));
    m_sendButton->setAutoDefault(true);
    row->addWidget(m_sendButton);

    // Created after the scores, the comment and Send, so that Tab reaches "Not now" last although
    // it sits at the top right. (Explicit setTabOrder calls left Qt 6.4's focus chain wrong once the
    // composer was added after the banner: Tab jumped from the scores into it.)
    m_closeButton = new QToolButton(this);
    m_closeButton->setObjectName(QStringLiteral("surveyCloseButton"));
    m_closeButton->setText(QStringLiteral("×"));
    m_closeButton->setAccessibleName(tr("Not now"));
    m_closeButton->setToolTip(tr("Not now"));
    m_closeButton->setAutoRaise(true);
    m_closeButton->setFocusPolicy(Qt::StrongFocus);
    connect(m_closeButton, &QToolButton::clicked, this, &SurveyBanner::dismiss);

    auto *top = new QHBoxLayout;
    top->addWidget(questionLabel, 1);
    top->addWidget(m_closeButton);

    m_errorMessage = new MessageLabel(MessageLabel::Presentation::Inline, this);
    m_errorMessage->setObjectName(QStringLiteral("surveyErrorMessage"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 8, 8);
    layout->setSpacing(6);
    layout->addLayout(top);
    layout->addLayout(row);
    layout->addWidget(m_errorMessage);

    connect(m_scores, &QButtonGroup::idToggled, this, &SurveyBanner::updateSendButton);
    connect(m_sendButton, &QPushButton::clicked, this, &SurveyBanner::send);
    // Enter in the comment sends once a score is chosen.
    connect(m_commentEdit, &QLineEdit::returnPressed, this, &SurveyBanner::send);
    updateSendButton();
}

int SurveyBanner::score() const
{
    return std::max(0, m_scores->checkedId());
}

QString SurveyBanner::comment() const
{
    return m_commentEdit->text();
}

void SurveyBanner::reset()
{
    // An exclusive group never lets its last checked button go.
    m_scores->setExclusive(false);
    for (QAbstractButton *button : m_scores->buttons())
        button->setChecked(false);
    m_scores->setExclusive(true);
    m_commentEdit->clear();
    m_errorMessage->clearMessage();
    updateSendButton();
}

void SurveyBanner::showError(const QString &message)
{
    show();
    m_errorMessage->showError(message);
}

void SurveyBanner::updateSendButton()
{
    m_sendButton->setEnabled(score() > 0);
}

void SurveyBanner::send()
{
    const int chosen = score();
    if (chosen == 0)
        return;
    m_errorMessage->clearMessage();
    // Hidden before the signal, so a receiver that fails to save can show the banner again.
    hide();
    Q_EMIT submitted(chosen, comment());
}

void SurveyBanner::dismiss()
{
    m_errorMessage->clearMessage();
    hide();
    Q_EMIT dismissed();
}

void SurveyBanner::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        event->accept();
        dismiss();
        return;
    }
    QFrame::keyPressEvent(event);
}

} // namespace heliodesk
