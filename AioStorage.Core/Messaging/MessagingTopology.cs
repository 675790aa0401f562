using System.Globalization;
using RabbitMQ.Client;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Everything AIO Storage declares on the broker, derived from <see cref="MessagingOptions"/>:
/// per work queue a durable main queue that dead-letters into <see cref="DeadLetterExchange"/>, a dead-letter queue
/// bound there, and one delay queue per back-off level. A delay queue has a queue-level TTL (every message in it
/// waits equally long, so none blocks the ones behind it) and dead-letters expired messages back into its main queue.
/// </summary>
public sealed class MessagingTopology
{
    public const string DeadLetterExchange = "aio.dlx";

    public const string DeadLetterExchangeArgument = "x-dead-letter-exchange";
    public const string DeadLetterRoutingKeyArgument = "x-dead-letter-routing-key";
    public const string MessageTtlArgument = "x-message-ttl";

    private readonly Dictionary<string, QueueTopology> _byName;

    public MessagingTopology(MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var delays = Enumerable.Range(1, options.MaxAttempts - 1)
            .Select(level => BackoffDelay(options, level))
            .ToArray();
        Queues = QueueNames.All.Select(name => new QueueTopology(
                name,
                $"{name}.dlq",
                delays.Select((delay, i) => new RetryLevel(i + 1, delay, $"{name}.retry.{FormatDelay(delay)}")).ToArray()))
            .ToArray();
        _byName = Queues.ToDictionary(q => q.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<QueueTopology> Queues { get; }

    public QueueTopology this[string queue] => _byName.TryGetValue(queue, out var topology)
        ? topology
        : throw new ArgumentException($"'{queue}' is not one of the declared queues ({string.Join(", ", QueueNames.All)}).", nameof(queue));

    public bool Contains(string queue) => _byName.ContainsKey(queue);

    /// <summary>Declares everything; safe to repeat, and fails (406 PRECONDITION_FAILED) only if an entity exists with other arguments.</summary>
    public async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Direct, durable: true, autoDelete: false,
            arguments: null, cancellationToken: cancellationToken);

        foreach (var queue in Queues)
        {
            await channel.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false,
                arguments: queue.MainQueueArguments(), cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(queue.DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
                arguments: null, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue.DeadLetterQueue, DeadLetterExchange, routingKey: queue.Name,
                arguments: null, cancellationToken: cancellationToken);

            foreach (var level in queue.RetryLevels)
            {
                await channel.QueueDeclareAsync(level.QueueName, durable: true, exclusive: false, autoDelete: false,
                    arguments: queue.RetryQueueArguments(level), cancellationToken: cancellationToken);
            }
        }
    }

    /// <summary>Initial delay doubled per level, capped at the maximum.</summary>
    public static TimeSpan BackoffDelay(MessagingOptions options, int level)
    {
        var factor = Math.Pow(2, level - 1);
        var milliseconds = Math.Min(options.RetryInitialDelay.TotalMilliseconds * factor, options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Round(milliseconds));
    }

    internal static string FormatDelay(TimeSpan delay)
    {
        var ms = (long)delay.TotalMilliseconds;
        return ms % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s")
            : string.Create(CultureInfo.InvariantCulture, $"{ms}ms");
    }
}

/// <summary>One work queue and its companions.</summary>
public sealed record QueueTopology(string Name, string DeadLetterQueue, IReadOnlyList<RetryLevel> RetryLevels)
{
    /// <summary>The delay queue a message goes to after failing attempt <paramref name="failedAttempt"/> (1-based), if any is left.</summary>
    public RetryLevel? RetryAfter(int failedAttempt) =>
        failedAttempt >= 1 && failedAttempt <= RetryLevels.Count ? RetryLevels[failedAttempt - 1] : null;

    public Dictionary<string, object?> MainQueueArguments() => new()
    {
        [MessagingTopology.DeadLetterExchangeArgument] = MessagingTopology.DeadLetterExchange,
        [MessagingTopology.DeadLetterRoutingKeyArgument] = Name,
    };

    public Dictionary<string, object?> RetryQueueArguments(RetryLevel level) => new()
    {
        [MessagingTopology.MessageTtlArgument] = (long)level.Delay.TotalMilliseconds,
        // The default exchange routes by queue name, so expiry delivers straight back into the main queue.
        [MessagingTopology.DeadLetterExchangeArgument] = string.Empty,
        [MessagingTopology.DeadLetterRoutingKeyArgument] = Name,
    };
}

/// <summary>Back-off level <paramref name="Level"/> (1 = first retry): its delay and the delay queue that implements it.</summary>
public sealed record RetryLevel(int Level, TimeSpan Delay, string QueueName);
