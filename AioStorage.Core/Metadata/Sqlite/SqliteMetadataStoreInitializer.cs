using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

/// <summary>
/// Switches the database to WAL and brings its schema to the latest version. The api and every worker run this at
/// start-up against the same file: the migrations run inside one BEGIN IMMEDIATE transaction, so the first process
/// applies them and the others wait for its lock, then find nothing left to do.
/// </summary>
internal sealed class SqliteMetadataStoreInitializer(SqliteConnectionFactory connections, TimeProvider time) : IMetadataStoreInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await EnableWriteAheadLogAsync(connection, cancellationToken);

        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER NOT NULL PRIMARY KEY,
                    description TEXT NOT NULL,
                    applied_at INTEGER NOT NULL
                ) STRICT;
                """;
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        long current;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT ifnull(max(version), 0) FROM schema_version;";
            current = (long)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        if (current > SqliteSchema.LatestVersion)
        {
            throw new InvalidOperationException(
                $"The metadata database at {connections.Path} has schema version {current}, newer than the {SqliteSchema.LatestVersion} " +
                "this build knows. Run a build at least as new as the one that last opened it.");
        }

        foreach (var (version, description, sql) in SqliteSchema.Migrations.Where(m => m.Version > current))
        {
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = sql;
            await migrate.ExecuteNonQueryAsync(cancellationToken);

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @at);";
            record.Parameters.AddValue("@version", version);
            record.Parameters.AddValue("@description", description);
            record.Parameters.AddValue("@at", SqliteValues.ToUnixMs(time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// WAL lets readers go on while one process writes, which the api and the workers need. The mode is stored in the
    /// file, so this changes something only the first time.
    /// </summary>
    private async Task EnableWriteAheadLogAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The metadata database at {connections.Path} could not switch to WAL (journal mode is '{mode}'); " +
                "it must be on a local file system that supports shared memory.");
        }
    }
}
