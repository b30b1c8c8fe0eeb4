#include "hiregallerydialog.h"

#include "agentcard.h"
#include "dialogheader.h"
#include "messagelabel.h"

#include <QDialogButtonBox>
#include <QGridLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

constexpr int cardColumns = 2;

} // namespace

HireGalleryDialog::HireGalleryDialog(const std::shared_ptr<Database> &database, const std::shared_ptr<const Clock> &clock, UserRecord user,
                                     QWidget *parent)
    : QDialog(parent)
    , m_accounts(database, clock)
    , m_plans(database, clock)
    , m_user(std::move(user))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
    , m_scroll(new QScrollArea(this))
    , m_cardArea(new QWidget(m_scroll))
    , m_cardGrid(new QGridLayout(m_cardArea))
{
    setObjectName(QStringLiteral("hireGallery"));
    setWindowTitle(tr("Hire Agents"));
    setModal(false);

    auto *header = new DialogHeader(tr("Hire agents"),
                                    tr("Hire the agents you want to ask. Your plan decides which ones you can hire; "
                                       "releasing an agent keeps your conversations with it."),
                                    database->location().displayName(), this);

    m_message->setObjectName(QStringLiteral("errorMessage"));

    m_cardArea->setObjectName(QStringLiteral("agentCards"));
    m_cardGrid->setContentsMargins(0, 0, 0, 0);
    m_cardGrid->setHorizontalSpacing(12);
    m_cardGrid->setVerticalSpacing(12);
    for (int column = 0; column < cardColumns; ++column)
        m_cardGrid->setColumnStretch(column, 1);
    m_scroll->setObjectName(QStringLiteral("agentScroll"));
    m_scroll->setAccessibleName(tr("Agents"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setWidget(m_cardArea);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *close = buttons->button(QDialogButtonBox::Close);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setAccessibleName(tr("Close the agent gallery"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(14);
    layout->addWidget(header);
    layout->addWidget(m_message);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(buttons);

    reload();
    resize(780, 560);
}

AgentCard *HireGalleryDialog::card(const QString &agentId) const
{
    const auto found = m_cards.find(agentId);
    return found == m_cards.end() ? nullptr : found->second;
}

void HireGalleryDialog::reload()
{
    const Actor actor = Actor::user(m_user);
    // The plan is read again: an administrator may have moved the user to another since sign-in.
    auto user = m_accounts.findUser(actor, m_user.username);
    if (!user) {
        m_message->showError(tr("Could not show the agents. %1").arg(user.error().message()));
        return;
    }
    m_user = *user;
    auto agents = m_plans.listAgents();
    auto plans = m_plans.listPlans();
    auto hired = m_plans.hiredAgents(actor, m_user.username);
    const Error *problem = !agents ? &agents.error() : !plans ? &plans.error() : !hired ? &hired.error() : nullptr;
    if (problem) {
        m_message->showError(tr("Could not show the agents. %1").arg(problem->message()));
        return;
    }
    QStringList planAgents;
    QString planName = m_user.planName;
    for (const PlanRecord &plan : std::as_const(*plans)) {
        if (plan.id == m_user.planId) {
            planAgents = plan.agentIds;
            planName = plan.name;
        }
    }
    m_hired = *hired;
    showCards(*agents, planAgents, planName);
}

void HireGalleryDialog::showCards(const QList<AgentRecord> &agents, const QStringList &planAgents, const QString &planName)
{
    QStringList order;
    for (const AgentRecord &agent : agents)
        order << agent.id;
    if (order != m_cardOrder) {
        // Later, not now: this may run inside a click on one of these cards.
        for (const auto &[id, old] : m_cards) {
            m_cardGrid->removeWidget(old);
            old->hide();
            old->deleteLater();
        }
        m_cards.clear();
        for (int row = 0; row < m_cardGrid->rowCount(); ++row)
            m_cardGrid->setRowStretch(row, 0);
        m_cardOrder = order;
        int index = 0;
        for (const AgentRecord &agent : agents) {
            auto *card = new AgentCard(agent, m_cardArea);
            connect(card, &AgentCard::hireRequested, this, [this](const QString &id) { changeHiring(id, true); });
            connect(card, &AgentCard::releaseRequested, this, [this](const QString &id) { changeHiring(id, false); });
            m_cardGrid->addWidget(card, index / cardColumns, index % cardColumns);
            m_cards.emplace(agent.id, card);
            ++index;
        }
        // Spare height goes below the cards, not into them.
        m_cardGrid->setRowStretch((index + cardColumns - 1) / cardColumns, 1);
    }
    for (const AgentRecord &agent : agents)
        m_cards.at(agent.id)->setAccess(agent, planAgents.contains(agent.id), m_hired.contains(agent.id), planName);
}

void HireGalleryDialog::showHired()
{
    for (const auto &[id, card] : m_cards)
        card->setHired(m_hired.contains(id));
}

void HireGalleryDialog::changeHiring(const QString &agentId, bool hire)
{
    const Actor actor = Actor::user(m_user);
    const QStringList agentIds{agentId};
    auto result = hire ? m_plans.hireAgents(actor, m_user.username, agentIds) : m_plans.releaseAgents(actor, m_user.username, agentIds);
    if (!result) {
        // The service refused: read everything again so the cards show what is true now, and say
        // why in the card's own terms when the card can tell.
        reload();
        const AgentCard *card = this->card(agentId);
        const QString name = card ? card->agentName() : agentId;
        QString message;
        if (hire && card && card->state() == AgentCard::State::TurnedOff)
            message = tr("Could not hire %1: an administrator has turned it off.").arg(name);
        else if (hire && card && card->state() == AgentCard::State::NotInPlan)
            message = tr("Could not hire %1: your plan no longer includes it. Ask an administrator to add it to your plan.")
                          .arg(name);
        else
            message = (hire ? tr("Could not hire %1. %2") : tr("Could not release %1. %2")).arg(name, result.error().message());
        m_message->showError(message);
        return;
    }
    m_message->clearMessage();
    m_hired = *result;
    showHired();
    Q_EMIT hiredAgentsChanged(m_hired);
}

} // namespace heliodesk
