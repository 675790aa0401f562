using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

/// <summary>Emails and usernames are compared as names are (<see cref="NodeNames.Key"/>): case-insensitively, after NFC.</summary>
internal sealed class SqliteUserStore(SqliteConnectionFactory connections) : IUserStore
{
    private const string Columns = "id, username, email, password_hash, storage_used, storage_quota, created_at, updated_at";

    public async Task CreateAsync(UserRecord user, CancellationToken cancellationToken)
    {
        try
        {
            await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO users (id, username, username_key, email, email_key, password_hash, storage_used, storage_quota, created_at, updated_at)
                    VALUES (@id, @username, @usernameKey, @email, @emailKey, @passwordHash, @storageUsed, @storageQuota, @createdAt, @updatedAt);
                    """;
                command.Parameters.AddValue("@id", user.Id);
                command.Parameters.AddValue("@username", user.Username);
                command.Parameters.AddValue("@usernameKey", NodeNames.Key(user.Username));
                command.Parameters.AddValue("@email", user.Email);
                command.Parameters.AddValue("@emailKey", NodeNames.Key(user.Email));
                command.Parameters.AddValue("@passwordHash", user.PasswordHash);
                command.Parameters.AddValue("@storageUsed", user.StorageUsed);
                command.Parameters.AddValue("@storageQuota", user.StorageQuota);
                command.Parameters.AddValue("@createdAt", SqliteValues.ToUnixMs(user.CreatedAt));
                command.Parameters.AddValue("@updatedAt", SqliteValues.ToUnixMs(user.UpdatedAt));
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex,
            ("users.email_key", "email", "This email is already registered."),
            ("users.username_key", "username", "This username is taken.")) is { } conflict)
        {
            throw conflict;
        }
    }

    public Task<UserRecord?> GetByIdAsync(string id, CancellationToken cancellationToken) =>
        GetOneAsync("id = @value", id, cancellationToken);

    public Task<UserRecord?> GetByEmailAsync(string email, CancellationToken cancellationToken) =>
        GetOneAsync("email_key = @value", NodeNames.Key(email), cancellationToken);

    public Task<UserRecord?> GetByUsernameAsync(string username, CancellationToken cancellationToken) =>
        GetOneAsync("username_key = @value", NodeNames.Key(username), cancellationToken);

    public async Task<bool> TryReserveStorageAsync(string userId, long bytes, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        // One conditional UPDATE under the write lock: the check and the addition cannot be split by another writer.
        // Written as used <= quota - bytes so that a huge request cannot overflow the addition.
        var changed = await connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE users SET storage_used = storage_used + @bytes, updated_at = @at
                WHERE id = @id AND storage_used <= storage_quota - @bytes;
                """;
            command.Parameters.AddValue("@id", userId);
            command.Parameters.AddValue("@bytes", bytes);
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
        return changed == 1;
    }

    public Task AdjustStorageUsedAsync(string userId, long delta, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE users SET storage_used = max(0, storage_used + @delta), updated_at = @at WHERE id = @id;";
            command.Parameters.AddValue("@id", userId);
            command.Parameters.AddValue("@delta", delta);
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private Task<UserRecord?> GetOneAsync(string where, string value, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM users WHERE {where};";
            command.Parameters.AddValue("@value", value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new UserRecord(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.GetTime(6),
                    reader.GetTime(7))
                : null;
        }, cancellationToken);
}
