using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class RecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = QueueNames.FileUpload;
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("recovery");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task The_consumer_keeps_working_after_the_broker_drops_its_connection()
    {
        var probe = new HandlerProbe();
        using var worker = await StartWorkerAsync(probe);
        using var api = await MessagingTestHost.StartAsync(_vhost, output, "api");
        var publisher = api.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishAsync(Queue, new TestMessage("before"), "before");
        await MessagingTestHost.WaitUntilAsync(() => probe.Calls.Count == 1, "the first message");

        Assert.Equal(1, await _vhost.ForceCloseConnectionsAsync("worker", TimeSpan.FromSeconds(10)));
        await publisher.PublishAsync(Queue, new TestMessage("after"), "after");

        await MessagingTestHost.WaitUntilAsync(() => probe.Calls.Count == 2, "the message published while the worker reconnected");
        Assert.Equal(["before", "after"], probe.Calls.Select(c => c.Context.MessageId));
        Assert.Equal(0u, await _vhost.MessageCountAsync(Queue));
        Assert.Equal(1u, await _vhost.ConsumerCountAsync(Queue));
    }

    [Fact]
    public async Task The_publisher_works_again_once_its_connection_is_back()
    {
        using var api = await MessagingTestHost.StartAsync(_vhost, output, "api");
        var publisher = api.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishAsync(Queue, new TestMessage("before"));

        Assert.Equal(1, await _vhost.ForceCloseConnectionsAsync("api", TimeSpan.FromSeconds(10)));
        var failures = 0;
        await MessagingTestHost.WaitUntilAsync(async () =>
        {
            try
            {
                await publisher.PublishAsync(Queue, new TestMessage("after"));
                return true;
            }
            catch (MessagePublishException)
            {
                failures++;
                return false;
            }
        }, "a publish to succeed after recovery");

        output.WriteLine($"{failures} publish(es) failed while the connection recovered");
        Assert.Equal(2u, await _vhost.MessageCountAsync(Queue));
    }

    [Fact]
    public async Task The_consumer_comes_back_when_its_queue_was_deleted_under_it()
    {
        var probe = new HandlerProbe();
        using var worker = await StartWorkerAsync(probe);
        await MessagingTestHost.WaitForConsumersAsync(_vhost, Queue, 1);

        await _vhost.DeleteQueueAsync(Queue);

        await MessagingTestHost.WaitForConsumersAsync(_vhost, Queue, 1);
        var queue = await _vhost.GetQueueAsync(Queue);
        Assert.Equal("aio.dlx", queue.GetProperty("arguments").GetProperty("x-dead-letter-exchange").GetString());
        await worker.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("after"), "after");
        await MessagingTestHost.WaitUntilAsync(() => probe.Calls.Count == 1, "the message published to the re-declared queue");
    }

    private Task<IHost> StartWorkerAsync(HandlerProbe probe) =>
        MessagingTestHost.StartAsync(_vhost, output, "worker",
            consumers: m => m.AddConsumer<TestMessage, ProbeHandler>(Queue),
            services: ProbeRegistration.With(probe));
}
