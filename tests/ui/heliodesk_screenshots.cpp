// Grabs Heliodesk's windows, on the seeded demo database (tests/support/demodata.h) and with answers
// streamed by a local OpenAI-compatible server, into PNG files for the documentation. The widgets
// are driven with clicks and keys as a person would. Run it on a real screen or under Xvfb:
// scripts/screenshots.sh does.

#include "ui/admin/adminpanel.h"
#include "ui/admin/agentstab.h"
#include "ui/admin/deleteuserdialog.h"
#include "ui/admin/userstab.h"
#include "ui/composer.h"
#include "ui/conversationview.h"
#include "ui/endpointform.h"
#include "ui/firstrundialog.h"
#include "ui/hiregallerydialog.h"
#include "ui/mainwindow.h"
#include "ui/searchresultsview.h"
#include "ui/settingsdialog.h"
#include "ui/signindialog.h"

#include "model/accountservice.h"
#include "model/agents/currentprovider.h"
#include "model/agents/providersettings.h"
#include "model/chat/chatservice.h"
#include "model/chat/conversationlistmodel.h"
#include "model/chat/searchresultsmodel.h"
#include "support/demodata.h"
#include "support/openaitestserver.h"
#include "support/scriptedprovider.h"
#include "support/testdatabase.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QLockFile>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <functional>

using namespace heliodesk;
using namespace heliodesk::test;
using namespace std::chrono_literals;

namespace {

constexpr QSize mainWindowSize(1280, 800);
constexpr QSize adminPanelSize(1240, 780);
// Where a local Ollama listens, so the status bar reads like a real setup (any free port otherwise).
constexpr quint16 preferredPort = 11434;
const QString modelName = QStringLiteral("llama3.1:8b");
// Where the live answer pauses for its picture: the table has rows, and more is on its way.
const QString livePause = QStringLiteral("| August | 58 | 66 |\n");

[[noreturn]] void die(const QString &what)
{
    qFatal("heliodesk_screenshots: %s", qPrintable(what));
}

template<typename T>
T check(Result<T> result, const char *what)
{
    if (!result)
        die(QString::fromLatin1(what) + QStringLiteral(": ") + result.error().toLogString());
    if constexpr (!std::is_void_v<T>)
        return std::move(*result);
}

template<typename T = QWidget>
T *child(const QObject *parent, const char *name)
{
    auto *widget = parent->findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        die(QStringLiteral("no widget named ") + QString::fromLatin1(name));
    return widget;
}

/// Runs the event loop until `condition` holds; dies after `timeout`.
void waitUntil(const std::function<bool()> &condition, const char *what, std::chrono::milliseconds timeout = 10s)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeout.count())
            die(QStringLiteral("timed out waiting for ") + QString::fromLatin1(what));
        QTest::qWait(20);
    }
}

void click(QWidget *widget)
{
    if (!widget->isVisible() || !widget->isEnabled())
        die(QStringLiteral("cannot click ") + widget->objectName());
    QTest::mouseClick(widget, Qt::LeftButton);
}

/// Shows a window and waits until it has the keyboard (without a window manager that takes a moment).
void showActive(QWidget *window)
{
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window))
        die(QStringLiteral("the window ") + window->objectName() + QStringLiteral(" did not become active"));
}

void type(const QObject *parent, const char *field, const QString &text)
{
    QWidget *edit = child(parent, field);
    edit->setFocus(Qt::OtherFocusReason);
    QTest::keyClicks(edit, text);
}

/// A database at a fixed place (the windows show its path, which is the same in every run).
struct DemoDatabase {
    std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(demoNow());
    std::shared_ptr<Database> database;

    /// Starts an empty database at `path`, removing what an earlier one left there.
    static DemoDatabase create(const QString &path)
    {
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            if (QFile::exists(path + suffix) && !QFile::remove(path + suffix))
                die(QStringLiteral("could not remove ") + path + suffix);
        DemoDatabase demo;
        demo.database = check(Database::open(DatabaseLocation::sqliteFile(path)), "open the demo database");
        return demo;
    }
    [[nodiscard]] AccountService accounts() const { return AccountService(database, clock, PasswordHasher(quickHashParams())); }
};

class Camera
{
public:
    explicit Camera(const QDir &folder) : m_folder(folder) {}

    /// Shows the window (if it is not yet) and writes what it shows to `name`.
    void shoot(QWidget *window, const QString &name)
    {
        if (!window->isVisible())
            window->show();
        if (!QTest::qWaitForWindowExposed(window)) {
            QTextStream(stderr) << "window for " << name << " was not exposed" << Qt::endl;
            m_ok = false;
            return;
        }
        QTest::qWait(250); // the style finishes painting (focus frames, the cursor, a view's next frame)
        const QString path = m_folder.filePath(name);
        if (!window->grab().save(path)) {
            QTextStream(stderr) << "could not write " << path << Qt::endl;
            m_ok = false;
            return;
        }
        QTextStream(stdout) << path << Qt::endl;
    }

    [[nodiscard]] bool ok() const { return m_ok; }

private:
    QDir m_folder;
    bool m_ok = true;
};

/// The answer cut the way a model streams it: a word or two per chunk.
QStringList tokensOf(const QString &answer)
{
    QStringList pieces;
    QString piece;
    for (const QChar c : answer) {
        piece += c;
        if ((c == u' ' || c == u'\n') && piece.size() >= 5) {
            pieces << piece;
            piece.clear();
        }
    }
    if (!piece.isEmpty())
        pieces << piece;
    return pieces;
}

/// The answer streamed a word or two at a time, with a pause of a second after `pauseAfter`
/// (keep-alive comments, no text), so that the picture of it arriving does not catch a table row
/// half-written.
ScriptedResponse streamWithPause(const QString &answer, const QString &pauseAfter)
{
    const qsizetype split = answer.indexOf(pauseAfter);
    if (split < 0)
        die(QStringLiteral("the live answer has no \"") + pauseAfter + u'"');
    const QStringList before = tokensOf(answer.left(split + pauseAfter.size()));
    StreamOptions options;
    options.model = modelName;
    ScriptedResponse response = ScriptedResponse::stream(before + tokensOf(answer.mid(split + pauseAfter.size())), options);
    constexpr auto delay = 25ms;
    const int firstAfterPause = 1 + int(before.size()); // after the chunk that carries only the role
    for (int i = 0; i < 1000ms / delay; ++i)
        response.chunks.insert(firstAfterPause, QByteArrayLiteral(": keep-alive\n\n"));
    return response.withDelay(delay);
}

void shootFirstRun(Camera &camera, OpenAiTestServer &server, const QString &databasePath, const QString &settingsFile)
{
    const DemoDatabase empty = DemoDatabase::create(databasePath);
    {
        FirstRunDialog dialog(empty.accounts(), empty.database->location(), settingsFile);
        showActive(&dialog);
        type(&dialog, "usernameEdit", QStringLiteral("marta.reis"));
        type(&dialog, "displayNameEdit", QStringLiteral("Marta Reis"));
        type(&dialog, "passwordEdit", QStringLiteral("grid code 2026 admin"));
        type(&dialog, "confirmEdit", QStringLiteral("grid code 2026 admin"));
        // Where answers come from: a local model server, checked with Test Connection.
        click(child(&dialog, "answersToggle"));
        click(child(&dialog, "endpointRadio"));
        type(&dialog, "baseUrlEdit", server.baseUrl().toString());
        auto *model = child<QWidget>(&dialog, "modelCombo");
        model->setFocus(Qt::OtherFocusReason);
        QTest::keyClicks(model->focusProxy() ? model->focusProxy() : model, modelName);
        server.enqueue(ScriptedResponse::modelList({modelName, QStringLiteral("qwen2.5:14b"), QStringLiteral("mistral-nemo:12b")}));
        auto *form = child<EndpointForm>(&dialog, "endpointForm");
        click(child(&dialog, "testButton"));
        waitUntil([form] { return !form->isTesting(); }, "Test Connection in the first-run dialog");
        dialog.adjustSize();
        camera.shoot(&dialog, QStringLiteral("first-run-dialog.png"));
    }
    {
        FirstRunDialog dialog(empty.accounts(), empty.database->location(), settingsFile);
        showActive(&dialog);
        type(&dialog, "usernameEdit", QStringLiteral("marta.reis"));
        type(&dialog, "displayNameEdit", QStringLiteral("Marta Reis"));
        type(&dialog, "passwordEdit", QStringLiteral("sunny"));
        type(&dialog, "confirmEdit", QStringLiteral("sunny days"));
        camera.shoot(&dialog, QStringLiteral("first-run-dialog-validation.png"));
    }
}

UserRecord shootSignIn(Camera &camera, const DemoDatabase &db, const DemoData &demo)
{
    SignInDialog dialog(db.accounts(), db.database->location());
    dialog.setUsername(demo.analyst.username);
    showActive(&dialog);
    child(&dialog, "passwordEdit")->setFocus(Qt::OtherFocusReason);
    camera.shoot(&dialog, QStringLiteral("sign-in-dialog.png"));
    type(&dialog, "passwordEdit", QStringLiteral("sunny inverter 24"));
    QTest::keyClick(child(&dialog, "passwordEdit"), Qt::Key_Return);
    camera.shoot(&dialog, QStringLiteral("sign-in-dialog-wrong-password.png"));
    auto *password = child<QLineEdit>(&dialog, "passwordEdit");
    password->selectAll();
    QTest::keyClicks(password, demo.analystPassword);
    click(child(&dialog, "signInButton"));
    if (!dialog.signedInUser())
        die(QStringLiteral("the demo analyst could not sign in"));
    return *dialog.signedInUser();
}

/// Clicks a conversation in the sidebar.
void clickConversation(MainWindow &window, qint64 conversationId)
{
    auto *list = child<QListView>(&window, "conversationList");
    for (int row = 0; row < list->model()->rowCount(); ++row) {
        const QModelIndex index = list->model()->index(row, 0);
        if (index.data(ConversationListModel::IdRole).toLongLong() != conversationId)
            continue;
        list->scrollTo(index);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(index).center());
        waitUntil([&] { return window.currentConversationId() == conversationId; }, "the conversation to open");
        return;
    }
    die(QStringLiteral("conversation %1 is not in the sidebar").arg(conversationId));
}

void shootMainWindow(Camera &camera, const DemoDatabase &db, const DemoData &demo, const UserRecord &ana, OpenAiTestServer &server,
                     const QString &settingsFile)
{
    MainWindow::Options options;
    options.settingsFile = settingsFile;
    MainWindow window(db.database, db.clock, ana, options);
    window.resize(mainWindowSize);
    showActive(&window);
    waitUntil([&] { return window.currentProvider()->isReady(); }, "the answer source");
    auto *view = child<ConversationView>(&window, "conversationView");
    auto *composer = child<Composer>(&window, "composer");

    // A finished conversation: today's O&M answer with its table and SQL query.
    clickConversation(window, demo.showcaseConversationId);
    waitUntil([&] { return view->model()->rowCount() >= 4; }, "the conversation's messages");
    camera.shoot(&window, QStringLiteral("main-window.png"));

    // A new chat with Market Intelligence, its answer caught while it streams in.
    const DemoExchange live = demoLiveExchange();
    server.enqueue(streamWithPause(live.answer, livePause));
    click(child(&window, "agentButton_market"));
    type(&window, "composerEdit", live.question);
    QTest::keyClick(child(&window, "composerEdit"), Qt::Key_Return);
    waitUntil([&] { return composer->isStreaming() && view->model()->rowCount() == 2; }, "the question to be sent");
    const auto answerText = [&] { return view->model()->index(1, 0).data().toString(); };
    waitUntil([&] { return answerText().contains(livePause); }, "the answer to reach its table", 30s);
    if (!composer->isStreaming() || !child(&window, "stopButton")->isVisible())
        die(QStringLiteral("the answer ended before the screenshot"));
    camera.shoot(&window, QStringLiteral("streaming-answer.png"));
    waitUntil([&] { return !composer->isStreaming(); }, "the answer to end", 60s);

    // A search over every conversation.
    click(child(&window, "searchEdit"));
    QTest::keyClicks(child(&window, "searchEdit"), demoSearchTerm());
    auto *results = child<SearchResultsView>(&window, "searchResultsView");
    waitUntil([&] { return results->isVisible() && results->model()->rowCount() > 0; }, "search results");
    camera.shoot(&window, QStringLiteral("search-results.png"));
    QTest::keyClick(child(&window, "searchEdit"), Qt::Key_Escape);

    // Hire Agents…
    click(child(&window, "hireButton"));
    auto *gallery = window.findChild<HireGalleryDialog *>();
    if (!gallery)
        die(QStringLiteral("Hire Agents… opened no gallery"));
    gallery->resize(860, gallery->sizeHint().height());
    camera.shoot(gallery, QStringLiteral("hire-gallery.png"));
    click(child(gallery, "closeButton"));
    waitUntil([&] { return window.findChild<HireGalleryDialog *>() == nullptr; }, "the gallery to close");

    // Settings, with the model server checked.
    click(child(&window, "settingsButton"));
    auto *settings = window.findChild<SettingsDialog *>();
    if (!settings)
        die(QStringLiteral("Settings… opened no dialog"));
    server.enqueue(ScriptedResponse::modelList({modelName, QStringLiteral("qwen2.5:14b"), QStringLiteral("mistral-nemo:12b")}));
    click(child(settings, "testButton"));
    waitUntil([&] { return !settings->endpointForm()->isTesting(); }, "Test Connection in the settings");
    camera.shoot(settings, QStringLiteral("settings-dialog.png"));
    // The Database tab with a team server typed in (not saved: Cancel below).
    settings->findChild<QTabWidget *>(QStringLiteral("settingsTabs"))->setCurrentWidget(child(settings, "databaseTab"));
    click(child(settings, "teamDatabaseRadio"));
    QTest::keyClicks(child(settings, "databaseAddressEdit"), QStringLiteral("postgresql://ana@db.solarco.example:5432/heliodesk"));
    camera.shoot(settings, QStringLiteral("settings-database.png"));
    click(child(settings, "cancelButton"));
    waitUntil([&] { return window.findChild<SettingsDialog *>() == nullptr; }, "the settings to close");
    // Without a window manager nobody gives the window back the focus.
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window))
        die(QStringLiteral("the main window did not become active again"));

    // The month's questions used up: an administrator gives Ana a limit of what she has used.
    const int used = check(db.accounts().findUser(Actor::user(demo.admin), ana.username), "read the analyst")
                         .usedIn(quotaPeriodOf(db.clock->nowUtc()));
    UserChanges limit;
    limit.quotaMode = QuotaMode::Limit;
    limit.quotaLimit = used;
    check(db.accounts().updateUser(Actor::user(demo.admin), ana.username, limit), "limit the analyst");
    clickConversation(window, demo.pinnedConversationId);
    QTest::keySequence(QApplication::focusWidget(), QKeySequence::Refresh);
    waitUntil([&] { return !composer->blockedReason().isEmpty(); }, "the composer to say the quota is used");
    camera.shoot(&window, QStringLiteral("quota-reached.png"));
}

void shootAdminPanel(Camera &camera, const DemoDatabase &db, const DemoData &demo, const QString &documentsFolder)
{
    check(seedTeamDemoData(db.database, db.clock, demo, documentsFolder), "seed the team");
    // Ana back on her plan's limit (the quota picture gave her one of her own).
    UserChanges planLimit;
    planLimit.quotaMode = QuotaMode::Plan;
    check(db.accounts().updateUser(Actor::user(demo.admin), demo.analyst.username, planLimit), "put the analyst back on her plan");
    // The window's own chat service, as in the app: the Health tab counts its streams.
    ChatService chat(db.database, db.clock, [](const QString &) { return std::make_shared<ScriptedProvider>(); });
    AdminPanel panel(db.database, db.clock, demo.admin, &chat);
    if (!panel.isAllowed())
        die(QStringLiteral("the admin panel refused its administrator"));
    panel.resize(adminPanelSize);
    showActive(&panel);
    const QList<QPair<const char *, QString>> tabs = {
        {"usersTab", QStringLiteral("admin-users.png")},   {"plansTab", QStringLiteral("admin-plans.png")},
        {"usageTab", QStringLiteral("admin-usage.png")},   {"feedbackTab", QStringLiteral("admin-feedback.png")},
        {"agentsTab", QStringLiteral("admin-agents.png")}, {"auditTab", QStringLiteral("admin-audit-log.png")},
        {"healthTab", QStringLiteral("admin-health.png")},
    };
    for (const auto &[tabName, file] : tabs) {
        QWidget *tab = child(&panel, tabName);
        panel.tabs()->setCurrentWidget(tab);
        if (file == u"admin-users.png" && !qobject_cast<UsersTab *>(tab)->selectUser(QStringLiteral("joao.ferreira")))
            die(QStringLiteral("the Users tab has no joao.ferreira"));
        if (file == u"admin-usage.png") // the reconciliation check, as an admin would run it
            click(child(tab, "usageReconcileButton"));
        // The first agent is News; O&M shows its prompt and the documents imported for it.
        if (file == u"admin-agents.png" && !qobject_cast<AgentsTab *>(tab)->selectAgent(QStringLiteral("om")))
            die(QStringLiteral("the Agents tab has no O&M agent"));
        camera.shoot(&panel, file);
    }

    // Deleting a user: the confirmation says what goes.
    auto *users = child<UsersTab>(&panel, "usersTab");
    panel.tabs()->setCurrentWidget(users);
    if (!users->selectUser(QStringLiteral("elena.rossi")))
        die(QStringLiteral("the Users tab has no elena.rossi"));
    click(child(users, "deleteUserButton"));
    waitUntil([&] { return panel.findChild<DeleteUserDialog *>() != nullptr; }, "the delete dialog");
    auto *dialog = panel.findChild<DeleteUserDialog *>();
    QTest::keyClicks(child(dialog, "deleteConfirmEdit"), QStringLiteral("elena.rossi"));
    camera.shoot(dialog, QStringLiteral("admin-delete-user.png"));
    dialog->reject();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("Heliodesk"));
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() != 2) {
        QTextStream(stderr) << "usage: heliodesk_screenshots OUTPUT_FOLDER" << Qt::endl;
        return 2;
    }
    QDir folder(arguments.at(1));
    if (!folder.mkpath(QStringLiteral(".")))
        return 1;
    Camera camera(folder);

    // Both databases in turn at one fixed place, so that every run shows the same path; one run at
    // a time (it also takes the same port).
    const QString demoFolder = QDir::temp().filePath(QStringLiteral("heliodesk-demo"));
    QLockFile lock(demoFolder + QStringLiteral(".lock"));
    lock.setStaleLockTime(0); // stale only when its process is gone: a slow run keeps its lock
    if (!lock.tryLock(120000))
        die(QStringLiteral("another heliodesk_screenshots kept using ") + demoFolder + QStringLiteral(" for two minutes"));
    if (!QDir().mkpath(demoFolder))
        die(QStringLiteral("could not make ") + demoFolder);
    const QString databasePath = QDir(demoFolder).filePath(QStringLiteral("heliodesk.sqlite3"));

    OpenAiTestServer server;
    if (!server.listen(preferredPort) && !server.listen())
        die(QStringLiteral("the local model server could not listen"));
    QTemporaryDir settingsFolder;
    if (!settingsFolder.isValid())
        die(QStringLiteral("no temporary folder for the settings"));
    const QString firstRunSettings = settingsFolder.filePath(QStringLiteral("first-run.ini"));
    const QString settingsFile = settingsFolder.filePath(QStringLiteral("settings.ini"));
    check(ProviderSettings(settingsFile).saveEndpoint(server.baseUrl().toString(), modelName), "save the endpoint");

    shootFirstRun(camera, server, databasePath, firstRunSettings);
    {
        const DemoDatabase db = DemoDatabase::create(databasePath);
        const DemoData demo = check(seedDemoData(db.database, db.clock), "seed the demo database");
        const UserRecord ana = shootSignIn(camera, db, demo);
        shootMainWindow(camera, db, demo, ana, server, settingsFile);
        shootAdminPanel(camera, db, demo, demoFolder);
    }
    QDir(demoFolder).removeRecursively();
    return camera.ok() ? 0 : 1;
}
