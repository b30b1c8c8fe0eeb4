// HireGalleryDialog on a real database through the real PlanService: a card per agent, Hire and
// Release by mouse, agents outside the plan or turned off, and refusals shown in words.

#include "ui/agentcard.h"
#include "ui/hiregallerydialog.h"
#include "ui/messagelabel.h"

#include "model/planservice.h"
#include "storage/hiringstore.h"
#include "storage/sql.h"
#include "support/testdatabase.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

const QString news = QStringLiteral("news");
const QString om = QStringLiteral("om");
const QString market = QStringLiteral("market");
const QString digitalization = QStringLiteral("digitalization");

enum class Meanwhile { AgentTurnedOff, LeftThePlan, UserDeleted };

double contrastWithWhite(const QColor &colour)
{
    const auto linear = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    const double luminance = 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF());
    return 1.05 / (luminance + 0.05);
}

} // namespace

Q_DECLARE_METATYPE(Meanwhile)

class TestHireGallery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void showsEveryAgentAsACard();
    void hireThenReleaseByClicking();
    void keyboardKeepsFocusOnTheCard();
    void agentOutsideThePlanIsDisabled();
    void turnedOffAgent();
    void hiredAgentTurnedOffCanBeReleased();
    void refusalShowsTheBanner_data();
    void refusalShowsTheBanner();
    void reloadReadsTheUsersPlanAgain();
    void initials_data();
    void initials();
    void badgeColourIsStablePerAgent();

private:
    void openGallery();
    template<typename T>
    T *child(const QString &name) const;
    QString stateOf(const QString &agentId) const { return child<QLabel>(QStringLiteral("agentState_") + agentId)->text(); }
    QPushButton *hireButton(const QString &agentId) const { return child<QPushButton>(QStringLiteral("hireButton_") + agentId); }
    QPushButton *releaseButton(const QString &agentId) const { return child<QPushButton>(QStringLiteral("releaseButton_") + agentId); }
    QStringList hiredInDatabase() const { return HiringStore::hiredAgents(m_db->connection(), m_ben.id).value(); }

    std::unique_ptr<TestDatabase> m_db;
    Actor m_root;
    UserRecord m_ben;
    std::unique_ptr<HireGalleryDialog> m_gallery;
};

void TestHireGallery::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_root = m_db->createAdmin(QStringLiteral("root"));
    PlanService plans(m_db->database(), m_db->clock());
    VERIFY_OK(plans.addPlan(m_root, QStringLiteral("Field Team"), 50, {news, om}));
    m_ben = m_db->createAnalyst(QStringLiteral("ben"), std::nullopt, QStringLiteral("Field Team"));
}

void TestHireGallery::cleanup()
{
    m_gallery.reset();
    m_db.reset();
}

void TestHireGallery::openGallery()
{
    m_gallery = std::make_unique<HireGalleryDialog>(m_db->database(), m_db->clock(), m_ben);
    m_gallery->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_gallery.get()));
}

template<typename T>
T *TestHireGallery::child(const QString &name) const
{
    auto *widget = m_gallery->findChild<T *>(name);
    if (!widget)
        qFatal("no child %s", qPrintable(name));
    return widget;
}

void TestHireGallery::showsEveryAgentAsACard()
{
    openGallery();
    QCOMPARE(m_gallery->objectName(), QStringLiteral("hireGallery"));
    QVERIFY(!m_gallery->isModal());
    QCOMPARE(m_gallery->findChildren<AgentCard *>().size(), 4);
    for (const QString &id : {news, om, market, digitalization}) {
        auto *card = child<AgentCard>(QStringLiteral("agentCard_") + id);
        QVERIFY(card->isVisible());
        QVERIFY(!card->accessibleName().isEmpty());
        QVERIFY(!hireButton(id)->accessibleName().isEmpty());
        QVERIFY(!releaseButton(id)->isVisible()); // nothing hired yet
    }
    QCOMPARE(child<QLabel>(QStringLiteral("agentName_market"))->text(), QStringLiteral("Market Intelligence"));
    QCOMPARE(child<QLabel>(QStringLiteral("agentDescription_market"))->text(),
             QStringLiteral("Power prices, PPAs, auctions, supply chain and competitors."));
    QCOMPARE(child<QLabel>(QStringLiteral("agentBadge_om"))->text(), QStringLiteral("OM"));
    QCOMPARE(child<QLabel>(QStringLiteral("agentBadge_market"))->text(), QStringLiteral("MI"));
    QCOMPARE(stateOf(news), QStringLiteral("Available"));
    QCOMPARE(stateOf(om), QStringLiteral("Available"));
    QVERIFY(hireButton(news)->isEnabled());
    QCOMPARE(stateOf(market), QStringLiteral("Not in your plan (Field Team)"));
    QCOMPARE(stateOf(digitalization), QStringLiteral("Not in your plan (Field Team)"));
    QVERIFY(!child<MessageLabel>(QStringLiteral("errorMessage"))->isVisible());
}

void TestHireGallery::hireThenReleaseByClicking()
{
    openGallery();
    QSignalSpy changed(m_gallery.get(), &HireGalleryDialog::hiredAgentsChanged);
    const int auditBefore = m_db->count(QStringLiteral("audit_log"));

    QTest::mouseClick(hireButton(om), Qt::LeftButton);
    QCOMPARE(hiredInDatabase(), QStringList{om});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toStringList(), QStringList{om});
    QCOMPARE(m_gallery->hiredAgents(), QStringList{om});
    QCOMPARE(stateOf(om), QStringLiteral("Hired"));
    QVERIFY(!hireButton(om)->isVisible());
    QVERIFY(releaseButton(om)->isVisible());
    QVERIFY(releaseButton(om)->isEnabled());
    QCOMPARE(stateOf(news), QStringLiteral("Available")); // the others are untouched

    QTest::mouseClick(hireButton(news), Qt::LeftButton);
    QCOMPARE(hiredInDatabase(), (QStringList{news, om}));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(1).at(0).toStringList(), (QStringList{news, om}));

    QTest::mouseClick(releaseButton(om), Qt::LeftButton);
    QCOMPARE(hiredInDatabase(), QStringList{news});
    QCOMPARE(changed.size(), 3);
    QCOMPARE(changed.at(2).at(0).toStringList(), QStringList{news});
    QCOMPARE(stateOf(om), QStringLiteral("Available"));
    QVERIFY(hireButton(om)->isVisible());
    QVERIFY(!releaseButton(om)->isVisible());

    // Each change went through the service: one audit entry each.
    QCOMPARE(m_db->count(QStringLiteral("audit_log")), auditBefore + 3);
    QVERIFY(!child<MessageLabel>(QStringLiteral("errorMessage"))->isVisible());
}

void TestHireGallery::keyboardKeepsFocusOnTheCard()
{
    openGallery();
    QVERIFY(QTest::qWaitForWindowActive(m_gallery.get()));
    hireButton(om)->setFocus();
    QVERIFY(hireButton(om)->hasFocus());
    QTest::keyClick(hireButton(om), Qt::Key_Space);
    QCOMPARE(hiredInDatabase(), QStringList{om});
    QVERIFY(releaseButton(om)->hasFocus());
    QTest::keyClick(releaseButton(om), Qt::Key_Space);
    QCOMPARE(hiredInDatabase(), QStringList{});
    QVERIFY(hireButton(om)->hasFocus());
}

void TestHireGallery::agentOutsideThePlanIsDisabled()
{
    openGallery();
    QSignalSpy changed(m_gallery.get(), &HireGalleryDialog::hiredAgentsChanged);
    QPushButton *hire = hireButton(market);
    QVERIFY(hire->isVisible());
    QVERIFY(!hire->isEnabled());
    QVERIFY2(hire->toolTip().contains(u"Ask an administrator"), qPrintable(hire->toolTip()));
    QVERIFY(hire->toolTip().contains(u"Field Team"));
    QCOMPARE(hire->accessibleDescription(), hire->toolTip());
    QCOMPARE(m_gallery->card(market)->state(), AgentCard::State::NotInPlan);

    QTest::mouseClick(hire, Qt::LeftButton);
    QCOMPARE(hiredInDatabase(), QStringList{});
    QCOMPARE(changed.size(), 0);
}

void TestHireGallery::turnedOffAgent()
{
    VERIFY_OK(execSql(m_db->connection(), QStringLiteral("UPDATE agents SET enabled = 0 WHERE id = 'om'")));
    openGallery();
    QCOMPARE(stateOf(om), QStringLiteral("Turned off by an administrator"));
    QCOMPARE(m_gallery->card(om)->state(), AgentCard::State::TurnedOff);
    QVERIFY(!hireButton(om)->isEnabled());
    QVERIFY(hireButton(om)->toolTip().contains(u"turned O&M off"));
    // Turned off wins over "not in your plan".
    VERIFY_OK(execSql(m_db->connection(), QStringLiteral("UPDATE agents SET enabled = 0 WHERE id = 'market'")));
    m_gallery->reload();
    QCOMPARE(stateOf(market), QStringLiteral("Turned off by an administrator"));
    QCOMPARE(stateOf(news), QStringLiteral("Available"));
}

void TestHireGallery::hiredAgentTurnedOffCanBeReleased()
{
    PlanService plans(m_db->database(), m_db->clock());
    VERIFY_OK(plans.hireAgents(Actor::user(m_ben), QStringLiteral("ben"), {om}));
    VERIFY_OK(execSql(m_db->connection(), QStringLiteral("UPDATE agents SET enabled = 0 WHERE id = 'om'")));
    openGallery();
    QCOMPARE(stateOf(om), QStringLiteral("Turned off by an administrator"));
    QVERIFY(releaseButton(om)->isVisible());
    QVERIFY(releaseButton(om)->isEnabled());
    QTest::mouseClick(releaseButton(om), Qt::LeftButton);
    QCOMPARE(hiredInDatabase(), QStringList{});
    // Released, it cannot be hired again while it is off.
    QVERIFY(hireButton(om)->isVisible());
    QVERIFY(!hireButton(om)->isEnabled());
}

void TestHireGallery::refusalShowsTheBanner_data()
{
    QTest::addColumn<Meanwhile>("meanwhile");
    QTest::addColumn<QString>("banner");
    QTest::addColumn<QString>("cardState");
    QTest::newRow("agent turned off") << Meanwhile::AgentTurnedOff
                                      << QStringLiteral("Could not hire O&M: an administrator has turned it off.")
                                      << QStringLiteral("Turned off by an administrator");
    QTest::newRow("left the plan") << Meanwhile::LeftThePlan
                                   << QStringLiteral("Could not hire O&M: your plan no longer includes it. Ask an "
                                                     "administrator to add it to your plan.")
                                   << QStringLiteral("Not in your plan (Field Team)");
    QTest::newRow("user deleted") << Meanwhile::UserDeleted
                                  << QStringLiteral("Could not hire O&M. There is no user called “ben”.")
                                  << QStringLiteral("Available");
}

void TestHireGallery::refusalShowsTheBanner()
{
    QFETCH(Meanwhile, meanwhile);
    QFETCH(QString, banner);
    QFETCH(QString, cardState);

    openGallery();
    QSignalSpy changed(m_gallery.get(), &HireGalleryDialog::hiredAgentsChanged);
    QVERIFY(hireButton(om)->isEnabled());
    // An administrator changes something while the gallery is open.
    PlanService plans(m_db->database(), m_db->clock());
    switch (meanwhile) {
    case Meanwhile::AgentTurnedOff:
        VERIFY_OK(execSql(m_db->connection(), QStringLiteral("UPDATE agents SET enabled = 0 WHERE id = 'om'")));
        break;
    case Meanwhile::LeftThePlan: {
        PlanChanges changes;
        changes.agentIds = QStringList{news};
        VERIFY_OK(plans.updatePlan(m_root, QStringLiteral("Field Team"), changes));
        break;
    }
    case Meanwhile::UserDeleted:
        VERIFY_OK(m_db->accounts().deleteUser(m_root, QStringLiteral("ben")));
        break;
    }

    QTest::mouseClick(hireButton(om), Qt::LeftButton);
    auto *message = child<MessageLabel>(QStringLiteral("errorMessage"));
    QVERIFY(message->isVisible());
    QVERIFY(message->isError());
    QCOMPARE(message->text(), banner);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(m_db->count(QStringLiteral("hired_agents")), 0);
    QCOMPARE(stateOf(om), cardState);
    QCOMPARE(m_gallery->hiredAgents(), QStringList{});

    if (meanwhile != Meanwhile::UserDeleted) {
        // What still works works, and clears the banner.
        QTest::mouseClick(hireButton(news), Qt::LeftButton);
        QCOMPARE(hiredInDatabase(), QStringList{news});
        QVERIFY(!message->isVisible());
        QCOMPARE(changed.size(), 1);
    }
}

void TestHireGallery::reloadReadsTheUsersPlanAgain()
{
    openGallery();
    QVERIFY(!hireButton(market)->isEnabled());
    UserChanges changes;
    changes.planName = QStringLiteral("Unlimited");
    VERIFY_OK(m_db->accounts().updateUser(m_root, QStringLiteral("ben"), changes));
    m_gallery->reload();
    QCOMPARE(stateOf(market), QStringLiteral("Available"));
    QTest::mouseClick(hireButton(market), Qt::LeftButton);
    QCOMPARE(hiredInDatabase(), QStringList{market});
    QCOMPARE(stateOf(market), QStringLiteral("Hired"));
}

void TestHireGallery::initials_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("initials");
    QTest::newRow("one word") << QStringLiteral("News") << QStringLiteral("N");
    QTest::newRow("two words") << QStringLiteral("Market Intelligence") << QStringLiteral("MI");
    QTest::newRow("three words") << QStringLiteral("grid code watch") << QStringLiteral("GC");
    QTest::newRow("ampersand") << QStringLiteral("O&M") << QStringLiteral("OM");
    QTest::newRow("leading symbols") << QStringLiteral("  (beta) solar") << QStringLiteral("BS");
    QTest::newRow("accented") << QStringLiteral("énergie verte") << QStringLiteral("ÉV");
    QTest::newRow("empty") << QString() << QStringLiteral("?");
    QTest::newRow("no letters") << QStringLiteral("—") << QStringLiteral("?");
}

void TestHireGallery::initials()
{
    QFETCH(QString, name);
    QFETCH(QString, initials);
    QCOMPARE(AgentCard::initialsOf(name), initials);
}

void TestHireGallery::badgeColourIsStablePerAgent()
{
    // Fixed values: the colour must not change between runs, Qt versions or machines (qHash is
    // seeded per process on some builds), and the four agents the schema installs look different.
    QCOMPARE(AgentCard::badgeColour(news).name(), QStringLiteral("#ad1457"));
    QCOMPARE(AgentCard::badgeColour(om).name(), QStringLiteral("#006d60"));
    QCOMPARE(AgentCard::badgeColour(market).name(), QStringLiteral("#455a64"));
    QCOMPARE(AgentCard::badgeColour(digitalization).name(), QStringLiteral("#8e44ad"));
    // White initials stay legible on every colour of the palette (WCAG AA: 4.5:1 or more).
    QSet<QString> seen;
    for (int i = 0; i < 200; ++i) {
        const QColor colour = AgentCard::badgeColour(QStringLiteral("agent-%1").arg(i));
        seen.insert(colour.name());
        QVERIFY2(contrastWithWhite(colour) >= 4.5, qPrintable(colour.name()));
    }
    QCOMPARE(seen.size(), 8); // every colour was checked
    openGallery();
    QVERIFY(child<QLabel>(QStringLiteral("agentBadge_om"))->styleSheet().contains(QStringLiteral("#006d60")));
}

QTEST_MAIN(TestHireGallery)
#include "tst_hiregallery.moc"
