#include "usereditdialog.h"

#include "ui/messagelabel.h"

#include "model/passwordhasher.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace heliodesk {

UserEditDialog::UserEditDialog(AccountService accounts, Actor admin, const QList<PlanRecord> &plans,
                               std::optional<UserRecord> user, QWidget *parent)
    : QDialog(parent)
    , m_accounts(std::move(accounts))
    , m_admin(std::move(admin))
    , m_user(std::move(user))
    , m_roleCombo(new QComboBox(this))
    , m_planCombo(new QComboBox(this))
    , m_quotaPlanRadio(new QRadioButton(tr("The plan's limit"), this))
    , m_quotaLimitRadio(new QRadioButton(tr("A limit of their own:"), this))
    , m_quotaUnlimitedRadio(new QRadioButton(tr("Unlimited"), this))
    , m_quotaLimitSpin(new QSpinBox(this))
    , m_errorMessage(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("userEditDialog"));
    setWindowTitle(isAdding() ? tr("Add User") : tr("Edit %1").arg(m_user->username));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    if (isAdding()) {
        m_usernameEdit = new QLineEdit(this);
        m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
        m_usernameEdit->setAccessibleName(tr("Username"));
        m_usernameEdit->setMaxLength(64);
        m_usernameEdit->setPlaceholderText(tr("e.g. ana.lima"));
        m_displayNameEdit = new QLineEdit(this);
        m_displayNameEdit->setObjectName(QStringLiteral("displayNameEdit"));
        m_displayNameEdit->setAccessibleName(tr("Display name"));
        m_displayNameEdit->setMaxLength(128);
        m_displayNameEdit->setPlaceholderText(tr("Optional, e.g. Ana Lima"));
        m_passwordEdit = new QLineEdit(this);
        m_passwordEdit->setObjectName(QStringLiteral("passwordEdit"));
        m_passwordEdit->setAccessibleName(tr("Password"));
        m_passwordEdit->setEchoMode(QLineEdit::Password);
        form->addRow(tr("&Username:"), m_usernameEdit);
        form->addRow(tr("&Display name:"), m_displayNameEdit);
        form->addRow(tr("&Password:"), m_passwordEdit);
    }

    m_roleCombo->setObjectName(QStringLiteral("roleCombo"));
    m_roleCombo->setAccessibleName(tr("Role"));
    m_roleCombo->addItem(tr("Analyst"), QVariant::fromValue(int(Role::Analyst)));
    m_roleCombo->addItem(tr("Administrator"), QVariant::fromValue(int(Role::Admin)));
    form->addRow(tr("&Role:"), m_roleCombo);

    m_planCombo->setObjectName(QStringLiteral("planCombo"));
    m_planCombo->setAccessibleName(tr("Plan"));
    for (const PlanRecord &plan : plans) {
        const QString limit = plan.monthlyLimit ? tr("%n queries a month", nullptr, *plan.monthlyLimit) : tr("unlimited");
        m_planCombo->addItem(tr("%1 (%2)").arg(plan.name, limit), plan.name);
        if ((m_user && m_user->planName == plan.name) || (!m_user && plan.isDefault))
            m_planCombo->setCurrentIndex(m_planCombo->count() - 1);
    }
    form->addRow(tr("P&lan:"), m_planCombo);

    m_quotaPlanRadio->setObjectName(QStringLiteral("quotaPlanRadio"));
    m_quotaLimitRadio->setObjectName(QStringLiteral("quotaLimitRadio"));
    m_quotaUnlimitedRadio->setObjectName(QStringLiteral("quotaUnlimitedRadio"));
    m_quotaPlanRadio->setAccessibleName(tr("Quota from the plan"));
    m_quotaLimitRadio->setAccessibleName(tr("Quota of the user's own"));
    m_quotaUnlimitedRadio->setAccessibleName(tr("Unlimited queries"));
    m_quotaLimitSpin->setObjectName(QStringLiteral("quotaLimitSpin"));
    m_quotaLimitSpin->setAccessibleName(tr("Queries a month"));
    m_quotaLimitSpin->setRange(0, 1'000'000);
    m_quotaLimitSpin->setSuffix(tr(" a month"));
    auto *quotaGroup = new QButtonGroup(this);
    quotaGroup->addButton(m_quotaPlanRadio);
    quotaGroup->addButton(m_quotaLimitRadio);
    quotaGroup->addButton(m_quotaUnlimitedRadio);
    auto *quota = new QVBoxLayout;
    quota->setSpacing(4);
    quota->addWidget(m_quotaPlanRadio);
    auto *limitRow = new QHBoxLayout;
    limitRow->addWidget(m_quotaLimitRadio);
    limitRow->addWidget(m_quotaLimitSpin);
    limitRow->addStretch(1);
    quota->addLayout(limitRow);
    quota->addWidget(m_quotaUnlimitedRadio);
    form->addRow(tr("Queries:"), quota);

    const QuotaMode mode = m_user ? m_user->quotaMode : QuotaMode::Plan;
    m_quotaPlanRadio->setChecked(mode == QuotaMode::Plan);
    m_quotaLimitRadio->setChecked(mode == QuotaMode::Limit);
    m_quotaUnlimitedRadio->setChecked(mode == QuotaMode::Unlimited);
    m_quotaLimitSpin->setValue(m_user && m_user->quotaLimit ? *m_user->quotaLimit : 100);
    if (m_user)
        m_roleCombo->setCurrentIndex(m_user->role == Role::Admin ? 1 : 0);

    m_errorMessage->setObjectName(QStringLiteral("userEditError"));

    auto *buttons = new QDialogButtonBox(this);
    m_saveButton = buttons->addButton(isAdding() ? tr("&Add User") : tr("&Save"), QDialogButtonBox::AcceptRole);
    m_saveButton->setObjectName(QStringLiteral("saveUserButton"));
    m_saveButton->setAccessibleName(isAdding() ? tr("Add user") : tr("Save changes"));
    m_saveButton->setDefault(true);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &UserEditDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 18);
    layout->setSpacing(14);
    layout->addLayout(form);
    layout->addWidget(m_errorMessage);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(440);

    if (isAdding()) {
        connect(m_usernameEdit, &QLineEdit::textChanged, this, &UserEditDialog::validate);
        connect(m_passwordEdit, &QLineEdit::textChanged, this, &UserEditDialog::validate);
    }
    connect(quotaGroup, &QButtonGroup::buttonToggled, this, &UserEditDialog::validate);
    validate();
}

QuotaMode UserEditDialog::chosenQuotaMode() const
{
    if (m_quotaUnlimitedRadio->isChecked())
        return QuotaMode::Unlimited;
    return m_quotaLimitRadio->isChecked() ? QuotaMode::Limit : QuotaMode::Plan;
}

void UserEditDialog::validate()
{
    m_quotaLimitSpin->setEnabled(m_quotaLimitRadio->isChecked());
    bool ok = true;
    if (isAdding()) {
        ok = AccountService::usernameProblem(AccountService::normalizeUsername(m_usernameEdit->text())).isEmpty()
            && PasswordHasher::weaknessOf(m_passwordEdit->text()).isEmpty();
    }
    m_saveButton->setEnabled(ok);
}

void UserEditDialog::save()
{
    const Role role = Role(m_roleCombo->currentData().toInt());
    const QString plan = m_planCombo->currentData().toString();
    const QuotaMode mode = chosenQuotaMode();
    Result<UserRecord> saved = [&]() -> Result<UserRecord> {
        if (isAdding()) {
            NewUser request;
            request.username = m_usernameEdit->text();
            request.displayName = m_displayNameEdit->text();
            request.password = m_passwordEdit->text();
            request.role = role;
            request.planName = plan;
            request.unlimited = mode == QuotaMode::Unlimited;
            if (mode == QuotaMode::Limit)
                request.quotaLimit = m_quotaLimitSpin->value();
            return m_accounts.createUser(m_admin, request);
        }
        // Only what changed, so that the audit entry says what was done.
        UserChanges changes;
        if (role != m_user->role)
            changes.role = role;
        if (!plan.isEmpty() && plan != m_user->planName)
            changes.planName = plan;
        const std::optional<int> limit = mode == QuotaMode::Limit ? std::optional<int>(m_quotaLimitSpin->value()) : std::nullopt;
        if (mode != m_user->quotaMode || (mode == QuotaMode::Limit && limit != m_user->quotaLimit)) {
            changes.quotaMode = mode;
            changes.quotaLimit = limit;
        }
        return m_accounts.updateUser(m_admin, m_user->username, changes);
    }();
    if (!saved) {
        m_errorMessage->showError(saved.error().message());
        return;
    }
    accept();
    Q_EMIT userSaved(*saved);
}

} // namespace heliodesk
