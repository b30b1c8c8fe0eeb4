// ConversationView and MessageDocument: Markdown as the user sees it, a streaming answer parsed
// only at its tail, and a history whose cost follows the screen, not its length.

#include "ui/conversationview.h"
#include "ui/messagedocument.h"

#include "model/chat/messagelistmodel.h"
#include "storage/records.h"

#include <QAbstractListModel>
#include <QApplication>
#include <QClipboard>
#include <QScrollBar>
#include <QTest>

using namespace heliodesk;

namespace {

struct FakeMessage {
    qint64 id = 0;
    MessageRole role = MessageRole::User;
    QString content;
    MessageStatus status = MessageStatus::Complete;
};

/// The roles of MessageListModel over a list in memory, with older pages loaded on demand.
class FakeMessages : public QAbstractListModel
{
public:
    explicit FakeMessages(int total, int pageSize = 50)
        : m_pageSize(pageSize)
    {
        for (int i = 0; i < total; ++i) {
            FakeMessage m;
            m.id = i + 1;
            m.role = i % 2 == 0 ? MessageRole::User : MessageRole::Assistant;
            m.content = m.role == MessageRole::User
                ? QStringLiteral("Question %1 about inverter clipping?").arg(i + 1)
                : QStringLiteral("Answer %1. Clipping happens when the DC array produces more than the inverter's AC rating; "
                                 "a DC/AC ratio of 1.3 clips a few percent of the yearly energy.\n\n- one point\n- another point")
                      .arg(i + 1);
            m_all.push_back(m);
        }
        m_first = std::max(0, total - pageSize);
    }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_all.size()) - m_first; }
    QVariant data(const QModelIndex &index, int role) const override
    {
        const FakeMessage &m = m_all[size_t(m_first) + size_t(index.row())];
        switch (role) {
        case Qt::DisplayRole: return m.content;
        case MessageListModel::IdRole: return m.id;
        case MessageListModel::RoleRole: return int(m.role);
        case MessageListModel::StatusRole: return int(m.status);
        case MessageListModel::IsLastAnswerRole: return m_first + index.row() == int(m_all.size()) - 1 && m.role == MessageRole::Assistant;
        default: return {};
        }
    }
    bool canFetchMore(const QModelIndex &parent) const override { return !parent.isValid() && m_first > 0; }
    void fetchMore(const QModelIndex &) override
    {
        const int count = std::min(m_pageSize, m_first);
        beginInsertRows({}, 0, count - 1);
        m_first -= count;
        endInsertRows();
        ++fetches;
    }
    void append(const FakeMessage &m)
    {
        const int row = rowCount();
        beginInsertRows({}, row, row);
        m_all.push_back(m);
        endInsertRows();
    }
    void appendText(const QString &text)
    {
        m_all.back().content += text;
        const QModelIndex last = index(rowCount() - 1);
        Q_EMIT dataChanged(last, last, {Qt::DisplayRole});
    }
    void setLastStatus(MessageStatus status)
    {
        m_all.back().status = status;
        const QModelIndex last = index(rowCount() - 1);
        Q_EMIT dataChanged(last, last);
    }
    int fetches = 0;

private:
    std::vector<FakeMessage> m_all;
    int m_first = 0;
    int m_pageSize;
};

const QString richAnswer = QStringLiteral(
    "# Clipping\n\nA **short** answer with a [link](https://example.com/clipping).\n\n"
    "| Country | PPA €/MWh |\n|---|---|\n| Spain | 34 |\n| Germany | 52 |\n\n"
    "```sql\nSELECT plant, sum(energy)\n\nFROM scada GROUP BY plant;\n```\n\n"
    "1. first\n2. second\n\n3. third after a blank line\n\nDone.\n");

} // namespace

class TestConversationView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void markdownIsRendered();
    void streamingParsesOnlyTheTail();
    void streamingEndsAsTheSameDocument_data();
    void streamingEndsAsTheSameDocument();
    void onlyTheScreenIsLaidOut();
    void olderPagesLoadWithoutMovingTheScreen();
    void cachedDocumentsStayBounded();
    void codeBlockCopyButton();
    void streamingKeepsTheBottomInView();
    void readerScrolledUpIsNotMoved();
};

void TestConversationView::markdownIsRendered()
{
    MessageDocument doc;
    doc.setBaseFont(QApplication::font());
    doc.setWidth(600);
    doc.setMarkdown(richAnswer, false);
    const QString text = doc.plainText();
    QVERIFY(text.contains(QStringLiteral("Clipping")));
    QVERIFY(!text.contains(QStringLiteral("**")));      // emphasis is formatting, not text
    QVERIFY(text.contains(QStringLiteral("Germany")));  // table cells
    QVERIFY(!text.contains(QStringLiteral("|---|")));
    const auto codes = doc.codeBlocks();
    QCOMPARE(codes.size(), size_t(1));
    QCOMPARE(codes.front().code, QStringLiteral("SELECT plant, sum(energy)\n\nFROM scada GROUP BY plant;"));
    QVERIFY(codes.front().copyButton.isValid());
    QVERIFY(codes.front().rect.contains(codes.front().copyButton.center()));
    QVERIFY(doc.height() > 100);

    // The link is where its text is laid out.
    bool found = false;
    for (int y = 0; y < int(doc.height()) && !found; y += 2)
        for (int x = 0; x < 600 && !found; x += 3)
            found = doc.linkAt(QPointF(x, y)) == QUrl(QStringLiteral("https://example.com/clipping"));
    QVERIFY(found);
}

void TestConversationView::streamingParsesOnlyTheTail()
{
    MessageDocument doc;
    doc.setBaseFont(QApplication::font());
    doc.setWidth(600);
    QString answer;
    const QString paragraph = QStringLiteral("Inverter availability fell to 97.2% in week 14, mostly from IGBT faults. ");
    qsizetype worst = 0;
    for (int i = 0; i < 400; ++i) {
        answer += paragraph;
        if (i % 5 == 4)
            answer += QStringLiteral("\n\n");
        doc.setMarkdown(answer, true);
        if (i > 20)
            worst = std::max(worst, doc.lastParsedChars());
    }
    // Each piece costs the unfinished paragraph and at most the one it finished, never the answer.
    QVERIFY2(worst < 3000, qPrintable(QString::number(worst)));
    QVERIFY(answer.size() > 10 * worst);
    QVERIFY(doc.isStreaming());
    QVERIFY(doc.segmentCount() > 10);
    // The end of the stream costs its tail too, not a parse of the whole answer.
    doc.setMarkdown(answer, false);
    QVERIFY(!doc.isStreaming());
    QVERIFY2(doc.lastParsedChars() < 3000, qPrintable(QString::number(doc.lastParsedChars())));
    // The same text met afresh (opening the conversation later) is one document.
    MessageDocument fresh;
    fresh.setBaseFont(QApplication::font());
    fresh.setWidth(600);
    fresh.setMarkdown(answer, false);
    QCOMPARE(fresh.segmentCount(), 1);
    QCOMPARE(fresh.plainText().simplified(), doc.plainText().simplified());
}

void TestConversationView::streamingEndsAsTheSameDocument_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::newRow("rich") << richAnswer;
    QTest::newRow("fence with blank lines")
        << QStringLiteral("Intro\n\n```\na\n\n\nb\n```\n\nAfter\n");
    QTest::newRow("tilde fence, longer closer") << QStringLiteral("x\n\n~~~~\ncode\n\n~~~~~\n\ny\n");
    QTest::newRow("unclosed fence") << QStringLiteral("x\n\n```\nstill code\n\nmore code\n");
    QTest::newRow("loose list") << QStringLiteral("- a\n\n- b\n\n  continued\n\n- c\n\nEnd\n");
    QTest::newRow("crlf") << QStringLiteral("One\r\n\r\nTwo\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n");
    QTest::newRow("no newline at all") << QStringLiteral("Just one line");
}

void TestConversationView::streamingEndsAsTheSameDocument()
{
    QFETCH(QString, markdown);
    MessageDocument streamed;
    streamed.setBaseFont(QApplication::font());
    streamed.setWidth(500);
    // Arrives in pieces of every size, the way tokens do.
    for (qsizetype end = 1; end <= markdown.size(); end += 3)
        streamed.setMarkdown(markdown.left(end), true);
    streamed.setMarkdown(markdown, true);
    MessageDocument whole;
    whole.setBaseFont(QApplication::font());
    whole.setWidth(500);
    whole.setMarkdown(markdown, false);
    // The same words, code blocks and links as the whole parse: segments only break between blocks.
    QCOMPARE(streamed.plainText().simplified(), whole.plainText().simplified());
    streamed.setMarkdown(markdown, false);
    QCOMPARE(streamed.plainText().simplified(), whole.plainText().simplified());
    QCOMPARE(streamed.codeBlocks().size(), whole.codeBlocks().size());
    for (size_t i = 0; i < whole.codeBlocks().size(); ++i)
        QCOMPARE(streamed.codeBlocks()[i].code, whole.codeBlocks()[i].code);
    QVERIFY(std::abs(streamed.height() - whole.height()) < whole.height() * 0.15 + 20);
}

void TestConversationView::onlyTheScreenIsLaidOut()
{
    FakeMessages model(10'000, 10'000); // everything loaded: the view alone must keep it cheap
    ConversationView view;
    view.resize(800, 600);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.layoutCount() > 0);
    QVERIFY(view.isAtBottom());
    QVERIFY2(view.layoutCount() < 40, qPrintable(QString::number(view.layoutCount())));
    QVERIFY(view.cachedDocumentCount() < 40);
    // The last message is on screen.
    QVERIFY(view.rowRect(model.rowCount() - 1).intersects(view.viewport()->rect()));
    QVERIFY(view.documentOf(model.rowCount() - 1));
    QVERIFY(!view.documentOf(0));
}

void TestConversationView::olderPagesLoadWithoutMovingTheScreen()
{
    FakeMessages model(1'000, 20);
    ConversationView view;
    view.resize(800, 600);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.isAtBottom());
    const int fetchesAtStart = model.fetches;

    // Scroll up step by step, as a wheel does; whatever is at the top stays put when a page arrives.
    for (int step = 0; step < 30; ++step) {
        QScrollBar *bar = view.verticalScrollBar();
        bar->setValue(std::max(0, bar->value() - 200));
        QApplication::processEvents(); // test only: let the queued fetch and the paint run
    }
    QVERIFY(model.fetches > fetchesAtStart);

    // Anchor check: note a row on screen, load a page, and it is still where it was.
    view.verticalScrollBar()->setValue(0);
    QApplication::processEvents();
    int row = -1;
    for (int r = 0; r < model.rowCount(); ++r) {
        if (view.rowRect(r).top() >= 0) {
            row = r;
            break;
        }
    }
    QVERIFY(row >= 0);
    const qint64 id = model.index(row, 0).data(MessageListModel::IdRole).toLongLong();
    const int yBefore = view.rowRect(row).top();
    if (model.canFetchMore({})) {
        model.fetchMore({});
        QApplication::processEvents();
        int now = -1;
        for (int r = 0; r < model.rowCount(); ++r)
            if (model.index(r, 0).data(MessageListModel::IdRole).toLongLong() == id)
                now = r;
        QVERIFY(now > row);
        QVERIFY2(std::abs(view.rowRect(now).top() - yBefore) <= 2,
                 qPrintable(QStringLiteral("%1 → %2").arg(yBefore).arg(view.rowRect(now).top())));
    }
}

void TestConversationView::cachedDocumentsStayBounded()
{
    FakeMessages model(3'000, 3'000);
    ConversationView view;
    view.resize(800, 600);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    int most = 0;
    // Scroll through the whole history, a screen at a time.
    for (int y = view.verticalScrollBar()->maximum(); y > 0; y -= 500) {
        view.verticalScrollBar()->setValue(y);
        view.viewport()->repaint();
        most = std::max(most, view.cachedDocumentCount());
    }
    QVERIFY(view.layoutCount() > 500);
    QVERIFY2(most <= 160, qPrintable(QString::number(most)));
}

void TestConversationView::codeBlockCopyButton()
{
    FakeMessages model(0);
    model.append({1, MessageRole::User, QStringLiteral("Show me the query"), MessageStatus::Complete});
    model.append({2, MessageRole::Assistant, richAnswer, MessageStatus::Complete});
    ConversationView view;
    view.resize(900, 1400);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.documentOf(1));
    const auto codes = view.documentOf(1)->codeBlocks();
    QCOMPARE(codes.size(), size_t(1));
    const QPoint click = view.textOrigin(1) + codes.front().copyButton.center().toPoint();
    QVERIFY(view.viewport()->rect().contains(click));
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, click);
    QCOMPARE(QGuiApplication::clipboard()->text(), codes.front().code);
}

void TestConversationView::streamingKeepsTheBottomInView()
{
    FakeMessages model(200, 200);
    ConversationView view;
    view.resize(700, 500);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    model.append({1000, MessageRole::User, QStringLiteral("Go on"), MessageStatus::Complete});
    model.append({1001, MessageRole::Assistant, QString(), MessageStatus::Streaming});
    for (int i = 0; i < 300; ++i) {
        model.appendText(QStringLiteral("token%1 ").arg(i) + (i % 40 == 39 ? QStringLiteral("\n\n") : QString()));
        if (i % 10 == 0)
            view.viewport()->repaint();
    }
    view.viewport()->repaint();
    QVERIFY(view.isAtBottom());
    const int last = model.rowCount() - 1;
    QVERIFY(view.documentOf(last)->isStreaming());
    QVERIFY(view.documentOf(last)->isSegmented());
    QVERIFY(view.rowRect(last).bottom() <= view.viewport()->height() + 2);
    model.setLastStatus(MessageStatus::Complete);
    view.viewport()->repaint();
    QVERIFY(!view.documentOf(last)->isStreaming());
    QVERIFY(view.isAtBottom());
}

void TestConversationView::readerScrolledUpIsNotMoved()
{
    FakeMessages model(200, 200);
    ConversationView view;
    view.resize(700, 500);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    model.append({1000, MessageRole::User, QStringLiteral("Go on"), MessageStatus::Complete});
    model.append({1001, MessageRole::Assistant, QString(), MessageStatus::Streaming});
    view.viewport()->repaint();
    view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() - 1500);
    view.viewport()->repaint();
    const int before = view.verticalScrollBar()->value();
    for (int i = 0; i < 200; ++i)
        model.appendText(QStringLiteral("more text arriving "));
    view.viewport()->repaint();
    QCOMPARE(view.verticalScrollBar()->value(), before);
    QVERIFY(!view.isAtBottom());
    // End goes back to the bottom, and it sticks there again.
    view.setFocus();
    QTest::keyClick(&view, Qt::Key_End);
    QVERIFY(view.isAtBottom());
}

QTEST_MAIN(TestConversationView)
#include "tst_conversationview.moc"
