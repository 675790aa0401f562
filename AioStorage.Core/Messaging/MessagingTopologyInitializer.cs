using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace AioStorage.Core.Messaging;

/// <summary>
/// Declares <see cref="MessagingTopology"/> once per process. Publishers and consumers await
/// <see cref="EnsureDeclaredAsync"/> before they touch a queue; a failed attempt is forgotten so the next caller tries again.
/// Later broker restarts are covered by the client's topology recovery, which re-declares what this connection declared.
/// </summary>
internal sealed partial class MessagingTopologyInitializer(
    MessagingTopology topology, RabbitMqConnectionAccessor connections, ILogger<MessagingTopologyInitializer> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _declared;

    public async Task EnsureDeclaredAsync(CancellationToken cancellationToken)
    {
        if (_declared)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_declared)
            {
                return;
            }

            var connection = await connections.GetAsync(cancellationToken);
            await using var channel = await RabbitMqConnectionAccessor.CreateChannelAsync(connection, new CreateChannelOptions(false, false), cancellationToken);
            await topology.DeclareAsync(channel, cancellationToken);
            await channel.CloseAsync(cancellationToken);
            _declared = true;
            LogDeclared(logger, topology.Queues.Count, MessagingTopology.DeadLetterExchange);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes the next <see cref="EnsureDeclaredAsync"/> declare again, after something suggests the broker forgot.</summary>
    public void Invalidate() => _declared = false;

    [LoggerMessage(LogLevel.Information, "Messaging topology declared: {QueueCount} work queues with dead-letter and delay queues, dead-letter exchange {Exchange}")]
    private static partial void LogDeclared(ILogger logger, int queueCount, string exchange);
}

/// <summary>Declares the topology at start-up without holding start-up hostage to the broker: retries in the background.</summary>
internal sealed partial class MessagingTopologyStartup(
    MessagingTopologyInitializer initializer, TimeProvider time, ILogger<MessagingTopologyStartup> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await initializer.EnsureDeclaredAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogDeclareFailed(logger, ex, delay.TotalSeconds);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
        }
    }

    [LoggerMessage(LogLevel.Warning, "Declaring the messaging topology failed; trying again in {DelaySeconds} s")]
    private static partial void LogDeclareFailed(ILogger logger, Exception exception, double delaySeconds);
}
