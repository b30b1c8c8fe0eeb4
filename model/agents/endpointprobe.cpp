#include "endpointprobe.h"

#include "servermessage.h"

#include "model/net/httpclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <algorithm>
#include <memory>

namespace heliodesk {

namespace {

Q_LOGGING_CATEGORY(lcProbe, "heliodesk.endpointprobe", QtInfoMsg)

constexpr qsizetype kMaxListBody = 16 * 1024 * 1024; // hosted routers list thousands of models

QString tr(const char *text)
{
    return QCoreApplication::translate("heliodesk::EndpointProbe", text);
}

QString displayUrl(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

QString durationText(std::chrono::milliseconds duration)
{
    const auto ms = duration.count();
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    const qint64 seconds = (ms + 500) / 1000;
    return seconds == 1 ? tr("1 second") : tr("%1 seconds").arg(seconds);
}

Error httpError(int status, const QByteArray &body, const QByteArray &retryAfter, const QString &where,
                const QString &listUrl, bool hasKey)
{
    const QString note = ServerMessage::httpNote(status, ServerMessage::fromBody(body));
    const QString detail = u"HTTP " + QString::number(status) + u" from " + listUrl + u": "
        + ServerMessage::quote(QString::fromUtf8(body.left(1024)));
    if (status == 401 || status == 403) {
        if (!hasKey)
            return Error(ErrorCode::ProviderUnauthorized,
                         tr("The model server at %1 refused the request because no API key is set %2. Enter the API key.")
                             .arg(where, note),
                         detail);
        return Error(ErrorCode::ProviderUnauthorized,
                     tr("The model server at %1 refused the API key %2. Check the API key.").arg(where, note), detail);
    }
    if (status == 404)
        return Error(ErrorCode::ProviderModelNotFound,
                     tr("The server at %1 has no list of models at %2 %3, so this address does not look like an "
                        "OpenAI-compatible API. Check the base URL; it usually ends in /v1.")
                         .arg(where, listUrl, note),
                     detail);
    if (status == 429) {
        bool ok = false;
        const qint64 seconds = retryAfter.trimmed().toLongLong(&ok);
        QString when = tr("wait a little and try again.");
        if (ok && seconds == 1)
            when = tr("try again in 1 second.");
        else if (ok && seconds > 1)
            when = tr("try again in %1 seconds.").arg(seconds);
        return Error(ErrorCode::ProviderRateLimited,
                     tr("The model server at %1 is limiting requests %2; %3").arg(where, note, when), detail);
    }
    if (status >= 500)
        return Error(ErrorCode::ProviderUnavailable,
                     tr("The model server at %1 has a problem %2. Try again in a few minutes.").arg(where, note), detail);
    return Error(ErrorCode::ProviderError, tr("The model server at %1 rejected the request %2.").arg(where, note), detail);
}

/// A request that got no HTTP response at all.
Error unreachableError(const HttpExchange &exchange, const QString &where, std::chrono::milliseconds connectTimeout)
{
    const QString &detail = exchange.failureText();
    switch (exchange.failure()) {
    case HttpExchange::Failure::Protocol:
        return Error(ErrorCode::ProviderProtocol,
                     tr("The server at %1 answered with something that is not HTTP (%2). Check the base URL.").arg(where, detail),
                     detail);
    case HttpExchange::Failure::ClosedWithoutAnswer:
        return Error(ErrorCode::ProviderUnreachable,
                     tr("The server at %1 closed the connection without answering. Check that the base URL is right and "
                        "that the server is healthy.")
                         .arg(where),
                     detail);
    case HttpExchange::Failure::Tls:
        return Error(ErrorCode::ProviderUnreachable,
                     tr("Could not open a secure connection to the model server at %1 (%2). Check the base URL, and that "
                        "this computer trusts the server's certificate.")
                         .arg(where, detail),
                     detail);
    case HttpExchange::Failure::ConnectTimeout:
        return Error(ErrorCode::ProviderUnreachable,
                     tr("Could not connect to the model server at %1 within %2. Check that the server is running and "
                        "reachable from this computer, and that the base URL is right.")
                         .arg(where, durationText(connectTimeout)),
                     u"connect timeout: " + detail);
    case HttpExchange::Failure::HostNotFound:
    case HttpExchange::Failure::ConnectionRefused:
    case HttpExchange::Failure::Network:
    case HttpExchange::Failure::Truncated:
    case HttpExchange::Failure::Aborted:
    case HttpExchange::Failure::None:
        break;
    }
    return Error(ErrorCode::ProviderUnreachable,
                 tr("Could not connect to the model server at %1 (%2). Check that the server is running and that the "
                    "base URL is right.")
                     .arg(where, detail),
                 detail);
}

Error notAListError(const QString &where, const QString &why, const QString &detail)
{
    return Error(ErrorCode::ProviderProtocol,
                 tr("The server at %1 answered, but not with a list of models (%2), so it does not look like an "
                    "OpenAI-compatible API. Check the base URL; it usually ends in /v1.")
                     .arg(where, why),
                 detail);
}

/// The ids in the list, and whether `model` is among them. Ollama names "llama3.1" what it lists
/// as "llama3.1:latest".
bool listsModel(const QStringList &models, const QString &model)
{
    if (model.isEmpty())
        return false;
    return models.contains(model) || (!model.contains(u':') && models.contains(model + u":latest"));
}

QString summaryOf(const QStringList &models, const QString &model, bool listed)
{
    if (models.isEmpty())
        return tr("Connected, but the server lists no models. Check that a model is installed or loaded on it.");
    const QString count = models.size() == 1 ? tr("1 model") : tr("%1 models").arg(models.size());
    if (model.isEmpty())
        return tr("Connected. %1; choose one.").arg(count);
    if (listed)
        return tr("Connected. %1; %2 is one of them.").arg(count, model);
    return tr("Connected. %1, but not %2: choose one of them, or check the name.").arg(count, model);
}

} // namespace

QUrl modelsUrl(const QUrl &baseUrl)
{
    QUrl url = baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    const QString completions = QStringLiteral("/chat/completions");
    if (path.endsWith(completions))
        path.chop(completions.size());
    url.setPath(path + u"/models");
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

Result<EndpointCheck> parseModelList(const QByteArray &body, const QString &model, const QString &where)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const QString text = QString::fromUtf8(body.left(64 * 1024));
        if (ServerMessage::looksLikeHtml(text)) {
            const QString title = ServerMessage::htmlTitle(text);
            return Unexpected(notAListError(where,
                                            title.isEmpty() ? tr("a web page") : tr("a web page titled “%1”").arg(ServerMessage::quote(title)),
                                            QStringLiteral("HTML instead of JSON")));
        }
        return Unexpected(notAListError(where,
                                        body.trimmed().isEmpty() ? tr("an empty answer")
                                                                 : tr("it began: “%1”").arg(ServerMessage::quote(text)),
                                        u"not JSON: " + parseError.errorString()));
    }
    const QJsonValue data = document.object().value(u"data");
    if (!document.isObject() || !data.isArray())
        return Unexpected(notAListError(where, tr("no “data” list in its JSON"),
                                        u"JSON without a data array: " + ServerMessage::quote(QString::fromUtf8(body.left(1024)))));
    QStringList models;
    const QJsonArray entries = data.toArray();
    models.reserve(entries.size());
    for (const auto &entry : entries) {
        const QString id = entry.toObject().value(u"id").toString();
        if (id.isEmpty())
            return Unexpected(notAListError(where, tr("an entry without an “id”"),
                                            u"data entry without id: "
                                                + ServerMessage::quote(QString::fromUtf8(QJsonDocument(QJsonArray{entry}).toJson(QJsonDocument::Compact)))));
        models << id;
    }
    models.removeDuplicates();
    std::sort(models.begin(), models.end(), [](const QString &a, const QString &b) {
        const int order = QString::compare(a, b, Qt::CaseInsensitive);
        return order != 0 ? order < 0 : a < b;
    });

    EndpointCheck check;
    const QString wanted = model.trimmed();
    check.modelListed = listsModel(models, wanted);
    check.summary = summaryOf(models, wanted, check.modelListed);
    check.models = std::move(models);
    return check;
}

QCoro::Task<Result<EndpointCheck>> checkEndpoint(OpenAiSettings settings)
{
    const QUrl url = modelsUrl(settings.baseUrl);
    const QString where = displayUrl(settings.baseUrl);
    if (!settings.baseUrl.isValid() || settings.baseUrl.host().isEmpty()
        || (url.scheme() != u"http" && url.scheme() != u"https"))
        co_return fail(ErrorCode::InvalidInput,
                       tr("“%1” is not an http or https URL. Use for example http://127.0.0.1:11434/v1.").arg(where));
    const QString listUrl = displayUrl(url);
    const QString key = settings.apiKey.trimmed();

    HttpRequest request;
    request.method = QByteArrayLiteral("GET");
    request.url = url;
    request.fields = {{QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")}};
    if (!key.isEmpty())
        request.fields.append({QByteArrayLiteral("Authorization"), "Bearer " + key.toUtf8()});

    // The client lives in this frame: one request, then its connection is closed with it. The
    // exchange is declared after it, so it goes first.
    HttpClient client;
    const std::unique_ptr<HttpExchange> exchange = client.send(std::move(request), settings.connectTimeout);
    const std::chrono::milliseconds idleTimeout = settings.idleTimeout.count() > 0 ? settings.idleTimeout
                                                                                   : std::chrono::milliseconds(-1);
    QByteArray body;
    for (;;) {
        if (!co_await exchange->changed(idleTimeout)) {
            if (exchange->isConnecting())
                continue; // the connect timeout decides
            exchange->abort();
            co_return fail(ErrorCode::ProviderTimeout,
                           tr("The model server at %1 did not answer within %2. It may be overloaded or still starting; "
                              "try again.")
                               .arg(where, durationText(settings.idleTimeout)),
                           QStringLiteral("idle timeout on GET ") + listUrl);
        }
        if (exchange->hasHead()) {
            body += exchange->body();
            exchange->discardBody();
            if (body.size() > kMaxListBody) {
                exchange->abort();
                co_return fail(ErrorCode::ProviderProtocol,
                               tr("The server at %1 sent more than %2 MB for its list of models, which no "
                                  "OpenAI-compatible API does. Check the base URL.")
                                   .arg(where)
                                   .arg(kMaxListBody / (1024 * 1024)),
                               QStringLiteral("models list over the size limit"));
            }
        }
        if (exchange->isFinished())
            break;
    }

    if (!exchange->hasHead())
        co_return Unexpected(unreachableError(*exchange, where, settings.connectTimeout));
    const HttpResponseHead &head = exchange->head();
    qCDebug(lcProbe).noquote() << "GET" << listUrl << "->" << head.status << body.size() << "bytes";
    if (head.status >= 400)
        co_return Unexpected(httpError(head.status, body, head.value("Retry-After"), where, listUrl, !key.isEmpty()));
    if (head.status >= 300 && head.status < 400) {
        const QString location = QString::fromLatin1(head.value("Location"));
        co_return fail(ErrorCode::ProviderProtocol,
                       location.isEmpty()
                           ? tr("The server at %1 redirects (HTTP %2) without saying where. Check the base URL.")
                                 .arg(where)
                                 .arg(head.status)
                           : tr("The server at %1 redirects (HTTP %2) to %3. If that is the API, use it as the base URL.")
                                 .arg(where)
                                 .arg(head.status)
                                 .arg(ServerMessage::quote(location)),
                       u"HTTP " + QString::number(head.status) + u" Location: " + location);
    }
    if (head.status < 200 || head.status >= 300)
        co_return fail(ErrorCode::ProviderProtocol,
                       tr("The server at %1 answered with HTTP %2 instead of a list of models. Check the base URL.")
                           .arg(where)
                           .arg(head.status),
                       u"HTTP " + QString::number(head.status));
    if (exchange->failure() != HttpExchange::Failure::None)
        co_return fail(ErrorCode::ProviderProtocol,
                       tr("The connection to %1 ended before its list of models was complete (%2). Try again.")
                           .arg(where, exchange->failureText()),
                       exchange->failureText());
    const QByteArray encoding = head.value("Content-Encoding").trimmed().toLower();
    if (!encoding.isEmpty() && encoding != "identity")
        co_return fail(ErrorCode::ProviderProtocol,
                       tr("The server at %1 compressed its answer (%2) although Heliodesk asked for it uncompressed. A "
                          "proxy between Heliodesk and the server may be doing this.")
                           .arg(where, QString::fromLatin1(encoding)),
                       u"Content-Encoding " + QString::fromLatin1(encoding));
    co_return parseModelList(body, settings.model, where);
}

} // namespace heliodesk
