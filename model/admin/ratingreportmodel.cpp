#include "ratingreportmodel.h"

#include "model/chat/searchservice.h"

#include "csv.h"

#include <QDateTime>
#include <QTimeZone>

namespace heliodesk {

namespace {

QString localTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString utcIso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

RatingReportModel::RatingReportModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RatingReportModel::setRows(QList<RatingReportRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QStringList RatingReportModel::csvHeader()
{
    return {tr("Time (UTC)"), tr("User"), tr("Agent"), tr("Rating"), tr("Comment"), tr("Question"), tr("Answer")};
}

QStringList RatingReportModel::csvRecord(int row) const
{
    const RatingReportRow &r = m_rows.at(row);
    return {utcIso(r.createdAtMs), r.username, r.agentName, r.rating > 0 ? QStringLiteral("up") : QStringLiteral("down"),
            csvSafeText(r.comment), csvSafeText(r.question), csvSafeText(r.answer)};
}

QString RatingReportModel::oneLine(const QString &text, qsizetype chars)
{
    QString line = text.simplified();
    if (line.size() > chars) {
        line.truncate(chars - 1);
        // Do not leave half of a surrogate pair at the end.
        if (!line.isEmpty() && line.back().isHighSurrogate())
            line.chop(1);
        line += QChar(0x2026);
    }
    return line;
}

int RatingReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RatingReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RatingReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RatingReportRow &row = m_rows.at(index.row());
    const auto column = static_cast<Column>(index.column());
    if (role == SortRole) {
        if (column == TimeColumn)
            return row.createdAtMs;
        if (column == RatingColumn)
            return row.rating;
        role = FullTextRole;
    }
    if (role == Qt::DisplayRole || role == FullTextRole || role == Qt::ToolTipRole) {
        const bool full = role != Qt::DisplayRole;
        const qsizetype tipChars = 1000;
        switch (column) {
        case TimeColumn: return localTime(row.createdAtMs);
        case UserColumn: return row.username;
        case AgentColumn: return row.agentName;
        case RatingColumn: return row.rating > 0 ? tr("Thumbs up") : tr("Thumbs down");
        case CommentColumn:
            return role == FullTextRole ? row.comment : oneLine(row.comment, full ? tipChars : shownChars);
        case QuestionColumn:
            return role == FullTextRole ? row.question : oneLine(row.question, full ? tipChars : shownChars);
        case AnswerColumn:
            // Shown as text, without the Markdown marks the chat window renders (`**`, `#`, `|`).
            return role == FullTextRole ? row.answer
                                        : oneLine(SearchService::withoutMarkdownMarks(row.answer), full ? tipChars : shownChars);
        case ColumnCount: break;
        }
    }
    return {};
}

QVariant RatingReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn: return tr("Time");
    case UserColumn: return tr("User");
    case AgentColumn: return tr("Agent");
    case RatingColumn: return tr("Rating");
    case CommentColumn: return tr("Comment");
    case QuestionColumn: return tr("Question");
    case AnswerColumn: return tr("Answer");
    case ColumnCount: break;
    }
    return {};
}

} // namespace heliodesk
