using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using RabbitMQ.Client;

namespace AioStorage.Tests.AppHost;

/// <summary>
/// Starts local mode for real (Debian's redis-server, epmd and rabbitmq-server under DCP) on free ports with a
/// temporary data folder, twice: the servers must become healthy, answer with the generated admin credentials,
/// keep a Redis key and a persistent message across the restart, and leave no process behind. The services are
/// removed from the model first: this is about the infrastructure the AppHost owns.
/// </summary>
public sealed class LocalModeStartupTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly string _dataPath = Directory.CreateTempSubdirectory("aio-local-mode-").FullName;
    private readonly string _password = "T" + Guid.NewGuid().ToString("N");
    private readonly int[] _ports = FreePorts(5);

    public void Dispose() => Directory.Delete(_dataPath, recursive: true);

    [Fact]
    public async Task Redis_and_rabbitmq_start_healthy_and_keep_their_data_across_a_restart()
    {
        var queue = "aio.local-mode-test";
        var key = "aio:local-mode-test";

        await using (var app = await StartAsync())
        {
            await using var connection = await ConnectAmqpAsync();
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", queue, mandatory: true,
                new BasicProperties { Persistent = true }, "kept across restarts"u8.ToArray());
            Assert.Equal("+OK", await RedisAsync($"SET {key} kept"));
            // Redis writes the AOF every second; the graceful stop below also flushes it.
            Assert.Equal(":1", await RedisAsync("EXISTS " + key));
            await ManagementApiAnswersAsync();
        }

        Assert.False(Listens(RedisPort), "redis-server still listens after the AppHost stopped");
        Assert.False(Listens(AmqpPort), "rabbitmq-server still listens after the AppHost stopped");
        Assert.False(Listens(EpmdPort), "the private epmd still listens after the AppHost stopped");

        await using (var app = await StartAsync())
        {
            Assert.Equal("$4", await RedisAsync("GET " + key));
            await using var connection = await ConnectAmqpAsync();
            await using var channel = await connection.CreateChannelAsync();
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            Assert.NotNull(message);
            Assert.Equal("kept across restarts", Encoding.UTF8.GetString(message.Body.Span));
        }
    }

    private int RedisPort => _ports[0];

    private int AmqpPort => _ports[1];

    private int ManagementPort => _ports[2];

    private int DistributionPort => _ports[3];

    private int EpmdPort => _ports[4];

    private async Task<DistributedApplication> StartAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AioStorage_AppHost>(
        [
            "Infrastructure:Mode=local", $"Infrastructure:DataPath={_dataPath}", AppHostModel.NoConfigurationWatchers,
            $"Ports:Redis={RedisPort}", $"Ports:RabbitMq={AmqpPort}", $"Ports:RabbitMqManagement={ManagementPort}",
            $"Ports:RabbitMqDistribution={DistributionPort}", $"Ports:Epmd={EpmdPort}",
            // Given values, so the run neither reads nor writes the developer's user secrets.
            $"Parameters:rabbitmq-password={_password}", $"Parameters:jwt-secret={_password}",
        ]);
        foreach (var service in builder.Resources.Where(r => r is ProjectResource || r.Name.EndsWith("-rebuilder", StringComparison.Ordinal)).ToList())
        {
            builder.Resources.Remove(service);
        }

        var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        foreach (var name in new[] { "redis", "rabbitmq-epmd", "rabbitmq" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }

        return app;
    }

    private async Task<IConnection> ConnectAmqpAsync()
        => await new ConnectionFactory { Uri = new Uri($"amqp://admin:{_password}@127.0.0.1:{AmqpPort}/") }.CreateConnectionAsync();

    private async Task ManagementApiAnswersAsync()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{_password}")));

        using var response = await http.GetAsync($"http://127.0.0.1:{ManagementPort}/api/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"administrator\"", await response.Content.ReadAsStringAsync());
    }

    /// <summary>One inline Redis command; the first line of the reply.</summary>
    private async Task<string> RedisAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, RedisPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "";
    }

    private static bool Listens(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
