#include "migrations.h"

#include "sql.h"
#include "transaction.h"

#include <QDateTime>
#include <QLoggingCategory>

namespace heliodesk {

Q_LOGGING_CATEGORY(lcMigrations, "heliodesk.migrations", QtInfoMsg)

namespace {

std::vector<Migration> buildMigrations()
{
    std::vector<Migration> list;
    list.push_back(Migration{1, QStringLiteral("initial schema"), {
        QStringLiteral(R"(CREATE TABLE agents (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            system_prompt TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            sort_order INTEGER NOT NULL DEFAULT 0))"),
        QStringLiteral(R"(CREATE TABLE plans (
            id {{ID}},
            name TEXT NOT NULL UNIQUE,
            monthly_limit INTEGER CHECK (monthly_limit IS NULL OR monthly_limit >= 0),
            is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
            created_at {{BIGINT}} NOT NULL))"),
        QStringLiteral(R"(CREATE TABLE plan_agents (
            plan_id {{BIGINT}} NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            PRIMARY KEY (plan_id, agent_id)))"),
        QStringLiteral(R"(CREATE TABLE users (
            id {{ID}},
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('admin', 'analyst')),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
            plan_id {{BIGINT}} NOT NULL REFERENCES plans(id),
            password_hash TEXT NOT NULL,
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until {{BIGINT}},
            quota_mode TEXT NOT NULL DEFAULT 'plan' CHECK (quota_mode IN ('plan', 'limit', 'unlimited')),
            quota_limit INTEGER CHECK (quota_limit IS NULL OR quota_limit >= 0),
            quota_used INTEGER NOT NULL DEFAULT 0 CHECK (quota_used >= 0),
            quota_period TEXT NOT NULL DEFAULT '',
            created_at {{BIGINT}} NOT NULL,
            last_sign_in_at {{BIGINT}},
            password_changed_at {{BIGINT}} NOT NULL,
            CHECK (quota_mode <> 'limit' OR quota_limit IS NOT NULL)))"),
        QStringLiteral(R"(CREATE TABLE hired_agents (
            user_id {{BIGINT}} NOT NULL REFERENCES users(id),
            agent_id TEXT NOT NULL REFERENCES agents(id),
            hired_at {{BIGINT}} NOT NULL,
            PRIMARY KEY (user_id, agent_id)))"),
        QStringLiteral(R"(CREATE TABLE conversations (
            id {{ID}},
            user_id {{BIGINT}} NOT NULL REFERENCES users(id),
            agent_id TEXT NOT NULL REFERENCES agents(id),
            title TEXT NOT NULL DEFAULT '',
            pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
            created_at {{BIGINT}} NOT NULL,
            updated_at {{BIGINT}} NOT NULL))"),
        QStringLiteral("CREATE INDEX conversations_by_user ON conversations (user_id, updated_at)"),
        QStringLiteral(R"(CREATE TABLE usage_events (
            id {{ID}},
            user_id {{BIGINT}} NOT NULL REFERENCES users(id),
            agent_id TEXT NOT NULL,
            conversation_id {{BIGINT}} REFERENCES conversations(id) ON DELETE SET NULL,
            period TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT 'reserved' CHECK (outcome IN ('reserved', 'complete', 'failed', 'cancelled')),
            error TEXT,
            created_at {{BIGINT}} NOT NULL,
            finished_at {{BIGINT}}))"),
        QStringLiteral("CREATE INDEX usage_events_by_user ON usage_events (user_id, period)"),
        QStringLiteral("CREATE INDEX usage_events_by_time ON usage_events (created_at)"),
        QStringLiteral("CREATE INDEX usage_events_by_conversation ON usage_events (conversation_id)"),
        QStringLiteral(R"(CREATE TABLE messages (
            id {{ID}},
            conversation_id {{BIGINT}} NOT NULL REFERENCES conversations(id),
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
            content TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'complete'
                CHECK (status IN ('streaming', 'complete', 'cancelled', 'failed', 'interrupted')),
            error TEXT,
            sources TEXT,
            usage_event_id {{BIGINT}} REFERENCES usage_events(id),
            created_at {{BIGINT}} NOT NULL,
            updated_at {{BIGINT}} NOT NULL))"),
        QStringLiteral("CREATE INDEX messages_by_conversation ON messages (conversation_id, id)"),
        QStringLiteral("CREATE INDEX messages_by_usage_event ON messages (usage_event_id)"),
        QStringLiteral(R"(CREATE TABLE feedback (
            id {{ID}},
            user_id {{BIGINT}} NOT NULL REFERENCES users(id),
            message_id {{BIGINT}} NOT NULL REFERENCES messages(id),
            rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
            comment TEXT NOT NULL DEFAULT '',
            created_at {{BIGINT}} NOT NULL,
            UNIQUE (user_id, message_id)))"),
        QStringLiteral("CREATE INDEX feedback_by_message ON feedback (message_id)"),
        QStringLiteral(R"(CREATE TABLE survey_responses (
            id {{ID}},
            user_id {{BIGINT}} NOT NULL REFERENCES users(id),
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            comment TEXT NOT NULL DEFAULT '',
            created_at {{BIGINT}} NOT NULL))"),
        QStringLiteral("CREATE INDEX survey_responses_by_user ON survey_responses (user_id)"),
        // The audit log names people by text, not by foreign key, so its entries outlive the users they mention.
        QStringLiteral(R"(CREATE TABLE audit_log (
            id {{ID}},
            created_at {{BIGINT}} NOT NULL,
            actor_id {{BIGINT}},
            actor_name TEXT NOT NULL,
            action TEXT NOT NULL,
            target_type TEXT NOT NULL DEFAULT '',
            target_id TEXT,
            target_name TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL DEFAULT '{}'))"),
        QStringLiteral("CREATE INDEX audit_log_by_time ON audit_log (created_at)"),
        QStringLiteral(R"(INSERT INTO agents (id, name, description, sort_order) VALUES
            ('news', 'News', 'Energy-sector news, policy and regulation, summarised with sources.', 1),
            ('om', 'O&M', 'Operations and maintenance of solar plants: faults, inspections, performance.', 2),
            ('market', 'Market Intelligence', 'Power prices, PPAs, auctions, supply chain and competitors.', 3),
            ('digitalization', 'Digitalization', 'SCADA, monitoring platforms, data pipelines and analytics for plants.', 4))"),
        QStringLiteral(R"(INSERT INTO plans (name, monthly_limit, is_default, created_at) VALUES
            ('Standard', 300, 1, {{NOW_MS}}),
            ('Unlimited', NULL, 0, {{NOW_MS}}))"),
        QStringLiteral("INSERT INTO plan_agents (plan_id, agent_id) SELECT p.id, a.id FROM plans p CROSS JOIN agents a"),
    }});
    // Reference documents each agent answers from offline. content_hash (SHA-256 of the text) is
    // unique per agent, so importing the same text twice changes nothing.
    //
    // Full-text search on SQLite: an FTS5 *external-content* table over kb_documents, kept in step by
    // triggers. External content keeps one copy of the text (FTS5 stores only its index), snippet()
    // and highlight() still work because FTS5 reads the text back from kb_documents, and triggers in
    // the schema keep the index right for every writer (the app, heliodeskctl, a hand-written DELETE)
    // inside the writer's own transaction. A contentless table kept in sync by our code would miss
    // writes that bypass it and cannot produce snippets. PostgreSQL gets an expression GIN index
    // with the same meaning (English stemming) instead; storage/knowledgestore.cpp queries each.
    list.push_back(Migration{2, QStringLiteral("knowledge base"), {
        QStringLiteral(R"(CREATE TABLE kb_documents (
            id {{ID}},
            agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            content TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            imported_at {{BIGINT}} NOT NULL,
            UNIQUE (agent_id, content_hash)))"),
        QStringLiteral("CREATE INDEX kb_documents_by_import ON kb_documents (agent_id, imported_at)"),
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE VIRTUAL TABLE kb_fts USING fts5(
            title, content,
            content = 'kb_documents', content_rowid = 'id',
            tokenize = 'porter unicode61 remove_diacritics 2'))"),
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE TRIGGER kb_documents_fts_insert AFTER INSERT ON kb_documents BEGIN
            INSERT INTO kb_fts (rowid, title, content) VALUES (new.id, new.title, new.content);
            END)"),
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE TRIGGER kb_documents_fts_delete AFTER DELETE ON kb_documents BEGIN
            INSERT INTO kb_fts (kb_fts, rowid, title, content) VALUES ('delete', old.id, old.title, old.content);
            END)"),
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE TRIGGER kb_documents_fts_update AFTER UPDATE ON kb_documents BEGIN
            INSERT INTO kb_fts (kb_fts, rowid, title, content) VALUES ('delete', old.id, old.title, old.content);
            INSERT INTO kb_fts (rowid, title, content) VALUES (new.id, new.title, new.content);
            END)"),
        QStringLiteral(R"({{POSTGRES_ONLY}}CREATE INDEX kb_documents_search ON kb_documents
            USING GIN (to_tsvector('english', title || ' ' || content)))"),
    }});
    // Facts about the database itself, e.g. which compiled-in agents and starter knowledge it was
    // set up with, so that a start-up with nothing new to add skips that work.
    list.push_back(Migration{3, QStringLiteral("faster start-up"), {
        QStringLiteral(R"(CREATE TABLE app_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at {{BIGINT}} NOT NULL))"),
        // Every start looks for answers a crash left streaming: few rows, found without a scan.
        QStringLiteral("CREATE INDEX messages_streaming ON messages (updated_at) WHERE status = 'streaming'"),
    }});
    // Searching one's own conversations, and when to ask for the survey.
    //
    // messages_fts indexes messages the same way kb_fts indexes documents (external content, kept
    // by triggers in every writer's transaction), with one difference: an answer is indexed only
    // once it stops streaming. A streaming answer is rewritten four times a second; re-indexing it
    // each time would cost more than the answer, and nobody searches for text still arriving. The
    // triggers therefore index exactly the rows whose status is not 'streaming', so an FTS5
    // 'delete' is only ever issued for a row that was indexed with those very values.
    //
    // users.survey_prompted_at: the number of finished answers at which the user was last asked
    // for the survey (answered or dismissed), so the next prompt waits for the next milestone.
    list.push_back(Migration{4, QStringLiteral("message search and survey prompts"), {
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE VIRTUAL TABLE messages_fts USING fts5(
            content,
            content = 'messages', content_rowid = 'id',
            tokenize = 'porter unicode61 remove_diacritics 2'))"),
        QStringLiteral(R"({{SQLITE_ONLY}}INSERT INTO messages_fts (rowid, content)
            SELECT id, content FROM messages WHERE status <> 'streaming')"),
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
            WHEN new.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
            END)"),
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
            WHEN old.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
            END)"),
        // One trigger for both halves of an update: SQLite runs separate triggers in the reverse
        // order of their creation, and adding the new text before removing the old corrupts the index.
        QStringLiteral(R"({{SQLITE_ONLY}}CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, status ON messages
            WHEN old.status <> 'streaming' OR new.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content)
                SELECT 'delete', old.id, old.content WHERE old.status <> 'streaming';
            INSERT INTO messages_fts (rowid, content) SELECT new.id, new.content WHERE new.status <> 'streaming';
            END)"),
        QStringLiteral(R"({{POSTGRES_ONLY}}CREATE INDEX messages_search ON messages
            USING GIN (to_tsvector('english', content)) WHERE status <> 'streaming')"),
        QStringLiteral("ALTER TABLE users ADD COLUMN survey_prompted_at INTEGER NOT NULL DEFAULT 0"),
    }});
    return list;
}

} // namespace

const std::vector<Migration> &schemaMigrations()
{
    static const std::vector<Migration> migrations = buildMigrations();
    return migrations;
}

int latestSchemaVersion()
{
    return schemaMigrations().back().version;
}

// Besides the column-type tokens, a statement may start with {{SQLITE_ONLY}} or {{POSTGRES_ONLY}}:
// for the other dialect it translates to an empty string, which migrateSchema() skips. That keeps
// features one engine lacks (FTS5 virtual tables, GIN indexes) inside the same numbered migration.
QString translateDialect(const QString &statement, Database::Dialect dialect)
{
    static const QString sqliteOnly = QStringLiteral("{{SQLITE_ONLY}}");
    static const QString postgresOnly = QStringLiteral("{{POSTGRES_ONLY}}");
    if (statement.startsWith(sqliteOnly))
        return dialect == Database::Dialect::Sqlite ? translateDialect(statement.mid(sqliteOnly.size()), dialect) : QString();
    if (statement.startsWith(postgresOnly))
        return dialect == Database::Dialect::PostgreSql ? translateDialect(statement.mid(postgresOnly.size()), dialect) : QString();

    QString sql = statement;
    if (dialect == Database::Dialect::Sqlite) {
        sql.replace(QStringLiteral("{{ID}}"), QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT"));
        sql.replace(QStringLiteral("{{BIGINT}}"), QStringLiteral("INTEGER"));
        sql.replace(QStringLiteral("{{NOW_MS}}"), QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"));
    } else {
        sql.replace(QStringLiteral("{{ID}}"), QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
        sql.replace(QStringLiteral("{{BIGINT}}"), QStringLiteral("BIGINT"));
        sql.replace(QStringLiteral("{{NOW_MS}}"), QStringLiteral("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"));
    }
    return sql;
}

Result<int> schemaVersion(const QSqlDatabase &db)
{
    const QString lookup = db.driverName() == u"QSQLITE"
        ? QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        : QStringLiteral("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'");
    auto hasTable = scalar(db, lookup);
    if (!hasTable)
        return Unexpected(hasTable.error());
    if (hasTable->toInt() == 0)
        return 0;
    auto version = scalar(db, QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    if (!version)
        return Unexpected(version.error());
    return version->toInt();
}

namespace {

/// Makes migrations of one database take turns. SQLite's BEGIN IMMEDIATE does that by itself;
/// PostgreSQL's Read Committed transactions would each create the same tables at once, so there a
/// transaction-scoped advisory lock per schema serialises them: the desktops that start the new
/// version together wait for the first, then read the version it left (bounded by lock_timeout,
/// as SQLite's wait is by the busy timeout).
Result<void> takeMigrationTurn(const QSqlDatabase &db, Database::Dialect dialect)
{
    if (dialect != Database::Dialect::PostgreSql)
        return {};
    auto locked =
        execSql(db, QStringLiteral("SELECT pg_advisory_xact_lock(hashtext('heliodesk.migrations:' || current_schema()))"));
    if (!locked)
        return Unexpected(locked.error());
    return {};
}

Error tooNew(int found, int known)
{
    return Error(ErrorCode::DatabaseTooNew,
                 QStringLiteral("This database was written by a newer version of Heliodesk (schema %1; this program knows up to %2). "
                                "Update Heliodesk to open it.")
                     .arg(found)
                     .arg(known));
}

} // namespace

Result<void> checkSchemaNotNewer(const QSqlDatabase &db, int latestKnown)
{
    auto version = schemaVersion(db);
    if (!version)
        return Unexpected(version.error());
    if (*version > latestKnown)
        return Unexpected(tooNew(*version, latestKnown));
    return {};
}

Result<void> migrateSchema(const QSqlDatabase &db, Database::Dialect dialect, std::span<const Migration> migrations)
{
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    auto current = schemaVersion(db);
    if (!current)
        return Unexpected(current.error());
    if (*current > latest)
        return Unexpected(tooNew(*current, latest));
    if (*current == latest)
        return {};

    {
        auto txn = Transaction::begin(db);
        if (!txn)
            return Unexpected(txn.error());
        if (auto turn = takeMigrationTurn(db, dialect); !turn)
            return turn;
        auto created = execSql(db, translateDialect(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                                                   "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                                                   "applied_at {{BIGINT}} NOT NULL)"),
                                                    dialect));
        if (!created)
            return Unexpected(created.error());
        if (auto committed = txn->commit(); !committed)
            return committed;
    }

    for (const Migration &migration : migrations) {
        // Re-read the version inside each write transaction: another process may be migrating too.
        auto txn = Transaction::begin(db);
        if (!txn)
            return Unexpected(txn.error());
        if (auto turn = takeMigrationTurn(db, dialect); !turn)
            return turn;
        auto version = schemaVersion(db);
        if (!version)
            return Unexpected(version.error());
        if (*version > latest)
            return Unexpected(tooNew(*version, latest));
        if (migration.version <= *version)
            continue;
        for (const QString &statement : migration.statements) {
            const QString sql = translateDialect(statement, dialect);
            if (sql.isEmpty())
                continue; // a statement for the other dialect
            auto done = execSql(db, sql);
            if (!done)
                return Unexpected(done.error().withContext(
                    QStringLiteral("Updating the database to schema %1 (%2) failed").arg(migration.version).arg(migration.name)));
        }
        auto recorded = execSql(db, QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
                                {migration.version, migration.name, QDateTime::currentMSecsSinceEpoch()});
        if (!recorded)
            return Unexpected(recorded.error());
        if (auto committed = txn->commit(); !committed)
            return committed;
        qCInfo(lcMigrations) << "database schema updated to version" << migration.version << migration.name;
    }

    return {};
}

} // namespace heliodesk
