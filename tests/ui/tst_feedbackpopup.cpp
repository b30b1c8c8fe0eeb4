// FeedbackPopup driven by mouse and keyboard (offscreen): its title by rating, Send with the
// comment, Skip, Escape and a click elsewhere as dismissals, the length limit, and its place.

#include "ui/feedbackpopup.h"
#include "ui/messagelabel.h"

#include "model/chat/feedbackservice.h"

#include <QApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QVBoxLayout>

using namespace heliodesk;

class TestFeedbackPopup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void titleFollowsTheRating_data();
    void titleFollowsTheRating();
    void sendPassesTheComment();
    void ctrlEnterSends();
    void keyboardOnly();
    void skipDismisses();
    void escapeDismisses_data();
    void escapeDismisses();
    void clickElsewhereDismisses();
    void tooLongCommentCannotBeSent();
    void opensBelowItsAnchorAndAgain();

private:
    void open(int rating);
    template<typename T>
    T *child(const char *name) const;

    std::unique_ptr<QWidget> m_window;
    QPushButton *m_anchor = nullptr;
    FeedbackPopup *m_popup = nullptr; // a child of m_window
    std::unique_ptr<QSignalSpy> m_submitted;
    std::unique_ptr<QSignalSpy> m_dismissed;
};

void TestFeedbackPopup::init()
{
    m_window = std::make_unique<QWidget>();
    m_window->resize(400, 300);
    m_anchor = new QPushButton(QStringLiteral("👍"), m_window.get());
    auto *layout = new QVBoxLayout(m_window.get());
    layout->addWidget(m_anchor);
    layout->addStretch(1);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestFeedbackPopup::cleanup()
{
    m_submitted.reset();
    m_dismissed.reset();
    m_popup = nullptr;
    m_window.reset();
}

void TestFeedbackPopup::open(int rating)
{
    m_popup = new FeedbackPopup(rating, m_window.get());
    m_submitted = std::make_unique<QSignalSpy>(m_popup, &FeedbackPopup::submitted);
    m_dismissed = std::make_unique<QSignalSpy>(m_popup, &FeedbackPopup::dismissed);
    m_popup->popUp(m_anchor);
    QVERIFY(QTest::qWaitForWindowExposed(m_popup));
    QTRY_COMPARE(QApplication::focusWidget(), child<QPlainTextEdit>("feedbackCommentEdit"));
}

template<typename T>
T *TestFeedbackPopup::child(const char *name) const
{
    auto *widget = m_popup->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void TestFeedbackPopup::titleFollowsTheRating_data()
{
    QTest::addColumn<int>("rating");
    QTest::addColumn<QString>("title");
    QTest::newRow("thumbs up") << 1 << QStringLiteral("What was good?");
    QTest::newRow("thumbs down") << -1 << QStringLiteral("What went wrong?");
}

void TestFeedbackPopup::titleFollowsTheRating()
{
    QFETCH(int, rating);
    QFETCH(QString, title);
    open(rating);
    QCOMPARE(m_popup->rating(), rating);
    QCOMPARE(child<QLabel>("feedbackTitle")->text(), title);
    QCOMPARE(m_popup->accessibleName(), title);
    for (const char *name : {"feedbackCommentEdit", "feedbackSendButton", "feedbackSkipButton"})
        QVERIFY2(!child<QWidget>(name)->accessibleName().isEmpty(), name);
}

void TestFeedbackPopup::sendPassesTheComment()
{
    open(-1);
    QTest::keyClicks(child<QPlainTextEdit>("feedbackCommentEdit"), QStringLiteral("Cited the wrong standard"));
    QTest::mouseClick(child<QPushButton>("feedbackSendButton"), Qt::LeftButton);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toString(), QStringLiteral("Cited the wrong standard"));
    QCOMPARE(m_dismissed->size(), 0); // closing after Send is not also a dismissal
    QVERIFY(!m_popup->isVisible());
}

void TestFeedbackPopup::ctrlEnterSends()
{
    open(1);
    auto *edit = child<QPlainTextEdit>("feedbackCommentEdit");
    QTest::keyClicks(edit, QStringLiteral("Clear steps"));
    QTest::keyClick(edit, Qt::Key_Return); // a plain Enter is a new line
    QTest::keyClicks(edit, QStringLiteral("and sources"));
    QCOMPARE(m_submitted->size(), 0);
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toString(), QStringLiteral("Clear steps\nand sources"));
    QVERIFY(!m_popup->isVisible());
}

void TestFeedbackPopup::keyboardOnly()
{
    open(1);
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("Good"));
    // Tab leaves the comment (it does not insert a tab): Skip, then Send.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QPushButton>("feedbackSkipButton"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), child<QPushButton>("feedbackSendButton"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_submitted->at(0).at(0).toString(), QStringLiteral("Good"));
}

void TestFeedbackPopup::skipDismisses()
{
    open(-1);
    QTest::keyClicks(child<QPlainTextEdit>("feedbackCommentEdit"), QStringLiteral("never mind"));
    QTest::mouseClick(child<QPushButton>("feedbackSkipButton"), Qt::LeftButton);
    QCOMPARE(m_dismissed->size(), 1);
    QCOMPARE(m_submitted->size(), 0);
    QVERIFY(!m_popup->isVisible());
}

void TestFeedbackPopup::escapeDismisses_data()
{
    QTest::addColumn<QString>("focus");
    QTest::newRow("in the comment") << QStringLiteral("feedbackCommentEdit");
    QTest::newRow("on Send") << QStringLiteral("feedbackSendButton");
}

void TestFeedbackPopup::escapeDismisses()
{
    QFETCH(QString, focus);
    open(1);
    auto *target = child<QWidget>(qPrintable(focus));
    target->setFocus();
    QTRY_COMPARE(QApplication::focusWidget(), target);
    QTest::keyClick(target, Qt::Key_Escape);
    QCOMPARE(m_dismissed->size(), 1);
    QCOMPARE(m_submitted->size(), 0);
    QVERIFY(!m_popup->isVisible());
}

void TestFeedbackPopup::clickElsewhereDismisses()
{
    open(1);
    // A popup receives the press that lands outside it, and closes.
    QTest::mouseClick(m_popup, Qt::LeftButton, {}, QPoint(-20, -20));
    QTRY_VERIFY(!m_popup->isVisible());
    QCOMPARE(m_dismissed->size(), 1);
    QCOMPARE(m_submitted->size(), 0);
}

void TestFeedbackPopup::tooLongCommentCannotBeSent()
{
    open(-1);
    auto *edit = child<QPlainTextEdit>("feedbackCommentEdit");
    auto *send = child<QPushButton>("feedbackSendButton");
    auto *message = child<MessageLabel>("feedbackCommentMessage");
    edit->setPlainText(QString(FeedbackService::maxCommentChars, u'x'));
    edit->moveCursor(QTextCursor::End);
    QVERIFY(send->isEnabled());
    QVERIFY(!message->isError());

    QTest::keyClick(edit, Qt::Key_Y);
    QVERIFY(!send->isEnabled());
    QVERIFY(message->isError());
    QVERIFY2(message->text().contains(QString::number(FeedbackService::maxCommentChars + 1)), qPrintable(message->text()));
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_submitted->size(), 0);
    QVERIFY(m_popup->isVisible());

    QTest::keyClick(edit, Qt::Key_Backspace);
    QVERIFY(send->isEnabled());
    QVERIFY(!message->isError());
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_submitted->size(), 1);
}

void TestFeedbackPopup::opensBelowItsAnchorAndAgain()
{
    open(1);
    const QRect anchor(m_anchor->mapToGlobal(QPoint(0, 0)), m_anchor->size());
    QVERIFY2(m_popup->geometry().top() >= anchor.bottom(),
             qPrintable(QStringLiteral("popup at %1, anchor bottom %2").arg(m_popup->geometry().top()).arg(anchor.bottom())));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QCOMPARE(m_dismissed->size(), 1);

    // The same popup can be shown again; each showing ends in exactly one signal.
    m_popup->popUp(m_anchor);
    QVERIFY(QTest::qWaitForWindowExposed(m_popup));
    QTRY_COMPARE(QApplication::focusWidget(), child<QPlainTextEdit>("feedbackCommentEdit"));
    QTest::mouseClick(child<QPushButton>("feedbackSendButton"), Qt::LeftButton);
    QCOMPARE(m_submitted->size(), 1);
    QCOMPARE(m_dismissed->size(), 1);
}

QTEST_MAIN(TestFeedbackPopup)
#include "tst_feedbackpopup.moc"
