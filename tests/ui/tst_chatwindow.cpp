// The chat window as an analyst uses it, driven with keys and clicks against a real local
// OpenAI-compatible server: sign in, send, tokens arriving, Stop, regenerate, feedback, the quota,
// search, export and the survey.

#include "ui/composer.h"
#include "ui/conversationview.h"
#include "ui/feedbackpopup.h"
#include "ui/mainwindow.h"
#include "ui/messageactionbar.h"
#include "ui/signindialog.h"
#include "ui/surveybanner.h"

#include "model/planservice.h"
#include "model/agents/agentsetup.h"
#include "model/agents/currentprovider.h"
#include "model/agents/providersettings.h"
#include "model/chat/conversationlistmodel.h"
#include "model/chat/messagelistmodel.h"
#include "model/chat/searchresultsmodel.h"
#include "storage/sql.h"
#include "support/openaitestserver.h"
#include "support/testdatabase.h"

#include <QAbstractButton>
#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

const QString analystPassword = QStringLiteral("analyst password"); // what TestDatabase::createAnalyst sets

QStringList piecesOf(const QString &text)
{
    QStringList pieces;
    for (const QString &word : text.split(u' '))
        pieces << word + u' ';
    pieces.last().chop(1);
    return pieces;
}

} // namespace

/// Waits until the answer being streamed has ended (the composer leaves its streaming state).
#define WAIT_FOR_ANSWER_END() QTRY_VERIFY_WITH_TIMEOUT(!child<Composer>("composer")->isStreaming(), 10000)

class TestChatWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void signInSendAndWatchTokensArrive();
    void stopKeepsThePartialAnswer();
    void regenerateReplacesTheAnswer();
    void feedbackIsSaved();
    void takingARatingBack();
    void quotaReachedDisablesTheComposerWithTheReason();
    void failedAnswerShowsTheErrorAndRetry();
    void searchFindsAndOpensAMessage();
    void exportWritesTheFile();
    void surveyCanBeAnswered();
    void surveyCanBeDismissed();
    void keyboardShortcuts();
    void conversationsAreListedAndDeletedWithConfirmation();
    void renameAndPinFromTheMenu();
    void hiringFromTheGalleryAddsTheAgent();
    void offlineAnswerShowsItsSources();
    void interruptedAnswerCanBeContinued();

private:
    void openWindow(const UserRecord &user, std::shared_ptr<KnowledgeBase> knowledge = {});
    QMenu *conversationMenu(int row);
    /// Types a question into the composer and presses Enter.
    void ask(const QString &question);
    [[nodiscard]] int answerStatus(int row) const;
    [[nodiscard]] QString rowText(int row) const;
    template<typename T>
    T *child(const char *name) const;

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<OpenAiTestServer> m_server;
    std::unique_ptr<MainWindow> m_window;
    UserRecord m_analyst;
    QString m_settingsFile;
};

void TestChatWindow::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY(m_db->isValid());
    m_server = std::make_unique<OpenAiTestServer>();
    QVERIFY(m_server->listen());
    m_settingsFile = m_db->folder() + QStringLiteral("/settings.ini");
    QVERIFY(ProviderSettings(m_settingsFile).saveEndpoint(m_server->baseUrl().toString(), QStringLiteral("test-model")));
    // The clock stands still in tests; the period must be the one the window computes with.
    m_db->clock()->set(QDateTime::currentDateTimeUtc());
    m_analyst = m_db->createAnalyst(QStringLiteral("ana"));
    PlanService plans(m_db->database(), m_db->clock());
    QVERIFY(plans.hireAgents(Actor::user(m_analyst), QStringLiteral("ana"), {QStringLiteral("market"), QStringLiteral("om")}));
}

void TestChatWindow::cleanup()
{
    m_window.reset();
    m_server.reset();
    m_db.reset();
}

void TestChatWindow::openWindow(const UserRecord &user, std::shared_ptr<KnowledgeBase> knowledge)
{
    MainWindow::Options options;
    options.settingsFile = m_settingsFile;
    options.knowledge = std::move(knowledge);
    m_window = std::make_unique<MainWindow>(m_db->database(), m_db->clock(), user, options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY(m_window->currentProvider()->isReady());
}

template<typename T>
T *TestChatWindow::child(const char *name) const
{
    auto *widget = m_window->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

void TestChatWindow::ask(const QString &question)
{
    auto *editor = child<QPlainTextEdit>("composerEdit");
    editor->setFocus();
    QTest::keyClicks(editor, question);
    QTest::keyClick(editor, Qt::Key_Return);
}

int TestChatWindow::answerStatus(int row) const
{
    auto *view = child<ConversationView>("conversationView");
    return view->model()->index(row, 0).data(MessageListModel::StatusRole).toInt();
}

QString TestChatWindow::rowText(int row) const
{
    auto *view = child<ConversationView>("conversationView");
    return view->model()->index(row, 0).data().toString();
}

void TestChatWindow::signInSendAndWatchTokensArrive()
{
    SignInDialog dialog(m_db->accounts(), m_db->database()->location());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("usernameEdit")), QStringLiteral("ana"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit")), analystPassword);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("signInButton")), Qt::LeftButton);
    QVERIFY(dialog.signedInUser().has_value());
    openWindow(*dialog.signedInUser());

    const QString answer = QStringLiteral("Module prices fell by **twelve percent** in the third quarter.");
    m_server->enqueue(ScriptedResponse::stream(piecesOf(answer)).withDelay(60ms));
    auto *composer = child<Composer>("composer");
    QVERIFY(composer->blockedReason().isEmpty());
    ask(QStringLiteral("What happened to module prices?"));

    // The question is on screen, the answer streams into the row under it, token by token.
    auto *view = child<ConversationView>("conversationView");
    QTRY_COMPARE(view->model()->rowCount(), 2);
    QCOMPARE(rowText(0), QStringLiteral("What happened to module prices?"));
    QVERIFY(composer->isStreaming());
    QVERIFY(child<QPushButton>("stopButton")->isVisible());
    QVERIFY(composer->text().isEmpty());
    QTRY_VERIFY(!rowText(1).isEmpty());
    QCOMPARE(answerStatus(1), int(MessageStatus::Streaming));
    QVERIFY(rowText(1).size() < answer.size()); // seen part-way, not at the end only
    QTRY_VERIFY(view->documentOf(1) && !view->documentOf(1)->markdown().isEmpty());

    WAIT_FOR_ANSWER_END();
    QCOMPARE(rowText(1), answer);
    QCOMPARE(answerStatus(1), int(MessageStatus::Complete));
    QTRY_COMPARE(view->documentOf(1)->markdown(), answer);
    QVERIFY(!view->documentOf(1)->isStreaming()); // laid out as a finished answer, and cached
    QVERIFY(view->documentOf(1)->plainText().contains(QStringLiteral("twelve percent")));
    QVERIFY(child<QPushButton>("sendButton")->isVisible());
    QCOMPARE(child<QLabel>("usageLabel")->text(), QStringLiteral("Used 1 of 300 questions this month"));
    QVERIFY(child<QLabel>("sourceLabel")->text().contains(QStringLiteral("test-model")));
    // The new conversation is in the sidebar, named after the question.
    QCOMPARE(child<QLabel>("conversationTitle")->text(), QStringLiteral("What happened to module prices?"));
    QCOMPARE(child<QListView>("conversationList")->model()->rowCount(), 1);
    // The request the server got carries the question.
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(m_server->requests().front().body.contains("What happened to module prices?"));
}

void TestChatWindow::stopKeepsThePartialAnswer()
{
    openWindow(m_analyst);
    QStringList pieces;
    for (int i = 0; i < 200; ++i)
        pieces << QStringLiteral("word%1 ").arg(i);
    m_server->enqueue(ScriptedResponse::stream(pieces).withDelay(40ms));
    ask(QStringLiteral("Tell me everything about inverters"));
    QTRY_VERIFY(rowText(1).contains(QStringLiteral("word2 ")));

    QTest::mouseClick(child<QPushButton>("stopButton"), Qt::LeftButton);
    WAIT_FOR_ANSWER_END();
    QCOMPARE(answerStatus(1), int(MessageStatus::Cancelled));
    const QString partial = rowText(1);
    QVERIFY(partial.startsWith(QStringLiteral("word0 word1 word2 ")));
    QVERIFY(!partial.contains(QStringLiteral("word199")));
    // Stored as shown.
    auto stored = scalar(m_db->connection(), QStringLiteral("SELECT content FROM messages WHERE role = 'assistant'"));
    QVERIFY(stored);
    QCOMPARE(stored->toString(), partial);
    auto status = scalar(m_db->connection(), QStringLiteral("SELECT status FROM messages WHERE role = 'assistant'"));
    QCOMPARE(status->toString(), QStringLiteral("cancelled"));
    // A stopped answer can be continued or regenerated.
    auto *bar = child<ConversationView>("conversationView")->actionBar();
    QTRY_VERIFY(bar->isVisible());
    QVERIFY(bar->findChild<QAbstractButton *>(QStringLiteral("continueButton"))->isVisible());
    QVERIFY(bar->findChild<QAbstractButton *>(QStringLiteral("regenerateButton"))->isVisible());
}

void TestChatWindow::regenerateReplacesTheAnswer()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("First "), QStringLiteral("answer.")}));
    ask(QStringLiteral("Which PPA prices were signed in Spain?"));
    WAIT_FOR_ANSWER_END();
    QCOMPARE(rowText(1), QStringLiteral("First answer."));

    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Second "), QStringLiteral("answer.")}).withDelay(20ms));
    auto *view = child<ConversationView>("conversationView");
    QTRY_VERIFY(view->actionBar()->isVisible());
    auto *regenerate = view->actionBar()->findChild<QAbstractButton *>(QStringLiteral("regenerateButton"));
    QVERIFY(regenerate->isVisible());
    QTest::mouseClick(regenerate, Qt::LeftButton);
    WAIT_FOR_ANSWER_END();

    QCOMPARE(view->model()->rowCount(), 2);
    QCOMPARE(rowText(1), QStringLiteral("Second answer."));
    QCOMPARE(answerStatus(1), int(MessageStatus::Complete));
    QCOMPARE(m_db->count(QStringLiteral("messages")), 2);
    QCOMPARE(child<QLabel>("usageLabel")->text(), QStringLiteral("Used 2 of 300 questions this month"));
    // The same question was sent again.
    QCOMPARE(m_server->requests().size(), 2);
    QVERIFY(m_server->requests().at(1).body.contains("Which PPA prices were signed in Spain?"));
}

void TestChatWindow::feedbackIsSaved()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Check the string fuses.")}));
    ask(QStringLiteral("Why does string 4 produce nothing?"));
    WAIT_FOR_ANSWER_END();

    auto *bar = child<ConversationView>("conversationView")->actionBar();
    QTRY_VERIFY(bar->isVisible());
    QTest::mouseClick(bar->findChild<QAbstractButton *>(QStringLiteral("badButton")), Qt::LeftButton);
    auto rating = scalar(m_db->connection(), QStringLiteral("SELECT rating FROM feedback"));
    QVERIFY(rating);
    QCOMPARE(rating->toInt(), -1);
    QVERIFY(bar->findChild<QAbstractButton *>(QStringLiteral("badButton"))->isChecked());

    // The optional comment, in the small popup that opened.
    FeedbackPopup *popup = nullptr;
    QTRY_VERIFY((popup = m_window->findChild<FeedbackPopup *>()) && popup->isVisible());
    QTest::keyClicks(popup->findChild<QPlainTextEdit *>(QStringLiteral("feedbackCommentEdit")),
                     QStringLiteral("The fuses were fine; it was the connector."));
    QTest::mouseClick(popup->findChild<QPushButton *>(QStringLiteral("feedbackSendButton")), Qt::LeftButton);
    auto comment = scalar(m_db->connection(), QStringLiteral("SELECT comment FROM feedback"));
    QCOMPARE(comment->toString(), QStringLiteral("The fuses were fine; it was the connector."));
    QCOMPARE(m_db->count(QStringLiteral("feedback")), 1);
}

void TestChatWindow::takingARatingBack()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Yes.")}));
    ask(QStringLiteral("Is it sunny?"));
    WAIT_FOR_ANSWER_END();
    auto *bar = child<ConversationView>("conversationView")->actionBar();
    QTRY_VERIFY(bar->isVisible());
    auto *good = bar->findChild<QAbstractButton *>(QStringLiteral("goodButton"));
    QTest::mouseClick(good, Qt::LeftButton);
    QCOMPARE(m_db->count(QStringLiteral("feedback")), 1);
    if (auto *popup = m_window->findChild<FeedbackPopup *>())
        QTest::keyClick(popup, Qt::Key_Escape);
    QTest::mouseClick(good, Qt::LeftButton); // pressed again: the rating is taken back
    QCOMPARE(m_db->count(QStringLiteral("feedback")), 0);
    QVERIFY(!good->isChecked());
}

void TestChatWindow::quotaReachedDisablesTheComposerWithTheReason()
{
    const UserRecord limited = m_db->createAnalyst(QStringLiteral("lea"), 1);
    PlanService plans(m_db->database(), m_db->clock());
    QVERIFY(plans.hireAgents(Actor::user(limited), QStringLiteral("lea"), {QStringLiteral("news")}));
    openWindow(limited);
    auto *composer = child<Composer>("composer");
    QVERIFY(composer->blockedReason().isEmpty());

    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("One answer.")}));
    ask(QStringLiteral("First question"));
    WAIT_FOR_ANSWER_END();

    QVERIFY(composer->blockedReason().contains(QStringLiteral("You have used all 1 questions of this month")));
    auto *reason = child<QLabel>("composerReason");
    QVERIFY(reason->isVisible());
    QCOMPARE(reason->text(), composer->blockedReason());
    QVERIFY(!child<QPlainTextEdit>("composerEdit")->isEnabled());
    QVERIFY(!child<QPushButton>("sendButton")->isEnabled());
    QCOMPARE(child<QLabel>("usageLabel")->text(), QStringLiteral("Used 1 of 1 questions this month"));
    // Nothing reaches the server any more, whatever is pressed.
    QTest::keyClick(child<QPlainTextEdit>("composerEdit"), Qt::Key_Return);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestChatWindow::failedAnswerShowsTheErrorAndRetry()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::jsonError(401, QStringLiteral("Incorrect API key provided.")));
    ask(QStringLiteral("Anything new on auctions?"));
    WAIT_FOR_ANSWER_END();
    QCOMPARE(answerStatus(1), int(MessageStatus::Failed));
    auto *view = child<ConversationView>("conversationView");
    const QString error = view->model()->index(1, 0).data(MessageListModel::ErrorRole).toString();
    QVERIFY2(error.contains(QStringLiteral("Incorrect API key provided.")), qPrintable(error));
    QTRY_VERIFY(view->actionBar()->isVisible());
    auto *retry = view->actionBar()->findChild<QAbstractButton *>(QStringLiteral("retryButton"));
    QVERIFY(retry->isVisible());

    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Two auctions closed.")}));
    QTest::mouseClick(retry, Qt::LeftButton);
    WAIT_FOR_ANSWER_END();
    QCOMPARE(rowText(1), QStringLiteral("Two auctions closed."));
    QCOMPARE(answerStatus(1), int(MessageStatus::Complete));
}

void TestChatWindow::searchFindsAndOpensAMessage()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Bifacial modules gain on bright ground.")}));
    ask(QStringLiteral("How do bifacial modules behave?"));
    WAIT_FOR_ANSWER_END();
    const qint64 first = m_window->currentConversationId();
    QTest::mouseClick(child<QPushButton>("newChatButton"), Qt::LeftButton);
    QCOMPARE(m_window->currentConversationId(), 0);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Tracker stow at high wind.")}));
    ask(QStringLiteral("What do trackers do in storms?"));
    WAIT_FOR_ANSWER_END();
    QVERIFY(m_window->currentConversationId() != first);

    QTest::keySequence(m_window.get(), QKeySequence::Find);
    auto *search = child<QLineEdit>("searchEdit");
    QTRY_VERIFY(search->hasFocus());
    QTest::keyClicks(search, QStringLiteral("bright grou"));
    auto *results = child<QListView>("searchResultsList");
    QTRY_COMPARE(results->model()->rowCount(), 1);
    QVERIFY(results->isVisible());
    QCOMPARE(results->model()->index(0, 0).data(SearchResultsModel::ConversationIdRole).toLongLong(), first);
    QTest::keyClick(search, Qt::Key_Return);

    QCOMPARE(m_window->currentConversationId(), first);
    auto *view = child<ConversationView>("conversationView");
    QCOMPARE(rowText(1), QStringLiteral("Bifacial modules gain on bright ground."));
    QVERIFY(view->rowRect(1).intersects(view->viewport()->rect()));
    // Escape in the search box goes back to the list of conversations.
    QTest::keyClick(search, Qt::Key_Escape);
    QVERIFY(search->text().isEmpty());
    QTRY_VERIFY(child<QListView>("conversationList")->isVisible());
}

void TestChatWindow::exportWritesTheFile()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Use **IEC 62446** for the checks.")}));
    ask(QStringLiteral("Which standard covers commissioning?"));
    WAIT_FOR_ANSWER_END();

    child<QAction>("exportAction")->trigger();
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<QFileDialog *>(QStringLiteral("exportFileDialog"))) && dialog->isVisible());
    const QString path = m_db->folder() + QStringLiteral("/commissioning.md");
    dialog->selectFile(path);
    QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
    QTRY_VERIFY(QFile::exists(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.contains(QStringLiteral("Which standard covers commissioning?")));
    QVERIFY(text.contains(QStringLiteral("Use **IEC 62446** for the checks.")));
}

void TestChatWindow::surveyCanBeAnswered()
{
    openWindow(m_analyst);
    auto *banner = child<SurveyBanner>("surveyBanner");
    for (int i = 1; i <= 10; ++i) {
        m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Answer %1.").arg(i)}));
        ask(QStringLiteral("Question %1").arg(i));
        WAIT_FOR_ANSWER_END();
        if (i < 10)
            QVERIFY(!banner->isVisible());
    }
    // After the 10th answer, without blocking anything.
    QVERIFY(banner->isVisible());
    QVERIFY(child<QPlainTextEdit>("composerEdit")->isEnabled());
    QTest::mouseClick(banner->findChild<QAbstractButton *>(QStringLiteral("surveyScore4")), Qt::LeftButton);
    QTest::keyClicks(banner->findChild<QLineEdit *>(QStringLiteral("surveyCommentEdit")), QStringLiteral("Market agent is great"));
    QTest::mouseClick(banner->findChild<QAbstractButton *>(QStringLiteral("surveySendButton")), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    auto score = scalar(m_db->connection(), QStringLiteral("SELECT score || ':' || comment FROM survey_responses"));
    QVERIFY(score);
    QCOMPARE(score->toString(), QStringLiteral("4:Market agent is great"));

    // Not again at the 11th.
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Eleven.")}));
    ask(QStringLiteral("Question 11"));
    WAIT_FOR_ANSWER_END();
    QVERIFY(!banner->isVisible());
}

void TestChatWindow::surveyCanBeDismissed()
{
    // Nine answers already given, in earlier sessions.
    for (int i = 0; i < 9; ++i) {
        QVERIFY(execSql(m_db->connection(),
                        QStringLiteral("INSERT INTO usage_events (user_id, agent_id, period, outcome, created_at) "
                                       "VALUES (?, 'market', ?, 'complete', ?)"),
                        {m_analyst.id, quotaPeriodOf(m_db->clock()->nowUtc()), m_db->clock()->nowMs()}));
    }
    openWindow(m_analyst);
    auto *banner = child<SurveyBanner>("surveyBanner");
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Tenth.")}));
    ask(QStringLiteral("Question 10"));
    WAIT_FOR_ANSWER_END();
    QVERIFY(banner->isVisible());
    QTest::mouseClick(banner->findChild<QAbstractButton *>(QStringLiteral("surveyCloseButton")), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QCOMPARE(m_db->count(QStringLiteral("survey_responses")), 0);
    auto prompted = scalar(m_db->connection(), QStringLiteral("SELECT survey_prompted_at FROM users WHERE username = 'ana'"));
    QCOMPARE(prompted->toInt(), 10);
}

void TestChatWindow::keyboardShortcuts()
{
    openWindow(m_analyst);
    QStringList pieces;
    for (int i = 0; i < 100; ++i)
        pieces << QStringLiteral("w%1 ").arg(i);
    m_server->enqueue(ScriptedResponse::stream(pieces).withDelay(40ms));
    ask(QStringLiteral("Long one"));
    QTRY_VERIFY(!rowText(1).isEmpty());
    // Escape in the composer stops the answer.
    QTest::keyClick(child<QPlainTextEdit>("composerEdit"), Qt::Key_Escape);
    WAIT_FOR_ANSWER_END();
    QCOMPARE(answerStatus(1), int(MessageStatus::Cancelled));

    // Shift+Enter adds a line instead of sending.
    auto *editor = child<QPlainTextEdit>("composerEdit");
    editor->setFocus();
    QTest::keyClicks(editor, QStringLiteral("line one"));
    QTest::keyClick(editor, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(editor, QStringLiteral("line two"));
    QCOMPARE(editor->toPlainText(), QStringLiteral("line one\nline two"));
    QCOMPARE(m_server->requests().size(), 1);

    // New chat, then the composer has the focus.
    QTest::keySequence(m_window.get(), QKeySequence::New);
    QCOMPARE(m_window->currentConversationId(), 0);
    QTRY_VERIFY(editor->hasFocus());
    // Every action with a key has a name people and screen readers can find.
    for (QAction *action : m_window->findChildren<QAction *>()) {
        if (!action->shortcut().isEmpty())
            QVERIFY2(!action->text().isEmpty(), qPrintable(action->objectName()));
    }
    for (QAbstractButton *button : m_window->findChildren<QAbstractButton *>()) {
        if (button->isVisible())
            QVERIFY2(!button->accessibleName().isEmpty() || !button->text().isEmpty(), qPrintable(button->objectName()));
    }
}

void TestChatWindow::conversationsAreListedAndDeletedWithConfirmation()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Fine.")}));
    ask(QStringLiteral("Status of the Évora plant?"));
    WAIT_FOR_ANSWER_END();
    const qint64 id = m_window->currentConversationId();
    auto *list = child<QListView>("conversationList");
    QCOMPARE(list->model()->rowCount(), 1);
    QCOMPARE(list->model()->index(0, 0).data().toString(), QStringLiteral("Status of the Évora plant?"));

    // Opening it from the list shows its messages.
    QTest::keySequence(m_window.get(), QKeySequence::New);
    QCOMPARE(m_window->currentConversationId(), 0);
    const QRect rect = list->visualRect(list->model()->index(0, 0));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(m_window->currentConversationId(), id);
    QCOMPARE(rowText(1), QStringLiteral("Fine."));

    // Deleting asks first; Cancel keeps it.
    QMetaObject::invokeMethod(list, "customContextMenuRequested", Q_ARG(QPoint, rect.center()));
    QMenu *menu = nullptr;
    QTRY_VERIFY((menu = m_window->findChild<QMenu *>(QStringLiteral("conversationMenu"))) && menu->isVisible());
    menu->findChild<QAction *>(QStringLiteral("deleteAction"))->trigger();
    menu->close();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"))) && box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral("Status of the Évora plant?")));
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("confirmDeleteButton")), Qt::LeftButton);
    QTRY_COMPARE(list->model()->rowCount(), 0);
    QCOMPARE(m_db->count(QStringLiteral("messages")), 0);
    QCOMPARE(m_window->currentConversationId(), 0);
}

QMenu *TestChatWindow::conversationMenu(int row)
{
    auto *list = child<QListView>("conversationList");
    const QRect rect = list->visualRect(list->model()->index(row, 0));
    QMetaObject::invokeMethod(list, "customContextMenuRequested", Q_ARG(QPoint, rect.center()));
    const QList<QMenu *> menus = m_window->findChildren<QMenu *>(QStringLiteral("conversationMenu"));
    for (QMenu *menu : menus)
        if (menu->isVisible())
            return menu;
    qFatal("no conversation menu");
}

void TestChatWindow::renameAndPinFromTheMenu()
{
    openWindow(m_analyst);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("One.")}));
    ask(QStringLiteral("First conversation"));
    WAIT_FOR_ANSWER_END();
    QTest::keySequence(m_window.get(), QKeySequence::New);
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Two.")}));
    ask(QStringLiteral("Second conversation"));
    WAIT_FOR_ANSWER_END();
    auto *list = child<QListView>("conversationList");
    QCOMPARE(list->model()->index(0, 0).data().toString(), QStringLiteral("Second conversation"));

    // Rename the older one (row 1).
    QMenu *menu = conversationMenu(1);
    menu->findChild<QAction *>(QStringLiteral("renameAction"))->trigger();
    menu->close();
    QInputDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<QInputDialog *>(QStringLiteral("renameDialog"))) && dialog->isVisible());
    QCOMPARE(dialog->textValue(), QStringLiteral("First conversation"));
    dialog->setTextValue(QStringLiteral("Évora inverter faults"));
    dialog->accept();
    QTRY_COMPARE(list->model()->index(1, 0).data().toString(), QStringLiteral("Évora inverter faults"));

    // Pin it: it moves to the top, under "Pinned".
    menu = conversationMenu(1);
    menu->findChild<QAction *>(QStringLiteral("pinAction"))->trigger();
    menu->close();
    QTRY_COMPARE(list->model()->index(0, 0).data().toString(), QStringLiteral("Évora inverter faults"));
    QCOMPARE(list->model()->index(0, 0).data(ConversationListModel::SectionRole).toString(), QStringLiteral("Pinned"));
    QCOMPARE(list->model()->index(1, 0).data(ConversationListModel::SectionRole).toString(), QStringLiteral("Today"));
    auto pinned = scalar(m_db->connection(), QStringLiteral("SELECT title FROM conversations WHERE pinned = 1"));
    QCOMPARE(pinned->toString(), QStringLiteral("Évora inverter faults"));
}

void TestChatWindow::hiringFromTheGalleryAddsTheAgent()
{
    openWindow(m_analyst);
    QVERIFY(!m_window->findChild<QAbstractButton *>(QStringLiteral("agentButton_news")));
    QTest::mouseClick(child<QPushButton>("hireButton"), Qt::LeftButton);
    QDialog *gallery = nullptr;
    QTRY_VERIFY((gallery = m_window->findChild<QDialog *>(QStringLiteral("hireGallery"))) && gallery->isVisible());
    auto *hire = gallery->findChild<QAbstractButton *>(QStringLiteral("hireButton_news"));
    QVERIFY(hire && hire->isEnabled());
    QTest::mouseClick(hire, Qt::LeftButton);
    // The agent bar has it at once, and a click starts a chat with it.
    QAbstractButton *news = nullptr;
    QTRY_VERIFY((news = m_window->findChild<QAbstractButton *>(QStringLiteral("agentButton_news"))) != nullptr);
    QTest::mouseClick(news, Qt::LeftButton);
    QCOMPARE(m_window->selectedAgentId(), QStringLiteral("news"));
    QVERIFY(child<QLabel>("conversationTitle")->text().contains(QStringLiteral("News")));
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral("Headlines.")}));
    ask(QStringLiteral("Today's energy news?"));
    WAIT_FOR_ANSWER_END();
    auto agent = scalar(m_db->connection(), QStringLiteral("SELECT agent_id FROM conversations"));
    QCOMPARE(agent->toString(), QStringLiteral("news"));
}

void TestChatWindow::offlineAnswerShowsItsSources()
{
    // No endpoint: the agents answer from their starter knowledge, naming the documents.
    ProviderSettings(m_settingsFile).clearEndpoint();
    auto agents = prepareAgents(m_db->database(), m_db->clock());
    VERIFY_OK(agents);
    openWindow(m_analyst, agents->knowledge);
    QCOMPARE(child<QLabel>("sourceLabel")->text(), QStringLiteral("Answers: Offline knowledge base"));
    QTest::mouseClick(child<QAbstractButton>("agentButton_om"), Qt::LeftButton);
    ask(QStringLiteral("inverter maintenance"));
    WAIT_FOR_ANSWER_END();
    QCOMPARE(answerStatus(1), int(MessageStatus::Complete));
    auto *view = child<ConversationView>("conversationView");
    const QVariantList sources = view->model()->index(1, 0).data(MessageListModel::SourcesRole).toList();
    QVERIFY(!sources.isEmpty());
    QVERIFY(!sources.front().toMap().value(QStringLiteral("title")).toString().isEmpty());
    QVERIFY(rowText(1).contains(QStringLiteral("offline knowledge base")));
    QCOMPARE(m_server->requests().size(), 0);
}

void TestChatWindow::interruptedAnswerCanBeContinued()
{
    // A previous run died mid-answer, and its next start marked the answer interrupted.
    const qint64 now = m_db->clock()->nowMs();
    auto conversation = scalar(m_db->connection(),
                               QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                              "VALUES (?, 'market', 'Explain negative prices', ?, ?) RETURNING id"),
                               {m_analyst.id, now, now});
    VERIFY_OK(conversation);
    const QString insert = QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at) "
                                          "VALUES (?, ?, ?, ?, ?, ?)");
    VERIFY_OK(execSql(m_db->connection(), insert,
                      {conversation->toLongLong(), QStringLiteral("user"), QStringLiteral("Explain negative prices"),
                       QStringLiteral("complete"), now, now}));
    VERIFY_OK(execSql(m_db->connection(), insert,
                      {conversation->toLongLong(), QStringLiteral("assistant"), QStringLiteral("The first half"),
                       QStringLiteral("interrupted"), now, now}));
    openWindow(m_analyst);
    auto *list = child<QListView>("conversationList");
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(list->model()->index(0, 0)).center());
    QCOMPARE(answerStatus(1), int(MessageStatus::Interrupted));
    auto *view = child<ConversationView>("conversationView");
    QTRY_VERIFY(view->actionBar()->isVisible());
    auto *resume = view->actionBar()->findChild<QAbstractButton *>(QStringLiteral("continueButton"));
    QVERIFY(resume->isVisible());
    QVERIFY(view->actionBar()->findChild<QAbstractButton *>(QStringLiteral("regenerateButton"))->isVisible());
    m_server->enqueue(ScriptedResponse::stream({QStringLiteral(", and here is the rest.")}));
    QTest::mouseClick(resume, Qt::LeftButton);
    WAIT_FOR_ANSWER_END();
    QCOMPARE(rowText(1), QStringLiteral("The first half, and here is the rest."));
    QCOMPARE(answerStatus(1), int(MessageStatus::Complete));
    // The request carried the partial answer, so the model could go on from it.
    QVERIFY(m_server->requests().back().body.contains("The first half"));
}

QTEST_MAIN(TestChatWindow)
#include "tst_chatwindow.moc"
