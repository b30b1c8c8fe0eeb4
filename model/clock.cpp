#include "clock.h"

namespace heliodesk {

QString quotaPeriodOf(const QDateTime &moment)
{
    return moment.toUTC().toString(QStringLiteral("yyyy-MM"));
}

} // namespace heliodesk
