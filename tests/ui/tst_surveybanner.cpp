// SurveyBanner driven by mouse and keyboard (offscreen): a score is needed before Send, the
// scores are exclusive and named for assistive technology, Send passes score and comment, and
// "Not now" (× or Escape) dismisses; showError and reset for the caller's save.

#include "ui/messagelabel.h"
#include "ui/surveybanner.h"

#include "model/chat/surveyservice.h"

#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

using namespace heliodesk;

class TestSurveyBanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void namesAndInitialState();
    void sendNeedsAScore();
    void scoresAreExclusive();
    void keyboardOnly();
    void enterInTheCommentSends();
    void notNow_data();
    void notNow();
    void showErrorKeepsTheAnswerAndResetClearsIt();

private:
    template<typename T>
    T *child(const char *name) const;
    QPushButton *scoreButton(int score) const;

    std::unique_ptr<QWidget> m_window;
    SurveyBanner *m_banner = nullptr;
    QLineEdit *m_composer = nullptr; // stands for the composer under the banner
    std::unique_ptr<QSignalSpy> m_submitted;
    std::unique_ptr<QSignalSpy> m_dismissed;
};

void TestSurveyBanner::init()
{
    m_window = std::make_unique<QWidget>();
    m_window->resize(720, 300);
    m_banner = new SurveyBanner(m_window.get());
    m_composer = new QLineEdit(m_window.get());
    auto *layout = new QVBoxLayout(m_window.get());
    layout->addStretch(1);
    layout->addWidget(m_banner);
    layout->addWidget(m_composer);
    m_submitted = std::make_unique<QSignalSpy>(m_banner, &SurveyBanner::submitted);
    m_dismissed = std::make_unique<QSignalSpy>(m_banner, &SurveyBanner::dismissed);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestSurveyBanner::cleanup()
{
    m_submitted.reset();
    m_dismissed.reset();
    m_banner = nullptr;
    m_composer = nullptr;
    m_window.reset();
}

template<typename T>
T *TestSurveyBanner::child(const char *name) const
{
    auto *widget = m_banner->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

QPushButton *TestSurveyBanner::scoreButton(int score) const
{
    return child<QPushButton>(qPrintable(QStringLiteral("surveyScore%1").arg(score)));
}

void TestSurveyBanner::namesAndInitialState()
{
    QVERIFY(m_banner->isVisible());
    QCOMPARE(m_banner->score(), 0);
    QVERIFY(!child<QPushButton>("surveySendButton")->isEnabled());
    const QStringList names = {QStringLiteral("1 – not useful"), QStringLiteral("2 – a little useful"),
                               QStringLiteral("3 – fairly useful"), QStringLiteral("4 – useful"),
                               QStringLiteral("5 – very useful")};
    for (int score = 1; score <= 5; ++score) {
        QPushButton *button = scoreButton(score);
        QCOMPARE(button->text(), QString::number(score));
        QCOMPARE(button->accessibleName(), names.at(score - 1));
        QVERIFY(button->isCheckable());
        QVERIFY(!button->isChecked());
    }
    QCOMPARE(child<QToolButton>("surveyCloseButton")->accessibleName(), QStringLiteral("Not now"));
    QVERIFY(!child<QLineEdit>("surveyCommentEdit")->accessibleName().isEmpty());
    QVERIFY(!child<QPushButton>("surveySendButton")->accessibleName().isEmpty());
    QCOMPARE(child<QLineEdit>("surveyCommentEdit")->maxLength(), int(SurveyService::maxCommentChars));
    QVERIFY(!child<MessageLabel>("surveyErrorMessage")->isVisible());
}

void TestSurveyBanner::sendNeedsAScore()
{
    auto *send = child<QPushButton>("surveySendButton");
    QTest::keyClicks(child<QLineEdit>("surveyCommentEdit"), QStringLiteral("Great for O&M"));
    QVERIFY(!send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton); // a disabled button does nothing
    QCOMPARE(m_submitted->size(), 0);

    QTest::mouseClick(scoreButton(4), Qt::LeftButton);
    QCOMPARE(m_banner->score(), 4);
    QVERIFY(send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toInt(), 4);
    QCOMPARE(m_submitted->at(0).at(1).toString(), QStringLiteral("Great for O&M"));
    QCOMPARE(m_dismissed->size(), 0);
    QVERIFY(!m_banner->isVisible());
}

void TestSurveyBanner::scoresAreExclusive()
{
    QTest::mouseClick(scoreButton(2), Qt::LeftButton);
    QTest::mouseClick(scoreButton(5), Qt::LeftButton);
    QCOMPARE(m_banner->score(), 5);
    QVERIFY(!scoreButton(2)->isChecked());
    // Clicking the chosen score again keeps it chosen.
    QTest::mouseClick(scoreButton(5), Qt::LeftButton);
    QCOMPARE(m_banner->score(), 5);
    QTest::mouseClick(child<QPushButton>("surveySendButton"), Qt::LeftButton);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toInt(), 5);
    QCOMPARE(m_submitted->at(0).at(1).toString(), QString());
}

void TestSurveyBanner::keyboardOnly()
{
    scoreButton(1)->setFocus(Qt::TabFocusReason);
    QTRY_COMPARE(QApplication::focusWidget(), scoreButton(1));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
    QCOMPARE(m_banner->score(), 1);
    // Arrows move along the scores and choose as they go.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Right);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Right);
    QCOMPARE(QApplication::focusWidget(), scoreButton(3));
    QCOMPARE(m_banner->score(), 3);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Left);
    QCOMPARE(m_banner->score(), 2);
    // Tab goes on to the comment, then Send, then "Not now".
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QLineEdit>("surveyCommentEdit"));
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("Sources were thin"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QPushButton>("surveySendButton"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QToolButton>("surveyCloseButton"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Backtab);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toInt(), 2);
    QCOMPARE(m_submitted->at(0).at(1).toString(), QStringLiteral("Sources were thin"));
}

void TestSurveyBanner::enterInTheCommentSends()
{
    auto *comment = child<QLineEdit>("surveyCommentEdit");
    QTest::keyClicks(comment, QStringLiteral("No score yet"));
    QTest::keyClick(comment, Qt::Key_Return);
    QCOMPARE(m_submitted->size(), 0);
    QVERIFY(m_banner->isVisible());
    QTest::mouseClick(scoreButton(3), Qt::LeftButton);
    QTest::keyClick(comment, Qt::Key_Return);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toInt(), 3);
    QCOMPARE(m_submitted->at(0).at(1).toString(), QStringLiteral("No score yet"));
}

void TestSurveyBanner::notNow_data()
{
    QTest::addColumn<bool>("escape");
    QTest::newRow("the × button") << false;
    QTest::newRow("Escape in the comment") << true;
}

void TestSurveyBanner::notNow()
{
    QFETCH(bool, escape);
    QTest::mouseClick(scoreButton(2), Qt::LeftButton);
    if (escape)
        QTest::keyClick(child<QLineEdit>("surveyCommentEdit"), Qt::Key_Escape);
    else
        QTest::mouseClick(child<QToolButton>("surveyCloseButton"), Qt::LeftButton);
    QCOMPARE(m_dismissed->size(), 1);
    QCOMPARE(m_submitted->size(), 0);
    QVERIFY(!m_banner->isVisible());
}

void TestSurveyBanner::showErrorKeepsTheAnswerAndResetClearsIt()
{
    // A receiver that cannot save shows the banner again with the reason.
    connect(m_banner, &SurveyBanner::submitted, m_banner,
            [this] { m_banner->showError(QStringLiteral("The database is busy. Try again in a moment.")); });
    QTest::mouseClick(scoreButton(4), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>("surveyCommentEdit"), QStringLiteral("Useful"));
    QTest::mouseClick(child<QPushButton>("surveySendButton"), Qt::LeftButton);
    QCOMPARE(m_submitted->size(), 1);
    QVERIFY(m_banner->isVisible());
    auto *error = child<MessageLabel>("surveyErrorMessage");
    QVERIFY(error->isError());
    QCOMPARE(error->text(), QStringLiteral("The database is busy. Try again in a moment."));
    QCOMPARE(m_banner->score(), 4);
    QCOMPARE(m_banner->comment(), QStringLiteral("Useful"));

    m_banner->reset();
    QCOMPARE(m_banner->score(), 0);
    QCOMPARE(m_banner->comment(), QString());
    QVERIFY(!error->isVisible());
    QVERIFY(!child<QPushButton>("surveySendButton")->isEnabled());
    for (int score = 1; score <= 5; ++score)
        QVERIFY(!scoreButton(score)->isChecked());
}

QTEST_MAIN(TestSurveyBanner)
#include "tst_surveybanner.moc"
