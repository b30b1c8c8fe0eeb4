// SearchResultsView offscreen: hits in two lines with the matches bold, the "nothing matches"
// sentence, and a hit opened by Enter or a click (once).

#include "ui/searchhitdelegate.h"
#include "ui/searchresultsview.h"

#include "model/chat/searchresultsmodel.h"

#include "support/fakeclock.h"

#include <QApplication>
#include <QLabel>
#include <QMouseEvent>
#include <QListView>
#include <QPainter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

using Ranges = QList<std::pair<int, int>>;

const QDateTime Now(QDate(2026, 11, 28), QTime(9, 30)); // local time

SearchHit makeHit(qint64 messageId, qint64 conversationId, const QString &title, const QString &snippet,
                  QList<std::pair<int, int>> highlights, MessageRole role = MessageRole::Assistant)
{
    SearchHit hit;
    hit.messageId = messageId;
    hit.conversationId = conversationId;
    hit.conversationTitle = title;
    hit.agentId = QStringLiteral("om");
    hit.agentName = QStringLiteral("O&M");
    hit.role = role;
    hit.snippet = snippet;
    hit.highlights = std::move(highlights);
    hit.createdAtMs = Now.addSecs(-3600).toMSecsSinceEpoch();
    return hit;
}

QList<SearchHit> threeHits()
{
    return {
        makeHit(11, 1, QStringLiteral("Site B trips"), QStringLiteral("…an insulation fault on string 7…"), {{4, 10}, {15, 5}}),
        makeHit(22, 2, QStringLiteral("Soiling"), QStringLiteral("Is the insulation dry?"), {{7, 10}}, MessageRole::User),
        makeHit(33, 3, QStringLiteral("Night checks"), QStringLiteral("insulation resistance at night"), {{0, 10}}),
    };
}

Ranges ranges(const QList<QTextLayout::FormatRange> &formats)
{
    Ranges list;
    for (const QTextLayout::FormatRange &range : formats)
        list.append(std::pair(range.start, range.length));
    return list;
}

bool allBold(const QList<QTextLayout::FormatRange> &formats)
{
    return std::all_of(formats.cbegin(), formats.cend(),
                       [](const QTextLayout::FormatRange &range) { return range.format.fontWeight() == QFont::Bold; });
}

} // namespace

class TestSearchResultsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_clock = std::make_shared<FakeClock>(Now);
        m_view = std::make_unique<SearchResultsView>(m_clock);
        m_view->resize(420, 300);
    }
    void cleanup() { m_view.reset(); }

    void showsHitsWithTheBestSelected()
    {
        show();
        m_view->showResults(QStringLiteral("insulation"), threeHits());
        QListView *list = child<QListView>("searchResultsList");
        QLabel *placeholder = child<QLabel>("searchResultsPlaceholder");
        QVERIFY(list->isVisible());
        QVERIFY(!placeholder->isVisible());
        QCOMPARE(list->model()->rowCount(), 3);
        QCOMPARE(list->currentIndex().row(), 0);
        QCOMPARE(m_view->placeholderText(), QString());
        // Two lines each, the rows stacked without overlap.
        const QRect first = list->visualRect(list->model()->index(0, 0));
        const QRect second = list->visualRect(list->model()->index(1, 0));
        QVERIFY(first.height() >= 2 * list->fontMetrics().height());
        QVERIFY(second.top() >= first.bottom());
        QVERIFY(!m_view->grab().isNull());
    }

    void saysWhenNothingMatches()
    {
        show();
        m_view->showResults(QStringLiteral("  zebra\n"), {});
        QLabel *placeholder = child<QLabel>("searchResultsPlaceholder");
        QVERIFY(placeholder->isVisible());
        QVERIFY(!child<QListView>("searchResultsList")->isVisible());
        QCOMPARE(placeholder->text(), QStringLiteral("No messages match “zebra”."));
        QCOMPARE(m_view->placeholderText(), placeholder->text());
        QCOMPARE(placeholder->accessibleDescription(), placeholder->text());

        m_view->showResults(QString(2000, u'x'), {});
        QVERIFY2(placeholder->text().size() < 100, qPrintable(placeholder->text()));

        // Blank text is no search: an empty list, no sentence.
        m_view->showResults(QStringLiteral("   "), {});
        QVERIFY(!placeholder->isVisible());
        QCOMPARE(m_view->placeholderText(), QString());

        m_view->showResults(QStringLiteral("insulation"), threeHits());
        QVERIFY(!placeholder->isVisible());
        QVERIFY(child<QListView>("searchResultsList")->isVisible());
        m_view->clear();
        QCOMPARE(m_view->model()->rowCount(), 0);
        QVERIFY(!placeholder->isVisible());
    }

    void keyboardActivates()
    {
        show();
        m_view->showResults(QStringLiteral("insulation"), threeHits());
        QSignalSpy activated(m_view.get(), &SearchResultsView::hitActivated);
        QListView *list = child<QListView>("searchResultsList");
        list->setFocus();
        QTRY_VERIFY(list->hasFocus());

        QTest::keyClick(list, Qt::Key_Down);
        QTest::keyClick(list, Qt::Key_Down);
        QCOMPARE(list->currentIndex().row(), 2);
        QTest::keyClick(list, Qt::Key_Down); // stays on the last
        QTest::keyClick(list, Qt::Key_Up);
        QCOMPARE(list->currentIndex().row(), 1);
        QCOMPARE(activated.count(), 0);
        QTest::keyClick(list, Qt::Key_Return);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toLongLong(), 2);
        QCOMPARE(activated.at(0).at(1).toLongLong(), 22);
        QTest::keyClick(list, Qt::Key_Enter, Qt::KeypadModifier);
        QCOMPARE(activated.count(), 2);
        QCOMPARE(activated.at(1).at(1).toLongLong(), 22);
    }

    void searchFieldCanDriveTheSelection()
    {
        m_view->showResults(QStringLiteral("insulation"), threeHits());
        QSignalSpy activated(m_view.get(), &SearchResultsView::hitActivated);
        m_view->moveSelection(1);
        m_view->moveSelection(5);
        QCOMPARE(m_view->listView()->currentIndex().row(), 2);
        m_view->moveSelection(-1);
        QVERIFY(m_view->activateCurrent());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(1).toLongLong(), 22);
        m_view->clear();
        m_view->moveSelection(1);
        QVERIFY(!m_view->activateCurrent());
        QCOMPARE(activated.count(), 1);
    }

    void clickActivatesOnce()
    {
        show();
        m_view->showResults(QStringLiteral("insulation"), threeHits());
        QSignalSpy activated(m_view.get(), &SearchResultsView::hitActivated);
        QListView *list = child<QListView>("searchResultsList");
        const QPoint third = list->visualRect(list->model()->index(2, 0)).center();
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, third);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toLongLong(), 3);
        QCOMPARE(activated.at(0).at(1).toLongLong(), 33);
        QCOMPARE(list->currentIndex().row(), 2);

        // Below the last row: nothing.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, QPoint(10, list->viewport()->height() - 2));
        QCOMPARE(activated.count(), 1);
        // A right click does not open.
        QTest::mouseClick(list->viewport(), Qt::RightButton, {}, third);
        QCOMPARE(activated.count(), 1);
        // A double click opens it once, not twice. Widgets get press, release, double click,
        // release (QTest::mouseDClick sends no releases, so the events are sent here).
        const QPoint first = list->visualRect(list->model()->index(0, 0)).center();
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, first);
        QMouseEvent doubleClick(QEvent::MouseButtonDblClick, first, list->viewport()->mapToGlobal(first), Qt::LeftButton,
                                Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(list->viewport(), &doubleClick);
        QTest::mouseRelease(list->viewport(), Qt::LeftButton, {}, first);
        QCOMPARE(activated.count(), 2);
        QCOMPARE(activated.at(1).at(1).toLongLong(), 11);
    }

    void boldRanges_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Ranges>("highlights");
        QTest::newRow("two") << QStringLiteral("…an insulation fault on string 7…") << Ranges{{4, 10}, {15, 5}};
        QTest::newRow("at the start") << QStringLiteral("insulation resistance") << Ranges{{0, 10}};
        QTest::newRow("none") << QStringLiteral("nothing bold") << Ranges{};
        QTest::newRow("past the end clipped") << QStringLiteral("abc") << Ranges{{1, 10}};
    }

    void boldRanges()
    {
        QFETCH(QString, text);
        QFETCH(Ranges, highlights);
        const auto fitted = SearchHitDelegate::fitSnippet(text, highlights, m_view->font(), 2000);
        QCOMPARE(fitted.text, text);
        Ranges expected;
        for (const auto &[start, length] : highlights)
            expected.append(std::pair(start, std::min(start + length, int(text.size())) - start));
        QCOMPARE(ranges(fitted.formats), expected);
        QVERIFY(allBold(fitted.formats));
    }

    void longSnippetsAreCut()
    {
        const QFont font = m_view->font();
        const QString words = QStringLiteral("the technician replaced two connectors and measured the insulation again after lunch");
        // Too long: cut at the end, the match kept.
        auto tail = SearchHitDelegate::fitSnippet(words, {{4, 10}}, font, 160);
        QVERIFY2(tail.text.endsWith(u'…'), qPrintable(tail.text));
        QVERIFY(tail.text.startsWith(QStringLiteral("the technician")));
        QCOMPARE(ranges(tail.formats), (Ranges{{4, 10}}));
        QVERIFY(QFontMetrics(font).horizontalAdvance(tail.text) <= 160 + 2);

        // The match past the visible part: the head goes, so the match shows, bold where it now is.
        const int at = int(words.indexOf(QStringLiteral("insulation")));
        auto head = SearchHitDelegate::fitSnippet(words, {{at, 10}}, font, 160);
        QVERIFY2(head.text.startsWith(u'…'), qPrintable(head.text));
        QCOMPARE(head.formats.size(), 1);
        QCOMPARE(head.text.mid(head.formats.at(0).start, head.formats.at(0).length), QStringLiteral("insulation"));
        QVERIFY(allBold(head.formats));
        QVERIFY(QFontMetrics(font).horizontalAdvance(head.text) <= 160 + 2);

        // A match cut by the tail keeps only its visible part.
        auto clipped = SearchHitDelegate::fitSnippet(QStringLiteral("aaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), {{5, 51}},
                                                     font, 120);
        QCOMPARE(clipped.formats.size(), 1);
        QVERIFY(clipped.formats.at(0).start + clipped.formats.at(0).length <= clipped.text.size() - 1);
    }

    void drawsMatchesBold()
    {
        // The same hit drawn with and without its highlight differs only where the match is.
        const auto render = [this](const Ranges &highlights) {
            SearchResultsModel model;
            model.setHits({makeHit(1, 1, QStringLiteral("T"), QStringLiteral("plain insulation plain"), highlights)});
            SearchHitDelegate delegate(m_clock);
            QStyleOptionViewItem option;
            option.initFrom(m_view->listView());
            option.rect = QRect(0, 0, 400, delegate.sizeHint(option, model.index(0)).height());
            option.state = QStyle::State_Enabled | QStyle::State_Active;
            QImage image(option.rect.size(), QImage::Format_ARGB32);
            image.fill(Qt::white);
            QPainter painter(&image);
            delegate.paint(&painter, option, model.index(0));
            return image;
        };
        const QImage plain = render({});
        const QImage bold = render({{6, 10}});
        QVERIFY(plain != bold);
        QCOMPARE(render({}), plain); // drawing is deterministic, so the difference is the bold
    }

    void relativeDates_data()
    {
        QTest::addColumn<QDateTime>("at");
        QTest::addColumn<QString>("expected");
        const QLocale locale;
        QString hoursAndMinutes = locale.timeFormat(QLocale::ShortFormat);
        hoursAndMinutes.remove(QRegularExpression(QStringLiteral("[.:]ss")));
        QTest::newRow("an hour ago") << Now.addSecs(-3600) << locale.toString(QTime(8, 30), hoursAndMinutes);
        QTest::newRow("yesterday evening") << QDateTime(QDate(2026, 11, 27), QTime(23, 59)) << QStringLiteral("Yesterday");
        QTest::newRow("three days ago") << Now.addDays(-3) << locale.dayName(Now.addDays(-3).date().dayOfWeek());
        QTest::newRow("a month ago") << Now.addMonths(-1) << locale.toString(QDate(2026, 10, 28), QLocale::ShortFormat);
    }

    void relativeDates()
    {
        QFETCH(QDateTime, at);
        QFETCH(QString, expected);
        const QString said = SearchHitDelegate::relativeDate(at.toMSecsSinceEpoch(), Now.toMSecsSinceEpoch());
        QCOMPARE(said, expected);
        QVERIFY2(!said.contains(QStringLiteral("30:00")), qPrintable(said)); // no seconds
    }

    void namedForTestsAndAssistiveTechnology()
    {
        m_view->showResults(QStringLiteral("insulation"), threeHits());
        QCOMPARE(m_view->objectName(), QStringLiteral("searchResultsView"));
        QListView *list = child<QListView>("searchResultsList");
        QCOMPARE(list->accessibleName(), QStringLiteral("Search results"));
        QVERIFY(!child<QLabel>("searchResultsPlaceholder")->accessibleName().isEmpty());
        const QString spoken = list->model()->index(1, 0).data(Qt::AccessibleTextRole).toString();
        QCOMPARE(spoken, QStringLiteral("Soiling, You: Is the insulation dry?"));
    }

private:
    void show()
    {
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }

    template<typename T>
    T *child(const char *name) const
    {
        T *found = m_view->findChild<T *>(QString::fromLatin1(name));
        if (!found)
            qFatal("no child %s", name);
        return found;
    }

    std::shared_ptr<FakeClock> m_clock;
    std::unique_ptr<SearchResultsView> m_view;
};

QTEST_MAIN(TestSearchResultsView)
#include "tst_searchresultsview.moc"
