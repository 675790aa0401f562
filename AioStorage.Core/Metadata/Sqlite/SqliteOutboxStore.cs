using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

internal sealed class SqliteOutboxStore(SqliteConnectionFactory connections) : IOutboxStore
{
    private const string Columns = "id, queue, message_type, payload, headers, created_at, attempts, next_attempt_at, sent_at, last_error";

    public async Task AddAsync(OutboxMessageRecord message, CancellationToken cancellationToken)
    {
        try
        {
            await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    INSERT INTO outbox_messages ({Columns})
                    VALUES (@id, @queue, @messageType, @payload, @headers, @createdAt, @attempts, @nextAttemptAt, @sentAt, @lastError);
                    """;
                var parameters = command.Parameters;
                parameters.AddValue("@id", message.Id);
                parameters.AddValue("@queue", message.Queue);
                parameters.AddValue("@messageType", message.MessageType);
                parameters.AddValue("@payload", message.Payload);
                parameters.AddValue("@headers", SqliteValues.ToJson(message.Headers));
                parameters.AddValue("@createdAt", SqliteValues.ToUnixMs(message.CreatedAt));
                parameters.AddValue("@attempts", message.Attempts);
                parameters.AddValue("@nextAttemptAt", SqliteValues.ToUnixMs(message.NextAttemptAt));
                parameters.AddValue("@sentAt", message.SentAt is { } sentAt ? SqliteValues.ToUnixMs(sentAt) : null);
                parameters.AddValue("@lastError", message.LastError);
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex) is { } conflict)
        {
            throw conflict;
        }
    }

    /// <summary>
    /// One UPDATE picks and leases the messages under the write lock, so a concurrent claimer (another connection or
    /// process) waits for it and then no longer finds them due. RETURNING gives no order, hence the sort afterwards.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessageRecord>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // A lease that is not in the future would leave a claimed message due, free for the next claim.
        if (leaseUntil <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseUntil), leaseUntil, "The lease must end after now.");
        }

        var claimed = await connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                UPDATE outbox_messages SET next_attempt_at = @leaseUntil
                WHERE id IN (
                    SELECT id FROM outbox_messages WHERE sent_at IS NULL AND next_attempt_at <= @now
                    ORDER BY created_at, id
                    LIMIT @limit)
                RETURNING {Columns};
                """;
            command.Parameters.AddValue("@now", SqliteValues.ToUnixMs(now));
            command.Parameters.AddValue("@leaseUntil", SqliteValues.ToUnixMs(leaseUntil));
            command.Parameters.AddValue("@limit", limit);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
        return [.. claimed.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id, StringComparer.Ordinal)];
    }

    /// <summary>The first confirmation wins: a late duplicate publish does not move the time the message was sent.</summary>
    public Task MarkSentAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE outbox_messages SET sent_at = @at WHERE id = @id AND sent_at IS NULL;";
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>A message already sent (by a dispatcher whose lease another one outlived) is left as it is.</summary>
    public Task RecordFailureAsync(string id, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE outbox_messages SET attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttemptAt
                WHERE id = @id AND sent_at IS NULL;
                """;
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@error", error);
            command.Parameters.AddValue("@nextAttemptAt", SqliteValues.ToUnixMs(nextAttemptAt));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<long> CountPendingAsync(CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL;";
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public async Task<long> DeleteSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM outbox_messages WHERE sent_at < @cutoff;";
            command.Parameters.AddValue("@cutoff", SqliteValues.ToUnixMs(cutoff));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static async Task<List<OutboxMessageRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var messages = new List<OutboxMessageRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new OutboxMessageRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                SqliteValues.FromJson<Dictionary<string, string>>(reader.GetString(4)),
                reader.GetTime(5),
                reader.GetInt32(6),
                reader.GetTime(7),
                reader.GetNullableTime(8),
                reader.GetNullableString(9)));
        }

        return messages;
    }
}
