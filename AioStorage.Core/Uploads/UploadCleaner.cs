using AioStorage.Core.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Uploads;

/// <summary>
/// Every minute: discards resumable uploads past their expiry (their bytes deleted, their reservation given back; a
/// full one is committed instead), and deletes sessions that finished more than a day ago with anything they left.
/// Safe on several replicas at once: each upload is settled under its lock, by compare-and-set.
/// </summary>
public sealed partial class UploadCleaner(IServiceScopeFactory scopes, TimeProvider time, ILogger<UploadCleaner> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static readonly ClientInfo Cleaner = new(null, "upload cleaner");

    /// <summary>One round at a time in this process, so a test's explicit round finishes any round already under way.</summary>
    private readonly SemaphoreSlim _round = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Delay(Interval, stoppingToken);
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var uploads = scope.ServiceProvider.GetRequiredService<ResumableUploadService>();
            var expired = await uploads.SettleExpiredAsync(Cleaner, cancellationToken);
            var deleted = await uploads.DeleteFinishedAsync(cancellationToken);
            if (expired + deleted > 0)
            {
                LogDone(logger, expired, deleted);
            }
        }
        finally
        {
            _round.Release();
        }
    }

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    private Task Delay(TimeSpan delay, CancellationToken cancellationToken)
        => Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload cleaner: settled {Expired} expired upload(s), deleted {Deleted} finished session(s)")]
    private static partial void LogDone(ILogger logger, int expired, int deleted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Upload cleaner round failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
