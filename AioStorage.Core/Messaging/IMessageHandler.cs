namespace AioStorage.Core.Messaging;

/// <summary>
/// Handles the messages of one queue. A message is acknowledged only after <see cref="HandleAsync"/> completed;
/// a throw sends it round the retry delay queues and finally to the dead-letter queue. Delivery is at least once
/// (a crash between the work and the acknowledgement repeats the work), so handlers use
/// <see cref="MessageContext.MessageId"/> to stay idempotent.
/// </summary>
public interface IMessageHandler<in TMessage> where TMessage : notnull
{
    /// <param name="cancellationToken">Cancelled only when the host's shutdown timeout runs out with the handler still busy;
    /// the message then goes back to the queue.</param>
    Task HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Thrown by a handler when retrying cannot help (the input is corrupt, the work is impossible): the message goes to the
/// dead-letter queue at once, with <see cref="DeadLetterReasons.Rejected"/> and this message in its headers. The handler
/// records the outcome (a failed status with a reason) before it throws.
/// </summary>
public sealed class MessageRejectedException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <param name="MessageId">Stable across retries and redeliveries of the same message.</param>
/// <param name="Attempt">1 on the first delivery, counting up with each retry.</param>
/// <param name="Redelivered">The broker delivered this copy before without an acknowledgement (a consumer died or shut down mid-work).</param>
/// <param name="PublishedAt">When it was first published (whole seconds), if the publisher said.</param>
public sealed record MessageContext(string Queue, string MessageId, int Attempt, bool Redelivered, DateTimeOffset? PublishedAt);
