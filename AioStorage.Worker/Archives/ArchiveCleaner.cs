using AioStorage.Core.Archives;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Archives;

/// <summary>
/// Expires archives: every <see cref="ArchiveOptions.CleanupInterval"/> it marks jobs past their expiry as expired and
/// deletes their ZIPs, deletes the records of jobs expired longer than <see cref="ArchiveOptions.RecordRetention"/>, and
/// removes work files no writer has touched for an hour. It runs in the worker, next to the handler that writes those
/// files: the api needs no write access to them, and already answers "expired" (410) by the clock before this runs.
/// Several workers may run it at once: each mark is conditional, so one of them deletes a given archive.
/// </summary>
internal sealed partial class ArchiveCleaner(
    IJobStore jobs,
    ArchiveFiles files,
    IOptions<ArchiveOptions> options,
    TimeProvider time,
    ILogger<ArchiveCleaner> logger) : BackgroundService
{
    /// <summary>A work file is written to continuously while its archive is made; this long untouched, its writer is gone.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

            await Task.Delay(options.Value.CleanupInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One round; returns how many archives it expired.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = 0;
        while (true)
        {
            var due = await jobs.ListExpiredAsync(ArchiveJobs.Kind, now, BatchSize, cancellationToken);
            var marked = 0;
            foreach (var job in due)
            {
                if (await jobs.UpdateAsync(job.Id, job.Status, new JobUpdate(JobStatus.Expired), now, cancellationToken) is not null)
                {
                    marked++;
                    File.Delete(files.PathOf(job.Id));
                }
            }

            expired += marked;
            // A round that marked nothing met only jobs another cleaner or worker moved on meanwhile: leave them for the next.
            if (due.Count < BatchSize || marked == 0)
            {
                break;
            }
        }

        var deleted = await jobs.DeleteExpiredBeforeAsync(ArchiveJobs.Kind, now - options.Value.RecordRetention, cancellationToken);
        var abandoned = 0;
        foreach (var work in files.AbandonedWorkFiles(now - AbandonedAfter))
        {
            File.Delete(work);
            abandoned++;
        }

        if (expired + deleted + abandoned > 0)
        {
            LogCleaned(logger, expired, deleted, abandoned);
        }

        return expired;
    }

    [LoggerMessage(LogLevel.Information, "Archives: expired {Expired} (ZIP deleted), forgot {Deleted} expired job(s), removed {Abandoned} abandoned work file(s)")]
    private static partial void LogCleaned(ILogger logger, int expired, long deleted, int abandoned);

    [LoggerMessage(LogLevel.Error, "Archive clean-up round failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
