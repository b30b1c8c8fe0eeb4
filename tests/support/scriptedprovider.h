#pragma once

// An in-process ChatProvider whose answers a test scripts: pieces, pacing, failure, hanging.
// Tests of the HTTP provider use the real local server instead (openaitestserver.h).

#include "model/agents/chatprovider.h"

#include <chrono>

namespace heliodesk::test {

struct ProviderScript {
    QStringList pieces;
    std::chrono::milliseconds delay{0};     // between pieces
    int failAfter = -1;                     // fail after this many pieces (-1: never)
    Error failure = Error(ErrorCode::ProviderUnavailable, QStringLiteral("The model server is unavailable (HTTP 503)."));
    bool hangAfterPieces = false;           // after the pieces, wait until cancelled
    QList<AnswerSource> sources;
};

class ScriptedProvider final : public ChatProvider
{
public:
    explicit ScriptedProvider(ProviderScript script = {}) : m_script(std::move(script)) {}
    void setScript(ProviderScript script) { m_script = std::move(script); }

    [[nodiscard]] QString description() const override { return QStringLiteral("Scripted test provider"); }
    [[nodiscard]] bool isOffline() const override { return false; }

    QCoro::Task<Result<StreamOutcome>> stream(ChatRequest request, StreamSink *sink, std::shared_ptr<CancelToken> cancel) override;

    /// What the last stream was asked.
    [[nodiscard]] const ChatRequest &lastRequest() const { return m_lastRequest; }
    /// Every request, in the order the streams were asked.
    [[nodiscard]] const QList<ChatRequest> &requests() const { return m_requests; }
    [[nodiscard]] int calls() const { return m_calls; }

private:
    static QCoro::Task<Result<StreamOutcome>> run(ProviderScript script, StreamSink *sink, std::shared_ptr<CancelToken> cancel);

    ProviderScript m_script;
    ChatRequest m_lastRequest;
    QList<ChatRequest> m_requests;
    int m_calls = 0;
};

} // namespace heliodesk::test
