#pragma once

// Draws one conversation in the sidebar: its title, its agent and, above the first conversation of
// each section, the section's name (Pinned, Today, Yesterday, Previous 7 days, Older).

#include <QHash>
#include <QStyledItemDelegate>

namespace heliodesk {

class ConversationListDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit ConversationListDelegate(QObject *parent = nullptr);

    /// Agent names by id, shown under each title.
    void setAgentNames(const QHash<QString, QString> &names);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// True when the row starts a section (and so has its header above it).
    [[nodiscard]] static bool startsSection(const QModelIndex &index);

private:
    [[nodiscard]] int headerHeight(const QStyleOptionViewItem &option) const;

    QHash<QString, QString> m_agentNames;
};

} // namespace heliodesk
