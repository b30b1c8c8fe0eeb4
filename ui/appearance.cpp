#include "appearance.h"

#include <QApplication>
#include <QFont>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

namespace heliodesk {

namespace {

const QString themeKey = QStringLiteral("appearance/theme");
const QString textScaleKey = QStringLiteral("appearance/text_scale_percent");
const QString fusion = QStringLiteral("Fusion");

/// The same file ProviderSettings uses: the per-user Heliodesk.ini, or the one a test names.
std::unique_ptr<QSettings> openSettings(const QString &file)
{
    if (file.isEmpty())
        return std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("Heliodesk"),
                                           QStringLiteral("Heliodesk"));
    return std::make_unique<QSettings>(file, QSettings::IniFormat);
}

/// What the platform gave before Heliodesk changed anything, to go back to for System.
struct PlatformLook {
    QString styleName;
    QPalette palette;
    QFont font;
};

std::optional<PlatformLook> &platformLook()
{
    static std::optional<PlatformLook> look;
    return look;
}

const PlatformLook &rememberPlatformLook()
{
    std::optional<PlatformLook> &look = platformLook();
    if (!look) {
        const QStyle *style = QApplication::style();
        look = PlatformLook{style ? style->name() : QString(), QGuiApplication::palette(), QApplication::font()};
    }
    return *look;
}

struct Colors {
    QColor window, windowText, base, alternateBase, toolTipBase, toolTipText, placeholder, text, button, buttonText,
        brightText, light, midlight, mid, dark, shadow, highlight, highlightedText, link, linkVisited;
};

QPalette paletteOf(const Colors &active, const Colors &disabled)
{
    QPalette palette;
    const auto fill = [&palette](QPalette::ColorGroup group, const Colors &c) {
        palette.setColor(group, QPalette::Window, c.window);
        palette.setColor(group, QPalette::WindowText, c.windowText);
        palette.setColor(group, QPalette::Base, c.base);
        palette.setColor(group, QPalette::AlternateBase, c.alternateBase);
        palette.setColor(group, QPalette::ToolTipBase, c.toolTipBase);
        palette.setColor(group, QPalette::ToolTipText, c.toolTipText);
        palette.setColor(group, QPalette::PlaceholderText, c.placeholder);
        palette.setColor(group, QPalette::Text, c.text);
        palette.setColor(group, QPalette::Button, c.button);
        palette.setColor(group, QPalette::ButtonText, c.buttonText);
        palette.setColor(group, QPalette::BrightText, c.brightText);
        palette.setColor(group, QPalette::Light, c.light);
        palette.setColor(group, QPalette::Midlight, c.midlight);
        palette.setColor(group, QPalette::Mid, c.mid);
        palette.setColor(group, QPalette::Dark, c.dark);
        palette.setColor(group, QPalette::Shadow, c.shadow);
        palette.setColor(group, QPalette::Highlight, c.highlight);
        palette.setColor(group, QPalette::HighlightedText, c.highlightedText);
        palette.setColor(group, QPalette::Link, c.link);
        palette.setColor(group, QPalette::LinkVisited, c.linkVisited);
    };
    fill(QPalette::Active, active);
    fill(QPalette::Inactive, active);
    fill(QPalette::Disabled, disabled);
    return palette;
}

QFont scaledFont(const QFont &platform, int percent)
{
    QFont font = platform;
    if (platform.pointSizeF() > 0)
        font.setPointSizeF(platform.pointSizeF() * percent / 100.0);
    else if (platform.pixelSize() > 0)
        font.setPixelSize(std::max(1, int(std::lround(platform.pixelSize() * percent / 100.0))));
    return font;
}

} // namespace

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::System: return QStringLiteral("system");
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    }
    return QStringLiteral("system");
}

Theme themeFromName(const QString &name)
{
    for (const Theme theme : {Theme::Light, Theme::Dark})
        if (name.trimmed().compare(themeName(theme), Qt::CaseInsensitive) == 0)
            return theme;
    return Theme::System;
}

AppearanceSettings AppearanceSettings::load(const QString &settingsFile)
{
    const auto settings = openSettings(settingsFile);
    AppearanceSettings result;
    result.theme = themeFromName(settings->value(themeKey).toString());
    bool ok = false;
    const int scale = settings->value(textScaleKey).toInt(&ok);
    if (ok)
        result.textScalePercent = std::clamp(scale, minTextScale, maxTextScale);
    return result;
}

bool AppearanceSettings::save(const QString &settingsFile) const
{
    const auto settings = openSettings(settingsFile);
    settings->setValue(themeKey, themeName(theme));
    settings->setValue(textScaleKey, std::clamp(textScalePercent, minTextScale, maxTextScale));
    settings->sync();
    return settings->status() == QSettings::NoError;
}

void applyAppearance(const AppearanceSettings &settings)
{
    const PlatformLook &platform = rememberPlatformLook();
    const QString wantedStyle = settings.theme == Theme::System ? platform.styleName : fusion;
    const QStyle *current = QApplication::style();
    // Setting a style, even the same one again, re-polishes every widget: only when it changes.
    if (!wantedStyle.isEmpty() && (!current || current->name().compare(wantedStyle, Qt::CaseInsensitive) != 0))
        QApplication::setStyle(wantedStyle);
    switch (settings.theme) {
    case Theme::System:
        // An empty palette gives the platform's back (Qt 6 resolves it against the theme and
        // style, and the application follows later platform changes again).
        QApplication::setPalette(QPalette());
        break;
    case Theme::Light:
        QApplication::setPalette(lightPalette());
        break;
    case Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    }
    QApplication::setFont(fontFor(settings.textScalePercent));
}

QFont fontFor(int textScalePercent)
{
    const QFont platform = platformLook() ? platformLook()->font : QApplication::font();
    return scaledFont(platform, std::clamp(textScalePercent, AppearanceSettings::minTextScale, AppearanceSettings::maxTextScale));
}

QPalette lightPalette()
{
    Colors active;
    active.window = QColor(0xf3, 0xf3, 0xf3);
    active.windowText = QColor(0x1b, 0x1b, 0x1b);
    active.base = QColor(0xff, 0xff, 0xff);
    active.alternateBase = QColor(0xf0, 0xf0, 0xf2);
    active.toolTipBase = QColor(0xff, 0xff, 0xe1);
    active.toolTipText = QColor(0x1b, 0x1b, 0x1b);
    active.placeholder = QColor(0x6b, 0x6b, 0x6b); // 5.3:1 on white
    active.text = QColor(0x1b, 0x1b, 0x1b);
    active.button = QColor(0xec, 0xec, 0xec);
    active.buttonText = QColor(0x1b, 0x1b, 0x1b);
    active.brightText = QColor(0xff, 0xff, 0xff);
    active.light = QColor(0xff, 0xff, 0xff);
    active.midlight = QColor(0xe3, 0xe3, 0xe3);
    active.mid = QColor(0xb8, 0xb8, 0xb8);
    active.dark = QColor(0x9f, 0x9f, 0x9f);
    active.shadow = QColor(0x6e, 0x6e, 0x6e);
    active.highlight = QColor(0x2f, 0x6f, 0xd0);
    active.highlightedText = QColor(0xff, 0xff, 0xff);
    active.link = QColor(0x0b, 0x57, 0xc2);
    active.linkVisited = QColor(0x6a, 0x3f, 0xb5);

    Colors disabled = active;
    disabled.windowText = QColor(0x8c, 0x8c, 0x8c);
    disabled.text = QColor(0x8c, 0x8c, 0x8c);
    disabled.buttonText = QColor(0x8c, 0x8c, 0x8c);
    disabled.placeholder = QColor(0xa8, 0xa8, 0xa8);
    disabled.base = QColor(0xf3, 0xf3, 0xf3);
    disabled.button = QColor(0xe6, 0xe6, 0xe6);
    disabled.highlight = QColor(0xc5, 0xc5, 0xc5);
    disabled.highlightedText = QColor(0x5c, 0x5c, 0x5c);
    disabled.link = QColor(0x8a, 0xa6, 0xd6);
    disabled.linkVisited = QColor(0xa9, 0x96, 0xcc);
    return paletteOf(active, disabled);
}

QPalette darkPalette()
{
    Colors active;
    active.window = QColor(0x2d, 0x2d, 0x30);
    active.windowText = QColor(0xe8, 0xe8, 0xe8);
    active.base = QColor(0x1e, 0x1e, 0x20);
    active.alternateBase = QColor(0x27, 0x27, 0x2a);
    active.toolTipBase = QColor(0x3c, 0x3c, 0x3f);
    active.toolTipText = QColor(0xf0, 0xf0, 0xf0);
    active.placeholder = QColor(0x9a, 0x9a, 0x9a); // 6.4:1 on the base colour
    active.text = QColor(0xe8, 0xe8, 0xe8);
    active.button = QColor(0x38, 0x38, 0x3b);
    active.buttonText = QColor(0xe8, 0xe8, 0xe8);
    active.brightText = QColor(0xff, 0x6b, 0x6b);
    active.light = QColor(0x4a, 0x4a, 0x4e);
    active.midlight = QColor(0x3e, 0x3e, 0x42);
    active.mid = QColor(0x26, 0x26, 0x29);
    active.dark = QColor(0x1a, 0x1a, 0x1c);
    active.shadow = QColor(0x00, 0x00, 0x00);
    active.highlight = QColor(0x2f, 0x6f, 0xd0);
    active.highlightedText = QColor(0xff, 0xff, 0xff);
    active.link = QColor(0x7c, 0xb4, 0xff);
    active.linkVisited = QColor(0xc1, 0x9c, 0xff);

    Colors disabled = active;
    disabled.windowText = QColor(0x7f, 0x7f, 0x7f);
    disabled.text = QColor(0x7f, 0x7f, 0x7f);
    disabled.buttonText = QColor(0x7f, 0x7f, 0x7f);
    disabled.placeholder = QColor(0x66, 0x66, 0x66);
    disabled.base = QColor(0x25, 0x25, 0x27);
    disabled.button = QColor(0x31, 0x31, 0x34);
    disabled.highlight = QColor(0x4a, 0x4a, 0x4e);
    disabled.highlightedText = QColor(0x9a, 0x9a, 0x9a);
    disabled.link = QColor(0x5b, 0x7a, 0xa6);
    disabled.linkVisited = QColor(0x7d, 0x6c, 0xa3);
    return paletteOf(active, disabled);
}

QPalette paletteFor(Theme theme)
{
    switch (theme) {
    case Theme::System:
        // Before the first applyAppearance() the application's palette is still the platform's.
        return platformLook() ? platformLook()->palette : QGuiApplication::palette();
    case Theme::Light: return lightPalette();
    case Theme::Dark: return darkPalette();
    }
    return QGuiApplication::palette();
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace heliodesk
