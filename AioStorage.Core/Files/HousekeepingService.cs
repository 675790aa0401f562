using AioStorage.Core.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Files;

/// <summary>
/// Every few minutes: purges trash past its retention, deletes blobs nobody has referenced for an hour, and removes
/// staging files of uploads that died. Safe on several replicas at once: each step takes what it deletes atomically.
/// </summary>
public sealed partial class HousekeepingService(IServiceScopeFactory scopes, TrashOptions options, TimeProvider time, ILogger<HousekeepingService> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Delay(TimeSpan.FromMinutes(1), stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }

            await Delay(Interval, stoppingToken);
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var trash = scope.ServiceProvider.GetRequiredService<TrashService>();
        var blobs = scope.ServiceProvider.GetRequiredService<BlobStore>();
        var purged = await trash.PurgeExpiredAsync(options.Retention, cancellationToken);
        var collected = await blobs.CollectOrphansAsync(OrphanGrace, cancellationToken);
        var staging = blobs.DeleteAbandonedStaging(TimeSpan.FromDays(1));
        if (purged + collected + staging > 0)
        {
            LogDone(logger, purged, collected, staging);
        }
    }

    private Task Delay(TimeSpan delay, CancellationToken cancellationToken)
        => Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Information, Message = "Housekeeping: purged {Purged} expired trash item(s), collected {Collected} orphaned blob(s), removed {Staging} abandoned staging file(s)")]
    private static partial void LogDone(ILogger logger, int purged, int collected, int staging);

    [LoggerMessage(Level = LogLevel.Error, Message = "Housekeeping round failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
