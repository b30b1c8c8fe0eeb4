#pragma once

// One conversation's messages for the conversation view, oldest first: the newest page is loaded
// when it opens, older pages as the view scrolls up (fetchMore). Kept current from ChatService's
// signals — new messages, streamed text, ends, regenerated and continued answers — without
// reloading.

#include "model/actor.h"
#include "storage/error.h"
#include "storage/records.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QVariantList>

#include <optional>

namespace heliodesk {

class ChatService;

class MessageListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Roles {
        IdRole = Qt::UserRole + 1,
        RoleRole,         // int(MessageRole)
        StatusRole,       // int(MessageStatus)
        ErrorRole,        // the sentence of a failed answer
        SourcesRole,      // QVariantList of QVariantMap{title, location, excerpt}
        CreatedAtRole,    // milliseconds since the epoch
        IsLastAnswerRole, // bool: the last message, and an assistant answer
    };
    Q_ENUM(Roles)

    MessageListModel(ChatService *chat, Actor actor, QObject *parent = nullptr);

    /// Shows a conversation: loads its newest page and resets the model.
    Result<void> open(qint64 conversationId);
    /// Shows no conversation (a new chat).
    void clear();
    /// The conversation shown, or 0.
    [[nodiscard]] qint64 conversationId() const;

    [[nodiscard]] const MessageRecord &at(int row) const;
    /// The row of a loaded message, or -1 when it is not loaded.
    [[nodiscard]] int rowOf(qint64 messageId) const;
    /// Loads older pages until the message is loaded; returns its row.
    Result<int> reveal(qint64 messageId);

    /// Messages per page (default 50).
    void setPageSize(int size);
    [[nodiscard]] int pageSize() const { return m_pageSize; }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    /// Older messages exist that are not loaded yet.
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    /// Loads the next older page and inserts it at the top.
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    /// Loading an older page (fetchMore) or re-reading a message failed.
    void loadFailed(const heliodesk::Error &error);

private:
    /// Loads the page before the first loaded message and inserts it at the top.
    Result<void> loadOlder();
    void append(qint64 conversationId, const QList<MessageRecord> &messages);
    void appendText(qint64 answerId, const QString &newText);
    void finish(qint64 answerId, MessageStatus status, const QString &error);
    void removeMessage(qint64 conversationId, qint64 messageId);
    void resume(qint64 answerId);
    /// The row of a message, looking from the end (where streaming answers are).
    [[nodiscard]] int rowFromEnd(qint64 messageId) const;
    /// Tells views that a row's IsLastAnswerRole changed (it became, or stopped being, the last).
    void lastRowChanged(int row);
    [[nodiscard]] QVariantList sourcesOf(const MessageRecord &message) const;

    ChatService *m_chat;
    Actor m_actor;
    qint64 m_conversationId = 0;
    QList<MessageRecord> m_rows;
    bool m_hasOlder = false;
    int m_pageSize = 50;
    mutable QHash<qint64, QVariantList> m_sources; // SourcesRole, parsed when first asked for
};

} // namespace heliodesk
