// The Health tab and HealthService: figures read from the live services (connections, streams,
// memory, failed answers, the database file), "Back up now" on a worker thread, refreshing while
// visible; analysts refused.

#include "ui/admin/healthtab.h"

#include "model/admin/auditservice.h"
#include "model/admin/healthservice.h"
#include "model/chat/chatservice.h"
#include "storage/appstatestore.h"
#include "storage/hiringstore.h"
#include "storage/schemabackup.h"
#include "storage/sql.h"
#include "support/scriptedprovider.h"
#include "support/testdatabase.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QThread>
#include <QTimer>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

AuditStore::Filter onlyAction(const QString &action)
{
    AuditStore::Filter filter;
    filter.action = action;
    return filter;
}

} // namespace

class TestHealthTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void figuresFromTheLiveServices();
    void failedAnswersOfTheLastDay();
    void backUpNow();
    void backupRefusedForAnExistingFile();
    void copyBeforeTheLastUpdate();
    void refreshesWhileVisible();
    void residentMemory();
    void analystIsNotAllowed();

private:
    /// Asks a question as ann with the provider's current script; returns the answer's id.
    qint64 ask();
    QString text(const char *name) const { return child<QLabel>(m_tab.get(), name)->text(); }
    template<typename T>
    static T *child(const QWidget *parent, const char *name);

    std::unique_ptr<TestDatabase> m_db;
    Actor m_root = Actor::anonymous();
    Actor m_ann = Actor::anonymous();
    std::shared_ptr<ScriptedProvider> m_provider = std::make_shared<ScriptedProvider>();
    std::unique_ptr<ChatService> m_chat;
    std::unique_ptr<HealthTab> m_tab;
};

void TestHealthTab::init()
{
    m_db = std::make_unique<TestDatabase>();
    QVERIFY2(m_db->isValid(), qPrintable(m_db->openError().toLogString()));
    m_root = m_db->createAdmin();
    m_ann = Actor::user(m_db->createAnalyst(QStringLiteral("ann"), 100));
    QVERIFY(HiringStore::hire(m_db->connection(), *m_ann.userId(), QStringLiteral("news"), 0));
    auto provider = m_provider;
    m_chat = std::make_unique<ChatService>(m_db->database(), m_db->clock(), [provider](const QString &) { return provider; });
    m_tab = std::make_unique<HealthTab>(m_db->database(), m_db->clock(), m_root, m_chat.get());
    m_tab->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_tab.get()));
}

void TestHealthTab::cleanup()
{
    m_tab.reset();
    m_chat.reset();
    m_db.reset();
}

template<typename T>
T *TestHealthTab::child(const QWidget *parent, const char *name)
{
    auto *widget = parent->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

qint64 TestHealthTab::ask()
{
    AskRequest request;
    request.agentId = QStringLiteral("news");
    request.question = QStringLiteral("What happened today?");
    auto ticket = m_chat->ask(m_ann, request);
    if (!ticket)
        qFatal("ask failed: %s", qPrintable(ticket.error().message()));
    return ticket->answerId;
}

void TestHealthTab::figuresFromTheLiveServices()
{
    QCOMPARE(m_tab->objectName(), QStringLiteral("healthTab"));
    QCOMPARE(text("streamsValue"), QStringLiteral("0"));
    QCOMPARE(text("connectionsValue"), QLocale().toString(Database::openConnectionCount()));
    // The file on SQLite; the server and database, without password, on PostgreSQL.
    const QString where = test::onPostgres() ? m_db->location().displayName() : QDir::toNativeSeparators(m_db->path());
    QVERIFY2(text("databaseValue").contains(where), qPrintable(text("databaseValue")));
    QVERIFY(text("backupValue").startsWith(QStringLiteral("None recorded")));
    QCOMPARE(text("schemaBackupValue"), QStringLiteral("No update of this database has needed one yet."));
    QCOMPARE(text("failedValue"), QStringLiteral("0"));

    // An answer that streams until stopped.
    ProviderScript script;
    script.pieces = {QStringLiteral("Thinking")};
    script.hangAfterPieces = true;
    m_provider->setScript(script);
    const qint64 answer = ask();
    QTRY_COMPARE(m_chat->activeStreamCount(), 1);
    m_tab->reload();
    QCOMPARE(text("streamsValue"), QStringLiteral("1"));

    // A connection opened on another thread is counted while it lives.
    const int before = Database::openConnectionCount();
    QThread *thread = QThread::create([db = m_db->database()] { (void)db->connection(); QThread::msleep(300); db->closeThreadConnection(); });
    thread->start();
    QTRY_COMPARE(Database::openConnectionCount(), before + 1);
    m_tab->reload();
    QCOMPARE(text("connectionsValue"), QString::number(before + 1));
    QVERIFY(thread->wait(5000));
    delete thread;

    QSignalSpy finished(m_chat.get(), &ChatService::answerFinished);
    QVERIFY(m_chat->stop(answer));
    QTRY_COMPARE(m_chat->activeStreamCount(), 0);
    m_tab->reload();
    QCOMPARE(text("streamsValue"), QStringLiteral("0"));
    QCOMPARE(text("connectionsValue"), QString::number(before));
}

void TestHealthTab::failedAnswersOfTheLastDay()
{
    ProviderScript failing;
    failing.pieces = {QStringLiteral("a"), QStringLiteral("b")};
    failing.failAfter = 1;
    m_provider->setScript(failing);
    QSignalSpy finished(m_chat.get(), &ChatService::answerFinished);
    ask();
    QVERIFY(finished.wait(5000));
    m_db->clock()->advance(1h);
    ask();
    QTRY_COMPARE(finished.size(), 2);
    ProviderScript fine;
    fine.pieces = {QStringLiteral("Fine.")};
    m_provider->setScript(fine);
    ask(); // one that does not fail
    QTRY_COMPARE(finished.size(), 3);

    m_tab->reload();
    QCOMPARE(text("failedValue"), QStringLiteral("2"));
    auto *table = child<QTableWidget>(m_tab.get(), "failedAnswersTable");
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("ann"));
    QCOMPARE(table->item(0, 2)->text(), QStringLiteral("News")); // the agent's name, as admins see it
    QCOMPARE(table->item(0, 3)->text(), QStringLiteral("The model server is unavailable (HTTP 503)."));

    // A day after the first failure only the second one is in the last 24 hours; later, none.
    m_db->clock()->advance(23h + 30min);
    m_tab->reload();
    QCOMPARE(text("failedValue"), QStringLiteral("1"));
    QCOMPARE(table->rowCount(), 1);
    m_db->clock()->advance(1h);
    m_tab->reload();
    QCOMPARE(text("failedValue"), QStringLiteral("0"));
    QCOMPARE(table->rowCount(), 0);
}

void TestHealthTab::backUpNow()
{
    auto *button = child<QPushButton>(m_tab.get(), "backupButton");
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    auto *dialog = m_tab->findChild<QFileDialog *>(QStringLiteral("backupFileDialog"));
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible()); // opened without blocking: we are here
    const QString path = m_db->folder() + u"/backup.sqlite";
    QSignalSpy succeeded(m_tab->service(), &HealthService::backupSucceeded);
    QSignalSpy failed(m_tab->service(), &HealthService::backupFailed);
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept();
    // The copy runs on a worker: the button waits for it, the event loop does not.
    QVERIFY(m_tab->service()->isBackingUp());
    QVERIFY(!button->isEnabled());
    QVERIFY(succeeded.wait(10000));
    QCOMPARE(failed.size(), 0);
    QCOMPARE(succeeded.first().at(0).toString(), QFileInfo(path).absoluteFilePath());
    QVERIFY(button->isEnabled());
    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(succeeded.first().at(1).toLongLong(), QFileInfo(path).size());

    // The copy is a database with the same users.
    {
        auto copy = Database::open(DatabaseLocation::sqliteFile(path));
        QVERIFY(copy);
        auto users = scalar((*copy)->connection().value(), QStringLiteral("SELECT COUNT(*) FROM users"));
        QCOMPARE(users.value().toInt(), 2);
    }

    // Recorded as the last backup, shown, and in the audit log; the worker's connection is closed.
    auto at = AppStateStore::value(m_db->connection(), QStringLiteral("backup.last_at"));
    QVERIFY(at && *at);
    QCOMPARE((*at)->toLongLong(), m_db->clock()->nowMs());
    QVERIFY2(text("backupValue").contains(QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath())), qPrintable(text("backupValue")));
    QVERIFY(child<QLabel>(m_tab.get(), "healthMessage")->text().startsWith(QStringLiteral("Backed up the database")));
    auto entries = AuditService(m_db->database(), m_db->clock()).list(m_root, onlyAction(QStringLiteral("database.backup")));
    QVERIFY(entries);
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->first().actorName, QStringLiteral("root"));
    QVERIFY(entries->first().detailsJson.contains(QStringLiteral("backup.sqlite")));
    QTRY_COMPARE(Database::openConnectionCount(), 1);
}

void TestHealthTab::backupRefusedForAnExistingFile()
{
    const QString path = m_db->folder() + u"/taken.sqlite";
    {
        QFile taken(path);
        QVERIFY(taken.open(QIODevice::WriteOnly));
        taken.write("keep me");
    }
    QSignalSpy failed(m_tab->service(), &HealthService::backupFailed);
    m_tab->backUpTo(path);
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("already exists")), qPrintable(failed.first().at(0).toString()));
    auto *message = child<QLabel>(m_tab.get(), "healthMessage");
    QVERIFY(message->text().contains(QStringLiteral("already exists")));
    QFile taken(path);
    QVERIFY(taken.open(QIODevice::ReadOnly));
    QCOMPARE(taken.readAll(), QByteArray("keep me"));
    QVERIFY(text("backupValue").startsWith(QStringLiteral("None recorded")));
    auto entries = AuditService(m_db->database(), m_db->clock()).list(m_root, onlyAction(QStringLiteral("database.backup")));
    QVERIFY(entries && entries->isEmpty());
}

void TestHealthTab::copyBeforeTheLastUpdate()
{
    // Database::open notes the copy it wrote before a schema update (tst_schemaupgrade); the tab
    // shows the newest note, where the copy is and which schemas it was between.
    const QString path = QDir(m_db->folder()).filePath(QStringLiteral("backups/heliodesk-20261129-081500-schema3.sqlite3"));
    const qint64 at = m_db->clock()->nowMs() - 3'600'000;
    QVERIFY(SchemaBackup::remember(m_db->connection(), SchemaBackup::Record{path, 3, 4, at}, at));
    m_tab->reload();
    const QString shown = text("schemaBackupValue");
    QVERIFY2(shown.contains(QDir::toNativeSeparators(path)), qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("schema 3, before the update to schema 4")), qPrintable(shown));
    QVERIFY2(shown.startsWith(QLocale().toString(QDateTime::fromMSecsSinceEpoch(at).toLocalTime(), QLocale::ShortFormat)), qPrintable(shown));

    auto figures = HealthService(m_db->database(), m_db->clock(), nullptr).figures(m_root);
    QVERIFY(figures.has_value());
    QVERIFY(figures->schemaBackup.has_value());
    QCOMPARE(figures->schemaBackup->path, path);
    QCOMPARE(figures->schemaBackup->atMs, at);
}

void TestHealthTab::refreshesWhileVisible()
{
    QTimer *timer = m_tab->refreshTimer();
    QCOMPARE(timer->interval(), 5000);
    QVERIFY(timer->isActive());
    m_tab->hide();
    QVERIFY(!timer->isActive());
    m_tab->show();
    QVERIFY(timer->isActive());

    // A tick reads the figures again (a stream started since then shows up).
    ProviderScript script;
    script.pieces = {QStringLiteral("x")};
    script.hangAfterPieces = true;
    m_provider->setScript(script);
    ask();
    QTRY_COMPARE(m_chat->activeStreamCount(), 1);
    QCOMPARE(text("streamsValue"), QStringLiteral("0"));
    timer->setInterval(50); // not five seconds in a test
    QTRY_COMPARE(text("streamsValue"), QStringLiteral("1"));
    m_chat->shutdown();
}

void TestHealthTab::residentMemory()
{
#ifdef Q_OS_LINUX
    const auto bytes = HealthService::residentMemoryBytes();
    QVERIFY(bytes);
    QVERIFY(*bytes > 1024 * 1024);
    QVERIFY2(text("memoryValue").endsWith(QStringLiteral("resident")), qPrintable(text("memoryValue")));
#else
    QVERIFY(text("memoryValue").startsWith(QStringLiteral("Not available")));
#endif
}

void TestHealthTab::analystIsNotAllowed()
{
    HealthService service(m_db->database(), m_db->clock(), m_chat.get());
    auto figures = service.figures(m_ann);
    QVERIFY(!figures);
    QCOMPARE(figures.error().code(), ErrorCode::NotAllowed);
    QVERIFY(figures.error().message().startsWith(QStringLiteral("Not allowed")));
    const QString path = m_db->folder() + u"/analyst.sqlite";
    auto backup = service.startBackup(m_ann, path);
    QVERIFY(!backup);
    QCOMPARE(backup.error().code(), ErrorCode::NotAllowed);
    QVERIFY(!service.isBackingUp());
    QVERIFY(!QFileInfo::exists(path));
    QVERIFY(!service.figures(Actor::anonymous()));
    QVERIFY(service.figures(m_root));

    HealthTab tab(m_db->database(), m_db->clock(), m_ann, m_chat.get());
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QVERIFY(child<QLabel>(&tab, "healthMessage")->text().startsWith(QStringLiteral("Not allowed")));
    QVERIFY(child<QLabel>(&tab, "connectionsValue")->text().isEmpty());
    QVERIFY(!child<QPushButton>(&tab, "backupButton")->isEnabled());
}

QTEST_MAIN(TestHealthTab)
#include "tst_healthtab.moc"
