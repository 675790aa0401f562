using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Publishes on one channel with publisher confirms and confirm tracking: RabbitMQ.Client serialises the sends and
/// lets the confirms of concurrent callers overlap, so one channel serves the whole process. Messages are published
/// <c>mandatory</c>, so an unroutable one comes back as a failure rather than vanishing.
/// </summary>
internal sealed partial class RabbitMqMessagePublisher(
    RabbitMqConnectionAccessor connections,
    MessagingTopologyInitializer topologyInitializer,
    MessagingTopology topology,
    MessagingMetrics metrics,
    IOptions<MessagingOptions> options,
    TimeProvider time,
    ILogger<RabbitMqMessagePublisher> logger) : IMessagePublisher, IAsyncDisposable
{
    private readonly SemaphoreSlim _channelGate = new(1, 1);
    private IChannel? _channel;

    public Task<string> PublishAsync<T>(string queue, T message, CancellationToken cancellationToken = default) where T : notnull =>
        PublishAsync(queue, message, Guid.NewGuid().ToString("N"), cancellationToken);

    public async Task<string> PublishAsync<T>(string queue, T message, string messageId, CancellationToken cancellationToken = default)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        await PublishSerializedAsync(queue, MessageSerializer.TypeName<T>(), MessageSerializer.Serialize(message), messageId, cancellationToken);
        return messageId;
    }

    public async Task PublishSerializedAsync(string queue, string messageType, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageType);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        if (!topology.Contains(queue))
        {
            throw new ArgumentException($"'{queue}' is not one of the declared queues ({string.Join(", ", QueueNames.All)}).", nameof(queue));
        }

        using var activity = MessagingTelemetry.StartPublish(queue, messageId, body.Length);
        var headers = new Dictionary<string, object?>();
        MessagingTelemetry.Inject(activity, headers);
        var properties = new BasicProperties
        {
            ContentType = MessageSerializer.ContentType,
            MessageId = messageId,
            Type = messageType,
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(time.GetUtcNow().ToUnixTimeSeconds()),
            Headers = headers,
        };

        try
        {
            await PublishConfirmedAsync(string.Empty, queue, properties, body, queue, cancellationToken);
        }
        catch (Exception ex)
        {
            MessagingTelemetry.RecordException(activity, ex);
            throw;
        }

        metrics.Published(queue);
    }

    /// <summary>
    /// Publishes <paramref name="body"/> and waits for the broker's confirm; used for first publishes and by consumers
    /// for retries and dead letters, which must be safely stored before the original is acknowledged.
    /// </summary>
    internal async Task PublishConfirmedAsync(
        string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, string queue, CancellationToken cancellationToken)
    {
        var messageId = properties.MessageId ?? string.Empty;
        using var timeout = new CancellationTokenSource(options.Value.PublishTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await topologyInitializer.EnsureDeclaredAsync(linked.Token);
            var channel = await GetChannelAsync(linked.Token);
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MessagePublishException(queue, messageId,
                $"Message {messageId} for '{queue}' was not published and confirmed within {options.Value.PublishTimeout.TotalSeconds:0.###} s.");
        }
        catch (PublishReturnException ex)
        {
            throw new MessagePublishException(queue, messageId,
                $"The broker returned message {messageId} as unroutable ({ex.ReplyCode} {ex.ReplyText}; exchange '{exchange}', routing key '{routingKey}').", ex);
        }
        catch (PublishException ex)
        {
            throw new MessagePublishException(queue, messageId,
                $"The broker {(ex.IsReturn ? "returned" : "refused (nack)")} message {messageId} for '{queue}'.", ex);
        }
        catch (Exception ex) when (ex is RabbitMQClientException or OperationInterruptedException or IOException or TimeoutException
                                       or ObjectDisposedException or InvalidOperationException)
        {
            LogPublishFailed(logger, ex, messageId, queue);
            throw new MessagePublishException(queue, messageId, $"Message {messageId} for '{queue}' was not published: {ex.Message}", ex);
        }
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await _channelGate.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } reopened)
            {
                return reopened;
            }

            var connection = await connections.GetAsync(cancellationToken);
            if (_channel is not null)
            {
                // Automatic recovery reopens channels after a lost connection; a channel that is closed while its
                // connection is open was closed by a channel error and will never come back.
                if (!connection.IsOpen)
                {
                    throw new InvalidOperationException("The AMQP connection is down; the client is recovering it.");
                }

                await DisposeChannelAsync(_channel);
            }

            _channel = await RabbitMqConnectionAccessor.CreateChannelAsync(connection,
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            return _channel;
        }
        finally
        {
            _channelGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
        {
            _channel = null;
            await DisposeChannelAsync(channel);
        }

        _channelGate.Dispose();
    }

    private static async Task DisposeChannelAsync(IChannel channel)
    {
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            // Nothing left to release: the channel went down with its connection.
        }
    }

    [LoggerMessage(LogLevel.Warning, "Publishing message {MessageId} to {Queue} failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string messageId, string queue);
}
