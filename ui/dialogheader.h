#pragma once

// The top of Heliodesk's dialogs: a title, a sentence on what the dialog is for, and the database in use.

#include <QWidget>

class QLabel;

namespace heliodesk {

class DialogHeader : public QWidget
{
    Q_OBJECT

public:
    DialogHeader(const QString &title, const QString &text, const QString &databaseName, QWidget *parent = nullptr);

private:
    QLabel *m_title = nullptr;
    QLabel *m_text = nullptr;
    QLabel *m_database = nullptr;
};

} // namespace heliodesk
