#pragma once

// A conversation as a file: Markdown for reading, JSON with every field for machines.

#include "storage/records.h"

#include <QByteArray>
#include <QList>

namespace heliodesk {

struct ConversationExport {
    ConversationRecord conversation;
    QString agentName;
    QString username;
    QList<MessageRecord> messages;
};

QByteArray exportMarkdown(const ConversationExport &data);
QByteArray exportJson(const ConversationExport &data);

} // namespace heliodesk
