using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

internal sealed class SqliteFileVersionStore(SqliteConnectionFactory connections) : IFileVersionStore
{
    private const string Columns = "id, file_id, owner_id, sha256, size, mime_type, created_at";

    public async Task AddAsync(FileVersionRecord version, CancellationToken cancellationToken)
    {
        try
        {
            await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    INSERT INTO file_versions ({Columns})
                    VALUES (@id, @fileId, @ownerId, @sha256, @size, @mimeType, @createdAt);
                    """;
                command.Parameters.AddValue("@id", version.Id);
                command.Parameters.AddValue("@fileId", version.FileId);
                command.Parameters.AddValue("@ownerId", version.OwnerId);
                command.Parameters.AddValue("@sha256", version.Sha256);
                command.Parameters.AddValue("@size", version.Size);
                command.Parameters.AddValue("@mimeType", version.MimeType);
                command.Parameters.AddValue("@createdAt", SqliteValues.ToUnixMs(version.CreatedAt));
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex) is { } conflict)
        {
            throw conflict;
        }
    }

    public Task<IReadOnlyList<FileVersionRecord>> ListAsync(string ownerId, string fileId, CancellationToken cancellationToken) =>
        connections.ReadAsync<IReadOnlyList<FileVersionRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {Columns} FROM file_versions WHERE owner_id = @ownerId AND file_id = @fileId
                ORDER BY created_at DESC, id DESC;
                """;
            command.Parameters.AddValue("@ownerId", ownerId);
            command.Parameters.AddValue("@fileId", fileId);
            var versions = new List<FileVersionRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(Read(reader));
            }

            return versions;
        }, cancellationToken);

    public Task<FileVersionRecord?> GetAsync(string ownerId, string versionId, CancellationToken cancellationToken) =>
        connections.ReadAsync((connection, transaction) =>
            OneAsync(connection, transaction, $"SELECT {Columns} FROM file_versions WHERE id = @id AND owner_id = @ownerId;", ownerId, versionId, cancellationToken),
            cancellationToken);

    public Task<FileVersionRecord?> DeleteAsync(string ownerId, string versionId, CancellationToken cancellationToken) =>
        connections.WriteAsync((connection, transaction) =>
            OneAsync(connection, transaction, $"DELETE FROM file_versions WHERE id = @id AND owner_id = @ownerId RETURNING {Columns};", ownerId, versionId, cancellationToken),
            cancellationToken);

    private static async Task<FileVersionRecord?> OneAsync(SqliteConnection connection, SqliteTransaction transaction, string sql,
        string ownerId, string versionId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddValue("@id", versionId);
        command.Parameters.AddValue("@ownerId", ownerId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static FileVersionRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt64(4),
        reader.GetString(5),
        reader.GetTime(6));
}
