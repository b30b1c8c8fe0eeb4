#pragma once

// The settings: where answers come from (EndpointForm) and how Heliodesk looks (theme, text size).
// OK and Apply write them and apply the appearance at once; settingsChanged() tells the main
// window to build its provider again.

#include "appearance.h"

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

class EndpointForm;
class MessageLabel;

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    /// `settingsFile`: the settings file of ProviderSettings and AppearanceSettings (empty: the
    /// per-user one).
    explicit SettingsDialog(QString settingsFile = {}, QWidget *parent = nullptr);

    [[nodiscard]] EndpointForm *endpointForm() const { return m_endpointForm; }
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

    QString m_settingsFile;
    AppearanceSettings m_savedAppearance;
    bool m_closeWhenKeyStored = false;

    QTabWidget *m_tabs = nullptr;
    EndpointForm *m_endpointForm = nullptr;
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
