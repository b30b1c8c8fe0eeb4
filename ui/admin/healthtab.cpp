#include "healthtab.h"

#include "ui/messagelabel.h"

#include "model/admin/healthservice.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

QLabel *valueLabel(const QString &objectName, const QString &accessibleName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QString when(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat);
}

} // namespace

HealthTab::HealthTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, ChatService *chat,
                     QWidget *parent)
    : QWidget(parent)
    , m_admin(std::move(admin))
    , m_clock(clock)
    , m_service(new HealthService(std::move(database), std::move(clock), chat, this))
    , m_timer(new QTimer(this))
    , m_failedTable(new QTableWidget(0, 4, this))
    , m_backupButton(new QPushButton(tr("&Back Up Now…"), this))
    , m_message(new MessageLabel(MessageLabel::Presentation::Banner, this))
{
    setObjectName(QStringLiteral("healthTab"));
    setAccessibleName(tr("Health"));

    m_connectionsValue = valueLabel(QStringLiteral("connectionsValue"), tr("Open database connections"), this);
    m_streamsValue = valueLabel(QStringLiteral("streamsValue"), tr("Active streams"), this);
    m_memoryValue = valueLabel(QStringLiteral("memoryValue"), tr("Process memory"), this);
    m_failedValue = valueLabel(QStringLiteral("failedValue"), tr("Answers failed in the last 24 hours"), this);
    m_databaseValue = valueLabel(QStringLiteral("databaseValue"), tr("Database size"), this);
    m_backupValue = valueLabel(QStringLiteral("backupValue"), tr("Last backup"), this);
    m_schemaBackupValue = valueLabel(QStringLiteral("schemaBackupValue"), tr("Copy saved before the last database update"), this);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    form->setVerticalSpacing(8);
    form->addRow(tr("Open database connections:"), m_connectionsValue);
    form->addRow(tr("Active streams:"), m_streamsValue);
    form->addRow(tr("Process memory:"), m_memoryValue);
    form->addRow(tr("Database:"), m_databaseValue);
    form->addRow(tr("Last backup:"), m_backupValue);
    form->addRow(tr("Before the last update:"), m_schemaBackupValue);
    form->addRow(tr("Failed answers (24 h):"), m_failedValue);

    m_failedTable->setObjectName(QStringLiteral("failedAnswersTable"));
    m_failedTable->setAccessibleName(tr("Answers failed in the last 24 hours"));
    m_failedTable->setHorizontalHeaderLabels({tr("When"), tr("User"), tr("Agent"), tr("Error")});
    m_failedTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_failedTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_failedTable->setSortingEnabled(false);
    m_failedTable->setWordWrap(false);
    m_failedTable->verticalHeader()->setVisible(false);
    m_failedTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_failedTable->horizontalHeader()->setStretchLastSection(true);

    m_backupButton->setObjectName(QStringLiteral("backupButton"));
    m_backupButton->setAccessibleName(tr("Back up the database now"));
    m_backupButton->setAutoDefault(false);
    m_message->setObjectName(QStringLiteral("healthMessage"));

    connect(m_backupButton, &QPushButton::clicked, this, &HealthTab::chooseBackupFile);
    connect(m_service, &HealthService::backupSucceeded, this, &HealthTab::backupSucceeded);
    connect(m_service, &HealthService::backupFailed, this, &HealthTab::backupFailed);
    m_timer->setObjectName(QStringLiteral("healthRefreshTimer"));
    m_timer->setInterval(kRefreshInterval);
    connect(m_timer, &QTimer::timeout, this, &HealthTab::reload);

    auto *foot = new QHBoxLayout;
    foot->addWidget(m_message, 1);
    foot->addWidget(m_backupButton, 0, Qt::AlignTop | Qt::AlignRight);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addLayout(form);
    layout->addWidget(m_failedTable, 1);
    layout->addLayout(foot);

    reload();
}

QString HealthTab::sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

void HealthTab::reload()
{
    auto figures = m_service->figures(m_admin);
    if (!figures) {
        for (QLabel *label : {m_connectionsValue, m_streamsValue, m_memoryValue, m_failedValue, m_databaseValue, m_backupValue, m_schemaBackupValue})
            label->clear();
        m_failedTable->setRowCount(0);
        m_backupButton->setEnabled(false);
        m_message->showError(figures.error().message());
        m_figuresFailed = true;
        return;
    }
    if (std::exchange(m_figuresFailed, false))
        m_message->clearMessage();
    const HealthFigures &f = *figures;
    m_connectionsValue->setText(QLocale().toString(f.openConnections));
    m_streamsValue->setText(f.activeStreams ? QLocale().toString(*f.activeStreams)
                                            : tr("Not known: no answers stream in this window's process."));
    m_memoryValue->setText(f.residentBytes ? tr("%1 resident").arg(sizeText(*f.residentBytes))
                                           : tr("Not available on this system."));
    if (f.databaseBytes)
        m_databaseValue->setText(f.walBytes > 0 ? tr("%1 (and %2 of write-ahead log) in %3")
                                                      .arg(sizeText(*f.databaseBytes), sizeText(f.walBytes),
                                                           QDir::toNativeSeparators(f.databasePath))
                                                : tr("%1 in %2").arg(sizeText(*f.databaseBytes), QDir::toNativeSeparators(f.databasePath)));
    else
        m_databaseValue->setText(tr("The size of %1 cannot be read.").arg(QDir::toNativeSeparators(f.databasePath)));
    m_backupValue->setText(f.lastBackupAtMs ? tr("%1, to %2").arg(when(*f.lastBackupAtMs), QDir::toNativeSeparators(f.lastBackupPath))
                                            : tr("None recorded. Back up now, or with “heliodeskctl db backup FILE”."));
    m_schemaBackupValue->setText(
        f.schemaBackup ? tr("%1, to %2 (schema %3, before the update to schema %4)")
                             .arg(when(f.schemaBackup->atMs), QDir::toNativeSeparators(f.schemaBackup->path))
                             .arg(f.schemaBackup->fromVersion)
                             .arg(f.schemaBackup->toVersion)
                       : tr("No update of this database has needed one yet."));
    m_failedValue->setText(f.failedAnswerCount > f.failedAnswers.size()
                               ? tr("%1 (the newest %2 are listed)").arg(f.failedAnswerCount).arg(f.failedAnswers.size())
                               : QLocale().toString(f.failedAnswerCount));

    m_failedTable->setRowCount(int(f.failedAnswers.size()));
    for (int row = 0; row < f.failedAnswers.size(); ++row) {
        const HealthStore::FailedAnswer &a = f.failedAnswers.at(row);
        const QString error = a.error.isEmpty() ? tr("(no error was recorded)") : a.error;
        const QStringList cells{when(a.atMs), a.username, a.agentName, error};
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells.at(column));
            item->setToolTip(cells.at(column));
            m_failedTable->setItem(row, column, item);
        }
    }
    m_backupButton->setEnabled(!m_service->isBackingUp());
}

void HealthTab::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
    m_timer->start();
}

void HealthTab::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void HealthTab::chooseBackupFile()
{
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString folder = !documents.isEmpty() && QFileInfo(documents).isDir() ? documents : QDir::homePath();
    const QString name = tr("heliodesk-backup-%1.sqlite")
                             .arg(m_clock->nowUtc().toLocalTime().toString(QStringLiteral("yyyy-MM-dd-HHmm")));
    auto *dialog = new QFileDialog(this, tr("Back Up the Database"), folder);
    dialog->setObjectName(QStringLiteral("backupFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setNameFilter(tr("SQLite databases (*.sqlite *.db)"));
    dialog->setDefaultSuffix(QStringLiteral("sqlite"));
    dialog->selectFile(QDir(folder).filePath(name));
    connect(dialog, &QFileDialog::fileSelected, this, &HealthTab::backUpTo);
    dialog->open();
}

void HealthTab::backUpTo(const QString &path)
{
    if (auto started = m_service->startBackup(m_admin, path); !started) {
        m_message->showError(started.error().message());
        return;
    }
    m_backupButton->setEnabled(false);
    m_message->showHint(tr("Writing the backup to %1…").arg(QDir::toNativeSeparators(path)));
}

void HealthTab::backupSucceeded(const QString &path, qint64 bytes)
{
    m_message->showHint(tr("Backed up the database to %1 (%2).").arg(QDir::toNativeSeparators(path), sizeText(bytes)));
    reload();
    m_backupButton->setEnabled(true);
}

void HealthTab::backupFailed(const QString &message)
{
    m_message->showError(message);
    reload();
    m_backupButton->setEnabled(true);
}

} // namespace heliodesk
