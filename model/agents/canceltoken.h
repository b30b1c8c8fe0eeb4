#pragma once

// Stop for one answer: whoever holds the token may cancel; the provider listens and aborts.

#include <QObject>

namespace heliodesk {

class CancelToken : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    [[nodiscard]] bool isCancelled() const { return m_cancelled; }

    /// Idempotent; emits cancelRequested() the first time.
    void cancel()
    {
        if (m_cancelled)
            return;
        m_cancelled = true;
        Q_EMIT cancelRequested();
    }

Q_SIGNALS:
    void cancelRequested();

private:
    bool m_cancelled = false;
};

} // namespace heliodesk
