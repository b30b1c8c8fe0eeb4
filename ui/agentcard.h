#pragma once

// One agent in the hire gallery: a round badge, its name and description, whether the user may
// hire it, and the Hire or Release button.

#include "storage/records.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace heliodesk {

class AgentCard : public QFrame
{
    Q_OBJECT

public:
    /// What the card says, in this order of precedence: an agent that is turned off says so even
    /// when it is also outside the plan.
    enum class State { Hired, Available, NotInPlan, TurnedOff };

    explicit AgentCard(const AgentRecord &agent, QWidget *parent = nullptr);

    [[nodiscard]] const QString &agentId() const { return m_agent.id; }
    [[nodiscard]] const QString &agentName() const { return m_agent.name; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isHired() const { return m_hired; }
    /// The sentence under the description ("Hired", "Not in your plan (Field Team)", …).
    [[nodiscard]] QString stateText() const;

    /// Shows the agent as it is now. `planName` is the user's plan, named when the plan leaves it out.
    /// A hired agent can always be released, even when it is turned off or left the plan since.
    void setAccess(const AgentRecord &agent, bool inPlan, bool hired, const QString &planName);
    /// Shows a new hired state, keeping the rest (after Hire or Release succeeded).
    void setHired(bool hired);

    /// Up to two letters for the badge: the first letter of the first two words ("O&M" → "OM").
    static QString initialsOf(const QString &name);
    /// The badge colour, always the same for one agent id (white text on it is legible).
    static QColor badgeColour(const QString &agentId);

Q_SIGNALS:
    void hireRequested(const QString &agentId);
    void releaseRequested(const QString &agentId);

private:
    void updateLook();
    [[nodiscard]] QString disabledReason() const;

    AgentRecord m_agent;
    bool m_inPlan = true;
    bool m_hired = false;
    QString m_planName;
    State m_state = State::Available;

    QLabel *m_badge = nullptr;
    QLabel *m_name = nullptr;
    QLabel *m_description = nullptr;
    QLabel *m_stateLabel = nullptr;
    QPushButton *m_hireButton = nullptr;
    QPushButton *m_releaseButton = nullptr;
};

} // namespace heliodesk
