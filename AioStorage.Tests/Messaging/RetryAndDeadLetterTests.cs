using System.Globalization;
using System.Text;
using AioStorage.Core.Messaging;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace AioStorage.Tests.Messaging;

public sealed class RetryAndDeadLetterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = QueueNames.VideoTranscode;
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqTestBroker.Instance.CreateVirtualHostAsync("retry");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    [Fact]
    public async Task A_failing_handler_is_retried_with_exponential_back_off_and_then_succeeds()
    {
        var probe = new HandlerProbe
        {
            Behavior = (_, context, _) => context.Attempt < 3
                ? throw new InvalidOperationException($"transient failure {context.Attempt}")
                : Task.CompletedTask,
        };
        using var host = await StartWorkerAsync(probe);
        using var metrics = new MessagingMetricsCapture(host.Services);

        var id = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("flaky"));

        await MessagingTestHost.WaitUntilAsync(() => metrics.Sum("aio.messaging.messages.processed", Queue) == 1, "the third attempt to succeed");
        var calls = probe.Calls.ToArray();
        Assert.Equal([1, 2, 3], calls.Select(c => c.Context.Attempt));
        Assert.All(calls, c => Assert.Equal(id, c.Context.MessageId));
        Assert.All(calls, c => Assert.Equal(new TestMessage("flaky"), c.Message));
        var firstWait = calls[1].At - calls[0].At;
        var secondWait = calls[2].At - calls[1].At;
        Assert.True(firstWait >= TimeSpan.FromMilliseconds(95), $"first retry after {firstWait.TotalMilliseconds} ms, expected >= 100");
        Assert.True(secondWait >= TimeSpan.FromMilliseconds(195), $"second retry after {secondWait.TotalMilliseconds} ms, expected >= 200");

        Assert.Equal(2, metrics.Sum("aio.messaging.messages.failed", Queue));
        Assert.Equal(2, metrics.Sum("aio.messaging.messages.retried", Queue));
        foreach (var queue in new[] { Queue, $"{Queue}.dlq", $"{Queue}.retry.100ms", $"{Queue}.retry.200ms" })
        {
            Assert.Equal(0u, await _vhost.MessageCountAsync(queue));
        }
    }

    [Fact]
    public async Task A_rejected_message_goes_to_the_dead_letter_queue_at_once_without_retries()
    {
        var probe = new HandlerProbe
        {
            Behavior = (_, _, _) => throw new MessageRejectedException("The video is corrupt: moov atom not found",
                new InvalidDataException("ffprobe exited with 1")),
        };
        using var host = await StartWorkerAsync(probe);
        using var metrics = new MessagingMetricsCapture(host.Services);

        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("corrupt"), "corrupt-1");

        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync($"{Queue}.dlq") == 1, "a dead letter");
        var dead = await _vhost.GetAsync($"{Queue}.dlq");
        Assert.NotNull(dead);
        var headers = dead.BasicProperties.Headers;
        Assert.Equal(DeadLetterReasons.Rejected, MessageHeaders.GetString(headers, MessageHeaders.DeadLetterReason));
        Assert.Equal("System.IO.InvalidDataException", MessageHeaders.GetString(headers, MessageHeaders.ExceptionType));
        Assert.Equal("The video is corrupt: moov atom not found", MessageHeaders.GetString(headers, MessageHeaders.ExceptionMessage));
        Assert.Equal(1, MessageHeaders.GetInt32(headers, MessageHeaders.Attempts));
        Assert.Equal([1], probe.Calls.Select(c => c.Context.Attempt));
        Assert.Equal(0, metrics.Sum("aio.messaging.messages.retried", Queue));
        Assert.Equal([DeadLetterReasons.Rejected], metrics.Reasons("aio.messaging.messages.dead_lettered"));
        Assert.Equal(0u, await _vhost.MessageCountAsync(Queue));
    }

    [Fact]
    public async Task Exhausted_retries_land_in_the_dead_letter_queue_with_the_reason()
    {
        var probe = new HandlerProbe { Behavior = (_, _, _) => throw new InvalidOperationException("disk on fire") };
        using var host = await StartWorkerAsync(probe);
        using var metrics = new MessagingMetricsCapture(host.Services);
        var before = DateTimeOffset.UtcNow;

        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(Queue, new TestMessage("doomed"), "doomed-1");

        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync($"{Queue}.dlq") == 1, "a dead letter");
        var dead = await _vhost.GetAsync($"{Queue}.dlq");
        Assert.NotNull(dead);
        var headers = dead.BasicProperties.Headers;
        Assert.Equal(DeadLetterReasons.RetriesExhausted, MessageHeaders.GetString(headers, MessageHeaders.DeadLetterReason));
        Assert.Equal("System.InvalidOperationException", MessageHeaders.GetString(headers, MessageHeaders.ExceptionType));
        Assert.Equal("disk on fire", MessageHeaders.GetString(headers, MessageHeaders.ExceptionMessage));
        Assert.Equal(3, MessageHeaders.GetInt32(headers, MessageHeaders.Attempts));
        Assert.Equal(Queue, MessageHeaders.GetString(headers, MessageHeaders.OriginalQueue));
        var deadLetteredAt = DateTimeOffset.Parse(MessageHeaders.GetString(headers, MessageHeaders.DeadLetteredAt)!, CultureInfo.InvariantCulture);
        Assert.InRange(deadLetteredAt, before, DateTimeOffset.UtcNow);
        Assert.Equal("doomed-1", dead.BasicProperties.MessageId);
        Assert.Equal(DeliveryModes.Persistent, dead.BasicProperties.DeliveryMode);
        Assert.Equal("{\"text\":\"doomed\"}", Encoding.UTF8.GetString(dead.Body.Span));

        Assert.Equal([1, 2, 3], probe.Calls.Select(c => c.Context.Attempt));
        Assert.Equal(1, metrics.Sum("aio.messaging.messages.dead_lettered", Queue));
        Assert.Equal([DeadLetterReasons.RetriesExhausted], metrics.Reasons("aio.messaging.messages.dead_lettered"));
        Assert.Equal(0u, await _vhost.MessageCountAsync(Queue));
    }

    [Theory]
    [InlineData("{not json", "System.Text.Json.JsonException")]
    [InlineData("null", "System.Text.Json.JsonException")]
    [InlineData("{}", "System.Text.Json.JsonException")]
    [InlineData("{\"text\":null}", "System.Text.Json.JsonException")]
    public async Task A_message_that_cannot_be_read_goes_straight_to_the_dead_letter_queue(string body, string exceptionType)
    {
        var probe = new HandlerProbe();
        using var host = await StartWorkerAsync(probe);
        using var metrics = new MessagingMetricsCapture(host.Services);
        await MessagingTestHost.WaitForConsumersAsync(_vhost, Queue, 1);

        await PublishRawAsync(body, new BasicProperties { ContentType = "application/json", MessageId = "poison-1", Type = nameof(TestMessage) });

        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync($"{Queue}.dlq") == 1, "a dead letter");
        var dead = await _vhost.GetAsync($"{Queue}.dlq");
        Assert.NotNull(dead);
        var headers = dead.BasicProperties.Headers;
        Assert.Equal(DeadLetterReasons.Poison, MessageHeaders.GetString(headers, MessageHeaders.DeadLetterReason));
        Assert.Equal(exceptionType, MessageHeaders.GetString(headers, MessageHeaders.ExceptionType));
        Assert.Contains("TestMessage", MessageHeaders.GetString(headers, MessageHeaders.ExceptionMessage));
        Assert.Equal(1, MessageHeaders.GetInt32(headers, MessageHeaders.Attempts));
        Assert.Equal(Queue, MessageHeaders.GetString(headers, MessageHeaders.OriginalQueue));
        Assert.Equal(body, Encoding.UTF8.GetString(dead.Body.Span));
        Assert.Empty(probe.Calls);
        Assert.Equal([DeadLetterReasons.Poison], metrics.Reasons("aio.messaging.messages.dead_lettered"));
        Assert.Equal(0u, await _vhost.MessageCountAsync(Queue));
    }

    [Fact]
    public async Task A_message_of_another_contract_is_poison_too()
    {
        var probe = new HandlerProbe();
        using var host = await StartWorkerAsync(probe);
        await MessagingTestHost.WaitForConsumersAsync(_vhost, Queue, 1);

        await PublishRawAsync("{\"text\":\"fine json\"}", new BasicProperties { ContentType = "application/json", Type = "WorkerPing" });

        await MessagingTestHost.WaitUntilAsync(async () => await _vhost.MessageCountAsync($"{Queue}.dlq") == 1, "a dead letter");
        var dead = await _vhost.GetAsync($"{Queue}.dlq");
        Assert.Equal("message-type", MessageHeaders.GetString(dead!.BasicProperties.Headers, MessageHeaders.ExceptionType));
        Assert.Empty(probe.Calls);
    }

    private async Task PublishRawAsync(string body, BasicProperties properties)
    {
        var connection = await _vhost.ConnectAsync("raw-publisher");
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    private Task<IHost> StartWorkerAsync(HandlerProbe probe) =>
        MessagingTestHost.StartAsync(_vhost, output, "worker",
            consumers: m => m.AddConsumer<TestMessage, ProbeHandler>(Queue),
            services: ProbeRegistration.With(probe));
}
