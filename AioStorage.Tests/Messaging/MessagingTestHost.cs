using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

/// <summary>
/// A generic host wired the way the api and worker wire messaging (<c>AddAioMessaging</c>, <c>AddConsumer</c>), on
/// its own AMQP connection into a test's virtual host, with back-off short enough for tests.
/// </summary>
internal static class MessagingTestHost
{
    public static readonly TimeSpan TestRetryDelay = TimeSpan.FromMilliseconds(100);

    public static async Task<IHost> StartAsync(
        TestVirtualHost vhost,
        ITestOutputHelper output,
        string name,
        Action<MessagingBuilder>? consumers = null,
        Action<MessagingOptions>? options = null,
        Action<IServiceCollection>? services = null,
        TimeSpan? shutdownTimeout = null,
        bool recoverConnection = true)
    {
        var connection = await vhost.ConnectAsync(name, track: false, recover: recoverConnection);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Services.AddMetrics();
        builder.Services.AddLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(output, name)).SetMinimumLevel(LogLevel.Debug));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IConnection>(_ => connection);
        services?.Invoke(builder.Services);
        var messaging = builder.AddAioMessaging(o =>
        {
            o.RetryInitialDelay = TestRetryDelay;
            o.MaxAttempts = 3;
            o.PublishTimeout = TimeSpan.FromSeconds(5);
            options?.Invoke(o);
        });
        consumers?.Invoke(messaging);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> otherwise.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    public static Task WaitForConsumersAsync(TestVirtualHost vhost, string queue, int count) =>
        WaitUntilAsync(async () => await vhost.ConsumerCountAsync(queue) == count, $"{count} consumer(s) on {queue}");
}

/// <summary>A contract for tests, published to real queue names inside a test's own virtual host.</summary>
internal sealed record TestMessage(string Text);

/// <summary>What the test's handler does and saw; one per host, so competing hosts can be told apart.</summary>
internal sealed class HandlerProbe
{
    public Func<TestMessage, MessageContext, CancellationToken, Task> Behavior { get; set; } = (_, _, _) => Task.CompletedTask;

    public ConcurrentQueue<(TestMessage Message, MessageContext Context, DateTime At)> Calls { get; } = new();
}

internal sealed class ProbeHandler(HandlerProbe probe) : IMessageHandler<TestMessage>
{
    public Task HandleAsync(TestMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue((message, context, DateTime.UtcNow));
        return probe.Behavior(message, context, cancellationToken);
    }
}

internal static class ProbeRegistration
{
    public static Action<IServiceCollection> With(HandlerProbe probe) => services => services.AddSingleton(probe);
}

/// <summary>Collects the long counters the messaging layer of one host (its own IMeterFactory) reports.</summary>
internal sealed class MessagingMetricsCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, string? Queue, string? Reason)> _measurements = new();

    public MessagingMetricsCapture(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? queue = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == MessagingTelemetry.QueueTag)
                {
                    queue = tag.Value as string;
                }
                else if (tag.Key == MessagingTelemetry.DeadLetterReasonTag)
                {
                    reason = tag.Value as string;
                }
            }

            _measurements.Enqueue((instrument.Name, value, queue, reason));
        });
        _listener.Start();
    }

    public long Sum(string instrument, string queue) =>
        _measurements.Where(m => m.Instrument == instrument && m.Queue == queue).Sum(m => m.Value);

    public IReadOnlyList<string?> Reasons(string instrument) =>
        _measurements.Where(m => m.Instrument == instrument).Select(m => m.Reason).ToList();

    public void Dispose() => _listener.Dispose();
}

internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, string name) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, name, categoryName);

    public void Dispose()
    {
    }

    private sealed class TestOutputLogger(ITestOutputHelper output, string name, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{name}] {logLevel} {category.Split('.')[^1]}: {formatter(state, exception)}"
                                 + (exception is null ? string.Empty : $" | {exception.GetType().Name}: {exception.Message}"));
            }
            catch (InvalidOperationException)
            {
                // The test already finished; xunit refuses output after that, and late shutdown logs are not worth a failure.
            }
        }
    }
}
