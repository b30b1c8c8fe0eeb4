#include "surveystore.h"

#include "sql.h"

#include <QCoreApplication>

namespace heliodesk::SurveyStore {

namespace {

Error noSuchUser(qint64 userId)
{
    return Error(ErrorCode::NotFound,
                 QCoreApplication::translate("SurveyStore", "That user does not exist (any more). Sign in again."),
                 QStringLiteral("no user %1").arg(userId));
}

} // namespace

Result<int> finishedAnswers(const QSqlDatabase &db, qint64 userId)
{
    auto n = scalar(db, QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ? AND outcome = 'complete'"), {userId});
    if (!n)
        return Unexpected(n.error());
    return n->toInt();
}

Result<int> promptedAt(const QSqlDatabase &db, qint64 userId)
{
    auto q = execSql(db, QStringLiteral("SELECT survey_prompted_at FROM users WHERE id = ?"), {userId});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return Unexpected(noSuchUser(userId));
    return q->value(0).toInt();
}

Result<void> setPromptedAt(const QSqlDatabase &db, qint64 userId, int finishedAnswers)
{
    auto q = execSql(db, QStringLiteral("UPDATE users SET survey_prompted_at = ? WHERE id = ?"), {finishedAnswers, userId});
    if (!q)
        return Unexpected(q.error());
    if (q->numRowsAffected() != 1)
        return Unexpected(noSuchUser(userId));
    return {};
}

Result<qint64> insertResponse(const QSqlDatabase &db, qint64 userId, int score, const QString &comment, qint64 nowMs)
{
    auto q = execSql(db,
                     QStringLiteral("INSERT INTO survey_responses (user_id, score, comment, created_at) VALUES (?, ?, ?, ?) "
                                    "RETURNING id"),
                     {userId, score, nonNullText(comment), nowMs});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return fail(ErrorCode::Internal,
                    QCoreApplication::translate("SurveyStore", "The survey answer could not be saved. Try again."),
                    QStringLiteral("survey insert returned no id"));
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    return id;
}

} // namespace heliodesk::SurveyStore
