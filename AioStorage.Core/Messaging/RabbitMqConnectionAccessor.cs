using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace AioStorage.Core.Messaging;

/// <summary>
/// The process's shared AMQP connection (registered by Aspire.RabbitMQ.Client, or by a test). Resolving it can block
/// while the client retries an absent broker, so that happens off the caller's thread and gives way to cancellation.
/// </summary>
internal sealed class RabbitMqConnectionAccessor(IServiceProvider services)
{
    public Task<IConnection> GetAsync(CancellationToken cancellationToken) =>
        Task.Run(services.GetRequiredService<IConnection>, cancellationToken).WaitAsync(cancellationToken);

    /// <summary>
    /// Opens a channel outside any trace: RabbitMQ.Client starts a channel's dispatch loop with the execution context of
    /// the caller, and every span it starts there later (its "deliver" spans) would otherwise hang below whatever
    /// request happened to open the channel.
    /// </summary>
    public static async Task<IChannel> CreateChannelAsync(IConnection connection, CreateChannelOptions options, CancellationToken cancellationToken)
    {
        Activity.Current = null;
        return await connection.CreateChannelAsync(options, cancellationToken);
    }
}
