using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Consumes one queue with <typeparamref name="THandler"/>: acknowledges after the handler completed; on a throw,
/// republishes the message to the next delay queue (or, out of attempts, to the dead-letter queue) and acknowledges
/// the original only once the broker confirmed the copy, so a message is never lost between the two. Messages that
/// cannot be read as <typeparamref name="TMessage"/> go straight to the dead-letter queue.
/// On shutdown it stops taking messages, lets running handlers finish within the host's shutdown timeout, and closes
/// its channel, which hands every unacknowledged message back to the broker for another consumer.
/// </summary>
internal sealed partial class MessageConsumerHost<TMessage, THandler> : BackgroundService
    where TMessage : notnull
    where THandler : class, IMessageHandler<TMessage>
{
    private static readonly TimeSpan ChannelCheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    private readonly string _queue;
    private readonly QueueTopology _queueTopology;
    private readonly ushort _prefetch;
    private readonly ushort _concurrency;
    private readonly IServiceScopeFactory _scopes;
    private readonly RabbitMqConnectionAccessor _connections;
    private readonly MessagingTopologyInitializer _topologyInitializer;
    private readonly RabbitMqMessagePublisher _publisher;
    private readonly MessagingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abortHandlers = new();

    private IChannel? _channel;
    private AsyncEventingBasicConsumer? _consumer;
    private int _inFlight;
    private int _stopping;

    public MessageConsumerHost(
        string queue,
        ConsumerOptions consumerOptions,
        IServiceScopeFactory scopes,
        RabbitMqConnectionAccessor connections,
        MessagingTopologyInitializer topologyInitializer,
        MessagingTopology topology,
        RabbitMqMessagePublisher publisher,
        MessagingMetrics metrics,
        IOptions<MessagingOptions> options,
        TimeProvider time,
        ILogger<MessageConsumerHost<TMessage, THandler>> logger)
    {
        _queue = queue;
        _queueTopology = topology[queue];
        _concurrency = consumerOptions.Concurrency ?? options.Value.Concurrency;
        _prefetch = Math.Max(consumerOptions.Prefetch ?? options.Value.Prefetch, _concurrency);
        _scopes = scopes;
        _connections = connections;
        _topologyInitializer = topologyInitializer;
        _publisher = publisher;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var restartDelay = FirstRestartDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = await _connections.GetAsync(stoppingToken);
                await _topologyInitializer.EnsureDeclaredAsync(stoppingToken);
                var (channel, consumer) = await StartConsumingAsync(connection, stoppingToken);
                LogConsuming(_logger, _queue, typeof(THandler).Name, _prefetch, _concurrency);
                restartDelay = FirstRestartDelay;
                await WaitUntilLostAsync(connection, channel, consumer, stoppingToken);
                if (Volatile.Read(ref _stopping) == 1)
                {
                    return;
                }

                LogConsumerLost(_logger, _queue, channel.CloseReason?.ReplyText ?? "the broker cancelled the consumer");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogStartFailed(_logger, ex, _queue, restartDelay.TotalSeconds);
            }

            // The queue may have been deleted under us: declare everything again before consuming anew.
            _topologyInitializer.Invalidate();

            if (Volatile.Read(ref _stopping) == 1)
            {
                return;
            }

            await CloseChannelAsync();
            try
            {
                await Task.Delay(restartDelay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            restartDelay = TimeSpan.FromTicks(Math.Min(restartDelay.Ticks * 2, MaxRestartDelay.Ticks));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _stopping, 1);
        await CancelConsumerAsync(cancellationToken);
        try
        {
            while (Volatile.Read(ref _inFlight) > 0)
            {
                await Task.Delay(DrainPollInterval, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            LogDrainTimedOut(_logger, _queue, Volatile.Read(ref _inFlight));
            await _abortHandlers.CancelAsync();
        }

        await base.StopAsync(cancellationToken);
        await CloseChannelAsync();
    }

    public override void Dispose()
    {
        _abortHandlers.Dispose();
        base.Dispose();
    }

    private async Task<(IChannel Channel, AsyncEventingBasicConsumer Consumer)> StartConsumingAsync(
        IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await RabbitMqConnectionAccessor.CreateChannelAsync(connection,
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                consumerDispatchConcurrency: _concurrency),
            cancellationToken);
        _channel = channel;
        await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: _prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        _consumer = consumer;
        await channel.BasicConsumeAsync(_queue, autoAck: false, consumer, cancellationToken);
        return (channel, consumer);
    }

    /// <summary>
    /// Returns when consuming has stopped for good. Automatic recovery brings back channels and consumers after a lost
    /// connection, so only a closed channel on an open connection (a channel error) or a consumer the broker cancelled
    /// (its queue was deleted) count; each must be seen twice so a recovery in progress is not mistaken for one.
    /// </summary>
    private async Task WaitUntilLostAsync(IConnection connection, IChannel channel, AsyncEventingBasicConsumer consumer, CancellationToken cancellationToken)
    {
        var lostChecks = 0;
        while (lostChecks < 2 && Volatile.Read(ref _stopping) == 0)
        {
            await Task.Delay(ChannelCheckInterval, _time, cancellationToken);
            var lost = connection.IsOpen && (!channel.IsOpen || !consumer.IsRunning);
            lostChecks = lost ? lostChecks + 1 : 0;
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var channel = ((AsyncEventingBasicConsumer)sender).Channel;
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Volatile.Read(ref _stopping) == 1)
            {
                // Left unacknowledged: closing the channel returns it to the queue.
                return;
            }

            await ProcessAsync(channel, delivery);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ProcessAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        var started = _time.GetTimestamp();
        var properties = delivery.BasicProperties;
        var attempt = Math.Max(1, MessageHeaders.GetInt32(properties.Headers, MessageHeaders.Attempt) ?? 1);
        var messageId = properties.MessageId is { Length: > 0 } id ? id : ContentId(delivery.Body.Span);
        using var activity = MessagingTelemetry.StartProcess(_queue, messageId, MessagingTelemetry.Extract(properties.Headers), attempt, delivery.Redelivered);
        using var logScope = _logger.BeginScope(new Dictionary<string, object>
        {
            ["MessageId"] = messageId, ["Queue"] = _queue, ["Attempt"] = attempt,
        });

        if (!TryRead(delivery, out var message, out var poisonType, out var poisonReason))
        {
            LogPoison(_logger, messageId, _queue, poisonReason);
            activity?.SetStatus(ActivityStatusCode.Error, poisonReason);
            await DeadLetterAsync(channel, delivery, messageId, attempt, DeadLetterReasons.Poison, poisonType, poisonReason);
            _metrics.Duration(_queue, DeadLetterReasons.Poison, _time.GetElapsedTime(started));
            return;
        }

        var context = new MessageContext(_queue, messageId, attempt, delivery.Redelivered,
            properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null);
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(message, context, _abortHandlers.Token);
        }
        catch (OperationCanceledException) when (_abortHandlers.IsCancellationRequested)
        {
            LogAbandoned(_logger, messageId, _queue);
            activity?.SetStatus(ActivityStatusCode.Error, "abandoned at shutdown");
            _metrics.Duration(_queue, "abandoned", _time.GetElapsedTime(started));
            return;
        }
        catch (MessageRejectedException rejected)
        {
            _metrics.Failed(_queue);
            MessagingTelemetry.RecordException(activity, rejected);
            var outcome = await DeadLetterAsync(channel, delivery, messageId, attempt, DeadLetterReasons.Rejected,
                rejected.InnerException?.GetType().FullName ?? rejected.GetType().FullName!, rejected.Message);
            _metrics.Duration(_queue, outcome, _time.GetElapsedTime(started));
            return;
        }
        catch (Exception ex)
        {
            _metrics.Failed(_queue);
            MessagingTelemetry.RecordException(activity, ex);
            var outcome = await RetryOrDeadLetterAsync(channel, delivery, messageId, attempt, ex);
            _metrics.Duration(_queue, outcome, _time.GetElapsedTime(started));
            return;
        }

        if (await AckAsync(channel, delivery.DeliveryTag, messageId))
        {
            _metrics.Processed(_queue);
        }

        _metrics.Duration(_queue, "success", _time.GetElapsedTime(started));
    }

    private static bool TryRead(BasicDeliverEventArgs delivery, out TMessage message, out string poisonType, out string poisonReason)
    {
        message = default!;
        poisonType = string.Empty;
        poisonReason = string.Empty;
        var properties = delivery.BasicProperties;
        var contentType = properties.ContentType?.Split(';', 2)[0].Trim();
        if (!string.IsNullOrEmpty(contentType) && !string.Equals(contentType, MessageSerializer.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            poisonType = "content-type";
            poisonReason = $"Content type '{properties.ContentType}' is not {MessageSerializer.ContentType}.";
            return false;
        }

        var expectedType = MessageSerializer.TypeName<TMessage>();
        if (!string.IsNullOrEmpty(properties.Type) && properties.Type != expectedType)
        {
            poisonType = "message-type";
            poisonReason = $"Message type '{properties.Type}' where this queue's consumer reads '{expectedType}'.";
            return false;
        }

        try
        {
            message = MessageSerializer.Deserialize<TMessage>(delivery.Body.Span);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            poisonType = ex.GetType().FullName!;
            poisonReason = MessagingTelemetry.Truncate($"The body is not a valid {expectedType}: {ex.Message}");
            return false;
        }
    }

    private async Task<string> RetryOrDeadLetterAsync(IChannel channel, BasicDeliverEventArgs delivery, string messageId, int attempt, Exception exception)
    {
        var level = _queueTopology.RetryAfter(attempt);
        if (level is null)
        {
            LogRetriesExhausted(_logger, exception, messageId, _queue, attempt);
            return await DeadLetterAsync(channel, delivery, messageId, attempt, DeadLetterReasons.RetriesExhausted,
                exception.GetType().FullName!, exception.Message);
        }

        var properties = CopyForRepublish(delivery.BasicProperties);
        properties.Headers![MessageHeaders.Attempt] = attempt + 1;
        properties.Headers[MessageHeaders.LastError] = MessagingTelemetry.Describe(exception);
        try
        {
            await _publisher.PublishConfirmedAsync(string.Empty, level.QueueName, properties, delivery.Body, _queue, CancellationToken.None);
        }
        catch (MessagePublishException publishFailure)
        {
            LogHandOffFailed(_logger, publishFailure, messageId, _queue, level.QueueName);
            await RequeueAsync(channel, delivery.DeliveryTag, messageId);
            return "requeued";
        }

        LogRetrying(_logger, exception, messageId, _queue, attempt, level.Delay.TotalMilliseconds);
        if (await AckAsync(channel, delivery.DeliveryTag, messageId))
        {
            _metrics.Retried(_queue);
        }

        return "retry";
    }

    private async Task<string> DeadLetterAsync(IChannel channel, BasicDeliverEventArgs delivery, string messageId, int attempt,
        string reason, string exceptionType, string exceptionMessage)
    {
        var properties = CopyForRepublish(delivery.BasicProperties);
        var headers = properties.Headers!;
        headers[MessageHeaders.DeadLetterReason] = reason;
        headers[MessageHeaders.ExceptionType] = exceptionType;
        headers[MessageHeaders.ExceptionMessage] = MessagingTelemetry.Truncate(exceptionMessage);
        headers[MessageHeaders.Attempts] = attempt;
        headers[MessageHeaders.OriginalQueue] = _queue;
        headers[MessageHeaders.DeadLetteredAt] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        try
        {
            await _publisher.PublishConfirmedAsync(MessagingTopology.DeadLetterExchange, _queue, properties, delivery.Body, _queue, CancellationToken.None);
        }
        catch (MessagePublishException publishFailure)
        {
            LogHandOffFailed(_logger, publishFailure, messageId, _queue, _queueTopology.DeadLetterQueue);
            await RequeueAsync(channel, delivery.DeliveryTag, messageId);
            return "requeued";
        }

        LogDeadLettered(_logger, messageId, _queue, _queueTopology.DeadLetterQueue, reason, attempt);
        if (await AckAsync(channel, delivery.DeliveryTag, messageId))
        {
            _metrics.DeadLettered(_queue, reason);
        }

        return reason;
    }

    private static BasicProperties CopyForRepublish(IReadOnlyBasicProperties original)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (original.Headers is not null)
        {
            foreach (var (key, value) in original.Headers)
            {
                if (!MessageHeaders.BrokerManaged.Contains(key))
                {
                    headers[key] = value;
                }
            }
        }

        return new BasicProperties(original)
        {
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
    }

    private async Task<bool> AckAsync(IChannel channel, ulong deliveryTag, string messageId)
    {
        try
        {
            await channel.BasicAckAsync(deliveryTag, multiple: false, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            LogAckFailed(_logger, ex, messageId, _queue);
            return false;
        }
    }

    private async Task RequeueAsync(IChannel channel, ulong deliveryTag, string messageId)
    {
        try
        {
            await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            LogAckFailed(_logger, ex, messageId, _queue);
        }
    }

    private async Task CancelConsumerAsync(CancellationToken cancellationToken)
    {
        if (_channel is not { IsOpen: true } channel || _consumer is null)
        {
            return;
        }

        foreach (var tag in _consumer.ConsumerTags)
        {
            try
            {
                await channel.BasicCancelAsync(tag, noWait: false, cancellationToken);
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or OperationCanceledException)
            {
                LogCancelFailed(_logger, ex, _queue);
            }
        }
    }

    /// <summary>
    /// Closes the channel, which makes the broker take back every unacknowledged message as soon as it confirms the
    /// close. RabbitMQ.Client then also waits for handlers still running on the channel; a handler that ignores its
    /// cancellation is not waited for beyond <see cref="CloseGrace"/>, its message is safe in the queue already.
    /// </summary>
    private async Task CloseChannelAsync()
    {
        var channel = Interlocked.Exchange(ref _channel, null);
        _consumer = null;
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.CloseAsync(Constants.ReplySuccess, "consumer stopped", abort: true, CancellationToken.None).WaitAsync(CloseGrace, _time);
            await channel.DisposeAsync();
        }
        catch (TimeoutException)
        {
            LogCloseTimedOut(_logger, _queue, Volatile.Read(ref _inFlight));
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            // The channel went down with its connection; the broker has already taken its messages back.
        }
    }

    /// <summary>A stable id for a message published without one, so redeliveries of it still look alike to handlers.</summary>
    private static string ContentId(ReadOnlySpan<byte> body) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body))[..32];

    [LoggerMessage(LogLevel.Information, "Consuming {Queue} with {Handler} (prefetch {Prefetch}, concurrency {Concurrency})")]
    private static partial void LogConsuming(ILogger logger, string queue, string handler, ushort prefetch, ushort concurrency);

    [LoggerMessage(LogLevel.Warning, "Consumer of {Queue} was lost ({Reason}); starting it again")]
    private static partial void LogConsumerLost(ILogger logger, string queue, string reason);

    [LoggerMessage(LogLevel.Warning, "Could not start consuming {Queue}; trying again in {DelaySeconds} s")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string queue, double delaySeconds);

    [LoggerMessage(LogLevel.Warning, "Shutdown timeout reached with {InFlight} handler(s) of {Queue} still running; cancelling them, their messages go back to the queue")]
    private static partial void LogDrainTimedOut(ILogger logger, string queue, int inFlight);

    [LoggerMessage(LogLevel.Error, "Message {MessageId} on {Queue} is poison: {Reason}")]
    private static partial void LogPoison(ILogger logger, string messageId, string queue, string reason);

    [LoggerMessage(LogLevel.Warning, "Handler for message {MessageId} on {Queue} was cancelled at shutdown; the broker will deliver it again")]
    private static partial void LogAbandoned(ILogger logger, string messageId, string queue);

    [LoggerMessage(LogLevel.Warning, "Message {MessageId} on {Queue} failed attempt {Attempt}; retrying in {DelayMilliseconds} ms")]
    private static partial void LogRetrying(ILogger logger, Exception exception, string messageId, string queue, int attempt, double delayMilliseconds);

    [LoggerMessage(LogLevel.Error, "Message {MessageId} on {Queue} failed its last attempt ({Attempt})")]
    private static partial void LogRetriesExhausted(ILogger logger, Exception exception, string messageId, string queue, int attempt);

    [LoggerMessage(LogLevel.Error, "Message {MessageId} from {Queue} moved to {DeadLetterQueue} ({Reason}, {Attempts} attempt(s))")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string queue, string deadLetterQueue, string reason, int attempts);

    [LoggerMessage(LogLevel.Error, "Could not hand message {MessageId} from {Queue} over to {Target}; returning it to the queue")]
    private static partial void LogHandOffFailed(ILogger logger, Exception exception, string messageId, string queue, string target);

    [LoggerMessage(LogLevel.Warning, "Could not settle message {MessageId} on {Queue}; the broker will deliver it again")]
    private static partial void LogAckFailed(ILogger logger, Exception exception, string messageId, string queue);

    [LoggerMessage(LogLevel.Warning, "Closed the channel of {Queue} with {InFlight} handler(s) still running; their messages are back in the queue")]
    private static partial void LogCloseTimedOut(ILogger logger, string queue, int inFlight);

    [LoggerMessage(LogLevel.Debug, "Cancelling the consumer of {Queue} failed")]
    private static partial void LogCancelFailed(ILogger logger, Exception exception, string queue);
}
