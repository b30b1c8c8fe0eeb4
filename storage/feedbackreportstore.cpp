#include "feedbackreportstore.h"

#include "sql.h"

namespace heliodesk::FeedbackReportStore {

Result<QList<RatingReportRow>> ratings(const QSqlDatabase &db, const RatingFilter &filter, int limit)
{
    // The question is the user's last message before the answer in its conversation: regenerated
    // and continued answers follow the same question, so "the one just before" is the right one.
    auto q = execSql(db,
                     QStringLiteral("SELECT f.message_id, m.conversation_id, f.created_at, u.username, c.agent_id, "
                                    "COALESCE(a.name, c.agent_id), "
                                    "COALESCE((SELECT q.content FROM messages q WHERE q.conversation_id = m.conversation_id "
                                    "          AND q.role = 'user' AND q.id < m.id ORDER BY q.id DESC LIMIT 1), ''), "
                                    "m.content, f.rating, f.comment "
                                    "FROM feedback f "
                                    "JOIN users u ON u.id = f.user_id "
                                    "JOIN messages m ON m.id = f.message_id "
                                    "JOIN conversations c ON c.id = m.conversation_id "
                                    "LEFT JOIN agents a ON a.id = c.agent_id "
                                    "WHERE (? = '' OR c.agent_id = ?) AND (? = 0 OR f.rating = ?) "
                                    "ORDER BY f.created_at DESC, f.id DESC LIMIT ?"),
                     {nonNullText(filter.agentId), nonNullText(filter.agentId), filter.rating, filter.rating, limit});
    if (!q)
        return Unexpected(q.error());
    QList<RatingReportRow> rows;
    while (q->next()) {
        RatingReportRow row;
        row.messageId = q->value(0).toLongLong();
        row.conversationId = q->value(1).toLongLong();
        row.createdAtMs = q->value(2).toLongLong();
        row.username = q->value(3).toString();
        row.agentId = q->value(4).toString();
        row.agentName = q->value(5).toString();
        row.question = q->value(6).toString();
        row.answer = q->value(7).toString();
        row.rating = q->value(8).toInt();
        row.comment = q->value(9).toString();
        rows.append(row);
    }
    return rows;
}

Result<QList<SurveyReportRow>> surveyResponses(const QSqlDatabase &db, int score, int limit)
{
    auto q = execSql(db,
                     QStringLiteral("SELECT s.id, s.created_at, u.username, s.score, s.comment "
                                    "FROM survey_responses s JOIN users u ON u.id = s.user_id "
                                    "WHERE (? = 0 OR s.score = ?) ORDER BY s.created_at DESC, s.id DESC LIMIT ?"),
                     {score, score, limit});
    if (!q)
        return Unexpected(q.error());
    QList<SurveyReportRow> rows;
    while (q->next())
        rows.append(SurveyReportRow{q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toString(),
                                    q->value(3).toInt(), q->value(4).toString()});
    return rows;
}

Result<QList<AgentName>> agents(const QSqlDatabase &db)
{
    auto q = execSql(db, QStringLiteral("SELECT id, name FROM agents ORDER BY sort_order, name"));
    if (!q)
        return Unexpected(q.error());
    QList<AgentName> rows;
    while (q->next())
        rows.append(AgentName{q->value(0).toString(), q->value(1).toString()});
    return rows;
}

} // namespace heliodesk::FeedbackReportStore
