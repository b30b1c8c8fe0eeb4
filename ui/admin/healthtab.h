#pragma once

// The admin panel's Health tab: database connections, active streams, process memory, answers
// failed in the last 24 hours, the database file's size and last backup, and "Back up now".
// The figures are read again every few seconds while the tab is visible.

#include "model/actor.h"
#include "model/clock.h"
#include "storage/database.h"

#include <QWidget>

#include <chrono>
#include <memory>

class QFileDialog;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace heliodesk {

class ChatService;
class HealthService;
class MessageLabel;

class HealthTab : public QWidget
{
    Q_OBJECT

public:
    /// `chat` (may be null) is the process's chat service, whose streams are counted.
    HealthTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, ChatService *chat,
              QWidget *parent = nullptr);

    static constexpr std::chrono::milliseconds kRefreshInterval{5000};

    [[nodiscard]] HealthService *service() const { return m_service; }
    [[nodiscard]] QTimer *refreshTimer() const { return m_timer; }

    /// Starts writing a backup to `path` (what choosing a file in the "Back up now" dialog does).
    void backUpTo(const QString &path);

    /// "12.3 MB"
    static QString sizeText(qint64 bytes);

public Q_SLOTS:
    /// Reads the figures again.
    void reload();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void chooseBackupFile();
    void backupSucceeded(const QString &path, qint64 bytes);
    void backupFailed(const QString &message);

    Actor m_admin;
    std::shared_ptr<const Clock> m_clock;
    HealthService *m_service = nullptr;
    QTimer *m_timer = nullptr;
    bool m_figuresFailed = false; // the message shows why the figures could not be read

    QLabel *m_connectionsValue = nullptr;
    QLabel *m_streamsValue = nullptr;
    QLabel *m_memoryValue = nullptr;
    QLabel *m_failedValue = nullptr;
    QLabel *m_databaseValue = nullptr;
    QLabel *m_backupValue = nullptr;
    QLabel *m_schemaBackupValue = nullptr;
    QTableWidget *m_failedTable = nullptr;
    QPushButton *m_backupButton = nullptr;
    MessageLabel *m_message = nullptr;
};

} // namespace heliodesk
