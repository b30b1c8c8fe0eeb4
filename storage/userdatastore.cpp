#include "userdatastore.h"

#include "sql.h"

namespace heliodesk::UserDataStore {

namespace {

// Feedback by anyone on the user's messages goes too: the messages it refers to are removed.
const QString userMessages = QStringLiteral(
    "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = ?");

struct Step {
    int DeletionCounts::*counter;
    QString countSql;
    QString deleteSql;
    int bindings; // how many times the user id is bound
};

// In dependency order: nothing is removed while something else still refers to it.
const std::vector<Step> &steps()
{
    static const std::vector<Step> list = {
        {&DeletionCounts::feedback,
         QStringLiteral("SELECT count(*) FROM feedback WHERE user_id = ? OR message_id IN (") + userMessages + u')',
         QStringLiteral("DELETE FROM feedback WHERE user_id = ? OR message_id IN (") + userMessages + u')', 2},
        {&DeletionCounts::messages,
         QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = ?)"),
         QStringLiteral("DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = ?)"), 1},
        {&DeletionCounts::usageEvents, QStringLiteral("SELECT count(*) FROM usage_events WHERE user_id = ?"),
         QStringLiteral("DELETE FROM usage_events WHERE user_id = ?"), 1},
        {&DeletionCounts::conversations, QStringLiteral("SELECT count(*) FROM conversations WHERE user_id = ?"),
         QStringLiteral("DELETE FROM conversations WHERE user_id = ?"), 1},
        {&DeletionCounts::surveyResponses, QStringLiteral("SELECT count(*) FROM survey_responses WHERE user_id = ?"),
         QStringLiteral("DELETE FROM survey_responses WHERE user_id = ?"), 1},
        {&DeletionCounts::hiredAgents, QStringLiteral("SELECT count(*) FROM hired_agents WHERE user_id = ?"),
         QStringLiteral("DELETE FROM hired_agents WHERE user_id = ?"), 1},
    };
    return list;
}

const QString deleteUser = QStringLiteral("DELETE FROM users WHERE id = ?");

QVariantList ids(qint64 userId, int n)
{
    return QVariantList(n, QVariant(userId));
}

} // namespace

Result<DeletionCounts> count(const QSqlDatabase &db, qint64 userId)
{
    DeletionCounts counts;
    for (const Step &step : steps()) {
        auto n = scalar(db, step.countSql, ids(userId, step.bindings));
        if (!n)
            return Unexpected(n.error());
        counts.*step.counter = n->toInt();
    }
    return counts;
}

Result<DeletionCounts> removeAll(const QSqlDatabase &db, qint64 userId)
{
    DeletionCounts counts;
    for (const Step &step : steps()) {
        auto removed = execSql(db, step.deleteSql, ids(userId, step.bindings));
        if (!removed)
            return Unexpected(removed.error());
        counts.*step.counter = removed->numRowsAffected();
    }
    auto user = execSql(db, deleteUser, {userId});
    if (!user)
        return Unexpected(user.error());
    if (user->numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, QStringLiteral("That user does not exist (any more)."));
    return counts;
}

QStringList removalStatements()
{
    QStringList statements;
    for (const Step &step : steps())
        statements << step.deleteSql;
    statements << deleteUser;
    return statements;
}

} // namespace heliodesk::UserDataStore
