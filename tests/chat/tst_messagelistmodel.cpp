// The conversation view's model of one conversation's messages: the newest page when it opens,
// older pages inserted at the top, reveal(), and kept current from ChatService's signals
// (questions, streamed text, ends, regenerated and continued answers, deletion) — checked by
// QAbstractItemModelTester where the test does not count pages itself.

#include "support/scriptedprovider.h"
#include "support/testdatabase.h"
#include "support/testprinters.h"

#include "model/chat/chatservice.h"
#include "model/chat/messagelistmodel.h"
#include "storage/conversationstore.h"
#include "storage/hiringstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    TestDatabase t;
    std::shared_ptr<ScriptedProvider> provider = std::make_shared<ScriptedProvider>();
    std::unique_ptr<ChatService> chat;
    Actor bob;
    Actor carl;

    Fixture()
    {
        t.createAdmin();
        bob = Actor::user(t.createAnalyst(QStringLiteral("bob"), 100));
        carl = Actor::user(t.createAnalyst(QStringLiteral("carl"), 100));
        for (const Actor *a : {&bob, &carl})
            (void)HiringStore::hire(t.connection(), *a->userId(), QStringLiteral("om"), 0);
        auto p = provider;
        chat = std::make_unique<ChatService>(t.database(), t.clock(), [p](const QString &) { return p; });
    }

    /// A conversation of `who` with `count` finished messages, question and answer in turn; their ids.
    QList<qint64> seed(const Actor &who, int count, qint64 *conversationId)
    {
        const qint64 now = t.clock()->nowMs();
        *conversationId = ConversationStore::createConversation(t.connection(), *who.userId(), QStringLiteral("om"),
                                                                QStringLiteral("seeded"), now)
                              .value();
        QList<qint64> ids;
        for (int i = 0; i < count; ++i)
            ids << ConversationStore::insertMessage(t.connection(), *conversationId, i % 2 ? MessageRole::Assistant : MessageRole::User,
                                                    QStringLiteral("m%1").arg(i), MessageStatus::Complete, std::nullopt, now + i)
                       .value();
        return ids;
    }
};

ProviderScript scripted(QStringList pieces, bool hang = false)
{
    ProviderScript script;
    script.pieces = std::move(pieces);
    script.hangAfterPieces = hang;
    return script;
}

QList<qint64> idsOf(const MessageListModel &model)
{
    QList<qint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids << model.at(row).id;
    return ids;
}

QVariant roleOf(const MessageListModel &model, int row, int role)
{
    return model.data(model.index(row), role);
}

bool finishedWith(const QSignalSpy &finished, qint64 answerId)
{
    for (const QList<QVariant> &args : finished)
        if (args.at(0).toLongLong() == answerId)
            return true;
    return false;
}

/// Whether some dataChanged covered `row` and named `role`.
bool changedRole(const QSignalSpy &dataChanged, int row, int role)
{
    for (const QList<QVariant> &args : dataChanged) {
        const auto from = args.at(0).value<QModelIndex>();
        const auto to = args.at(1).value<QModelIndex>();
        const auto roles = args.at(2).value<QList<int>>();
        if (from.row() <= row && row <= to.row() && (roles.isEmpty() || roles.contains(role)))
            return true;
    }
    return false;
}

} // namespace

class TestMessageListModel : public QObject
{
    Q_OBJECT

private:
    int m_baseline = 0;

private Q_SLOTS:
    void init() { m_baseline = Database::openConnectionCount(); }
    void cleanup() { QCOMPARE(Database::openConnectionCount(), m_baseline); }

    void opensTheNewestPageAndPagesBackwards_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("pageSize");
        QTest::newRow("no messages") << 0 << 3;
        QTest::newRow("less than a page") << 2 << 3;
        QTest::newRow("exactly a page") << 3 << 3;
        QTest::newRow("a page and one") << 4 << 3;
        QTest::newRow("three pages, the last short") << 7 << 3;
        QTest::newRow("pages of one") << 3 << 1;
    }

    void opensTheNewestPageAndPagesBackwards()
    {
        QFETCH(int, count);
        QFETCH(int, pageSize);
        Fixture f;
        qint64 conversation = 0;
        const QList<qint64> ids = f.seed(f.bob, count, &conversation);
        MessageListModel model(f.chat.get(), f.bob);
        model.setPageSize(pageSize);
        QVERIFY(!model.canFetchMore({}));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        VERIFY_OK(model.open(conversation));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.conversationId(), conversation);
        const int firstPage = std::min(count, pageSize);
        QCOMPARE(idsOf(model), ids.mid(count - firstPage));
        QCOMPARE(model.canFetchMore({}), count > pageSize);

        int fetches = 0;
        while (model.canFetchMore({})) {
            const int before = model.rowCount();
            model.fetchMore({});
            ++fetches;
            QCOMPARE(inserted.count(), fetches);
            // Older messages go on top, a page at a time.
            QCOMPARE(inserted.last().at(1).toInt(), 0);
            QCOMPARE(inserted.last().at(2).toInt(), model.rowCount() - before - 1);
            QCOMPARE(model.rowCount() - before, std::min(pageSize, count - before));
            QCOMPARE(idsOf(model), ids.mid(count - model.rowCount()));
            QVERIFY(fetches <= count);
        }
        QCOMPARE(idsOf(model), ids);
        QCOMPARE(fetches, count <= pageSize ? 0 : (count - 1) / pageSize);
        model.fetchMore({}); // nothing more: nothing happens
        QCOMPARE(inserted.count(), fetches);
        QCOMPARE(model.rowCount(model.index(0)), 0);
        QVERIFY(!model.canFetchMore(model.index(0)));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.conversationId(), 0);
        QVERIFY(!model.canFetchMore({}));
    }

    void showsEachRole()
    {
        Fixture f;
        qint64 conversation = 0;
        const QList<qint64> ids = f.seed(f.bob, 4, &conversation);
        VERIFY_OK(ConversationStore::finishMessage(
            f.t.connection(), ids.at(3), MessageStatus::Failed, QStringLiteral("The model server is unavailable (HTTP 503)."),
            QStringLiteral("[{\"title\":\"Inverter faults\",\"location\":\"om/faults.md\",\"excerpt\":\"Insulation resistance …\"}]"), 0));
        MessageListModel model(f.chat.get(), f.bob);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.open(conversation));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(roleOf(model, 0, Qt::DisplayRole).toString(), QStringLiteral("m0"));
        QCOMPARE(roleOf(model, 0, MessageListModel::IdRole).toLongLong(), ids.at(0));
        QCOMPARE(roleOf(model, 0, MessageListModel::RoleRole).toInt(), int(MessageRole::User));
        QCOMPARE(roleOf(model, 1, MessageListModel::RoleRole).toInt(), int(MessageRole::Assistant));
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Complete));
        QCOMPARE(roleOf(model, 1, MessageListModel::CreatedAtRole).toLongLong(), f.t.clock()->nowMs() + 1);
        QCOMPARE(roleOf(model, 3, MessageListModel::StatusRole).toInt(), int(MessageStatus::Failed));
        QCOMPARE(roleOf(model, 3, MessageListModel::ErrorRole).toString(), QStringLiteral("The model server is unavailable (HTTP 503)."));
        QVERIFY(roleOf(model, 1, MessageListModel::SourcesRole).toList().isEmpty());
        const QVariantList sources = roleOf(model, 3, MessageListModel::SourcesRole).toList();
        QCOMPARE(sources.size(), 1);
        const QVariantMap source = sources.first().toMap();
        QCOMPARE(source.value(QStringLiteral("title")).toString(), QStringLiteral("Inverter faults"));
        QCOMPARE(source.value(QStringLiteral("location")).toString(), QStringLiteral("om/faults.md"));
        QCOMPARE(source.value(QStringLiteral("excerpt")).toString(), QStringLiteral("Insulation resistance …"));
        // Only the last message, an answer, offers "regenerate".
        for (int row = 0; row < 4; ++row)
            QCOMPARE(roleOf(model, row, MessageListModel::IsLastAnswerRole).toBool(), row == 3);
        QCOMPARE(model.roleNames().value(MessageListModel::IsLastAnswerRole), QByteArray("isLastAnswer"));
    }

    void opensOnlyOwnConversations()
    {
        Fixture f;
        qint64 bobs = 0;
        qint64 carls = 0;
        f.seed(f.bob, 2, &bobs);
        f.seed(f.carl, 2, &carls);
        MessageListModel model(f.chat.get(), f.bob);
        VERIFY_OK(model.open(bobs));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        const auto refused = model.open(carls);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code(), ErrorCode::NotFound);
        // Still showing what it showed.
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.conversationId(), bobs);
        QCOMPARE(model.rowCount(), 2);
    }

    void revealLoadsOlderPagesUntilTheMessageIsThere()
    {
        Fixture f;
        qint64 conversation = 0;
        qint64 other = 0;
        const QList<qint64> ids = f.seed(f.bob, 20, &conversation);
        const QList<qint64> otherIds = f.seed(f.bob, 2, &other);
        MessageListModel model(f.chat.get(), f.bob);
        QCOMPARE(model.reveal(ids.at(3)).error().code(), ErrorCode::InvalidInput); // nothing open
        model.setPageSize(5);
        VERIFY_OK(model.open(conversation));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // Already loaded: its row at once, nothing read.
        auto loaded = model.reveal(ids.at(17));
        VERIFY_OK(loaded);
        QCOMPARE(*loaded, 2);
        QCOMPARE(inserted.count(), 0);

        // Pages of 5: 15–19 are loaded; 7 needs 10–14 and 5–9.
        auto revealed = model.reveal(ids.at(7));
        VERIFY_OK(revealed);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(model.rowCount(), 15);
        QCOMPARE(*revealed, 2);
        QCOMPARE(model.at(*revealed).id, ids.at(7));
        QVERIFY(model.canFetchMore({}));

        // Another conversation's message is not searched for page by page.
        QCOMPARE(model.reveal(otherIds.at(0)).error().code(), ErrorCode::NotFound);
        QCOMPARE(model.reveal(999999).error().code(), ErrorCode::NotFound);
        QCOMPARE(inserted.count(), 2);

        QCOMPARE(model.reveal(ids.at(0)).value(), 0);
        QCOMPARE(model.rowCount(), 20);
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.rowOf(ids.at(19)), 19);
        QCOMPARE(model.rowOf(otherIds.at(1)), -1);
    }

    void followsAQuestionAndItsStreamingAnswer()
    {
        Fixture f;
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        f.provider->setScript(scripted({QStringLiteral("Earlier answer.")}));
        auto first = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Earlier question")});
        VERIFY_OK(first);
        QTRY_VERIFY(finishedWith(finished, first->answerId));

        MessageListModel model(f.chat.get(), f.bob);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.open(first->conversationId));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(roleOf(model, 1, MessageListModel::IsLastAnswerRole).toBool());

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
        ProviderScript script = scripted({QStringLiteral("Insulation "), QStringLiteral("resistance "), QStringLiteral("is low.")});
        script.delay = 20ms;
        script.sources = {AnswerSource{QStringLiteral("Inverter faults"), QStringLiteral("om/faults.md"), QStringLiteral("excerpt")}};
        f.provider->setScript(script);
        auto ticket = f.chat->ask(f.bob, AskRequest{first->conversationId, {}, QStringLiteral("Why does it trip?")});
        VERIFY_OK(ticket);
        // The question and the empty answer are there as soon as ask() returns.
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.at(2).id, ticket->questionId);
        QCOMPARE(model.at(2).content, QStringLiteral("Why does it trip?"));
        QCOMPARE(model.at(3).id, ticket->answerId);
        QCOMPARE(roleOf(model, 3, MessageListModel::StatusRole).toInt(), int(MessageStatus::Streaming));
        QVERIFY(model.at(3).content.isEmpty());
        // The old answer is no longer the last one, and said so.
        QVERIFY(!roleOf(model, 1, MessageListModel::IsLastAnswerRole).toBool());
        QVERIFY(changedRole(dataChanged, 1, MessageListModel::IsLastAnswerRole));
        QVERIFY(roleOf(model, 3, MessageListModel::IsLastAnswerRole).toBool());

        // A second view opened mid-answer goes on from the text announced so far.
        QTRY_VERIFY(!model.at(3).content.isEmpty());
        MessageListModel late(f.chat.get(), f.bob);
        VERIFY_OK(late.open(first->conversationId));
        QCOMPARE(late.at(3).content, model.at(3).content);

        QTRY_VERIFY(finishedWith(finished, ticket->answerId));
        QVERIFY(changedRole(dataChanged, 3, Qt::DisplayRole));
        QCOMPARE(model.at(3).content, QStringLiteral("Insulation resistance is low."));
        QCOMPARE(late.at(3).content, QStringLiteral("Insulation resistance is low."));
        QCOMPARE(roleOf(model, 3, MessageListModel::StatusRole).toInt(), int(MessageStatus::Complete));
        QVERIFY(changedRole(dataChanged, 3, MessageListModel::StatusRole));
        const QVariantList sources = roleOf(model, 3, MessageListModel::SourcesRole).toList();
        QCOMPARE(sources.size(), 1);
        QCOMPARE(sources.first().toMap().value(QStringLiteral("title")).toString(), QStringLiteral("Inverter faults"));
        QCOMPARE(model.at(3).content, f.chat->message(f.bob, ticket->answerId)->content);
    }

    void showsAFailure()
    {
        Fixture f;
        ProviderScript script = scripted({QStringLiteral("Part "), QStringLiteral("of it")});
        script.failAfter = 1;
        f.provider->setScript(script);
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        qint64 conversation = 0;
        f.seed(f.bob, 0, &conversation);
        MessageListModel model(f.chat.get(), f.bob);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.open(conversation));
        auto ticket = f.chat->ask(f.bob, AskRequest{conversation, {}, QStringLiteral("Why?")});
        VERIFY_OK(ticket);
        QTRY_VERIFY(finishedWith(finished, ticket->answerId));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.at(1).content, QStringLiteral("Part "));
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Failed));
        QCOMPARE(roleOf(model, 1, MessageListModel::ErrorRole).toString(), QStringLiteral("The model server is unavailable (HTTP 503)."));
    }

    void regenerateReplacesTheAnswerRow()
    {
        Fixture f;
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        f.provider->setScript(scripted({QStringLiteral("Weak answer.")}));
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Why does it trip?")});
        VERIFY_OK(ticket);
        QTRY_VERIFY(finishedWith(finished, ticket->answerId));
        MessageListModel model(f.chat.get(), f.bob);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.open(ticket->conversationId));
        QCOMPARE(idsOf(model), QList<qint64>({ticket->questionId, ticket->answerId}));

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        f.provider->setScript(scripted({QStringLiteral("Better "), QStringLiteral("answer.")}));
        auto again = f.chat->regenerate(f.bob, ticket->answerId);
        VERIFY_OK(again);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.first().at(1).toInt(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 1);
        QCOMPARE(idsOf(model), QList<qint64>({ticket->questionId, again->answerId}));
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Streaming));
        QVERIFY(roleOf(model, 1, MessageListModel::IsLastAnswerRole).toBool());
        QVERIFY(!roleOf(model, 0, MessageListModel::IsLastAnswerRole).toBool());
        QCOMPARE(model.rowOf(ticket->answerId), -1);

        QTRY_VERIFY(finishedWith(finished, again->answerId));
        QCOMPARE(model.at(1).content, QStringLiteral("Better answer."));
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Complete));
    }

    void continueResumesTheAnswerRow()
    {
        Fixture f;
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        QSignalSpy progress(f.chat.get(), &ChatService::answerProgress);
        f.provider->setScript(scripted({QStringLiteral("The first half ")}, true));
        auto ticket = f.chat->ask(f.bob, AskRequest{std::nullopt, QStringLiteral("om"), QStringLiteral("Tell me all")});
        VERIFY_OK(ticket);
        MessageListModel model(f.chat.get(), f.bob);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.open(ticket->conversationId));
        QTRY_VERIFY(!progress.isEmpty());
        f.chat->stop(ticket->answerId);
        QTRY_VERIFY(finishedWith(finished, ticket->answerId));
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Cancelled));
        finished.clear();

        QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
        f.provider->setScript(scripted({QStringLiteral("and the second.")}));
        VERIFY_OK(f.chat->continueAnswer(f.bob, ticket->answerId));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Streaming));
        QVERIFY(changedRole(dataChanged, 1, MessageListModel::StatusRole));
        QTRY_VERIFY(finishedWith(finished, ticket->answerId));
        QCOMPARE(model.at(1).content, QStringLiteral("The first half and the second."));
        QCOMPARE(roleOf(model, 1, MessageListModel::StatusRole).toInt(), int(MessageStatus::Complete));
        QVERIFY(roleOf(model, 1, MessageListModel::ErrorRole).toString().isEmpty());
    }

    void ignoresOtherConversationsAndClearsOnDeletion()
    {
        Fixture f;
        QSignalSpy finished(f.chat.get(), &ChatService::answerFinished);
        qint64 shown = 0;
        qint64 other = 0;
        f.seed(f.bob, 2, &shown);
        f.seed(f.bob, 2, &other);
        MessageListModel model(f.chat.get(), f.bob);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        VERIFY_OK(model.open(shown));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
        f.provider->setScript(scripted({QStringLiteral("elsewhere")}));
        auto elsewhere = f.chat->ask(f.bob, AskRequest{other, {}, QStringLiteral("Somewhere else")});
        VERIFY_OK(elsewhere);
        QTRY_VERIFY(finishedWith(finished, elsewhere->answerId));
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(dataChanged.count(), 0);
        QCOMPARE(model.rowCount(), 2);

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        VERIFY_OK(f.chat->deleteConversation(f.bob, other));
        QCOMPARE(reset.count(), 0);
        VERIFY_OK(f.chat->deleteConversation(f.bob, shown));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.conversationId(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMessageListModel)
#include "tst_messagelistmodel.moc"
