// The sidebar's model of the user's conversations: sections by local day, pinned first, and kept
// in order from ChatService's signals (a new conversation, a question in an old one, a rename, a
// pin, a deletion) — checked by QAbstractItemModelTester throughout.

#include "support/scriptedprovider.h"
#include "support/testdatabase.h"
#include "support/testprinters.h"

#include "model/chat/chatservice.h"
#include "model/chat/conversationlistmodel.h"
#include "storage/hiringstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

class TestConversationListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sections_data()
    {
        QTest::addColumn<QDateTime>("updated");
        QTest::addColumn<bool>("pinned");
        QTest::addColumn<QString>("section");
        const QDateTime now(QDate(2026, 11, 28), QTime(9, 30));
        QTest::newRow("an hour ago") << now.addSecs(-3600) << false << QStringLiteral("Today");
        QTest::newRow("just after midnight") << QDateTime(QDate(2026, 11, 28), QTime(0, 1)) << false << QStringLiteral("Today");
        QTest::newRow("just before midnight") << QDateTime(QDate(2026, 11, 27), QTime(23, 59)) << false << QStringLiteral("Yesterday");
        QTest::newRow("two days ago") << now.addDays(-2) << false << QStringLiteral("Previous 7 days");
        QTest::newRow("seven days ago") << now.addDays(-7) << false << QStringLiteral("Previous 7 days");
        QTest::newRow("eight days ago") << now.addDays(-8) << false << QStringLiteral("Older");
        QTest::newRow("pinned, long ago") << now.addYears(-1) << true << QStringLiteral("Pinned");
        QTest::newRow("a clock behind the data") << now.addSecs(600) << false << QStringLiteral("Today");
    }

    void sections()
    {
        QFETCH(QDateTime, updated);
        QFETCH(bool, pinned);
        QFETCH(QString, section);
        ConversationRecord conversation;
        conversation.updatedAtMs = updated.toMSecsSinceEpoch();
        conversation.pinned = pinned;
        const QDateTime now(QDate(2026, 11, 28), QTime(9, 30));
        QCOMPARE(ConversationListModel::sectionOf(conversation, now.toMSecsSinceEpoch()), section);
    }

    void followsTheService()
    {
        TestDatabase t;
        t.createAdmin();
        const Actor bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 100));
        const Actor carl = Actor::user(t.createAnalyst(QStringLiteral("carl"), 100));
        for (const Actor *a : {&bob, &carl})
            VERIFY_OK(HiringStore::hire(t.connection(), *a->userId(), QStringLiteral("om"), 0));
        auto provider = std::make_shared<ScriptedProvider>();
        ProviderScript script;
        script.pieces = {QStringLiteral("ok")};
        provider->setScript(script);
        ChatService chat(t.database(), t.clock(), [provider](const QString &) { return provider; });
        QSignalSpy finished(&chat, &ChatService::answerFinished);
        // Asks and waits for the answer (so that the next question is not refused as "still answering").
        const auto ask = [&](const Actor &who, std::optional<qint64> conversation, const QString &question) -> Result<AnswerTicket> {
            const int before = int(finished.count());
            auto ticket = chat.ask(who, AskRequest{conversation, conversation ? QString() : QStringLiteral("om"), question});
            if (ticket && !QTest::qWaitFor([&] { return finished.count() > before; }, 10'000))
                return fail(ErrorCode::Internal, QStringLiteral("the answer did not finish"));
            return ticket;
        };

        t.clock()->set(QDateTime(QDate(2026, 11, 20), QTime(10, 0)));
        const auto old = ask(bob, std::nullopt, QStringLiteral("Old question"));
        VERIFY_OK(old);
        t.clock()->set(QDateTime(QDate(2026, 11, 27), QTime(18, 0)));
        const auto yesterday = ask(bob, std::nullopt, QStringLiteral("Yesterday's question"));
        VERIFY_OK(yesterday);
        t.clock()->set(QDateTime(QDate(2026, 11, 28), QTime(9, 0)));

        ConversationListModel model(&chat, bob, t.clock());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.reload());
        QCOMPARE(model.rowCount(), 2);
        const auto idAt = [&model](int row) { return model.data(model.index(row), ConversationListModel::IdRole).toLongLong(); };
        const auto sectionAt = [&model](int row) { return model.data(model.index(row), ConversationListModel::SectionRole).toString(); };
        QCOMPARE(idAt(0), yesterday->conversationId);
        QCOMPARE(sectionAt(0), QStringLiteral("Yesterday"));
        QCOMPARE(sectionAt(1), QStringLiteral("Older"));
        QCOMPARE(model.data(model.index(1)).toString(), QStringLiteral("Old question"));

        // A new conversation goes on top; Carl's never shows.
        const auto today = ask(bob, std::nullopt, QStringLiteral("Today's question"));
        VERIFY_OK(today);
        VERIFY_OK(ask(carl, std::nullopt, QStringLiteral("Carl's question")));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(idAt(0), today->conversationId);
        QCOMPARE(sectionAt(0), QStringLiteral("Today"));

        // Asking again in the old one moves it to the top (a move, not a reset).
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        t.clock()->advance(1min);
        VERIFY_OK(ask(bob, old->conversationId, QStringLiteral("Follow-up")));
        QCOMPARE(idAt(0), old->conversationId);
        QCOMPARE(sectionAt(0), QStringLiteral("Today"));
        QCOMPARE(moved.count(), 1);

        // Pinning puts the oldest-active one above the rest; renaming changes only its text.
        VERIFY_OK(chat.setConversationPinned(bob, yesterday->conversationId, true));
        QCOMPARE(idAt(0), yesterday->conversationId);
        QCOMPARE(sectionAt(0), QStringLiteral("Pinned"));
        VERIFY_OK(chat.renameConversation(bob, yesterday->conversationId, QStringLiteral("Grid code changes")));
        QCOMPARE(model.data(model.index(0)).toString(), QStringLiteral("Grid code changes"));
        QCOMPARE(idAt(0), yesterday->conversationId);

        // Deleting removes the row.
        VERIFY_OK(chat.deleteConversation(bob, today->conversationId));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(today->conversationId), -1);
        QCOMPARE(reset.count(), 0);

        // A reload agrees with what the signals built.
        QList<qint64> built;
        for (int row = 0; row < model.rowCount(); ++row)
            built << idAt(row);
        VERIFY_OK(model.reload());
        QList<qint64> reloaded;
        for (int row = 0; row < model.rowCount(); ++row)
            reloaded << idAt(row);
        QCOMPARE(built, reloaded);
    }
};

QTEST_GUILESS_MAIN(TestConversationListModel)
#include "tst_conversationlistmodel.moc"
