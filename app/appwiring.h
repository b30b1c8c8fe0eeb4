#pragma once

// What the heliodesk program does between main() and the event loop: opens the database, then
// leads from the first-run or sign-in dialog to the main window.

#include "model/accountservice.h"
#include "model/clock.h"
#include "storage/database.h"

#include <QObject>

#include <memory>
#include <optional>

class QWidget;

namespace heliodesk {

class FirstRunDialog;
class KnowledgeBase;
class MainWindow;
class SignInDialog;

class AppWiring : public QObject
{
    Q_OBJECT

public:
    /// HELIODESK_SMOKE_TEST=1: show the first window, say on stdout which one it was, and quit with 0.
    struct SmokeTest {
        bool enabled = false;
        QString username; // HELIODESK_USER: sign in without the dialog when it works
        QString password; // HELIODESK_PASSWORD
        static SmokeTest fromEnvironment();
    };

    explicit AppWiring(SmokeTest smokeTest, QObject *parent = nullptr);
    ~AppWiring() override;

    /// Opens the database and shows the first window. Returns an exit code when the program must
    /// end at once; otherwise the event loop should run, and its exit code is the program's.
    /// A PostgreSQL database whose password Heliodesk keeps in the keychain is opened once the
    /// keychain has answered (asynchronously: an unlock prompt may wait for the user).
    std::optional<int> start(const Result<DatabaseLocation> &location);

private:
    std::optional<int> openAndShow(const DatabaseLocation &location, const QString &password, const QString &keychainProblem);
    void startWithKeychainPassword(const DatabaseLocation &location);
    std::optional<int> failAtStart(const Error &error);
    void showFirstRun();
    void showSignIn();
    void showMainWindow(const UserRecord &user);
    void shown(QWidget *window, const QString &what);

    SmokeTest m_smokeTest;
    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock = std::make_shared<SystemClock>();
    std::unique_ptr<FirstRunDialog> m_firstRunDialog;
    std::unique_ptr<SignInDialog> m_signInDialog;
    std::shared_ptr<KnowledgeBase> m_knowledge;
    std::unique_ptr<MainWindow> m_mainWindow;
};

} // namespace heliodesk
