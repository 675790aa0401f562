using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

internal sealed class SqliteUploadSessionStore(SqliteConnectionFactory connections) : IUploadSessionStore
{
    private const string Columns =
        "id, owner_id, folder_id, file_name, mime_type, upload_length, upload_offset, status, file_id, metadata, created_at, updated_at, expires_at";

    private static readonly string Active = nameof(UploadStatus.Active);

    public async Task CreateAsync(UploadSessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    INSERT INTO upload_sessions ({Columns})
                    VALUES (@id, @ownerId, @folderId, @fileName, @mimeType, @length, @offset, @status, @fileId, @metadata,
                            @createdAt, @updatedAt, @expiresAt);
                    """;
                var parameters = command.Parameters;
                parameters.AddValue("@id", session.Id);
                parameters.AddValue("@ownerId", session.OwnerId);
                parameters.AddValue("@folderId", session.FolderId);
                parameters.AddValue("@fileName", session.FileName);
                parameters.AddValue("@mimeType", session.MimeType);
                parameters.AddValue("@length", session.Length);
                parameters.AddValue("@offset", session.Offset);
                parameters.AddValue("@status", session.Status.ToString());
                parameters.AddValue("@fileId", session.FileId);
                parameters.AddValue("@metadata", SqliteValues.ToJson(session.Metadata));
                parameters.AddValue("@createdAt", SqliteValues.ToUnixMs(session.CreatedAt));
                parameters.AddValue("@updatedAt", SqliteValues.ToUnixMs(session.UpdatedAt));
                parameters.AddValue("@expiresAt", SqliteValues.ToUnixMs(session.ExpiresAt));
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex) is { } conflict)
        {
            throw conflict;
        }
    }

    public Task<UploadSessionRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM upload_sessions WHERE id = @id AND owner_id = @ownerId;";
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@ownerId", ownerId);
            return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
        }, cancellationToken);

    public Task<UploadSessionRecord?> AdvanceAsync(string id, long expectedOffset, long newOffset, DateTimeOffset expiresAt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(newOffset, expectedOffset);
        return connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                UPDATE upload_sessions SET upload_offset = @newOffset, expires_at = @expiresAt, updated_at = @at
                WHERE id = @id AND status = @active AND upload_offset = @expectedOffset
                RETURNING {Columns};
                """;
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@active", Active);
            command.Parameters.AddValue("@expectedOffset", expectedOffset);
            command.Parameters.AddValue("@newOffset", newOffset);
            command.Parameters.AddValue("@expiresAt", SqliteValues.ToUnixMs(expiresAt));
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
        }, cancellationToken);
    }

    /// <summary>A null <paramref name="fileId"/> keeps the file already recorded.</summary>
    public Task<UploadSessionRecord?> SetStatusAsync(string id, UploadStatus expected, UploadStatus status, string? fileId, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                UPDATE upload_sessions SET status = @status, file_id = ifnull(@fileId, file_id), updated_at = @at
                WHERE id = @id AND status = @expected
                RETURNING {Columns};
                """;
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@expected", expected.ToString());
            command.Parameters.AddValue("@status", status.ToString());
            command.Parameters.AddValue("@fileId", fileId);
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<UploadSessionRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync<IReadOnlyList<UploadSessionRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {Columns} FROM upload_sessions WHERE status = @active AND expires_at < @now
                ORDER BY expires_at, id
                LIMIT @limit;
                """;
            command.Parameters.AddValue("@active", Active);
            command.Parameters.AddValue("@now", SqliteValues.ToUnixMs(now));
            command.Parameters.AddValue("@limit", limit);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<UploadSessionRecord>> ListFinishedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync<IReadOnlyList<UploadSessionRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {Columns} FROM upload_sessions WHERE status IN (@completed, @terminated, @expired) AND updated_at < @cutoff
                ORDER BY updated_at, id
                LIMIT @limit;
                """;
            command.Parameters.AddValue("@completed", nameof(UploadStatus.Completed));
            command.Parameters.AddValue("@terminated", nameof(UploadStatus.Terminated));
            command.Parameters.AddValue("@expired", nameof(UploadStatus.Expired));
            command.Parameters.AddValue("@cutoff", SqliteValues.ToUnixMs(cutoff));
            command.Parameters.AddValue("@limit", limit);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM upload_sessions WHERE id = @id;";
            command.Parameters.AddValue("@id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static async Task<List<UploadSessionRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var sessions = new List<UploadSessionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(new UploadSessionRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetNullableString(2),
                reader.GetString(3),
                reader.GetNullableString(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                Enum.Parse<UploadStatus>(reader.GetString(7)),
                reader.GetNullableString(8),
                SqliteValues.FromJson<Dictionary<string, string>>(reader.GetString(9)),
                reader.GetTime(10),
                reader.GetTime(11),
                reader.GetTime(12)));
        }

        return sessions;
    }
}
