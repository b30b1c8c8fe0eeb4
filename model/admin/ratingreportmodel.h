#pragma once

// The feedback report's ratings table: when, who, which agent, thumbs up or down, the comment,
// and the question and answer (on one line, shortened; the whole text is in FullTextRole and in
// csvRecord()).

#include "storage/feedbackreportstore.h"

#include <QAbstractTableModel>
#include <QList>

namespace heliodesk {

class RatingReportModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, UserColumn, AgentColumn, RatingColumn, CommentColumn, QuestionColumn, AnswerColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        FullTextRole = Qt::UserRole + 1, // the cell's whole text (not shortened)
        SortRole,                        // time as milliseconds, rating as -1/1, else the text
    };
    Q_ENUM(Role)

    /// Characters of a question or answer the table shows before "…".
    static constexpr qsizetype shownChars = 160;

    explicit RatingReportModel(QObject *parent = nullptr);

    void setRows(QList<RatingReportRow> rows);
    [[nodiscard]] const QList<RatingReportRow> &rows() const { return m_rows; }
    [[nodiscard]] const RatingReportRow &at(int row) const { return m_rows.at(row); }

    /// The CSV header and one row's record: time in UTC (ISO 8601), rating as "up"/"down", the
    /// whole texts (made safe for spreadsheets).
    static QStringList csvHeader();
    [[nodiscard]] QStringList csvRecord(int row) const;

    /// `text` on one line, at most `chars` characters (with "…" when cut).
    static QString oneLine(const QString &text, qsizetype chars);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<RatingReportRow> m_rows;
};

} // namespace heliodesk
