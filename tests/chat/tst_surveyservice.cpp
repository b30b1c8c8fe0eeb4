// SurveyService on a real database: the milestones (10th finished answer, then every 50th),
// when the survey is due, "Not now", storing an answer, and that each user's prompts are theirs.

#include "support/testdatabase.h"

#include "model/chat/surveyservice.h"
#include "model/quotaservice.h"
#include "storage/conversationstore.h"
#include "storage/sql.h"
#include "storage/transaction.h"

#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

struct Fixture {
    TestDatabase t;
    SurveyService survey{t.database(), t.clock()};
    Actor admin;
    Actor bob;
    Actor carl;

    Fixture()
    {
        admin = t.createAdmin();
        bob = Actor::user(t.createAnalyst(QStringLiteral("bob")));
        carl = Actor::user(t.createAnalyst(QStringLiteral("carl")));
    }

    /// Adds ledger rows of `actor` with the given outcome, as the chat leaves them.
    void addAnswers(const Actor &actor, int n, const QString &outcome = QStringLiteral("complete"),
                    std::optional<qint64> conversationId = {})
    {
        for (int i = 0; i < n; ++i) {
            auto q = execSql(t.connection(),
                             QStringLiteral("INSERT INTO usage_events (user_id, agent_id, conversation_id, period, outcome, created_at) "
                                            "VALUES (?, 'om', ?, '2026-11', ?, 0)"),
                             {*actor.userId(),
                              conversationId ? QVariant(*conversationId) : QVariant(QMetaType::fromType<qint64>()), outcome});
            if (!q)
                qFatal("addAnswers: %s", qPrintable(q.error().toLogString()));
        }
    }

    [[nodiscard]] int promptedAt(const Actor &actor) const
    {
        return scalar(t.connection(), QStringLiteral("SELECT survey_prompted_at FROM users WHERE id = ?"), {*actor.userId()})
            .value()
            .toInt();
    }

    [[nodiscard]] bool due(const Actor &actor)
    {
        auto due = survey.isDue(actor);
        if (!due)
            qFatal("isDue: %s", qPrintable(due.error().toLogString()));
        return *due;
    }

    [[nodiscard]] int responses() const { return t.count(QStringLiteral("survey_responses")); }
};

} // namespace

class TestSurveyService : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void nextMilestone_data()
    {
        QTest::addColumn<int>("promptedAt");
        QTest::addColumn<int>("next");
        QTest::newRow("never asked") << 0 << 10;
        QTest::newRow("9") << 9 << 10;
        QTest::newRow("asked at 10") << 10 << 60;
        QTest::newRow("asked late, at 25") << 25 << 60;
        QTest::newRow("59") << 59 << 60;
        QTest::newRow("asked at 60") << 60 << 110;
        QTest::newRow("109") << 109 << 110;
        QTest::newRow("asked at 110") << 110 << 160;
        QTest::newRow("1000") << 1000 << 1010;
        QTest::newRow("negative (never written)") << -1 << 10;
    }

    void nextMilestone()
    {
        QFETCH(int, promptedAt);
        QFETCH(int, next);
        QCOMPARE(SurveyService::nextMilestone(promptedAt), next);
    }

    void dueAtTheTenthFinishedAnswer_data()
    {
        QTest::addColumn<int>("finished");
        QTest::addColumn<bool>("due");
        QTest::newRow("9 answers") << 9 << false;
        QTest::newRow("10 answers") << 10 << true;
        QTest::newRow("11 answers") << 11 << true;
    }

    void dueAtTheTenthFinishedAnswer()
    {
        QFETCH(int, finished);
        QFETCH(bool, due);
        Fixture f;
        // Through the real ledger: each query reserved, then recorded as complete.
        QuotaService quotas(f.t.database(), f.t.clock());
        for (int i = 0; i < finished; ++i) {
            auto reservation = quotas.reserve(f.bob, QStringLiteral("om"));
            VERIFY_OK(reservation);
            VERIFY_OK(quotas.recordOutcome(reservation->usageEventId, UsageOutcome::Complete));
        }
        QCOMPARE(f.due(f.bob), due);
        QCOMPARE(f.due(f.carl), false); // bob's answers are not carl's
    }

    void onlyCompleteAnswersCount()
    {
        Fixture f;
        f.addAnswers(f.bob, 9);
        f.addAnswers(f.bob, 3, QStringLiteral("failed"));
        f.addAnswers(f.bob, 3, QStringLiteral("cancelled"));
        f.addAnswers(f.bob, 3, QStringLiteral("reserved"));
        QVERIFY(!f.due(f.bob));
        f.addAnswers(f.bob, 1);
        QVERIFY(f.due(f.bob));
    }

    void answersOfDeletedConversationsStillCount()
    {
        Fixture f;
        const QSqlDatabase db = f.t.connection();
        const qint64 conversation =
            ConversationStore::createConversation(db, *f.bob.userId(), QStringLiteral("om"), QStringLiteral("Old"), 0).value();
        f.addAnswers(f.bob, 10, QStringLiteral("complete"), conversation);
        QVERIFY(f.due(f.bob));
        {
            auto txn = Transaction::begin(db);
            VERIFY_OK(txn);
            VERIFY_OK(ConversationStore::remove(db, conversation));
            VERIFY_OK(txn->commit());
        }
        QVERIFY(f.due(f.bob));
    }

    void dismissWaitsForTheNextMilestone()
    {
        Fixture f;
        f.addAnswers(f.bob, 10);
        QVERIFY(f.due(f.bob));
        VERIFY_OK(f.survey.dismiss(f.bob));
        QCOMPARE(f.promptedAt(f.bob), 10);
        QVERIFY(!f.due(f.bob));
        QCOMPARE(f.responses(), 0);

        f.addAnswers(f.bob, 49); // 59
        QVERIFY(!f.due(f.bob));
        f.addAnswers(f.bob, 1); // 60
        QVERIFY(f.due(f.bob));
        VERIFY_OK(f.survey.dismiss(f.bob));
        QCOMPARE(f.promptedAt(f.bob), 60);
        f.addAnswers(f.bob, 49); // 109
        QVERIFY(!f.due(f.bob));
        f.addAnswers(f.bob, 1); // 110
        QVERIFY(f.due(f.bob));
    }

    void dismissedLateStillWaitsForTheNextMilestone()
    {
        Fixture f;
        f.addAnswers(f.bob, 25); // due since the 10th; not seen until now
        QVERIFY(f.due(f.bob));
        VERIFY_OK(f.survey.dismiss(f.bob));
        QCOMPARE(f.promptedAt(f.bob), 25);
        f.addAnswers(f.bob, 34); // 59
        QVERIFY(!f.due(f.bob));
        f.addAnswers(f.bob, 1); // 60
        QVERIFY(f.due(f.bob));
    }

    void submitStoresTheAnswerAndPostpones()
    {
        Fixture f;
        f.addAnswers(f.bob, 12);
        QVERIFY(f.due(f.bob));
        const qint64 now = f.t.clock()->nowMs();
        VERIFY_OK(f.survey.submit(f.bob, 4, QStringLiteral("  The O&M agent saved me an hour. \n")));

        auto q = execSql(f.t.connection(), QStringLiteral("SELECT user_id, score, comment, created_at FROM survey_responses"));
        VERIFY_OK(q);
        QVERIFY(q->next());
        QCOMPARE(q->value(0).toLongLong(), *f.bob.userId());
        QCOMPARE(q->value(1).toInt(), 4);
        QCOMPARE(q->value(2).toString(), QStringLiteral("The O&M agent saved me an hour."));
        QCOMPARE(q->value(3).toLongLong(), now);
        QVERIFY(!q->next());

        QCOMPARE(f.promptedAt(f.bob), 12);
        QVERIFY(!f.due(f.bob));
        f.addAnswers(f.bob, 48); // 60
        QVERIFY(f.due(f.bob));

        // No comment is fine (a null QString would bind as NULL; the column is NOT NULL).
        VERIFY_OK(f.survey.submit(f.bob, 5, QString()));
        QCOMPARE(f.responses(), 2);
        QCOMPARE(scalar(f.t.connection(), QStringLiteral("SELECT count(*) FROM survey_responses WHERE score = 5 AND comment = ''"))
                     .value()
                     .toInt(),
                 1);
        QCOMPARE(f.promptedAt(f.bob), 60);
    }

    void scoreOutOfRangeRefused_data()
    {
        QTest::addColumn<int>("score");
        QTest::newRow("0") << 0;
        QTest::newRow("6") << 6;
        QTest::newRow("-1") << -1;
    }

    void scoreOutOfRangeRefused()
    {
        QFETCH(int, score);
        Fixture f;
        f.addAnswers(f.bob, 10);
        auto submitted = f.survey.submit(f.bob, score, QStringLiteral("comment"));
        QVERIFY(!submitted);
        QCOMPARE(submitted.error().code(), ErrorCode::InvalidInput);
        QCOMPARE(f.responses(), 0);
        QCOMPARE(f.promptedAt(f.bob), 0);
        QVERIFY(f.due(f.bob)); // still to be asked
    }

    void tooLongCommentRefused()
    {
        Fixture f;
        f.addAnswers(f.bob, 10);
        const QString limit(SurveyService::maxCommentChars, u'x');
        auto tooLong = f.survey.submit(f.bob, 3, limit + u'y');
        QVERIFY(!tooLong);
        QCOMPARE(tooLong.error().code(), ErrorCode::InvalidInput);
        QCOMPARE(f.responses(), 0);
        QVERIFY(f.due(f.bob));
        VERIFY_OK(f.survey.submit(f.bob, 3, limit));
        QCOMPARE(f.responses(), 1);
    }

    void eachUserHasTheirOwnPrompts()
    {
        Fixture f;
        f.addAnswers(f.bob, 10);
        f.addAnswers(f.carl, 10);
        VERIFY_OK(f.survey.dismiss(f.bob));
        VERIFY_OK(f.survey.submit(f.bob, 2, QString()));
        // What bob does postpones bob's survey only.
        QVERIFY(!f.due(f.bob));
        QVERIFY(f.due(f.carl));
        QCOMPARE(f.promptedAt(f.carl), 0);
        QCOMPARE(scalar(f.t.connection(), QStringLiteral("SELECT count(*) FROM survey_responses WHERE user_id = ?"),
                        {*f.carl.userId()})
                     .value()
                     .toInt(),
                 0);
    }

    void nobodySignedInIsNotAllowed()
    {
        Fixture f;
        for (const Actor &actor : {Actor::anonymous(), Actor::system(QStringLiteral("operator"))}) {
            QCOMPARE(f.survey.isDue(actor).error().code(), ErrorCode::NotAllowed);
            QCOMPARE(f.survey.dismiss(actor).error().code(), ErrorCode::NotAllowed);
            QCOMPARE(f.survey.submit(actor, 5, QString()).error().code(), ErrorCode::NotAllowed);
        }
        QCOMPARE(f.responses(), 0);
    }

    void deletedUserIsNotFound()
    {
        Fixture f;
        f.addAnswers(f.carl, 10);
        VERIFY_OK(f.t.accounts().deleteUser(f.admin, QStringLiteral("carl")));
        QCOMPARE(f.survey.isDue(f.carl).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.survey.dismiss(f.carl).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.survey.submit(f.carl, 5, QString()).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.responses(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSurveyService)
#include "tst_surveyservice.moc"
