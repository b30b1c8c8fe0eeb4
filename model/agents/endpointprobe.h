#pragma once

// "Test Connection": asks an OpenAI-compatible endpoint for its models (GET {baseUrl}/models) and
// says in one sentence whether it can be used, before anyone asks it a question.

#include "openaiprovider.h"

#include "storage/error.h"

#include <QCoroTask>
#include <QString>
#include <QStringList>

namespace heliodesk {

struct EndpointCheck {
    QStringList models;       // the ids the server listed, sorted case-insensitively
    bool modelListed = false; // settings.model is one of them ("llama3.1" also matches "llama3.1:latest")
    QString summary;          // "Connected. 12 models; llama3.1 is one of them."
};

/// Sends GET {settings.baseUrl}/models, with "Authorization: Bearer <apiKey>" when a key is given,
/// bounded by settings.connectTimeout and settings.idleTimeout. Takes its settings by value: the
/// caller may be gone when it resumes.
///
/// Failures, with the codes and kinds of sentences OpenAiProvider uses: InvalidInput (not an http(s)
/// URL); ProviderUnreachable (refused, DNS, TLS, connect timeout); ProviderTimeout (no answer within
/// the idle timeout); ProviderUnauthorized (401/403: missing or wrong key); ProviderModelNotFound
/// (404: the address is not an OpenAI-compatible API); ProviderRateLimited (429);
/// ProviderUnavailable (5xx); ProviderError (other 4xx); ProviderProtocol (a redirect, not HTTP, or
/// a 2xx whose body is not {"data":[{"id":…}, …]}).
QCoro::Task<Result<EndpointCheck>> checkEndpoint(OpenAiSettings settings);

/// The models URL of a base URL: {baseUrl}/models, tolerating a trailing slash or a
/// /chat/completions someone pasted.
QUrl modelsUrl(const QUrl &baseUrl);

/// Reads a models list ({"object":"list","data":[{"id":…}, …]}) and checks it against `model`.
/// Exposed for tests; checkEndpoint() uses it on a 2xx body. `where` names the server in messages.
Result<EndpointCheck> parseModelList(const QByteArray &body, const QString &model, const QString &where);

} // namespace heliodesk
