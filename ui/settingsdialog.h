#pragma once

// The settings: where answers come from (EndpointForm) and how Heliodesk looks (theme, text size).
// OK and Apply write them and apply the appearance at once; settingsChanged() tells the main
// window to build its provider again.

#include "appearance.h"

#include "storage/databaselocation.h"

#include <optional>

#include <QDialog>

class QAbstractButton;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace heliodesk {

class DatabaseForm;
class EndpointForm;
class MessageLabel;

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    /// `settingsFile`: the settings file of ProviderSettings and AppearanceSettings (empty: the
    /// per-user one).
    /// `databaseInUse`: the database this program opened, shown on the Database tab.
    explicit SettingsDialog(QString settingsFile = {}, QWidget *parent = nullptr,
                            std::optional<DatabaseLocation> databaseInUse = std::nullopt);

    [[nodiscard]] EndpointForm *endpointForm() const { return m_endpointForm; }
    [[nodiscard]] DatabaseForm *databaseForm() const { return m_databaseForm; }
    /// The appearance the controls show (not necessarily applied yet).
    [[nodiscard]] AppearanceSettings chosenAppearance() const;

    /// Writes and applies what the dialog shows; false (and the dialog says why) when it cannot.
    /// A typed API key is stored in the keychain afterwards; see EndpointForm::save().
    bool apply();

public Q_SLOTS:
    void accept() override;

Q_SIGNALS:
    /// The settings were written (OK or Apply): the provider may have to be built again.
    void settingsChanged();

private:
    void updateButtons();
    void updatePreview();
    void onKeyStorageFinished(bool stored);
    void onPasswordStorageFinished(bool stored);

    QString m_settingsFile;
    AppearanceSettings m_savedAppearance;
    bool m_closeWhenKeyStored = false;

    QTabWidget *m_tabs = nullptr;
    EndpointForm *m_endpointForm = nullptr;
    DatabaseForm *m_databaseForm = nullptr;
    QComboBox *m_themeCombo = nullptr;
    QSlider *m_textScaleSlider = nullptr;
    QSpinBox *m_textScaleSpin = nullptr;
    QLabel *m_preview = nullptr;
    MessageLabel *m_errorMessage = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_okButton = nullptr;
    QPushButton *m_applyButton = nullptr;
};

} // namespace heliodesk
