using System.Diagnostics;
using AioStorage.Core.Metadata;
using AioStorage.Core.Metadata.Sqlite;
using AioStorage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AioStorage.Tests.Metadata;

/// <summary>The whole contract on SQLite, plus what only the embedded database has: its schema and several processes on one file.</summary>
public sealed class SqliteMetadataStoreTests(SqliteStoreFixture fixture) : MetadataStoreContract(fixture), IClassFixture<SqliteStoreFixture>
{
    private readonly SqliteStoreFixture _sqlite = fixture;

    [Fact]
    public async Task The_schema_is_at_the_latest_version_and_the_file_in_wal_mode()
    {
        await using var connection = await OpenRawAsync(_sqlite.Database);

        Assert.Equal("wal", await ScalarAsync<string>(connection, "PRAGMA journal_mode;"));
        Assert.Equal(
            string.Join(',', SqliteSchema.Migrations.Select(m => m.Version)),
            await ScalarAsync<string>(connection, "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version);"));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT count(*) FROM sqlite_schema WHERE name = 'ux_nodes_live_name';"));
    }

    [Fact]
    public async Task A_database_left_at_the_first_version_is_migrated_and_keeps_its_data()
    {
        var database = _sqlite.NewDatabase();
        var owner = NewId();
        var trashed = NewFile(owner, null, "kept.txt");
        await using (var connection = await OpenRawAsync(database))
        {
            var (version, description, sql) = SqliteSchema.Migrations[0];
            await ScalarAsync<long>(connection, $"""
                CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;
                {sql}
                INSERT INTO schema_version VALUES ({version}, '{description}', 0);
                INSERT INTO nodes (id, owner_id, parent_id, type, name, name_key, created_at, updated_at, deleted_at, trash_id, size, mime_type, sha256, status)
                VALUES ('{trashed.Id}', '{owner}', NULL, 'file', 'kept.txt', 'KEPT.TXT', 0, 0, 5000, '{trashed.Id}', 1, 'text/plain', '{trashed.Sha256}', 'Processing');
                SELECT count(*) FROM schema_version;
                """);
        }

        var stores = _sqlite.Open(database);
        await stores.Initializer.InitializeAsync(Ct);

        var listed = Assert.Single((await stores.Nodes.ListTrashAsync(owner, 0, 10, Ct)).Items);
        Assert.Equal(trashed.Id, listed.Id);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(5), listed.DeletedAt);
        await stores.Outbox.AddAsync(new OutboxMessageRecord(NewId(), "q", "t", "{}", new Dictionary<string, string>(), T0, 0, T0, null, null), Ct);
        Assert.Equal(1, await stores.Outbox.CountPendingAsync(Ct));
        await using (var connection = await OpenRawAsync(database))
        {
            Assert.Equal(SqliteSchema.LatestVersion, await ScalarAsync<long>(connection, "SELECT max(version) FROM schema_version;"));
        }
    }

    [Fact]
    public async Task A_database_left_by_a_newer_build_is_refused()
    {
        var database = _sqlite.NewDatabase();
        var stores = _sqlite.Open(database);
        await stores.Initializer.InitializeAsync(Ct);
        await using (var connection = await OpenRawAsync(database))
        {
            await ScalarAsync<long>(connection, $"INSERT INTO schema_version VALUES ({SqliteSchema.LatestVersion + 1}, 'from the future', 0) RETURNING version;");
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => stores.Initializer.InitializeAsync(Ct));

        Assert.Contains("newer", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writers_on_separate_connections_at_once_all_succeed_with_exact_totals()
    {
        var database = _sqlite.NewDatabase();
        var api = _sqlite.Open(database);
        var worker = _sqlite.Open(database);
        await api.Initializer.InitializeAsync(Ct);
        var user = NewUser(quota: 1_000_000);
        await api.Users.CreateAsync(user, Ct);
        var folder = NewFolder(user.Id, null, "Busy");
        await api.Nodes.CreateAsync(folder, Ct);

        await InParallel(16, async writer =>
        {
            var stores = writer % 2 == 0 ? api : worker;
            for (var i = 0; i < 25; i++)
            {
                await stores.Nodes.CreateAsync(NewFile(user.Id, folder.Id, $"w{writer}-{i}.txt"), Ct);
                Assert.True(await stores.Users.TryReserveStorageAsync(user.Id, 1, T(1), Ct));
                await stores.Audit.AppendAsync(new(NewId(), user.Id, "file.upload", null, new Dictionary<string, string>(), null, null, T(i)), Ct);
                await stores.Nodes.ListChildrenAsync(user.Id, folder.Id, new(0, 5), Ct);
            }
        });

        Assert.Equal(400, (await worker.Nodes.ListChildrenAsync(user.Id, folder.Id, new(0, 1), Ct)).Total);
        Assert.Equal(400, (await worker.Users.GetByIdAsync(user.Id, Ct))!.StorageUsed);
        Assert.Equal(400, (await api.Audit.ListAsync(user.Id, 0, 1, Ct)).Total);
    }

    [Fact]
    public async Task A_write_waits_for_another_process_holding_the_write_lock_instead_of_failing()
    {
        var database = _sqlite.NewDatabase();
        var stores = _sqlite.Open(database);
        await stores.Initializer.InitializeAsync(Ct);
        var user = NewUser(quota: 100);
        await stores.Users.CreateAsync(user, Ct);

        await using var holder = PythonSqlite.Start(
            """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE users SET storage_used = storage_used + 10 WHERE id = ?", (sys.argv[2],))
            print("LOCKED", flush=True)
            time.sleep(1.5)
            db.execute("COMMIT")
            print("DONE", flush=True)
            """,
            _sqlite.PathOf(database), user.Id);
        await holder.WaitForLineAsync("LOCKED");

        // The other process holds the write lock from before LOCKED until its commit: this write either waits for it
        // or fails with SQLITE_BUSY, and it can only fit exactly by seeing the 10 bytes the other process committed.
        var reserved = await stores.Users.TryReserveStorageAsync(user.Id, 90, T(1), Ct);

        Assert.True(reserved, "the reservation should see the other process's 10 bytes and still fit exactly");
        Assert.Equal(0, await holder.WaitForExitAsync());
        Assert.Equal(100, (await stores.Users.GetByIdAsync(user.Id, Ct))!.StorageUsed);
        Assert.False(await stores.Users.TryReserveStorageAsync(user.Id, 1, T(2), Ct));
    }

    [Fact]
    public async Task Another_process_writing_at_the_same_time_loses_nothing_and_fails_nothing()
    {
        var database = _sqlite.NewDatabase();
        var stores = _sqlite.Open(database);
        await stores.Initializer.InitializeAsync(Ct);
        var user = NewUser(quota: 1_000_000);
        await stores.Users.CreateAsync(user, Ct);

        await using var other = PythonSqlite.Start(
            """
            import sqlite3, sys, uuid
            db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
            print("STARTED", flush=True)
            for i in range(200):
                db.execute("BEGIN IMMEDIATE")
                db.execute("UPDATE users SET storage_used = storage_used + 1 WHERE id = ?", (sys.argv[2],))
                db.execute("INSERT INTO audit_events (id, user_id, action, details, created_at) VALUES (?, ?, 'other.process', '{}', 0)",
                           (uuid.uuid4().hex, sys.argv[2]))
                db.execute("COMMIT")
            print("DONE", flush=True)
            """,
            _sqlite.PathOf(database), user.Id);
        await other.WaitForLineAsync("STARTED");

        await InParallel(8, async writer =>
        {
            for (var i = 0; i < 25; i++)
            {
                Assert.True(await stores.Users.TryReserveStorageAsync(user.Id, 1, T(1), Ct));
                await stores.Audit.AppendAsync(new(NewId(), user.Id, "this.process", null, new Dictionary<string, string>(), null, null, T(i)), Ct);
            }
        });

        Assert.Equal(0, await other.WaitForExitAsync());
        Assert.Equal(400, (await stores.Users.GetByIdAsync(user.Id, Ct))!.StorageUsed);
        Assert.Equal(400, (await stores.Audit.ListAsync(user.Id, 0, 1, Ct)).Total);
    }

    private async Task<SqliteConnection> OpenRawAsync(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _sqlite.PathOf(database), Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        return connection;
    }

    private async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>A Python script on the database in its own process, with SQLite's own locking between it and us.</summary>
    private sealed class PythonSqlite : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _stderr = new();

        private PythonSqlite(Process process) => _process = process;

        public static PythonSqlite Start(string script, params string[] arguments)
        {
            var start = new ProcessStartInfo(MongoEmulator.DebianPython)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var python = new PythonSqlite(new Process { StartInfo = start });
            python._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (python._lines)
                    {
                        python._lines.Add(e.Data);
                    }
                }
            };
            python._process.ErrorDataReceived += (_, e) =>
            {
                lock (python._stderr)
                {
                    python._stderr.AppendLine(e.Data);
                }
            };
            python._process.Start();
            python._process.BeginOutputReadLine();
            python._process.BeginErrorReadLine();
            return python;
        }

        public async Task WaitForLineAsync(string line)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                lock (_lines)
                {
                    if (_lines.Contains(line))
                    {
                        return;
                    }
                }

                if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
                {
                    throw new InvalidOperationException($"the Python process did not print {line}: {Errors}");
                }

                await Task.Delay(10);
            }
        }

        public async Task<int> WaitForExitAsync()
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(_process.ExitCode == 0, $"the Python process failed: {Errors}");
            return _process.ExitCode;
        }

        private string Errors
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
