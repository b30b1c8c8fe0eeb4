// Knowledge-base import: the bytes of a file an administrator imports, as Markdown, plain text
// or HTML (the input's first byte picks which), and the same text as a question searched for in
// the offline knowledge (full-text search on a real SQLite database with the starter set).
// A file is imported or refused with a sentence naming it; an imported document has text and a
// title; excerpts are one line; a search never fails, whatever the question.

#include "fuzzcheck.h"

#include "model/agents/agentsetup.h"
#include "model/agents/knowledgebase.h"
#include "storage/database.h"

#include <QCoreApplication>

#include <cstdlib>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <memory>

using namespace heliodesk;

namespace {

struct Fixture {
    QTemporaryDir dir;
    std::shared_ptr<Database> database;
    std::shared_ptr<KnowledgeBase> knowledge;
};

Fixture *fixture = nullptr;

void setUp()
{
    fixture = new Fixture; // lives as long as the process
    FUZZ_CHECK(fixture->dir.isValid(), QStringLiteral("no temporary folder"));
    auto database = Database::open(DatabaseLocation::sqliteFile(fixture->dir.filePath(QStringLiteral("knowledge.sqlite"))));
    FUZZ_CHECK(bool(database), database.error().toLogString());
    fixture->database = *database;
    auto setup = prepareAgents(fixture->database, std::make_shared<SystemClock>());
    FUZZ_CHECK(bool(setup), setup.error().toLogString());
    fixture->knowledge = setup->knowledge;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // Never destroyed: at exit, its clean-up would close SQL connections after Qt Sql's own
    // statics are gone.
    static auto *app = new QCoreApplication(*argc, *argv);
    Q_UNUSED(app)
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\n*.info=false\n*.warning=false"));
    setUp();
    // The database closes its connections while Qt Sql is still there: exit handlers run in the
    // reverse order of registration, and Qt Sql's were registered when the database opened.
    std::atexit([] {
        delete fixture;
        fixture = nullptr;
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArrayView input = fuzz::bytes(data, size);
    const quint8 choice = fuzz::takeByte(input);
    const QByteArray bytes = input.toByteArray();
    static const DocumentFormat formats[] = {DocumentFormat::Markdown, DocumentFormat::PlainText, DocumentFormat::Html};
    const DocumentFormat format = formats[choice % 3];
    const QString fileName = QStringLiteral("/imports/Substation notes.md");

    const Result<ParsedDocument> document = KnowledgeBase::parseDocument(bytes, format, fileName);
    if (!document) {
        FUZZ_CHECK(document.error().code() == ErrorCode::InvalidInput, document.error().toLogString());
        FUZZ_CHECK(document.error().message().contains(fileName), document.error().message());
    } else {
        FUZZ_CHECK(!document->content.trimmed().isEmpty(), QStringLiteral("a document without text"));
        FUZZ_CHECK(!document->title.isEmpty(), QStringLiteral("a document without a title"));
        FUZZ_CHECK(document->format == format, QString());
        FUZZ_CHECK(KnowledgeBase::contentHash(document->content).size() == 64, QString());
        const QString plain = KnowledgeBase::plainExcerpt(document->content);
        FUZZ_CHECK(!plain.contains(u'\n'), plain);
        const QString markdown = KnowledgeBase::markdownExcerpt(document->content);
        FUZZ_CHECK(!markdown.contains(u'\n'), markdown);
    }
    QString title;
    (void)KnowledgeBase::htmlToText(QString::fromUtf8(bytes), &title);

    // The same text as a question: the search must answer, with at most `limit` passages.
    const QString question = QString::fromUtf8(bytes.left(2000));
    const auto passages = fixture->knowledge->search(QStringLiteral("om"), question, 3);
    FUZZ_CHECK(bool(passages), passages.error().toLogString());
    FUZZ_CHECK(passages->size() <= 3, QString::number(passages->size()));
    for (const auto &passage : *passages) {
        FUZZ_CHECK(!KnowledgeBase::plainExcerpt(passage.snippet).contains(u'\n'), passage.snippet);
        (void)KnowledgeBase::markdownExcerpt(passage.snippet);
    }
    return 0;
}
