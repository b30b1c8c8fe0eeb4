#pragma once

// One agent's knowledge collection as the Agents tab lists it: title, source file, imported when.

#include "storage/knowledgestore.h"

#include <QAbstractTableModel>
#include <QList>

namespace heliodesk {

class KnowledgeDocumentModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TitleColumn, SourceColumn, ImportedColumn, ColumnCount };
    Q_ENUM(Column)
    /// A value to sort by: the import time in milliseconds for the date column.
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit KnowledgeDocumentModel(QObject *parent = nullptr);

    void setDocuments(const QList<KnowledgeStore::DocumentSummary> &documents);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    [[nodiscard]] const KnowledgeStore::DocumentSummary &at(int row) const { return m_documents.at(row); }
    /// When the newest document was imported, in milliseconds; nullopt for an empty collection.
    [[nodiscard]] std::optional<qint64> lastImportMs() const;

private:
    QList<KnowledgeStore::DocumentSummary> m_documents;
};

} // namespace heliodesk
