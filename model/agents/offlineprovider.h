#pragma once

// Answers without a language model: a digest of the agent's best-matching reference passages.

#include "chatprovider.h"
#include "knowledgebase.h"

#include <chrono>
#include <memory>

namespace heliodesk {

struct OfflineProviderOptions {
    int passages = 4;      // passages quoted in one answer
    int wordsPerPiece = 4; // words handed to the sink at a time
    /// Pause between pieces. Zero still returns to the event loop between pieces, so the window
    /// repaints and Stop works while an answer streams.
    std::chrono::milliseconds pieceDelay{0};
};

class OfflineProvider final : public ChatProvider
{
public:
    explicit OfflineProvider(std::shared_ptr<KnowledgeBase> knowledge, OfflineProviderOptions options = {});

    [[nodiscard]] QString description() const override;
    [[nodiscard]] bool isOffline() const override { return true; }

    /// Answers the last user turn of `request` from the agent's knowledge collection. The search runs
    /// at once; the answer then streams piece by piece, checking `cancel` between pieces. The task
    /// does not use the provider after its start, so the provider may be destroyed while it runs.
    /// With `continueAfter`, only the rest of the answer streams when it starts with that text,
    /// else a blank line and the whole answer.
    QCoro::Task<Result<StreamOutcome>> stream(ChatRequest request, StreamSink *sink,
                                              std::shared_ptr<CancelToken> cancel) override;

    /// The sentence every offline answer opens with.
    static QString offlineNotice();
    /// The Markdown answer quoting `passages` (which must not be empty).
    static QString composeAnswer(const QList<KnowledgeStore::Passage> &passages);
    /// The Markdown answer when nothing matches.
    static QString noMatchAnswer(const QString &agentId);
    /// `text` cut after every `wordsPerPiece` words; the pieces joined give `text` back.
    static QStringList splitIntoPieces(const QString &text, int wordsPerPiece);

private:
    static QCoro::Task<Result<StreamOutcome>> run(std::shared_ptr<KnowledgeBase> knowledge, OfflineProviderOptions options,
                                                  ChatRequest request, StreamSink *sink, std::shared_ptr<CancelToken> cancel);

    std::shared_ptr<KnowledgeBase> m_knowledge;
    OfflineProviderOptions m_options;
};

} // namespace heliodesk
