// The Agents tab on a real database through AgentAdminService: the agent list, the switch that
// turns an agent off at once, the system prompt and model saved with Save, the knowledge
// collection and "Import documents…" through the (non-blocking) file dialog, refusals in words.

#include "ui/admin/agentstab.h"
#include "ui/messagelabel.h"

#include "model/admin/knowledgedocumentmodel.h"
#include "storage/agentstore.h"
#include "storage/auditstore.h"
#include "storage/hiringstore.h"
#include "support/testdatabase.h"

#include <QCheckBox>
#include <QStyle>
#include <QStyleOptionButton>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

// Clicks a check box on its box: the middle of a wide check box can lie past its text, where a
// click does nothing.
void clickCheckBox(QCheckBox *box)
{
    QStyleOptionButton option;
    option.initFrom(box);
    const QRect indicator = box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
    QTest::mouseClick(box, Qt::LeftButton, {}, indicator.center());
}

} // namespace

class TestAgentsTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listsAgentsAndShowsTheFirst();
    void clickingAnAgentShowsIt();
    void switchTurnsAnAgentOffAndOnAtOnce();
    void promptAndModelSavedWithSave();
    void unsavedEditsSurviveChoosingAnotherAgent();
    void saveAllAndDiscardAll();
    void tooLongModelIsRefusedInWords();
    void importThroughTheFileDialog();
    void importProblemsAreNamed();
    void documentFilter();
    void analystSeesNotAllowed();

private:
    template<typename T>
    T *child(const QString &name) const
    {
        T *found = m_tab->findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }
    void clickAgent(const QString &name);
    QString writeFile(const QString &name, const QByteArray &bytes) const;
    AgentStore::AgentSettings stored(const QString &agentId) const
    {
        return *AgentStore::find(m_db->connection(), agentId).value();
    }
    MessageLabel *banner() const { return child<MessageLabel>(QStringLiteral("agentsMessage")); }

    std::unique_ptr<TestDatabase> m_db;
    Actor m_root;
    std::unique_ptr<AgentsTab> m_tab;
};

void TestAgentsTab::init()
{
    m_db = std::make_unique<TestDatabase>();
    m_root = m_db->createAdmin();
    AgentAdminService service(m_db->database(), m_db->clock());
    VERIFY_OK(service.updateAgent(m_root, QStringLiteral("om"), AgentChanges{{}, QStringLiteral("You help with solar O&M."), {}}));
    m_tab = std::make_unique<AgentsTab>(m_db->database(), m_db->clock(), m_root);
    m_tab->resize(1000, 640);
    m_tab->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_tab.get()));
}

void TestAgentsTab::cleanup()
{
    m_tab.reset();
    m_db.reset();
}

void TestAgentsTab::clickAgent(const QString &name)
{
    auto *list = child<QListWidget>(QStringLiteral("agentList"));
    const auto items = list->findItems(name, Qt::MatchStartsWith);
    QVERIFY(!items.isEmpty());
    const QRect rect = list->visualItemRect(items.first());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
}

QString TestAgentsTab::writeFile(const QString &name, const QByteArray &bytes) const
{
    QString path = m_db->folder() + u'/' + name; // not const: returned by move
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("could not write %s", qPrintable(path));
    return path;
}

void TestAgentsTab::listsAgentsAndShowsTheFirst()
{
    auto *list = child<QListWidget>(QStringLiteral("agentList"));
    QCOMPARE(list->count(), 4);
    QStringList names;
    for (int row = 0; row < list->count(); ++row)
        names << list->item(row)->text();
    QCOMPARE(names, (QStringList{QStringLiteral("News"), QStringLiteral("O&M"), QStringLiteral("Market Intelligence"),
                                 QStringLiteral("Digitalization")}));
    QCOMPARE(m_tab->currentAgent(), QStringLiteral("news"));
    QCOMPARE(child<QLabel>(QStringLiteral("agentTitle"))->text(), QStringLiteral("News"));
    QVERIFY(child<QCheckBox>(QStringLiteral("agentEnabledSwitch"))->isChecked());
    QVERIFY(!child<QPushButton>(QStringLiteral("saveAgentButton"))->isEnabled());
    QVERIFY(child<QLabel>(QStringLiteral("knowledgeSummary"))->text().startsWith(u"No documents yet."));
}

void TestAgentsTab::clickingAnAgentShowsIt()
{
    clickAgent(QStringLiteral("O&M"));
    QCOMPARE(m_tab->currentAgent(), QStringLiteral("om"));
    QCOMPARE(child<QPlainTextEdit>(QStringLiteral("systemPromptEdit"))->toPlainText(), QStringLiteral("You help with solar O&M."));
    QCOMPARE(child<QLineEdit>(QStringLiteral("modelEdit"))->text(), QString());
    // Showing another agent changes nothing in the database.
    QCOMPARE(AuditStore::list(m_db->connection(), 10, QStringLiteral("agent.update")).value().size(), 1);
}

void TestAgentsTab::switchTurnsAnAgentOffAndOnAtOnce()
{
    QSignalSpy changed(m_tab.get(), &AgentsTab::agentsChanged);
    clickAgent(QStringLiteral("Market"));
    auto *enabled = child<QCheckBox>(QStringLiteral("agentEnabledSwitch"));
    clickCheckBox(enabled);
    QVERIFY(!enabled->isChecked());
    QVERIFY(!stored(QStringLiteral("market")).enabled);
    QCOMPARE(changed.count(), 1);
    auto *list = child<QListWidget>(QStringLiteral("agentList"));
    QCOMPARE(list->currentItem()->text(), QStringLiteral("Market Intelligence (off)"));
    QVERIFY(banner()->text().contains(u"switched off"));

    // Users feel it at once: hiring is refused with the reason.
    const UserRecord ana = m_db->createAnalyst(QStringLiteral("ana"));
    auto access = HiringStore::accessOf(m_db->connection(), ana.id, QStringLiteral("market"));
    VERIFY_OK(access);
    QVERIFY(!access->agentEnabled);

    // Keyboard: Space on the focused switch turns it back on.
    enabled->setFocus();
    QTest::keyClick(enabled, Qt::Key_Space);
    QVERIFY(enabled->isChecked());
    QVERIFY(stored(QStringLiteral("market")).enabled);
    QCOMPARE(list->currentItem()->text(), QStringLiteral("Market Intelligence"));
    const auto entries = AuditStore::list(m_db->connection(), 10, QStringLiteral("agent.update")).value();
    QCOMPARE(entries.size(), 3); // the prompt set in init(), off, on
    QCOMPARE(entries.at(0).targetId, QStringLiteral("market"));
    QCOMPARE(entries.at(1).targetId, QStringLiteral("market"));

    // Another agent shown and back: the switch shows the stored state, without writing.
    clickAgent(QStringLiteral("News"));
    clickAgent(QStringLiteral("Market"));
    QVERIFY(enabled->isChecked());
    QCOMPARE(AuditStore::list(m_db->connection(), 10, QStringLiteral("agent.update")).value().size(), 3);
}

void TestAgentsTab::promptAndModelSavedWithSave()
{
    QSignalSpy changed(m_tab.get(), &AgentsTab::agentsChanged);
    clickAgent(QStringLiteral("O&M"));
    auto *prompt = child<QPlainTextEdit>(QStringLiteral("systemPromptEdit"));
    auto *model = child<QLineEdit>(QStringLiteral("modelEdit"));
    auto *save = child<QPushButton>(QStringLiteral("saveAgentButton"));
    QVERIFY(!save->isEnabled());

    prompt->setFocus();
    prompt->moveCursor(QTextCursor::End);
    QTest::keyClick(prompt, Qt::Key_Return);
    QTest::keyClicks(prompt, QStringLiteral("Cite the manual."));
    QVERIFY(save->isEnabled());
    model->setFocus();
    QTest::keyClicks(model, QStringLiteral(" llama-3.1-8b "));
    // Not saved yet.
    QCOMPARE(stored(QStringLiteral("om")).model, QString());

    QTest::mouseClick(save, Qt::LeftButton);
    const AgentStore::AgentSettings after = stored(QStringLiteral("om"));
    QCOMPARE(after.systemPrompt, QStringLiteral("You help with solar O&M.\nCite the manual."));
    QCOMPARE(after.model, QStringLiteral("llama-3.1-8b"));
    QCOMPARE(model->text(), QStringLiteral("llama-3.1-8b"));
    QVERIFY(!save->isEnabled());
    QCOMPARE(changed.count(), 1);
    QVERIFY(!banner()->isError());
    QVERIFY(banner()->text().startsWith(u"Saved."));
    const auto entries = AuditStore::list(m_db->connection(), 10, QStringLiteral("agent.update")).value();
    QCOMPARE(entries.size(), 2);
    QVERIFY(entries.first().detailsJson.contains(u"llama-3.1-8b"));

    // Clearing the model goes back to the provider's own.
    model->clear();
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(stored(QStringLiteral("om")).model, QString());
}

void TestAgentsTab::unsavedEditsSurviveChoosingAnotherAgent()
{
    auto *list = child<QListWidget>(QStringLiteral("agentList"));
    auto *prompt = child<QPlainTextEdit>(QStringLiteral("systemPromptEdit"));
    auto *save = child<QPushButton>(QStringLiteral("saveAgentButton"));
    clickAgent(QStringLiteral("O&M"));
    QVERIFY(!m_tab->hasUnsavedChanges());
    prompt->setFocus();
    prompt->moveCursor(QTextCursor::End);
    QTest::keyClicks(prompt, QStringLiteral(" Mention string fuses."));
    QVERIFY(m_tab->hasUnsavedChanges());
    QCOMPARE(list->item(1)->text(), QStringLiteral("O&M — unsaved"));

    // Looking at another agent, then reading the tab again (as choosing the tab does), loses nothing.
    clickAgent(QStringLiteral("News"));
    QCOMPARE(prompt->toPlainText(), stored(QStringLiteral("news")).systemPrompt);
    QVERIFY(!save->isEnabled());
    QCOMPARE(m_tab->unsavedAgentNames(), QStringList{QStringLiteral("O&M")});
    m_tab->reload();
    QCOMPARE(list->item(1)->text(), QStringLiteral("O&M — unsaved"));
    clickAgent(QStringLiteral("O&M"));
    QCOMPARE(prompt->toPlainText(), QStringLiteral("You help with solar O&M. Mention string fuses."));
    QVERIFY(save->isEnabled());
    QCOMPARE(stored(QStringLiteral("om")).systemPrompt, QStringLiteral("You help with solar O&M."));

    // Typing it back to what is stored is no change any more.
    prompt->moveCursor(QTextCursor::End);
    for (int i = 0; i < int(QStringLiteral(" Mention string fuses.").size()); ++i)
        QTest::keyClick(prompt, Qt::Key_Backspace);
    QVERIFY(!m_tab->hasUnsavedChanges());
    QCOMPARE(list->item(1)->text(), QStringLiteral("O&M"));

    // Saving clears the mark.
    QTest::keyClicks(prompt, QStringLiteral(" Be brief."));
    QTest::mouseClick(save, Qt::LeftButton);
    QVERIFY(!m_tab->hasUnsavedChanges());
    QCOMPARE(list->item(1)->text(), QStringLiteral("O&M"));
    QCOMPARE(stored(QStringLiteral("om")).systemPrompt, QStringLiteral("You help with solar O&M. Be brief."));
}

void TestAgentsTab::saveAllAndDiscardAll()
{
    auto *prompt = child<QPlainTextEdit>(QStringLiteral("systemPromptEdit"));
    auto *model = child<QLineEdit>(QStringLiteral("modelEdit"));
    clickAgent(QStringLiteral("O&M"));
    prompt->setFocus();
    prompt->moveCursor(QTextCursor::Start);
    QTest::keyClicks(prompt, QStringLiteral("Plant first. "));
    clickAgent(QStringLiteral("Market"));
    model->setFocus();
    QTest::keyClicks(model, QStringLiteral("qwen2.5"));
    clickAgent(QStringLiteral("News"));
    QCOMPARE(m_tab->unsavedAgentNames(), (QStringList{QStringLiteral("O&M"), QStringLiteral("Market Intelligence")}));

    QVERIFY(m_tab->saveAll());
    QVERIFY(!m_tab->hasUnsavedChanges());
    QCOMPARE(stored(QStringLiteral("om")).systemPrompt, QStringLiteral("Plant first. You help with solar O&M."));
    QCOMPARE(stored(QStringLiteral("market")).model, QStringLiteral("qwen2.5"));

    clickAgent(QStringLiteral("Digitalization"));
    model->setFocus();
    QTest::keyClicks(model, QStringLiteral("mistral"));
    clickAgent(QStringLiteral("O&M"));
    prompt->setFocus();
    prompt->moveCursor(QTextCursor::Start);
    QTest::keyClicks(prompt, QStringLiteral("Draft. "));
    QCOMPARE(m_tab->unsavedAgentNames().size(), 2);
    m_tab->discardAll();
    QVERIFY(!m_tab->hasUnsavedChanges());
    QCOMPARE(m_tab->currentAgent(), QStringLiteral("om"));
    QCOMPARE(prompt->toPlainText(), QStringLiteral("Plant first. You help with solar O&M."));
    QCOMPARE(stored(QStringLiteral("digitalization")).model, QString());
}

void TestAgentsTab::tooLongModelIsRefusedInWords()
{
    clickAgent(QStringLiteral("O&M"));
    auto *prompt = child<QPlainTextEdit>(QStringLiteral("systemPromptEdit"));
    prompt->setPlainText(QString(AgentAdminService::MaxPromptCharacters + 5, u'x'));
    QTest::mouseClick(child<QPushButton>(QStringLiteral("saveAgentButton")), Qt::LeftButton);
    QVERIFY(banner()->isError());
    QVERIFY2(banner()->text().contains(u"Shorten it."), qPrintable(banner()->text()));
    QCOMPARE(stored(QStringLiteral("om")).systemPrompt, QStringLiteral("You help with solar O&M."));
    // What was typed stays, to be shortened.
    QCOMPARE(prompt->toPlainText().size(), AgentAdminService::MaxPromptCharacters + 5);
}

void TestAgentsTab::importThroughTheFileDialog()
{
    const QString md = writeFile(QStringLiteral("inverters.md"), "# Inverter faults\n\nOvervoltage trips the inverter.\n");
    const QString txt = writeFile(QStringLiteral("soiling.txt"), "Soiling losses rise in dry months.\n");
    QSignalSpy changed(m_tab.get(), &AgentsTab::agentsChanged);
    clickAgent(QStringLiteral("O&M"));
    QTest::mouseClick(child<QPushButton>(QStringLiteral("importDocumentsButton")), Qt::LeftButton);
    QFileDialog *dialog = m_tab->importDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible()); // opened with open(): the event loop keeps running
    QCOMPARE(dialog->fileMode(), QFileDialog::ExistingFiles);
    QVERIFY(dialog->nameFilters().first().contains(u"*.md"));

    Q_EMIT dialog->filesSelected({md, txt});
    dialog->close();
    QTRY_VERIFY(!m_tab->importDialog());

    KnowledgeDocumentModel *documents = m_tab->documentModel();
    QCOMPARE(documents->rowCount(), 2);
    QStringList titles{documents->at(0).title, documents->at(1).title};
    titles.sort();
    QCOMPARE(titles, (QStringList{QStringLiteral("Inverter faults"), QStringLiteral("soiling")}));
    QCOMPARE(child<QTableView>(QStringLiteral("documentTable"))->model()->rowCount(), 2);
    QVERIFY2(child<QLabel>(QStringLiteral("knowledgeSummary"))->text().startsWith(u"2 documents; last import"),
             qPrintable(child<QLabel>(QStringLiteral("knowledgeSummary"))->text()));
    QVERIFY(!banner()->isError());
    QCOMPARE(banner()->text(), QStringLiteral("2 documents imported for O&M."));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(AuditStore::list(m_db->connection(), 10, QStringLiteral("agent.import")).value().size(), 1);

    // Again: nothing new, said so.
    m_tab->importDocuments({md});
    QCOMPARE(banner()->text(), QStringLiteral("1 document was already in the collection and is unchanged."));
    QCOMPARE(documents->rowCount(), 2);

    // Another agent's collection is its own.
    clickAgent(QStringLiteral("News"));
    QCOMPARE(documents->rowCount(), 0);
}

void TestAgentsTab::importProblemsAreNamed()
{
    const QString md = writeFile(QStringLiteral("ok.md"), "# Good\n\nText.\n");
    const QString pdf = writeFile(QStringLiteral("scan.pdf"), "%PDF-1.4");
    const QString empty = writeFile(QStringLiteral("empty.txt"), "");
    clickAgent(QStringLiteral("O&M"));
    m_tab->importDocuments({md, pdf, empty});
    QVERIFY(banner()->isError());
    const QString text = banner()->text();
    QVERIFY2(text.startsWith(u"1 document imported for O&M."), qPrintable(text));
    QVERIFY2(text.contains(u"scan.pdf"), qPrintable(text));
    QVERIFY2(text.contains(u"empty.txt"), qPrintable(text));
    QCOMPARE(m_tab->documentModel()->rowCount(), 1);
}

void TestAgentsTab::documentFilter()
{
    const QString a = writeFile(QStringLiteral("inverters.md"), "# Inverter faults\n\nOvervoltage.\n");
    const QString b = writeFile(QStringLiteral("soiling.txt"), "Soiling losses.\n");
    clickAgent(QStringLiteral("O&M"));
    m_tab->importDocuments({a, b});
    auto *table = child<QTableView>(QStringLiteral("documentTable"));
    QCOMPARE(table->model()->rowCount(), 2);
    QTest::keyClicks(child<QLineEdit>(QStringLiteral("documentFilter")), QStringLiteral("soil"));
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, KnowledgeDocumentModel::SourceColumn).data().toString(), QStringLiteral("soiling.txt"));
}

void TestAgentsTab::analystSeesNotAllowed()
{
    const UserRecord ana = m_db->createAnalyst(QStringLiteral("ana"));
    AgentsTab tab(m_db->database(), m_db->clock(), Actor::user(ana));
    auto *message = tab.findChild<MessageLabel *>(QStringLiteral("agentsMessage"));
    QVERIFY(message->isError());
    QVERIFY2(message->text().contains(u"Not allowed: "), qPrintable(message->text()));
    QCOMPARE(tab.findChild<QListWidget *>(QStringLiteral("agentList"))->count(), 0);
}

QTEST_MAIN(TestAgentsTab)
#include "tst_agentstab.moc"
