#include "providersettings.h"

#include <QSettings>

namespace heliodesk {

namespace {
const QString baseUrlKey = QStringLiteral("provider/base_url");
const QString modelKey = QStringLiteral("provider/model");
const QString keychainHostsKey = QStringLiteral("provider/keychain_hosts");

std::unique_ptr<QSettings> open(const QString &file)
{
    if (file.isEmpty())
        return std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("Heliodesk"),
                                           QStringLiteral("Heliodesk"));
    return std::make_unique<QSettings>(file, QSettings::IniFormat);
}
} // namespace

ProviderSettings::ProviderSettings(QString settingsFile)
    : m_file(std::move(settingsFile))
{
}

ProviderConfig ProviderSettings::load() const
{
    ProviderConfig config;
    auto settings = open(m_file);
    config.baseUrl = QUrl(settings->value(baseUrlKey).toString());
    config.model = settings->value(modelKey).toString();
    if (const QString base = qEnvironmentVariable("HELIODESK_API_BASE").trimmed(); !base.isEmpty()) {
        if (auto url = parseBaseUrl(base))
            config.baseUrl = *url;
    }
    if (const QString model = qEnvironmentVariable("HELIODESK_MODEL").trimmed(); !model.isEmpty())
        config.model = model;
    if (const QString key = qEnvironmentVariable("HELIODESK_API_KEY").trimmed(); !key.isEmpty()) {
        config.apiKey = key;
        config.keySource = QStringLiteral("environment");
    }
    config.keyInKeychain = settings->value(keychainHostsKey).toStringList().contains(config.baseUrl.host());
    return config;
}

void ProviderSettings::setKeyInKeychain(const QUrl &baseUrl, bool stored)
{
    if (baseUrl.host().isEmpty())
        return;
    auto settings = open(m_file);
    QStringList hosts = settings->value(keychainHostsKey).toStringList();
    if (stored == hosts.contains(baseUrl.host()))
        return;
    if (stored)
        hosts.append(baseUrl.host());
    else
        hosts.removeAll(baseUrl.host());
    if (hosts.isEmpty())
        settings->remove(keychainHostsKey);
    else
        settings->setValue(keychainHostsKey, hosts);
    settings->sync();
}

QUrl ProviderSettings::savedBaseUrl() const
{
    return QUrl(open(m_file)->value(baseUrlKey).toString());
}

Result<void> ProviderSettings::saveEndpoint(const QString &baseUrl, const QString &model)
{
    auto url = parseBaseUrl(baseUrl);
    if (!url)
        return Unexpected(url.error());
    if (model.trimmed().isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("Name the model to use, for example gpt-4o-mini or llama3.1."));
    auto settings = open(m_file);
    settings->setValue(baseUrlKey, url->toString());
    settings->setValue(modelKey, model.trimmed());
    settings->sync();
    if (settings->status() != QSettings::NoError)
        return fail(ErrorCode::Io, QStringLiteral("The settings could not be saved to %1.").arg(settings->fileName()));
    return {};
}

void ProviderSettings::clearEndpoint()
{
    auto settings = open(m_file);
    settings->remove(baseUrlKey);
    settings->remove(modelKey);
    settings->sync();
}

Result<QUrl> ProviderSettings::parseBaseUrl(const QString &text)
{
    QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(ErrorCode::InvalidInput, QStringLiteral("Give the endpoint's base URL, for example http://localhost:11434/v1."));
    if (!trimmed.contains(u"://"))
        trimmed.prepend(u"http://");
    QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"http" && url.scheme() != u"https"))
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("“%1” is not an http or https URL. Use for example https://api.openai.com/v1.").arg(text.trimmed()));
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    if (path.endsWith(u"/chat/completions"))
        path.chop(int(QStringLiteral("/chat/completions").size()));
    url.setPath(path);
    return url;
}

OpenAiSettings ProviderSettings::toOpenAiSettings(const ProviderConfig &config)
{
    OpenAiSettings settings;
    settings.baseUrl = config.baseUrl;
    settings.model = config.model;
    settings.apiKey = config.apiKey;
    return settings;
}

} // namespace heliodesk
