namespace AioStorage.Core.Messaging;

/// <summary>Publishes contracts to the work queues. Safe for concurrent callers.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Publishes <paramref name="message"/> as a persistent JSON message to <paramref name="queue"/> (one of
    /// <see cref="QueueNames"/>) and completes once the broker has confirmed it. Returns the message id.
    /// </summary>
    /// <exception cref="MessagePublishException">The broker refused or returned the message, the connection is down, or no confirm came in time.</exception>
    Task<string> PublishAsync<T>(string queue, T message, CancellationToken cancellationToken = default) where T : notnull;

    /// <summary>As above, with a caller-chosen <paramref name="messageId"/> (handlers use it to stay idempotent).</summary>
    Task<string> PublishAsync<T>(string queue, T message, string messageId, CancellationToken cancellationToken = default) where T : notnull;

    /// <summary>
    /// Publishes a message serialized earlier (by the outbox) as <paramref name="messageType"/>, under the current activity,
    /// and completes once the broker has confirmed it.
    /// </summary>
    Task PublishSerializedAsync(string queue, string messageType, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken = default);
}

/// <summary>A publish that did not reach a durable queue; the caller decides whether to retry or fail its request.</summary>
public sealed class MessagePublishException(string queue, string messageId, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Queue { get; } = queue;
    public string MessageId { get; } = messageId;
}
