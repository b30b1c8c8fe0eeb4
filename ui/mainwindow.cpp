#include "mainwindow.h"

#include "messagelabel.h"

#include <heliodesk/version.h>

#include <QAction>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QStatusBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

constexpr int avatarSize = 56;

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
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QFont scaledFont(const QFont &base, qreal factor, bool bold = false)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * factor);
    font.setBold(bold);
    return font;
}

} // namespace

MainWindow::MainWindow(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord user,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_accounts(m_database, m_clock)
    , m_plans(m_database, m_clock)
    , m_user(std::move(user))
{
    setWindowTitle(tr("Heliodesk"));
    setObjectName(QStringLiteral("mainWindow"));
    createActions();
    setCentralWidget(createCentralPanel());

    const QString databaseName = m_database->location().displayName();
    m_statusDatabaseLabel = valueLabel(QStringLiteral("statusDatabaseLabel"), tr("Database in use"), this);
    m_statusDatabaseLabel->setText(tr("Database: %1").arg(databaseName));
    m_statusDatabaseLabel->setToolTip(databaseName);
    m_statusDatabaseLabel->setContentsMargins(6, 0, 6, 0);
    statusBar()->addWidget(m_statusDatabaseLabel, 1);

    refresh();
    // As tall as the content needs, wide enough for the agents' descriptions on one line.
    resize(std::max(820, sizeHint().width()), minimumSizeHint().height() + 24);
}

void MainWindow::createActions()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    m_refreshAction = fileMenu->addAction(tr("&Refresh"), this, &MainWindow::refresh);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setStatusTip(tr("Read your account, plan and the agents again"));
    fileMenu->addSeparator();
    m_quitAction = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    // Windows and some platform themes have no standard Quit key: Ctrl+Q is what people try there.
    const QList<QKeySequence> quitKeys = QKeySequence::keyBindings(QKeySequence::Quit);
    m_quitAction->setShortcuts(quitKeys.isEmpty() ? QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_Q)} : quitKeys);
    m_quitAction->setMenuRole(QAction::QuitRole);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    m_aboutAction = helpMenu->addAction(tr("&About Heliodesk"), this, &MainWindow::showAbout);
    m_aboutAction->setObjectName(QStringLiteral("aboutAction"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
}

QWidget *MainWindow::createCentralPanel()
{
    auto *panel = new QWidget(this);
    panel->setObjectName(QStringLiteral("centralPanel"));

    // Who is signed in.
    m_avatarLabel = new QLabel(panel);
    m_avatarLabel->setFixedSize(avatarSize, avatarSize);
    m_avatarLabel->setAccessibleName(tr("Avatar"));
    m_displayNameLabel = valueLabel(QStringLiteral("displayNameLabel"), tr("Signed-in user"), panel);
    m_displayNameLabel->setFont(scaledFont(font(), 1.5, true));
    m_userDetailsLabel = valueLabel(QStringLiteral("userDetailsLabel"), tr("Username and role"), panel);
    auto *nameColumn = new QVBoxLayout;
    nameColumn->setSpacing(2);
    nameColumn->addStretch(1);
    nameColumn->addWidget(m_displayNameLabel);
    nameColumn->addWidget(m_userDetailsLabel);
    nameColumn->addStretch(1);
    auto *userRow = new QHBoxLayout;
    userRow->setSpacing(14);
    userRow->addWidget(m_avatarLabel);
    userRow->addLayout(nameColumn, 1);

    m_problemMessage = new MessageLabel(MessageLabel::Presentation::Banner, panel);
    m_problemMessage->setObjectName(QStringLiteral("problemMessage"));

    // Plan and this month's queries.
    auto *planBox = new QGroupBox(tr("Plan and usage"), panel);
    m_planLabel = valueLabel(QStringLiteral("planLabel"), tr("Plan"), planBox);
    m_usageLabel = valueLabel(QStringLiteral("usageLabel"), tr("Queries this month"), planBox);
    m_usageBar = new QProgressBar(planBox);
    m_usageBar->setObjectName(QStringLiteral("usageBar"));
    m_usageBar->setAccessibleName(tr("Share of the monthly limit used"));
    m_usageBar->setTextVisible(false);
    m_usageBar->setFixedHeight(8);
    m_resetLabel = valueLabel(QStringLiteral("resetLabel"), tr("When the count starts again"), planBox);
    m_resetLabel->setForegroundRole(QPalette::PlaceholderText);
    auto *usageColumn = new QVBoxLayout;
    usageColumn->setSpacing(6);
    usageColumn->addWidget(m_usageLabel);
    usageColumn->addWidget(m_usageBar);
    usageColumn->addWidget(m_resetLabel);
    auto *planForm = new QFormLayout(planBox);
    planForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    planForm->setLabelAlignment(Qt::AlignLeft);
    planForm->setVerticalSpacing(10);
    planForm->setContentsMargins(14, 12, 14, 14);
    planForm->addRow(tr("Plan:"), m_planLabel);
    planForm->addRow(tr("Usage:"), usageColumn);

    // The agents, and which of them the plan includes.
    auto *agentBox = new QGroupBox(tr("Agents"), panel);
    m_agentList = new QTreeWidget(agentBox);
    m_agentList->setObjectName(QStringLiteral("agentList"));
    m_agentList->setAccessibleName(tr("Agents"));
    m_agentList->setColumnCount(3);
    m_agentList->setHeaderLabels({tr("Agent"), tr("Access"), tr("What it knows about")});
    m_agentList->setRootIsDecorated(false);
    m_agentList->setUniformRowHeights(true);
    m_agentList->setAlternatingRowColors(true);
    m_agentList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_agentList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_agentList->header()->setStretchLastSection(true);
    m_agentList->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_agentList->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_agentList->header()->setSectionsMovable(false);
    auto *agentLayout = new QVBoxLayout(agentBox);
    agentLayout->setContentsMargins(14, 12, 14, 14);
    agentLayout->addWidget(m_agentList);

    // Where the data lives.
    auto *databaseBox = new QGroupBox(tr("Database"), panel);
    m_databaseLabel = valueLabel(QStringLiteral("databaseLabel"), tr("Database location"), databaseBox);
    m_databaseLabel->setWordWrap(true);
    m_databaseKindLabel = valueLabel(QStringLiteral("databaseKindLabel"), tr("Database kind"), databaseBox);
    auto *databaseForm = new QFormLayout(databaseBox);
    databaseForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    databaseForm->setLabelAlignment(Qt::AlignLeft);
    databaseForm->setContentsMargins(14, 12, 14, 14);
    databaseForm->addRow(tr("Location:"), m_databaseLabel);
    databaseForm->addRow(tr("Kind:"), m_databaseKindLabel);

    const DatabaseLocation &location = m_database->location();
    m_databaseLabel->setText(location.displayName());
    m_databaseKindLabel->setText(location.engine() == DatabaseLocation::Engine::Sqlite
                                     ? tr("SQLite file on this computer")
                                     : tr("PostgreSQL server, shared by a team"));

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(20, 18, 20, 14);
    layout->setSpacing(14);
    layout->addLayout(userRow);
    layout->addWidget(m_problemMessage);
    layout->addWidget(planBox);
    layout->addWidget(agentBox, 1);
    layout->addWidget(databaseBox);
    return panel;
}

void MainWindow::refresh()
{
    QStringList problems;
    if (auto user = m_accounts.findUser(Actor::user(m_user), m_user.username))
        m_user = *user;
    else
        problems << user.error().message();
    showUser();

    showPlan();

    QList<PlanRecord> plans;
    if (auto listed = m_plans.listPlans())
        plans = *listed;
    else
        problems << listed.error().message();

    QStringList hired;
    if (auto listed = m_plans.hiredAgents(Actor::user(m_user), m_user.username))
        hired = *listed;
    else
        problems << listed.error().message();

    if (auto agents = m_plans.listAgents())
        showAgents(*agents, plans, hired);
    else
        problems << agents.error().message();

    if (problems.isEmpty())
        m_problemMessage->clearMessage();
    else
        m_problemMessage->showError(problems.join(u'\n'));
}

void MainWindow::showUser()
{
    const QString name = m_user.displayName.isEmpty() ? m_user.username : m_user.displayName;
    m_displayNameLabel->setText(name);
    m_userDetailsLabel->setText(tr("%1 · %2").arg(m_user.username, roleName(m_user.role)));
    m_avatarLabel->setPixmap(avatarFor(m_user, font(), devicePixelRatioF()));
}

void MainWindow::showPlan()
{
    switch (m_user.quotaMode) {
    case QuotaMode::Plan: m_planLabel->setText(m_user.planName); break;
    case QuotaMode::Limit: m_planLabel->setText(tr("%1, with a limit of your own").arg(m_user.planName)); break;
    case QuotaMode::Unlimited: m_planLabel->setText(tr("%1, without a limit for you").arg(m_user.planName)); break;
    }

    const QDateTime now = m_clock->nowUtc();
    const int used = m_user.usedIn(quotaPeriodOf(now));
    if (m_user.effectiveLimit) {
        const int limit = *m_user.effectiveLimit;
        QString text = tr("Used %1 of %2 queries this month").arg(used).arg(limit);
        if (used >= limit)
            text += tr(" — the limit is reached");
        m_usageLabel->setText(text);
        m_usageBar->setRange(0, std::max(limit, 1));
        m_usageBar->setValue(std::min(used, std::max(limit, 1)));
        m_usageBar->setVisible(true);
    } else {
        m_usageLabel->setText(tr("Unlimited: used %1 queries this month").arg(used));
        m_usageBar->setVisible(false);
    }
    const QDate firstOfNextMonth = QDate(now.date().year(), now.date().month(), 1).addMonths(1);
    m_resetLabel->setText(tr("The count starts again on %1 (UTC).").arg(QLocale().toString(firstOfNextMonth, QLocale::LongFormat)));
    m_resetLabel->setVisible(m_user.effectiveLimit.has_value());
}

void MainWindow::showAgents(const QList<AgentRecord> &agents, const QList<PlanRecord> &plans, const QStringList &hired)
{
    QStringList included;
    for (const PlanRecord &plan : plans) {
        if (plan.id == m_user.planId)
            included = plan.agentIds;
    }
    m_agentList->clear();
    for (const AgentRecord &agent : agents) {
        const bool inPlan = included.contains(agent.id);
        const QString access = !agent.enabled ? tr("Switched off")
            : !inPlan                          ? tr("Not in your plan")
            : hired.contains(agent.id)         ? tr("Hired")
                                               : tr("In your plan");
        auto *item = new QTreeWidgetItem(m_agentList, {agent.name, access, agent.description});
        item->setToolTip(2, agent.description);
        // Rows with room to breathe; the widths are what the style would ask for.
        for (int column = 0; column < m_agentList->columnCount(); ++column)
            item->setSizeHint(column, QSize(fontMetrics().horizontalAdvance(item->text(column)) + 14, fontMetrics().height() + 12));
        item->setData(0, Qt::UserRole, agent.id);
        if (!agent.enabled || !inPlan) {
            for (int column = 0; column < m_agentList->columnCount(); ++column)
                item->setForeground(column, palette().brush(QPalette::Disabled, QPalette::Text));
        }
    }
    // Show every agent without scrolling; the list still grows with the window.
    int height = m_agentList->header()->sizeHint().height() + 2 * m_agentList->frameWidth();
    for (int i = 0; i < m_agentList->topLevelItemCount(); ++i)
        height += m_agentList->sizeHintForRow(i);
    m_agentList->setMinimumHeight(height + 2);
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
