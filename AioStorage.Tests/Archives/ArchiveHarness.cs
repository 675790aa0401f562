using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AioStorage.Core.Configuration;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Api;
using AioStorage.Tests.Infrastructure;
using AioStorage.Tests.Messaging;
using AioStorage.Worker.Archives;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace AioStorage.Tests.Archives;

/// <summary>
/// The real api (in-process, SQLite, its own storage) and, when started, a worker host running the real
/// <see cref="ArchiveRequestedHandler"/> on the same database and storage, both on a RabbitMQ virtual host of their own.
/// </summary>
internal sealed class ArchiveHarness : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;

    private ArchiveHarness(TestVirtualHost vhost, ApiFactory api, HttpClient client, ApiClient.Account account, ITestOutputHelper output)
    {
        Vhost = vhost;
        Api = api;
        Client = client;
        Account = account;
        _output = output;
    }

    public TestVirtualHost Vhost { get; }

    public ApiFactory Api { get; }

    /// <summary>Signed in as <see cref="Account"/>.</summary>
    public HttpClient Client { get; }

    public ApiClient.Account Account { get; }

    public IHost? Worker { get; private set; }

    public string StoragePath => Path.Combine(Api.Root, "storage");

    public string ArchivesPath => Path.Combine(StoragePath, "archives");

    public string WorkPath => Path.Combine(StoragePath, "archives-work");

    public IJobStore Jobs => Api.Services.GetRequiredService<IJobStore>();

    public static async Task<ArchiveHarness> StartAsync(string purpose, ITestOutputHelper output, bool startWorker = true)
    {
        var broker = RabbitMqTestBroker.Instance;
        var vhost = await broker.CreateVirtualHostAsync(purpose);
        var amqp = new UriBuilder(broker.AmqpUri) { Path = "/" + Uri.EscapeDataString(vhost.Name) }.Uri.ToString();
        // Tokens outlive the weeks the expiry tests move the api's clock by.
        var api = new ApiFactory(new Dictionary<string, string?> { ["RABBITMQ_URL"] = amqp, ["JWT_EXPIRES_IN"] = "90d" });
        var client = api.CreateClient();
        var account = await client.RegisterAsync();
        var harness = new ArchiveHarness(vhost, api, client.As(account), account, output);
        if (startWorker)
        {
            await harness.StartWorkerAsync();
        }

        return harness;
    }

    public async Task StartWorkerAsync() => Worker = await StartArchiveWorkerAsync(Vhost, _output, StoragePath, Api.Root);

    /// <summary>
    /// A worker host with the real archive handler consuming file.download in <paramref name="vhost"/>, on the storage
    /// and SQLite database of the api under <paramref name="apiRoot"/>; returns once it consumes.
    /// </summary>
    public static async Task<IHost> StartArchiveWorkerAsync(TestVirtualHost vhost, ITestOutputHelper output, string storagePath, string apiRoot)
    {
        var worker = await MessagingTestHost.StartAsync(vhost, output, "worker",
            consumers: messaging => messaging.AddConsumer<ArchiveRequested, ArchiveRequestedHandler>(QueueNames.FileDownload),
            services: services =>
            {
                services.AddSingleton(new StorageOptions(storagePath));
                services.AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, Path.Combine(apiRoot, "metadata", "aio-storage.db")));
                services.AddArchiveProcessing(new ConfigurationBuilder().Build());
            });
        await MessagingTestHost.WaitForConsumersAsync(vhost, QueueNames.FileDownload, 1);
        return worker;
    }

    /// <summary>A second user of the same api.</summary>
    public async Task<HttpClient> OtherUserAsync()
    {
        var client = Api.CreateClient();
        return client.As(await client.RegisterAsync());
    }

    public async Task<string> CreateFolderAsync(string name, string? parentId = null)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/folders", new { name, parentId });
        return (await response.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    public async Task<(string Id, string Sha256)> UploadAsync(string name, byte[] content, string? folderId = null)
    {
        var file = await FileTransferTests.UploadAsync(Client, name, content, folderId: folderId);
        return (file.GetProperty("id").GetString()!, file.GetProperty("sha256").GetString()!);
    }

    public async Task TrashAsync(string fileId)
    {
        using var response = await Client.DeleteAsync($"/api/v1/files/{fileId}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public async Task<JsonElement> RequestArchiveAsync(params string[] ids)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/archives", new { ids });
        var job = await response.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal($"/api/v1/archives/{job.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return job;
    }

    public async Task<JsonElement> GetArchiveAsync(string id)
    {
        using var response = await Client.GetAsync($"/api/v1/archives/{id}");
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    /// <summary>Polls the job as a client would until it reaches <paramref name="status"/>; fails at once on another final status.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var job = await GetArchiveAsync(id);
            var current = job.GetProperty("status").GetString();
            if (current == status)
            {
                return job;
            }

            Assert.False(current is "completed" or "failed" or "expired", $"the archive ended {current}, not {status}: {job}");
            Assert.True(DateTime.UtcNow < deadline, $"the archive is still {current}: {job}");
            await Task.Delay(50);
        }
    }

    public async Task<byte[]> DownloadAsync(string id)
    {
        using var response = await Client.GetAsync($"/api/v1/archives/{id}/content");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Random, so Deflate cannot shrink it and a mix-up of two files cannot go unnoticed.</summary>
    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    public async ValueTask DisposeAsync()
    {
        if (Worker is not null)
        {
            await Worker.StopAsync();
            Worker.Dispose();
        }

        await Api.DisposeAsync();
        await Vhost.DisposeAsync();
    }
}
