// FeedbackService on a real database: thumbs up/down with a comment on one's own finished
// answers, replaced or taken back; refused for questions, streaming answers, bad ratings, long
// comments and other people's answers; gone with a deleted conversation.

#include "support/testdatabase.h"

#include "model/chat/chatservice.h"
#include "model/chat/feedbackservice.h"
#include "storage/conversationstore.h"
#include "storage/sql.h"

#include <QTest>

namespace heliodesk {
inline char *toString(const FeedbackRecord &r)
{
    return qstrdup(qPrintable(QStringLiteral("{message %1, rating %2, comment '%3', created %4}")
                                  .arg(r.messageId).arg(r.rating).arg(r.comment.left(40)).arg(r.createdAtMs)));
}
} // namespace heliodesk

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

struct Exchange {
    qint64 conversationId = 0;
    qint64 questionId = 0;
    qint64 answerId = 0;
};

struct Fixture {
    TestDatabase t;
    FeedbackService feedback{t.database(), t.clock()};
    Actor bob;
    Actor carl;

    Fixture()
    {
        t.createAdmin();
        bob = Actor::user(t.createAnalyst(QStringLiteral("bob")));
        carl = Actor::user(t.createAnalyst(QStringLiteral("carl")));
    }

    /// A conversation of `actor` with one question and one answer in the given state.
    Exchange exchange(const Actor &actor, MessageStatus answerStatus = MessageStatus::Complete)
    {
        const QSqlDatabase db = t.connection();
        const qint64 now = t.clock()->nowMs();
        Exchange e;
        e.conversationId = ConversationStore::createConversation(db, *actor.userId(), QStringLiteral("om"),
                                                                 QStringLiteral("Inverter trips"), now)
                               .value();
        e.questionId = ConversationStore::insertMessage(db, e.conversationId, MessageRole::User,
                                                        QStringLiteral("Why does inverter 3 trip?"), MessageStatus::Complete,
                                                        std::nullopt, now)
                           .value();
        e.answerId = ConversationStore::insertMessage(db, e.conversationId, MessageRole::Assistant,
                                                      QStringLiteral("Most likely an insulation fault."), answerStatus,
                                                      std::nullopt, now)
                         .value();
        return e;
    }

    [[nodiscard]] int feedbackRows() const { return t.count(QStringLiteral("feedback")); }
};

} // namespace

class TestFeedbackService : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void rateReplaceAndClear()
    {
        Fixture f;
        const Exchange e = f.exchange(f.bob);
        const qint64 firstRated = f.t.clock()->nowMs();

        auto up = f.feedback.rate(f.bob, e.answerId, 1);
        VERIFY_OK(up);
        QCOMPARE(*up, (FeedbackRecord{e.answerId, 1, QString(), firstRated}));
        QCOMPARE(f.feedbackRows(), 1);

        // A second verdict replaces the first (one row per user and answer) and keeps its time.
        f.t.clock()->advance(5min);
        auto down = f.feedback.rate(f.bob, e.answerId, -1, QStringLiteral("Wrong inverter model"));
        VERIFY_OK(down);
        QCOMPARE(*down, (FeedbackRecord{e.answerId, -1, QStringLiteral("Wrong inverter model"), firstRated}));
        QCOMPARE(f.feedbackRows(), 1);

        auto all = f.feedback.feedbackFor(f.bob, e.conversationId);
        VERIFY_OK(all);
        QCOMPARE(all->size(), 1);
        QCOMPARE(all->value(e.answerId), *down);

        // Rating again without a comment sets the comment to none: the record is what was asked for.
        auto plain = f.feedback.rate(f.bob, e.answerId, -1);
        VERIFY_OK(plain);
        QCOMPARE(plain->comment, QString());

        VERIFY_OK(f.feedback.clear(f.bob, e.answerId));
        QCOMPARE(f.feedbackRows(), 0);
        QVERIFY(f.feedback.feedbackFor(f.bob, e.conversationId).value().isEmpty());
        // Nothing left to take back is not an error.
        VERIFY_OK(f.feedback.clear(f.bob, e.answerId));
    }

    void feedbackForHoldsOnlyThatConversationAndUser()
    {
        Fixture f;
        const Exchange first = f.exchange(f.bob);
        const Exchange second = f.exchange(f.bob);
        VERIFY_OK(f.feedback.rate(f.bob, first.answerId, 1));
        VERIFY_OK(f.feedback.rate(f.bob, second.answerId, -1));

        auto firstOnly = f.feedback.feedbackFor(f.bob, first.conversationId);
        VERIFY_OK(firstOnly);
        QCOMPARE(firstOnly->keys(), QList<qint64>{first.answerId});
        QCOMPARE(firstOnly->value(first.answerId).rating, 1);
        auto secondOnly = f.feedback.feedbackFor(f.bob, second.conversationId);
        VERIFY_OK(secondOnly);
        QCOMPARE(secondOnly->keys(), QList<qint64>{second.answerId});
        QCOMPARE(secondOnly->value(second.answerId).rating, -1);
    }

    void wrongRatingRefused_data()
    {
        QTest::addColumn<int>("rating");
        QTest::newRow("zero") << 0;
        QTest::newRow("two") << 2;
        QTest::newRow("minus two") << -2;
        QTest::newRow("five stars") << 5;
    }

    void wrongRatingRefused()
    {
        QFETCH(int, rating);
        Fixture f;
        const Exchange e = f.exchange(f.bob);
        auto rated = f.feedback.rate(f.bob, e.answerId, rating);
        QVERIFY(!rated);
        QCOMPARE(rated.error().code(), ErrorCode::InvalidInput);
        QVERIFY2(rated.error().message().contains(QString::number(rating)), qPrintable(rated.error().message()));
        QCOMPARE(f.feedbackRows(), 0);
    }

    void someoneElsesAnswerIsNotFound()
    {
        Fixture f;
        const Exchange bobs = f.exchange(f.bob);
        VERIFY_OK(f.feedback.rate(f.bob, bobs.answerId, 1, QStringLiteral("clear")));

        auto carlRates = f.feedback.rate(f.carl, bobs.answerId, -1, QStringLiteral("sabotage"));
        QVERIFY(!carlRates);
        QCOMPARE(carlRates.error().code(), ErrorCode::NotFound);
        // Indistinguishable from an answer that does not exist.
        auto missing = f.feedback.rate(f.carl, 999999, -1);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code(), ErrorCode::NotFound);
        QCOMPARE(carlRates.error().message(), QStringLiteral("There is no answer %1.").arg(bobs.answerId));
        QCOMPARE(missing.error().message(), QStringLiteral("There is no answer 999999."));

        auto carlClears = f.feedback.clear(f.carl, bobs.answerId);
        QVERIFY(!carlClears);
        QCOMPARE(carlClears.error().code(), ErrorCode::NotFound);
        auto carlReads = f.feedback.feedbackFor(f.carl, bobs.conversationId);
        QVERIFY(!carlReads);
        QCOMPARE(carlReads.error().code(), ErrorCode::NotFound);

        // Bob's verdict is untouched.
        QCOMPARE(f.feedbackRows(), 1);
        QCOMPARE(f.feedback.feedbackFor(f.bob, bobs.conversationId).value().value(bobs.answerId).comment, QStringLiteral("clear"));
    }

    void nobodySignedInIsNotAllowed()
    {
        Fixture f;
        const Exchange e = f.exchange(f.bob);
        for (const Actor &actor : {Actor::anonymous(), Actor::system(QStringLiteral("operator"))}) {
            QCOMPARE(f.feedback.rate(actor, e.answerId, 1).error().code(), ErrorCode::NotAllowed);
            QCOMPARE(f.feedback.clear(actor, e.answerId).error().code(), ErrorCode::NotAllowed);
            QCOMPARE(f.feedback.feedbackFor(actor, e.conversationId).error().code(), ErrorCode::NotAllowed);
        }
        QCOMPARE(f.feedbackRows(), 0);
    }

    void questionIsNotAnAnswer()
    {
        Fixture f;
        const Exchange e = f.exchange(f.bob);
        auto rated = f.feedback.rate(f.bob, e.questionId, 1);
        QVERIFY(!rated);
        QCOMPARE(rated.error().code(), ErrorCode::InvalidInput);
        QCOMPARE(f.feedback.clear(f.bob, e.questionId).error().code(), ErrorCode::InvalidInput);
        QCOMPARE(f.feedbackRows(), 0);
    }

    void answerStates_data()
    {
        QTest::addColumn<MessageStatus>("status");
        QTest::addColumn<bool>("rateable");
        QTest::newRow("streaming") << MessageStatus::Streaming << false;
        QTest::newRow("complete") << MessageStatus::Complete << true;
        QTest::newRow("cancelled") << MessageStatus::Cancelled << true;
        QTest::newRow("failed") << MessageStatus::Failed << true;
        QTest::newRow("interrupted") << MessageStatus::Interrupted << true;
    }

    void answerStates()
    {
        QFETCH(MessageStatus, status);
        QFETCH(bool, rateable);
        Fixture f;
        const Exchange e = f.exchange(f.bob, status);
        auto rated = f.feedback.rate(f.bob, e.answerId, -1);
        QCOMPARE(static_cast<bool>(rated), rateable);
        QCOMPARE(f.feedbackRows(), rateable ? 1 : 0);
        if (rateable)
            return;
        QCOMPARE(rated.error().code(), ErrorCode::InvalidInput);
        QVERIFY2(rated.error().message().contains(QStringLiteral("still being written")), qPrintable(rated.error().message()));
        // Once it has finished it can be rated.
        VERIFY_OK(ConversationStore::finishMessage(f.t.connection(), e.answerId, MessageStatus::Complete, QString(), QString(),
                                                   f.t.clock()->nowMs()));
        VERIFY_OK(f.feedback.rate(f.bob, e.answerId, -1));
        QCOMPARE(f.feedbackRows(), 1);
    }

    void comments_data()
    {
        QTest::addColumn<QString>("comment");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QString>("stored");
        const QString limit(FeedbackService::maxCommentChars, u'x');
        QTest::newRow("trimmed") << QStringLiteral("  \n Good sources, thanks \t\n") << true << QStringLiteral("Good sources, thanks");
        QTest::newRow("blank is none") << QStringLiteral("   \n ") << true << QString();
        QTest::newRow("inner lines kept") << QStringLiteral("Line one\nLine two") << true << QStringLiteral("Line one\nLine two");
        QTest::newRow("at the limit") << limit << true << limit;
        QTest::newRow("at the limit once trimmed") << (QStringLiteral("   ") + limit + QStringLiteral("\n")) << true << limit;
        QTest::newRow("one over the limit") << (limit + u'y') << false << QString();
    }

    void comments()
    {
        QFETCH(QString, comment);
        QFETCH(bool, accepted);
        QFETCH(QString, stored);
        Fixture f;
        const Exchange e = f.exchange(f.bob);
        VERIFY_OK(f.feedback.rate(f.bob, e.answerId, 1, QStringLiteral("before")));
        auto rated = f.feedback.rate(f.bob, e.answerId, -1, comment);
        QCOMPARE(static_cast<bool>(rated), accepted);
        const FeedbackRecord now = f.feedback.feedbackFor(f.bob, e.conversationId).value().value(e.answerId);
        if (accepted) {
            QCOMPARE(rated->comment, stored);
            QCOMPARE(now.comment, stored);
            QCOMPARE(now.rating, -1);
        } else {
            QCOMPARE(rated.error().code(), ErrorCode::InvalidInput);
            QVERIFY2(rated.error().message().contains(QStringLiteral("too long")), qPrintable(rated.error().message()));
            // The earlier verdict stays as it was.
            QCOMPARE(now.comment, QStringLiteral("before"));
            QCOMPARE(now.rating, 1);
        }
    }

    void deletedConversationTakesItsFeedback()
    {
        Fixture f;
        const Exchange gone = f.exchange(f.bob);
        const Exchange kept = f.exchange(f.bob);
        VERIFY_OK(f.feedback.rate(f.bob, gone.answerId, 1, QStringLiteral("useful")));
        VERIFY_OK(f.feedback.rate(f.bob, kept.answerId, -1));
        QCOMPARE(f.feedbackRows(), 2);

        ChatService chat(f.t.database(), f.t.clock(), [](const QString &) { return std::shared_ptr<ChatProvider>(); });
        VERIFY_OK(chat.deleteConversation(f.bob, gone.conversationId));

        QCOMPARE(f.feedbackRows(), 1);
        QCOMPARE(f.feedback.feedbackFor(f.bob, gone.conversationId).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.feedback.rate(f.bob, gone.answerId, 1).error().code(), ErrorCode::NotFound);
        QCOMPARE(f.feedback.feedbackFor(f.bob, kept.conversationId).value().keys(), QList<qint64>{kept.answerId});
    }
};

QTEST_GUILESS_MAIN(TestFeedbackService)
#include "tst_feedbackservice.moc"
