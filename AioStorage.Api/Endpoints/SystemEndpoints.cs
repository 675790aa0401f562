using System.Globalization;
using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using StackExchange.Redis;

namespace AioStorage.Api.Endpoints;

public sealed record PingAccepted(string Id, DateTimeOffset SentAt);

public sealed record PingResult(string Id, string Status, string? Worker, DateTimeOffset SentAt, DateTimeOffset? ReceivedAt, double? RoundTripMs);

/// <summary>
/// An end-to-end check of the processing pipeline for operators and the status page: the api publishes a
/// <see cref="WorkerPing"/> through RabbitMQ, a worker answers in Redis, and the round trip is reported.
/// </summary>
public static class SystemEndpoints
{
    public const string PingRateLimit = "system-ping";

    public static RouteGroupBuilder MapSystemEndpoints(this RouteGroupBuilder api)
    {
        var system = api.MapGroup("/system").WithTags("System").AllowAnonymous();

        system.MapPost("/ping", async (IMessagePublisher publisher, IConnectionMultiplexer redis, TimeProvider time, CancellationToken ct) =>
            {
                var ping = new WorkerPing(Core.Ids.New(), time.GetUtcNow());
                await redis.GetDatabase().StringSetAsync(SentKey(ping.Id),
                    ping.SentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), WorkerPingReply.RedisTimeToLive);
                await publisher.PublishAsync(QueueNames.WorkerPing, ping, ping.Id, ct);
                return TypedResults.Accepted($"/api/v1/system/ping/{ping.Id}", new PingAccepted(ping.Id, ping.SentAt));
            })
            .RequireRateLimiting(PingRateLimit)
            .WithName("PingWorkers")
            .WithSummary("Send a ping through RabbitMQ to the workers")
            .WithDescription("202 with the ping's id; GET /api/v1/system/ping/{id} tells which worker answered and how fast. Rate limited per client address.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        system.MapGet("/ping/{id}", async Task<IResult> (string id, IConnectionMultiplexer redis) =>
            {
                var db = redis.GetDatabase();
                var reply = await db.StringGetAsync(WorkerPingReply.RedisKey(id));
                if (reply.HasValue)
                {
                    var answer = JsonSerializer.Deserialize<WorkerPingReply>(reply.ToString(), MessageSerializer.Options)!;
                    return TypedResults.Ok(new PingResult(answer.Id, "completed", answer.Worker, answer.SentAt, answer.ReceivedAt,
                        Math.Round((answer.ReceivedAt - answer.SentAt).TotalMilliseconds, 1)));
                }

                var sent = await db.StringGetAsync(SentKey(id));
                return sent.HasValue && sent.TryParse(out long sentMs)
                    ? TypedResults.Ok(new PingResult(id, "pending", null, DateTimeOffset.FromUnixTimeMilliseconds(sentMs), null, null))
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No ping with this id was sent in the last five minutes.");
            })
            .WithName("GetPing")
            .WithSummary("Whether a worker answered a ping, which one, and the round trip")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static string SentKey(string id) => $"aio:ping-sent:{id}";
}
