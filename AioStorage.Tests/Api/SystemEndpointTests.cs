using System.Net;
using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AioStorage.Tests.Api;

public class SystemEndpointTests
{
    [Fact]
    public async Task A_ping_is_pending_until_a_worker_answers_then_reports_the_round_trip()
    {
        await using var api = new ApiFactory();
        var client = api.CreateClient();

        using var sent = await client.PostAsync("/api/v1/system/ping", null);
        var accepted = await sent.JsonAsync(HttpStatusCode.Accepted);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/system/ping/{id}", sent.Headers.Location?.OriginalString);

        var pending = await (await client.GetAsync($"/api/v1/system/ping/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("pending", pending.GetProperty("status").GetString());

        // What a worker writes when it consumes the ping (the worker itself is covered by the messaging and AppHost tests).
        var sentAt = accepted.GetProperty("sentAt").GetDateTimeOffset();
        var reply = new WorkerPingReply(id, "test-worker/1", sentAt, sentAt.AddMilliseconds(42));
        await api.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .StringSetAsync(WorkerPingReply.RedisKey(id), JsonSerializer.Serialize(reply, MessageSerializer.Options), TimeSpan.FromMinutes(1));

        var completed = await (await client.GetAsync($"/api/v1/system/ping/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("test-worker/1", completed.GetProperty("worker").GetString());
        Assert.Equal(42, completed.GetProperty("roundTripMs").GetDouble());

        await (await client.GetAsync("/api/v1/system/ping/never-sent")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Pings_are_rate_limited_per_client()
    {
        await using var api = new ApiFactory();
        var client = api.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var accepted = await client.PostAsync("/api/v1/system/ping", null);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var refused = await client.PostAsync("/api/v1/system/ping", null);
        await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter is not null);
    }
}
