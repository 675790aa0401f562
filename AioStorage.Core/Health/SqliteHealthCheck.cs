using AioStorage.Core.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioStorage.Core.Health;

/// <summary>Healthy when the embedded metadata database opens read-write in WAL mode and answers a query.</summary>
public sealed class SqliteHealthCheck(MetadataOptions metadata) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(metadata.SqlitePath)!);
            var builder = new SqliteConnectionStringBuilder { DataSource = metadata.SqlitePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true };
            await using var connection = new SqliteConnection(builder.ToString());
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"sqlite {connection.ServerVersion}, journal {mode}",
                new Dictionary<string, object> { ["provider"] = "sqlite", ["path"] = metadata.SqlitePath });
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"sqlite at {metadata.SqlitePath}: {ex.Message}");
        }
    }
}
