#include "messagelabel.h"

#include <QAccessible>
#include <QApplication>
#include <QEvent>

namespace heliodesk {

namespace {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor errorColor(const QPalette &palette)
{
    // Contrast of at least 4.5:1 on the usual light and dark window colours.
    return isDark(palette) ? QColor(0xf2, 0xb8, 0xb5) : QColor(0xb3, 0x26, 0x1e);
}

QColor hintColor(const QPalette &palette)
{
    const QColor text = palette.color(QPalette::WindowText);
    const QColor window = palette.color(QPalette::Window);
    // Two thirds of the way from the window colour to the text colour: quieter than text, still legible.
    return QColor((text.red() * 2 + window.red()) / 3, (text.green() * 2 + window.green()) / 3,
                  (text.blue() * 2 + window.blue()) / 3);
}

} // namespace

MessageLabel::MessageLabel(Presentation presentation, QWidget *parent)
    : QLabel(parent)
    , m_presentation(presentation)
{
    setWordWrap(true);
    setTextFormat(Qt::PlainText);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    applyLook();
    QLabel::setVisible(false);
}

void MessageLabel::showHint(const QString &text)
{
    present(Kind::Hint, text);
}

void MessageLabel::showError(const QString &text)
{
    const bool changed = m_kind != Kind::Error || this->text() != text;
    present(Kind::Error, text);
    if (changed && !text.isEmpty() && isVisible()) {
        QAccessibleEvent alert(this, QAccessible::Alert);
        QAccessible::updateAccessibility(&alert);
    }
}

void MessageLabel::clearMessage()
{
    present(Kind::Hint, QString());
}

void MessageLabel::present(Kind kind, const QString &text)
{
    const bool kindChanged = m_kind != kind;
    m_kind = kind;
    setText(text);
    setAccessibleName(kind == Kind::Error ? tr("Error") : tr("Hint"));
    setAccessibleDescription(text);
    if (kindChanged)
        applyLook();
    setVisible(!text.isEmpty());
}

void MessageLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_applyingLook)
        applyLook();
}

void MessageLabel::applyLook()
{
    m_applyingLook = true;
    const QPalette base = parentWidget() ? parentWidget()->palette() : QPalette();
    if (m_presentation == Presentation::Banner) {
        const QColor fg = m_kind == Kind::Error ? errorColor(base) : base.color(QPalette::WindowText);
        QColor bg = fg;
        bg.setAlpha(28);
        QColor border = fg;
        border.setAlpha(90);
        setMargin(0);
        setStyleSheet(QStringLiteral("QLabel { color: %1; background-color: %2; border: 1px solid %3; "
                                     "border-radius: 4px; padding: 8px 10px; }")
                          .arg(fg.name(QColor::HexRgb), bg.name(QColor::HexArgb), border.name(QColor::HexArgb)));
    } else {
        QFont small = parentWidget() ? parentWidget()->font() : QApplication::font(this);
        small.setPointSizeF(small.pointSizeF() * 0.9);
        setFont(small);
        QPalette pal = palette();
        pal.setColor(QPalette::WindowText, m_kind == Kind::Error ? errorColor(base) : hintColor(base));
        setPalette(pal);
    }
    m_applyingLook = false;
}

} // namespace heliodesk
