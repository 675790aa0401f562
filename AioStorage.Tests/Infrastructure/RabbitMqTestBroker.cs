using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AioStorage.Tests.Infrastructure;

/// <summary>
/// The RabbitMQ broker the test suite runs against (<c>AIO_TEST_RABBITMQ_URL</c>, <c>AIO_TEST_RABBITMQ_MGMT_URL</c>).
/// Tests isolate themselves in throwaway virtual hosts made through the management HTTP API (~50 ms each).
/// </summary>
public sealed class RabbitMqTestBroker
{
    private static readonly Lazy<RabbitMqTestBroker> Shared = new(() => new RabbitMqTestBroker(
        new Uri(TestServices.RabbitMqUrl),
        new Uri(TestServices.RabbitMqManagementUrl)));

    private RabbitMqTestBroker(Uri amqpUri, Uri managementUri)
    {
        AmqpUri = amqpUri;
        var (user, password) = Credentials(managementUri);
        UserName = Credentials(amqpUri).User;
        Management = new HttpClient { BaseAddress = new UriBuilder(managementUri) { UserName = "", Password = "", Path = "/api/" }.Uri, Timeout = TimeSpan.FromSeconds(10) };
        Management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public static RabbitMqTestBroker Instance => Shared.Value;

    public Uri AmqpUri { get; }
    public string UserName { get; }
    public HttpClient Management { get; }

    /// <summary>A fresh virtual host the AMQP user may use fully; deleted (with everything in it) on dispose.</summary>
    public async Task<TestVirtualHost> CreateVirtualHostAsync(string purpose)
    {
        var name = $"aio-test-{purpose}-{Guid.NewGuid():N}";
        var escaped = Uri.EscapeDataString(name);
        await Ensure(Management.PutAsJsonAsync($"vhosts/{escaped}", new { description = "AIO Storage test" }), $"creating vhost {name}");
        await Ensure(Management.PutAsJsonAsync($"permissions/{escaped}/{Uri.EscapeDataString(UserName)}",
            new { configure = ".*", write = ".*", read = ".*" }), $"granting {UserName} on {name}");
        return new TestVirtualHost(this, name);
    }

    /// <summary>Lets the AMQP user publish in <paramref name="vhost"/>, or refuses every publish (a broker that turns writes away).</summary>
    public async Task SetWritePermissionAsync(string vhost, bool allowed)
        => await Ensure(Management.PutAsJsonAsync($"permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(UserName)}",
            new { configure = ".*", write = allowed ? ".*" : "^$", read = ".*" }), $"changing {UserName}'s write permission on {vhost}");

    /// <summary>
    /// Closes the connections of the process under test in <paramref name="vhost"/> (the test's own "test-inspector"
    /// stays), waiting for one to show up first. A broker caches permissions per channel: a client must reconnect to
    /// feel a change, as after a broker restart.
    /// </summary>
    public async Task CloseClientConnectionsAsync(string vhost)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var connections = await Management.GetFromJsonAsync<JsonElement>($"vhosts/{Uri.EscapeDataString(vhost)}/connections");
            var names = connections.EnumerateArray()
                .Where(c => !(c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) && n.GetString() == "test-inspector"))
                .Select(c => c.GetProperty("name").GetString()!)
                .ToList();
            if (names.Count > 0)
            {
                foreach (var name in names)
                {
                    await Ensure(Management.DeleteAsync($"connections/{Uri.EscapeDataString(name)}"), $"closing connection {name}");
                }

                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the client's connection never showed up in the management API");
            await Task.Delay(200);
        }
    }

    internal static async Task<HttpResponseMessage> Ensure(Task<HttpResponseMessage> request, string what)
    {
        var response = await request;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"RabbitMQ management API failed {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    private static (string User, string Password) Credentials(Uri uri)
    {
        var parts = uri.UserInfo.Split(':', 2);
        return (WebUtility.UrlDecode(parts[0]), parts.Length > 1 ? WebUtility.UrlDecode(parts[1]) : string.Empty);
    }
}

/// <summary>One test's virtual host: AMQP connections into it, and management API views of what it holds.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly RabbitMqTestBroker _broker;
    private readonly List<IConnection> _connections = [];
    private IConnection? _inspector;

    internal TestVirtualHost(RabbitMqTestBroker broker, string name)
    {
        _broker = broker;
        Name = name;
    }

    public string Name { get; }

    private string Escaped => Uri.EscapeDataString(Name);

    /// <summary>
    /// A connection like the one Aspire's client makes (automatic and topology recovery on), but recovering within
    /// a quarter second so recovery tests stay short. The caller owns it unless <paramref name="track"/>.
    /// Without <paramref name="recover"/> a lost connection stays lost, as when the process behind it died.
    /// </summary>
    public async Task<IConnection> ConnectAsync(string clientName, bool track = true, bool recover = true)
    {
        var factory = new ConnectionFactory
        {
            Uri = _broker.AmqpUri,
            VirtualHost = Name,
            AutomaticRecoveryEnabled = recover,
            TopologyRecoveryEnabled = recover,
            NetworkRecoveryInterval = TimeSpan.FromMilliseconds(250),
            ClientProvidedName = clientName,
        };
        var connection = await factory.CreateConnectionAsync(clientName);
        if (track)
        {
            lock (_connections)
            {
                _connections.Add(connection);
            }
        }

        return connection;
    }

    /// <summary>Ready messages in <paramref name="queue"/>, straight from the broker (the management API's counts lag by seconds).</summary>
    public async Task<uint> MessageCountAsync(string queue) => (await DeclarePassiveAsync(queue)).MessageCount;

    /// <summary>Consumers on <paramref name="queue"/>; 0 while the queue does not exist yet.</summary>
    public async Task<uint> ConsumerCountAsync(string queue)
    {
        try
        {
            return (await DeclarePassiveAsync(queue)).ConsumerCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private async Task<QueueDeclareOk> DeclarePassiveAsync(string queue)
    {
        var connection = await InspectorAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.QueueDeclarePassiveAsync(queue);
    }

    /// <summary>Takes (and acknowledges) the next message of <paramref name="queue"/>, or null when it is empty.</summary>
    public async Task<BasicGetResult?> GetAsync(string queue)
    {
        var connection = await InspectorAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.BasicGetAsync(queue, autoAck: true);
    }

    public async Task<JsonElement> GetQueueAsync(string queue) => await GetJsonAsync($"queues/{Escaped}/{Uri.EscapeDataString(queue)}");

    public async Task<JsonElement> GetQueuesAsync() => await GetJsonAsync($"queues/{Escaped}");

    public async Task<JsonElement> GetExchangeAsync(string exchange) => await GetJsonAsync($"exchanges/{Escaped}/{Uri.EscapeDataString(exchange)}");

    public async Task<JsonElement> GetBindingsFromAsync(string exchange) =>
        await GetJsonAsync($"exchanges/{Escaped}/{Uri.EscapeDataString(exchange)}/bindings/source");

    public async Task DeleteQueueAsync(string queue) =>
        await RabbitMqTestBroker.Ensure(_broker.Management.DeleteAsync($"queues/{Escaped}/{Uri.EscapeDataString(queue)}"), $"deleting queue {queue}");

    /// <summary>
    /// Force-closes (as an operator or a broker restart would) every connection named <paramref name="clientName"/>.
    /// The management API lists a connection only after its first statistics report, so this waits for it to appear.
    /// </summary>
    public async Task<int> ForceCloseConnectionsAsync(string clientName, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var connections = await GetJsonAsync($"vhosts/{Escaped}/connections");
            var names = connections.EnumerateArray()
                .Where(c => c.TryGetProperty("client_properties", out var props)
                            && props.TryGetProperty("connection_name", out var n) && n.GetString() == clientName)
                .Select(c => c.GetProperty("name").GetString()!)
                .ToList();
            if (names.Count > 0)
            {
                foreach (var name in names)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Delete, $"connections/{Uri.EscapeDataString(name)}");
                    request.Headers.Add("X-Reason", "test: simulated connection loss");
                    await RabbitMqTestBroker.Ensure(_broker.Management.SendAsync(request), $"closing connection {name}");
                }

                return names.Count;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No connection named {clientName} appeared in vhost {Name} within {timeout}.");
            }

            await Task.Delay(100);
        }
    }

    private async Task<IConnection> InspectorAsync() => _inspector ??= await ConnectAsync("test-inspector");

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await RabbitMqTestBroker.Ensure(_broker.Management.GetAsync(path), $"GET {path}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    public async ValueTask DisposeAsync()
    {
        IConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        try
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
        finally
        {
            // Deleting the vhost also closes whatever connection a test left open in it.
            using var response = await _broker.Management.DeleteAsync($"vhosts/{Escaped}");
        }
    }
}
