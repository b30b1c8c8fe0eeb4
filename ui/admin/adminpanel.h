#pragma once

// The admin panel: one non-modal window whose tabs hold the admin functions. It opens only for an
// admin (checked against the database, not the cached role); anyone else sees "Not allowed".

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/records.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QCloseEvent;
class QLabel;
class QMessageBox;
class QTabWidget;

namespace heliodesk {

class AgentsTab;
class ChatService;

class AdminPanel : public QWidget
{
    Q_OBJECT

public:
    AdminPanel(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, UserRecord admin,
               ChatService *chat, QWidget *parent = nullptr);

    /// False when the user is not an active admin: the window then holds only the refusal.
    [[nodiscard]] bool isAllowed() const { return m_allowed; }
    /// Null when not allowed.
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }

public Q_SLOTS:
    /// Re-reads every tab.
    void reload();

protected:
    /// With unsaved agent edits, asks Save / Discard / Cancel (window-modal, opened with open()).
    void closeEvent(QCloseEvent *event) override;

private:
    void buildTabs();
    void answerUnsavedQuestion(QMessageBox *box);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    UserRecord m_admin;
    ChatService *m_chat = nullptr;
    bool m_allowed = false;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_refusal = nullptr;
    AgentsTab *m_agentsTab = nullptr;
    QPointer<QMessageBox> m_unsavedQuestion;
    bool m_closeAnswered = false; // the question was answered: the next close goes through
};

} // namespace heliodesk
