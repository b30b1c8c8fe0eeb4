#pragma once

// The analyst's window: conversations in a sidebar (grouped by day, pinned first, searchable), the
// hired agents above the conversation, answers streaming in place, and the composer. The status bar
// says how many questions of the month are used and where answers come from.

#include "model/accountservice.h"
#include "model/actor.h"
#include "model/clock.h"
#include "model/planservice.h"
#include "model/agents/knowledgebase.h"
#include "model/chat/chatservice.h"
#include "storage/database.h"
#include "storage/records.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <memory>

class QAction;
class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListView;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace heliodesk {

class AdminPanel;
class CurrentProvider;
class Composer;
class ConversationListDelegate;
class ConversationListModel;
class ConversationView;
class FeedbackService;
class HireGalleryDialog;
class MessageLabel;
class MessageListModel;
class SearchResultsView;
class SearchService;
class SurveyBanner;
class SurveyService;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    struct Options {
        /// The offline knowledge base (answers when no endpoint is set up); may be null in tests
        /// that set an endpoint.
        std::shared_ptr<KnowledgeBase> knowledge;
        /// The provider settings file (empty: the user's); tests pass their own.
        QString settingsFile;
        ChatTuning tuning;
    };

    MainWindow(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord user, Options options,
               QWidget *parent = nullptr);
    MainWindow(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord user,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] const UserRecord &user() const { return m_user; }
    [[nodiscard]] ChatService *chat() const { return m_chat.get(); }
    [[nodiscard]] CurrentProvider *currentProvider() const { return m_answers; }
    /// The conversation shown, or 0 for a new chat.
    [[nodiscard]] qint64 currentConversationId() const { return m_conversationId; }
    /// The agent a new chat will be with.
    [[nodiscard]] QString selectedAgentId() const { return m_agentId; }

    /// Shows a conversation of the user's; false (with the reason shown) when it cannot.
    bool openConversation(qint64 conversationId);
    /// Opens a conversation and scrolls to one of its messages (a search result).
    bool openMessage(qint64 conversationId, qint64 messageId);
    /// An empty conversation with the selected agent.
    void newChat();
    /// Chooses the agent for the next new chat (and starts one when a conversation is open).
    void selectAgent(const QString &agentId);

    /// Reads the user, their plan, the agents and the quota again.
    void refresh();
    /// Shows the version and what the program is, without blocking.
    void showAbout();
    void showHireGallery();
    void showSettings();
    /// The admin panel (administrators only; the menu entry exists only for them).
    void showAdminPanel();
    void exportCurrentConversation();

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void createActions();
    QWidget *createSidebar();
    QWidget *createChatPanel();
    void createStatusBar();
    void wireChat();

    void send(const QString &question);
    void stop();
    void regenerate(qint64 answerId);
    void continueAnswer(qint64 answerId);
    void rate(qint64 answerId, int rating);
    void answerEnded(qint64 answerId);
    void checkSurvey();

    void showAgents();
    void showQuota();
    void showCurrentProvider();
    void updateComposer();
    void updateTitle();
    void showProblem(const QString &message);
    void clearProblem();

    void runSearch();
    void showConversationMenu(const QPoint &pos);
    void renameConversation(qint64 conversationId);
    void togglePinned(qint64 conversationId);
    void deleteConversation(qint64 conversationId);
    void selectInList(qint64 conversationId);
    [[nodiscard]] QString agentName(const QString &agentId) const;
    /// Hired, in the plan and switched on: a new chat can be with it.
    [[nodiscard]] bool isUsable(const QString &agentId) const;
    [[nodiscard]] QString firstUsableAgent() const;
    [[nodiscard]] Actor actor() const { return Actor::user(m_user); }

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    Options m_options;
    AccountService m_accounts;
    PlanService m_plans;
    UserRecord m_user;
    CurrentProvider *m_answers = nullptr;
    std::unique_ptr<ChatService> m_chat;
    std::unique_ptr<FeedbackService> m_feedback;
    std::unique_ptr<SurveyService> m_survey;
    std::unique_ptr<SearchService> m_search;
    ConversationListModel *m_conversations = nullptr;
    MessageListModel *m_messages = nullptr;

    QList<AgentRecord> m_agents;
    QStringList m_hired;
    QStringList m_planAgents;
    QString m_agentId;          // for a new chat
    qint64 m_conversationId = 0;
    qint64 m_streamingAnswerId = 0;
    bool m_quotaReached = false;

    // Sidebar
    QPushButton *m_newChatButton = nullptr;
    QLineEdit *m_searchEdit = nullptr;
    QStackedWidget *m_sidebarStack = nullptr;
    QListView *m_conversationList = nullptr;
    ConversationListDelegate *m_conversationDelegate = nullptr;
    SearchResultsView *m_searchResults = nullptr;
    QTimer m_searchDelay;
    QLabel *m_avatarLabel = nullptr;
    QLabel *m_displayNameLabel = nullptr;
    QLabel *m_userDetailsLabel = nullptr;
    // Chat panel
    QWidget *m_agentBar = nullptr;
    QHBoxLayout *m_agentButtons = nullptr;
    QButtonGroup *m_agentGroup = nullptr;
    QPushButton *m_hireButton = nullptr;
    QLabel *m_titleLabel = nullptr;
    ConversationView *m_view = nullptr;
    MessageLabel *m_problemMessage = nullptr;
    SurveyBanner *m_surveyBanner = nullptr;
    Composer *m_composer = nullptr;
    // Status bar
    QLabel *m_usageLabel = nullptr;
    QProgressBar *m_usageBar = nullptr;
    QLabel *m_sourceLabel = nullptr;
    QLabel *m_statusDatabaseLabel = nullptr;
    // Actions
    QAction *m_newChatAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_focusComposerAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_hireAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_adminAction = nullptr;

    QPointer<HireGalleryDialog> m_hireGallery;
    QPointer<AdminPanel> m_adminPanel;
};

} // namespace heliodesk
