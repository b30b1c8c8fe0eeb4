// Conversation export, with hostile text everywhere a person or a model server puts text: the
// title, names, message content, error, and the sources JSON kept with an answer. The input is
// split at NUL bytes: title, agent name, user name, then for each message its content (whose first
// byte picks the role and status), error and sources. The JSON export must parse back to the same
// text; the Markdown export must be valid UTF-8 holding every message's text.

#include "fuzzcheck.h"

#include "model/chat/conversationexport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

using namespace heliodesk;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size).toByteArray();
    const QList<QByteArray> parts = input.split('\0');
    const auto part = [&parts](qsizetype i) { return i < parts.size() ? QString::fromUtf8(parts.at(i)) : QString(); };

    ConversationExport conversation;
    conversation.conversation.id = 42;
    conversation.conversation.agentId = QStringLiteral("grid-analyst");
    conversation.conversation.title = part(0);
    conversation.conversation.createdAtMs = qint64(size) * 86'400'000 * 365; // far into the future for long inputs
    conversation.conversation.updatedAtMs = conversation.conversation.createdAtMs;
    conversation.agentName = part(1);
    conversation.username = part(2);
    for (qsizetype i = 3; i < parts.size() && conversation.messages.size() < 64; i += 3) {
        MessageRecord message;
        message.id = i;
        message.conversationId = 42;
        QByteArray content = parts.at(i);
        const quint8 meta = content.isEmpty() ? 0 : quint8(content.front());
        if (!content.isEmpty())
            content.remove(0, 1);
        message.role = static_cast<MessageRole>(meta % 3);
        message.status = static_cast<MessageStatus>((meta / 3) % 5);
        message.content = QString::fromUtf8(content);
        message.error = part(i + 1);
        message.sourcesJson = part(i + 2);
        if (meta & 0x80)
            message.usageEventId = meta;
        message.createdAtMs = (meta & 0x40) ? -qint64(meta) * 1'000'000'000'000 : qint64(meta) * 1000;
        message.updatedAtMs = message.createdAtMs;
        conversation.messages << message;
    }

    const QByteArray json = exportJson(conversation);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    FUZZ_CHECK(error.error == QJsonParseError::NoError && document.isObject(), error.errorString());
    const QJsonObject root = document.object();
    FUZZ_CHECK(root.value(u"title").toString() == conversation.conversation.title, QStringLiteral("title"));
    FUZZ_CHECK(root.value(u"agent_name").toString() == conversation.agentName, QStringLiteral("agent_name"));
    FUZZ_CHECK(root.value(u"username").toString() == conversation.username, QStringLiteral("username"));
    const QJsonArray messages = root.value(u"messages").toArray();
    FUZZ_CHECK(messages.size() == conversation.messages.size(), QString::number(messages.size()));
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject m = messages.at(i).toObject();
        const MessageRecord &sent = conversation.messages.at(i);
        FUZZ_CHECK(m.value(u"content").toString() == sent.content, u"content of message " + QString::number(i));
        FUZZ_CHECK(m.value(u"error").toString() == sent.error, u"error of message " + QString::number(i));
        FUZZ_CHECK(m.value(u"role").toString() == nameOf(sent.role), QString());
        FUZZ_CHECK(m.value(u"status").toString() == nameOf(sent.status), QString());
        FUZZ_CHECK(m.value(u"sources").isArray(), QStringLiteral("sources is not an array"));
    }

    const QByteArray markdown = exportMarkdown(conversation);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(markdown);
    FUZZ_CHECK(!decoder.hasError(), QStringLiteral("the Markdown export is not UTF-8"));
    FUZZ_CHECK(text.contains(conversation.conversation.title), QStringLiteral("title missing"));
    for (const MessageRecord &m : std::as_const(conversation.messages))
        FUZZ_CHECK(text.contains(m.content), QStringLiteral("a message's text is missing"));
    return 0;
}
