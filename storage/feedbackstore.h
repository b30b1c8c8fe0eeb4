#pragma once

// SQL for the thumbs up/down (and optional comment) a user gives an answer: one row per user and answer.

#include "error.h"

#include <QHash>
#include <QSqlDatabase>

namespace heliodesk {

/// A user's verdict on one answer.
struct FeedbackRecord {
    qint64 messageId = 0;
    int rating = 0;         // -1 (thumbs down) or 1 (thumbs up)
    QString comment;        // empty when none was given
    qint64 createdAtMs = 0; // when the answer was first rated; a changed verdict keeps it

    bool operator==(const FeedbackRecord &) const = default;
};

} // namespace heliodesk

namespace heliodesk::FeedbackStore {

/// Sets the user's rating and comment of a message, replacing any earlier verdict. Run inside a
/// write transaction.
Result<FeedbackRecord> upsert(const QSqlDatabase &db, qint64 userId, qint64 messageId, int rating, const QString &comment,
                              qint64 nowMs);
/// Removes the user's verdict on a message; returns whether there was one.
Result<bool> remove(const QSqlDatabase &db, qint64 userId, qint64 messageId);
/// The user's verdicts on the messages of one conversation, by message id.
Result<QHash<qint64, FeedbackRecord>> forConversation(const QSqlDatabase &db, qint64 userId, qint64 conversationId);

} // namespace heliodesk::FeedbackStore
