using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Tests.Infrastructure;
using AioStorage.Worker.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class WorkerPingHandlerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestVirtualHost _vhost = null!;
    private ConnectionMultiplexer _redis = null!;
    private readonly List<string> _keys = [];

    public async Task InitializeAsync()
    {
        _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("ping");
        _redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
    }

    public async Task DisposeAsync()
    {
        foreach (var key in _keys)
        {
            await _redis.GetDatabase().KeyDeleteAsync(key);
        }

        await _redis.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    [Fact]
    public async Task A_published_ping_is_answered_in_redis_by_the_worker()
    {
        var pingId = $"test-{Guid.NewGuid():N}";
        var key = Track(WorkerPingReply.RedisKey(pingId));
        using var worker = await MessagingTestHost.StartAsync(_vhost, output, "worker",
            consumers: m => m.AddConsumer<WorkerPing, WorkerPingHandler>(QueueNames.WorkerPing),
            services: s => s.AddSingleton<IConnectionMultiplexer>(_redis));
        using var api = await MessagingTestHost.StartAsync(_vhost, output, "api");
        var sentAt = DateTimeOffset.UtcNow;

        await api.Services.GetRequiredService<IMessagePublisher>().PublishAsync(QueueNames.WorkerPing, new WorkerPing(pingId, sentAt));

        var database = _redis.GetDatabase();
        await MessagingTestHost.WaitUntilAsync(async () => await database.KeyExistsAsync(key), $"Redis key {key}");
        var json = (string)(await database.StringGetAsync(key))!;
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["id", "worker", "sentAt", "receivedAt"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(pingId, root.GetProperty("id").GetString());
        Assert.Equal($"{Environment.MachineName}/{Environment.ProcessId}", root.GetProperty("worker").GetString());
        Assert.Equal(sentAt, root.GetProperty("sentAt").GetDateTimeOffset());
        Assert.InRange(root.GetProperty("receivedAt").GetDateTimeOffset(), sentAt, DateTimeOffset.UtcNow);
        var ttl = await database.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4.9), TimeSpan.FromMinutes(5));
        var reply = JsonSerializer.Deserialize<WorkerPingReply>(json, MessageSerializer.Options);
        Assert.Equal(pingId, reply!.Id);
    }

    [Fact]
    public async Task A_redelivered_ping_keeps_the_first_receipt()
    {
        var pingId = $"test-{Guid.NewGuid():N}";
        var key = Track(WorkerPingReply.RedisKey(pingId));
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero));
        var handler = new WorkerPingHandler(_redis, time, NullLogger<WorkerPingHandler>.Instance);
        var ping = new WorkerPing(pingId, time.GetUtcNow().AddSeconds(-1));

        await handler.HandleAsync(ping, new MessageContext(QueueNames.WorkerPing, "m1", 1, false, null), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        await handler.HandleAsync(ping, new MessageContext(QueueNames.WorkerPing, "m1", 1, true, null), CancellationToken.None);

        var reply = JsonSerializer.Deserialize<WorkerPingReply>((string)(await _redis.GetDatabase().StringGetAsync(key))!, MessageSerializer.Options);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero), reply!.ReceivedAt);
        Assert.Equal(ping.SentAt, reply.SentAt);
    }

    private string Track(string key)
    {
        _keys.Add(key);
        return key;
    }
}
