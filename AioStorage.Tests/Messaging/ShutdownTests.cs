using System.Diagnostics;
using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class ShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = QueueNames.VideoTranscode;
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("shutdown");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task Stopping_lets_the_running_handler_finish_and_hands_back_what_was_not_started()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = 0;
        var probe = new HandlerProbe
        {
            Behavior = async (_, _, _) =>
            {
                started.TrySetResult();
                await Task.Delay(400, CancellationToken.None);
                Interlocked.Increment(ref completed);
            },
        };
        var host = await StartWorkerAsync(probe, TimeSpan.FromSeconds(10));
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishAsync(Queue, new TestMessage("running"), "running");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await publisher.PublishAsync(Queue, new TestMessage("waiting"), "waiting");
        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync(Queue) == 0, "the second message to be prefetched");

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync();
        stopwatch.Stop();
        host.Dispose();

        Assert.Equal(1, completed);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        Assert.Equal(["running"], probe.Calls.Select(c => c.Context.MessageId));
        var handedBack = await _vhost.GetAsync(Queue);
        Assert.NotNull(handedBack);
        Assert.Equal("waiting", handedBack.BasicProperties.MessageId);
        Assert.Null(await _vhost.GetAsync(Queue));
        Assert.Equal(0u, await _vhost.MessageCountAsync($"{Queue}.dlq"));
    }

    [Fact]
    public async Task A_handler_still_running_at_the_shutdown_timeout_is_cancelled_and_its_message_returns_to_the_queue()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new HandlerProbe
        {
            Behavior = async (_, _, ct) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.TrySetResult();
                    throw;
                }
            },
        };
        var host = await StartWorkerAsync(probe, TimeSpan.FromMilliseconds(300));
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("endless"), "endless");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync();
        stopwatch.Stop();
        host.Dispose();

        Assert.True(cancelled.Task.IsCompleted, "the handler's token should have been cancelled at the shutdown timeout");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        var returned = await _vhost.GetAsync(Queue);
        Assert.NotNull(returned);
        Assert.Equal("endless", returned.BasicProperties.MessageId);
        Assert.True(returned.Redelivered);
        Assert.Null(MessageHeaders.GetInt32(returned.BasicProperties.Headers, MessageHeaders.Attempt));
        Assert.Equal(0u, await _vhost.MessageCountAsync($"{Queue}.dlq"));
        Assert.Equal(0u, await _vhost.MessageCountAsync($"{Queue}.retry.100ms"));
    }

    [Fact]
    public async Task A_handler_that_ignores_cancellation_does_not_keep_its_message_from_the_queue()
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
        var host = await StartWorkerAsync(probe, TimeSpan.FromMilliseconds(300));
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("stubborn"), "stubborn");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync();
        stopwatch.Stop();

        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));
        var returned = await _vhost.GetAsync(Queue);
        Assert.NotNull(returned);
        Assert.Equal("stubborn", returned.BasicProperties.MessageId);
        release.SetResult();
        host.Dispose();
    }

    private Task<IHost> StartWorkerAsync(HandlerProbe probe, TimeSpan shutdownTimeout) =>
        MessagingTestHost.StartAsync(_vhost, output, "worker",
            consumers: m => m.AddConsumer<TestMessage, ProbeHandler>(Queue, c =>
            {
                c.Concurrency = 1;
                c.Prefetch = 2;
            }),
            services: ProbeRegistration.With(probe),
            shutdownTimeout: shutdownTimeout);
}
