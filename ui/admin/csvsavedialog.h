#pragma once

// The non-blocking "Save as CSV" file dialog of the admin panel's exports.

#include <QString>

#include <functional>

class QFileDialog;
class QWidget;

namespace heliodesk {

/// Opens a save dialog for a CSV file (named `fileName` in the Documents folder, objectName
/// `objectName`) over `parent` and returns it at once; `onChosen` runs with the chosen path. The
/// dialog deletes itself when closed.
QFileDialog *openCsvSaveDialog(QWidget *parent, const QString &title, const QString &fileName, const QString &objectName,
                               std::function<void(const QString &path)> onChosen);

} // namespace heliodesk
