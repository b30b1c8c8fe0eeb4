#include "openaichunkdecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>

namespace heliodesk {

namespace {

constexpr qsizetype kQuoteLength = 80;

/// The start of what arrived, on one line, for an error message.
QString quote(const QString &data)
{
    const QString trimmed = data.trimmed();
    qsizetype length = std::min(trimmed.size(), kQuoteLength);
    if (length < trimmed.size() && trimmed.at(length - 1).isHighSurrogate())
        --length; // never cut a surrogate pair in two
    QString start = trimmed.first(length);
    for (QChar &c : start) {
        if (c.category() == QChar::Other_Control)
            c = u' ';
    }
    if (length < trimmed.size())
        start += u'…';
    return start;
}

Unexpected protocolError(const QString &data, const QString &detail)
{
    return fail(ErrorCode::ProviderProtocol,
                u"The model server sent something that is not a streaming chat answer: “" + quote(data) + u"”.",
                detail);
}

/// Servers word errors differently: OpenAI, vLLM and llama.cpp send {"error": {"message", "type",
/// "code"}}, some proxies {"error": "text"}, older vLLM a top-level {"object": "error", "message"}.
Unexpected serverError(const QJsonValue &error)
{
    QString message;
    QString detail;
    if (error.isObject()) {
        const QJsonObject object = error.toObject();
        message = object.value(u"message").toString().trimmed();
        QStringList parts;
        for (const QString &key : {QStringLiteral("type"), QStringLiteral("code"), QStringLiteral("param")}) {
            const QJsonValue value = object.value(key);
            if (value.isString() || value.isDouble())
                parts << key + u'=' + value.toVariant().toString();
        }
        detail = parts.join(u", ");
        if (message.isEmpty())
            message = object.value(u"type").toString().trimmed();
        if (message.isEmpty() && !object.isEmpty())
            message = QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    } else if (error.isArray()) {
        message = QString::fromUtf8(QJsonDocument(error.toArray()).toJson(QJsonDocument::Compact));
    } else {
        message = error.toVariant().toString().trimmed();
    }
    if (message.isEmpty())
        message = QStringLiteral("no details given");
    return fail(ErrorCode::ProviderError, u"The model server reported an error: " + message, detail);
}

} // namespace

Result<ChatChunk> OpenAiChunkDecoder::decode(const QString &eventData)
{
    if (eventData.trimmed() == u"[DONE]") {
        ChatChunk chunk;
        chunk.done = true;
        return chunk;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(eventData.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return protocolError(eventData, u"not JSON: " + parseError.errorString() + u" at offset "
                                            + QString::number(parseError.offset));
    if (!document.isObject())
        return protocolError(eventData, QStringLiteral("JSON but not an object"));
    const QJsonObject object = document.object();

    if (const QJsonValue error = object.value(u"error"); !error.isUndefined() && !error.isNull())
        return serverError(error);
    if (object.value(u"object").toString() == u"error")
        return serverError(object);

    ChatChunk chunk;
    // Absent or null choices: a usage-only chunk (vLLM sends "choices": null) or another extra.
    const QJsonValue choices = object.value(u"choices");
    if (choices.isUndefined() || choices.isNull())
        return chunk;
    if (!choices.isArray())
        return protocolError(eventData, QStringLiteral("\"choices\" is not an array"));
    const QJsonArray choiceList = choices.toArray();
    if (choiceList.isEmpty())
        return chunk;
    if (!choiceList.first().isObject())
        return protocolError(eventData, QStringLiteral("\"choices[0]\" is not an object"));
    const QJsonObject choice = choiceList.first().toObject();

    const QJsonValue finishReason = choice.value(u"finish_reason");
    if (finishReason.isString())
        chunk.finishReason = finishReason.toString();
    else if (!finishReason.isUndefined() && !finishReason.isNull())
        return protocolError(eventData, QStringLiteral("\"finish_reason\" is not a string"));

    const QJsonValue delta = choice.value(u"delta");
    if (delta.isUndefined() || delta.isNull())
        return chunk;
    if (!delta.isObject())
        return protocolError(eventData, QStringLiteral("\"delta\" is not an object"));
    const QJsonValue content = delta.toObject().value(u"content");
    if (content.isString())
        chunk.text = content.toString();
    else if (!content.isUndefined() && !content.isNull())
        return protocolError(eventData, QStringLiteral("\"delta.content\" is not a string"));
    return chunk;
}

} // namespace heliodesk
