// The Feedback tab and its service: ratings with the agent, the question and the answer they refer
// to (given through FeedbackService, as the chat window does), filtered by agent and rating; the
// survey answers (SurveyService) filtered by score; CSV content; analysts refused.

#include "ui/admin/feedbacktab.h"

#include "model/admin/feedbackreportservice.h"
#include "model/admin/ratingreportmodel.h"
#include "model/admin/surveyreportmodel.h"
#include "model/chat/feedbackservice.h"
#include "model/chat/surveyservice.h"
#include "storage/auditstore.h"
#include "storage/conversationstore.h"
#include "support/testdatabase.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QStringList column(const QSortFilterProxyModel *proxy, int column)
{
    QStringList values;
    for (int row = 0; row < proxy->rowCount(); ++row)
        values.append(proxy->index(row, column).data().toString());
    return values;
}

} // namespace

class TestFeedbackTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void analystIsRefused();
    void ratingsCarryQuestionAndAnswer();
    void ratingsFilter_data();
    void ratingsFilter();
    void badFilters();
    void surveyAnswers();
    void tabShowsBothTables();
    void agentAndRatingCombosFilter();
    void searchAndDetail();
    void ratingsCsv();
    void surveyCsvAndScoreFilter();
    void exportButtonOpensADialog();

private:
    /// A conversation of `user` with `agent`: a question and its answer, the answer rated.
    qint64 rateExchange(const UserRecord &user, const QString &agent, const QString &question, const QString &answer, int rating,
                        const QString &comment);

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<FeedbackReportService> m_service;
    Actor m_admin = Actor::anonymous();
    UserRecord m_ann;
    UserRecord m_bob;
};

void TestFeedbackTab::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY(m_db->isValid());
    m_admin = m_db->createAdmin();
    m_ann = m_db->createAnalyst(QStringLiteral("ann"));
    m_bob = m_db->createAnalyst(QStringLiteral("bob"));
    m_service = std::make_unique<FeedbackReportService>(m_db->database(), m_db->clock());

    m_db->clock()->set(QDateTime(QDate(2026, 11, 10), QTime(9, 0), Qt::UTC));
    rateExchange(m_ann, QStringLiteral("om"), QStringLiteral("Why does inverter 7 trip at noon?"),
                 QStringLiteral("Most likely **over-temperature**: check the fans."), 1, QStringLiteral("Spot on, thanks"));
    m_db->clock()->advance(std::chrono::hours(1));
    rateExchange(m_ann, QStringLiteral("market"), QStringLiteral("PPA prices in Spain, Q3?"),
                 QStringLiteral("Around €35/MWh."), -1, QStringLiteral("=wrong, \"old\" data\nfrom Q1"));
    m_db->clock()->advance(std::chrono::hours(1));
    rateExchange(m_bob, QStringLiteral("om"), QStringLiteral("Soiling losses in July?"), QStringLiteral("About 2.1 %."), -1, QString());

    SurveyService survey(m_db->database(), m_db->clock());
    m_db->clock()->set(QDateTime(QDate(2026, 11, 11), QTime(8, 0), Qt::UTC));
    QVERIFY(survey.submit(Actor::user(m_ann), 4, QStringLiteral("Useful, a bit slow")));
    m_db->clock()->advance(std::chrono::hours(2));
    QVERIFY(survey.submit(Actor::user(m_bob), 2, QStringLiteral("-Answers, too \"short\"")));
    m_db->clock()->advance(std::chrono::hours(2));
    QVERIFY(survey.submit(Actor::user(m_bob), 5, QString()));
}

void TestFeedbackTab::cleanup()
{
    m_service.reset();
    m_db.reset();
}

qint64 TestFeedbackTab::rateExchange(const UserRecord &user, const QString &agent, const QString &question, const QString &answer,
                                     int rating, const QString &comment)
{
    const QSqlDatabase db = m_db->connection();
    const qint64 now = m_db->clock()->nowMs();
    auto conversation = ConversationStore::createConversation(db, user.id, agent, question, now);
    if (!conversation)
        qFatal("createConversation: %s", qPrintable(conversation.error().toLogString()));
    if (!ConversationStore::insertMessage(db, *conversation, MessageRole::User, question, MessageStatus::Complete, std::nullopt, now))
        qFatal("insertMessage failed");
    auto answered = ConversationStore::insertMessage(db, *conversation, MessageRole::Assistant, answer, MessageStatus::Complete,
                                                     std::nullopt, now + 1000);
    if (!answered)
        qFatal("insertMessage failed");
    FeedbackService feedback(m_db->database(), m_db->clock());
    auto rated = feedback.rate(Actor::user(user), *answered, rating, comment);
    if (!rated)
        qFatal("rate: %s", qPrintable(rated.error().toLogString()));
    return *answered;
}

void TestFeedbackTab::analystIsRefused()
{
    const Actor ann = Actor::user(m_ann);
    auto ratings = m_service->ratings(ann);
    QVERIFY(!ratings);
    QCOMPARE(ratings.error().code(), ErrorCode::NotAllowed);
    QVERIFY2(ratings.error().message().startsWith(QStringLiteral("Not allowed:")), qPrintable(ratings.error().message()));
    auto survey = m_service->surveyResponses(ann);
    QVERIFY(!survey);
    QCOMPARE(survey.error().code(), ErrorCode::NotAllowed);
    auto agents = m_service->agents(ann);
    QVERIFY(!agents);
    QCOMPARE(agents.error().code(), ErrorCode::NotAllowed);
    const int auditBefore = m_db->count(QStringLiteral("audit_log"));
    QTemporaryDir out;
    auto exported = m_service->exportCsv(ann, QStringLiteral("ratings"), out.filePath(QStringLiteral("r.csv")), QByteArray("a\r\n"), 1);
    QVERIFY(!exported);
    QCOMPARE(exported.error().code(), ErrorCode::NotAllowed);
    QVERIFY(!QFile::exists(out.filePath(QStringLiteral("r.csv"))));
    QCOMPARE(m_db->count(QStringLiteral("audit_log")), auditBefore);

    // The tab as an analyst: empty tables and the refusal.
    FeedbackTab tab(m_db->database(), m_db->clock(), ann);
    QCOMPARE(tab.ratingsModel()->rowCount(), 0);
    QCOMPARE(tab.surveyModel()->rowCount(), 0);
    auto *message = tab.findChild<QLabel *>(QStringLiteral("feedbackMessage"));
    QVERIFY(message);
    QVERIFY2(message->text().startsWith(QStringLiteral("Not allowed:")), qPrintable(message->text()));
}

void TestFeedbackTab::ratingsCarryQuestionAndAnswer()
{
    auto rows = m_service->ratings(m_admin);
    QVERIFY2(rows, qPrintable(rows ? QString() : rows.error().toLogString()));
    QCOMPARE(rows->size(), 3);
    // Newest first.
    const RatingReportRow &bobs = rows->at(0);
    QCOMPARE(bobs.username, QStringLiteral("bob"));
    QCOMPARE(bobs.agentName, QStringLiteral("O&M"));
    QCOMPARE(bobs.question, QStringLiteral("Soiling losses in July?"));
    QCOMPARE(bobs.answer, QStringLiteral("About 2.1 %."));
    QCOMPARE(bobs.rating, -1);
    QCOMPARE(bobs.comment, QString());
    const RatingReportRow &first = rows->at(2);
    QCOMPARE(first.username, QStringLiteral("ann"));
    QCOMPARE(first.agentId, QStringLiteral("om"));
    QCOMPARE(first.question, QStringLiteral("Why does inverter 7 trip at noon?"));
    QCOMPARE(first.answer, QStringLiteral("Most likely **over-temperature**: check the fans."));
    QCOMPARE(first.rating, 1);
    QCOMPARE(first.comment, QStringLiteral("Spot on, thanks"));
    QCOMPARE(first.createdAtMs, QDateTime(QDate(2026, 11, 10), QTime(9, 0), Qt::UTC).toMSecsSinceEpoch());

    // A regenerated answer refers to the same question: the user's message just before it.
    const QSqlDatabase db = m_db->connection();
    auto regenerated = ConversationStore::insertMessage(db, first.conversationId, MessageRole::Assistant,
                                                        QStringLiteral("Or a failing string fuse."), MessageStatus::Complete,
                                                        std::nullopt, m_db->clock()->nowMs());
    QVERIFY(regenerated);
    FeedbackService feedback(m_db->database(), m_db->clock());
    m_db->clock()->advance(std::chrono::hours(5));
    QVERIFY(feedback.rate(Actor::user(m_ann), *regenerated, 1));
    auto again = m_service->ratings(m_admin);
    QVERIFY(again);
    QCOMPARE(again->first().answer, QStringLiteral("Or a failing string fuse."));
    QCOMPARE(again->first().question, QStringLiteral("Why does inverter 7 trip at noon?"));

    // The limit keeps the newest.
    auto one = m_service->ratings(m_admin, {}, 1);
    QVERIFY(one);
    QCOMPARE(one->size(), 1);
    QCOMPARE(one->first().messageId, *regenerated);
}

void TestFeedbackTab::ratingsFilter_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<int>("rating");
    QTest::addColumn<QStringList>("questions");
    const QString inverter = QStringLiteral("Why does inverter 7 trip at noon?");
    const QString ppa = QStringLiteral("PPA prices in Spain, Q3?");
    const QString soiling = QStringLiteral("Soiling losses in July?");
    QTest::newRow("all") << QString() << 0 << QStringList{soiling, ppa, inverter};
    QTest::newRow("om") << QStringLiteral("om") << 0 << QStringList{soiling, inverter};
    QTest::newRow("market") << QStringLiteral("market") << 0 << QStringList{ppa};
    QTest::newRow("news (none)") << QStringLiteral("news") << 0 << QStringList{};
    QTest::newRow("up") << QString() << 1 << QStringList{inverter};
    QTest::newRow("down") << QString() << -1 << QStringList{soiling, ppa};
    QTest::newRow("om down") << QStringLiteral("om") << -1 << QStringList{soiling};
    QTest::newRow("market up (none)") << QStringLiteral("market") << 1 << QStringList{};
}

void TestFeedbackTab::ratingsFilter()
{
    QFETCH(QString, agent);
    QFETCH(int, rating);
    QFETCH(QStringList, questions);
    auto rows = m_service->ratings(m_admin, RatingFilter{agent, rating});
    QVERIFY(rows);
    QStringList got;
    for (const RatingReportRow &row : *rows)
        got.append(row.question);
    QCOMPARE(got, questions);
}

void TestFeedbackTab::badFilters()
{
    auto rating = m_service->ratings(m_admin, RatingFilter{QString(), 2});
    QVERIFY(!rating);
    QCOMPARE(rating.error().code(), ErrorCode::InvalidInput);
    auto score = m_service->surveyResponses(m_admin, 6);
    QVERIFY(!score);
    QCOMPARE(score.error().code(), ErrorCode::InvalidInput);
    auto limit = m_service->ratings(m_admin, {}, 0);
    QVERIFY(!limit);
    QCOMPARE(limit.error().code(), ErrorCode::InvalidInput);
}

void TestFeedbackTab::surveyAnswers()
{
    auto all = m_service->surveyResponses(m_admin);
    QVERIFY(all);
    QCOMPARE(all->size(), 3);
    QCOMPARE(all->at(0).score, 5);
    QCOMPARE(all->at(0).username, QStringLiteral("bob"));
    QCOMPARE(all->at(2).username, QStringLiteral("ann"));
    QCOMPARE(all->at(2).comment, QStringLiteral("Useful, a bit slow"));
    auto twos = m_service->surveyResponses(m_admin, 2);
    QVERIFY(twos);
    QCOMPARE(twos->size(), 1);
    QCOMPARE(twos->first().comment, QStringLiteral("-Answers, too \"short\""));
    auto agents = m_service->agents(m_admin);
    QVERIFY(agents);
    QVERIFY(agents->size() >= 4);
    QCOMPARE(agents->first(), (AgentName{QStringLiteral("news"), QStringLiteral("News")}));
}

void TestFeedbackTab::tabShowsBothTables()
{
    FeedbackTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QCOMPARE(tab.objectName(), QStringLiteral("feedbackTab"));
    QCOMPARE(tab.pages()->count(), 2);
    QCOMPARE(tab.pages()->tabText(0), QStringLiteral("Ratings"));
    QCOMPARE(tab.pages()->tabText(1), QStringLiteral("Survey"));
    QCOMPARE(tab.ratingsProxy()->rowCount(), 3);
    // Newest first; ratings in words.
    QCOMPARE(column(tab.ratingsProxy(), RatingReportModel::UserColumn),
             (QStringList{QStringLiteral("bob"), QStringLiteral("ann"), QStringLiteral("ann")}));
    QCOMPARE(column(tab.ratingsProxy(), RatingReportModel::RatingColumn),
             (QStringList{QStringLiteral("Thumbs down"), QStringLiteral("Thumbs down"), QStringLiteral("Thumbs up")}));
    // The comment's line break does not make the row tall.
    QCOMPARE(tab.ratingsProxy()->index(1, RatingReportModel::CommentColumn).data().toString(),
             QStringLiteral("=wrong, \"old\" data from Q1"));
    auto *summary = tab.findChild<QLabel *>(QStringLiteral("feedbackSummaryLabel"));
    QVERIFY(summary);
    QCOMPARE(summary->text(), QStringLiteral("3 rating(s) shown: 1 thumbs up, 2 thumbs down."));

    QCOMPARE(tab.surveyProxy()->rowCount(), 3);
    QCOMPARE(column(tab.surveyProxy(), SurveyReportModel::ScoreColumn),
             (QStringList{QStringLiteral("5"), QStringLiteral("2"), QStringLiteral("4")}));
    auto *surveySummary = tab.findChild<QLabel *>(QStringLiteral("surveySummaryLabel"));
    QVERIFY(surveySummary);
    QCOMPARE(surveySummary->text(), QStringLiteral("3 survey answer(s) shown, average score %1 of 5.").arg(QLocale().toString(11.0 / 3, 'f', 1)));

    // Sorting by rating puts thumbs down first (as numbers, ascending).
    tab.ratingsTable()->sortByColumn(RatingReportModel::RatingColumn, Qt::AscendingOrder);
    QCOMPARE(tab.ratingsProxy()->index(2, RatingReportModel::RatingColumn).data().toString(), QStringLiteral("Thumbs up"));
}

void TestFeedbackTab::agentAndRatingCombosFilter()
{
    FeedbackTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *agent = tab.findChild<QComboBox *>(QStringLiteral("feedbackAgentCombo"));
    auto *rating = tab.findChild<QComboBox *>(QStringLiteral("feedbackRatingCombo"));
    QVERIFY(agent);
    QVERIFY(rating);
    QCOMPARE(agent->itemText(0), QStringLiteral("All agents"));
    QVERIFY(agent->findText(QStringLiteral("O&M")) > 0);

    // Down the agent list with the keyboard: News (no ratings), then O&M.
    agent->setFocus();
    QTest::keyClick(agent, Qt::Key_Down);
    QCOMPARE(agent->currentText(), QStringLiteral("News"));
    QCOMPARE(tab.ratingsProxy()->rowCount(), 0);
    QTest::keyClick(agent, Qt::Key_Down);
    QCOMPARE(agent->currentText(), QStringLiteral("O&M"));
    QCOMPARE(tab.ratingsProxy()->rowCount(), 2);

    // Thumbs up, then thumbs down, within O&M.
    rating->setFocus();
    QTest::keyClick(rating, Qt::Key_Down);
    QCOMPARE(rating->currentText(), QStringLiteral("Thumbs up"));
    QCOMPARE(column(tab.ratingsProxy(), RatingReportModel::QuestionColumn), QStringList{QStringLiteral("Why does inverter 7 trip at noon?")});
    QTest::keyClick(rating, Qt::Key_Down);
    QCOMPARE(column(tab.ratingsProxy(), RatingReportModel::QuestionColumn), QStringList{QStringLiteral("Soiling losses in July?")});

    // The choices survive a reload.
    tab.reload();
    QCOMPARE(agent->currentText(), QStringLiteral("O&M"));
    QCOMPARE(tab.ratingsProxy()->rowCount(), 1);
    tab.setAgentFilter(QString());
    tab.setRatingFilter(0);
    QCOMPARE(tab.ratingsProxy()->rowCount(), 3);
}

void TestFeedbackTab::searchAndDetail()
{
    FeedbackTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    auto *search = tab.findChild<QLineEdit *>(QStringLiteral("feedbackFilterEdit"));
    QVERIFY(search);
    // Searches the whole answer text, not only what the cell shows.
    QTest::keyClicks(search, QStringLiteral("OVER-TEMPERATURE"));
    QCOMPARE(tab.ratingsProxy()->rowCount(), 1);
    auto *summary = tab.findChild<QLabel *>(QStringLiteral("feedbackSummaryLabel"));
    QCOMPARE(summary->text(), QStringLiteral("1 rating(s) shown: 1 thumbs up, 0 thumbs down."));

    // Clicking the row shows its question, answer and comment in full.
    QTableView *table = tab.ratingsTable();
    const QRect cell = table->visualRect(tab.ratingsProxy()->index(0, RatingReportModel::UserColumn));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    auto *detail = tab.findChild<QPlainTextEdit *>(QStringLiteral("feedbackDetail"));
    QVERIFY(detail);
    QCOMPARE(detail->toPlainText(),
             QStringLiteral("Question:\nWhy does inverter 7 trip at noon?\n\nAnswer:\nMost likely **over-temperature**: check the fans."
                            "\n\nComment:\nSpot on, thanks"));

    search->clear();
    QTest::keyClicks(search, QStringLiteral("nothing like this"));
    QCOMPARE(tab.ratingsProxy()->rowCount(), 0);
}

void TestFeedbackTab::ratingsCsv()
{
    FeedbackTab tab(m_db->database(), m_db->clock(), m_admin);
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("ratings.csv"));
    auto saved = tab.exportRatingsCsv(path);
    QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toLogString()));
    // Whole texts, RFC 4180 quoting, CRLF, UTF-8; a comment that starts with "=" cannot run as a formula.
    QCOMPARE(QString::fromUtf8(readAll(path)),
             QStringLiteral("Time (UTC),User,Agent,Rating,Comment,Question,Answer\r\n"
                            "2026-11-10T11:00:00Z,bob,O&M,down,,Soiling losses in July?,About 2.1 %.\r\n"
                            "2026-11-10T10:00:00Z,ann,Market Intelligence,down,\"'=wrong, \"\"old\"\" data\nfrom Q1\","
                            "\"PPA prices in Spain, Q3?\",Around €35/MWh.\r\n"
                            "2026-11-10T09:00:00Z,ann,O&M,up,\"Spot on, thanks\",Why does inverter 7 trip at noon?,"
                            "Most likely **over-temperature**: check the fans.\r\n"));
    auto entries = AuditStore::list(m_db->connection(), 5, QStringLiteral("report.export"));
    QVERIFY(entries);
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->first().targetName, QStringLiteral("ratings"));
    QCOMPARE(entries->first().detailsJson, QStringLiteral("{\"file\":\"ratings.csv\",\"rows\":3}"));

    // Filtered by agent: only those rows.
    tab.setAgentFilter(QStringLiteral("market"));
    QVERIFY(tab.exportRatingsCsv(path));
    QCOMPARE(readAll(path).count("Market Intelligence"), 1);
    QVERIFY(!readAll(path).contains("O&M"));
}

void TestFeedbackTab::surveyCsvAndScoreFilter()
{
    FeedbackTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    tab.pages()->setCurrentIndex(1);
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("survey.csv"));
    QVERIFY(tab.exportSurveyCsv(path));
    QCOMPARE(readAll(path),
             QByteArray("Time (UTC),User,Score,Comment\r\n"
                        "2026-11-11T12:00:00Z,bob,5,\r\n"
                        "2026-11-11T10:00:00Z,bob,2,\"'-Answers, too \"\"short\"\"\"\r\n"
                        "2026-11-11T08:00:00Z,ann,4,\"Useful, a bit slow\"\r\n"));

    auto *score = tab.findChild<QComboBox *>(QStringLiteral("surveyScoreCombo"));
    QVERIFY(score);
    score->setFocus();
    QTest::keyClick(score, Qt::Key_Down); // 5
    QCOMPARE(score->currentText(), QStringLiteral("5"));
    QCOMPARE(tab.surveyProxy()->rowCount(), 1);
    tab.setScoreFilter(4);
    QCOMPARE(column(tab.surveyProxy(), SurveyReportModel::UserColumn), QStringList{QStringLiteral("ann")});
    QVERIFY(tab.exportSurveyCsv(path));
    QCOMPARE(readAll(path), QByteArray("Time (UTC),User,Score,Comment\r\n2026-11-11T08:00:00Z,ann,4,\"Useful, a bit slow\"\r\n"));

    tab.setScoreFilter(0);
    auto *search = tab.findChild<QLineEdit *>(QStringLiteral("surveyFilterEdit"));
    QVERIFY(search);
    QTest::keyClicks(search, QStringLiteral("bob"));
    QCOMPARE(tab.surveyProxy()->rowCount(), 2);
}

void TestFeedbackTab::exportButtonOpensADialog()
{
    FeedbackTab tab(m_db->database(), m_db->clock(), m_admin);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QTest::mouseClick(tab.findChild<QPushButton *>(QStringLiteral("feedbackExportButton")), Qt::LeftButton);
    QPointer<QFileDialog> dialog = tab.findChild<QFileDialog *>(QStringLiteral("feedbackExportDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("mine.csv"));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept();
    QVERIFY(readAll(path).startsWith("Time (UTC),User,Agent,Rating,"));
    QCOMPARE(tab.findChild<QLabel *>(QStringLiteral("feedbackMessage"))->text(), QStringLiteral("Saved mine.csv."));
    QTRY_VERIFY(dialog.isNull());
}

QTEST_MAIN(TestFeedbackTab)
#include "tst_feedbacktab.moc"
