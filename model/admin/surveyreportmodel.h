#pragma once

// The feedback report's survey table: when, who, the score (1 to 5) and the comment.

#include "storage/feedbackreportstore.h"

#include <QAbstractTableModel>
#include <QList>

namespace heliodesk {

class SurveyReportModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, UserColumn, ScoreColumn, CommentColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        SortRole = Qt::UserRole + 1, // time as milliseconds, score as a number, else the text
    };
    Q_ENUM(Role)

    explicit SurveyReportModel(QObject *parent = nullptr);

    void setRows(QList<SurveyReportRow> rows);
    [[nodiscard]] const QList<SurveyReportRow> &rows() const { return m_rows; }

    /// The mean score of the rows, 0 when there are none.
    [[nodiscard]] double averageScore() const;

    /// The CSV header and one row's record: time in UTC (ISO 8601), the comment made safe for spreadsheets.
    static QStringList csvHeader();
    [[nodiscard]] QStringList csvRecord(int row) const;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<SurveyReportRow> m_rows;
};

} // namespace heliodesk
