#include "scriptedprovider.h"

#include <QCoroSignal>
#include <QCoroTimer>

namespace heliodesk::test {

QCoro::Task<Result<StreamOutcome>> ScriptedProvider::stream(ChatRequest request, StreamSink *sink, std::shared_ptr<CancelToken> cancel)
{
    ++m_calls;
    m_requests.append(request);
    m_lastRequest = std::move(request);
    return run(m_script, sink, std::move(cancel));
}

QCoro::Task<Result<StreamOutcome>> ScriptedProvider::run(ProviderScript script, StreamSink *sink, std::shared_ptr<CancelToken> cancel)
{
    StreamOutcome outcome;
    outcome.sources = script.sources;
    for (qsizetype i = 0; i < script.pieces.size(); ++i) {
        if (cancel->isCancelled()) {
            outcome.cancelled = true;
            co_return outcome;
        }
        if (script.failAfter >= 0 && i >= script.failAfter)
            co_return Unexpected(script.failure);
        co_await QCoro::sleepFor(script.delay);
        if (cancel->isCancelled()) {
            outcome.cancelled = true;
            co_return outcome;
        }
        sink->onText(script.pieces.at(i));
    }
    if (script.failAfter >= 0 && script.failAfter >= script.pieces.size())
        co_return Unexpected(script.failure);
    if (script.hangAfterPieces && !cancel->isCancelled())
        co_await qCoro(cancel.get(), &CancelToken::cancelRequested);
    outcome.cancelled = cancel->isCancelled();
    outcome.finishReason = QStringLiteral("stop");
    co_return outcome;
}

} // namespace heliodesk::test
