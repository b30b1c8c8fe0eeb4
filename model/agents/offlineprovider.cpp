#include "offlineprovider.h"

#include <QCoroTimer>

#include <QRegularExpression>

namespace heliodesk {

namespace {

QString escapeMarkdown(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + 8);
    for (const QChar c : text) {
        if (QStringView(u"\\`*_[]<>#|~").contains(c))
            escaped += u'\\';
        escaped += c;
    }
    return escaped;
}

std::optional<QString> lastQuestion(const ChatRequest &request)
{
    for (auto it = request.turns.crbegin(); it != request.turns.crend(); ++it) {
        if (it->role == ChatTurn::Role::User)
            return it->content;
    }
    return std::nullopt;
}

bool isCancelled(const std::shared_ptr<CancelToken> &cancel)
{
    return cancel && cancel->isCancelled();
}

} // namespace

OfflineProvider::OfflineProvider(std::shared_ptr<KnowledgeBase> knowledge, OfflineProviderOptions options)
    : m_knowledge(std::move(knowledge))
    , m_options(options)
{
}

QString OfflineProvider::description() const
{
    return QStringLiteral("Offline knowledge base");
}

QString OfflineProvider::offlineNotice()
{
    return QStringLiteral("This answer comes from the offline knowledge base, not from a language model.");
}

QString OfflineProvider::composeAnswer(const QList<KnowledgeStore::Passage> &passages)
{
    const bool allWords = std::any_of(passages.cbegin(), passages.cend(),
                                      [](const KnowledgeStore::Passage &p) { return p.matchedAllTerms; });
    QString answer = offlineNotice();
    answer += allWords ? QStringLiteral(" Below are the passages of this agent's reference documents that best match your "
                                        "question; read the full documents before relying on them.")
                       : QStringLiteral(" No reference document contains every word of your question, so below are the "
                                        "closest passages; they may answer only part of it.");
    answer += u"\n\n";
    for (qsizetype i = 0; i < passages.size(); ++i) {
        const KnowledgeStore::Passage &p = passages.at(i);
        answer += u"- **" + escapeMarkdown(p.title) + u"**: " + KnowledgeBase::markdownExcerpt(p.snippet)
            + QStringLiteral(" [%1]").arg(i + 1) + u'\n';
    }
    answer += u"\n**Sources**\n\n";
    for (qsizetype i = 0; i < passages.size(); ++i) {
        const KnowledgeStore::Passage &p = passages.at(i);
        answer += QStringLiteral("%1. ").arg(i + 1) + escapeMarkdown(p.title);
        if (!p.source.isEmpty())
            answer += u" — " + escapeMarkdown(p.source);
        answer += u'\n';
    }
    return answer;
}

QString OfflineProvider::noMatchAnswer(const QString &agentId)
{
    return offlineNotice()
        + u"\n\nNothing in this agent's offline knowledge collection matches your question, so there is no passage to "
          u"quote. To get an answer:\n\n"
          u"- configure a model endpoint (an OpenAI-compatible server) so that a language model answers; or\n"
          u"- ask an administrator to import reference documents on the topic (Markdown, text or HTML files): `heliodeskctl kb import --agent "
        + agentId
        + u" FILES…`; or\n"
          u"- ask again with the technical terms a reference document would use.\n";
}

QStringList OfflineProvider::splitIntoPieces(const QString &text, int wordsPerPiece)
{
    static const QRegularExpression word(QStringLiteral("\\s*\\S+\\s*"));
    const int perPiece = std::max(1, wordsPerPiece);
    QStringList pieces;
    QString piece;
    int words = 0;
    qsizetype end = 0;
    auto it = word.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        piece += m.capturedView();
        end = m.capturedEnd();
        if (++words == perPiece) {
            pieces << piece;
            piece.clear();
            words = 0;
        }
    }
    piece += QStringView(text).mid(end); // whitespace-only text, or nothing
    if (!piece.isEmpty())
        pieces << piece;
    return pieces;
}

QCoro::Task<Result<StreamOutcome>> OfflineProvider::stream(ChatRequest request, StreamSink *sink,
                                                           std::shared_ptr<CancelToken> cancel)
{
    return run(m_knowledge, m_options, std::move(request), sink, std::move(cancel));
}

QCoro::Task<Result<StreamOutcome>> OfflineProvider::run(std::shared_ptr<KnowledgeBase> knowledge, OfflineProviderOptions options,
                                                        ChatRequest request, StreamSink *sink,
                                                        std::shared_ptr<CancelToken> cancel)
{
    StreamOutcome outcome;
    if (isCancelled(cancel)) {
        outcome.cancelled = true;
        co_return outcome;
    }
    const std::optional<QString> question = lastQuestion(request);
    if (!question || question->trimmed().isEmpty())
        co_return Unexpected(Error(ErrorCode::InvalidInput, QStringLiteral("There is no question to answer: write one and send it again."),
                                   QStringLiteral("offline provider: request without a user turn")));

    // One indexed query on this thread's connection: milliseconds, not worth a thread hop.
    auto passages = knowledge->search(request.agentId, *question, std::max(1, options.passages));
    if (!passages)
        co_return Unexpected(passages.error().withContext(QStringLiteral("The offline knowledge base could not be searched")));

    QString answer;
    if (passages->isEmpty()) {
        answer = noMatchAnswer(request.agentId);
    } else {
        answer = composeAnswer(*passages);
        for (const KnowledgeStore::Passage &p : std::as_const(*passages))
            outcome.sources << AnswerSource{p.title, p.source, KnowledgeBase::plainExcerpt(p.snippet)};
    }

    if (!request.continueAfter.isEmpty()) {
        // The same question gives the same answer: what is missing of it, or, when the knowledge
        // changed since, the whole new answer set apart from the old text.
        if (answer.startsWith(request.continueAfter))
            answer = answer.mid(request.continueAfter.size());
        else
            answer = u"\n\n" + answer;
    }

    const QStringList pieces = splitIntoPieces(answer, options.wordsPerPiece);
    for (const QString &piece : pieces) {
        // Back to the event loop before every piece, so a click on Stop is seen between pieces.
        co_await QCoro::sleepFor(options.pieceDelay);
        if (isCancelled(cancel)) {
            outcome.cancelled = true;
            co_return outcome;
        }
        sink->onText(piece);
    }
    outcome.finishReason = QStringLiteral("stop");
    co_return outcome;
}

} // namespace heliodesk
