#include "openaiprovider.h"

#include "servermessage.h"

#include "openaichunkdecoder.h"
#include "sseparser.h"
#include "utf8.h"

#include "model/net/httpclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>

namespace heliodesk {

namespace {

constexpr qsizetype kMaxErrorBody = 64 * 1024;   // an error page longer than this is cut
constexpr qsizetype kNotEventsSample = 4 * 1024; // bytes read of a body that is not an event stream
constexpr std::chrono::milliseconds kDrainWait{200}; // for the end of a body after [DONE]

QString displayUrl(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

QString roleName(ChatTurn::Role role)
{
    switch (role) {
    case ChatTurn::Role::System: return QStringLiteral("system");
    case ChatTurn::Role::User: return QStringLiteral("user");
    case ChatTurn::Role::Assistant: return QStringLiteral("assistant");
    }
    return QStringLiteral("user");
}

QJsonObject messageObject(ChatTurn::Role role, const QString &content)
{
    return QJsonObject{{QStringLiteral("role"), roleName(role)}, {QStringLiteral("content"), content}};
}

QByteArray requestBody(const QString &model, const ChatRequest &request, std::optional<int> maxTokens)
{
    QJsonArray messages;
    for (const ChatTurn &turn : request.turns)
        messages.append(messageObject(turn.role, turn.content));
    if (!request.continueAfter.isEmpty()) {
        // Chat APIs do not all accept an unfinished assistant turn as a prefix to extend; an
        // explicit instruction after it works with every one of them.
        messages.append(messageObject(ChatTurn::Role::Assistant, request.continueAfter));
        messages.append(messageObject(ChatTurn::Role::User,
                                      QStringLiteral("Continue your previous answer exactly where it stopped. Do not repeat any of it.")));
    }
    QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("messages"), messages},
        {QStringLiteral("stream"), true},
    };
    if (maxTokens)
        body.insert(QStringLiteral("max_tokens"), *maxTokens);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

/// Retry-After holds seconds or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT").
std::optional<qint64> retryAfterSeconds(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok)
        return std::max<qint64>(seconds, 0);
    QString text = QString::fromLatin1(trimmed);
    if (text.endsWith(u" GMT") || text.endsWith(u" UTC"))
        text = text.chopped(4) + u" +0000"; // Qt's RFC 2822 parser wants a numeric zone
    const QDateTime when = QDateTime::fromString(text, Qt::RFC2822Date);
    if (!when.isValid())
        return std::nullopt;
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(when);
    return std::max<qint64>((ms + 999) / 1000, 0);
}

QString durationText(std::chrono::milliseconds duration)
{
    const auto ms = duration.count();
    if (ms < 1000)
        return QString::number(ms) + u" ms";
    const qint64 seconds = (ms + 500) / 1000;
    return seconds == 1 ? QStringLiteral("1 second") : QString::number(seconds) + u" seconds";
}

Error httpError(int status, const QByteArray &body, const QByteArray &retryAfter, const QString &where,
                const QString &model, bool hasKey)
{
    const QString note = ServerMessage::httpNote(status, ServerMessage::fromBody(body));
    const QString detail = u"HTTP " + QString::number(status) + u" from " + where + u": "
        + ServerMessage::quote(QString::fromUtf8(body.left(1024)));
    if (status == 401 || status == 403) {
        if (!hasKey)
            return Error(ErrorCode::ProviderUnauthorized,
                         u"The model server refused the request because no API key is set " + note
                             + u". Enter the API key in the provider settings.",
                         detail);
        return Error(ErrorCode::ProviderUnauthorized,
                     u"The model server refused the API key " + note + u". Check the API key in the provider settings.",
                     detail);
    }
    if (status == 404)
        return Error(ErrorCode::ProviderModelNotFound,
                     u"The model server at " + where + u" does not know the model “" + model + u"” " + note
                         + u". Check the model name, and that the base URL points at the API (it usually ends in /v1).",
                     detail);
    if (status == 429) {
        const std::optional<qint64> wait = retryAfterSeconds(retryAfter);
        QString when;
        if (!wait)
            when = QStringLiteral("wait a little and try again.");
        else if (*wait <= 1)
            when = QStringLiteral("try again in 1 second.");
        else
            when = u"try again in " + QString::number(*wait) + u" seconds.";
        return Error(ErrorCode::ProviderRateLimited,
                     u"The model server is limiting requests " + note + u"; " + when, detail);
    }
    if (status >= 500)
        return Error(ErrorCode::ProviderUnavailable,
                     u"The model server at " + where + u" has a problem " + note + u". Try again in a few minutes.",
                     detail);
    return Error(ErrorCode::ProviderError,
                 u"The model server at " + where + u" rejected the request " + note + u'.', detail);
}

/// A request that got no HTTP response at all.
Error unreachableError(const HttpExchange &exchange, const QString &where)
{
    const QString &detail = exchange.failureText();
    switch (exchange.failure()) {
    case HttpExchange::Failure::Protocol:
        return Error(ErrorCode::ProviderProtocol,
                     u"The model server at " + where + u" answered with something that is not HTTP (" + detail
                         + u"). Check the base URL.",
                     detail);
    case HttpExchange::Failure::ClosedWithoutAnswer:
        return Error(ErrorCode::ProviderUnreachable,
                     u"The model server at " + where
                         + u" closed the connection without answering. Check that the base URL is right and that the "
                           u"server is healthy.",
                     detail);
    case HttpExchange::Failure::Tls:
        return Error(ErrorCode::ProviderUnreachable,
                     u"Could not open a secure connection to the model server at " + where + u" (" + detail
                         + u"). Check the base URL, and that this computer trusts the server's certificate.",
                     detail);
    case HttpExchange::Failure::HostNotFound:
    case HttpExchange::Failure::ConnectionRefused:
    case HttpExchange::Failure::ConnectTimeout:
    case HttpExchange::Failure::Network:
    case HttpExchange::Failure::Truncated:
    case HttpExchange::Failure::Aborted:
    case HttpExchange::Failure::None:
        break;
    }
    return Error(ErrorCode::ProviderUnreachable,
                 u"Could not connect to the model server at " + where + u" (" + detail
                     + u"). Check that the server is running and that the base URL is right.",
                 detail);
}

/// Reads one response: decides from the status and content type what it is, then turns its
/// bytes into text for the sink or into an error.
class ResponseReader
{
public:
    enum class Step { More, Done, Failed, Stopped };

    ResponseReader(StreamSink *sink, std::function<bool()> stopped, QString where, QString model, bool hasKey)
        : m_sink(sink)
        , m_stopped(std::move(stopped))
        , m_where(std::move(where))
        , m_model(std::move(model))
        , m_hasKey(hasKey)
    {
    }

    /// Bytes that arrived (possibly none: the reply only changed state).
    Step consume(const HttpExchange &exchange, QByteArrayView bytes)
    {
        if (m_mode == Mode::Undecided) {
            m_undecided += bytes;
            if (!decide(exchange))
                return Step::More;
            const QByteArray pending = std::exchange(m_undecided, {});
            return take(pending);
        }
        return take(bytes);
    }

    /// The exchange finished and every byte has been consumed.
    Result<StreamOutcome> finish(const HttpExchange &exchange)
    {
        if (m_mode == Mode::Undecided) {
            if (!decide(exchange))
                return tl::unexpected(unreachableError(exchange, m_where));
            switch (take(std::exchange(m_undecided, {}))) {
            case Step::More: break;
            case Step::Done: return m_outcome;
            case Step::Failed: return tl::unexpected(m_error);
            case Step::Stopped: {
                StreamOutcome cancelled;
                cancelled.cancelled = true;
                return cancelled;
            }
            }
        }
        switch (m_mode) {
        case Mode::Undecided: // decided above
        case Mode::ErrorBody:
            return tl::unexpected(httpError(m_status, m_body, m_retryAfter, m_where, m_model, m_hasKey));
        case Mode::NotEvents:
            return tl::unexpected(notEventsError());
        case Mode::Unexpected:
            return tl::unexpected(unexpectedStatusError());
        case Mode::Compressed:
            return tl::unexpected(compressedError());
        case Mode::Events:
            break;
        }
        const bool pending = m_parser.finish();
        if (!m_outcome.finishReason.isEmpty())
            return m_outcome; // complete, even though the server sent no [DONE]
        if (m_events == 0 && !m_body.isEmpty())
            return tl::unexpected(Error(ErrorCode::ProviderProtocol,
                                        u"The model server at " + m_where
                                            + u" did not send a stream of events (its answer began: “"
                                            + ServerMessage::quote(QString::fromUtf8(m_body)) + u"”). Check that it is an OpenAI-compatible API.",
                                        u"no event in " + QString::number(m_parser.bytesSeen()) + u" bytes"));
        QString detail = u"no [DONE] and no finish_reason after " + QString::number(m_events) + u" events, "
            + QString::number(m_parser.bytesSeen()) + u" bytes";
        if (pending)
            detail += u", an incomplete event pending";
        if (exchange.failure() != HttpExchange::Failure::None)
            detail += u"; " + exchange.failureText();
        if (exchange.failure() == HttpExchange::Failure::Protocol)
            return tl::unexpected(Error(ErrorCode::ProviderProtocol,
                                        u"The model server at " + m_where + u" broke off its answer with data that is not valid HTTP ("
                                            + exchange.failureText() + u"), so the answer was cut off. Try asking again.",
                                        detail));
        return tl::unexpected(Error(ErrorCode::ProviderProtocol,
                                    u"The connection to the model server at " + m_where
                                        + u" ended before the answer was complete, so the answer was cut off. Try asking again.",
                                    detail));
    }

    [[nodiscard]] const Error &error() const { return m_error; }
    [[nodiscard]] const StreamOutcome &outcome() const { return m_outcome; }

private:
    enum class Mode { Undecided, Events, ErrorBody, NotEvents, Unexpected, Compressed };

    /// False while the status line has not arrived.
    bool decide(const HttpExchange &exchange)
    {
        if (!exchange.hasHead())
            return false;
        const HttpResponseHead &head = exchange.head();
        m_status = head.status;
        m_contentType = QString::fromLatin1(head.value("Content-Type"));
        m_retryAfter = head.value("Retry-After");
        m_contentEncoding = head.value("Content-Encoding").trimmed().toLower();
        if (!m_contentEncoding.isEmpty() && m_contentEncoding != "identity")
            m_mode = Mode::Compressed;
        else if (m_status >= 400)
            m_mode = Mode::ErrorBody;
        else if (m_status < 200 || m_status >= 300)
            m_mode = Mode::Unexpected;
        else if (m_contentType.isEmpty() || m_contentType.contains(u"text/event-stream", Qt::CaseInsensitive))
            m_mode = Mode::Events;
        else
            m_mode = Mode::NotEvents;
        return true;
    }

    Step take(QByteArrayView bytes)
    {
        switch (m_mode) {
        case Mode::Undecided:
            return Step::More;
        case Mode::ErrorBody:
            m_body += bytes;
            if (m_body.size() < kMaxErrorBody)
                return Step::More;
            m_error = httpError(m_status, m_body, m_retryAfter, m_where, m_model, m_hasKey);
            return Step::Failed;
        case Mode::NotEvents:
            m_body += bytes;
            if (m_body.size() < kNotEventsSample)
                return Step::More;
            m_error = notEventsError();
            return Step::Failed;
        case Mode::Unexpected:
            m_body += bytes.first(std::clamp<qsizetype>(kNotEventsSample - m_body.size(), 0, bytes.size()));
            return Step::More;
        case Mode::Compressed:
            m_error = compressedError();
            return Step::Failed;
        case Mode::Events:
            return takeEvents(bytes);
        }
        return Step::More;
    }

    Step takeEvents(QByteArrayView bytes)
    {
        if (m_body.size() < ServerMessage::maxQuote * 4)
            m_body += bytes.first(std::min(ServerMessage::maxQuote * 4 - m_body.size(), bytes.size())); // to quote a body that is not SSE
        // The text of every event in these bytes goes to the sink at once: one append and one
        // check for a stop per read, not per token.
        Step step = Step::More;
        m_parser.feedBytes(bytes, [this, &step](const SseEventBytes &event) {
            if (step == Step::More)
                step = takeEvent(event);
        });
        if (!m_pending.text.isEmpty() && m_sink) {
            m_sink->onText(m_pending.text);
            m_pending.text.resize(0);
            if (m_stopped()) // the sink may cancel, or even destroy the provider
                return Step::Stopped;
        }
        return step;
    }

    Step takeEvent(const SseEventBytes &event)
    {
        ++m_events;
        const bool errorEvent = !event.type.isEmpty() && event.type == "error";
        if (!errorEvent && !event.type.isEmpty() && event.type != "message")
            return Step::More; // named events are not part of OpenAI's format
        if (errorEvent) {
            const Result<ChatChunk> chunk = OpenAiChunkDecoder::decodeBytes(event.data);
            if (chunk || chunk.error().code() == ErrorCode::ProviderProtocol)
                m_error = Error(ErrorCode::ProviderError, u"The model server reported an error: " + ServerMessage::quote(decodeUtf8(event.data)));
            else
                m_error = chunk.error();
            return Step::Failed;
        }
        if (auto decoded = m_decoder.decodeNext(event.data, m_pending); !decoded) {
            m_error = decoded.error();
            return Step::Failed;
        }
        if (!m_pending.finishReason.isEmpty())
            m_outcome.finishReason = m_pending.finishReason;
        return m_pending.done ? Step::Done : Step::More;
    }

    Error notEventsError() const
    {
        const QString text = QString::fromUtf8(m_body);
        const QString title = ServerMessage::looksLikeHtml(text) ? ServerMessage::htmlTitle(text) : QString();
        const QString began = title.isEmpty() ? QString(u"its answer began: “" + ServerMessage::quote(text) + u'”')
                                              : QString(u"a page titled “" + ServerMessage::quote(title) + u'”');
        return Error(ErrorCode::ProviderProtocol,
                     u"The model server at " + m_where + u" answered with “" + m_contentType
                         + u"” instead of a stream of events (" + began
                         + u"), so it is probably not an OpenAI-compatible API. Check the base URL; it usually ends in /v1.",
                     u"HTTP " + QString::number(m_status) + u", Content-Type " + m_contentType);
    }

    Error compressedError() const
    {
        return Error(ErrorCode::ProviderProtocol,
                     u"The model server at " + m_where + u" compressed its answer (" + QString::fromLatin1(m_contentEncoding)
                         + u") although Heliodesk asked for it uncompressed, so it cannot be shown as it arrives. A proxy "
                           u"between Heliodesk and the server may be doing this.",
                     u"HTTP " + QString::number(m_status) + u", Content-Encoding " + QString::fromLatin1(m_contentEncoding));
    }

    Error unexpectedStatusError() const
    {
        return Error(ErrorCode::ProviderProtocol,
                     u"The model server at " + m_where + u" answered with HTTP " + QString::number(m_status)
                         + u" instead of a stream of events. Check the base URL.",
                     ServerMessage::quote(QString::fromUtf8(m_body)));
    }

    StreamSink *m_sink;
    std::function<bool()> m_stopped;
    QString m_where;
    QString m_model;
    bool m_hasKey;

    Mode m_mode = Mode::Undecided;
    int m_status = 0;
    QString m_contentType;
    QByteArray m_retryAfter;
    QByteArray m_contentEncoding;
    QByteArray m_undecided; // bytes that came before the status (not expected, kept to be safe)
    QByteArray m_body;      // an error body, or the start of a body to quote
    SseParser m_parser;
    OpenAiChunkDecoder m_decoder;
    ChatChunk m_pending; // text decoded from the current read, not yet given to the sink
    int m_events = 0;
    StreamOutcome m_outcome;
    Error m_error;
};

} // namespace

OpenAiProvider::OpenAiProvider(OpenAiSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_client(new HttpClient(this))
{
}

// The client aborts its running requests as it goes; their coroutines then resume, find the
// provider gone and end as cancelled.
OpenAiProvider::~OpenAiProvider() = default;

int OpenAiProvider::runningRequests() const
{
    return m_client->runningExchanges();
}

int OpenAiProvider::idleConnections() const
{
    return m_client->idleConnections();
}

QUrl OpenAiProvider::endpoint() const
{
    QUrl url = m_settings.baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    if (!path.endsWith(u"/chat/completions"))
        path += u"/chat/completions";
    url.setPath(path);
    return url;
}

QString OpenAiProvider::description() const
{
    return u"OpenAI-compatible endpoint (" + displayUrl(m_settings.baseUrl) + u", " + m_settings.model + u')';
}

QCoro::Task<Result<StreamOutcome>> OpenAiProvider::stream(ChatRequest request, StreamSink *sink,
                                                          std::shared_ptr<CancelToken> cancel)
{
    return doStream(std::move(request), sink, std::move(cancel));
}

QCoro::Task<Result<StreamOutcome>> OpenAiProvider::doStream(ChatRequest request, StreamSink *sink,
                                                            std::shared_ptr<CancelToken> cancel)
{
    StreamOutcome cancelled;
    cancelled.cancelled = true;
    if (cancel && cancel->isCancelled())
        co_return cancelled;

    // The task keeps its own copies: after the request is sent it reads nothing from `this`.
    const OpenAiSettings settings = m_settings;
    const QString where = displayUrl(settings.baseUrl);
    const QString model = request.model.isEmpty() ? settings.model : request.model;
    const QUrl url = endpoint();
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        co_return fail(ErrorCode::InvalidInput,
                       u"The model server address “" + where + u"” is not an http or https URL. Correct the base URL in the provider settings.");
    if (model.isEmpty())
        co_return fail(ErrorCode::InvalidInput, QStringLiteral("No model is set. Enter the model name in the provider settings."));

    HttpRequest httpRequest;
    httpRequest.url = url;
    httpRequest.fields = {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                          {QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream")}};
    if (!settings.apiKey.isEmpty())
        httpRequest.fields.append({QByteArrayLiteral("Authorization"), "Bearer " + settings.apiKey.trimmed().toUtf8()});
    httpRequest.body = requestBody(model, request, settings.maxTokens);

    const QPointer<OpenAiProvider> self(this);
    const std::unique_ptr<HttpExchange> exchange = m_client->send(std::move(httpRequest), settings.connectTimeout);
    const auto stoppedByCancel = std::make_shared<bool>(false);
    if (cancel) {
        // Connected with the exchange as context: the connection ends with the exchange.
        QObject::connect(cancel.get(), &CancelToken::cancelRequested, exchange.get(), [stoppedByCancel, ex = exchange.get()] {
            *stoppedByCancel = true;
            ex->abort(); // the coroutine resumes from the event loop and ends as cancelled
        });
    }

    const std::chrono::milliseconds idleTimeout = settings.idleTimeout.count() > 0 ? settings.idleTimeout
                                                                                   : std::chrono::milliseconds(-1);
    // Cancelled, or the provider (and with it the client, which aborted the exchange) is gone.
    const auto stopped = [self, stoppedByCancel] { return !self || *stoppedByCancel; };
    ResponseReader reader(sink, stopped, where, model, !settings.apiKey.isEmpty());
    for (;;) {
        const bool changed = co_await exchange->changed(idleTimeout);
        if (stopped())
            co_return cancelled;
        if (!changed) {
            if (exchange->isConnecting())
                continue; // still connecting: the connect timeout decides
            exchange->abort();
            co_return fail(ErrorCode::ProviderTimeout,
                           u"The model server at " + where + u" sent nothing for " + durationText(settings.idleTimeout)
                               + u", so Heliodesk stopped waiting. The server may be overloaded or still loading the model; "
                                 u"try again, or raise the idle timeout in the provider settings.",
                           QStringLiteral("idle timeout"));
        }
        if (exchange->failure() == HttpExchange::Failure::ConnectTimeout)
            co_return fail(ErrorCode::ProviderUnreachable,
                           u"Could not connect to the model server at " + where + u" within "
                               + durationText(settings.connectTimeout)
                               + u". Check that the server is running and reachable from this computer, and that the base URL is right.",
                           QStringLiteral("connect timeout: ") + exchange->failureText());
        if (exchange->hasHead()) {
            const ResponseReader::Step step = reader.consume(*exchange, exchange->body());
            exchange->discardBody();
            switch (step) {
            case ResponseReader::Step::More:
                break;
            case ResponseReader::Step::Done:
                // The end of the body (the last chunk) usually follows [DONE] at once: reading it
                // lets the connection carry the next question instead of being closed.
                for (int i = 0; i < 4 && self && !exchange->isFinished(); ++i) {
                    if (!co_await exchange->changed(kDrainWait))
                        break;
                    exchange->discardBody();
                }
                co_return reader.outcome();
            case ResponseReader::Step::Stopped:
                co_return cancelled;
            case ResponseReader::Step::Failed:
                exchange->abort();
                co_return tl::unexpected(reader.error());
            }
        }
        if (exchange->isFinished())
            co_return reader.finish(*exchange);
    }
}

} // namespace heliodesk
