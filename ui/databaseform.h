#pragma once

// Settings ▸ Database: where Heliodesk keeps its data — this computer's database file, or a team's
// PostgreSQL server shared by many desktops. The server's address is saved without its password;
// a typed password goes to the keychain ("Remember"), otherwise libpq's PGPASSFILE serves. "Test
// Connection" opens the database on a worker thread (DatabaseProbe). The choice takes effect at
// the next start: the open windows keep the database they started with.

#include "model/databasesettings.h"
#include "storage/error.h"

#include <QCoroTask>
#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace heliodesk {

class DatabaseProbe;
struct DatabaseProbeResult;
class MessageLabel;

class DatabaseForm : public QWidget
{
    Q_OBJECT

public:
    enum class Choice { ThisComputer, TeamServer };

    /// `settingsFile`: the DatabaseSettings file (empty: the per-user one). `inUse`: the database
    /// this program opened (shown, with a word when --db or HELIODESK_DB chose it instead).
    explicit DatabaseForm(QString settingsFile, std::optional<DatabaseLocation> inUse, QWidget *parent = nullptr);
    ~DatabaseForm() override;

    [[nodiscard]] Choice choice() const;
    void setChoice(Choice choice);
    [[nodiscard]] QString addressText() const;

    /// This computer, or a team server with a valid postgresql:// address without a password.
    [[nodiscard]] bool isValid() const;
    /// Something differs from the saved setting, or a password was typed.
    [[nodiscard]] bool isModified() const;

    /// Saves the choice. A typed password to remember is then written to the keychain, which
    /// answers later: isStoringPassword() is true until passwordStorageFinished().
    Result<void> save();
    [[nodiscard]] bool isStoringPassword() const { return m_storingPassword; }
    [[nodiscard]] bool isTesting() const;

Q_SIGNALS:
    void edited();
    void connectionTested(bool ok);
    /// `stored` false: the keychain refused it (the form says why and what to do instead).
    void passwordStorageFinished(bool stored);

private:
    void loadFromSettings();
    void validate();
    void updateControls();
    void startTest();
    void onTestSucceeded(const DatabaseProbeResult &result);
    void onTestFailed(const Error &error);
    QCoro::Task<> storePassword(DatabaseLocation location, QString password);

    QString m_settingsFile;
    std::optional<DatabaseLocation> m_inUse;
    QString m_savedLocation;
    bool m_storingPassword = false;

    QLabel *m_inUseLabel = nullptr;
    QRadioButton *m_localRadio = nullptr;
    QRadioButton *m_teamRadio = nullptr;
    QButtonGroup *m_choiceGroup = nullptr;
    QWidget *m_teamFields = nullptr;
    QLineEdit *m_addressEdit = nullptr;
    MessageLabel *m_addressMessage = nullptr;
    QLineEdit *m_passwordEdit = nullptr;
    QCheckBox *m_rememberCheck = nullptr;
    QPushButton *m_testButton = nullptr;
    MessageLabel *m_statusMessage = nullptr;
    QLabel *m_restartNote = nullptr;
    DatabaseProbe *m_probe = nullptr;
};

} // namespace heliodesk
