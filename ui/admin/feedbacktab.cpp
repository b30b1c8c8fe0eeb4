#include "feedbacktab.h"

#include "csvsavedialog.h"

#include "ui/messagelabel.h"

#include "model/admin/csv.h"
#include "model/admin/feedbackreportservice.h"
#include "model/admin/ratingreportmodel.h"
#include "model/admin/surveyreportmodel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace heliodesk {

namespace {

QTableView *makeTable(QWidget *parent, QSortFilterProxyModel *proxy, const QString &objectName, const QString &accessibleName,
                      int sortColumn)
{
    auto *table = new QTableView(parent);
    table->setObjectName(objectName);
    table->setAccessibleName(accessibleName);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->sortByColumn(sortColumn, Qt::DescendingOrder);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

QLineEdit *makeFilterEdit(QWidget *parent, const QString &objectName, const QString &accessibleName, const QString &placeholder)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

QPushButton *makeButton(QWidget *parent, const QString &text, const QString &objectName, const QString &accessibleName)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setAccessibleName(accessibleName);
    return button;
}

void selectData(QComboBox *combo, const QVariant &value)
{
    const int index = combo->findData(value);
    combo->setCurrentIndex(index < 0 ? 0 : index);
}

} // namespace

FeedbackTab::FeedbackTab(std::shared_ptr<Database> database, std::shared_ptr<const Clock> clock, Actor admin, QWidget *parent)
    : QWidget(parent)
    , m_database(std::move(database))
    , m_clock(std::move(clock))
    , m_admin(std::move(admin))
    , m_service(std::make_unique<FeedbackReportService>(m_database, m_clock))
{
    setObjectName(QStringLiteral("feedbackTab"));
    setAccessibleName(tr("Feedback"));

    m_pages = new QTabWidget(this);
    m_pages->setObjectName(QStringLiteral("feedbackPages"));
    m_pages->setAccessibleName(tr("Ratings and survey answers"));
    m_message = new MessageLabel(MessageLabel::Presentation::Banner, this);
    m_message->setObjectName(QStringLiteral("feedbackMessage"));

    // Ratings.
    auto *ratingsPage = new QWidget(m_pages);
    ratingsPage->setObjectName(QStringLiteral("feedbackRatingsPage"));
    auto *agentLabel = new QLabel(tr("&Agent:"), ratingsPage);
    m_agentCombo = new QComboBox(ratingsPage);
    m_agentCombo->setObjectName(QStringLiteral("feedbackAgentCombo"));
    m_agentCombo->setAccessibleName(tr("Show the ratings of"));
    m_agentCombo->addItem(tr("All agents"), QString());
    agentLabel->setBuddy(m_agentCombo);
    auto *ratingLabel = new QLabel(tr("&Rating:"), ratingsPage);
    m_ratingCombo = new QComboBox(ratingsPage);
    m_ratingCombo->setObjectName(QStringLiteral("feedbackRatingCombo"));
    m_ratingCombo->setAccessibleName(tr("Show ratings that are"));
    m_ratingCombo->addItem(tr("All ratings"), 0);
    m_ratingCombo->addItem(tr("Thumbs up"), 1);
    m_ratingCombo->addItem(tr("Thumbs down"), -1);
    ratingLabel->setBuddy(m_ratingCombo);
    m_ratingsFilterEdit = makeFilterEdit(ratingsPage, QStringLiteral("feedbackFilterEdit"), tr("Search the ratings"),
                                         tr("Search user, comment, question, answer"));
    m_ratingsExportButton = makeButton(ratingsPage, tr("&Export CSV…"), QStringLiteral("feedbackExportButton"),
                                       tr("Export the ratings as CSV"));

    m_ratings = new RatingReportModel(this);
    m_ratingsProxy = new QSortFilterProxyModel(this);
    m_ratingsProxy->setSourceModel(m_ratings);
    m_ratingsProxy->setSortRole(RatingReportModel::SortRole);
    m_ratingsProxy->setFilterRole(RatingReportModel::FullTextRole);
    m_ratingsProxy->setFilterKeyColumn(-1);
    m_ratingsProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_ratingsProxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_ratingsTable = makeTable(ratingsPage, m_ratingsProxy, QStringLiteral("feedbackTable"), tr("Ratings"),
                               RatingReportModel::TimeColumn);
    {
        // Who, when and how fit their text; comment and question get room to be read; the answer the rest.
        QHeaderView *header = m_ratingsTable->horizontalHeader();
        for (const int column : {RatingReportModel::TimeColumn, RatingReportModel::UserColumn, RatingReportModel::AgentColumn,
                                 RatingReportModel::RatingColumn})
            header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
        const int textWidth = fontMetrics().averageCharWidth() * 30;
        header->resizeSection(RatingReportModel::CommentColumn, textWidth);
        header->resizeSection(RatingReportModel::QuestionColumn, textWidth);
    }
    m_detail = new QPlainTextEdit(ratingsPage);
    m_detail->setObjectName(QStringLiteral("feedbackDetail"));
    m_detail->setAccessibleName(tr("The chosen rating's question, answer and comment"));
    m_detail->setReadOnly(true);
    m_detail->setPlaceholderText(tr("Choose a rating to read its question, answer and comment in full."));
    auto *splitter = new QSplitter(Qt::Vertical, ratingsPage);
    splitter->addWidget(m_ratingsTable);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    m_ratingsSummary = new QLabel(ratingsPage);
    m_ratingsSummary->setObjectName(QStringLiteral("feedbackSummaryLabel"));

    auto *ratingsRow = new QHBoxLayout;
    ratingsRow->addWidget(agentLabel);
    ratingsRow->addWidget(m_agentCombo);
    ratingsRow->addWidget(ratingLabel);
    ratingsRow->addWidget(m_ratingCombo);
    ratingsRow->addWidget(m_ratingsFilterEdit, 1);
    ratingsRow->addWidget(m_ratingsExportButton);
    auto *ratingsLayout = new QVBoxLayout(ratingsPage);
    ratingsLayout->addLayout(ratingsRow);
    ratingsLayout->addWidget(splitter, 1);
    ratingsLayout->addWidget(m_ratingsSummary);
    m_pages->addTab(ratingsPage, tr("Ratings"));

    // Survey answers.
    auto *surveyPage = new QWidget(m_pages);
    surveyPage->setObjectName(QStringLiteral("feedbackSurveyPage"));
    auto *scoreLabel = new QLabel(tr("&Score:"), surveyPage);
    m_scoreCombo = new QComboBox(surveyPage);
    m_scoreCombo->setObjectName(QStringLiteral("surveyScoreCombo"));
    m_scoreCombo->setAccessibleName(tr("Show survey answers with the score"));
    m_scoreCombo->addItem(tr("All scores"), 0);
    for (int score = 5; score >= 1; --score)
        m_scoreCombo->addItem(QString::number(score), score);
    scoreLabel->setBuddy(m_scoreCombo);
    m_surveyFilterEdit = makeFilterEdit(surveyPage, QStringLiteral("surveyFilterEdit"), tr("Search the survey answers"),
                                        tr("Search user or comment"));
    m_surveyExportButton = makeButton(surveyPage, tr("E&xport CSV…"), QStringLiteral("surveyExportButton"),
                                      tr("Export the survey answers as CSV"));
    m_survey = new SurveyReportModel(this);
    m_surveyProxy = new QSortFilterProxyModel(this);
    m_surveyProxy->setSourceModel(m_survey);
    m_surveyProxy->setSortRole(SurveyReportModel::SortRole);
    m_surveyProxy->setFilterKeyColumn(-1);
    m_surveyProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_surveyProxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_surveyTable = makeTable(surveyPage, m_surveyProxy, QStringLiteral("surveyTable"), tr("Survey answers"),
                              SurveyReportModel::TimeColumn);
    m_surveySummary = new QLabel(surveyPage);
    m_surveySummary->setObjectName(QStringLiteral("surveySummaryLabel"));

    auto *surveyRow = new QHBoxLayout;
    surveyRow->addWidget(scoreLabel);
    surveyRow->addWidget(m_scoreCombo);
    surveyRow->addWidget(m_surveyFilterEdit, 1);
    surveyRow->addWidget(m_surveyExportButton);
    auto *surveyLayout = new QVBoxLayout(surveyPage);
    surveyLayout->addLayout(surveyRow);
    surveyLayout->addWidget(m_surveyTable, 1);
    surveyLayout->addWidget(m_surveySummary);
    m_pages->addTab(surveyPage, tr("Survey"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_pages, 1);

    connect(m_agentCombo, &QComboBox::currentIndexChanged, this, &FeedbackTab::reloadRatings);
    connect(m_ratingCombo, &QComboBox::currentIndexChanged, this, &FeedbackTab::reloadRatings);
    connect(m_scoreCombo, &QComboBox::currentIndexChanged, this, &FeedbackTab::reloadSurvey);
    connect(m_ratingsFilterEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_ratingsProxy->setFilterFixedString(text);
        updateRatingsSummary();
    });
    connect(m_surveyFilterEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_surveyProxy->setFilterFixedString(text);
        updateSurveySummary();
    });
    connect(m_ratingsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &FeedbackTab::showSelectedRating);
    connect(m_ratingsExportButton, &QPushButton::clicked, this, [this] { chooseExportFile(true); });
    connect(m_surveyExportButton, &QPushButton::clicked, this, [this] { chooseExportFile(false); });

    reload();
}

FeedbackTab::~FeedbackTab() = default;

void FeedbackTab::setAgentFilter(const QString &agentId)
{
    selectData(m_agentCombo, agentId.isNull() ? QString(u""_qs) : agentId);
}

void FeedbackTab::setRatingFilter(int rating)
{
    selectData(m_ratingCombo, rating);
}

void FeedbackTab::setScoreFilter(int score)
{
    selectData(m_scoreCombo, score);
}

void FeedbackTab::reload()
{
    m_message->clearMessage();
    reloadAgents();
    reloadRatings();
    reloadSurvey();
}

void FeedbackTab::reloadAgents()
{
    auto agents = m_service->agents(m_admin);
    if (!agents) {
        m_message->showError(agents.error().message());
        return;
    }
    const QString chosen = m_agentCombo->currentData().toString();
    const QSignalBlocker blocker(m_agentCombo);
    m_agentCombo->clear();
    m_agentCombo->addItem(tr("All agents"), QString(u""_qs));
    for (const AgentName &agent : *agents)
        m_agentCombo->addItem(agent.name, agent.id);
    selectData(m_agentCombo, chosen);
}

void FeedbackTab::reloadRatings()
{
    RatingFilter filter;
    filter.agentId = m_agentCombo->currentData().toString();
    filter.rating = m_ratingCombo->currentData().toInt();
    auto rows = m_service->ratings(m_admin, filter);
    if (!rows) {
        m_ratings->setRows({});
        m_message->showError(rows.error().message());
    } else {
        m_ratings->setRows(std::move(*rows));
    }
    m_detail->clear();
    updateRatingsSummary();
}

void FeedbackTab::reloadSurvey()
{
    auto rows = m_service->surveyResponses(m_admin, m_scoreCombo->currentData().toInt());
    if (!rows) {
        m_survey->setRows({});
        m_message->showError(rows.error().message());
    } else {
        m_survey->setRows(std::move(*rows));
    }
    updateSurveySummary();
}

void FeedbackTab::showSelectedRating()
{
    const QModelIndex current = m_ratingsProxy->mapToSource(m_ratingsTable->currentIndex());
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    const RatingReportRow &row = m_ratings->at(current.row());
    QString text = tr("Question:") + u'\n' + row.question + QStringLiteral("\n\n") + tr("Answer:") + u'\n' + row.answer;
    if (!row.comment.isEmpty())
        text += QStringLiteral("\n\n") + tr("Comment:") + u'\n' + row.comment;
    m_detail->setPlainText(text);
}

void FeedbackTab::updateRatingsSummary()
{
    int up = 0;
    int down = 0;
    for (int row = 0; row < m_ratingsProxy->rowCount(); ++row) {
        const int source = m_ratingsProxy->mapToSource(m_ratingsProxy->index(row, 0)).row();
        (m_ratings->at(source).rating > 0 ? up : down) += 1;
    }
    QString text = tr("%n rating(s) shown: %1 thumbs up, %2 thumbs down.", nullptr, up + down).arg(up).arg(down);
    if (m_ratings->rowCount() >= FeedbackReportService::defaultLimit)
        text += u' ' + tr("Only the newest %1 are listed; narrow the filters to see older ones.").arg(FeedbackReportService::defaultLimit);
    m_ratingsSummary->setText(text);
}

void FeedbackTab::updateSurveySummary()
{
    double sum = 0.0;
    const int shown = m_surveyProxy->rowCount();
    for (int row = 0; row < shown; ++row)
        sum += m_surveyProxy->index(row, SurveyReportModel::ScoreColumn).data(SurveyReportModel::SortRole).toInt();
    m_surveySummary->setText(shown == 0 ? tr("No survey answers shown.")
                                        : tr("%n survey answer(s) shown, average score %1 of 5.", nullptr, shown)
                                              .arg(QLocale().toString(sum / shown, 'f', 1)));
}

void FeedbackTab::chooseExportFile(bool ratings)
{
    const QString day = m_clock->nowUtc().date().toString(Qt::ISODate);
    const QString name = ratings ? tr("ratings %1.csv").arg(day) : tr("survey %1.csv").arg(day);
    openCsvSaveDialog(this, ratings ? tr("Export Ratings") : tr("Export Survey Answers"), name,
                      ratings ? QStringLiteral("feedbackExportDialog") : QStringLiteral("surveyExportDialog"),
                      [this, ratings](const QString &path) {
                          auto saved = ratings ? exportRatingsCsv(path) : exportSurveyCsv(path);
                          if (!saved)
                              m_message->showError(saved.error().message());
                          else
                              m_message->showHint(tr("Saved %1.").arg(QFileInfo(path).fileName()));
                      });
}

Result<void> FeedbackTab::exportRatingsCsv(const QString &path)
{
    QList<QStringList> records;
    for (int row = 0; row < m_ratingsProxy->rowCount(); ++row)
        records.append(m_ratings->csvRecord(m_ratingsProxy->mapToSource(m_ratingsProxy->index(row, 0)).row()));
    return m_service->exportCsv(m_admin, QStringLiteral("ratings"), path, toCsv(RatingReportModel::csvHeader(), records),
                                int(records.size()));
}

Result<void> FeedbackTab::exportSurveyCsv(const QString &path)
{
    QList<QStringList> records;
    for (int row = 0; row < m_surveyProxy->rowCount(); ++row)
        records.append(m_survey->csvRecord(m_surveyProxy->mapToSource(m_surveyProxy->index(row, 0)).row()));
    return m_service->exportCsv(m_admin, QStringLiteral("survey"), path, toCsv(SurveyReportModel::csvHeader(), records),
                                int(records.size()));
}

} // namespace heliodesk
