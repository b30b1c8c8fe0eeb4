#include "servermessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace heliodesk::ServerMessage {

QString quote(const QString &text)
{
    QString line = text.simplified();
    if (line.size() > maxQuote) {
        qsizetype length = maxQuote;
        if (line.at(length - 1).isHighSurrogate())
            --length;
        line = line.left(length) + u'…';
    }
    return line;
}

QString htmlTitle(const QString &html)
{
    static const QRegularExpression title(QStringLiteral("<title[^>]*>(.*?)</title>"),
                                          QRegularExpression::CaseInsensitiveOption
                                              | QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = title.match(html);
    return match.hasMatch() ? match.captured(1).simplified() : QString();
}

bool looksLikeHtml(const QString &text)
{
    const QString start = text.trimmed().left(256).toLower();
    return start.startsWith(u"<!doctype html") || start.startsWith(u"<html") || start.contains(u"<head")
        || start.contains(u"<body");
}

QString fromBody(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && document.isObject()) {
        const QJsonObject object = document.object();
        const QJsonValue error = object.value(u"error");
        QString message;
        if (error.isObject())
            message = error.toObject().value(u"message").toString();
        else if (error.isString())
            message = error.toString();
        if (message.trimmed().isEmpty())
            message = object.value(u"message").toString();
        if (message.trimmed().isEmpty()) {
            const QJsonValue detail = object.value(u"detail");
            if (detail.isString())
                message = detail.toString();
            else if (detail.isArray() || detail.isObject())
                message = QString::fromUtf8(detail.isArray() ? QJsonDocument(detail.toArray()).toJson(QJsonDocument::Compact)
                                                             : QJsonDocument(detail.toObject()).toJson(QJsonDocument::Compact));
        }
        if (message.trimmed().isEmpty() && error.isObject())
            message = error.toObject().value(u"type").toString();
        return quote(message);
    }
    const QString text = QString::fromUtf8(body.left(64 * 1024)); // a title or a first line is all that is quoted
    if (looksLikeHtml(text))
        return quote(htmlTitle(text));
    return quote(text);
}

QString httpNote(int status, const QString &message)
{
    if (message.isEmpty())
        return u"(HTTP " + QString::number(status) + u')';
    return u"(HTTP " + QString::number(status) + u": " + message + u')';
}

} // namespace heliodesk::ServerMessage
