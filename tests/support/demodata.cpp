#include "demodata.h"

#include "scriptedprovider.h"
#include "testdatabase.h"

#include "model/accountservice.h"
#include "model/clock.h"
#include "model/planservice.h"
#include "model/chat/chatservice.h"
#include "model/chat/feedbackservice.h"
#include "model/chat/surveyservice.h"
#include "model/admin/agentadminservice.h"
#include "model/admin/healthservice.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>

namespace heliodesk::test {

namespace {

const QString market = QStringLiteral("market");
const QString om = QStringLiteral("om");
const QString news = QStringLiteral("news");

/// demoNow()'s day minus `daysAgo`, at hh:mm UTC.
QDateTime demoTime(int daysAgo, int hour, int minute)
{
    return QDateTime(demoNow().date().addDays(-daysAgo), QTime(hour, minute), Qt::UTC);
}

/// The answer cut into pieces of a few words, as a model streams it.
QStringList piecesOf(const QString &answer)
{
    QStringList pieces;
    constexpr qsizetype pieceSize = 48;
    for (qsizetype at = 0; at < answer.size(); at += pieceSize)
        pieces << answer.mid(at, pieceSize);
    return pieces;
}

// --- what Ana asked ------------------------------------------------------------------------------

DemoExchange ppaPrices()
{
    return {QStringLiteral("Give me solar PPA price benchmarks for Q3 2026 in Spain, Portugal, Italy, Germany and Poland, "
                           "and how they moved since Q2."),
            QStringLiteral(R"(## Solar PPA prices, Q3 2026

Pay-as-produced, 10-year tenor, indicative mid-points from signed deals and broker quotes:

| Country | Price (€/MWh) | vs Q2 | Comment |
|---|---:|---:|---|
| Spain | 34.5 | −1.5 | Capture rates keep falling; buyers ask for hybrid shapes |
| Portugal | 36.0 | −1.0 | Few deals, priced off Spain |
| Italy | 61.0 | +0.5 | FER X contracts set a floor; corporate demand is strong |
| Germany | 52.5 | −2.0 | More negative hours; baseload shapes cost a premium |
| Poland | 68.0 | +1.5 | Coal-heavy mix keeps prices high; grid access is the limit |

**Takeaways**

- The Iberian discount to Germany widened to about €17/MWh.
- Solar-plus-storage offers in Spain are €8–12/MWh above pay-as-produced.
- Buyers everywhere now ask for volume caps during negative-price hours.)")};
}

DemoExchange merchantRisk()
{
    return {QStringLiteral("Which of these markets carries the most curtailment and cannibalisation risk for a merchant tail?"),
            QStringLiteral(R"(**Spain**, clearly, then Germany:

1. **Spain** — the solar capture rate fell to about 0.62 this year and economic curtailment at noon is routine from March to June. A merchant tail after year 10 should be modelled at a capture rate of 0.5 or below.
2. **Germany** — negative hours keep rising, but under the EEG plants stop being paid during them, so the risk sits with new merchant capacity rather than with the market as a whole.
3. **Poland** — low cannibalisation today; the risk is grid curtailment ordered by the system operator on sunny weekends.
4. **Italy** — the lowest risk: zonal prices in the south are higher and storage auctions will absorb midday surpluses.

For the Q1 investment committee I would show the Spanish case with and without a 2-hour battery.)")};
}

DemoExchange offshoreAuction()
{
    return {QStringLiteral("What is the latest on Portugal's offshore wind auction?"),
            QStringLiteral(R"(The auction is still in preparation:

- The government confirmed the first round will offer **2 GW** in the Viana do Castelo and Leixões areas, with floating foundations.
- The model is a two-sided contract for difference, awarded on price and on a supply-chain plan.
- Grid connection is the open question: the transmission operator has not yet published the offshore connection plan.

I will flag it here as soon as the terms of reference are published.)")};
}

DemoExchange thermography()
{
    return {QStringLiteral("Summarise the drone thermography findings for Block C and tell me what to fix first."),
            QStringLiteral(R"(## Block C thermography, 4 November

The drone survey covered 18,240 modules on 152 trackers.

- **37 hotspots** above 20 K over their neighbours, 9 of them on trackers C-61 to C-64 (likely the same soiling pattern under the access road).
- **6 open bypass diodes**, each taking a third of a module's output.
- **2 strings** fully offline: C-118/3 and C-140/1 (blown fuses in combiner boxes CB-C15 and CB-C18).

**Fix first:** the two offline strings (about 1.1 MWh a week), then the bypass diodes. The hotspots can wait for the next cleaning round unless they exceed 40 K.)")};
}

DemoExchange cleaningWorth()
{
    return {QStringLiteral("Is it worth cleaning the Alentejo sites once more before winter?"),
            QStringLiteral(R"(Yes for Évora and Moura, no for Beja:

| Site | Soiling loss now | Energy back by March | Cleaning cost | Pays back? |
|---|---:|---:|---:|---|
| Évora | 4.8 % | 610 MWh | €21,000 | yes, ≈ 3 weeks |
| Moura | 3.9 % | 420 MWh | €17,500 | yes, ≈ 5 weeks |
| Beja | 1.6 % | 95 MWh | €9,800 | no |

Prices assume the plants' average capture price of €41/MWh for December to February.)")};
}

DemoExchange cleaningRain()
{
    return {QStringLiteral("And if the first autumn rains come next week?"),
            QStringLiteral(R"(Rain of more than about 5 mm washes off most of the dust but not the bird droppings and the lichen on the lower module row. Expect the soiling loss to fall to about 1.5 % at Évora and Moura, which no longer pays for a full wash.

- Keep the Évora contract on hold until the forecast for 24–28 November is firm.
- Spot-clean the lower rows of trackers next to the access roads either way.)")};
}

DemoExchange modulePrices()
{
    return {QStringLiteral("How are TOPCon and back-contact module prices moving this quarter?"),
            QStringLiteral(R"(Both are flat to slightly up, after two years of falls:

- **TOPCon** (n-type, 580–620 W): €0.105–0.115/Wp delivered to Southern Europe, +3 % on Q3, as Chinese makers cut output.
- **Back-contact** modules: €0.125–0.135/Wp; the premium over TOPCon narrowed to about €0.02/Wp.
- European-made modules remain at €0.20–0.24/Wp and win mostly where tenders score resilience.

For procurement in Q1, fixed-price offers valid for 60 days are again common; lock them before Chinese New Year.)")};
}

DemoExchange nziaSourcing()
{
    return {QStringLiteral("What does the Net-Zero Industry Act change for our module sourcing in 2027 tenders?"),
            QStringLiteral(R"(From 30 December 2025, public auctions for renewables must apply non-price criteria to at least **30 %** of the volume auctioned each year (or 6 GW):

- **Resilience**: a bid loses points if more than 50 % of a key component (modules, inverters) comes from a single non-EU country.
- **Cybersecurity and responsible business conduct** become qualification criteria, not scores.
- Member states may phase the criteria in, so the rules differ by country in 2026–2027.

For our 2027 tenders in Spain and Italy this means pricing at least one bid with European inverters and a second module supplier.)")};
}

DemoExchange hailStow()
{
    return {QStringLiteral("What stow angle should the trackers go to on a hail warning?"),
            QStringLiteral(R"(Go to the **maximum tilt the tracker allows, usually 60°**, facing into the storm:

- Hail hits the glass at a glancing angle, which cuts the impact energy by more than half.
- Above about 60 km/h of wind, the manufacturer's wind stow (flat) wins over hail stow: follow the controller's priority.
- Leave the trackers in hail stow until 30 minutes after the last cell has passed.)")};
}

DemoExchange hailWarningTime()
{
    return {QStringLiteral("How much warning time do we need for 120 trackers?"),
            QStringLiteral(R"(About **6 minutes**: the trackers turn at roughly 15° a minute and all rows move at once. Allow 10 minutes to cover a controller that needs a retry.

The weather service's hail nowcast gives 20–40 minutes, so an automatic trigger from the nowcast is enough; a person on call is the fallback.)")};
}

DemoExchange spainGridQueue()
{
    return {QStringLiteral("Summarise this week's news on Spain's grid connection queue."),
            QStringLiteral(R"(Three items this week:

1. **Capacity tenders**: the ministry published the calendar for the next access-capacity tenders at 12 saturated nodes; storage co-located with solar gets priority.
2. **Milestones enforced**: about 4 GW of projects lost their access permits for missing administrative milestones; the capacity returns to the queue.
3. **Curtailment data**: the system operator will publish technical curtailment by node every month from January, which will help price merchant risk.

Nothing changes for our projects with permits already granted.)")};
}

DemoExchange evoraWeek()
{
    return {QStringLiteral("How did Évora perform last week?"),
            QStringLiteral(R"(Below target: **PR 79.6 %** against 82.0 % budgeted, availability **97.4 %** against 98.5 %. Irradiation was 6 % above the long-term mean, so the shortfall is technical, not weather. Most of it comes from four inverters.)")};
}

DemoExchange evoraInverters()
{
    return {QStringLiteral("Which inverters lost the most energy, and why? Add the SCADA query so I can rerun it on Mondays."),
            QStringLiteral(R"(## Évora, energy lost by inverter, 9–15 November

| Inverter | Availability | Lost energy | Main cause |
|---|---:|---:|---|
| INV-B07 | 71.2 % | 18.6 MWh | IGBT over-temperature trips: cooling fan F2 failed |
| INV-C12 | 88.9 % | 7.4 MWh | Insulation faults at dawn on string C12-14 |
| INV-A03 | 93.5 % | 4.1 MWh | Grid curtailment on the 30 kV feeder, 12 Nov |
| INV-D21 | 95.8 % | 2.9 MWh | Communication loss; gap filled from the meter |

- Replace fan F2 on INV-B07 first: the trips stop once airflow is back.
- The curtailment on INV-A03 is not an O&M loss: claim it from the grid operator.

The query, for the historian (PostgreSQL with TimescaleDB, 10-minute records):

```sql
SELECT inverter_id,
       round(100.0 * avg((ac_power_kw > 0 OR poa_wm2 < 50)::int), 1) AS availability_pct,
       round(sum(greatest(expected_kw - ac_power_kw, 0)) / 6000, 1)  AS lost_mwh,
       mode() WITHIN GROUP (ORDER BY alarm_code)                    AS main_alarm
FROM scada_10min
WHERE site = 'EVORA'
  AND ts >= date_trunc('week', now()) - interval '7 days'
  AND ts <  date_trunc('week', now())
GROUP BY inverter_id
ORDER BY lost_mwh DESC
LIMIT 5;
```)")};
}

/// Quick questions Ana asked and later deleted: they still count towards her month.
QList<QPair<QString, DemoExchange>> quickQuestions()
{
    return {
        {market, {QStringLiteral("Convert 34.5 €/MWh to US dollars at today's rate."), QStringLiteral("About **$37.3/MWh** at 1.081 $/€.")}},
        {om, {QStringLiteral("What is the difference between P50 and P90 yield?"),
              QStringLiteral("P50 is the yield exceeded in half of the years; P90 is exceeded in nine years out of ten, "
                             "so it is lower and is what lenders size debt on.")}},
        {news, {QStringLiteral("Any news on the MIBEL day-ahead price cap?"),
                QStringLiteral("No change this week: the harmonised limits of −500 and +4,000 €/MWh still apply.")}},
        {om, {QStringLiteral("Typical MTBF of a central inverter IGBT stack?"),
              QStringLiteral("Manufacturers quote 80,000–100,000 hours; field data from hot sites is closer to 60,000.")}},
        {market, {QStringLiteral("What is a capture rate?"),
                  QStringLiteral("The price a technology earns on average (weighted by its output) divided by the baseload "
                                 "price over the same period.")}},
        {om, {QStringLiteral("Torque for MC4 connectors?"),
              QStringLiteral("Hand-tight with the manufacturer's tool; the cable gland nut is 2.5–3.0 N·m for Stäubli MC4.")}},
    };
}

/// Runs every question of the demo through the services.
class Seeder
{
public:
    Seeder(std::shared_ptr<Database> database, std::shared_ptr<FakeClock> clock)
        : m_database(std::move(database))
        , m_clock(std::move(clock))
        , m_provider(std::make_shared<ScriptedProvider>())
        , m_chat(m_database, m_clock, [provider = m_provider](const QString &) { return provider; })
    {
    }

    void setActor(const UserRecord &user) { m_actor = Actor::user(user); }
    ChatService &chat() { return m_chat; }

    /// Asks `exchange.question` at `at` (in `conversationId`, or a new conversation with `agentId`)
    /// and waits until the scripted answer is complete.
    Result<AnswerTicket> ask(std::optional<qint64> conversationId, const QString &agentId, const DemoExchange &exchange,
                             const QDateTime &at)
    {
        m_clock->set(at);
        ProviderScript script;
        script.pieces = piecesOf(exchange.answer);
        m_provider->setScript(std::move(script));
        AskRequest request;
        request.conversationId = conversationId;
        request.agentId = agentId;
        request.question = exchange.question;
        QSignalSpy finished(&m_chat, &ChatService::answerFinished);
        auto ticket = m_chat.ask(m_actor, request);
        if (!ticket)
            return ticket;
        if (!finished.wait(10000))
            return fail(ErrorCode::Internal, QStringLiteral("A demo answer did not finish within 10 seconds."));
        const auto status = finished.front().at(1).value<MessageStatus>();
        if (status != MessageStatus::Complete)
            return fail(ErrorCode::Internal, QStringLiteral("A demo answer ended as %1: %2")
                                                 .arg(nameOf(status), finished.front().at(2).toString()));
        return ticket;
    }

    /// A conversation of one or more exchanges with one agent, `minutesApart` between questions.
    Result<QList<AnswerTicket>> conversation(const QString &agentId, const QList<DemoExchange> &exchanges, QDateTime at,
                                             int minutesApart)
    {
        QList<AnswerTicket> tickets;
        std::optional<qint64> conversationId;
        for (const DemoExchange &exchange : exchanges) {
            auto ticket = ask(conversationId, agentId, exchange, at);
            if (!ticket)
                return Unexpected(ticket.error());
            conversationId = ticket->conversationId;
            tickets << *ticket;
            at = at.addSecs(qint64(minutesApart) * 60);
        }
        return tickets;
    }

    /// Asks in a new conversation at `at`; the model server fails part-way with `failure`.
    Result<AnswerTicket> askFailing(const QString &agentId, const QString &question, const QDateTime &at, const Error &failure)
    {
        m_clock->set(at);
        ProviderScript script;
        script.pieces = {QStringLiteral("Checking the latest figures")};
        script.failAfter = 1;
        script.failure = failure;
        m_provider->setScript(std::move(script));
        AskRequest request;
        request.agentId = agentId;
        request.question = question;
        QSignalSpy finished(&m_chat, &ChatService::answerFinished);
        auto ticket = m_chat.ask(m_actor, request);
        if (!ticket)
            return ticket;
        if (!finished.wait(10000))
            return fail(ErrorCode::Internal, QStringLiteral("A failing demo answer did not end within 10 seconds."));
        return ticket;
    }

private:
    std::shared_ptr<Database> m_database;
    std::shared_ptr<FakeClock> m_clock;
    std::shared_ptr<ScriptedProvider> m_provider;
    ChatService m_chat;
    Actor m_actor = Actor::anonymous();
};

} // namespace

QDateTime demoNow()
{
    return QDateTime(QDate(2026, 11, 19), QTime(15, 40), Qt::UTC); // a Thursday
}

DemoExchange demoLiveExchange()
{
    return {QStringLiteral("How many negative-price hours did Spain and Germany have this year, and what does it mean for "
                           "unhedged solar?"),
            QStringLiteral(R"(## Negative prices and merchant solar, January–October 2026

Both markets had more hours at or below zero than in any year before, nearly all of them around solar noon on spring weekends.

| Month | Spain, hours ≤ 0 €/MWh | Germany, hours < 0 €/MWh |
|---|---:|---:|
| March | 96 | 41 |
| April | 182 | 88 |
| May | 211 | 126 |
| June | 143 | 97 |
| July | 64 | 71 |
| August | 58 | 66 |
| September | 41 | 39 |
| October | 12 | 18 |

**What it means for an unhedged plant**

- In Spain, about 9 % of a fixed-tilt plant's annual output now lands in hours at or below zero; on trackers it is closer to 7 %.
- A merchant plant should curtail itself below its variable cost (the guarantee-of-origin value and any balancing charges), which a controller with a price signal does automatically.
- Batteries of 2 hours shift most of the spring midday output into the evening peak, where Spanish prices averaged €96/MWh in April and May.

I would model the merchant share of new projects at a capture rate of 0.55 in Spain and 0.70 in Germany.)")};
}

QString demoSearchTerm()
{
    return QStringLiteral("curtailment");
}

Result<DemoData> seedDemoData(const std::shared_ptr<Database> &database, const std::shared_ptr<FakeClock> &clock)
{
    DemoData demo;
    AccountService accounts(database, clock, PasswordHasher(quickHashParams()));

    // The accounts were made when Heliodesk was installed, in early September.
    clock->set(QDateTime(QDate(2026, 9, 1), QTime(9, 30), Qt::UTC));
    NewUser adminRequest;
    adminRequest.username = QStringLiteral("marta.reis");
    adminRequest.displayName = QStringLiteral("Marta Reis");
    adminRequest.password = QStringLiteral("grid code 2026 admin");
    adminRequest.role = Role::Admin;
    auto admin = accounts.createUser(Actor::anonymous(), adminRequest);
    if (!admin)
        return Unexpected(admin.error());
    demo.admin = *admin;
    demo.adminPassword = adminRequest.password;

    clock->set(QDateTime(QDate(2026, 9, 1), QTime(9, 45), Qt::UTC));
    NewUser analystRequest;
    analystRequest.username = QStringLiteral("ana.lima");
    analystRequest.displayName = QStringLiteral("Ana Lima");
    analystRequest.password = QStringLiteral("sunny inverter 42");
    auto analyst = accounts.createUser(Actor::user(demo.admin), analystRequest);
    if (!analyst)
        return Unexpected(analyst.error());
    demo.analystPassword = analystRequest.password;
    const Actor ana = Actor::user(*analyst);

    PlanService plans(database, clock);
    if (auto hired = plans.hireAgents(ana, analyst->username, {market, om, news}); !hired)
        return Unexpected(hired.error());

    Seeder seeder(database, clock);
    seeder.setActor(*analyst);
    ChatService &chat = seeder.chat();
    FeedbackService feedback(database, clock);

    // Late last month: the counter of this month starts after it (ask in the order of time).
    auto october = seeder.conversation(news, {offshoreAuction()}, demoTime(23, 10, 5), 9);
    if (!october)
        return Unexpected(october.error());
    demo.conversationIds << october->front().conversationId;
    if (auto renamed = chat.renameConversation(ana, october->front().conversationId, QStringLiteral("Portugal offshore wind auction"));
        !renamed)
        return Unexpected(renamed.error());

    // Quick questions through the month, in conversations she deleted afterwards.
    const auto quick = quickQuestions();
    for (int i = 0; i < 27; ++i) {
        const auto &[agentId, exchange] = quick.at(i % quick.size());
        const int daysAgo = 17 - (i * 16) / 27; // the 2nd to the 18th of the month
        auto ticket = seeder.ask({}, agentId, exchange, demoTime(daysAgo, 9 + i % 8, (i * 7) % 60));
        if (!ticket)
            return Unexpected(ticket.error());
        if (auto removed = chat.deleteConversation(ana, ticket->conversationId); !removed)
            return Unexpected(removed.error());
    }

    struct Planned {
        QString agentId;
        QList<DemoExchange> exchanges;
        QDateTime at;
        QString title; // empty: the title made from the first question
        bool pinned = false;
        int rating = 0; // of the first answer
    };
    const QList<Planned> planned = {
        {market, {ppaPrices(), merchantRisk()}, demoTime(16, 10, 5), QStringLiteral("PPA price benchmarks, Q3 2026"), true, 1},
        {om, {thermography()}, demoTime(13, 14, 20), QStringLiteral("Block C thermography"), false, 0},
        {om, {cleaningWorth(), cleaningRain()}, demoTime(6, 11, 10), {}, false, 1},
        {market, {modulePrices()}, demoTime(3, 16, 45), {}, false, 0},
        {news, {nziaSourcing()}, demoTime(1, 11, 30), QStringLiteral("Net-Zero Industry Act and module sourcing"), false, 0},
        {om, {hailStow(), hailWarningTime()}, demoTime(1, 16, 5), QStringLiteral("Tracker stow on hail warnings"), false, 0},
        {news, {spainGridQueue()}, demoTime(0, 8, 40), {}, false, 0},
        {om, {evoraWeek(), evoraInverters()}, demoTime(0, 9, 12), QStringLiteral("Évora inverter losses, week 46"), false, 1},
    };
    for (const Planned &plan : planned) {
        auto tickets = seeder.conversation(plan.agentId, plan.exchanges, plan.at, 9);
        if (!tickets)
            return Unexpected(tickets.error());
        const qint64 conversationId = tickets->front().conversationId;
        demo.conversationIds << conversationId;
        clock->advance(std::chrono::minutes(2));
        if (!plan.title.isEmpty()) {
            if (auto renamed = chat.renameConversation(ana, conversationId, plan.title); !renamed)
                return Unexpected(renamed.error());
        }
        if (plan.pinned) {
            if (auto pinned = chat.setConversationPinned(ana, conversationId, true); !pinned)
                return Unexpected(pinned.error());
            demo.pinnedConversationId = conversationId;
        }
        if (plan.rating != 0) {
            if (auto rated = feedback.rate(ana, tickets->front().answerId, plan.rating); !rated)
                return Unexpected(rated.error());
        }
    }
    demo.showcaseConversationId = demo.conversationIds.back();

    // She answered the survey when it first asked, and it is not due again yet.
    clock->set(demoTime(0, 9, 40));
    SurveyService survey(database, clock);
    if (auto answered = survey.submit(ana, 5, QStringLiteral("The O&M answers save me a morning every Monday.")); !answered)
        return Unexpected(answered.error());

    clock->set(demoNow());
    auto seeded = accounts.findUser(Actor::user(demo.admin), analystRequest.username);
    if (!seeded)
        return Unexpected(seeded.error());
    demo.analyst = *seeded;
    demo.questionsThisMonth = demo.analyst.usedIn(quotaPeriodOf(demoNow()));
    return demo;
}

namespace {

const QString digitalization = QStringLiteral("digitalization");

struct Teammate {
    QString username;
    QString displayName;
    QString plan;
    Role role = Role::Analyst;
    QStringList agents;
    int questions = 0; // over the last two weeks
};

QList<QPair<QString, DemoExchange>> teamQuestions()
{
    QList<QPair<QString, DemoExchange>> questions = quickQuestions();
    questions << QPair<QString, DemoExchange>{
        digitalization,
        {QStringLiteral("Which SCADA tags do we need for a soiling index?"),
         QStringLiteral("Plane-of-array irradiance from a clean and a soiled reference cell, module temperature, and "
                        "the string currents of the blocks you compare.")}};
    questions << QPair<QString, DemoExchange>{
        news,
        {QStringLiteral("What changed in Italy's FER X auction rules?"),
         QStringLiteral("The second window caps the strike price at €95/MWh for solar and adds a local-content bonus.")}};
    questions << QPair<QString, DemoExchange>{
        digitalization,
        {QStringLiteral("Is OPC UA or Modbus TCP better for a new plant controller?"),
         QStringLiteral("OPC UA: typed data, subscriptions and security built in; keep Modbus TCP for legacy devices.")}};
    return questions;
}

QList<QPair<QString, QByteArray>> omDocuments()
{
    return {
        {QStringLiteral("inverter-fault-codes.md"),
         QByteArrayLiteral("# Central inverter fault codes\n\nF0217 DC insulation fault: measure Riso per string before "
                           "restarting.\nF0330 IGBT over-temperature: check the cabinet filters and fans.\n")},
        {QStringLiteral("module-cleaning-guide.md"),
         QByteArrayLiteral("# Module cleaning\n\nClean when the soiling index drops below 0.95 and the forecast shows no rain "
                           "for ten days. Use demineralised water; never clean hot modules.\n")},
        {QStringLiteral("tracker-stow-procedure.md"),
         QByteArrayLiteral("# Tracker stow\n\nStow at 60 degrees for hail, flat (0 degrees) for wind above 18 m/s. "
                           "Confirm every row's angle on SCADA.\n")},
        {QStringLiteral("thermography-checklist.txt"),
         QByteArrayLiteral("Thermography checklist\n\nIrradiance above 600 W/m2, wind below 4 m/s, emissivity 0.85 for glass. "
                           "Report every hotspot more than 10 K above its neighbours.\n")},
    };
}

} // namespace

Result<void> seedTeamDemoData(const std::shared_ptr<Database> &database, const std::shared_ptr<FakeClock> &clock,
                              const DemoData &demo, const QString &documentsFolder)
{
    const Actor marta = Actor::user(demo.admin);
    AccountService accounts(database, clock, PasswordHasher(quickHashParams()));
    PlanService plans(database, clock);

    // The plans were set up in September with the team.
    clock->set(QDateTime(QDate(2026, 9, 2), QTime(10, 0), Qt::UTC));
    if (auto plan = plans.addPlan(marta, QStringLiteral("Field Team"), 150, {om, news, digitalization}); !plan)
        return Unexpected(plan.error());
    if (auto plan = plans.addPlan(marta, QStringLiteral("Trial"), 20, {news}); !plan)
        return Unexpected(plan.error());

    const QList<Teammate> team = {
        {QStringLiteral("joao.ferreira"), QStringLiteral("João Ferreira"), QStringLiteral("Field Team"), Role::Analyst,
         {om, digitalization}, 26},
        {QStringLiteral("sofia.marques"), QStringLiteral("Sofia Marques"), QStringLiteral("Standard"), Role::Analyst,
         {market, news}, 18},
        {QStringLiteral("lukas.weber"), QStringLiteral("Lukas Weber"), QStringLiteral("Unlimited"), Role::Analyst,
         {market, om, news, digitalization}, 34},
        {QStringLiteral("piotr.nowak"), QStringLiteral("Piotr Nowak"), QStringLiteral("Standard"), Role::Analyst,
         {om, market}, 12},
        {QStringLiteral("elena.rossi"), QStringLiteral("Elena Rossi"), QStringLiteral("Trial"), Role::Analyst, {news}, 5},
        {QStringLiteral("ines.duarte"), QStringLiteral("Inês Duarte"), QStringLiteral("Unlimited"), Role::Admin,
         {market, om, news, digitalization}, 8},
    };
    QHash<QString, UserRecord> people;
    for (const Teammate &mate : team) {
        clock->advance(std::chrono::minutes(7));
        NewUser request;
        request.username = mate.username;
        request.displayName = mate.displayName;
        request.password = QStringLiteral("demo password ") + mate.username;
        request.role = mate.role;
        request.planName = mate.plan;
        auto user = accounts.createUser(marta, request);
        if (!user)
            return Unexpected(user.error());
        if (auto hired = plans.hireAgents(marta, mate.username, mate.agents); !hired)
            return Unexpected(hired.error());
        people.insert(mate.username, *user);
    }

    // Two weeks of questions, spread over the working hours of each day.
    Seeder seeder(database, clock);
    FeedbackService feedback(database, clock);
    const auto questions = teamQuestions();
    struct Rateable {
        AnswerTicket ticket;
        QString agentId;
        UserRecord asker;
    };
    QList<Rateable> rateable;
    for (const Teammate &mate : team) {
        seeder.setActor(people.value(mate.username));
        int asked = 0;
        for (int i = 0; asked < mate.questions && i < 400; ++i) {
            const auto &[agentId, exchange] = questions.at((i + int(mate.username.size())) % questions.size());
            if (!mate.agents.contains(agentId))
                continue;
            const int daysAgo = 13 - (asked * 13) / std::max(1, mate.questions);
            auto ticket = seeder.ask({}, agentId, exchange, demoTime(daysAgo, 8 + (asked * 5) % 9, (asked * 11) % 60));
            if (!ticket)
                return Unexpected(ticket.error());
            if (asked % 7 == 3)
                rateable << Rateable{*ticket, agentId, people.value(mate.username)};
            ++asked;
        }
    }

    // Ratings, some with a comment that fits the agent: {rating, comment}.
    const QHash<QString, QList<QPair<int, QString>>> comments = {
        {om, {{1, QStringLiteral("Exactly what I needed on site.")}, {1, QString()}, {-1, QStringLiteral("Too generic for our trackers.")}}},
        {market, {{-1, QStringLiteral("The rate is from last week, not today.")}, {1, QStringLiteral("Clear and short.")}, {1, QString()}}},
        {news, {{1, QString()}, {-1, QStringLiteral("Missed the local-content bonus.")}, {1, QStringLiteral("Good summary.")}}},
        {digitalization, {{1, QStringLiteral("Good pointer to the reference cells.")}, {1, QString()}}},
    };
    QHash<QString, int> used;
    for (int i = 0; i < rateable.size(); ++i) {
        const Rateable &r = rateable.at(i);
        const QList<QPair<int, QString>> choices = comments.value(r.agentId);
        const QPair<int, QString> &choice = choices.at(used[r.agentId]++ % choices.size());
        clock->set(demoTime(0, 7, 0).addSecs(-qint64(rateable.size() - i) * 3600));
        // Each answer is rated by the one who asked it.
        if (auto rated = feedback.rate(Actor::user(r.asker), r.ticket.answerId, choice.first, choice.second); !rated)
            return Unexpected(rated.error());
    }

    // Survey answers.
    SurveyService survey(database, clock);
    clock->set(demoTime(2, 15, 20));
    if (auto answered = survey.submit(Actor::user(people.value(QStringLiteral("joao.ferreira"))), 4,
                                      QStringLiteral("Would love the fault-code table offline on site."));
        !answered)
        return Unexpected(answered.error());
    clock->set(demoTime(1, 10, 5));
    if (auto answered = survey.submit(Actor::user(people.value(QStringLiteral("lukas.weber"))), 3,
                                      QStringLiteral("Market answers need dates on every figure."));
        !answered)
        return Unexpected(answered.error());

    // Answers the model server failed in the last day.
    seeder.setActor(people.value(QStringLiteral("sofia.marques")));
    if (auto failed = seeder.askFailing(market, QStringLiteral("Day-ahead prices for tomorrow in Germany?"), demoTime(0, 10, 12),
                                        Error(ErrorCode::ProviderUnavailable,
                                              QStringLiteral("The model server is unavailable (HTTP 503).")));
        !failed)
        return Unexpected(failed.error());
    seeder.setActor(people.value(QStringLiteral("joao.ferreira")));
    if (auto failed = seeder.askFailing(om, QStringLiteral("Summarise yesterday's alarms at Évora."), demoTime(0, 13, 40),
                                        Error(ErrorCode::ProviderProtocol,
                                              QStringLiteral("The model server's reply was cut off before the answer ended.")));
        !failed)
        return Unexpected(failed.error());

    // The admins' work this week.
    clock->set(demoTime(4, 9, 15));
    UserChanges overrideLimit;
    overrideLimit.quotaMode = QuotaMode::Limit;
    overrideLimit.quotaLimit = 500;
    if (auto changed = accounts.updateUser(marta, QStringLiteral("piotr.nowak"), overrideLimit); !changed)
        return Unexpected(changed.error());
    clock->set(demoTime(3, 11, 2));
    if (auto reset = accounts.resetMonthCount(marta, QStringLiteral("piotr.nowak"),
                                              QStringLiteral("Questions counted twice during the proxy outage"));
        !reset)
        return Unexpected(reset.error());
    clock->set(demoTime(2, 17, 30));
    UserChanges disable;
    disable.status = UserStatus::Disabled;
    if (auto changed = accounts.updateUser(marta, QStringLiteral("elena.rossi"), disable); !changed)
        return Unexpected(changed.error());

    AgentAdminService agents(database, clock);
    clock->set(demoTime(1, 9, 0));
    AgentChanges prompt;
    prompt.systemPrompt = QStringLiteral("You are the O&M engineer of a fleet of utility-scale solar plants in Iberia. "
                                         "Answer with the procedure first, then the reason. Cite the fault-code table.");
    if (auto updated = agents.updateAgent(Actor::user(people.value(QStringLiteral("ines.duarte"))), om, prompt); !updated)
        return Unexpected(updated.error());
    QStringList paths;
    for (const auto &[name, bytes] : omDocuments()) {
        const QString path = QDir(documentsFolder).filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            return fail(ErrorCode::Internal, QStringLiteral("Could not write the demo document %1.").arg(path));
        paths << path;
    }
    clock->set(demoTime(1, 9, 20));
    if (auto imported = agents.importDocuments(Actor::user(people.value(QStringLiteral("ines.duarte"))), om, paths); !imported)
        return Unexpected(imported.error());

    // Last night's backup.
    clock->set(demoTime(0, 2, 0));
    HealthService health(database, clock, nullptr);
    QSignalSpy backedUp(&health, &HealthService::backupSucceeded);
    QSignalSpy backupFailed(&health, &HealthService::backupFailed);
    const QString backupPath = QDir(documentsFolder).filePath(QStringLiteral("heliodesk-backup.sqlite3"));
    QFile::remove(backupPath); // an earlier run's
    if (auto started = health.startBackup(marta, backupPath);
        !started)
        return Unexpected(started.error());
    if (!backedUp.wait(30000) && backedUp.isEmpty())
        return fail(ErrorCode::Internal, backupFailed.isEmpty() ? QStringLiteral("The demo backup did not end within 30 seconds.")
                                                                : QStringLiteral("The demo backup failed."));

    // This morning's sign-ins (Elena's account is disabled).
    for (int i = 0; i < team.size(); ++i) {
        const Teammate &mate = team.at(i);
        if (mate.username == u"elena.rossi")
            continue;
        clock->set(demoTime(0, 8, 5 + 9 * i));
        if (auto signedIn = accounts.signIn(mate.username, QStringLiteral("demo password ") + mate.username); !signedIn)
            return Unexpected(signedIn.error());
    }

    clock->set(demoNow());
    return {};
}

} // namespace heliodesk::test
