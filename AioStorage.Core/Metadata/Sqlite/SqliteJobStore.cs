using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

internal sealed class SqliteJobStore(SqliteConnectionFactory connections) : IJobStore
{
    private const string Columns =
        "id, owner_id, kind, status, progress, parameters, result, error, created_at, updated_at, expires_at";

    public async Task CreateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        try
        {
            await connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"""
                    INSERT INTO jobs ({Columns})
                    VALUES (@id, @ownerId, @kind, @status, @progress, @parameters, @result, @error, @createdAt, @updatedAt, @expiresAt);
                    """;
                var parameters = command.Parameters;
                parameters.AddValue("@id", job.Id);
                parameters.AddValue("@ownerId", job.OwnerId);
                parameters.AddValue("@kind", job.Kind);
                parameters.AddValue("@status", job.Status.ToString());
                parameters.AddValue("@progress", job.Progress);
                parameters.AddValue("@parameters", SqliteValues.ToJson(job.Parameters));
                parameters.AddValue("@result", job.Result);
                parameters.AddValue("@error", job.Error);
                parameters.AddValue("@createdAt", SqliteValues.ToUnixMs(job.CreatedAt));
                parameters.AddValue("@updatedAt", SqliteValues.ToUnixMs(job.UpdatedAt));
                parameters.AddValue("@expiresAt", job.ExpiresAt is { } expiresAt ? SqliteValues.ToUnixMs(expiresAt) : null);
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteValues.AsConflict(ex) is { } conflict)
        {
            throw conflict;
        }
    }

    public Task<JobRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        connections.ReadAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM jobs WHERE id = @id AND owner_id = @ownerId;";
            command.Parameters.AddValue("@id", id);
            command.Parameters.AddValue("@ownerId", ownerId);
            return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
        }, cancellationToken);

    public Task<JobRecord?> UpdateAsync(string id, JobStatus expected, JobUpdate update, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                UPDATE jobs SET status = @status, progress = ifnull(@progress, progress), result = ifnull(@result, result),
                    error = ifnull(@error, error), expires_at = ifnull(@expiresAt, expires_at), updated_at = @at
                WHERE id = @id AND status = @expected
                RETURNING {Columns};
                """;
            var parameters = command.Parameters;
            parameters.AddValue("@id", id);
            parameters.AddValue("@expected", expected.ToString());
            parameters.AddValue("@status", update.Status.ToString());
            parameters.AddValue("@progress", update.Progress);
            parameters.AddValue("@result", update.Result);
            parameters.AddValue("@error", update.Error);
            parameters.AddValue("@expiresAt", update.ExpiresAt is { } expiresAt ? SqliteValues.ToUnixMs(expiresAt) : null);
            parameters.AddValue("@at", SqliteValues.ToUnixMs(at));
            return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ListExpiredAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync<IReadOnlyList<JobRecord>>(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {Columns} FROM jobs WHERE kind = @kind AND status <> 'Expired' AND expires_at < @now
                ORDER BY expires_at, id
                LIMIT @limit;
                """;
            command.Parameters.AddValue("@kind", kind);
            command.Parameters.AddValue("@now", SqliteValues.ToUnixMs(now));
            command.Parameters.AddValue("@limit", limit);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public Task<long> DeleteExpiredBeforeAsync(string kind, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        connections.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM jobs WHERE kind = @kind AND status = 'Expired' AND expires_at < @cutoff;";
            command.Parameters.AddValue("@kind", kind);
            command.Parameters.AddValue("@cutoff", SqliteValues.ToUnixMs(cutoff));
            return (long)await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static async Task<List<JobRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new JobRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                Enum.Parse<JobStatus>(reader.GetString(3)),
                reader.GetDouble(4),
                SqliteValues.FromJson<Dictionary<string, string>>(reader.GetString(5)),
                reader.GetNullableString(6),
                reader.GetNullableString(7),
                reader.GetTime(8),
                reader.GetTime(9),
                reader.GetNullableTime(10)));
        }

        return jobs;
    }
}
