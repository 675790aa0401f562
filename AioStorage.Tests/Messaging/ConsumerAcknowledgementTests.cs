using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class ConsumerAcknowledgementTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = QueueNames.FileUpload;
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("ack");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task A_message_is_acknowledged_once_its_handler_completed()
    {
        var probe = new HandlerProbe();
        var host = await StartWorkerAsync(probe);
        using var metrics = new MessagingMetricsCapture(host.Services);

        var id = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("hello"));

        await MessagingTestHost.WaitUntilAsync(() => metrics.Sum("aio.messaging.messages.processed", Queue) == 1, "the message to be processed");
        var call = Assert.Single(probe.Calls);
        Assert.Equal(new TestMessage("hello"), call.Message);
        Assert.Equal(new MessageContext(Queue, id, 1, false, call.Context.PublishedAt), call.Context);
        Assert.NotNull(call.Context.PublishedAt);

        await host.StopAsync();
        host.Dispose();
        // Closing the channel would have handed an unacknowledged message back; nothing comes back.
        Assert.Equal(0u, await _vhost.MessageCountAsync(Queue));
        Assert.Equal(0u, await _vhost.MessageCountAsync($"{Queue}.dlq"));
    }

    [Fact]
    public async Task A_message_stays_unacknowledged_while_its_handler_runs()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new HandlerProbe
        {
            Behavior = async (_, _, _) =>
            {
                started.TrySetResult();
                await release.Task;
            },
        };
        var host = await StartWorkerAsync(probe, recoverConnection: false);
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("slow"), "slow-1");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0u, await _vhost.MessageCountAsync(Queue));

        // The worker's connection dies mid-work (and, like a dead process, does not come back): whatever it had not
        // acknowledged goes back to the queue.
        Assert.Equal(1, await _vhost.ForceCloseConnectionsAsync("worker", TimeSpan.FromSeconds(10)));

        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync(Queue) == 1, "the message to return to the queue");
        var returned = await _vhost.GetAsync(Queue);
        Assert.NotNull(returned);
        Assert.True(returned.Redelivered);
        Assert.Equal("slow-1", returned.BasicProperties.MessageId);

        release.SetResult();
        await host.StopAsync();
        host.Dispose();
    }

    private Task<IHost> StartWorkerAsync(HandlerProbe probe, bool recoverConnection = true) =>
        MessagingTestHost.StartAsync(_vhost, output, "worker",
            consumers: m => m.AddConsumer<TestMessage, ProbeHandler>(Queue, c => c.Concurrency = 1),
            services: ProbeRegistration.With(probe),
            recoverConnection: recoverConnection);
}
