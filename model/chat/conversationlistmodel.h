#pragma once

// The signed-in user's conversations for the sidebar: pinned ones first, then the others by last
// activity, each in its section (Pinned, Today, Yesterday, Previous 7 days, Older — days in the
// local time zone). Kept current from ChatService's signals without reloading the list.

#include "model/actor.h"
#include "model/clock.h"
#include "storage/error.h"
#include "storage/records.h"

#include <QAbstractListModel>
#include <QList>

#include <memory>

namespace heliodesk {

class ChatService;

class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        AgentIdRole,
        PinnedRole,
        UpdatedAtRole, // milliseconds since the epoch
        SectionRole,   // "Pinned", "Today", "Yesterday", "Previous 7 days", "Older"
    };
    Q_ENUM(Role)

    ConversationListModel(ChatService *chat, Actor actor, std::shared_ptr<const Clock> clock, QObject *parent = nullptr);

    /// Reads the actor's conversations again (after signing in, or when the day changes).
    Result<void> reload();

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// The row of a conversation, or -1.
    [[nodiscard]] int rowOf(qint64 conversationId) const;
    [[nodiscard]] const ConversationRecord &at(int row) const { return m_rows.at(row); }

    /// The section a conversation belongs in, `nowMs` being the present.
    [[nodiscard]] static QString sectionOf(const ConversationRecord &conversation, qint64 nowMs);

private:
    void upsert(const ConversationRecord &conversation);
    void remove(qint64 conversationId);
    /// Where a conversation goes so that the order holds (pinned first, newest first, then by id).
    [[nodiscard]] int insertionRow(const ConversationRecord &conversation) const;

    ChatService *m_chat;
    Actor m_actor;
    std::shared_ptr<const Clock> m_clock;
    QList<ConversationRecord> m_rows;
};

} // namespace heliodesk
