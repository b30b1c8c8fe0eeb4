#include "agentcard.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

constexpr int badgeSize = 44;

/// FNV-1a over the id's UTF-16 units, then MurmurHash3's finaliser so that short ids differing in
/// one letter spread over the colours. Unlike qHash, the same in every Qt version and process.
quint32 stableHash(const QString &text)
{
    quint32 hash = 2166136261u;
    for (const QChar c : text) {
        hash ^= c.unicode();
        hash *= 16777619u;
    }
    hash ^= hash >> 16;
    hash *= 0x85ebca6bu;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35u;
    hash ^= hash >> 16;
    return hash;
}

} // namespace

AgentCard::AgentCard(const AgentRecord &agent, QWidget *parent)
    : QFrame(parent)
    , m_agent(agent)
    , m_badge(new QLabel(this))
    , m_name(new QLabel(this))
    , m_description(new QLabel(this))
    , m_stateLabel(new QLabel(this))
    , m_hireButton(new QPushButton(tr("Hire"), this))
    , m_releaseButton(new QPushButton(tr("Release"), this))
{
    setObjectName(QStringLiteral("agentCard_") + agent.id);
    setFrameShape(QFrame::StyledPanel);
    setFrameShadow(QFrame::Raised);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);

    // A label drawn by the style sheet stays sharp at every scale, unlike a painted pixmap.
    m_badge->setObjectName(QStringLiteral("agentBadge_") + agent.id);
    m_badge->setFixedSize(badgeSize, badgeSize);
    m_badge->setAlignment(Qt::AlignCenter);
    m_badge->setTextFormat(Qt::PlainText);
    QFont badgeFont = font();
    badgeFont.setBold(true);
    badgeFont.setPixelSize(badgeSize * 2 / 5);
    m_badge->setFont(badgeFont);

    QFont nameFont = font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.15);
    nameFont.setBold(true);
    m_name->setFont(nameFont);
    m_name->setObjectName(QStringLiteral("agentName_") + agent.id);
    m_name->setTextFormat(Qt::PlainText);

    m_description->setObjectName(QStringLiteral("agentDescription_") + agent.id);
    m_description->setTextFormat(Qt::PlainText);
    m_description->setWordWrap(true);

    m_stateLabel->setObjectName(QStringLiteral("agentState_") + agent.id);
    m_stateLabel->setTextFormat(Qt::PlainText);
    m_stateLabel->setWordWrap(true);

    m_hireButton->setObjectName(QStringLiteral("hireButton_") + agent.id);
    m_releaseButton->setObjectName(QStringLiteral("releaseButton_") + agent.id);
    connect(m_hireButton, &QPushButton::clicked, this, [this] { Q_EMIT hireRequested(m_agent.id); });
    connect(m_releaseButton, &QPushButton::clicked, this, [this] { Q_EMIT releaseRequested(m_agent.id); });

    auto *text = new QVBoxLayout;
    text->setSpacing(4);
    text->addWidget(m_name);
    text->addWidget(m_description);
    text->addWidget(m_stateLabel);
    text->addStretch(1); // cards in one row share a height: the text stays together at the top

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_hireButton);
    buttons->addWidget(m_releaseButton);
    buttons->addStretch(1);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(12);
    layout->addWidget(m_badge, 0, Qt::AlignTop);
    layout->addLayout(text, 1);
    layout->addLayout(buttons);

    setAccess(agent, true, false, QString());
}

QString AgentCard::initialsOf(const QString &name)
{
    QString initials;
    bool atWordStart = true;
    for (const QChar c : name) {
        if (!c.isLetterOrNumber()) {
            atWordStart = true;
            continue;
        }
        if (atWordStart) {
            initials += c.toUpper();
            if (initials.size() == 2)
                break;
        }
        atWordStart = false;
    }
    return initials.isEmpty() ? QStringLiteral("?") : initials;
}

QColor AgentCard::badgeColour(const QString &agentId)
{
    // Dark enough for white text at 4.5:1 or more.
    static const QList<QColor> colours = {QColor(0x1f, 0x6f, 0xb2), QColor(0x2e, 0x7d, 0x32), QColor(0x8e, 0x44, 0xad),
                                          QColor(0xb0, 0x4a, 0x0c), QColor(0x00, 0x6d, 0x60), QColor(0xad, 0x14, 0x57),
                                          QColor(0x45, 0x5a, 0x64), QColor(0x5e, 0x35, 0xb1)};
    return colours.at(int(stableHash(agentId) % quint32(colours.size())));
}

QString AgentCard::stateText() const
{
    switch (m_state) {
    case State::Hired: return tr("Hired");
    case State::Available: return tr("Available");
    case State::NotInPlan:
        return m_planName.isEmpty() ? tr("Not in your plan") : tr("Not in your plan (%1)").arg(m_planName);
    case State::TurnedOff: return tr("Turned off by an administrator");
    }
    return {};
}

QString AgentCard::disabledReason() const
{
    switch (m_state) {
    case State::NotInPlan:
        return m_planName.isEmpty()
            ? tr("Your plan does not include %1. Ask an administrator to add it to your plan.").arg(m_agent.name)
            : tr("Your plan (%1) does not include %2. Ask an administrator to add it to your plan.").arg(m_planName, m_agent.name);
    case State::TurnedOff:
        return tr("An administrator has turned %1 off. Ask an administrator if you need it.").arg(m_agent.name);
    case State::Hired:
    case State::Available: break;
    }
    return {};
}

void AgentCard::setAccess(const AgentRecord &agent, bool inPlan, bool hired, const QString &planName)
{
    m_agent = agent;
    m_inPlan = inPlan;
    m_hired = hired;
    m_planName = planName;
    updateLook();
}

void AgentCard::setHired(bool hired)
{
    if (m_hired == hired)
        return;
    m_hired = hired;
    updateLook();
}

void AgentCard::updateLook()
{
    m_state = !m_agent.enabled ? State::TurnedOff : !m_inPlan ? State::NotInPlan : m_hired ? State::Hired : State::Available;

    const QColor colour = badgeColour(m_agent.id);
    m_badge->setText(initialsOf(m_agent.name));
    m_badge->setStyleSheet(QStringLiteral("QLabel { background-color: %1; color: white; border-radius: %2px; }")
                               .arg(colour.name(QColor::HexRgb))
                               .arg(badgeSize / 2));
    m_name->setText(m_agent.name);
    m_description->setText(m_agent.description);
    m_description->setVisible(!m_agent.description.isEmpty());

    const QString state = stateText();
    const QString reason = disabledReason();
    m_stateLabel->setText(state);
    m_stateLabel->setToolTip(reason);
    // Unavailable agents read quieter; a hired one stands out.
    m_stateLabel->setForegroundRole(m_state == State::NotInPlan || m_state == State::TurnedOff ? QPalette::PlaceholderText
                                                                                               : QPalette::WindowText);
    QFont stateFont = font();
    stateFont.setBold(m_state == State::Hired);
    m_stateLabel->setFont(stateFont);

    // Focus follows the button that replaces the one just pressed, so the keyboard is not lost.
    const bool hadFocus = m_hireButton->hasFocus() || m_releaseButton->hasFocus();
    m_hireButton->setVisible(!m_hired);
    m_hireButton->setEnabled(m_state == State::Available);
    m_hireButton->setToolTip(reason.isEmpty() ? tr("Hire %1 so that you can ask it questions.").arg(m_agent.name) : reason);
    m_hireButton->setAccessibleName(tr("Hire %1").arg(m_agent.name));
    m_hireButton->setAccessibleDescription(reason);
    m_releaseButton->setVisible(m_hired);
    m_releaseButton->setEnabled(m_hired);
    m_releaseButton->setToolTip(tr("Release %1. Your conversations with it are kept.").arg(m_agent.name));
    m_releaseButton->setAccessibleName(tr("Release %1").arg(m_agent.name));
    if (hadFocus)
        (m_hired ? m_releaseButton : m_hireButton)->setFocus();

    setToolTip(reason);
    setAccessibleName(m_agent.name);
    setAccessibleDescription(m_agent.description.isEmpty() ? state : QString(m_agent.description + u' ' + state + u'.'));
}

} // namespace heliodesk
