#pragma once

// A banner above the composer that asks, without blocking anything, how useful the agents were.

#include <QFrame>

class QButtonGroup;
class QLineEdit;
class QPushButton;
class QToolButton;

namespace heliodesk {

class MessageLabel;

class SurveyBanner : public QFrame
{
    Q_OBJECT

public:
    explicit SurveyBanner(QWidget *parent = nullptr);

    /// The chosen score, 1 to 5, or 0 while none is chosen.
    [[nodiscard]] int score() const;
    [[nodiscard]] QString comment() const;

    /// Clears the score, the comment and any error, for the next time the survey is due.
    void reset();
    /// Shows the banner again with a problem in words (e.g. the answer could not be saved),
    /// keeping the score and comment so they can be sent again.
    void showError(const QString &message);

Q_SIGNALS:
    /// Send. The banner has hidden itself already.
    void submitted(int score, const QString &comment);
    /// "Not now" (the × button or Escape). The banner has hidden itself already.
    void dismissed();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void send();
    void dismiss();
    void updateSendButton();

    QButtonGroup *m_scores = nullptr;
    QLineEdit *m_commentEdit = nullptr;
    QPushButton *m_sendButton = nullptr;
    QToolButton *m_closeButton = nullptr;
    MessageLabel *m_errorMessage = nullptr;
};

} // namespace heliodesk
