#pragma once

// SQL for conversations and their messages, including the small appends of a streaming answer.

#include "error.h"
#include "records.h"

#include <QSqlDatabase>

namespace heliodesk::ConversationStore {

Result<qint64> createConversation(const QSqlDatabase &db, qint64 userId, const QString &agentId, const QString &title, qint64 nowMs);
Result<std::optional<ConversationRecord>> find(const QSqlDatabase &db, qint64 conversationId);
/// The user's conversations, most recently active first.
Result<QList<ConversationRecord>> listForUser(const QSqlDatabase &db, qint64 userId);
Result<void> touch(const QSqlDatabase &db, qint64 conversationId, qint64 nowMs);
/// A new title; the order by last activity stays as it was.
Result<void> rename(const QSqlDatabase &db, qint64 conversationId, const QString &title);
Result<void> setPinned(const QSqlDatabase &db, qint64 conversationId, bool pinned);
/// The conversation, its messages and their feedback; its ledger rows stay (they count queries)
/// and lose their link to it. Returns how many messages went. Run inside a write transaction.
Result<int> remove(const QSqlDatabase &db, qint64 conversationId);

Result<qint64> insertMessage(const QSqlDatabase &db, qint64 conversationId, MessageRole role, const QString &content,
                             MessageStatus status, std::optional<qint64> usageEventId, qint64 nowMs);
/// Appends a piece of a streaming answer without rewriting what is stored already.
Result<void> appendToMessage(const QSqlDatabase &db, qint64 messageId, const QString &piece, qint64 nowMs);
/// Ends a streaming answer: its status, the error text for failures and the sources.
Result<void> finishMessage(const QSqlDatabase &db, qint64 messageId, MessageStatus status, const QString &error,
                           const QString &sourcesJson, qint64 nowMs);
Result<std::optional<MessageRecord>> findMessage(const QSqlDatabase &db, qint64 messageId);
/// In order of creation.
Result<QList<MessageRecord>> messages(const QSqlDatabase &db, qint64 conversationId);
/// The newest `count` messages of the conversation, older than `beforeMessageId` when given,
/// newest first (one range read of messages_by_conversation).
Result<QList<MessageRecord>> newestMessages(const QSqlDatabase &db, qint64 conversationId,
                                            std::optional<qint64> beforeMessageId, qint64 count);
/// One message and the feedback on it. Run inside a write transaction.
Result<void> removeMessage(const QSqlDatabase &db, qint64 messageId);
/// An interrupted or cancelled answer streams again: status streaming, no error, counted by
/// `usageEventId`. Its text stays, for the new text to be appended to.
Result<void> resumeMessage(const QSqlDatabase &db, qint64 messageId, qint64 usageEventId, qint64 nowMs);

/// Whether interruptAbandonedStreams() would find anything (a read, without a write lock).
Result<bool> hasAbandonedStreams(const QSqlDatabase &db, qint64 olderThanMs);
/// Answers left "streaming" by a process that died become "interrupted", keeping their text.
/// Only answers older than `olderThanMs` are touched, so another live process's streams are left alone.
Result<int> interruptAbandonedStreams(const QSqlDatabase &db, qint64 olderThanMs, qint64 nowMs);

/// Points a ledger row at the conversation its query belongs to.
Result<void> linkUsageEvent(const QSqlDatabase &db, qint64 usageEventId, qint64 conversationId);

} // namespace heliodesk::ConversationStore
