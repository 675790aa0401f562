using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

/// <summary>Every change is one statement under the write lock, so no count is ever read and written back apart.</summary>
internal sealed class SqliteBlobReferenceStore(SqliteConnectionFactory connections) : IBlobReferenceStore
{
    private const string Columns = "sha256, size, reference_count, orphaned_at";

    public Task AddReferenceAsync(string sha256, long size, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO blobs (sha256, size, reference_count, orphaned_at, updated_at) VALUES (@sha256, @size, 1, NULL, @at)
                ON CONFLICT (sha256) DO UPDATE SET reference_count = reference_count + 1, orphaned_at = NULL, updated_at = @at;
                """;
            command.Parameters.AddValue("@sha256", sha256);
            command.Parameters.AddValue("@size", size);
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>SET expressions read the row as it was, so the CASE sees the count before this release.</summary>
    public Task<long> ReleaseReferenceAsync(string sha256, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE blobs SET reference_count = reference_count - 1,
                    orphaned_at = CASE WHEN reference_count = 1 THEN @at ELSE orphaned_at END,
                    updated_at = @at
                WHERE sha256 = @sha256 AND reference_count > 0
                RETURNING reference_count;
                """;
            command.Parameters.AddValue("@sha256", sha256);
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await command.ExecuteScalarAsync(cancellationToken) is long left ? left : 0L;
        }, cancellationToken);

    public Task<BlobRecord?> GetAsync(string sha256, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM blobs WHERE sha256 = @sha256;";
            command.Parameters.AddValue("@sha256", sha256);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<BlobRecord>> ListOrphansAsync(DateTimeOffset orphanedBefore, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync<IReadOnlyList<BlobRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {Columns} FROM blobs WHERE reference_count = 0 AND orphaned_at < @cutoff
                ORDER BY orphaned_at, sha256
                LIMIT @limit;
                """;
            command.Parameters.AddValue("@cutoff", SqliteValues.ToUnixMs(orphanedBefore));
            command.Parameters.AddValue("@limit", limit);
            var orphans = new List<BlobRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                orphans.Add(Read(reader));
            }

            return orphans;
        }, cancellationToken);
    }

    public async Task<bool> DeleteIfOrphanedAsync(string sha256, DateTimeOffset orphanedBefore, CancellationToken cancellationToken) =>
        await connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM blobs WHERE sha256 = @sha256 AND reference_count = 0 AND orphaned_at < @cutoff;";
            command.Parameters.AddValue("@sha256", sha256);
            command.Parameters.AddValue("@cutoff", SqliteValues.ToUnixMs(orphanedBefore));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken) == 1;

    private static BlobRecord Read(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetNullableTime(3));
}
