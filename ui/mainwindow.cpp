#include "mainwindow.h"

#include "composer.h"
#include "admin/adminpanel.h"
#include "conversationexporter.h"
#include "conversationlistdelegate.h"
#include "conversationview.h"
#include "feedbackpopup.h"
#include "hiregallerydialog.h"
#include "messageactionbar.h"
#include "messagelabel.h"
#include "searchresultsview.h"
#include "settingsdialog.h"
#include "surveybanner.h"

#include "model/agents/currentprovider.h"
#include "model/chat/conversationlistmodel.h"
#include "model/chat/feedbackservice.h"
#include "model/chat/messagelistmodel.h"
#include "model/chat/searchservice.h"
#include "model/chat/surveyservice.h"

#include <heliodesk/version.h>

#include <QAction>
#include <QButtonGroup>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QLoggingCategory>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcWindow, "heliodesk.ui.window", QtInfoMsg)

namespace {

constexpr int avatarSize = 36;
constexpr auto searchDelay = std::chrono::milliseconds(150);

QString roleName(Role role)
{
    switch (role) {
    case Role::Admin: return MainWindow::tr("Administrator");
    case Role::Analyst: return MainWindow::tr("Analyst");
    }
    return {};
}

QString initialsOf(const QString &name)
{
    QString initials;
    const QStringList words = name.split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words) {
        initials += word.front().toUpper();
        if (initials.size() == 2)
            break;
    }
    return initials.isEmpty() ? QStringLiteral("?") : initials;
}

/// A round badge with the user's initials, its colour fixed by the username so it stays the same.
QPixmap avatarFor(const UserRecord &user, const QFont &baseFont, qreal devicePixelRatio)
{
    static const QList<QColor> colours = {QColor(0x1f, 0x6f, 0xb2), QColor(0x2e, 0x7d, 0x32), QColor(0x8e, 0x44, 0xad),
                                          QColor(0xc2, 0x5b, 0x12), QColor(0x00, 0x79, 0x6b), QColor(0xad, 0x14, 0x57)};
    QPixmap pixmap(QSize(avatarSize, avatarSize) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colours.at(int(qHash(user.username) % size_t(colours.size()))));
    painter.drawEllipse(QRectF(0, 0, avatarSize, avatarSize));
    QFont font = baseFont;
    font.setBold(true);
    font.setPixelSize(avatarSize * 2 / 5);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(QRectF(0, 0, avatarSize, avatarSize), Qt::AlignCenter,
                     initialsOf(user.displayName.isEmpty() ? user.username : user.displayName));
    return pixmap;
}

QLabel *valueLabel(const QString &objectName, const QString &accessibleName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QList<QKeySequence> standardOr(QKeySequence::StandardKey key, const QKeySequence &fallback)
{
    const QList<QKeySequence> keys = QKeySequence::keyBindings(key);
    return keys.isEmpty() ? QList<QKeySequence>{fallback} : keys;
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord user,
                       QWidget *parent)
    : MainWindow(std::move(database), std::move(clock), std::move(user), Options{}, parent)
{
}

MainWindow::MainWindow(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord user,
                       Options options, QWidget *parent)
    : QMainWindow(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_options(std::move(options))
    , m_accounts(m_database, m_clock)
    , m_plans(m_database, m_clock)
    , m_user(std::move(user))
{
    setWindowTitle(tr("Heliodesk"));
    setObjectName(QStringLiteral("mainWindow"));

    if (!m_options.knowledge)
        m_options.knowledge = std::make_shared<KnowledgeBase>(m_database, m_clock);
    m_answers = new CurrentProvider(m_options.knowledge, m_options.settingsFile, this);
    // Each answer keeps the provider it started with; new questions get the current one.
    m_chat = std::make_unique<ChatService>(
        m_database, m_clock, [answers = QPointer<CurrentProvider>(m_answers)](const QString &) {
            return answers ? answers->provider() : std::shared_ptr<ChatProvider>();
        },
        m_options.tuning);
    m_feedback = std::make_unique<FeedbackService>(m_database, m_clock);
    m_survey = std::make_unique<SurveyService>(m_database, m_clock);
    m_search = std::make_unique<SearchService>(m_database);
    m_conversations = new ConversationListModel(m_chat.get(), actor(), m_clock, this);
    m_messages = new MessageListModel(m_chat.get(), actor(), this);

    createActions();
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(createSidebar());
    splitter->addWidget(createChatPanel());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({280, 820});
    setCentralWidget(splitter);
    createStatusBar();
    wireChat();

    connect(m_answers, &CurrentProvider::changed, this, [this] {
        showCurrentProvider();
        updateComposer();
    });
    m_answers->reload();

    if (auto loaded = m_conversations->reload(); !loaded)
        showProblem(loaded.error().message());
    refresh();
    newChat();
    checkSurvey(); // due since an earlier session, e.g. dismissed by quitting
    resize(1120, 760);
}

MainWindow::~MainWindow()
{
    // Streams end, written as cancelled, while everything they report to still exists.
    m_chat->shutdown();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_chat->shutdown();
    QMainWindow::closeEvent(event);
}

// --- building ----------------------------------------------------------------------------------

void MainWindow::createActions()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    m_newChatAction = fileMenu->addAction(tr("&New Chat"), this, &MainWindow::newChat);
    m_newChatAction->setObjectName(QStringLiteral("newChatAction"));
    m_newChatAction->setShortcuts(standardOr(QKeySequence::New, QKeySequence(Qt::CTRL | Qt::Key_N)));
    m_exportAction = fileMenu->addAction(tr("&Export Conversation…"), this, &MainWindow::exportCurrentConversation);
    m_exportAction->setObjectName(QStringLiteral("exportAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    fileMenu->addSeparator();
    m_settingsAction = fileMenu->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcuts(standardOr(QKeySequence::Preferences, QKeySequence(Qt::CTRL | Qt::Key_Comma)));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    m_refreshAction = fileMenu->addAction(tr("&Refresh"), this, &MainWindow::refresh);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setStatusTip(tr("Read your account, plan, agents and conversations again"));
    fileMenu->addSeparator();
    m_quitAction = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    // Windows and some platform themes have no standard Quit key: Ctrl+Q is what people try there.
    m_quitAction->setShortcuts(standardOr(QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q)));
    m_quitAction->setMenuRole(QAction::QuitRole);

    QMenu *chatMenu = menuBar()->addMenu(tr("&Conversation"));
    m_findAction = chatMenu->addAction(tr("&Search Conversations"), this, [this] {
        m_searchEdit->setFocus(Qt::ShortcutFocusReason);
        m_searchEdit->selectAll();
    });
    m_findAction->setObjectName(QStringLiteral("findAction"));
    m_findAction->setShortcuts(standardOr(QKeySequence::Find, QKeySequence(Qt::CTRL | Qt::Key_F)));
    m_focusComposerAction = chatMenu->addAction(tr("&Write a Question"), this, [this] { m_composer->focusEditor(); });
    m_focusComposerAction->setObjectName(QStringLiteral("focusComposerAction"));
    m_focusComposerAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_stopAction = chatMenu->addAction(tr("S&top Answer"), this, &MainWindow::stop);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Period), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backspace)});
    m_stopAction->setEnabled(false);
    chatMenu->addSeparator();
    m_hireAction = chatMenu->addAction(tr("&Hire Agents…"), this, &MainWindow::showHireGallery);
    m_hireAction->setObjectName(QStringLiteral("hireAction"));

    // Administrators only: for anyone else the entry does not exist (and the services refuse anyway).
    if (m_user.role == Role::Admin) {
        QMenu *adminMenu = menuBar()->addMenu(tr("&Administration"));
        m_adminAction = adminMenu->addAction(tr("&Admin Panel…"), this, &MainWindow::showAdminPanel);
        m_adminAction->setObjectName(QStringLiteral("adminAction"));
        m_adminAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    }

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    m_aboutAction = helpMenu->addAction(tr("&About Heliodesk"), this, &MainWindow::showAbout);
    m_aboutAction->setObjectName(QStringLiteral("aboutAction"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
}

QWidget *MainWindow::createSidebar()
{
    auto *sidebar = new QWidget(this);
    sidebar->setObjectName(QStringLiteral("sidebar"));
    sidebar->setMinimumWidth(220);

    m_newChatButton = new QPushButton(tr("New Chat"), sidebar);
    m_newChatButton->setObjectName(QStringLiteral("newChatButton"));
    m_newChatButton->setAccessibleName(tr("Start a new chat"));
    m_newChatButton->setToolTip(tr("Start a new chat (%1)").arg(m_newChatAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_newChatButton, &QPushButton::clicked, this, &MainWindow::newChat);

    m_searchEdit = new QLineEdit(sidebar);
    m_searchEdit->setObjectName(QStringLiteral("searchEdit"));
    m_searchEdit->setAccessibleName(tr("Search conversations"));
    m_searchEdit->setPlaceholderText(tr("Search conversations (%1)").arg(m_findAction->shortcut().toString(QKeySequence::NativeText)));
    m_searchEdit->setClearButtonEnabled(true);
    m_searchEdit->installEventFilter(this);
    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(searchDelay);
    connect(&m_searchDelay, &QTimer::timeout, this, &MainWindow::runSearch);
    connect(m_searchEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.trimmed().isEmpty()) {
            m_searchDelay.stop();
            m_searchResults->clear();
            m_sidebarStack->setCurrentWidget(m_conversationList);
            return;
        }
        m_searchDelay.start(); // one query once typing pauses
    });
    connect(m_searchEdit, &QLineEdit::returnPressed, this, [this] {
        m_searchDelay.stop();
        runSearch();
        m_searchResults->activateCurrent();
    });

    m_conversationList = new QListView(sidebar);
    m_conversationList->setObjectName(QStringLiteral("conversationList"));
    m_conversationList->setAccessibleName(tr("Conversations"));
    m_conversationList->setModel(m_conversations);
    m_conversationDelegate = new ConversationListDelegate(m_conversationList);
    m_conversationList->setItemDelegate(m_conversationDelegate);
    m_conversationList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_conversationList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_conversationList->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_conversationList->setFrameShape(QFrame::NoFrame);
    m_conversationList->setContextMenuPolicy(Qt::CustomContextMenu);
    m_conversationList->setMouseTracking(true);
    connect(m_conversationList, &QListView::customContextMenuRequested, this, &MainWindow::showConversationMenu);
    connect(m_conversationList, &QListView::activated, this, [this](const QModelIndex &index) {
        openConversation(index.data(ConversationListModel::IdRole).toLongLong());
    });
    connect(m_conversationList, &QListView::clicked, this, [this](const QModelIndex &index) {
        openConversation(index.data(ConversationListModel::IdRole).toLongLong());
    });

    m_searchResults = new SearchResultsView(m_clock, sidebar);
    connect(m_searchResults, &SearchResultsView::hitActivated, this, &MainWindow::openMessage);

    m_sidebarStack = new QStackedWidget(sidebar);
    m_sidebarStack->addWidget(m_conversationList);
    m_sidebarStack->addWidget(m_searchResults);

    // Who is signed in.
    m_avatarLabel = new QLabel(sidebar);
    m_avatarLabel->setFixedSize(avatarSize, avatarSize);
    m_avatarLabel->setAccessibleName(tr("Avatar"));
    m_displayNameLabel = valueLabel(QStringLiteral("displayNameLabel"), tr("Signed-in user"), sidebar);
    QFont bold = font();
    bold.setBold(true);
    m_displayNameLabel->setFont(bold);
    m_userDetailsLabel = valueLabel(QStringLiteral("userDetailsLabel"), tr("Username, role and plan"), sidebar);
    m_userDetailsLabel->setForegroundRole(QPalette::PlaceholderText);
    auto *nameColumn = new QVBoxLayout;
    nameColumn->setSpacing(0);
    nameColumn->addWidget(m_displayNameLabel);
    nameColumn->addWidget(m_userDetailsLabel);
    auto *userRow = new QHBoxLayout;
    userRow->setSpacing(8);
    userRow->addWidget(m_avatarLabel);
    userRow->addLayout(nameColumn, 1);
    auto *settingsButton = new QToolButton(sidebar);
    settingsButton->setObjectName(QStringLiteral("settingsButton"));
    settingsButton->setDefaultAction(m_settingsAction);
    settingsButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    settingsButton->setAutoRaise(true);
    settingsButton->setText(tr("Settings"));
    settingsButton->setAccessibleName(tr("Settings"));
    userRow->addWidget(settingsButton);

    auto *layout = new QVBoxLayout(sidebar);
    layout->setContentsMargins(10, 10, 6, 8);
    layout->setSpacing(8);
    layout->addWidget(m_newChatButton);
    layout->addWidget(m_searchEdit);
    layout->addWidget(m_sidebarStack, 1);
    layout->addLayout(userRow);
    return sidebar;
}

QWidget *MainWindow::createChatPanel()
{
    auto *panel = new QWidget(this);
    panel->setObjectName(QStringLiteral("chatPanel"));

    m_agentBar = new QWidget(panel);
    m_agentBar->setObjectName(QStringLiteral("agentBar"));
    m_agentBar->setAccessibleName(tr("Your agents"));
    m_agentGroup = new QButtonGroup(m_agentBar);
    m_agentGroup->setExclusive(true);
    m_agentButtons = new QHBoxLayout;
    m_agentButtons->setSpacing(4);
    m_hireButton = new QPushButton(tr("Hire Agents…"), m_agentBar);
    m_hireButton->setObjectName(QStringLiteral("hireButton"));
    m_hireButton->setAccessibleName(tr("Hire agents"));
    m_hireButton->setFlat(true);
    connect(m_hireButton, &QPushButton::clicked, this, &MainWindow::showHireGallery);
    auto *barLayout = new QHBoxLayout(m_agentBar);
    barLayout->setContentsMargins(12, 8, 12, 4);
    barLayout->addLayout(m_agentButtons);
    barLayout->addStretch(1);
    barLayout->addWidget(m_hireButton);

    m_titleLabel = valueLabel(QStringLiteral("conversationTitle"), tr("Conversation title"), panel);
    QFont titleFont = font();
    titleFont.setPointSizeF(font().pointSizeF() * 1.2);
    titleFont.setBold(true);
    m_titleLabel->setFont(titleFont);
    m_titleLabel->setContentsMargins(14, 2, 14, 2);

    m_view = new ConversationView(panel);
    m_view->setModel(m_messages);

    m_problemMessage = new MessageLabel(MessageLabel::Presentation::Banner, panel);
    m_problemMessage->setObjectName(QStringLiteral("problemMessage"));

    m_surveyBanner = new SurveyBanner(panel);
    m_surveyBanner->hide();

    m_composer = new Composer(panel);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_agentBar);
    layout->addWidget(m_titleLabel);
    layout->addWidget(m_view, 1);
    auto *messages = new QVBoxLayout;
    messages->setContentsMargins(12, 4, 12, 0);
    messages->addWidget(m_problemMessage);
    messages->addWidget(m_surveyBanner);
    layout->addLayout(messages);
    layout->addWidget(m_composer);
    return panel;
}

void MainWindow::createStatusBar()
{
    m_usageLabel = valueLabel(QStringLiteral("usageLabel"), tr("Questions used this month"), this);
    m_usageBar = new QProgressBar(this);
    m_usageBar->setObjectName(QStringLiteral("usageBar"));
    m_usageBar->setAccessibleName(tr("Share of the monthly limit used"));
    m_usageBar->setTextVisible(false);
    m_usageBar->setFixedSize(90, 8);
    m_sourceLabel = valueLabel(QStringLiteral("sourceLabel"), tr("Where answers come from"), this);
    const QString databaseName = m_database->location().displayName();
    m_statusDatabaseLabel = valueLabel(QStringLiteral("statusDatabaseLabel"), tr("Database in use"), this);
    m_statusDatabaseLabel->setText(tr("Database: %1").arg(databaseName));
    m_statusDatabaseLabel->setToolTip(databaseName);
    for (QLabel *label : {m_usageLabel, m_sourceLabel, m_statusDatabaseLabel})
        label->setContentsMargins(6, 0, 6, 0);
    statusBar()->addWidget(m_usageLabel);
    statusBar()->addWidget(m_usageBar);
    statusBar()->addWidget(m_sourceLabel, 1);
    statusBar()->addPermanentWidget(m_statusDatabaseLabel);
}

void MainWindow::wireChat()
{
    connect(m_composer, &Composer::sendRequested, this, &MainWindow::send);
    connect(m_composer, &Composer::stopRequested, this, &MainWindow::stop);
    connect(m_view, &ConversationView::regenerateRequested, this, &MainWindow::regenerate);
    connect(m_view, &ConversationView::continueRequested, this, &MainWindow::continueAnswer);
    connect(m_view, &ConversationView::ratingRequested, this, &MainWindow::rate);
    connect(m_chat.get(), &ChatService::answerFinished, this,
            [this](qint64 answerId, MessageStatus, const QString &) { answerEnded(answerId); });
    connect(m_chat.get(), &ChatService::conversationChanged, this, [this](const ConversationRecord &conversation) {
        if (conversation.id == m_conversationId)
            updateTitle();
    });
    connect(m_chat.get(), &ChatService::conversationDeleted, this, [this](qint64 conversationId) {
        if (conversationId == m_conversationId)
            newChat();
    });
    connect(m_messages, &MessageListModel::loadFailed, this, [this](const Error &error) { showProblem(error.message()); });
    connect(m_surveyBanner, &SurveyBanner::submitted, this, [this](int score, const QString &comment) {
        if (auto saved = m_survey->submit(actor(), score, comment); !saved) {
            m_surveyBanner->showError(saved.error().message());
            return;
        }
        m_surveyBanner->hide();
        statusBar()->showMessage(tr("Thank you: your answer to the survey is saved."), 5000);
    });
    connect(m_surveyBanner, &SurveyBanner::dismissed, this, [this] {
        if (auto dismissed = m_survey->dismiss(actor()); !dismissed)
            qCWarning(lcWindow) << "could not record the dismissed survey:" << dismissed.error();
        m_surveyBanner->hide();
    });
}

// --- conversations -----------------------------------------------------------------------------

void MainWindow::newChat()
{
    m_conversationId = 0;
    m_messages->clear();
    m_conversationList->clearSelection();
    m_conversationList->setCurrentIndex({});
    if (!isUsable(m_agentId))
        m_agentId = firstUsableAgent();
    if (QAbstractButton *button = m_agentBar->findChild<QAbstractButton *>(QStringLiteral("agentButton_") + m_agentId))
        button->setChecked(true);
    m_view->setAgentName(agentName(m_agentId));
    m_view->setRatings({});
    updateTitle();
    updateComposer();
    m_composer->focusEditor();
}

bool MainWindow::openConversation(qint64 conversationId)
{
    if (conversationId == m_conversationId && conversationId != 0)
        return true;
    if (auto opened = m_messages->open(conversationId); !opened) {
        showProblem(opened.error().message());
        return false;
    }
    clearProblem();
    m_conversationId = conversationId;
    const int row = m_conversations->rowOf(conversationId);
    const QString agentId = row >= 0 ? m_conversations->at(row).agentId : QString();
    if (!agentId.isEmpty()) {
        m_agentId = agentId;
        if (QAbstractButton *button = m_agentBar->findChild<QAbstractButton *>(QStringLiteral("agentButton_") + agentId))
            button->setChecked(true);
    }
    m_view->setAgentName(agentName(agentId));
    if (auto ratings = m_feedback->feedbackFor(actor(), conversationId)) {
        QHash<qint64, int> byMessage;
        for (auto it = ratings->cbegin(); it != ratings->cend(); ++it)
            byMessage.insert(it.key(), it.value().rating);
        m_view->setRatings(byMessage);
    } else {
        qCWarning(lcWindow) << "could not read the ratings of conversation" << conversationId << ":" << ratings.error();
        m_view->setRatings({});
    }
    m_view->scrollToBottom();
    selectInList(conversationId);
    updateTitle();
    updateComposer();
    return true;
}

bool MainWindow::openMessage(qint64 conversationId, qint64 messageId)
{
    if (!openConversation(conversationId))
        return false;
    auto row = m_messages->reveal(messageId);
    if (!row) {
        showProblem(row.error().message());
        return false;
    }
    m_view->scrollToRow(*row);
    return true;
}

void MainWindow::selectInList(qint64 conversationId)
{
    const int row = m_conversations->rowOf(conversationId);
    if (row < 0)
        return;
    const QModelIndex index = m_conversations->index(row);
    m_conversationList->setCurrentIndex(index);
    m_conversationList->scrollTo(index);
}

void MainWindow::selectAgent(const QString &agentId)
{
    if (!isUsable(agentId))
        return;
    m_agentId = agentId;
    if (m_conversationId != 0) {
        const int row = m_conversations->rowOf(m_conversationId);
        if (row >= 0 && m_conversations->at(row).agentId == agentId)
            return; // already talking to it
        newChat();
        return;
    }
    if (QAbstractButton *button = m_agentBar->findChild<QAbstractButton *>(QStringLiteral("agentButton_") + agentId))
        button->setChecked(true);
    m_view->setAgentName(agentName(agentId));
    updateTitle();
    updateComposer();
}

bool MainWindow::isUsable(const QString &agentId) const
{
    if (agentId.isEmpty() || !m_hired.contains(agentId) || !m_planAgents.contains(agentId))
        return false;
    return std::any_of(m_agents.cbegin(), m_agents.cend(),
                       [&agentId](const AgentRecord &agent) { return agent.id == agentId && agent.enabled; });
}

QString MainWindow::firstUsableAgent() const
{
    // In the catalogue's order, like the agent bar.
    for (const AgentRecord &agent : m_agents)
        if (isUsable(agent.id))
            return agent.id;
    return {};
}

QString MainWindow::agentName(const QString &agentId) const
{
    for (const AgentRecord &agent : m_agents)
        if (agent.id == agentId)
            return agent.name;
    return agentId;
}

void MainWindow::updateTitle()
{
    if (m_conversationId == 0) {
        m_titleLabel->setText(m_agentId.isEmpty() ? tr("New chat") : tr("New chat with %1").arg(agentName(m_agentId)));
        m_view->setPlaceholderText(m_agentId.isEmpty()
                                       ? tr("Hire an agent to start: “Hire Agents…” above lists them all.")
                                       : tr("Ask %1 anything.").arg(agentName(m_agentId)));
        setWindowTitle(tr("Heliodesk"));
        return;
    }
    const int row = m_conversations->rowOf(m_conversationId);
    const QString title = row >= 0 ? m_conversations->at(row).title : QString();
    m_titleLabel->setText(title);
    setWindowTitle(tr("%1 — Heliodesk").arg(title));
}

// --- asking ------------------------------------------------------------------------------------

void MainWindow::send(const QString &question)
{
    AskRequest request;
    if (m_conversationId != 0)
        request.conversationId = m_conversationId;
    else
        request.agentId = m_agentId;
    request.question = question;
    auto ticket = m_chat->ask(actor(), request);
    if (!ticket) {
        showProblem(ticket.error().message());
        showQuota();
        return;
    }
    clearProblem();
    m_composer->clear();
    m_streamingAnswerId = ticket->answerId;
    if (m_conversationId != ticket->conversationId)
        openConversation(ticket->conversationId);
    m_view->scrollToBottom();
    showQuota();
    updateComposer();
}

void MainWindow::stop()
{
    if (m_streamingAnswerId != 0)
        m_chat->stop(m_streamingAnswerId);
}

void MainWindow::regenerate(qint64 answerId)
{
    auto ticket = m_chat->regenerate(actor(), answerId);
    if (!ticket) {
        showProblem(ticket.error().message());
        showQuota();
        return;
    }
    clearProblem();
    m_streamingAnswerId = ticket->answerId;
    m_view->scrollToBottom();
    showQuota();
    updateComposer();
}

void MainWindow::continueAnswer(qint64 answerId)
{
    auto ticket = m_chat->continueAnswer(actor(), answerId);
    if (!ticket) {
        showProblem(ticket.error().message());
        showQuota();
        return;
    }
    clearProblem();
    m_streamingAnswerId = ticket->answerId;
    m_view->scrollToBottom();
    showQuota();
    updateComposer();
}

void MainWindow::answerEnded(qint64 answerId)
{
    if (answerId != m_streamingAnswerId)
        return;
    m_streamingAnswerId = 0;
    showQuota();
    updateComposer();
    checkSurvey();
}

void MainWindow::rate(qint64 answerId, int rating)
{
    if (rating == 0) {
        if (auto cleared = m_feedback->clear(actor(), answerId); !cleared) {
            showProblem(cleared.error().message());
            return;
        }
        m_view->setRating(answerId, 0);
        return;
    }
    // The rating counts at the click; the comment, if any, is added to it.
    if (auto saved = m_feedback->rate(actor(), answerId, rating); !saved) {
        showProblem(saved.error().message());
        m_view->setRating(answerId, 0);
        return;
    }
    m_view->setRating(answerId, rating);
    auto *popup = new FeedbackPopup(rating, this);
    connect(popup, &FeedbackPopup::submitted, this, [this, popup, answerId, rating](const QString &comment) {
        popup->deleteLater();
        if (auto saved = m_feedback->rate(actor(), answerId, rating, comment); !saved)
            showProblem(saved.error().message());
        else
            statusBar()->showMessage(tr("Thank you: your feedback is saved."), 4000);
    });
    connect(popup, &FeedbackPopup::dismissed, popup, &QObject::deleteLater);
    popup->popUp(m_view->actionBar());
}

void MainWindow::checkSurvey()
{
    if (!m_surveyBanner->isHidden())
        return;
    auto due = m_survey->isDue(actor());
    if (!due) {
        qCWarning(lcWindow) << "could not check whether the survey is due:" << due.error();
        return;
    }
    if (*due) {
        m_surveyBanner->reset();
        m_surveyBanner->show();
    }
}

// --- state shown -------------------------------------------------------------------------------

void MainWindow::refresh()
{
    QStringList problems;
    if (auto user = m_accounts.findUser(actor(), m_user.username))
        m_user = *user;
    else
        problems << user.error().message();
    const QString name = m_user.displayName.isEmpty() ? m_user.username : m_user.displayName;
    m_displayNameLabel->setText(name);
    // Short enough for a narrow sidebar; the username is in the tooltip (and is the name when
    // there is no display name).
    m_userDetailsLabel->setText(tr("%1 · %2 plan").arg(roleName(m_user.role), m_user.planName));
    m_userDetailsLabel->setToolTip(tr("Signed in as %1").arg(m_user.username));
    m_avatarLabel->setPixmap(avatarFor(m_user, font(), devicePixelRatioF()));

    if (auto agents = m_plans.listAgents())
        m_agents = *agents;
    else
        problems << agents.error().message();
    m_planAgents.clear();
    if (auto plans = m_plans.listPlans()) {
        for (const PlanRecord &plan : std::as_const(*plans))
            if (plan.id == m_user.planId)
                m_planAgents = plan.agentIds;
    } else {
        problems << plans.error().message();
    }
    if (auto hired = m_plans.hiredAgents(actor(), m_user.username))
        m_hired = *hired;
    else
        problems << hired.error().message();
    if (auto loaded = m_conversations->reload(); !loaded)
        problems << loaded.error().message();

    QHash<QString, QString> names;
    for (const AgentRecord &agent : std::as_const(m_agents))
        names.insert(agent.id, agent.name);
    m_conversationDelegate->setAgentNames(names);
    m_conversationList->viewport()->update();
    showAgents();
    showQuota();
    if (m_conversationId != 0)
        selectInList(m_conversationId);
    updateTitle();
    updateComposer();
    if (problems.isEmpty())
        clearProblem();
    else
        showProblem(problems.join(u'\n'));
}

void MainWindow::showAgents()
{
    for (QAbstractButton *button : m_agentGroup->buttons()) {
        m_agentGroup->removeButton(button);
        delete button;
    }
    // Hired agents in the catalogue's order, each a button that starts a chat with it.
    for (const AgentRecord &agent : std::as_const(m_agents)) {
        if (!m_hired.contains(agent.id))
            continue;
        auto *button = new QToolButton(m_agentBar);
        button->setObjectName(QStringLiteral("agentButton_") + agent.id);
        button->setText(QString(agent.name).replace(u'&', QStringLiteral("&&"))); // "O&M" is a name, not a shortcut
        button->setAccessibleName(tr("Chat with %1").arg(agent.name));
        const bool usable = agent.enabled && m_planAgents.contains(agent.id);
        button->setToolTip(usable ? agent.description
                                  : tr("%1 — not available: %2").arg(agent.name, agent.enabled ? tr("your plan does not include it")
                                                                                                 : tr("an administrator turned it off")));
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setEnabled(usable);
        m_agentGroup->addButton(button);
        m_agentButtons->addWidget(button);
        connect(button, &QToolButton::clicked, this, [this, id = agent.id] { selectAgent(id); });
    }
    if (m_conversationId == 0 && !isUsable(m_agentId))
        m_agentId = firstUsableAgent();
    if (QAbstractButton *button = m_agentBar->findChild<QAbstractButton *>(QStringLiteral("agentButton_") + m_agentId))
        button->setChecked(true);
    m_hireButton->setText(m_hired.isEmpty() ? tr("Hire Agents to Start…") : tr("Hire Agents…"));
}

void MainWindow::showQuota()
{
    if (auto user = m_accounts.findUser(actor(), m_user.username))
        m_user = *user;
    const QDateTime now = m_clock->nowUtc();
    const int used = m_user.usedIn(quotaPeriodOf(now));
    const QDate firstOfNextMonth = QDate(now.date().year(), now.date().month(), 1).addMonths(1);
    const QString resetDate = QLocale().toString(firstOfNextMonth, QLocale::LongFormat);
    m_quotaReached = false;
    if (m_user.effectiveLimit) {
        const int limit = *m_user.effectiveLimit;
        m_quotaReached = used >= limit;
        m_usageLabel->setText(tr("Used %1 of %2 questions this month").arg(used).arg(limit));
        m_usageLabel->setToolTip(tr("The count starts again on %1 (UTC).").arg(resetDate));
        m_usageBar->setRange(0, std::max(limit, 1));
        m_usageBar->setValue(std::min(used, std::max(limit, 1)));
        m_usageBar->setVisible(true);
    } else {
        m_usageLabel->setText(tr("Used %1 questions this month (no limit)").arg(used));
        m_usageLabel->setToolTip({});
        m_usageBar->setVisible(false);
    }
    updateComposer();
}

void MainWindow::showCurrentProvider()
{
    const QString source = m_answers->isReady() ? m_answers->description() : tr("reading the API key from the keychain…");
    m_sourceLabel->setText(tr("Answers: %1").arg(source));
    m_sourceLabel->setToolTip(m_answers->isOffline()
                                  ? tr("No model endpoint is set up: agents answer from their reference documents, with sources. "
                                       "Settings… connects a model.")
                                  : m_answers->config().baseUrl.toString());
    if (!m_answers->keyProblem().isEmpty())
        statusBar()->showMessage(m_answers->keyProblem(), 10000);
}

void MainWindow::updateComposer()
{
    const bool streaming = m_streamingAnswerId != 0;
    m_composer->setStreaming(streaming);
    m_stopAction->setEnabled(streaming);
    QString reason;
    if (m_quotaReached && m_user.effectiveLimit) {
        const QDateTime now = m_clock->nowUtc();
        const QDate firstOfNextMonth = QDate(now.date().year(), now.date().month(), 1).addMonths(1);
        reason = tr("You have used all %1 questions of this month. The count starts again on %2; an administrator can raise "
                    "your limit before then.")
                     .arg(*m_user.effectiveLimit)
                     .arg(QLocale().toString(firstOfNextMonth, QLocale::LongFormat));
    } else if (m_conversationId == 0 && m_agentId.isEmpty()) {
        reason = m_hired.isEmpty() ? tr("You have no agents yet. Hire one with “Hire Agents…” to ask questions.")
                                   : tr("None of your agents is available: your plan does not include them, or an "
                                        "administrator turned them off. Hire another with “Hire Agents…”.");
    } else if (!m_answers->isReady()) {
        reason = tr("Reading the API key from the keychain…");
    }
    m_composer->setBlockedReason(reason);
    const QString agent = agentName(m_conversationId != 0 && m_conversations->rowOf(m_conversationId) >= 0
                                        ? m_conversations->at(m_conversations->rowOf(m_conversationId)).agentId
                                        : m_agentId);
    m_composer->setPlaceholderText(agent.isEmpty() ? tr("Ask a question… (Enter sends, Shift+Enter for a new line)")
                                                   : tr("Ask %1… (Enter sends, Shift+Enter for a new line)").arg(agent));
    m_exportAction->setEnabled(m_conversationId != 0);
}

void MainWindow::showProblem(const QString &message)
{
    m_problemMessage->showError(message);
}

void MainWindow::clearProblem()
{
    m_problemMessage->clearMessage();
}

// --- search ------------------------------------------------------------------------------------

void MainWindow::runSearch()
{
    const QString typed = m_searchEdit->text();
    if (typed.trimmed().isEmpty())
        return;
    auto hits = m_search->search(actor(), typed);
    if (!hits) {
        showProblem(hits.error().message());
        return;
    }
    m_searchResults->showResults(typed, *hits);
    m_sidebarStack->setCurrentWidget(m_searchResults);
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // The search box steers its results: arrows move, Escape goes back to the conversations.
    if (watched == m_searchEdit && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Down || key->key() == Qt::Key_Up) {
            if (m_sidebarStack->currentWidget() == m_searchResults) {
                m_searchResults->moveSelection(key->key() == Qt::Key_Down ? 1 : -1);
                return true;
            }
        } else if (key->key() == Qt::Key_Escape && !m_searchEdit->text().isEmpty()) {
            m_searchEdit->clear();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

// --- conversation menu -------------------------------------------------------------------------

void MainWindow::showConversationMenu(const QPoint &pos)
{
    const QModelIndex index = m_conversationList->indexAt(pos);
    if (!index.isValid())
        return;
    const qint64 id = index.data(ConversationListModel::IdRole).toLongLong();
    const bool pinned = index.data(ConversationListModel::PinnedRole).toBool();
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("conversationMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Rename…"), this, [this, id] { renameConversation(id); })->setObjectName(QStringLiteral("renameAction"));
    menu->addAction(pinned ? tr("Unpin") : tr("Pin to Top"), this, [this, id] { togglePinned(id); })
        ->setObjectName(QStringLiteral("pinAction"));
    menu->addAction(tr("Export…"), this, [this, id] {
            if (openConversation(id))
                exportCurrentConversation();
        })->setObjectName(QStringLiteral("exportConversationAction"));
    menu->addSeparator();
    menu->addAction(tr("Delete…"), this, [this, id] { deleteConversation(id); })->setObjectName(QStringLiteral("deleteAction"));
    menu->popup(m_conversationList->viewport()->mapToGlobal(pos));
}

void MainWindow::renameConversation(qint64 conversationId)
{
    const int row = m_conversations->rowOf(conversationId);
    if (row < 0)
        return;
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("renameDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Rename Conversation"));
    dialog->setLabelText(tr("Name:"));
    dialog->setTextValue(m_conversations->at(row).title);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, conversationId](const QString &title) {
        if (auto renamed = m_chat->renameConversation(actor(), conversationId, title); !renamed)
            showProblem(renamed.error().message());
    });
    dialog->open();
}

void MainWindow::togglePinned(qint64 conversationId)
{
    const int row = m_conversations->rowOf(conversationId);
    if (row < 0)
        return;
    if (auto changed = m_chat->setConversationPinned(actor(), conversationId, !m_conversations->at(row).pinned); !changed)
        showProblem(changed.error().message());
    else if (conversationId == m_conversationId)
        selectInList(conversationId);
}

void MainWindow::deleteConversation(qint64 conversationId)
{
    const int row = m_conversations->rowOf(conversationId);
    if (row < 0)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete Conversation"),
                                tr("Delete “%1” and all its messages?").arg(m_conversations->at(row).title),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteConfirmation"));
    box->setInformativeText(tr("This cannot be undone. The questions it used still count towards this month's limit."));
    QPushButton *remove = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, conversationId](QAbstractButton *clicked) {
        if (clicked != remove)
            return;
        if (auto removed = m_chat->deleteConversation(actor(), conversationId); !removed)
            showProblem(removed.error().message());
    });
    box->open();
}

// --- dialogs -----------------------------------------------------------------------------------

void MainWindow::showHireGallery()
{
    if (m_hireGallery) {
        m_hireGallery->raise();
        m_hireGallery->activateWindow();
        return;
    }
    m_hireGallery = new HireGalleryDialog(m_database, m_clock, m_user, this);
    m_hireGallery->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_hireGallery, &HireGalleryDialog::hiredAgentsChanged, this, [this](const QStringList &hired) {
        m_hired = hired;
        showAgents();
        if (m_conversationId == 0)
            newChat();
        updateComposer();
    });
    m_hireGallery->show();
}

void MainWindow::showAdminPanel()
{
    if (m_adminPanel) {
        m_adminPanel->raise();
        m_adminPanel->activateWindow();
        return;
    }
    m_adminPanel = new AdminPanel(m_database, m_clock, m_user, m_chat.get(), this);
    m_adminPanel->setWindowFlag(Qt::Window);
    m_adminPanel->setAttribute(Qt::WA_DeleteOnClose);
    m_adminPanel->show();
}

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(m_options.settingsFile, this, m_database->location());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::settingsChanged, m_answers, &CurrentProvider::reload);
    dialog->open();
}

void MainWindow::exportCurrentConversation()
{
    if (m_conversationId == 0)
        return;
    auto *exporter = ConversationExporter::exportConversation(this, *m_chat, actor(), m_conversationId,
                                                              agentName(m_agentId));
    connect(exporter, &ConversationExporter::exported, this,
            [this](const QString &path) { statusBar()->showMessage(tr("Exported to %1").arg(path), 6000); });
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(QMessageBox::NoIcon, tr("About Heliodesk"),
                                tr("<h3>Heliodesk %1</h3>"
                                   "<p>Desktop chat with energy-sector AI agents: news, operations and maintenance, "
                                   "markets and digitalization.</p>"
                                   "<p>Built with Qt %2.</p>")
                                    .arg(QStringLiteral(HELIODESK_VERSION), QString::fromLatin1(qVersion())),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setTextFormat(Qt::RichText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace heliodesk
