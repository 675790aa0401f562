using System.Threading.Channels;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Audit;

/// <summary>
/// Writes audit events in batches from a queue, so a burst of downloads costs one metadata transaction per batch
/// instead of one per request (on SQLite each transaction is an fsync and takes the single write lock, which made
/// audit writes the ceiling of parallel small downloads). Callers are not held up by the write; readers ask for
/// <see cref="FlushAsync"/> first, so a user always sees the events of their own requests. The queue is bounded:
/// when the store falls behind, requests wait rather than memory growing. Stopping the host drains the queue.
/// <para>
/// A plain hosted service rather than a <see cref="BackgroundService"/>: that one starts its loop with the stopping
/// token, so a host stopped before the loop got a thread cancelled it unstarted and dropped what was queued (seen once
/// in CI). This loop always starts, and ends only once the queue is completed and empty.
/// </para>
/// </summary>
public sealed partial class AuditWriter(IAuditStore store, ILogger<AuditWriter> logger) : IHostedService
{
    private const int MaxBatch = 512;
    private const int MaxAttempts = 5;

    private readonly Channel<Entry> queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(16_384)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ValueTask EnqueueAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken)
        => queue.Writer.WriteAsync(new Entry(auditEvent, null), cancellationToken);

    /// <summary>Completes once every event enqueued before the call is stored (or given up on, and logged).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new Entry(null, done)))
        {
            await queue.Writer.WriteAsync(new Entry(null, done), cancellationToken);
        }

        await done.Task.WaitAsync(cancellationToken);
    }

    private Task? _loop;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(WriteQueuedAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        if (_loop is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
    }

    private async Task WriteQueuedAsync()
    {
        var batch = new List<AuditEventRecord>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();
        // No cancellation: at shutdown the loop drains what is queued, then ends when StopAsync completes the writer.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var entry))
            {
                if (entry.Event is not null)
                {
                    batch.Add(entry.Event);
                }
                else
                {
                    flushes.Add(entry.Flushed!);
                }
            }

            await WriteAsync(batch);
            batch.Clear();
            flushes.ForEach(f => f.TrySetResult());
            flushes.Clear();
        }
    }

    private async Task WriteAsync(List<AuditEventRecord> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendManyAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < MaxAttempts)
            {
                LogRetrying(logger, ex, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception ex)
            {
                foreach (var lost in batch)
                {
                    LogLost(logger, lost.Id, lost.UserId, lost.Action, lost.ResourceId, lost.CreatedAt);
                }

                LogGaveUp(logger, ex, batch.Count, attempt);
                return;
            }
        }
    }

    private readonly record struct Entry(AuditEventRecord? Event, TaskCompletionSource? Flushed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} audit event(s) failed (attempt {Attempt}); retrying")]
    private static partial void LogRetrying(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up writing {Count} audit event(s) after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, int count, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit event not stored: {EventId} {UserId} {Action} {ResourceId} at {CreatedAt}")]
    private static partial void LogLost(ILogger logger, string eventId, string userId, string action, string? resourceId, DateTimeOffset createdAt);
}
