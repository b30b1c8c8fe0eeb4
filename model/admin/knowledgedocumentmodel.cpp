#include "knowledgedocumentmodel.h"

#include <QDateTime>
#include <QLocale>

namespace heliodesk {

KnowledgeDocumentModel::KnowledgeDocumentModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void KnowledgeDocumentModel::setDocuments(const QList<KnowledgeStore::DocumentSummary> &documents)
{
    beginResetModel();
    m_documents = documents;
    endResetModel();
}

int KnowledgeDocumentModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_documents.size());
}

int KnowledgeDocumentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::optional<qint64> KnowledgeDocumentModel::lastImportMs() const
{
    std::optional<qint64> last;
    for (const KnowledgeStore::DocumentSummary &document : m_documents) {
        if (!last || document.importedAtMs > *last)
            last = document.importedAtMs;
    }
    return last;
}

QVariant KnowledgeDocumentModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_documents.size())
        return {};
    const KnowledgeStore::DocumentSummary &document = m_documents.at(index.row());
    const auto column = static_cast<Column>(index.column());
    if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole || role == Qt::ToolTipRole) {
        switch (column) {
        case TitleColumn:
            return document.title;
        case SourceColumn:
            return document.source;
        case ImportedColumn:
            return QLocale().toString(QDateTime::fromMSecsSinceEpoch(document.importedAtMs).toLocalTime(), QLocale::ShortFormat);
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == SortRole) {
        switch (column) {
        case TitleColumn:
            return document.title;
        case SourceColumn:
            return document.source;
        case ImportedColumn:
            return document.importedAtMs;
        case ColumnCount:
            break;
        }
    }
    return {};
}

QVariant KnowledgeDocumentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TitleColumn:
        return tr("Title");
    case SourceColumn:
        return tr("Source");
    case ImportedColumn:
        return tr("Imported");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace heliodesk
