#include "conversationexport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace heliodesk {

namespace {

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString statusNote(const MessageRecord &m)
{
    switch (m.status) {
    case MessageStatus::Complete: return {};
    case MessageStatus::Streaming: return QStringLiteral("*(still being written)*");
    case MessageStatus::Cancelled: return QStringLiteral("*(stopped before the end)*");
    case MessageStatus::Interrupted: return QStringLiteral("*(interrupted: Heliodesk stopped while answering)*");
    case MessageStatus::Failed: return QStringLiteral("*(failed: %1)*").arg(m.error);
    }
    return {};
}

} // namespace

QByteArray exportMarkdown(const ConversationExport &data)
{
    QString md;
    md += u"# " + data.conversation.title + u"\n\n";
    md += QStringLiteral("Agent: %1 · Started %2 UTC\n").arg(data.agentName, isoTime(data.conversation.createdAtMs));
    for (const MessageRecord &m : data.messages) {
        const QString who = m.role == MessageRole::User ? (data.username.isEmpty() ? QStringLiteral("You") : data.username)
                                                        : data.agentName;
        md += u"\n## " + who + u" — " + isoTime(m.createdAtMs) + u" UTC\n\n";
        md += m.content;
        if (!m.content.endsWith(u'\n'))
            md += u'\n';
        if (const QString note = statusNote(m); !note.isEmpty())
            md += u'\n' + note + u'\n';
        const QJsonArray sources = QJsonDocument::fromJson(m.sourcesJson.toUtf8()).array();
        if (!sources.isEmpty() && !m.content.contains(u"Sources")) {
            md += u"\nSources:\n";
            for (const auto &s : sources)
                md += u"- " + s[u"title"].toString() + u" (" + s[u"location"].toString() + u")\n";
        }
    }
    return md.toUtf8();
}

QByteArray exportJson(const ConversationExport &data)
{
    const ConversationRecord &c = data.conversation;
    QJsonArray messages;
    for (const MessageRecord &m : data.messages) {
        QJsonObject o{{QStringLiteral("id"), m.id},
                      {QStringLiteral("role"), nameOf(m.role)},
                      {QStringLiteral("status"), nameOf(m.status)},
                      {QStringLiteral("content"), m.content},
                      {QStringLiteral("error"), m.error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m.error)},
                      {QStringLiteral("sources"), QJsonDocument::fromJson(m.sourcesJson.toUtf8()).array()},
                      {QStringLiteral("usage_event_id"), m.usageEventId ? QJsonValue(*m.usageEventId) : QJsonValue(QJsonValue::Null)},
                      {QStringLiteral("created_at"), isoTime(m.createdAtMs)},
                      {QStringLiteral("updated_at"), isoTime(m.updatedAtMs)}};
        messages.append(o);
    }
    const QJsonObject root{{QStringLiteral("format"), QStringLiteral("heliodesk-conversation")},
                           {QStringLiteral("version"), 1},
                           {QStringLiteral("id"), c.id},
                           {QStringLiteral("title"), c.title},
                           {QStringLiteral("agent_id"), c.agentId},
                           {QStringLiteral("agent_name"), data.agentName},
                           {QStringLiteral("username"), data.username},
                           {QStringLiteral("pinned"), c.pinned},
                           {QStringLiteral("created_at"), isoTime(c.createdAtMs)},
                           {QStringLiteral("updated_at"), isoTime(c.updatedAtMs)},
                           {QStringLiteral("messages"), messages}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace heliodesk
