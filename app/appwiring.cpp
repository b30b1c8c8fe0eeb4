#include "appwiring.h"

#include "ui/appearance.h"
#include "ui/firstrundialog.h"
#include "ui/mainwindow.h"
#include "ui/signindialog.h"

#include "model/agents/agentsetup.h"
#include "model/chat/chatservice.h"
#include "model/databasepasswordstore.h"
#include "model/databasesettings.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QSettings>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcApp, "heliodesk.app")

namespace {

// Long enough for the window to be exposed and painted once, short enough for a quick smoke test.
constexpr auto smokeTestLinger = std::chrono::milliseconds(300);

const QString lastUsernameKey = QStringLiteral("signIn/lastUsername");

} // namespace

AppWiring::SmokeTest AppWiring::SmokeTest::fromEnvironment()
{
    SmokeTest smoke;
    smoke.enabled = qEnvironmentVariable("HELIODESK_SMOKE_TEST") == u"1";
    if (smoke.enabled) {
        smoke.username = qEnvironmentVariable("HELIODESK_USER");
        smoke.password = qEnvironmentVariable("HELIODESK_PASSWORD");
    }
    return smoke;
}

AppWiring::AppWiring(SmokeTest smokeTest, QObject *parent)
    : QObject(parent)
    , m_smokeTest(std::move(smokeTest))
{
}

// Out of line, where the window classes are complete.
AppWiring::~AppWiring() = default;

std::optional<int> AppWiring::start(const Result<DatabaseLocation> &location)
{
    // Between a dialog closing and the main window opening no window is visible: quitting then
    // would end the program at the moment it should carry on.
    QApplication::setQuitOnLastWindowClosed(false);

    if (!location)
        return failAtStart(location.error());
    if (location->engine() == DatabaseLocation::Engine::PostgreSql && location->postgresPassword().isEmpty()
        && DatabaseSettings().passwordInKeychain(*location)) {
        startWithKeychainPassword(*location);
        return std::nullopt;
    }
    return openAndShow(*location, {}, {});
}

void AppWiring::startWithKeychainPassword(const DatabaseLocation &location)
{
    QCoro::connect(DatabasePasswordStore().read(location), this, [this, location](const Result<QString> &password) {
        // Without the keychain's answer libpq may still find the password (PGPASSFILE, PGPASSWORD);
        // if not, the sign-in failure says what the keychain said.
        if (!password)
            qCWarning(lcApp) << "database password from the keychain:" << password.error();
        const std::optional<int> exitCode =
            openAndShow(location, password.value_or(QString()), password ? QString() : password.error().message());
        if (exitCode)
            QCoreApplication::exit(*exitCode);
    });
}

std::optional<int> AppWiring::openAndShow(const DatabaseLocation &location, const QString &password, const QString &keychainProblem)
{
    DatabaseOptions options;
    options.password = password;
    auto opened = Database::open(location, options);
    if (!opened) {
        if (opened.error().code() == ErrorCode::WrongCredentials && !keychainProblem.isEmpty())
            return failAtStart(Error(opened.error().code(), opened.error().message() + u' ' + keychainProblem, opened.error().detail()));
        return failAtStart(opened.error());
    }
    m_database = *opened;
    qCInfo(lcApp) << "database" << m_database->location().displayName();
    applyAppearance(AppearanceSettings::load());

    // The agents and their offline knowledge, then answers a crash left streaming: before anyone
    // can ask, so the first window already shows them as they are.
    auto agents = prepareAgents(m_database, m_clock);
    if (!agents)
        return failAtStart(agents.error());
    m_knowledge = agents->knowledge;
    ChatService recovery(m_database, m_clock, [](const QString &) { return std::shared_ptr<ChatProvider>(); });
    if (auto recovered = recovery.recoverInterruptedAnswers(); !recovered)
        qCWarning(lcApp) << "could not mark interrupted answers:" << recovered.error();

    AccountService accounts(m_database, m_clock);
    auto hasUsers = accounts.hasUsers();
    if (!hasUsers)
        return failAtStart(hasUsers.error());

    if (m_smokeTest.enabled && *hasUsers && !m_smokeTest.username.isEmpty()) {
        auto user = accounts.signIn(m_smokeTest.username, m_smokeTest.password);
        if (user) {
            showMainWindow(*user);
            return std::nullopt;
        }
        qCWarning(lcApp).noquote() << "HELIODESK_USER could not sign in:" << user.error().message();
    }

    if (*hasUsers)
        showSignIn();
    else
        showFirstRun();
    return std::nullopt;
}

std::optional<int> AppWiring::failAtStart(const Error &error)
{
    QTextStream(stderr) << QCoreApplication::translate("heliodesk", "heliodesk: %1").arg(error.message()) << Qt::endl;
    if (!error.detail().isEmpty())
        qCWarning(lcApp) << error; // the technical detail, for whoever reads the log
    if (m_smokeTest.enabled)
        return 1;
    // Shown without a nested event loop: the program's loop runs the box and ends when it closes.
    auto *box = new QMessageBox(QMessageBox::Critical, QCoreApplication::translate("heliodesk", "Heliodesk Cannot Start"),
                                error.message(), QMessageBox::Close);
    box->setInformativeText(QCoreApplication::translate("heliodesk", "Heliodesk will close."));
    box->setObjectName(QStringLiteral("startupErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [] { QCoreApplication::exit(1); });
    box->open();
    return std::nullopt;
}

void AppWiring::showFirstRun()
{
    m_firstRunDialog = std::make_unique<FirstRunDialog>(AccountService(m_database, m_clock), m_database->location());
    FirstRunDialog *dialog = m_firstRunDialog.get();
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (const auto &user = dialog->createdUser())
            showMainWindow(*user);
    });
    connect(dialog, &QDialog::rejected, this, [] { QCoreApplication::quit(); });
    dialog->open();
    shown(dialog, QStringLiteral("first-run dialog"));
}

void AppWiring::showSignIn()
{
    m_signInDialog = std::make_unique<SignInDialog>(AccountService(m_database, m_clock), m_database->location());
    SignInDialog *dialog = m_signInDialog.get();
    if (!m_smokeTest.enabled) {
        const QString lastUsername = QSettings().value(lastUsernameKey).toString();
        if (!lastUsername.isEmpty())
            dialog->setUsername(lastUsername);
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (const auto &user = dialog->signedInUser()) {
            if (!m_smokeTest.enabled)
                QSettings().setValue(lastUsernameKey, user->username);
            showMainWindow(*user);
        }
    });
    connect(dialog, &QDialog::rejected, this, [] { QCoreApplication::quit(); });
    dialog->open();
    shown(dialog, QStringLiteral("sign-in dialog"));
}

void AppWiring::showMainWindow(const UserRecord &user)
{
    qCInfo(lcApp) << "signed in as" << user.username;
    MainWindow::Options options;
    options.knowledge = m_knowledge;
    m_mainWindow = std::make_unique<MainWindow>(m_database, m_clock, user, options);
    m_mainWindow->show();
    QApplication::setQuitOnLastWindowClosed(true);
    shown(m_mainWindow.get(), QStringLiteral("main window"));
}

void AppWiring::shown(QWidget *window, const QString &what)
{
    if (!m_smokeTest.enabled)
        return;
    QTimer::singleShot(smokeTestLinger, this, [window, what] {
        const bool visible = window->isVisible();
        QTextStream(stdout) << "heliodesk smoke test: " << what << (visible ? " shown" : " not visible") << Qt::endl;
        QCoreApplication::exit(visible ? 0 : 1);
    });
}

} // namespace heliodesk
