using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using RabbitMQ.Client;

namespace AioStorage.Tests.Messaging;

public sealed class TopologyTests : IAsyncLifetime
{
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("topology");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task Declaring_twice_is_idempotent_and_gives_every_queue_its_dead_letter_and_delay_queues()
    {
        var options = new MessagingOptions { MaxAttempts = 3, RetryInitialDelay = TimeSpan.FromMilliseconds(100) };
        var connection = await _vhost.ConnectAsync("topology");
        await using (var first = await connection.CreateChannelAsync())
        {
            await new MessagingTopology(options).DeclareAsync(first, CancellationToken.None);
        }

        await using (var second = await connection.CreateChannelAsync())
        {
            await new MessagingTopology(options).DeclareAsync(second, CancellationToken.None);
            Assert.True(second.IsOpen, "a repeated declaration must not close the channel with a 406");
        }

        var expected = new List<string>();
        foreach (var name in QueueNames.All)
        {
            expected.AddRange([name, $"{name}.dlq", $"{name}.retry.100ms", $"{name}.retry.200ms"]);

            var main = await _vhost.GetQueueAsync(name);
            Assert.True(main.GetProperty("durable").GetBoolean());
            Assert.False(main.GetProperty("auto_delete").GetBoolean());
            Assert.Equal(new Dictionary<string, string>
            {
                ["x-dead-letter-exchange"] = "aio.dlx",
                ["x-dead-letter-routing-key"] = name,
            }, Arguments(main));

            var dlq = await _vhost.GetQueueAsync($"{name}.dlq");
            Assert.True(dlq.GetProperty("durable").GetBoolean());
            Assert.Empty(Arguments(dlq));

            foreach (var (suffix, ttl) in new[] { ("100ms", "100"), ("200ms", "200") })
            {
                var retry = await _vhost.GetQueueAsync($"{name}.retry.{suffix}");
                Assert.True(retry.GetProperty("durable").GetBoolean());
                Assert.Equal(new Dictionary<string, string>
                {
                    ["x-message-ttl"] = ttl,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = name,
                }, Arguments(retry));
            }
        }

        var actual = (await _vhost.GetQueuesAsync()).EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Order().ToList();
        Assert.Equal(expected.Order().ToList(), actual);

        var dlx = await _vhost.GetExchangeAsync("aio.dlx");
        Assert.Equal("direct", dlx.GetProperty("type").GetString());
        Assert.True(dlx.GetProperty("durable").GetBoolean());
        var bindings = (await _vhost.GetBindingsFromAsync("aio.dlx")).EnumerateArray()
            .Select(b => (b.GetProperty("destination").GetString(), b.GetProperty("routing_key").GetString()))
            .Order()
            .ToList();
        Assert.Equal(QueueNames.All.Select(q => ((string?)$"{q}.dlq", (string?)q)).Order().ToList(), bindings);
    }

    [Fact]
    public async Task Processes_with_different_back_off_settings_add_delay_queues_instead_of_conflicting()
    {
        var connection = await _vhost.ConnectAsync("topology");
        await using var channel = await connection.CreateChannelAsync();
        await new MessagingTopology(new MessagingOptions { MaxAttempts = 2, RetryInitialDelay = TimeSpan.FromSeconds(2) })
            .DeclareAsync(channel, CancellationToken.None);
        await new MessagingTopology(new MessagingOptions { MaxAttempts = 2, RetryInitialDelay = TimeSpan.FromMilliseconds(1500) })
            .DeclareAsync(channel, CancellationToken.None);

        Assert.True(channel.IsOpen);
        Assert.Equal("2000", Arguments(await _vhost.GetQueueAsync("file.upload.retry.2s"))["x-message-ttl"]);
        Assert.Equal("1500", Arguments(await _vhost.GetQueueAsync("file.upload.retry.1500ms"))["x-message-ttl"]);
    }

    [Fact]
    public void Back_off_doubles_per_level_up_to_the_maximum()
    {
        var options = new MessagingOptions
        {
            MaxAttempts = 6,
            RetryInitialDelay = TimeSpan.FromSeconds(2),
            RetryMaxDelay = TimeSpan.FromSeconds(10),
        };

        var levels = new MessagingTopology(options)[QueueNames.VideoTranscode].RetryLevels;

        Assert.Equal([2, 4, 8, 10, 10], levels.Select(l => l.Delay.TotalSeconds));
        Assert.Equal(["video.transcode.retry.2s", "video.transcode.retry.4s", "video.transcode.retry.8s", "video.transcode.retry.10s", "video.transcode.retry.10s"],
            levels.Select(l => l.QueueName));
        Assert.Equal([1, 2, 3, 4, 5], levels.Select(l => l.Level));
        Assert.Null(new MessagingTopology(options)[QueueNames.VideoTranscode].RetryAfter(6));
    }

    [Fact]
    public void Unknown_queue_names_are_refused()
    {
        var topology = new MessagingTopology(new MessagingOptions());
        Assert.Throws<ArgumentException>(() => topology["file.uploads"]);
        Assert.False(topology.Contains("worker.ping.dlq"));
    }

    private static Dictionary<string, string> Arguments(JsonElement queue) =>
        queue.GetProperty("arguments").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
}
