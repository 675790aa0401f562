using AioStorage.Core.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioStorage.Core.Health;

/// <summary>Healthy when the storage root exists (or can be made) and a file can be written, flushed and deleted there.</summary>
public sealed class StoragePathHealthCheck(StorageOptions storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(storage.Path, $".health-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(storage.Path);
            await using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync("ok"u8.ToArray(), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            var drive = new DriveInfo(storage.Path);
            return HealthCheckResult.Healthy($"writable; {drive.AvailableFreeSpace / (1024 * 1024)} MiB free",
                new Dictionary<string, object> { ["path"] = storage.Path, ["freeBytes"] = drive.AvailableFreeSpace });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"{storage.Path} is not writable: {ex.Message}");
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
