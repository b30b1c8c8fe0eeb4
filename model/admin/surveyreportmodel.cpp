#include "surveyreportmodel.h"

#include "csv.h"
#include "ratingreportmodel.h"

#include <QDateTime>
#include <QTimeZone>

namespace heliodesk {

SurveyReportModel::SurveyReportModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SurveyReportModel::setRows(QList<SurveyReportRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

double SurveyReportModel::averageScore() const
{
    if (m_rows.isEmpty())
        return 0.0;
    double sum = 0.0;
    for (const SurveyReportRow &row : m_rows)
        sum += row.score;
    return sum / double(m_rows.size());
}

QStringList SurveyReportModel::csvHeader()
{
    return {tr("Time (UTC)"), tr("User"), tr("Score"), tr("Comment")};
}

QStringList SurveyReportModel::csvRecord(int row) const
{
    const SurveyReportRow &r = m_rows.at(row);
    return {QDateTime::fromMSecsSinceEpoch(r.createdAtMs, Qt::UTC).toString(Qt::ISODate), r.username, QString::number(r.score),
            csvSafeText(r.comment)};
}

int SurveyReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SurveyReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SurveyReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SurveyReportRow &row = m_rows.at(index.row());
    const auto column = static_cast<Column>(index.column());
    if (role == SortRole) {
        if (column == TimeColumn)
            return row.createdAtMs;
        if (column == ScoreColumn)
            return row.score;
        role = Qt::DisplayRole;
    }
    if (role == Qt::ToolTipRole && column == CommentColumn)
        return RatingReportModel::oneLine(row.comment, 1000);
    if (role == Qt::TextAlignmentRole && column == ScoreColumn)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(row.createdAtMs).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case UserColumn: return row.username;
    case ScoreColumn: return row.score;
    case CommentColumn: return RatingReportModel::oneLine(row.comment, RatingReportModel::shownChars);
    case ColumnCount: break;
    }
    return {};
}

QVariant SurveyReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn: return tr("Time");
    case UserColumn: return tr("User");
    case ScoreColumn: return tr("Score");
    case CommentColumn: return tr("Comment");
    case ColumnCount: break;
    }
    return {};
}

} // namespace heliodesk
