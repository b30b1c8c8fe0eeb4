#pragma once

// One message found by SearchService, as the results list shows it.

#include "storage/records.h"

#include <QList>
#include <QMetaType>
#include <QString>

#include <utility>

namespace heliodesk {

struct SearchHit {
    qint64 messageId = 0;
    qint64 conversationId = 0;
    QString conversationTitle;
    QString agentId;
    MessageRole role = MessageRole::User;
    QString snippet;                          // plain text: a few words around the matches, on one line
    QList<std::pair<int, int>> highlights;    // (start, length) of each matched word in snippet
    qint64 createdAtMs = 0;
    QString agentName;                        // the agent's name (its id when the agent is gone)

    bool operator==(const SearchHit &) const = default;
};

} // namespace heliodesk

Q_DECLARE_METATYPE(heliodesk::SearchHit)
