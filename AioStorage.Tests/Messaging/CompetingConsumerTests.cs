using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class CompetingConsumerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = QueueNames.FileDownload;
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("competing");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task Two_workers_on_one_queue_share_the_work_and_no_message_is_handled_twice()
    {
        var probes = new[] { new HandlerProbe(), new HandlerProbe() };
        foreach (var probe in probes)
        {
            probe.Behavior = (_, _, ct) => Task.Delay(10, ct);
        }

        using var workerA = await StartWorkerAsync("worker-a", probes[0]);
        using var workerB = await StartWorkerAsync("worker-b", probes[1]);
        using var api = await MessagingTestHost.StartAsync(_vhost, output, "api");
        await MessagingTestHost.WaitForConsumersAsync(_vhost, Queue, 2);
        var publisher = api.Services.GetRequiredService<IMessagePublisher>();

        var published = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => publisher.PublishAsync(Queue, new TestMessage($"job {i}"))));

        await MessagingTestHost.WaitUntilAsync(() => probes.Sum(p => p.Calls.Count) >= 40, "all 40 messages to be handled");
        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync(Queue) == 0, "an empty queue");
        await Task.Delay(300);
        var handled = probes.SelectMany(p => p.Calls).Select(c => c.Context.MessageId).ToList();
        Assert.Equal(published.Order(), handled.Order());
        Assert.All(probes, p => Assert.NotEmpty(p.Calls));
        Assert.All(probes.SelectMany(p => p.Calls), c => Assert.False(c.Context.Redelivered));
        output.WriteLine($"worker-a handled {probes[0].Calls.Count}, worker-b handled {probes[1].Calls.Count}");
    }

    private Task<Microsoft.Extensions.Hosting.IHost> StartWorkerAsync(string name, HandlerProbe probe) =>
        MessagingTestHost.StartAsync(_vhost, output, name,
            consumers: m => m.AddConsumer<TestMessage, ProbeHandler>(Queue, c =>
            {
                c.Concurrency = 1;
                c.Prefetch = 1;
            }),
            services: ProbeRegistration.With(probe));
}
