using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class PublisherTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("publisher");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task A_confirmed_publish_is_a_persistent_json_message_in_a_durable_queue()
    {
        using var host = await MessagingTestHost.StartAsync(_vhost, output, "api");
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        var sentAt = new DateTimeOffset(2025, 3, 1, 12, 30, 15, TimeSpan.Zero);
        using var source = new ActivitySource("AioStorage.Tests.Publisher");
        using var listener = ListenTo(source.Name);
        using var request = source.StartActivity("POST /api/v1/system/ping");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var messageId = await publisher.PublishAsync(QueueNames.WorkerPing, new WorkerPing("ping-1", sentAt), "message-1");

        Assert.Equal("message-1", messageId);
        Assert.True((await _vhost.GetQueueAsync(QueueNames.WorkerPing)).GetProperty("durable").GetBoolean());
        var stored = await _vhost.GetAsync(QueueNames.WorkerPing);
        Assert.NotNull(stored);
        var properties = stored.BasicProperties;
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("message-1", properties.MessageId);
        Assert.Equal("WorkerPing", properties.Type);
        Assert.InRange(properties.Timestamp.UnixTime, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var traceParent = MessageHeaders.GetString(properties.Headers, MessageHeaders.TraceParent);
        Assert.NotNull(traceParent);
        Assert.Contains(request!.TraceId.ToHexString(), traceParent);

        using var body = JsonDocument.Parse(stored.Body);
        Assert.Equal("ping-1", body.RootElement.GetProperty("id").GetString());
        Assert.Equal(sentAt, body.RootElement.GetProperty("sentAt").GetDateTimeOffset());
        Assert.Equal(WorkerPingJson("ping-1", sentAt), Encoding.UTF8.GetString(stored.Body.Span));
    }

    [Fact]
    public async Task Concurrent_publishes_are_each_confirmed_exactly_once()
    {
        using var host = await MessagingTestHost.StartAsync(_vhost, output, "api");
        using var metrics = new MessagingMetricsCapture(host.Services);
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();

        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => publisher.PublishAsync(QueueNames.FileUpload, new TestMessage($"m{i}")))));

        Assert.Equal(200, ids.Distinct().Count());
        Assert.Equal(200u, await _vhost.MessageCountAsync(QueueNames.FileUpload));
        Assert.Equal(200, metrics.Sum("aio.messaging.messages.published", QueueNames.FileUpload));
    }

    [Fact]
    public async Task A_message_the_broker_cannot_route_fails_the_publish_instead_of_vanishing()
    {
        using var host = await MessagingTestHost.StartAsync(_vhost, output, "api");
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishAsync(QueueNames.FileDownload, new TestMessage("declares the topology"));
        await _vhost.DeleteQueueAsync(QueueNames.FileDownload);

        var failure = await Assert.ThrowsAsync<MessagePublishException>(() =>
            publisher.PublishAsync(QueueNames.FileDownload, new TestMessage("lost?"), "unroutable-1"));

        Assert.Equal(QueueNames.FileDownload, failure.Queue);
        Assert.Equal("unroutable-1", failure.MessageId);
        Assert.IsType<PublishReturnException>(failure.InnerException);
        Assert.Equal("ok", (await publisher.PublishAsync(QueueNames.WorkerPing, new TestMessage("channel still usable"), "ok")));
    }

    [Fact]
    public async Task Publishing_to_a_queue_outside_the_topology_is_refused()
    {
        using var host = await MessagingTestHost.StartAsync(_vhost, output, "api");
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();

        await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync("file.upload.dlq", new TestMessage("no")));
    }

    [Fact]
    public async Task Start_up_declares_the_topology_before_anything_is_published()
    {
        using var host = await MessagingTestHost.StartAsync(_vhost, output, "api");

        await MessagingTestHost.WaitUntilAsync(async () =>
            (await _vhost.GetQueuesAsync()).EnumerateArray().Count() == QueueNames.All.Count * 4, "the topology to be declared");
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_a_reachable_broker_a_publish_fails_with_a_publish_exception()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IConnection>(_ =>
            new ConnectionFactory { Uri = new Uri("amqp://guest:guest@127.0.0.1:1/") }.CreateConnectionAsync().GetAwaiter().GetResult());
        builder.AddAioMessaging(o => o.PublishTimeout = TimeSpan.FromSeconds(5));
        using var host = builder.Build();
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();

        var failure = await Assert.ThrowsAsync<MessagePublishException>(() =>
            publisher.PublishAsync(QueueNames.WorkerPing, new TestMessage("nowhere to go"), "nowhere-1"));

        Assert.Equal("nowhere-1", failure.MessageId);
        Assert.IsType<BrokerUnreachableException>(failure.InnerException);
    }

    private static string WorkerPingJson(string id, DateTimeOffset sentAt) =>
        JsonSerializer.Serialize(new { id, sentAt });

    private static ActivityListener ListenTo(string sourceName)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
