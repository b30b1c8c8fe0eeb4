#pragma once

// A label under a form field or at the foot of a dialog that says what is needed or what went wrong.

#include <QLabel>

namespace heliodesk {

class MessageLabel : public QLabel
{
    Q_OBJECT

public:
    enum class Presentation {
        Inline, // small text under a field
        Banner, // a framed box for an error that concerns the whole form
    };
    enum class Kind { Hint, Error };

    explicit MessageLabel(Presentation presentation = Presentation::Inline, QWidget *parent = nullptr);

    /// Shows `text` as neutral guidance; hides the label when `text` is empty.
    void showHint(const QString &text);
    /// Shows `text` as a problem and tells assistive technology; hides the label when `text` is empty.
    void showError(const QString &text);
    /// Empties and hides the label.
    void clearMessage();

    [[nodiscard]] Kind kind() const { return m_kind; }
    [[nodiscard]] bool isError() const { return m_kind == Kind::Error && !text().isEmpty(); }

protected:
    void changeEvent(QEvent *event) override;

private:
    void present(Kind kind, const QString &text);
    void applyLook();

    Presentation m_presentation;
    Kind m_kind = Kind::Hint;
    bool m_applyingLook = false;
};

} // namespace heliodesk
