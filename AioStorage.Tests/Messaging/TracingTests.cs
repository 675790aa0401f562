using System.Collections.Concurrent;
using System.Diagnostics;
using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

/// <summary>
/// One request is one trace across processes: the consumer's span descends from the publisher's. The listener also
/// records RabbitMQ.Client's own sources, as the Aspire client does, because that library then starts its own
/// "publish" span below ours (and writes it into traceparent) and a "deliver" span around the handler, which must
/// not become the parent of ours.
/// </summary>
public sealed class TracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = QueueNames.WorkerPing;
    private const string ApiSourceName = "AioStorage.Tests.Api";
    private static readonly ActivitySource Api = new(ApiSourceName);

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private TestVirtualHost _vhost = null!;
    private ActivityListener _listener = null!;

    public async Task InitializeAsync()
    {
        _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("tracing");
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ApiSourceName || s.Name == MessagingTelemetry.SourceName || s.Name.StartsWith("RabbitMQ.Client", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _vhost.DisposeAsync();
    }

    [Fact]
    public async Task The_consumer_span_descends_from_the_publish_span_in_the_same_trace()
    {
        var probe = new HandlerProbe();
        var seenByHandler = new ConcurrentQueue<(ActivityTraceId TraceId, ActivitySpanId SpanId)>();
        probe.Behavior = (_, _, _) =>
        {
            seenByHandler.Enqueue((Activity.Current!.TraceId, Activity.Current.SpanId));
            return Task.CompletedTask;
        };
        using var worker = await StartWorkerAsync(probe);
        using var api = await MessagingTestHost.StartAsync(_vhost, output, "api");

        ActivityTraceId traceId;
        using (var request = Api.StartActivity("POST /api/v1/system/ping", ActivityKind.Server))
        {
            traceId = request!.TraceId;
            await api.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("traced"), "traced-1");
        }

        await MessagingTestHost.WaitUntilAsync(() => Spans(traceId).Any(a => a.OperationName == $"process {Queue}"), "the consumer span to end");
        var spans = Spans(traceId);
        var publish = Assert.Single(spans, a => a.Source.Name == MessagingTelemetry.SourceName && a.Kind == ActivityKind.Producer);
        var process = Assert.Single(spans, a => a.Source.Name == MessagingTelemetry.SourceName && a.Kind == ActivityKind.Consumer);
        Assert.Equal($"send {Queue}", publish.OperationName);
        Assert.Equal("POST /api/v1/system/ping", Parent(spans, publish)?.OperationName);
        Assert.Equal($"process {Queue}", process.OperationName);
        Assert.Equal("traced-1", process.GetTagItem("messaging.message.id"));

        var ancestors = Ancestors(spans, process).ToList();
        Assert.Contains(publish, ancestors);
        Assert.All(ancestors.TakeWhile(a => a != publish), a =>
            Assert.True(a.Source.Name == "RabbitMQ.Client.Publisher" && a.Kind == ActivityKind.Producer,
                $"between publish and process only RabbitMQ.Client's publish span may sit, found {a.Source.Name} {a.OperationName}"));

        var (handlerTrace, handlerSpan) = Assert.Single(seenByHandler);
        Assert.Equal(traceId, handlerTrace);
        Assert.Equal(process.SpanId, handlerSpan);
    }

    [Fact]
    public async Task Retries_stay_in_the_publishers_trace()
    {
        var probe = new HandlerProbe
        {
            Behavior = (_, context, _) => context.Attempt == 1 ? throw new TimeoutException("first try times out") : Task.CompletedTask,
        };
        using var worker = await StartWorkerAsync(probe);

        ActivityTraceId traceId;
        using (var request = Api.StartActivity("POST /api/v1/uploads", ActivityKind.Server))
        {
            traceId = request!.TraceId;
            await worker.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("retried"));
        }

        await MessagingTestHost.WaitUntilAsync(() => Spans(traceId).Count(a => a.OperationName == $"process {Queue}") == 2, "both attempts' spans");
        var spans = Spans(traceId);
        var publish = Assert.Single(spans, a => a.Source.Name == MessagingTelemetry.SourceName && a.Kind == ActivityKind.Producer);
        var attempts = spans.Where(a => a.OperationName == $"process {Queue}").OrderBy(a => a.StartTimeUtc).ToList();
        Assert.All(attempts, a => Assert.Contains(publish, Ancestors(spans, a)));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("System.TimeoutException", attempts[0].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, attempts[1].Status);
        Assert.Equal([1, 2], attempts.Select(a => (int)a.GetTagItem("messaging.rabbitmq.attempt")!));
    }

    private List<Activity> Spans(ActivityTraceId traceId) => _stopped.Where(a => a.TraceId == traceId).ToList();

    private static Activity? Parent(List<Activity> spans, Activity activity) =>
        spans.FirstOrDefault(a => a.SpanId == activity.ParentSpanId);

    private static IEnumerable<Activity> Ancestors(List<Activity> spans, Activity activity)
    {
        for (var parent = Parent(spans, activity); parent is not null; parent = Parent(spans, parent))
        {
            yield return parent;
        }
    }

    private Task<IHost> StartWorkerAsync(HandlerProbe probe) =>
        MessagingTestHost.StartAsync(_vhost, output, "worker",
            consumers: m => m.AddConsumer<TestMessage, ProbeHandler>(Queue),
            services: ProbeRegistration.With(probe));
}
