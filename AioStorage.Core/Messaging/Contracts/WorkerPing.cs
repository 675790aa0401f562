namespace AioStorage.Core.Messaging.Contracts;

/// <summary>Published by the api to <see cref="QueueNames.WorkerPing"/>; a worker answers by writing a <see cref="WorkerPingReply"/>.</summary>
public sealed record WorkerPing(string Id, DateTimeOffset SentAt);

/// <summary>What a worker writes to Redis under <see cref="RedisKey"/> for <see cref="RedisTimeToLive"/> (JSON, camelCase).</summary>
public sealed record WorkerPingReply(string Id, string Worker, DateTimeOffset SentAt, DateTimeOffset ReceivedAt)
{
    public static readonly TimeSpan RedisTimeToLive = TimeSpan.FromMinutes(5);

    public static string RedisKey(string id) => $"aio:ping:{id}";
}
