#pragma once

// How QCOMPARE prints our enums and optionals when a comparison fails.

#include "storage/error.h"
#include "storage/records.h"

#include <QTest>

#include <optional>

namespace heliodesk {
inline char *toString(const ErrorCode &code) { return qstrdup(errorCodeName(code)); }
inline char *toString(const DeletionCounts &c)
{
    return qstrdup(qPrintable(QStringLiteral("{conversations %1, messages %2, feedback %3, surveys %4, hired %5, usage %6}")
                                  .arg(c.conversations).arg(c.messages).arg(c.feedback).arg(c.surveyResponses)
                                  .arg(c.hiredAgents).arg(c.usageEvents)));
}
} // namespace heliodesk

// QCOMPARE prints these enums by their names.
template<> inline char *QTest::toString<heliodesk::Role>(const heliodesk::Role &v) { return qstrdup(qPrintable(heliodesk::nameOf(v))); }
template<> inline char *QTest::toString<heliodesk::UserStatus>(const heliodesk::UserStatus &v) { return qstrdup(qPrintable(heliodesk::nameOf(v))); }
template<> inline char *QTest::toString<heliodesk::QuotaMode>(const heliodesk::QuotaMode &v) { return qstrdup(qPrintable(heliodesk::nameOf(v))); }
template<> inline char *QTest::toString<heliodesk::UsageOutcome>(const heliodesk::UsageOutcome &v) { return qstrdup(qPrintable(heliodesk::nameOf(v))); }
template<> inline char *QTest::toString<heliodesk::MessageStatus>(const heliodesk::MessageStatus &v) { return qstrdup(qPrintable(heliodesk::nameOf(v))); }
template<> inline char *QTest::toString<heliodesk::MessageRole>(const heliodesk::MessageRole &v) { return qstrdup(qPrintable(heliodesk::nameOf(v))); }

namespace std {
template<typename T>
char *toString(const std::optional<T> &value)
{
    if (!value)
        return qstrdup("nullopt");
    return QTest::toString(*value);
}
} // namespace std

/// QVERIFY2 builds its message even when the check passes, so the message must not touch error()
/// of a Result that holds a value: this macro evaluates `result` once and looks at the error only
/// on failure.
#define VERIFY_OK(result)                                                                                              \
    do {                                                                                                               \
        const auto &verifyOkResult_ = (result);                                                                        \
        QVERIFY2(static_cast<bool>(verifyOkResult_),                                                                   \
                 static_cast<bool>(verifyOkResult_) ? "" : qPrintable(verifyOkResult_.error().toLogString()));         \
    } while (false)
