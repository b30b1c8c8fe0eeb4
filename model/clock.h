#pragma once

// The time services read, so that tests can move it (month rollover, lockout expiry).

#include <QDateTime>

namespace heliodesk {

class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual QDateTime nowUtc() const = 0;
    [[nodiscard]] qint64 nowMs() const { return nowUtc().toMSecsSinceEpoch(); }
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] QDateTime nowUtc() const override { return QDateTime::currentDateTimeUtc(); }
};

/// The quota period a moment falls in: its UTC year and month, "2026-11".
QString quotaPeriodOf(const QDateTime &moment);

} // namespace heliodesk
