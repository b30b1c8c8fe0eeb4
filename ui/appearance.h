#pragma once

// How Heliodesk looks: the platform's own theme or a light or dark one, and the size of its text.
// Kept in the per-user settings file beside the provider settings ("appearance/…").

#include <QFont>
#include <QPalette>
#include <QString>

namespace heliodesk {

enum class Theme {
    System, // the platform's style and palette, untouched
    Light,  // Fusion with a complete light palette
    Dark,   // Fusion with a complete dark palette
};

/// "system", "light", "dark": the names in the settings file.
QString themeName(Theme theme);
/// The theme of a name; System for anything else.
Theme themeFromName(const QString &name);

struct AppearanceSettings {
    static constexpr int minTextScale = 80;
    static constexpr int maxTextScale = 150;

    Theme theme = Theme::System;
    int textScalePercent = 100; // of the platform's default font size, minTextScale–maxTextScale

    /// The saved settings; defaults for what is missing, a scale out of range clamped. An empty
    /// file name means the per-user settings file shared with ProviderSettings.
    static AppearanceSettings load(const QString &settingsFile = {});
    /// Writes them; false when the file could not be written.
    bool save(const QString &settingsFile = {}) const;

    friend bool operator==(const AppearanceSettings &, const AppearanceSettings &) = default;
};

/// Applies the settings to the running QApplication. The platform's style, palette and font are
/// remembered the first time this is called, so call it before changing them any other way:
/// System puts the platform's style and palette back, Light and Dark use Fusion with lightPalette()
/// or darkPalette(), and the application font is the platform's scaled by textScalePercent.
void applyAppearance(const AppearanceSettings &settings);

/// The platform's application font (as remembered by applyAppearance(), else the current one)
/// scaled to `textScalePercent`.
QFont fontFor(int textScalePercent);

/// Complete palettes (every role, the Active, Inactive and Disabled groups).
QPalette lightPalette();
QPalette darkPalette();
/// The palette a theme gives: the platform's for System.
QPalette paletteFor(Theme theme);

/// For widgets that draw their own colours: true when the window colour is dark.
bool isDark(const QPalette &palette);

} // namespace heliodesk
