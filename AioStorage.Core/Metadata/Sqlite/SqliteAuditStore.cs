using Microsoft.Data.Sqlite;

namespace AioStorage.Core.Metadata.Sqlite;

internal sealed class SqliteAuditStore(SqliteConnectionFactory connections) : IAuditStore
{
    public Task AppendAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken) =>
        AppendManyAsync([auditEvent], cancellationToken);

    public Task AppendManyAsync(IReadOnlyList<AuditEventRecord> auditEvents, CancellationToken cancellationToken) =>
        auditEvents.Count == 0
            ? Task.CompletedTask
            : connections.WriteAsync(async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO audit_events (id, user_id, action, resource_id, details, ip_address, user_agent, created_at)
                    VALUES (@id, @userId, @action, @resourceId, @details, @ipAddress, @userAgent, @createdAt);
                    """;
                var id = command.Parameters.Add("@id", SqliteType.Text);
                var userId = command.Parameters.Add("@userId", SqliteType.Text);
                var action = command.Parameters.Add("@action", SqliteType.Text);
                var resourceId = command.Parameters.Add("@resourceId", SqliteType.Text);
                var details = command.Parameters.Add("@details", SqliteType.Text);
                var ipAddress = command.Parameters.Add("@ipAddress", SqliteType.Text);
                var userAgent = command.Parameters.Add("@userAgent", SqliteType.Text);
                var createdAt = command.Parameters.Add("@createdAt", SqliteType.Integer);
                foreach (var auditEvent in auditEvents)
                {
                    id.Value = auditEvent.Id;
                    userId.Value = auditEvent.UserId;
                    action.Value = auditEvent.Action;
                    resourceId.Value = (object?)auditEvent.ResourceId ?? DBNull.Value;
                    details.Value = SqliteValues.ToJson(auditEvent.Details);
                    ipAddress.Value = (object?)auditEvent.IpAddress ?? DBNull.Value;
                    userAgent.Value = (object?)auditEvent.UserAgent ?? DBNull.Value;
                    createdAt.Value = SqliteValues.ToUnixMs(auditEvent.CreatedAt);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                return auditEvents.Count;
            }, cancellationToken);

    public Task<Page<AuditEventRecord>> ListAsync(string userId, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.ReadAsync(async (connection, transaction) =>
        {
            await using var count = connection.CreateCommand();
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*) FROM audit_events WHERE user_id = @userId;";
            count.Parameters.AddValue("@userId", userId);
            var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

            await using var list = connection.CreateCommand();
            list.Transaction = transaction;
            list.CommandText = """
                SELECT id, user_id, action, resource_id, details, ip_address, user_agent, created_at
                FROM audit_events WHERE user_id = @userId
                ORDER BY created_at DESC, id DESC
                LIMIT @limit OFFSET @skip;
                """;
            list.Parameters.AddValue("@userId", userId);
            list.Parameters.AddValue("@limit", limit);
            list.Parameters.AddValue("@skip", skip);
            var events = new List<AuditEventRecord>();
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(new AuditEventRecord(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetNullableString(3),
                    SqliteValues.FromJson<Dictionary<string, string>>(reader.GetString(4)),
                    reader.GetNullableString(5),
                    reader.GetNullableString(6),
                    reader.GetTime(7)));
            }

            return new Page<AuditEventRecord>(events, total);
        }, cancellationToken);
    }
}
