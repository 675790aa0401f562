using System.Globalization;
using System.Text;

namespace AioStorage.Core.Messaging;

/// <summary>AMQP header names AIO Storage sets, and how to read them back whatever wire type the broker chose.</summary>
public static class MessageHeaders
{
    /// <summary>W3C trace context, so a message continues the trace of whoever published it.</summary>
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>1-based number of the delivery attempt this copy of the message is for; absent on the first.</summary>
    public const string Attempt = "x-aio-attempt";

    /// <summary>On a retry copy: <c>ExceptionType: message</c> of the failure that caused it.</summary>
    public const string LastError = "x-aio-last-error";

    /// <summary>On a dead letter: <see cref="DeadLetterReasons"/> value.</summary>
    public const string DeadLetterReason = "x-aio-dead-letter-reason";
    public const string ExceptionType = "x-aio-exception-type";
    public const string ExceptionMessage = "x-aio-exception-message";
    public const string Attempts = "x-aio-attempts";
    public const string OriginalQueue = "x-aio-original-queue";
    public const string DeadLetteredAt = "x-aio-dead-lettered-at";

    /// <summary>Headers the broker (x-death and friends) or the client library add, which a republished copy must not carry.</summary>
    internal static readonly HashSet<string> BrokerManaged = new(StringComparer.Ordinal)
    {
        "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
        "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason", "x-dotnet-pub-seq-no",
    };

    public static string? GetString(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? AsString(value) : null;

    public static int? GetInt32(IDictionary<string, object?>? headers, string name)
    {
        if (headers is null || !headers.TryGetValue(name, out var value))
        {
            return null;
        }

        return value switch
        {
            int i => i,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            short s => s,
            byte b => b,
            sbyte sb => sb,
            ushort us => us,
            uint ui when ui <= int.MaxValue => (int)ui,
            _ => int.TryParse(AsString(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
        };
    }

    // AMQP long strings arrive as byte[] whatever type they were published with.
    private static string? AsString(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

public static class DeadLetterReasons
{
    /// <summary>The handler failed on every allowed attempt.</summary>
    public const string RetriesExhausted = "retries-exhausted";

    /// <summary>The message could not be read as the queue's contract; retrying cannot help.</summary>
    public const string Poison = "poison";

    /// <summary>The handler threw <see cref="MessageRejectedException"/>: the work can never succeed (corrupt input).</summary>
    public const string Rejected = "rejected";
}
