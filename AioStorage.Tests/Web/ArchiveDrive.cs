using AioStorage.Tests.Archives;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace AioStorage.Tests.Web;

/// <summary>
/// A <see cref="LiveDrive"/> whose api publishes to a RabbitMQ virtual host of its own, and the real archive worker
/// (<see cref="ArchiveRequestedHandler"/> consuming <c>file.download</c>) that tests start when they want the ZIPs made:
/// a host in the test process on the api's SQLite database and storage, as a worker process shares them when deployed.
/// Requests made while it is stopped wait in the queue, as they would for a busy or restarting worker.
/// </summary>
public sealed class ArchiveDrive : LiveDrive
{
    private readonly Dictionary<string, string?> settings;
    private TestVirtualHost? vhost;
    private IHost? worker;

    public ArchiveDrive()
        : this([])
    {
    }

    private ArchiveDrive(Dictionary<string, string?> settings)
        : base(settings) => this.settings = settings;

    public TestVirtualHost Vhost => vhost ?? throw new InvalidOperationException("The drive has not started.");

    public string StoragePath => Path.Combine(Api.Root, "storage");

    public override async Task InitializeAsync()
    {
        var broker = RabbitMqTestBroker.Instance;
        vhost = await broker.CreateVirtualHostAsync("web-archives");
        settings["RABBITMQ_URL"] = new UriBuilder(broker.AmqpUri) { Path = "/" + Uri.EscapeDataString(vhost.Name) }.Uri.ToString();
        await base.InitializeAsync();
    }

    /// <summary>Starts the worker (once) and waits until it consumes; its log goes to <paramref name="output"/>.</summary>
    public async Task StartWorkerAsync(ITestOutputHelper output)
    {
        if (worker is not null)
        {
            return;
        }

        worker = await ArchiveHarness.StartArchiveWorkerAsync(Vhost, output, StoragePath, Api.Root);
    }

    public async Task StopWorkerAsync()
    {
        if (worker is null)
        {
            return;
        }

        await worker.StopAsync();
        worker.Dispose();
        worker = null;
    }

    public override async Task DisposeAsync()
    {
        await StopWorkerAsync();
        await base.DisposeAsync();
        if (vhost is not null)
        {
            await vhost.DisposeAsync();
        }
    }
}
