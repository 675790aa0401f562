using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using StackExchange.Redis;

namespace AioStorage.Worker.Handlers;

/// <summary>
/// Answers the api's status-page ping by writing a <see cref="WorkerPingReply"/> to Redis, where the api reads it.
/// The first receipt wins, so a redelivered ping does not move its round-trip time.
/// </summary>
internal sealed partial class WorkerPingHandler(IConnectionMultiplexer redis, TimeProvider time, ILogger<WorkerPingHandler> logger)
    : IMessageHandler<WorkerPing>
{
    /// <summary>This process, as the status page names it: machine name and process id.</summary>
    public static string WorkerName { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    public async Task HandleAsync(WorkerPing message, MessageContext context, CancellationToken cancellationToken)
    {
        var reply = new WorkerPingReply(message.Id, WorkerName, message.SentAt, time.GetUtcNow());
        var json = JsonSerializer.Serialize(reply, MessageSerializer.Options);
        var written = await redis.GetDatabase()
            .StringSetAsync(WorkerPingReply.RedisKey(message.Id), json, WorkerPingReply.RedisTimeToLive, When.NotExists)
            .WaitAsync(cancellationToken);
        LogPinged(logger, message.Id, context.Attempt, written);
    }

    [LoggerMessage(LogLevel.Information, "Ping {PingId} answered (attempt {Attempt}, first receipt: {FirstReceipt})")]
    private static partial void LogPinged(ILogger logger, string pingId, int attempt, bool firstReceipt);
}
