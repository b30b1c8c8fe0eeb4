#pragma once

// The usage chart's numbers: one series per agent (or user), one value per day of the range,
// zeros included, so that a stacked bar chart can be drawn from them as they are.

#include "storage/usagereportstore.h"

#include <QDate>
#include <QList>
#include <QStringList>

namespace heliodesk {

struct UsageChartData {
    enum class Split { ByAgent, ByUser };

    QList<QDate> days;            // every day from the first to the last
    QStringList series;           // agent names (or usernames), sorted
    QList<QList<int>> counts;     // counts[series][day]: queries of every outcome

    /// The rows' queries from `from` to `to`, split as asked. Rows outside the range are left out.
    static UsageChartData build(const QList<UsageDayRow> &rows, QDate from, QDate to, Split split);

    [[nodiscard]] int total() const;
    /// The largest stack: the sum over series of one day, the highest of all days.
    [[nodiscard]] int highestDay() const;
};

} // namespace heliodesk
