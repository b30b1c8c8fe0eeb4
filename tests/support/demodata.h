#pragma once

// A demo database with realistic content, for the screenshots and the benchmarks: an analyst, Ana
// Lima, with three agents hired and a month of conversations whose answers carry Markdown
// (headings, lists, tables, SQL), seeded through the services as the app would write them.

#include "fakeclock.h"

#include "storage/database.h"
#include "storage/records.h"

#include <QList>
#include <QString>

#include <memory>

namespace heliodesk::test {

/// One question and the answer the demo scripts for it (Markdown).
struct DemoExchange {
    QString question;
    QString answer;
};

struct DemoData {
    UserRecord admin;      // the first account, an administrator ("marta.reis")
    QString adminPassword;
    UserRecord analyst;    // "ana.lima", as she is after the seeding (her quota counter included)
    QString analystPassword;
    /// Today's O&M conversation whose last answer has a table and a SQL query over SCADA data.
    qint64 showcaseConversationId = 0;
    /// The pinned Market Intelligence conversation: PPA prices by country in a table.
    qint64 pinnedConversationId = 0;
    /// Ana's conversations, in the order they were seeded.
    QList<qint64> conversationIds;
    /// Questions counted for Ana in the month of demoNow().
    int questionsThisMonth = 0;
};

/// The moment the demo is set in: a weekday afternoon in the second half of a month, so that the
/// sidebar has Today, Yesterday, Previous 7 days and Older (some of it in the month before).
QDateTime demoNow();

/// Seeds an empty database: an administrator, Ana Lima (analyst, Standard plan) with Market
/// Intelligence, O&M and News hired, nine conversations spread over the last four weeks (one of
/// them pinned), ratings, an answered survey, and this month's questions, some of them in
/// conversations she has since deleted. Every answer goes through ChatService (a scripted
/// provider) with `clock` set to when it was asked; the clock is left at demoNow().
/// Runs the event loop while answers stream (a QCoreApplication must exist).
Result<DemoData> seedDemoData(const std::shared_ptr<Database> &database, const std::shared_ptr<FakeClock> &clock);

/// A Market Intelligence question the demo has not asked yet, with a long Markdown answer, to be
/// streamed live (the screenshot of an answer arriving).
DemoExchange demoLiveExchange();

/// A word that several of the demo's answers use, for a search.
QString demoSearchTerm();

/// Adds Ana's team to a database seedDemoData() made, for the admin panel's pictures: two more
/// plans, six more people (one of them disabled, one with a quota override, a second admin), two
/// weeks of their questions to all four agents (some failed in the last day), ratings with
/// comments, survey answers, O&M knowledge documents imported from `documentsFolder`, a count reset
/// with its reason, and a backup; every admin step through the services, so the audit log has it.
/// The clock is left at demoNow(). Runs the event loop (a QCoreApplication must exist).
Result<void> seedTeamDemoData(const std::shared_ptr<Database> &database, const std::shared_ptr<FakeClock> &clock,
                              const DemoData &demo, const QString &documentsFolder);

} // namespace heliodesk::test
