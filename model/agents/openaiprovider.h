#pragma once

// Answers from any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama's /v1, llama.cpp
// server, vLLM, LM Studio), streamed as server-sent events.

#include "chatprovider.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

namespace heliodesk {

class HttpClient;

struct OpenAiSettings {
    QUrl baseUrl;    // "https://api.openai.com/v1", "http://127.0.0.1:11434/v1"
    QString model;   // used when a ChatRequest names none
    QString apiKey;  // sent as "Authorization: Bearer …"; empty for local servers that need none
    /// How long opening a new connection may take (TCP, and TLS for https); 0: no limit of its own.
    std::chrono::milliseconds connectTimeout{10'000};
    /// How long the server may send nothing, before the first byte of the answer and between two
    /// bytes; 0: wait for ever.
    std::chrono::milliseconds idleTimeout{60'000};
    std::optional<int> maxTokens; // sent as "max_tokens" when set
};

/// Failures: 401/403 ProviderUnauthorized, 404 ProviderModelNotFound, 429 ProviderRateLimited (with
/// "try again in N seconds" from Retry-After), 5xx ProviderUnavailable, other 4xx ProviderError,
/// each with the server's own message; connection refused, DNS, TLS or connect timeout
/// ProviderUnreachable; idle timeout ProviderTimeout; a 200 that is not an event stream, bad event
/// data or a stream cut off before [DONE]/finish_reason ProviderProtocol; an error object in the
/// stream ProviderError. Text already passed to the sink stays there.
///
/// Lifetime: a stream's task holds a QPointer to the provider and checks it after every
/// co_await; it reads nothing from the provider after the request is sent. Destroying the
/// provider aborts its running requests, and their tasks then end with a cancelled outcome
/// (no error: it is the application that stopped them, e.g. because the settings changed).
class OpenAiProvider : public QObject, public ChatProvider
{
    Q_OBJECT

public:
    explicit OpenAiProvider(OpenAiSettings settings, QObject *parent = nullptr);
    ~OpenAiProvider() override;

    [[nodiscard]] const OpenAiSettings &settings() const { return m_settings; }
    /// Where requests go: {baseUrl}/chat/completions.
    [[nodiscard]] QUrl endpoint() const;

    /// Requests in flight, and kept-alive connections waiting for the next one (for leak checks).
    [[nodiscard]] int runningRequests() const;
    [[nodiscard]] int idleConnections() const;

    [[nodiscard]] QString description() const override;
    [[nodiscard]] bool isOffline() const override { return false; }

    QCoro::Task<Result<StreamOutcome>> stream(ChatRequest request, StreamSink *sink,
                                              std::shared_ptr<CancelToken> cancel) override;

private:
    QCoro::Task<Result<StreamOutcome>> doStream(ChatRequest request, StreamSink *sink,
                                                std::shared_ptr<CancelToken> cancel);

    OpenAiSettings m_settings;
    HttpClient *m_client; // one for the provider's lifetime: it keeps connections alive
};

} // namespace heliodesk
