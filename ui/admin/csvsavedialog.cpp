#include "csvsavedialog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QStandardPaths>

namespace heliodesk {

QFileDialog *openCsvSaveDialog(QWidget *parent, const QString &title, const QString &fileName, const QString &objectName,
                               std::function<void(const QString &path)> onChosen)
{
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString folder = !documents.isEmpty() && QFileInfo(documents).isDir() ? documents : QDir::homePath();
    auto *dialog = new QFileDialog(parent, title, folder);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setNameFilter(QCoreApplication::translate("CsvSaveDialog", "CSV files (*.csv)"));
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    dialog->selectFile(QDir(folder).filePath(fileName));
    QObject::connect(dialog, &QFileDialog::fileSelected, dialog, [onChosen = std::move(onChosen)](const QString &path) {
        onChosen(path);
    });
    dialog->open();
    return dialog;
}

} // namespace heliodesk
