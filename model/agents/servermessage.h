#pragma once

// What an OpenAI-compatible server said when it refused: the sentence in its error body, quoted
// on one line, for the messages the provider and "Test Connection" show.

#include <QByteArray>
#include <QString>

namespace heliodesk::ServerMessage {

/// Characters of a server's text quoted in messages.
inline constexpr qsizetype maxQuote = 160;

/// The start of a server's text on one line, cut at maxQuote (never inside a surrogate pair).
QString quote(const QString &text);
/// The <title> of an HTML page, or an empty string.
QString htmlTitle(const QString &html);
/// True when the text starts like an HTML page (a proxy's error page).
bool looksLikeHtml(const QString &text);
/// What the server said in an error body. OpenAI, vLLM and llama.cpp send
/// {"error": {"message", …}}, Ollama {"error": "text"}, older vLLM {"object": "error", "message"},
/// FastAPI-based servers {"detail": …}; proxies send HTML or plain text.
QString fromBody(const QByteArray &body);
/// "(HTTP 401: Incorrect API key provided)", or "(HTTP 401)" when the server said nothing useful.
QString httpNote(int status, const QString &message);

} // namespace heliodesk::ServerMessage
