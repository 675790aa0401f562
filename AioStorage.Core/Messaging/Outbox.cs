using System.Diagnostics;
using System.Text;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Messages that must not be lost when RabbitMQ is away: stored in the metadata store first (with the trace context
/// of the request that caused them), published at once when the broker answers, and otherwise later by the
/// <see cref="OutboxDispatcher"/>. The outbox id is the message id, so a consumer recognises a rare second delivery
/// (a crash between the broker's confirm and the "sent" mark).
/// </summary>
public sealed partial class Outbox(IOutboxStore store, IMessagePublisher publisher, TimeProvider time, ILogger<Outbox> logger)
{
    /// <summary>How long a request waits for the broker before leaving the message to the dispatcher.</summary>
    public static readonly TimeSpan InlinePublishTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    public static readonly ActivitySource Source = new("AioStorage.Outbox");

    /// <summary>Stores the message; publish it with <see cref="TryPublishAsync"/> once the change it announces is stored.</summary>
    public async Task<OutboxMessageRecord> AddAsync<T>(string queue, T message, CancellationToken cancellationToken) where T : notnull
    {
        var headers = new Dictionary<string, string>();
        if (Activity.Current is { } current)
        {
            headers["traceparent"] = current.Id!;
            if (!string.IsNullOrEmpty(current.TraceStateString))
            {
                headers["tracestate"] = current.TraceStateString;
            }
        }

        var now = time.GetUtcNow();
        var record = new OutboxMessageRecord(Ids.New(), queue, MessageSerializer.TypeName<T>(),
            Encoding.UTF8.GetString(MessageSerializer.Serialize(message)), headers, now, 0, now + ClaimLease, null, null);
        await store.AddAsync(record, cancellationToken);
        return record;
    }

    /// <summary>
    /// Publishes now if the broker confirms within <see cref="InlinePublishTimeout"/>; otherwise the message stays for the
    /// dispatcher (it was stored with its first attempt a lease away, so the dispatcher does not race this call).
    /// </summary>
    public async Task<bool> TryPublishAsync(OutboxMessageRecord message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InlinePublishTimeout);
        try
        {
            await publisher.PublishSerializedAsync(message.Queue, message.MessageType, Encoding.UTF8.GetBytes(message.Payload), message.Id, timeout.Token);
        }
        catch (Exception ex) when (ex is MessagePublishException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await store.RecordFailureAsync(message.Id, ex.Message, time.GetUtcNow(), CancellationToken.None);
            LogDeferred(logger, message.Id, message.Queue, ex.Message);
            return false;
        }

        await store.MarkSentAsync(message.Id, time.GetUtcNow(), CancellationToken.None);
        return true;
    }

    /// <summary>Publishes every due message it can claim, each under the trace of the request that stored it. Returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sent = 0;
        foreach (var message in await store.ClaimDueAsync(now, now + ClaimLease, 100, cancellationToken))
        {
            ActivityContext.TryParse(message.Headers.GetValueOrDefault("traceparent"), message.Headers.GetValueOrDefault("tracestate"), out var parent);
            using var activity = Source.StartActivity("outbox dispatch", ActivityKind.Internal, parent);
            activity?.SetTag("messaging.message.id", message.Id);
            activity?.SetTag("messaging.destination.name", message.Queue);
            try
            {
                await publisher.PublishSerializedAsync(message.Queue, message.MessageType, Encoding.UTF8.GetBytes(message.Payload), message.Id, cancellationToken);
                await store.MarkSentAsync(message.Id, time.GetUtcNow(), cancellationToken);
                sent++;
            }
            catch (MessagePublishException ex)
            {
                var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(message.Attempts, 16))));
                await store.RecordFailureAsync(message.Id, ex.Message, time.GetUtcNow() + backoff, cancellationToken);
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                LogDeferred(logger, message.Id, message.Queue, ex.Message);
                // The broker is away: the rest would fail the same way; they stay due for the next round.
                break;
            }
        }

        return sent;
    }

    public Task<long> CountPendingAsync(CancellationToken cancellationToken) => store.CountPendingAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} for {Queue} not published yet: {Reason}")]
    private static partial void LogDeferred(ILogger logger, string messageId, string queue, string reason);
}

/// <summary>Sends what the outbox holds every second, and clears out messages sent more than a day ago.</summary>
public sealed partial class OutboxDispatcher(Outbox outbox, IOutboxStore store, TimeProvider time, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await outbox.DispatchDueAsync(stoppingToken);
                if (sent > 0)
                {
                    LogSent(logger, sent);
                }

                if (time.GetUtcNow() - lastCleanup > TimeSpan.FromHours(1))
                {
                    await store.DeleteSentBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(1), stoppingToken);
                    lastCleanup = time.GetUtcNow();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox dispatched {Count} deferred message(s)")]
    private static partial void LogSent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch round failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
