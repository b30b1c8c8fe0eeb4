#pragma once

// Where answers come from: an OpenAI-compatible endpoint or the offline knowledge base.

#include "canceltoken.h"

#include "storage/error.h"

#include <QCoroTask>

#include <QList>
#include <QString>

#include <memory>

namespace heliodesk {

struct ChatTurn {
    enum class Role { System, User, Assistant };
    Role role = Role::User;
    QString content;
};

struct ChatRequest {
    QString agentId;
    QString model;          // empty: the provider's configured model
    QList<ChatTurn> turns;  // system prompt first, then history, the new question last
    QString continueAfter;  // non-empty: the partial answer to the last question, to be continued
};

struct AnswerSource {
    QString title;
    QString location; // a file name or URL
    QString excerpt;
};

struct StreamOutcome {
    bool cancelled = false;
    QString finishReason;          // "stop", "length", … as the provider said
    QList<AnswerSource> sources;   // offline answers name their sources
};

/// Receives an answer as it arrives, on the thread that runs the event loop.
class StreamSink
{
public:
    virtual ~StreamSink() = default;
    virtual void onText(const QString &piece) = 0;
};

class ChatProvider
{
public:
    virtual ~ChatProvider() = default;

    /// "OpenAI-compatible endpoint (http://127.0.0.1:11434/v1, llama3.1)" or "Offline knowledge base".
    [[nodiscard]] virtual QString description() const = 0;
    [[nodiscard]] virtual bool isOffline() const = 0;

    /// Streams one answer into `sink` until it is complete, fails or `cancel` fires. Never blocks
    /// the event loop. `sink` and `cancel` must outlive the task. A cancelled stream returns a
    /// StreamOutcome with cancelled = true (not an error); failures return an Error whose message
    /// says in plain words what happened (and what to do).
    virtual QCoro::Task<Result<StreamOutcome>> stream(ChatRequest request, StreamSink *sink,
                                                      std::shared_ptr<CancelToken> cancel) = 0;
};

} // namespace heliodesk
