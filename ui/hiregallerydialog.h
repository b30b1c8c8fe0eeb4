#pragma once

// "Hire agents…": every agent as a card that says whether the signed-in user may hire it, with
// Hire and Release buttons that take effect at once. Not modal: open it with open() or show().

#include "model/accountservice.h"
#include "model/clock.h"
#include "model/planservice.h"
#include "storage/database.h"
#include "storage/records.h"

#include <QDialog>

#include <map>
#include <memory>

class QGridLayout;
class QScrollArea;

namespace heliodesk {

class AgentCard;
class MessageLabel;

class HireGalleryDialog : public QDialog
{
    Q_OBJECT

public:
    HireGalleryDialog(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock, UserRecord user,
                      QWidget *parent = nullptr);

    /// The agents the user has hired, as last read or changed here.
    [[nodiscard]] const QStringList &hiredAgents() const { return m_hired; }
    /// The card of one agent, or null when there is no such agent.
    [[nodiscard]] AgentCard *card(const QString &agentId) const;

    /// Reads the user's plan, the agents and the hired agents again and shows them. A problem
    /// reading them shows in the banner; a banner from an earlier Hire or Release stays.
    void reload();

Q_SIGNALS:
    /// The user's hired agents after a Hire or Release that succeeded.
    void hiredAgentsChanged(const QStringList &agentIds);

private:
    void changeHiring(const QString &agentId, bool hire);
    void showCards(const QList<AgentRecord> &agents, const QStringList &planAgents, const QString &planName);
    void showHired();

    AccountService m_accounts;
    PlanService m_plans;
    UserRecord m_user;
    QStringList m_hired;
    std::map<QString, AgentCard *> m_cards;
    QStringList m_cardOrder;

    MessageLabel *m_message = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_cardArea = nullptr;
    QGridLayout *m_cardGrid = nullptr;
};

} // namespace heliodesk
