using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AioStorage.Core.Messaging;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Infrastructure;
using AioStorage.Tests.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Api;

/// <summary>Uploads announce themselves on file.upload even when RabbitMQ refuses them for a while: through the outbox.</summary>
public class OutboxTests
{
    [Fact]
    public async Task An_upload_made_while_rabbitmq_refuses_is_delivered_once_it_comes_back()
    {
        var broker = RabbitMqTestBroker.Instance;
        await using var vhost = await broker.CreateVirtualHostAsync("outbox");
        var amqp = new UriBuilder(broker.AmqpUri) { Path = "/" + Uri.EscapeDataString(vhost.Name) }.Uri.ToString();
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["RABBITMQ_URL"] = amqp });
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var outbox = api.Services.GetRequiredService<IOutboxStore>();

        var first = await FileTransferTests.UploadAsync(client, "before.txt", Encoding.UTF8.GetBytes("while all is well"));
        await MessagingTestHost.WaitUntilAsync(async () => await vhost.MessageCountAsync(QueueNames.FileUpload) == 1, "the first upload's message");

        await broker.SetWritePermissionAsync(vhost.Name, allowed: false);
        await broker.CloseClientConnectionsAsync(vhost.Name);

        var second = await FileTransferTests.UploadAsync(client, "during.txt", Encoding.UTF8.GetBytes("while the broker refuses"));
        Assert.Equal(1, await outbox.CountPendingAsync(CancellationToken.None));
        Assert.Equal(1u, await vhost.MessageCountAsync(QueueNames.FileUpload));

        await broker.SetWritePermissionAsync(vhost.Name, allowed: true);
        // The dispatcher waits by the api's clock, which only moves when the test moves it.
        await MessagingTestHost.WaitUntilAsync(async () =>
        {
            api.Time.Advance(TimeSpan.FromSeconds(5));
            return await outbox.CountPendingAsync(CancellationToken.None) == 0;
        }, "the outbox to drain", TimeSpan.FromSeconds(30));
        Assert.Equal(2u, await vhost.MessageCountAsync(QueueNames.FileUpload));

        var delivered = new List<JsonElement>();
        while (await vhost.GetAsync(QueueNames.FileUpload) is { } message)
        {
            var body = JsonDocument.Parse(message.Body).RootElement.Clone();
            delivered.Add(body);
            Assert.Equal("FileUploaded", message.BasicProperties.Type);
            Assert.Equal(2, (int)(message.BasicProperties.DeliveryMode));
            Assert.True(message.BasicProperties.Headers?.ContainsKey("traceparent"));
        }

        Assert.Equal(
            [first.GetProperty("id").GetString(), second.GetProperty("id").GetString()],
            delivered.Select(d => d.GetProperty("fileId").GetString()));
        Assert.Equal(second.GetProperty("sha256").GetString(), delivered[1].GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_copy_of_a_file_still_processing_is_announced_for_its_own_processing_and_a_copy_of_a_ready_one_is_not()
    {
        var broker = RabbitMqTestBroker.Instance;
        await using var vhost = await broker.CreateVirtualHostAsync("copy");
        var amqp = new UriBuilder(broker.AmqpUri) { Path = "/" + Uri.EscapeDataString(vhost.Name) }.Uri.ToString();
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["RABBITMQ_URL"] = amqp });
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var source = await FileTransferTests.UploadAsync(client, "clip.txt", Encoding.UTF8.GetBytes("not processed yet"));
        var sourceId = source.GetProperty("id").GetString()!;

        var copy = await (await client.PostAsJsonAsync($"/api/v1/files/{sourceId}/copy", new { name = "copy.txt" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("processing", copy.GetProperty("status").GetString());

        var nodes = api.Services.GetRequiredService<INodeStore>();
        await nodes.UpdateProcessingAsync(sourceId, source.GetProperty("sha256").GetString()!, FileStatus.Ready, null, "text/plain", null,
            DateTimeOffset.UtcNow, CancellationToken.None);
        var readyCopy = await (await client.PostAsJsonAsync($"/api/v1/files/{sourceId}/copy", new { name = "ready copy.txt" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("ready", readyCopy.GetProperty("status").GetString());

        await MessagingTestHost.WaitUntilAsync(async () => await vhost.MessageCountAsync(QueueNames.FileUpload) >= 2, "the messages");
        var announced = new List<string?>();
        while (await vhost.GetAsync(QueueNames.FileUpload) is { } message)
        {
            announced.Add(JsonDocument.Parse(message.Body).RootElement.GetProperty("fileId").GetString());
        }

        Assert.Equal([sourceId, copy.GetProperty("id").GetString()], announced);
    }
}
