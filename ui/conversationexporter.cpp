#include "conversationexporter.h"

#include "model/chat/chatservice.h"
#include "model/chat/conversationexport.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextBoundaryFinder>

namespace heliodesk {

namespace {

constexpr qsizetype maxNameBytes = 120;

bool isForbiddenInFileName(QChar c)
{
    // Windows refuses these, '/' separates folders everywhere, ':' does on classic macOS paths.
    if (QStringView(u"/\\:*?\"<>|").contains(c))
        return true;
    if (c.isSpace())
        return true; // tabs, line breaks and exotic spaces become one plain space
    switch (c.category()) {
    case QChar::Other_Control: return true;
    // Invisible characters such as right-to-left overrides can disguise a file's real suffix.
    // The zero-width joiner stays: emoji sequences need it.
    case QChar::Other_Format: return c.unicode() != 0x200d;
    default: return false;
    }
}

void trimDotsAndSpaces(QString &name)
{
    qsizetype start = 0;
    while (start < name.size() && (name.at(start) == u'.' || name.at(start) == u' '))
        ++start;
    qsizetype end = name.size();
    while (end > start && (name.at(end - 1) == u'.' || name.at(end - 1) == u' '))
        --end;
    name = name.mid(start, end - start);
}

/// Cuts between user-perceived characters so that no accent or emoji is split.
void truncateToUtf8Bytes(QString &name, qsizetype maxBytes)
{
    if (name.toUtf8().size() <= maxBytes)
        return;
    QTextBoundaryFinder finder(QTextBoundaryFinder::Grapheme, name);
    qsizetype kept = 0;
    qsizetype bytes = 0;
    for (qsizetype next = finder.toNextBoundary(); next != -1; next = finder.toNextBoundary()) {
        bytes += QStringView(name).mid(kept, next - kept).toUtf8().size();
        if (bytes > maxBytes)
            break;
        kept = next;
    }
    name.truncate(kept);
}

bool isReservedOnWindows(const QString &stem)
{
    static const QStringList plain = {QStringLiteral("CON"), QStringLiteral("PRN"), QStringLiteral("AUX"), QStringLiteral("NUL")};
    const QString upper = stem.toUpper();
    if (plain.contains(upper))
        return true;
    return upper.size() == 4 && (upper.startsWith(u"COM") || upper.startsWith(u"LPT")) && upper.at(3) >= u'1'
        && upper.at(3) <= u'9';
}

QString suffixOf(ConversationExporter::Format format)
{
    return format == ConversationExporter::Format::Json ? QStringLiteral(".json") : QStringLiteral(".md");
}

QString markdownFilter()
{
    return ConversationExporter::tr("Markdown (*.md)");
}

QString jsonFilter()
{
    return ConversationExporter::tr("JSON with every field (*.json)");
}

QString defaultFolder()
{
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return !documents.isEmpty() && QFileInfo(documents).isDir() ? documents : QDir::homePath();
}

} // namespace

ConversationExporter *ConversationExporter::exportConversation(QWidget *parent, ChatService &chat, const Actor &actor,
                                                               qint64 conversationId, const QString &agentName)
{
    auto *exporter = new ConversationExporter(parent, chat, actor, conversationId, agentName);
    connect(exporter, &ConversationExporter::finished, exporter, &QObject::deleteLater);
    exporter->open();
    return exporter;
}

ConversationExporter::ConversationExporter(QWidget *parent, ChatService &chat, Actor actor, qint64 conversationId,
                                           QString agentName)
    : QObject(parent)
    , m_parent(parent)
    , m_chat(&chat)
    , m_actor(std::move(actor))
    , m_conversationId(conversationId)
    , m_agentName(std::move(agentName))
{
}

ConversationExporter::~ConversationExporter()
{
    if (m_dialog) {
        m_dialog->disconnect(this);
        m_dialog->close();
        m_dialog->deleteLater();
    }
}

QFileDialog *ConversationExporter::fileDialog() const
{
    return m_dialog;
}

QString ConversationExporter::safeFileName(const QString &title)
{
    QString name;
    name.reserve(title.size());
    for (const QChar c : title)
        name += isForbiddenInFileName(c) ? QChar(u' ') : c;
    name = name.simplified();
    trimDotsAndSpaces(name);
    truncateToUtf8Bytes(name, maxNameBytes);
    trimDotsAndSpaces(name);
    // "CON", "nul.txt", "COM1 backup" are fine; "CON" and "con.notes" are devices on Windows.
    const qsizetype stemLength = name.indexOf(u'.') < 0 ? name.size() : name.indexOf(u'.');
    if (isReservedOnWindows(name.left(stemLength)))
        name.insert(stemLength, u'_');
    return name.isEmpty() ? tr("Conversation") : name;
}

QString ConversationExporter::fileNameFor(const QString &title, Format format)
{
    return safeFileName(title) + suffixOf(format);
}

ConversationExporter::Format ConversationExporter::formatForPath(const QString &path, Format fallback)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"json")
        return Format::Json;
    if (suffix == u"md" || suffix == u"markdown")
        return Format::Markdown;
    return fallback;
}

Result<QByteArray> ConversationExporter::build(ChatService &chat, const Actor &actor, qint64 conversationId,
                                               const QString &agentName, Format format)
{
    auto conversation = chat.conversation(actor, conversationId);
    if (!conversation)
        return Unexpected(conversation.error());
    auto messages = chat.messages(actor, conversationId);
    if (!messages)
        return Unexpected(messages.error());
    ConversationExport data;
    data.conversation = *conversation;
    data.agentName = agentName.isEmpty() ? conversation->agentId : agentName;
    data.username = actor.name();
    data.messages = *messages;
    return format == Format::Json ? exportJson(data) : exportMarkdown(data);
}

Result<void> ConversationExporter::writeFile(const QString &path, const QByteArray &bytes)
{
    const QFileInfo info(path);
    const QString name = info.fileName();
    const QString folder = QDir::toNativeSeparators(info.absolutePath());
    if (info.isDir())
        return fail(ErrorCode::Io, tr("Could not save “%1”: there is a folder of that name in %2. Choose another name.").arg(name, folder));
    if (!QFileInfo(info.absolutePath()).isDir())
        return fail(ErrorCode::Io, tr("Could not save “%1”: the folder %2 does not exist. Choose another folder.").arg(name, folder));

    // QSaveFile writes a temporary file beside the target and renames it over the target only
    // when every byte is on disk: a failure leaves no partial file and an older file unchanged.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (!QFileInfo(info.absolutePath()).isWritable())
            return fail(ErrorCode::Io, tr("Could not save “%1”: you may not write in the folder %2. Choose another folder.").arg(name, folder),
                        file.errorString());
        return fail(ErrorCode::Io, tr("Could not save “%1” in %2 (%3). Choose another folder.").arg(name, folder, file.errorString()),
                    file.errorString());
    }
    if (file.write(bytes) == bytes.size() && file.commit())
        return {};
    const QString detail = file.errorString();
    const QFileDevice::FileError error = file.error();
    file.cancelWriting();
    if (error == QFileDevice::ResourceError)
        return fail(ErrorCode::DiskFull,
                    tr("Could not save “%1”: the disk is full. Nothing was saved; free some space or choose another drive.").arg(name),
                    detail);
    return fail(ErrorCode::Io, tr("Could not save “%1”: writing to the disk failed (%2). Nothing was saved; try another folder.").arg(name, detail),
                detail);
}

Result<void> ConversationExporter::exportTo(ChatService &chat, const Actor &actor, qint64 conversationId,
                                            const QString &agentName, Format format, const QString &path)
{
    auto bytes = build(chat, actor, conversationId, agentName, format);
    if (!bytes)
        return Unexpected(bytes.error());
    return writeFile(path, *bytes);
}

void ConversationExporter::open()
{
    if (!m_chat) {
        showError(tr("Could not export the conversation: the chat has closed."));
        return;
    }
    auto conversation = m_chat->conversation(m_actor, m_conversationId);
    if (!conversation) {
        showError(conversation.error().message());
        return;
    }
    const QString folder = defaultFolder();
    m_dialog = new QFileDialog(m_parent, tr("Export Conversation"), folder);
    m_dialog->setObjectName(QStringLiteral("exportFileDialog"));
    m_dialog->setAcceptMode(QFileDialog::AcceptSave);
    m_dialog->setFileMode(QFileDialog::AnyFile);
    m_dialog->setNameFilters({markdownFilter(), jsonFilter()});
    m_dialog->selectNameFilter(markdownFilter());
    m_dialog->setDefaultSuffix(QStringLiteral("md"));
    m_dialog->selectFile(QDir(folder).filePath(fileNameFor(conversation->title, Format::Markdown)));

    // Choosing the other format changes the suffix of the name typed so far.
    connect(m_dialog, &QFileDialog::filterSelected, this, [this](const QString &filter) {
        const Format format = filter == jsonFilter() ? Format::Json : Format::Markdown;
        m_dialog->setDefaultSuffix(format == Format::Json ? QStringLiteral("json") : QStringLiteral("md"));
        const QStringList files = m_dialog->selectedFiles();
        if (files.isEmpty())
            return;
        QString base = QFileInfo(files.first()).fileName();
        for (const QString &known : {QStringLiteral(".md"), QStringLiteral(".json")}) {
            if (base.endsWith(known, Qt::CaseInsensitive))
                base.chop(known.size());
        }
        if (!base.isEmpty())
            m_dialog->selectFile(base + suffixOf(format));
    });
    connect(m_dialog, &QFileDialog::fileSelected, this, &ConversationExporter::save);
    connect(m_dialog, &QDialog::finished, this, [this](int result) {
        m_dialog->deleteLater();
        if (result == QDialog::Rejected)
            finish();
    });
    m_dialog->open();
}

void ConversationExporter::save(const QString &path)
{
    if (!m_chat) {
        showError(tr("Could not export the conversation: the chat has closed."));
        return;
    }
    const Format fallback = m_dialog && m_dialog->selectedNameFilter() == jsonFilter() ? Format::Json : Format::Markdown;
    auto written = exportTo(*m_chat, m_actor, m_conversationId, m_agentName, formatForPath(path, fallback), path);
    if (!written) {
        showError(written.error().message());
        return;
    }
    Q_EMIT exported(path);
    finish();
}

void ConversationExporter::showError(const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Could Not Export"), message, QMessageBox::Ok, m_parent);
    box->setObjectName(QStringLiteral("exportErrorBox"));
    box->setAccessibleName(tr("Export failed"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    Q_EMIT failed(message);
    finish();
}

void ConversationExporter::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT finished();
}

} // namespace heliodesk
