using System.ComponentModel.DataAnnotations;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Configuration section <c>Messaging</c> (e.g. <c>Messaging__MaxAttempts=5</c>). Every process that declares the
/// topology should use the same retry settings: the delay queues are named after their delays, so differing values
/// add queues rather than conflict, but only the consuming process's values decide where its retries go.
/// </summary>
public sealed class MessagingOptions : IValidatableObject
{
    public const string SectionName = "Messaging";

    /// <summary>How many times a handler gets a message before it goes to the dead-letter queue.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the second attempt; each further retry waits twice as long, up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Unacknowledged messages the broker may push to one consumer ahead of its handlers.</summary>
    [Range(1, 1000)]
    public ushort Prefetch { get; set; } = 8;

    /// <summary>Handlers one consumer runs at the same time.</summary>
    [Range(1, 256)]
    public ushort Concurrency { get; set; } = 2;

    /// <summary>How long a publish waits for the broker's confirm before it is reported as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxDelay < RetryInitialDelay)
        {
            yield return new ValidationResult("Messaging:RetryMaxDelay must not be shorter than Messaging:RetryInitialDelay.",
                [nameof(RetryMaxDelay)]);
        }

        if (Prefetch < Concurrency)
        {
            yield return new ValidationResult("Messaging:Prefetch must be at least Messaging:Concurrency, or handlers sit idle.",
                [nameof(Prefetch)]);
        }
    }
}

/// <summary>Per-consumer overrides of <see cref="MessagingOptions.Prefetch"/> and <see cref="MessagingOptions.Concurrency"/>.</summary>
public sealed class ConsumerOptions
{
    public ushort? Prefetch { get; set; }
    public ushort? Concurrency { get; set; }
}
