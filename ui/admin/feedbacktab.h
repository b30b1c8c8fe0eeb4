#pragma once

// The admin panel's Feedback tab: the ratings analysts gave answers (with the agent, the question
// and the answer), filtered by agent and by thumbs up or down, and the survey answers, filtered by
// score; each table sortable, searchable and exportable as CSV.

#include "model/actor.h"
#include "model/clock.h"

#include "storage/database.h"
#include "storage/error.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace heliodesk {

class FeedbackReportService;
class MessageLabel;
class RatingReportModel;
class SurveyReportModel;

class FeedbackTab : public QWidget
{
    Q_OBJECT

public:
    FeedbackTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent = nullptr);
    ~FeedbackTab() override;

    /// Shows only one agent's ratings (all when empty) / thumbs up (1), down (-1) or both (0) /
    /// survey answers with one score (0 for all), as choosing in the filters would.
    void setAgentFilter(const QString &agentId);
    void setRatingFilter(int rating);
    void setScoreFilter(int score);

    /// Save the ratings / survey table as shown (filtered and sorted) as CSV, with the whole
    /// texts, and record the export in the audit log.
    Result<void> exportRatingsCsv(const QString &path);
    Result<void> exportSurveyCsv(const QString &path);

    [[nodiscard]] QTabWidget *pages() const { return m_pages; }
    [[nodiscard]] RatingReportModel *ratingsModel() const { return m_ratings; }
    [[nodiscard]] QSortFilterProxyModel *ratingsProxy() const { return m_ratingsProxy; }
    [[nodiscard]] QTableView *ratingsTable() const { return m_ratingsTable; }
    [[nodiscard]] SurveyReportModel *surveyModel() const { return m_survey; }
    [[nodiscard]] QSortFilterProxyModel *surveyProxy() const { return m_surveyProxy; }
    [[nodiscard]] QTableView *surveyTable() const { return m_surveyTable; }

public Q_SLOTS:
    /// Reads the agents, the ratings and the survey answers again.
    void reload();
    void reloadRatings();
    void reloadSurvey();

private:
    void reloadAgents();
    void showSelectedRating();
    void updateRatingsSummary();
    void updateSurveySummary();
    void chooseExportFile(bool ratings);

    std::shared_ptr<Database> m_database;
    std::shared_ptr<const Clock> m_clock;
    Actor m_admin;
    std::unique_ptr<FeedbackReportService> m_service;

    QTabWidget *m_pages;
    MessageLabel *m_message;

    QComboBox *m_agentCombo;
    QComboBox *m_ratingCombo;
    QLineEdit *m_ratingsFilterEdit;
    QPushButton *m_ratingsExportButton;
    RatingReportModel *m_ratings;
    QSortFilterProxyModel *m_ratingsProxy;
    QTableView *m_ratingsTable;
    QPlainTextEdit *m_detail;
    QLabel *m_ratingsSummary;

    QComboBox *m_scoreCombo;
    QLineEdit *m_surveyFilterEdit;
    QPushButton *m_surveyExportButton;
    SurveyReportModel *m_survey;
    QSortFilterProxyModel *m_surveyProxy;
    QTableView *m_surveyTable;
    QLabel *m_surveySummary;
};

} // namespace heliodesk
