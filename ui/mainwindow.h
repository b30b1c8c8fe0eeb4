#pragma once

// The main window until the chat arrives: who is signed in, their plan and usage, the agents and the database.

#include "model/accountservice.h"
#include "model/clock.h"
#include "model/planservice.h"
#include "storage/database.h"
#include "storage/records.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QLabel;
class QProgressBar;
class QTreeWidget;

namespace heliodesk {

class MessageLabel;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord user,
               QWidget *parent = nullptr);

    [[nodiscard]] const UserRecord &user() const { return m_user; }

    /// Reads the user, their plan and the agents again, so usage counted elsewhere shows up.
    void refresh();
    /// Shows the version and what the program is, without blocking.
    void showAbout();

private:
    void createActions();
    QWidget *createCentralPanel();
    void showUser();
    void showPlan();
    void showAgents(const QList<AgentRecord> &agents, const QList<PlanRecord> &plans, const QStringList &hired);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    AccountService m_accounts;
    PlanService m_plans;
    UserRecord m_user;

    QAction *m_refreshAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QLabel *m_avatarLabel = nullptr;
    QLabel *m_displayNameLabel = nullptr;
    QLabel *m_userDetailsLabel = nullptr;
    QLabel *m_planLabel = nullptr;
    QLabel *m_usageLabel = nullptr;
    QProgressBar *m_usageBar = nullptr;
    QLabel *m_resetLabel = nullptr;
    QTreeWidget *m_agentList = nullptr;
    QLabel *m_databaseLabel = nullptr;
    QLabel *m_databaseKindLabel = nullptr;
    QLabel *m_statusDatabaseLabel = nullptr;
    MessageLabel *m_problemMessage = nullptr;
};

} // namespace heliodesk
