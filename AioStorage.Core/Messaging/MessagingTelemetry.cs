using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Tracing and metrics of the messaging layer. Spans come from the ActivitySource <see cref="SourceName"/>; trace
/// context travels in W3C <c>traceparent</c>/<c>tracestate</c> headers, written by a fixed propagator so it flows
/// whether or not an OpenTelemetry SDK configured the global one.
/// </summary>
public static class MessagingTelemetry
{
    public const string SourceName = "AioStorage.Messaging";
    public const string MeterName = "AioStorage.Messaging";

    public const string QueueTag = "messaging.destination.name";
    public const string OutcomeTag = "aio.messaging.outcome";
    public const string DeadLetterReasonTag = "aio.messaging.dead_letter_reason";

    public static readonly ActivitySource Source = new(SourceName);

    private static readonly TextMapPropagator Propagator =
        new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()]);

    internal static Activity? StartPublish(string queue, string messageId, int bodySize)
    {
        var activity = Source.StartActivity($"send {queue}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            SetMessagingTags(activity, queue, messageId, "send", "send");
            activity.SetTag("messaging.message.body.size", bodySize);
        }

        return activity;
    }

    internal static Activity? StartProcess(string queue, string messageId, PropagationContext parent, int attempt, bool redelivered)
    {
        // The explicit parent wins over Activity.Current, which RabbitMQ.Client may have set to its own "deliver" span.
        var activity = Source.StartActivity($"process {queue}", ActivityKind.Consumer, parent.ActivityContext);
        if (activity is { IsAllDataRequested: true })
        {
            SetMessagingTags(activity, queue, messageId, "process", "process");
            activity.SetTag("messaging.rabbitmq.attempt", attempt);
            activity.SetTag("messaging.rabbitmq.redelivered", redelivered);
        }

        Baggage.Current = parent.Baggage;
        return activity;
    }

    /// <summary>Writes the context of <paramref name="activity"/> (or, without one, of the ambient activity) into the headers.</summary>
    internal static void Inject(Activity? activity, IDictionary<string, object?> headers)
    {
        var context = (activity ?? Activity.Current)?.Context ?? default;
        if (context == default)
        {
            return;
        }

        Propagator.Inject(new PropagationContext(context, Baggage.Current), headers, static (carrier, key, value) => carrier[key] = value);
    }

    internal static PropagationContext Extract(IDictionary<string, object?>? headers) =>
        headers is null
            ? default
            : Propagator.Extract(default, headers, static (carrier, key) =>
                MessageHeaders.GetString(carrier, key) is { } value ? [value] : []);

    internal static void RecordException(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
        activity.AddException(exception);
    }

    private static void SetMessagingTags(Activity activity, string queue, string messageId, string operationName, string operationType)
    {
        activity.SetTag("messaging.system", "rabbitmq");
        activity.SetTag("messaging.operation.name", operationName);
        activity.SetTag("messaging.operation.type", operationType);
        activity.SetTag(QueueTag, queue);
        activity.SetTag("messaging.message.id", messageId);
    }

    internal static string Describe(Exception exception) => Truncate($"{exception.GetType().FullName}: {exception.Message}");

    /// <summary>Keeps failure text in headers and tags bounded: an exception message can quote a whole input.</summary>
    internal static string Truncate(string text, int max = 1024) => text.Length <= max ? text : text[..max];
}

/// <summary>Counters and the duration histogram of the Meter <see cref="MessagingTelemetry.MeterName"/>, tagged by queue.</summary>
public sealed class MessagingMetrics
{
    private readonly Counter<long> _published;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _duration;

    public MessagingMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(MessagingTelemetry.MeterName) ?? new Meter(MessagingTelemetry.MeterName);
        _published = meter.CreateCounter<long>("aio.messaging.messages.published", "{message}", "Messages the broker confirmed.");
        _processed = meter.CreateCounter<long>("aio.messaging.messages.processed", "{message}", "Messages a handler completed and that were acknowledged.");
        _failed = meter.CreateCounter<long>("aio.messaging.messages.failed", "{message}", "Handler attempts that threw.");
        _retried = meter.CreateCounter<long>("aio.messaging.messages.retried", "{message}", "Failed messages sent to a delay queue for another attempt.");
        _deadLettered = meter.CreateCounter<long>("aio.messaging.messages.dead_lettered", "{message}", "Messages moved to a dead-letter queue.");
        _duration = meter.CreateHistogram<double>("aio.messaging.process.duration", "s", "Time from delivery to acknowledgement or hand-off.");
    }

    internal void Published(string queue) => _published.Add(1, Queue(queue));
    internal void Processed(string queue) => _processed.Add(1, Queue(queue));
    internal void Failed(string queue) => _failed.Add(1, Queue(queue));
    internal void Retried(string queue) => _retried.Add(1, Queue(queue));

    internal void DeadLettered(string queue, string reason) =>
        _deadLettered.Add(1, Queue(queue), new KeyValuePair<string, object?>(MessagingTelemetry.DeadLetterReasonTag, reason));

    internal void Duration(string queue, string outcome, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, Queue(queue), new KeyValuePair<string, object?>(MessagingTelemetry.OutcomeTag, outcome));

    private static KeyValuePair<string, object?> Queue(string queue) => new(MessagingTelemetry.QueueTag, queue);
}
