#include "settingsdialog.h"

#include "databaseform.h"
#include "endpointform.h"
#include "messagelabel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace heliodesk {

SettingsDialog::SettingsDialog(QString settingsFile, QWidget *parent, std::optional<DatabaseLocation> databaseInUse)
    : QDialog(parent)
    , m_settingsFile(std::move(settingsFile))
    , m_savedAppearance(AppearanceSettings::load(m_settingsFile))
    , m_tabs(new QTabWidget(this))
    , m_endpointForm(new EndpointForm(m_settingsFile))
    , m_databaseForm(new DatabaseForm(m_settingsFile, std::move(databaseInUse)))
    , m_themeCombo(new QComboBox)
    , m_textScaleSlider(new QSlider(Qt::Horizontal))
    , m_textScaleSpin(new QSpinBox)
    , m_preview(new QLabel)
    , m_errorMessage(new MessageLabel(MessageLabel::Presentation::Banner, this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply, this))
{
    setWindowTitle(tr("Heliodesk Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));

    // Answers.
    auto *answers = new QWidget;
    answers->setObjectName(QStringLiteral("answersTab"));
    auto *answersIntro = new QLabel(tr("Heliodesk's agents answer from the knowledge base that comes with it, or from a "
                                       "language model on a server you choose: a local one such as Ollama or LM Studio, "
                                       "or a hosted service."),
                                    answers);
    answersIntro->setWordWrap(true);
    auto *answersLayout = new QVBoxLayout(answers);
    answersLayout->setContentsMargins(16, 16, 16, 12);
    answersLayout->setSpacing(14);
    answersLayout->addWidget(answersIntro);
    m_endpointForm->setParent(answers);
    answersLayout->addWidget(m_endpointForm);
    answersLayout->addStretch(1);
    m_tabs->addTab(answers, tr("&Answers"));

    // Appearance.
    auto *appearance = new QWidget;
    appearance->setObjectName(QStringLiteral("appearanceTab"));
    m_themeCombo->setParent(appearance);
    m_themeCombo->setObjectName(QStringLiteral("themeCombo"));
    m_themeCombo->setAccessibleName(tr("Theme"));
    m_themeCombo->addItem(tr("System"), int(Theme::System));
    m_themeCombo->addItem(tr("Light"), int(Theme::Light));
    m_themeCombo->addItem(tr("Dark"), int(Theme::Dark));
    m_themeCombo->setItemData(0, tr("The colours and style of this computer"), Qt::ToolTipRole);
    m_themeCombo->setCurrentIndex(m_themeCombo->findData(int(m_savedAppearance.theme)));

    m_textScaleSlider->setParent(appearance);
    m_textScaleSlider->setObjectName(QStringLiteral("textScaleSlider"));
    m_textScaleSlider->setAccessibleName(tr("Text size"));
    m_textScaleSlider->setRange(AppearanceSettings::minTextScale, AppearanceSettings::maxTextScale);
    m_textScaleSlider->setSingleStep(5);
    m_textScaleSlider->setPageStep(10);
    m_textScaleSlider->setTickPosition(QSlider::TicksBelow);
    m_textScaleSlider->setTickInterval(10);
    m_textScaleSpin->setParent(appearance);
    m_textScaleSpin->setObjectName(QStringLiteral("textScaleSpin"));
    m_textScaleSpin->setAccessibleName(tr("Text size in percent"));
    m_textScaleSpin->setRange(AppearanceSettings::minTextScale, AppearanceSettings::maxTextScale);
    m_textScaleSpin->setSingleStep(5);
    m_textScaleSpin->setSuffix(tr("%"));
    m_textScaleSlider->setValue(m_savedAppearance.textScalePercent);
    m_textScaleSpin->setValue(m_savedAppearance.textScalePercent);
    connect(m_textScaleSlider, &QSlider::valueChanged, m_textScaleSpin, &QSpinBox::setValue);
    connect(m_textScaleSpin, &QSpinBox::valueChanged, m_textScaleSlider, &QSlider::setValue);

    m_preview->setParent(appearance);
    m_preview->setObjectName(QStringLiteral("appearancePreview"));
    m_preview->setAccessibleName(tr("Preview"));
    m_preview->setText(tr("A capacity factor is the ratio of a plant's actual output over a period to its output at "
                          "full power over the same period."));
    m_preview->setWordWrap(true);
    m_preview->setAutoFillBackground(true);
    m_preview->setMargin(10);
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setMinimumHeight(90);
    m_preview->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    auto *sizeRow = new QHBoxLayout;
    sizeRow->setContentsMargins(0, 0, 0, 0);
    sizeRow->addWidget(m_textScaleSlider, 1);
    sizeRow->addWidget(m_textScaleSpin);
    auto *themeLabel = new QLabel(tr("&Theme:"), appearance);
    themeLabel->setBuddy(m_themeCombo);
    auto *sizeLabel = new QLabel(tr("Text &size:"), appearance);
    sizeLabel->setBuddy(m_textScaleSlider);
    auto *appearanceForm = new QFormLayout(appearance);
    appearanceForm->setContentsMargins(16, 16, 16, 12);
    appearanceForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    appearanceForm->setVerticalSpacing(12);
    appearanceForm->addRow(themeLabel, m_themeCombo);
    appearanceForm->addRow(sizeLabel, sizeRow);
    appearanceForm->addRow(tr("Preview:"), m_preview);
    m_tabs->addTab(appearance, tr("A&ppearance"));

    // Database.
    auto *database = new QWidget;
    database->setObjectName(QStringLiteral("databaseTab"));
    auto *databaseIntro = new QLabel(tr("Heliodesk keeps conversations, users and quotas in a database on this computer. "
                                        "A team can share one PostgreSQL database instead: the same users, plans and "
                                        "quotas on every desktop."),
                                     database);
    databaseIntro->setWordWrap(true);
    auto *databaseLayout = new QVBoxLayout(database);
    databaseLayout->setContentsMargins(16, 16, 16, 12);
    databaseLayout->setSpacing(14);
    databaseLayout->addWidget(databaseIntro);
    m_databaseForm->setParent(database);
    databaseLayout->addWidget(m_databaseForm);
    databaseLayout->addStretch(1);
    m_tabs->addTab(database, tr("&Database"));

    m_errorMessage->setObjectName(QStringLiteral("errorMessage"));
    m_okButton = m_buttons->button(QDialogButtonBox::Ok);
    m_okButton->setObjectName(QStringLiteral("okButton"));
    m_applyButton = m_buttons->button(QDialogButtonBox::Apply);
    m_applyButton->setObjectName(QStringLiteral("applyButton"));
    QPushButton *cancel = m_buttons->button(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_applyButton, &QPushButton::clicked, this, &SettingsDialog::apply);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 18, 18, 14);
    layout->setSpacing(12);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_errorMessage);
    layout->addWidget(m_buttons);
    setMinimumWidth(560);

    connect(m_endpointForm, &EndpointForm::validityChanged, this, &SettingsDialog::updateButtons);
    connect(m_endpointForm, &EndpointForm::edited, this, &SettingsDialog::updateButtons);
    connect(m_endpointForm, &EndpointForm::keyStorageFinished, this, &SettingsDialog::onKeyStorageFinished);
    connect(m_databaseForm, &DatabaseForm::edited, this, &SettingsDialog::updateButtons);
    connect(m_databaseForm, &DatabaseForm::passwordStorageFinished, this, &SettingsDialog::onPasswordStorageFinished);
    connect(m_themeCombo, &QComboBox::currentIndexChanged, this, [this] {
        updatePreview();
        updateButtons();
    });
    connect(m_textScaleSpin, &QSpinBox::valueChanged, this, [this] {
        updatePreview();
        updateButtons();
    });
    updatePreview();
    updateButtons();
}

AppearanceSettings SettingsDialog::chosenAppearance() const
{
    AppearanceSettings chosen;
    chosen.theme = Theme(m_themeCombo->currentData().toInt());
    chosen.textScalePercent = m_textScaleSpin->value();
    return chosen;
}

void SettingsDialog::updatePreview()
{
    const AppearanceSettings chosen = chosenAppearance();
    m_preview->setPalette(paletteFor(chosen.theme));
    m_preview->setFont(fontFor(chosen.textScalePercent));
    m_textScaleSpin->setAccessibleDescription(tr("%1 percent of the usual size").arg(chosen.textScalePercent));
}

void SettingsDialog::updateButtons()
{
    const bool storing = m_endpointForm->isStoringKey() || m_databaseForm->isStoringPassword();
    const bool valid = m_endpointForm->isValid() && m_databaseForm->isValid();
    const bool modified = m_endpointForm->isModified() || chosenAppearance() != m_savedAppearance || m_databaseForm->isModified();
    m_okButton->setEnabled(valid && !storing);
    m_applyButton->setEnabled(valid && !storing && modified);
}

bool SettingsDialog::apply()
{
    m_closeWhenKeyStored = false; // accept() sets it again after this
    m_errorMessage->clearMessage();
    bool providerChanged = false;
    if (m_endpointForm->isModified()) {
        const Result<void> saved = m_endpointForm->save();
        if (!saved) {
            m_tabs->setCurrentIndex(0);
            m_errorMessage->showError(saved.error().message());
            updateButtons();
            return false;
        }
        providerChanged = true;
    }

    if (m_databaseForm->isModified()) {
        const Result<void> saved = m_databaseForm->save();
        if (!saved) {
            m_tabs->setCurrentIndex(m_tabs->indexOf(m_databaseForm->parentWidget()));
            m_errorMessage->showError(saved.error().message());
            updateButtons();
            return false;
        }
    }

    const AppearanceSettings chosen = chosenAppearance();
    if (chosen != m_savedAppearance) {
        if (!chosen.save(m_settingsFile)) {
            m_tabs->setCurrentIndex(1);
            m_errorMessage->showError(tr("The appearance could not be saved in the settings file. Check that the disk "
                                         "is not full and that the file may be written, then try again."));
            updateButtons();
            return false;
        }
        applyAppearance(chosen);
        m_savedAppearance = chosen;
        updatePreview(); // the platform's palette is the application's again for System
    }
    updateButtons();
    // With a key on its way to the keychain, the provider is built again once it is there.
    if (providerChanged && !m_endpointForm->isStoringKey())
        Q_EMIT settingsChanged();
    return true;
}

void SettingsDialog::accept()
{
    if (!apply())
        return;
    if (m_endpointForm->isStoringKey() || m_databaseForm->isStoringPassword()) {
        m_closeWhenKeyStored = true; // closes when the keychain has answered
        return;
    }
    QDialog::accept();
}

void SettingsDialog::onPasswordStorageFinished(bool stored)
{
    updateButtons();
    if (!stored) {
        m_closeWhenKeyStored = false;
        m_tabs->setCurrentIndex(m_tabs->indexOf(m_databaseForm->parentWidget())); // the form says why
        return;
    }
    if (m_closeWhenKeyStored && !m_endpointForm->isStoringKey())
        QDialog::accept();
}

void SettingsDialog::onKeyStorageFinished(bool stored)
{
    updateButtons();
    // The endpoint is written either way; a key kept for this session counts as stored.
    Q_EMIT settingsChanged();
    if (!stored) {
        m_tabs->setCurrentIndex(0); // where the form says why and offers the session-only fallback
        return;
    }
    if (m_closeWhenKeyStored && !m_databaseForm->isStoringPassword())
        QDialog::accept();
}

} // namespace heliodesk
