#pragma once

// Where answers come from: the offline knowledge base, or an OpenAI-compatible endpoint (base URL,
// model, optional API key) with a "Test Connection" button. Used by the settings dialog and the
// first-run dialog; writes ProviderSettings and keeps the key in the keychain.

#include "storage/error.h"

#include <QCoroTask>
#include <QList>
#include <QUrl>
#include <QWidget>

#include <chrono>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace heliodesk {

struct EndpointCheck;
class MessageLabel;

class EndpointForm : public QWidget
{
    Q_OBJECT

public:
    enum class Source { Offline, Endpoint };

    /// `settingsFile`: the ProviderSettings file (empty: the per-user one). The fields start from
    /// what the file holds (not the environment's overrides); no key is read to show it.
    explicit EndpointForm(QString settingsFile = {}, QWidget *parent = nullptr);

    [[nodiscard]] Source source() const;
    void setSource(Source source);
    /// The base URL as typed, and the model as typed or chosen.
    [[nodiscard]] QString baseUrlText() const;
    [[nodiscard]] QString modelText() const;

    /// True when the choice can be saved: offline, or an endpoint with a valid URL and a model.
    [[nodiscard]] bool isValid() const;
    /// True when something differs from what the form was loaded with or last saved.
    [[nodiscard]] bool isModified() const;

    /// Writes the choice to ProviderSettings. A typed API key is then stored in the keychain, which
    /// answers later: isStoringKey() is true from here until keyStorageFinished(), which always
    /// comes after save() has returned. Fails when the form is not valid (the field concerned says
    /// why) or the file cannot be written.
    Result<void> save();
    /// A key is being written to the keychain.
    [[nodiscard]] bool isStoringKey() const { return m_storingKey; }
    /// A Test Connection is running.
    [[nodiscard]] bool isTesting() const { return m_testing; }

    /// How long Test Connection waits (tests shorten it).
    void setTestTimeouts(std::chrono::milliseconds connect, std::chrono::milliseconds idle);

Q_SIGNALS:
    /// isValid() may have changed.
    void validityChanged(bool valid);
    /// The user changed a field or the source.
    void edited();
    /// A Test Connection ended; `ok` when the server listed its models.
    void connectionTested(bool ok);
    /// The key typed before save() is kept: in the keychain, or (`stored` still true) for this
    /// session only because the user chose that after the keychain failed. `stored` false: the
    /// keychain refused it; the form says why and offers to keep it for this session only.
    void keyStorageFinished(bool stored);

private:
    void loadFromSettings();
    void validate();
    void updateTestButton();
    void startTest();
    QCoro::Task<> runTest(QUrl baseUrl, QString model, QString typedKey, int generation);
    void showTestResult(const Result<EndpointCheck> &result);
    QCoro::Task<> storeKey(QUrl baseUrl, QString key);
    void keepKeyForSession();
    void markSaved();
    [[nodiscard]] bool keyStoredFor(const QUrl &baseUrl) const;

    QString m_settingsFile;
    std::chrono::milliseconds m_connectTimeout;
    std::chrono::milliseconds m_idleTimeout;

    QRadioButton *m_offlineRadio = nullptr;
    QRadioButton *m_endpointRadio = nullptr;
    QButtonGroup *m_sourceGroup = nullptr;
    QWidget *m_endpointFields = nullptr;
    QList<QLabel *> m_fieldLabels;
    QLineEdit *m_baseUrlEdit = nullptr;
    MessageLabel *m_baseUrlMessage = nullptr;
    QComboBox *m_modelCombo = nullptr;
    MessageLabel *m_modelMessage = nullptr;
    QLineEdit *m_apiKeyEdit = nullptr;
    MessageLabel *m_apiKeyMessage = nullptr;
    QPushButton *m_sessionKeyButton = nullptr;
    QPushButton *m_testButton = nullptr;
    MessageLabel *m_testMessage = nullptr;

    bool m_valid = false;
    bool m_testing = false;
    int m_testGeneration = 0; // bumped by every edit of the URL or key: an older result is stale
    bool m_storingKey = false;
    QUrl m_failedKeyUrl;      // the key the keychain refused, offered for this session only
    QString m_failedKey;
    QString m_keyHost; // the host whose key Heliodesk keeps in the keychain, if any

    // What was loaded or last saved, for isModified().
    Source m_savedSource = Source::Offline;
    QString m_savedBaseUrl;
    QString m_savedModel;
};

} // namespace heliodesk
