using AioStorage.Core.Archives;
using AioStorage.Core.Blobs;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Archives;

/// <summary>
/// Prepares the ZIP of an archive job (<c>file.download</c>): walks the selection as it is now, writes the ZIP to a fresh
/// work file under <c>archives-work</c>, then renames it to <c>archives/&lt;jobId&gt;.zip</c> and records the job completed.
/// Every job change is conditional on the status last seen, so the outcome is recorded once: a redelivery of a finished
/// job changes nothing, and a retry or a redelivery of an unfinished one starts over in a new work file.
/// </summary>
internal sealed partial class ArchiveRequestedHandler(
    IJobStore jobs,
    INodeStore nodes,
    BlobStore blobs,
    ArchiveFiles files,
    IOptions<ArchiveOptions> archiveOptions,
    IOptions<MessagingOptions> messagingOptions,
    TimeProvider time,
    ILogger<ArchiveRequestedHandler> logger) : IMessageHandler<ArchiveRequested>
{
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Room kept free beyond the archive itself, so preparing one never fills the volume uploads need.</summary>
    private const long FreeSpaceReserve = 256L * 1024 * 1024;

    public async Task HandleAsync(ArchiveRequested message, MessageContext context, CancellationToken cancellationToken)
    {
        if (!ArchiveFiles.IsJobId(message.JobId))
        {
            throw new MessageRejectedException($"'{message.JobId}' is not an archive job id.");
        }

        var job = await jobs.GetAsync(message.OwnerId, message.JobId, cancellationToken);
        if (job is null || job.Kind != ArchiveJobs.Kind)
        {
            throw new MessageRejectedException($"There is no archive job {message.JobId} of user {message.OwnerId}.");
        }

        if (job.Status is not (JobStatus.Queued or JobStatus.Running) || ArchiveJobs.EffectiveStatus(job, time.GetUtcNow()) == JobStatus.Expired)
        {
            LogNothingToDo(logger, job.Id, job.Status, context.Attempt);
            return;
        }

        var running = await jobs.UpdateAsync(job.Id, job.Status, new JobUpdate(JobStatus.Running, 0), time.GetUtcNow(), cancellationToken);
        if (running is null)
        {
            LogNothingToDo(logger, job.Id, job.Status, context.Attempt);
            return;
        }

        try
        {
            await PrepareAsync(message.OwnerId, running, cancellationToken);
        }
        catch (ArchiveImpossibleException impossible)
        {
            await FailAsync(job.Id, impossible.Message);
            throw new MessageRejectedException(impossible.Message, impossible.InnerException);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or MessageRejectedException) && context.Attempt >= messagingOptions.Value.MaxAttempts)
        {
            // The last attempt: record why before the message goes to the dead-letter queue.
            await FailAsync(job.Id, ex is ArchiveSourceException source
                ? $"'{source.Entry.Path}' could not be read from storage, so the archive could not be prepared."
                : "The archive could not be prepared on the server.");
            throw;
        }
    }

    private async Task PrepareAsync(string ownerId, JobRecord job, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> ids;
        try
        {
            ids = ArchiveJobs.IdsOf(job);
        }
        catch (InvalidDataException ex)
        {
            throw new ArchiveImpossibleException("The archive request is damaged and cannot be prepared. Ask for a new one.", ex);
        }

        var plan = await ArchiveSelection.PlanAsync(nodes, ownerId, ids, ArchiveSelection.MaxEntries, cancellationToken);
        if (plan.Entries.Count == 0)
        {
            // The user's doing, not a fault: the job says why and the message is done with.
            await FailAsync(job.Id, "Nothing is left to put in the archive: " + string.Join(" ", plan.Skipped.Select(s => s.Reason)));
            LogEmpty(logger, job.Id, plan.Skipped.Count);
            return;
        }

        var result = new ArchiveResult(plan.FileCount, plan.TotalBytes, null, plan.Skipped);
        if (await jobs.UpdateAsync(job.Id, JobStatus.Running, new JobUpdate(JobStatus.Running, 0, ArchiveJobs.Serialize(result)), time.GetUtcNow(), cancellationToken) is null)
        {
            return;
        }

        Directory.CreateDirectory(files.WorkRoot);
        Directory.CreateDirectory(files.Root);
        var needed = EstimatedSize(plan) + FreeSpaceReserve;
        var available = new DriveInfo(files.WorkRoot).AvailableFreeSpace;
        if (available < needed)
        {
            LogNoSpace(logger, job.Id, needed, available);
            throw new ArchiveImpossibleException(
                $"The server has not enough free space to prepare an archive of {plan.TotalBytes} bytes. Try again later or select less.");
        }

        await WriteAsync(ownerId, job.Id, plan, result, cancellationToken);
    }

    private async Task WriteAsync(string ownerId, string jobId, ArchivePlan plan, ArchiveResult result, CancellationToken cancellationToken)
    {
        // Whatever an earlier attempt left (a killed worker) is of no use: this attempt starts over in a file of its own.
        foreach (var stale in files.StaleWorkFiles(jobId))
        {
            File.Delete(stale);
        }

        var work = files.NewWorkPath(jobId);
        var started = time.GetTimestamp();
        try
        {
            long size;
            await using (var output = new FileStream(work, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, ArchiveWriter.BufferSize, FileOptions.Asynchronous))
            {
                var throttle = new ProgressThrottle(time, ProgressInterval);
                await ArchiveWriter.WriteAsync(output, plan.Entries, entry => blobs.OpenRead(entry.Sha256!),
                    (written, ct) => ReportProgressAsync(jobId, throttle, written, plan.TotalBytes, ct), cancellationToken);
                await output.FlushAsync(cancellationToken);
                output.Flush(flushToDisk: true);
                size = output.Length;
            }

            var path = files.PathOf(jobId);
            File.Move(work, path, overwrite: true);
            var completed = await jobs.UpdateAsync(jobId, JobStatus.Running,
                new JobUpdate(JobStatus.Completed, 1, ArchiveJobs.Serialize(result with { Size = size }), ExpiresAt: time.GetUtcNow() + archiveOptions.Value.ExpiresIn),
                time.GetUtcNow(), CancellationToken.None);
            if (completed is null)
            {
                // Marked expired while it was written (or finished by a duplicate message): the file is not ours to keep.
                await DiscardUnlessCompletedAsync(ownerId, jobId, path);
                return;
            }

            LogCompleted(logger, jobId, plan.FileCount, plan.TotalBytes, size, time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (ArchiveAbandonedException)
        {
            File.Delete(work);
            LogAbandoned(logger, jobId);
        }
        catch
        {
            // A failed attempt or a shutdown: the next attempt starts over, so this one's file goes.
            File.Delete(work);
            throw;
        }
    }

    private async ValueTask ReportProgressAsync(string jobId, ProgressThrottle throttle, long written, long total, CancellationToken cancellationToken)
    {
        if (!throttle.IsDue())
        {
            return;
        }

        var progress = total == 0 ? 1 : Math.Round((double)written / total, 4);
        if (await jobs.UpdateAsync(jobId, JobStatus.Running, new JobUpdate(JobStatus.Running, progress), time.GetUtcNow(), cancellationToken) is null)
        {
            throw new ArchiveAbandonedException();
        }
    }

    private async Task DiscardUnlessCompletedAsync(string ownerId, string jobId, string path)
    {
        var jobNow = await jobs.GetAsync(ownerId, jobId, CancellationToken.None);
        if (jobNow?.Status != JobStatus.Completed)
        {
            File.Delete(path);
        }
    }

    /// <summary>Marks the job failed from whatever unfinished status it is in; one that finished meanwhile keeps its outcome.</summary>
    private async Task FailAsync(string jobId, string reason)
    {
        foreach (var from in new[] { JobStatus.Running, JobStatus.Queued })
        {
            if (await jobs.UpdateAsync(jobId, from, new JobUpdate(JobStatus.Failed, Error: reason, ExpiresAt: time.GetUtcNow() + archiveOptions.Value.ExpiresIn),
                    time.GetUtcNow(), CancellationToken.None) is not null)
            {
                LogFailed(logger, jobId, reason);
                return;
            }
        }
    }

    /// <summary>The ZIP is at most the content plus headers (twice the path per entry, about 100 bytes each) and Deflate's worst-case growth.</summary>
    private static long EstimatedSize(ArchivePlan plan) =>
        plan.TotalBytes + (plan.TotalBytes / 1000) + plan.Entries.Sum(e => (2L * System.Text.Encoding.UTF8.GetByteCount(e.Path)) + 128) + 1024;

    [LoggerMessage(LogLevel.Information, "Archive {JobId}: nothing to do, the job is {Status} (attempt {Attempt})")]
    private static partial void LogNothingToDo(ILogger logger, string jobId, JobStatus status, int attempt);

    [LoggerMessage(LogLevel.Information, "Archive {JobId}: {FileCount} file(s), {TotalBytes} bytes, written as a ZIP of {Size} bytes in {ElapsedMs:0} ms")]
    private static partial void LogCompleted(ILogger logger, string jobId, int fileCount, long totalBytes, long size, double elapsedMs);

    [LoggerMessage(LogLevel.Information, "Archive {JobId}: every selected item ({Skipped}) is gone; the job failed")]
    private static partial void LogEmpty(ILogger logger, string jobId, int skipped);

    [LoggerMessage(LogLevel.Information, "Archive {JobId}: the job stopped running (it expired) while its ZIP was written; abandoned")]
    private static partial void LogAbandoned(ILogger logger, string jobId);

    [LoggerMessage(LogLevel.Warning, "Archive {JobId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(LogLevel.Warning, "Archive {JobId} needs about {Needed} bytes of free space; {Available} are free")]
    private static partial void LogNoSpace(ILogger logger, string jobId, long needed, long available);

    /// <summary>A progress report found the job no longer running: the cleaner expired it, so the work stops.</summary>
    private sealed class ArchiveAbandonedException : Exception;
}
