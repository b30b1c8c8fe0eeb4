// ConversationExporter: Markdown and JSON files read back, file names safe on every system, writes
// that fail leave nothing behind, and the save dialog that does not block.

#include "ui/conversationexporter.h"

#include "model/chat/chatservice.h"
#include "storage/conversationstore.h"
#include "support/testdatabase.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/resource.h>
#endif

using namespace heliodesk;
using namespace heliodesk::test;

namespace {

const QString title = QStringLiteral("Q3: PPA / prices?");
const QString question = QStringLiteral("What did solar PPAs cost in Q3?\nIn Spain, please.");
const QString answer = QStringLiteral("Around **€35/MWh** for pay-as-produced deals.\n");
const QString sources = QStringLiteral("[{\"title\":\"Q3 PPA index\",\"location\":\"kb://market/ppa-q3\",\"excerpt\":\"35\"}]");

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QStringList entries(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
}

bool writeText(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestConversationExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void markdownReadsBack();
    void jsonHasEveryField();
    void agentNameFallsBackToItsId();
    void onlyTheOwnerExports();
    void safeFileName_data();
    void safeFileName();
    void fileNameForAddsTheSuffix();
    void formatForPath_data();
    void formatForPath();
    void unwritablePathLeavesNoFile_data();
    void unwritablePathLeavesNoFile();
    void failedWriteKeepsTheOldFile();
    void overwritesAnOldFileWhole();
    void dialogDoesNotBlockAndSaves();
    void dialogCancelled();
    void dialogReportsAFailure();

private:
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ChatService> m_chat;
    std::unique_ptr<QTemporaryDir> m_out;
    Actor m_bob;
    Actor m_carl;
    qint64 m_conversationId = 0;
};

void TestConversationExporter::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_out = std::make_unique<QTemporaryDir>();
    QVERIFY(m_out->isValid());
    m_db->createAdmin();
    m_bob = Actor::user(m_db->createAnalyst(QStringLiteral("bob")));
    m_carl = Actor::user(m_db->createAnalyst(QStringLiteral("carl")));
    m_chat = std::make_unique<ChatService>(m_db->database(), m_db->clock(),
                                           [](const QString &) { return std::shared_ptr<ChatProvider>(); });

    // A conversation as the chat leaves it: a question, an answer with sources, a failed answer.
    const QSqlDatabase db = m_db->connection();
    const qint64 now = m_db->clock()->nowMs();
    auto id = ConversationStore::createConversation(db, *m_bob.userId(), QStringLiteral("market"), title, now);
    VERIFY_OK(id);
    m_conversationId = *id;
    VERIFY_OK(ConversationStore::insertMessage(db, m_conversationId, MessageRole::User, question, MessageStatus::Complete,
                                               std::nullopt, now));
    auto answered = ConversationStore::insertMessage(db, m_conversationId, MessageRole::Assistant, answer,
                                                     MessageStatus::Streaming, std::nullopt, now + 1000);
    VERIFY_OK(answered);
    VERIFY_OK(ConversationStore::finishMessage(db, *answered, MessageStatus::Complete, QString(), sources, now + 2000));
    VERIFY_OK(ConversationStore::insertMessage(db, m_conversationId, MessageRole::User, QStringLiteral("And in Q4?"),
                                               MessageStatus::Complete, std::nullopt, now + 3000));
    auto failed = ConversationStore::insertMessage(db, m_conversationId, MessageRole::Assistant, QString(),
                                                   MessageStatus::Streaming, std::nullopt, now + 4000);
    VERIFY_OK(failed);
    VERIFY_OK(ConversationStore::finishMessage(db, *failed, MessageStatus::Failed,
                                               QStringLiteral("The model server is unavailable (HTTP 503)."), QString(),
                                               now + 5000));
}

void TestConversationExporter::cleanup()
{
    m_chat.reset();
    m_db.reset();
    m_out.reset();
}

void TestConversationExporter::markdownReadsBack()
{
    const QString path = m_out->filePath(QStringLiteral("q3.md"));
    VERIFY_OK(ConversationExporter::exportTo(*m_chat, m_bob, m_conversationId, QStringLiteral("Market Intelligence"),
                                             ConversationExporter::Format::Markdown, path));
    const QString md = QString::fromUtf8(readAll(path));
    QVERIFY2(md.startsWith(u"# " + title + u"\n\n"), qPrintable(md.left(80)));
    QVERIFY(md.contains(u"Agent: Market Intelligence · Started 2026-11-15T12:00:00.000Z UTC"));
    QVERIFY(md.contains(u"\n## bob — 2026-11-15T12:00:00.000Z UTC\n\n" + question + u"\n"));
    QVERIFY(md.contains(u"\n## Market Intelligence — 2026-11-15T12:00:01.000Z UTC\n\n" + answer));
    QVERIFY(md.contains(u"- Q3 PPA index (kb://market/ppa-q3)"));
    QVERIFY(md.contains(u"*(failed: The model server is unavailable (HTTP 503).)*"));
    // The file holds exactly what build() makes, nothing more.
    auto built = ConversationExporter::build(*m_chat, m_bob, m_conversationId, QStringLiteral("Market Intelligence"),
                                             ConversationExporter::Format::Markdown);
    VERIFY_OK(built);
    QCOMPARE(readAll(path), *built);
    QCOMPARE(entries(m_out->path()), QStringList{QStringLiteral("q3.md")});
}

void TestConversationExporter::jsonHasEveryField()
{
    const QString path = m_out->filePath(QStringLiteral("q3.json"));
    VERIFY_OK(ConversationExporter::exportTo(*m_chat, m_bob, m_conversationId, QStringLiteral("Market Intelligence"),
                                             ConversationExporter::Format::Json, path));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(readAll(path), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject root = doc.object();
    QCOMPARE(root[u"format"].toString(), QStringLiteral("heliodesk-conversation"));
    QCOMPARE(root[u"version"].toInt(), 1);
    QCOMPARE(root[u"id"].toInteger(), m_conversationId);
    QCOMPARE(root[u"title"].toString(), title);
    QCOMPARE(root[u"agent_id"].toString(), QStringLiteral("market"));
    QCOMPARE(root[u"agent_name"].toString(), QStringLiteral("Market Intelligence"));
    QCOMPARE(root[u"username"].toString(), QStringLiteral("bob"));
    QCOMPARE(root[u"pinned"].toBool(), false);
    const QJsonArray messages = root[u"messages"].toArray();
    QCOMPARE(messages.size(), 4);
    QCOMPARE(messages[0][u"role"].toString(), QStringLiteral("user"));
    QCOMPARE(messages[0][u"content"].toString(), question);
    QCOMPARE(messages[1][u"role"].toString(), QStringLiteral("assistant"));
    QCOMPARE(messages[1][u"content"].toString(), answer);
    QCOMPARE(messages[1][u"status"].toString(), QStringLiteral("complete"));
    QVERIFY(messages[1][u"error"].isNull());
    QCOMPARE(messages[1][u"sources"][0][u"title"].toString(), QStringLiteral("Q3 PPA index"));
    QCOMPARE(messages[1][u"created_at"].toString(), QStringLiteral("2026-11-15T12:00:01.000Z"));
    QCOMPARE(messages[1][u"updated_at"].toString(), QStringLiteral("2026-11-15T12:00:02.000Z"));
    QCOMPARE(messages[3][u"status"].toString(), QStringLiteral("failed"));
    QCOMPARE(messages[3][u"error"].toString(), QStringLiteral("The model server is unavailable (HTTP 503)."));
}

void TestConversationExporter::agentNameFallsBackToItsId()
{
    auto built = ConversationExporter::build(*m_chat, m_bob, m_conversationId, QString(), ConversationExporter::Format::Json);
    VERIFY_OK(built);
    QCOMPARE(QJsonDocument::fromJson(*built).object()[u"agent_name"].toString(), QStringLiteral("market"));
}

void TestConversationExporter::onlyTheOwnerExports()
{
    const QString path = m_out->filePath(QStringLiteral("theirs.md"));
    auto exported = ConversationExporter::exportTo(*m_chat, m_carl, m_conversationId, QString(),
                                                   ConversationExporter::Format::Markdown, path);
    QVERIFY(!exported);
    QCOMPARE(exported.error().code(), ErrorCode::NotFound);
    QCOMPARE(exported.error().message(), QStringLiteral("There is no conversation %1.").arg(m_conversationId));
    QVERIFY(entries(m_out->path()).isEmpty());
}

void TestConversationExporter::safeFileName_data()
{
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("expected");
    QTest::newRow("colon, slash, question mark") << QStringLiteral("Q3: PPA / prices?") << QStringLiteral("Q3 PPA prices");
    QTest::newRow("every forbidden character") << QStringLiteral("a<b>c:d\"e/f\\g|h?i*j") << QStringLiteral("a b c d e f g h i j");
    QTest::newRow("line breaks and tabs") << QStringLiteral("first\nsecond\tthird\r\n") << QStringLiteral("first second third");
    QTest::newRow("control characters") << (QStringLiteral("bell") + QChar(7) + QStringLiteral("nul") + QChar(0x7f))
                                        << QStringLiteral("bell nul");
    QTest::newRow("right-to-left override") << (QStringLiteral("invoice") + QChar(0x202e) + QStringLiteral("dm.exe"))
                                            << QStringLiteral("invoice dm.exe");
    QTest::newRow("leading and trailing dots") << QStringLiteral("..hidden notes...") << QStringLiteral("hidden notes");
    QTest::newRow("only dots") << QStringLiteral("...") << QStringLiteral("Conversation");
    QTest::newRow("empty") << QString() << QStringLiteral("Conversation");
    QTest::newRow("only forbidden") << QStringLiteral("?/:*") << QStringLiteral("Conversation");
    QTest::newRow("accents kept") << QStringLiteral("Prévisions — été 2026") << QStringLiteral("Prévisions — été 2026");
    QTest::newRow("emoji kept") << QStringLiteral("Solar ☀️ 👨‍👩‍👧 plan") << QStringLiteral("Solar ☀️ 👨‍👩‍👧 plan");
    QTest::newRow("device name") << QStringLiteral("CON") << QStringLiteral("CON_");
    QTest::newRow("device name, any case") << QStringLiteral("nul") << QStringLiteral("nul_");
    QTest::newRow("device name with suffix") << QStringLiteral("com1.notes") << QStringLiteral("com1_.notes");
    QTest::newRow("device name in a longer name") << QStringLiteral("CON call notes") << QStringLiteral("CON call notes");
    QTest::newRow("COM0 is no device") << QStringLiteral("COM0") << QStringLiteral("COM0");
}

void TestConversationExporter::safeFileName()
{
    QFETCH(QString, title);
    QFETCH(QString, expected);
    QCOMPARE(ConversationExporter::safeFileName(title), expected);
}

void TestConversationExporter::fileNameForAddsTheSuffix()
{
    QCOMPARE(ConversationExporter::fileNameFor(title, ConversationExporter::Format::Markdown), QStringLiteral("Q3 PPA prices.md"));
    QCOMPARE(ConversationExporter::fileNameFor(title, ConversationExporter::Format::Json), QStringLiteral("Q3 PPA prices.json"));

    // Long titles are cut to 120 bytes of UTF-8 between characters, never inside one.
    const QString longAscii = QString(300, u'a');
    QCOMPARE(ConversationExporter::safeFileName(longAscii), QString(120, u'a'));
    QString longMixed;
    for (int i = 0; i < 100; ++i)
        longMixed += QStringLiteral("é👍");
    const QString cut = ConversationExporter::safeFileName(longMixed);
    QVERIFY(cut.toUtf8().size() <= 120);
    QVERIFY(cut.toUtf8().size() > 110);
    QVERIFY(longMixed.startsWith(cut));
    QVERIFY(!cut.back().isHighSurrogate());
    QCOMPARE(QString::fromUtf8(cut.toUtf8()), cut);

    // A cut that ends in a space or dot is trimmed again.
    const QString spaced = QString(119, u'b') + QStringLiteral(" tail");
    QCOMPARE(ConversationExporter::safeFileName(spaced), QString(119, u'b'));

    // Every name made from a title can be created here.
    for (const QString &name : {ConversationExporter::fileNameFor(title, ConversationExporter::Format::Json),
                                ConversationExporter::fileNameFor(longMixed, ConversationExporter::Format::Markdown)}) {
        const QString path = m_out->filePath(name);
        VERIFY_OK(ConversationExporter::writeFile(path, QByteArrayLiteral("x")));
        QVERIFY(QFile::exists(path));
    }
}

void TestConversationExporter::formatForPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<ConversationExporter::Format>("fallback");
    QTest::addColumn<ConversationExporter::Format>("expected");
    using F = ConversationExporter::Format;
    QTest::newRow("json") << QStringLiteral("/x/a.json") << F::Markdown << F::Json;
    QTest::newRow("JSON upper case") << QStringLiteral("/x/a.JSON") << F::Markdown << F::Json;
    QTest::newRow("md") << QStringLiteral("/x/a.md") << F::Json << F::Markdown;
    QTest::newRow("markdown") << QStringLiteral("/x/a.markdown") << F::Json << F::Markdown;
    QTest::newRow("other suffix: the filter decides") << QStringLiteral("/x/a.txt") << F::Json << F::Json;
    QTest::newRow("no suffix") << QStringLiteral("/x/notes") << F::Markdown << F::Markdown;
}

void TestConversationExporter::formatForPath()
{
    QFETCH(QString, path);
    QFETCH(ConversationExporter::Format, fallback);
    QFETCH(ConversationExporter::Format, expected);
    QVERIFY(ConversationExporter::formatForPath(path, fallback) == expected);
}

void TestConversationExporter::unwritablePathLeavesNoFile_data()
{
    QTest::addColumn<QString>("relativePath");
    QTest::addColumn<QString>("says");
    QTest::newRow("missing folder") << QStringLiteral("missing/out.md") << QStringLiteral("does not exist");
    QTest::newRow("folder is a file") << QStringLiteral("plain.txt/out.md") << QStringLiteral("does not exist");
    QTest::newRow("name of a folder") << QStringLiteral("folder") << QStringLiteral("there is a folder of that name");
}

void TestConversationExporter::unwritablePathLeavesNoFile()
{
    QFETCH(QString, relativePath);
    QFETCH(QString, says);
    QVERIFY(QDir(m_out->path()).mkdir(QStringLiteral("folder")));
    QVERIFY(writeText(m_out->filePath(QStringLiteral("plain.txt")), "keep"));
    const QStringList before = entries(m_out->path());

    const QString path = m_out->filePath(relativePath);
    auto exported = ConversationExporter::exportTo(*m_chat, m_bob, m_conversationId, QString(),
                                                   ConversationExporter::Format::Markdown, path);
    QVERIFY(!exported);
    QCOMPARE(exported.error().code(), ErrorCode::Io);
    const QString message = exported.error().message();
    QVERIFY2(message.startsWith(u"Could not save “" + QFileInfo(path).fileName() + u"”"), qPrintable(message));
    QVERIFY2(message.contains(says), qPrintable(message));
    QVERIFY2(message.contains(u"Choose another"), qPrintable(message));
    QCOMPARE(entries(m_out->path()), before);
    QVERIFY(entries(m_out->filePath(QStringLiteral("folder"))).isEmpty());
    QCOMPARE(readAll(m_out->filePath(QStringLiteral("plain.txt"))), QByteArrayLiteral("keep"));
}

void TestConversationExporter::failedWriteKeepsTheOldFile()
{
#ifdef Q_OS_UNIX
    // A file-size limit makes the write fail part-way, like a disk that fills up (the tests run
    // as root, so folder permissions would not stop them).
    const QString path = m_out->filePath(QStringLiteral("old.md"));
    QVERIFY(writeText(path, "the old export"));
    const QByteArray big(256 * 1024, 'x');

    struct rlimit saved {};
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 4096;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
    auto written = ConversationExporter::writeFile(path, big);
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, oldHandler);

    QVERIFY(!written);
    const QString message = written.error().message();
    QVERIFY2(message.startsWith(u"Could not save “old.md”:"), qPrintable(message));
    QVERIFY2(message.contains(u"Nothing was saved"), qPrintable(message));
    QVERIFY(!written.error().detail().isEmpty());
    QCOMPARE(readAll(path), QByteArrayLiteral("the old export"));
    QCOMPARE(entries(m_out->path()), QStringList{QStringLiteral("old.md")}); // no temporary file left
#else
    QSKIP("Needs RLIMIT_FSIZE");
#endif
}

void TestConversationExporter::overwritesAnOldFileWhole()
{
    const QString path = m_out->filePath(QStringLiteral("q3.json"));
    QVERIFY(writeText(path, QByteArray(100000, 'z')));
    VERIFY_OK(ConversationExporter::exportTo(*m_chat, m_bob, m_conversationId, QString(), ConversationExporter::Format::Json, path));
    const QByteArray bytes = readAll(path);
    QVERIFY(!bytes.contains('z'));
    QVERIFY(QJsonDocument::fromJson(bytes).isObject());
}

void TestConversationExporter::dialogDoesNotBlockAndSaves()
{
    QWidget window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QPointer<ConversationExporter> exporter = ConversationExporter::exportConversation(
        &window, *m_chat, m_bob, m_conversationId, QStringLiteral("Market Intelligence"));
    // We are here while the dialog is open: it did not block.
    QVERIFY(exporter);
    QSignalSpy exported(exporter.data(), &ConversationExporter::exported);
    QSignalSpy finished(exporter.data(), &ConversationExporter::finished);
    QPointer<QFileDialog> dialog = window.findChild<QFileDialog *>(QStringLiteral("exportFileDialog"));
    QVERIFY(dialog);
    QCOMPARE(exporter->fileDialog(), dialog.data());
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
    QCOMPARE(dialog->nameFilters(), (QStringList{QStringLiteral("Markdown (*.md)"), QStringLiteral("JSON with every field (*.json)")}));
    QCOMPARE(dialog->selectedNameFilter(), QStringLiteral("Markdown (*.md)"));
    QCOMPARE(dialog->defaultSuffix(), QStringLiteral("md"));
    QCOMPARE(dialog->selectedFiles().size(), 1);
    QCOMPARE(QFileInfo(dialog->selectedFiles().constFirst()).fileName(), QStringLiteral("Q3 PPA prices.md"));

    // Choosing JSON by its filter: the suffix follows, and the file is JSON.
    dialog->selectNameFilter(QStringLiteral("JSON with every field (*.json)"));
    Q_EMIT dialog->filterSelected(QStringLiteral("JSON with every field (*.json)"));
    QCOMPARE(dialog->defaultSuffix(), QStringLiteral("json"));
    QCOMPARE(QFileInfo(dialog->selectedFiles().constFirst()).fileName(), QStringLiteral("Q3 PPA prices.json"));
    const QString path = m_out->filePath(QStringLiteral("Q3 PPA prices.json"));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // as the Save button does

    QCOMPARE(exported.size(), 1);
    QCOMPARE(QFileInfo(exported.at(0).at(0).toString()).canonicalFilePath(), QFileInfo(path).canonicalFilePath());
    QCOMPARE(finished.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(readAll(path)).object()[u"title"].toString(), title);
    QVERIFY(!window.findChild<QMessageBox *>());
    // The exporter and its dialog go away by themselves.
    QTRY_VERIFY(exporter.isNull());
    QTRY_VERIFY(dialog.isNull());
}

void TestConversationExporter::dialogCancelled()
{
    QWidget window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QPointer<ConversationExporter> exporter = ConversationExporter::exportConversation(&window, *m_chat, m_bob, m_conversationId);
    QSignalSpy exported(exporter.data(), &ConversationExporter::exported);
    QSignalSpy failed(exporter.data(), &ConversationExporter::failed);
    QSignalSpy finished(exporter.data(), &ConversationExporter::finished);
    QFileDialog *dialog = exporter->fileDialog();
    QVERIFY(dialog);
    dialog->reject();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(exported.size(), 0);
    QCOMPARE(failed.size(), 0);
    QTRY_VERIFY(exporter.isNull());
    QVERIFY(entries(m_out->path()).isEmpty());
}

void TestConversationExporter::dialogReportsAFailure()
{
    QWidget window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QPointer<ConversationExporter> exporter = ConversationExporter::exportConversation(&window, *m_chat, m_bob, m_conversationId);
    QSignalSpy exported(exporter.data(), &ConversationExporter::exported);
    QSignalSpy failed(exporter.data(), &ConversationExporter::failed);
    QFileDialog *dialog = exporter->fileDialog();
    QVERIFY(dialog);
    // The conversation goes while the dialog is open.
    VERIFY_OK(m_chat->deleteConversation(m_bob, m_conversationId));
    const QString path = m_out->filePath(QStringLiteral("gone.md"));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // as the Save button does

    QCOMPARE(exported.size(), 0);
    QCOMPARE(failed.size(), 1);
    const QString message = QStringLiteral("There is no conversation %1.").arg(m_conversationId);
    QCOMPARE(failed.at(0).at(0).toString(), message);
    QPointer<QMessageBox> box = window.findChild<QMessageBox *>(QStringLiteral("exportErrorBox"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->text(), message);
    QVERIFY(!QFile::exists(path));
    // The box does not block either, and closes away.
    box->button(QMessageBox::Ok)->click();
    QTRY_VERIFY(box.isNull());
    QTRY_VERIFY(exporter.isNull());
}

QTEST_MAIN(TestConversationExporter)
#include "tst_conversationexporter.moc"
