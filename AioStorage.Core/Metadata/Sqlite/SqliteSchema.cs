namespace AioStorage.Core.Metadata.Sqlite;

/// <summary>
/// The schema as ordered migrations. A migration, once released, never changes: a new need is a new version at the
/// end, so every database, whatever version it was left at, walks the same steps to the current one.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Migrations =
    [
        (1, "users, nodes, audit events", """
            CREATE TABLE users (
                id TEXT NOT NULL PRIMARY KEY,
                username TEXT NOT NULL,
                username_key TEXT NOT NULL,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                storage_used INTEGER NOT NULL CHECK (storage_used >= 0),
                storage_quota INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            ) STRICT;
            -- SQLite checks the most recently created unique index first: email last, so that a sign-up clashing on
            -- both is told about its email, as the MongoDB store does.
            CREATE UNIQUE INDEX ux_users_username_key ON users (username_key);
            CREATE UNIQUE INDEX ux_users_email_key ON users (email_key);

            CREATE TABLE nodes (
                id TEXT NOT NULL PRIMARY KEY,
                owner_id TEXT NOT NULL,
                parent_id TEXT,
                type TEXT NOT NULL CHECK (type IN ('folder', 'file')),
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                deleted_at INTEGER,
                trash_id TEXT,
                size INTEGER,
                mime_type TEXT,
                sha256 TEXT,
                status TEXT,
                status_reason TEXT,
                current_version_id TEXT,
                media TEXT
            ) STRICT;
            -- NULLs are distinct in a SQLite unique index, so the implicit root is indexed as ''.
            CREATE UNIQUE INDEX ux_nodes_live_name ON nodes (owner_id, ifnull(parent_id, ''), name_key) WHERE deleted_at IS NULL;
            CREATE INDEX ix_nodes_owner_parent ON nodes (owner_id, parent_id);
            CREATE INDEX ix_nodes_owner_deleted ON nodes (owner_id, deleted_at);
            CREATE INDEX ix_nodes_owner_trash ON nodes (owner_id, trash_id) WHERE trash_id IS NOT NULL;

            CREATE TABLE audit_events (
                id TEXT NOT NULL PRIMARY KEY,
                user_id TEXT NOT NULL,
                action TEXT NOT NULL,
                resource_id TEXT,
                details TEXT NOT NULL,
                ip_address TEXT,
                user_agent TEXT,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_audit_events_user_created ON audit_events (user_id, created_at DESC, id DESC);
            """),
        (2, "trash roots, file versions, blob references, upload sessions, outbox", """
            -- A trash root is a node whose trash_id is its own id: the trash lists them per owner newest first, and
            -- retention across owners oldest first. Queries repeat "trash_id = id" word for word so these apply.
            CREATE INDEX ix_nodes_owner_trash_roots ON nodes (owner_id, deleted_at DESC, id DESC) WHERE trash_id = id;
            CREATE INDEX ix_nodes_trash_roots_deleted ON nodes (deleted_at, id) WHERE trash_id = id;

            CREATE TABLE file_versions (
                id TEXT NOT NULL PRIMARY KEY,
                file_id TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                mime_type TEXT NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_file_versions_owner_file_created ON file_versions (owner_id, file_id, created_at DESC, id DESC);

            -- "references" is an SQL keyword, hence reference_count.
            CREATE TABLE blobs (
                sha256 TEXT NOT NULL PRIMARY KEY,
                size INTEGER NOT NULL,
                reference_count INTEGER NOT NULL CHECK (reference_count >= 0),
                orphaned_at INTEGER,
                updated_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_blobs_orphaned ON blobs (orphaned_at, sha256) WHERE reference_count = 0;

            -- "offset" is an SQL keyword, hence upload_offset (and upload_length to match).
            CREATE TABLE upload_sessions (
                id TEXT NOT NULL PRIMARY KEY,
                owner_id TEXT NOT NULL,
                folder_id TEXT,
                file_name TEXT NOT NULL,
                mime_type TEXT,
                upload_length INTEGER NOT NULL,
                upload_offset INTEGER NOT NULL,
                status TEXT NOT NULL,
                file_id TEXT,
                metadata TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_upload_sessions_status_expires ON upload_sessions (status, expires_at, id);
            CREATE INDEX ix_upload_sessions_status_updated ON upload_sessions (status, updated_at, id);

            CREATE TABLE outbox_messages (
                id TEXT NOT NULL PRIMARY KEY,
                queue TEXT NOT NULL,
                message_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                headers TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                sent_at INTEGER,
                last_error TEXT
            ) STRICT;
            -- Claims walk the unsent messages oldest first and read next_attempt_at from the index itself.
            CREATE INDEX ix_outbox_messages_pending ON outbox_messages (created_at, id, next_attempt_at) WHERE sent_at IS NULL;
            CREATE INDEX ix_outbox_messages_sent ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL;
            """),
        (3, "jobs", """
            CREATE TABLE jobs (
                id TEXT NOT NULL PRIMARY KEY,
                owner_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                progress REAL NOT NULL,
                parameters TEXT NOT NULL,
                result TEXT,
                error TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                expires_at INTEGER
            ) STRICT;
            -- The expiry cleaner walks a kind's jobs not yet marked expired by expiry, and later deletes the marked ones;
            -- the queries repeat the status conditions word for word so these partial indexes apply.
            CREATE INDEX ix_jobs_kind_expires_unmarked ON jobs (kind, expires_at, id) WHERE status <> 'Expired';
            CREATE INDEX ix_jobs_kind_expires_marked ON jobs (kind, expires_at) WHERE status = 'Expired';
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;
}
