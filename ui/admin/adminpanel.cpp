#include "adminpanel.h"

#include "agentstab.h"
#include "audittab.h"
#include "feedbacktab.h"
#include "healthtab.h"
#include "planstab.h"
#include "usagetab.h"
#include "userstab.h"

#include "model/accountservice.h"
#include "model/chat/chatservice.h"

#include <QCloseEvent>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QMetaObject>
#include <QTabWidget>
#include <QVBoxLayout>

namespace heliodesk {

AdminPanel::AdminPanel(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord admin,
                       ChatService *chat, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_admin(std::move(admin))
    , m_chat(chat)
{
    setObjectName(QStringLiteral("adminPanel"));
    setWindowTitle(tr("Heliodesk Administration"));
    setAccessibleName(tr("Administration"));
    setAttribute(Qt::WA_DeleteOnClose, false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);

    // The services decide: listing users is an admin call that re-reads the actor's row.
    AccountService accounts(m_database, m_clock);
    const auto check = accounts.listUsers(Actor::user(m_admin));
    m_allowed = check.has_value();
    if (!m_allowed) {
        m_refusal = new QLabel(this);
        m_refusal->setObjectName(QStringLiteral("notAllowedMessage"));
        m_refusal->setAccessibleName(tr("Not allowed"));
        m_refusal->setWordWrap(true);
        m_refusal->setAlignment(Qt::AlignCenter);
        m_refusal->setText(check.error().code() == ErrorCode::NotAllowed
                               ? check.error().message()
                               : tr("Not allowed: the administration could not be opened. %1").arg(check.error().message()));
        layout->addWidget(m_refusal);
        resize(420, 160);
        return;
    }

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("adminTabs"));
    m_tabs->setAccessibleName(tr("Administration sections"));
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs);
    buildTabs();
    resize(1100, 720);
}

void AdminPanel::buildTabs()
{
    const Actor actor = Actor::user(m_admin);
    // The tabs, in the order the issue lists them. Each takes (database, clock, actor[, chat], parent)
    // and has a reload() slot.
    m_tabs->addTab(new UsersTab(m_database, m_clock, actor, m_chat, m_tabs), tr("&Users"));
    m_tabs->addTab(new PlansTab(m_database, m_clock, actor, m_tabs), tr("&Plans"));
    m_tabs->addTab(new UsageTab(m_database, m_clock, actor, m_tabs), tr("U&sage"));
    m_tabs->addTab(new FeedbackTab(m_database, m_clock, actor, m_tabs), tr("&Feedback"));
    m_agentsTab = new AgentsTab(m_database, m_clock, actor, m_tabs);
    m_tabs->addTab(m_agentsTab, tr("A&gents"));
    m_tabs->addTab(new AuditTab(m_database, m_clock, actor, m_tabs), tr("&Audit Log"));
    m_tabs->addTab(new HealthTab(m_database, m_clock, actor, m_chat, m_tabs), tr("&Health"));
    // What one tab changes (a user, a plan) another shows: read a tab again when it is chosen.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (QWidget *tab = m_tabs->widget(index))
            QMetaObject::invokeMethod(tab, "reload", Qt::DirectConnection);
    });
}

void AdminPanel::closeEvent(QCloseEvent *event)
{
    if (m_closeAnswered || !m_agentsTab || !m_agentsTab->hasUnsavedChanges()) {
        m_closeAnswered = false;
        QWidget::closeEvent(event);
        return;
    }
    event->ignore();
    if (m_unsavedQuestion) {
        m_unsavedQuestion->raise();
        return;
    }
    const QStringList names = m_agentsTab->unsavedAgentNames();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Unsaved Agent Changes"),
                                names.size() == 1
                                    ? tr("The system prompt or model of the %1 agent was changed and not saved.").arg(names.first())
                                    : tr("The system prompts or models of %1 were changed and not saved.")
                                          .arg(QLocale().createSeparatedList(names)),
                                QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("unsavedAgentChangesBox"));
    box->setInformativeText(tr("Save the changes before closing the administration?"));
    box->setDefaultButton(QMessageBox::Save);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box] { answerUnsavedQuestion(box); });
    m_unsavedQuestion = box;
    box->open();
}

void AdminPanel::answerUnsavedQuestion(QMessageBox *box)
{
    switch (box->standardButton(box->clickedButton())) {
    case QMessageBox::Save:
        if (!m_agentsTab->saveAll()) {
            m_tabs->setCurrentWidget(m_agentsTab); // the banner there says what was refused
            return;
        }
        break;
    case QMessageBox::Discard:
        m_agentsTab->discardAll();
        break;
    default:
        return; // Cancel, or Esc: the panel stays open with the edits
    }
    m_closeAnswered = true;
    close();
}

void AdminPanel::reload()
{
    if (!m_tabs)
        return;
    for (int i = 0; i < m_tabs->count(); ++i)
        QMetaObject::invokeMethod(m_tabs->widget(i), "reload", Qt::DirectConnection);
}

} // namespace heliodesk
