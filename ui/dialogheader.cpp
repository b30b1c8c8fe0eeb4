#include "dialogheader.h"

#include <QLabel>
#include <QVBoxLayout>

namespace heliodesk {

DialogHeader::DialogHeader(const QString &title, const QString &text, const QString &databaseName, QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(title, this))
    , m_text(new QLabel(text, this))
    , m_database(new QLabel(this))
{
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setObjectName(QStringLiteral("dialogTitle"));
    m_title->setAccessibleName(title);
    m_title->setTextFormat(Qt::PlainText);

    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setObjectName(QStringLiteral("dialogText"));

    m_database->setObjectName(QStringLiteral("databaseLabel"));
    m_database->setTextFormat(Qt::PlainText);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_database->setFont(small);
    // A long path is cut in the middle, where it says least; the tooltip has all of it.
    const QString shown = QFontMetrics(small).elidedText(databaseName, Qt::ElideMiddle, 380);
    m_database->setText(tr("Database: %1").arg(shown));
    m_database->setToolTip(databaseName);
    m_database->setAccessibleName(tr("Database in use"));
    m_database->setAccessibleDescription(databaseName);
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_database->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_title);
    layout->addWidget(m_text);
    layout->addWidget(m_database);
}

} // namespace heliodesk
