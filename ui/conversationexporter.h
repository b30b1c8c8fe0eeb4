#pragma once

// Saves one conversation as a file the user chooses: Markdown to read, or JSON with every field.
// The file dialog does not block; the file is written atomically (QSaveFile), so a failure leaves
// no partial file and an older file of that name as it was. The static functions are the part
// without dialogs.

#include "model/actor.h"
#include "storage/error.h"

#include <QObject>
#include <QPointer>

class QFileDialog;
class QWidget;

namespace heliodesk {

class ChatService;

class ConversationExporter : public QObject
{
    Q_OBJECT

public:
    enum class Format { Markdown, Json };
    Q_ENUM(Format)

    /// Opens the save dialog for one of the actor's conversations, parented to `parent`, and
    /// returns at once. `agentName` is how the agent is named in the file (its id when empty).
    /// The exporter deletes itself after it finished (saved, failed or cancelled); connect to its
    /// signals to hear how it ended.
    static ConversationExporter *exportConversation(QWidget *parent, ChatService &chat, const Actor &actor,
                                                    qint64 conversationId, const QString &agentName = {});

    /// An exporter owned by `parent` (or the caller when null); open() starts it.
    ConversationExporter(QWidget *parent, ChatService &chat, Actor actor, qint64 conversationId, QString agentName = {});
    ~ConversationExporter() override;

    /// Shows the file dialog (non-blocking); the default name comes from the conversation's title,
    /// in the Documents folder.
    void open();
    /// The file dialog while it is open.
    [[nodiscard]] QFileDialog *fileDialog() const;

    /// A file name without folder or suffix, safe on Windows, macOS and Linux: no / \ : * ? " < > |
    /// or control characters, no leading or trailing dots and spaces, no reserved device name, at
    /// most 120 bytes in UTF-8. "Conversation" when nothing is left.
    static QString safeFileName(const QString &title);
    /// safeFileName() with the format's suffix (".md" or ".json").
    static QString fileNameFor(const QString &title, Format format);
    /// The format a chosen path asks for by its suffix, else `fallback`.
    static Format formatForPath(const QString &path, Format fallback);

    /// The file's bytes, for the conversation's owner only.
    static Result<QByteArray> build(ChatService &chat, const Actor &actor, qint64 conversationId, const QString &agentName,
                                    Format format);
    /// Writes `bytes` to `path` atomically: all of them, or nothing and any old file unchanged.
    static Result<void> writeFile(const QString &path, const QByteArray &bytes);
    /// build() then writeFile().
    static Result<void> exportTo(ChatService &chat, const Actor &actor, qint64 conversationId, const QString &agentName,
                                 Format format, const QString &path);

Q_SIGNALS:
    /// The conversation was saved in `path`.
    void exported(const QString &path);
    /// Saving failed; the sentence is also shown in a message box.
    void failed(const QString &message);
    /// After exported, failed, or the dialog was cancelled.
    void finished();

private:
    void save(const QString &path);
    void showError(const QString &message);
    void finish();

    QPointer<QWidget> m_parent;
    QPointer<ChatService> m_chat;
    Actor m_actor;
    qint64 m_conversationId = 0;
    QString m_agentName;
    QPointer<QFileDialog> m_dialog;
    bool m_finished = false;
};

} // namespace heliodesk
