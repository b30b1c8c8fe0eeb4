#include "conversationstore.h"

#include "sql.h"

namespace heliodesk::ConversationStore {

namespace {

const QString selectConversation = QStringLiteral(
    "SELECT id, user_id, agent_id, title, pinned, created_at, updated_at FROM conversations ");
const QString selectConversationById = selectConversation + u"WHERE id = ?";
const QString selectConversationsOfUser = selectConversation + u"WHERE user_id = ? ORDER BY pinned DESC, updated_at DESC, id DESC";

const QString selectMessage = QStringLiteral(
    "SELECT id, conversation_id, role, content, status, error, sources, usage_event_id, created_at, updated_at FROM messages ");
const QString selectMessageById = selectMessage + u"WHERE id = ?";
const QString selectMessagesOfConversation = selectMessage + u"WHERE conversation_id = ? ORDER BY id";
const QString selectNewestMessages = selectMessage + u"WHERE conversation_id = ? ORDER BY id DESC LIMIT ?";
const QString selectNewestMessagesBefore = selectMessage + u"WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?";

ConversationRecord readConversation(const QSqlQuery &q)
{
    return ConversationRecord{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(),
                              q.value(4).toInt() != 0,  q.value(5).toLongLong(), q.value(6).toLongLong()};
}

MessageRecord readMessage(const QSqlQuery &q)
{
    MessageRecord m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.role = messageRoleFromString(q.value(2).toString()).value_or(MessageRole::User);
    m.content = q.value(3).toString();
    m.status = messageStatusFromString(q.value(4).toString()).value_or(MessageStatus::Failed);
    m.error = q.value(5).toString();
    m.sourcesJson = q.value(6).toString();
    if (!q.value(7).isNull())
        m.usageEventId = q.value(7).toLongLong();
    m.createdAtMs = q.value(8).toLongLong();
    m.updatedAtMs = q.value(9).toLongLong();
    return m;
}

Result<qint64> insertReturningId(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    auto q = execSql(db, sql, values);
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return fail(ErrorCode::Internal, QStringLiteral("The conversation could not be saved."), QStringLiteral("INSERT returned no id"));
    const qint64 id = q->value(0).toLongLong();
    q->finish();
    return id;
}

Result<void> expectOne(const Result<QSqlQuery> &q, const QString &what)
{
    if (!q)
        return Unexpected(q.error());
    if (q->numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, QStringLiteral("That %1 does not exist (any more).").arg(what));
    return {};
}

QVariant nullableText(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

} // namespace

Result<qint64> createConversation(const QSqlDatabase &db, qint64 userId, const QString &agentId, const QString &title, qint64 nowMs)
{
    return insertReturningId(db,
                             QStringLiteral("INSERT INTO conversations (user_id, agent_id, title, created_at, updated_at) "
                                            "VALUES (?, ?, ?, ?, ?) RETURNING id"),
                             {userId, agentId, title, nowMs, nowMs});
}

Result<std::optional<ConversationRecord>> find(const QSqlDatabase &db, qint64 conversationId)
{
    auto q = execSql(db, selectConversationById, {conversationId});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return std::optional<ConversationRecord>();
    return std::optional<ConversationRecord>(readConversation(*q));
}

Result<QList<ConversationRecord>> listForUser(const QSqlDatabase &db, qint64 userId)
{
    auto q = execSql(db, selectConversationsOfUser, {userId});
    if (!q)
        return Unexpected(q.error());
    QList<ConversationRecord> list;
    while (q->next())
        list.append(readConversation(*q));
    return list;
}

Result<void> touch(const QSqlDatabase &db, qint64 conversationId, qint64 nowMs)
{
    return expectOne(execSql(db, QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"), {nowMs, conversationId}),
                     QStringLiteral("conversation"));
}

Result<void> rename(const QSqlDatabase &db, qint64 conversationId, const QString &title)
{
    return expectOne(execSql(db, QStringLiteral("UPDATE conversations SET title = ? WHERE id = ?"), {nonNullText(title), conversationId}),
                     QStringLiteral("conversation"));
}

Result<void> setPinned(const QSqlDatabase &db, qint64 conversationId, bool pinned)
{
    return expectOne(execSql(db, QStringLiteral("UPDATE conversations SET pinned = ? WHERE id = ?"), {pinned ? 1 : 0, conversationId}),
                     QStringLiteral("conversation"));
}

Result<int> remove(const QSqlDatabase &db, qint64 conversationId)
{
    if (auto feedback = execSql(db,
                                QStringLiteral("DELETE FROM feedback WHERE message_id IN "
                                               "(SELECT id FROM messages WHERE conversation_id = ?)"),
                                {conversationId});
        !feedback)
        return Unexpected(feedback.error());
    auto messages = execSql(db, QStringLiteral("DELETE FROM messages WHERE conversation_id = ?"), {conversationId});
    if (!messages)
        return Unexpected(messages.error());
    const int removed = messages->numRowsAffected();
    // usage_events.conversation_id is ON DELETE SET NULL: the ledger keeps counting the queries.
    if (auto conversation = expectOne(execSql(db, QStringLiteral("DELETE FROM conversations WHERE id = ?"), {conversationId}),
                                      QStringLiteral("conversation"));
        !conversation)
        return Unexpected(conversation.error());
    return removed;
}

Result<qint64> insertMessage(const QSqlDatabase &db, qint64 conversationId, MessageRole role, const QString &content,
                             MessageStatus status, std::optional<qint64> usageEventId, qint64 nowMs)
{
    return insertReturningId(db,
                             QStringLiteral("INSERT INTO messages (conversation_id, role, content, status, usage_event_id, "
                                            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                             {conversationId, nameOf(role), nonNullText(content), nameOf(status),
                              usageEventId ? QVariant(*usageEventId) : QVariant(QMetaType::fromType<qint64>()), nowMs, nowMs});
}

Result<void> appendToMessage(const QSqlDatabase &db, qint64 messageId, const QString &piece, qint64 nowMs)
{
    return expectOne(execSql(db, QStringLiteral("UPDATE messages SET content = content || ?, updated_at = ? WHERE id = ?"),
                             {nonNullText(piece), nowMs, messageId}),
                     QStringLiteral("message"));
}

Result<void> finishMessage(const QSqlDatabase &db, qint64 messageId, MessageStatus status, const QString &error,
                           const QString &sourcesJson, qint64 nowMs)
{
    return expectOne(execSql(db, QStringLiteral("UPDATE messages SET status = ?, error = ?, sources = ?, updated_at = ? WHERE id = ?"),
                             {nameOf(status), nullableText(error), nullableText(sourcesJson), nowMs, messageId}),
                     QStringLiteral("message"));
}

Result<std::optional<MessageRecord>> findMessage(const QSqlDatabase &db, qint64 messageId)
{
    auto q = execSql(db, selectMessageById, {messageId});
    if (!q)
        return Unexpected(q.error());
    if (!q->next())
        return std::optional<MessageRecord>();
    return std::optional<MessageRecord>(readMessage(*q));
}

Result<QList<MessageRecord>> messages(const QSqlDatabase &db, qint64 conversationId)
{
    auto q = execSql(db, selectMessagesOfConversation, {conversationId});
    if (!q)
        return Unexpected(q.error());
    QList<MessageRecord> list;
    while (q->next())
        list.append(readMessage(*q));
    return list;
}

Result<QList<MessageRecord>> newestMessages(const QSqlDatabase &db, qint64 conversationId,
                                            std::optional<qint64> beforeMessageId, qint64 count)
{
    auto q = beforeMessageId ? execSql(db, selectNewestMessagesBefore, {conversationId, *beforeMessageId, count})
                             : execSql(db, selectNewestMessages, {conversationId, count});
    if (!q)
        return Unexpected(q.error());
    QList<MessageRecord> list;
    while (q->next())
        list.append(readMessage(*q));
    return list;
}

Result<void> removeMessage(const QSqlDatabase &db, qint64 messageId)
{
    if (auto feedback = execSql(db, QStringLiteral("DELETE FROM feedback WHERE message_id = ?"), {messageId}); !feedback)
        return Unexpected(feedback.error());
    return expectOne(execSql(db, QStringLiteral("DELETE FROM messages WHERE id = ?"), {messageId}), QStringLiteral("message"));
}

Result<void> resumeMessage(const QSqlDatabase &db, qint64 messageId, qint64 usageEventId, qint64 nowMs)
{
    return expectOne(execSql(db,
                             QStringLiteral("UPDATE messages SET status = 'streaming', error = NULL, usage_event_id = ?, "
                                            "updated_at = ? WHERE id = ? AND status IN ('interrupted', 'cancelled')"),
                             {usageEventId, nowMs, messageId}),
                     QStringLiteral("stopped answer"));
}

Result<bool> hasAbandonedStreams(const QSqlDatabase &db, qint64 olderThanMs)
{
    auto q = execSql(db, QStringLiteral("SELECT 1 FROM messages WHERE status = 'streaming' AND updated_at < ? LIMIT 1"),
                     {olderThanMs});
    if (!q)
        return Unexpected(q.error());
    return q->next();
}

Result<int> interruptAbandonedStreams(const QSqlDatabase &db, qint64 olderThanMs, qint64 nowMs)
{
    auto q = execSql(db,
                     QStringLiteral("UPDATE messages SET status = 'interrupted', updated_at = ? "
                                    "WHERE status = 'streaming' AND updated_at < ?"),
                     {nowMs, olderThanMs});
    if (!q)
        return Unexpected(q.error());
    return q->numRowsAffected();
}

Result<void> linkUsageEvent(const QSqlDatabase &db, qint64 usageEventId, qint64 conversationId)
{
    return expectOne(execSql(db, QStringLiteral("UPDATE usage_events SET conversation_id = ? WHERE id = ?"),
                             {conversationId, usageEventId}),
                     QStringLiteral("usage record"));
}

} // namespace heliodesk::ConversationStore
