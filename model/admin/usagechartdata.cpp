#include "usagechartdata.h"

#include <QMap>

namespace heliodesk {

UsageChartData UsageChartData::build(const QList<UsageDayRow> &rows, QDate from, QDate to, Split split)
{
    UsageChartData data;
    if (!from.isValid() || !to.isValid() || to < from)
        return data;
    for (QDate day = from; day <= to; day = day.addDays(1))
        data.days.append(day);
    QMap<QString, QList<int>> bySeries; // sorted by name
    for (const UsageDayRow &row : rows) {
        if (row.day < from || row.day > to)
            continue;
        const QString &name = split == Split::ByAgent ? row.agentName : row.username;
        auto it = bySeries.find(name);
        if (it == bySeries.end())
            it = bySeries.insert(name, QList<int>(data.days.size(), 0));
        (*it)[from.daysTo(row.day)] += row.total();
    }
    data.series = bySeries.keys();
    data.counts = bySeries.values();
    return data;
}

int UsageChartData::total() const
{
    int sum = 0;
    for (const QList<int> &values : counts) {
        for (int value : values)
            sum += value;
    }
    return sum;
}

int UsageChartData::highestDay() const
{
    int highest = 0;
    for (qsizetype day = 0; day < days.size(); ++day) {
        int stack = 0;
        for (const QList<int> &values : counts)
            stack += values.at(day);
        highest = std::max(highest, stack);
    }
    return highest;
}

} // namespace heliodesk
