#pragma once

// A clock that stands still until a test moves it.

#include "model/clock.h"

#include <QDateTime>

namespace heliodesk::test {

class FakeClock final : public Clock
{
public:
    explicit FakeClock(QDateTime start = QDateTime(QDate(2026, 11, 15), QTime(12, 0), Qt::UTC))
        : m_now(std::move(start))
    {
    }
    [[nodiscard]] QDateTime nowUtc() const override { return m_now; }
    void set(const QDateTime &moment) { m_now = moment.toUTC(); }
    void advance(std::chrono::milliseconds by) { m_now = m_now.addMSecs(by.count()); }

private:
    QDateTime m_now;
};

} // namespace heliodesk::test
