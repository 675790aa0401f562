using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace AioStorage.AppHost.Infrastructure;

// These checks speak each server's protocol on the port the process itself listens on (the endpoint's target
// port). A plain TCP connect proves nothing when DCP proxies the endpoint: its proxy accepts at once, before
// the server behind it listens.

/// <summary>Redis answers <c>PING</c> with <c>+PONG</c>.</summary>
public sealed class RedisPingHealthCheck(Func<(string Host, int Port)> target) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (host, port) = target();
        using var deadline = TcpProbe.Deadline(cancellationToken);
        try
        {
            using var client = await TcpProbe.ConnectAsync(host, port, deadline.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), deadline.Token);
            var reply = await TcpProbe.ReadLineAsync(stream, deadline.Token);
            return reply == "+PONG"
                ? HealthCheckResult.Healthy($"redis {host}:{port} answered PONG")
                : HealthCheckResult.Unhealthy($"redis {host}:{port} answered '{reply}' to PING");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"redis {host}:{port}: {ex.Message}");
        }
    }
}

/// <summary>epmd answers a NAMES request with its own port number, which also proves it is ours.</summary>
public sealed class EpmdHealthCheck(Func<(string Host, int Port)> target) : IHealthCheck
{
    private const byte NamesRequest = 110;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (host, port) = target();
        using var deadline = TcpProbe.Deadline(cancellationToken);
        try
        {
            using var client = await TcpProbe.ConnectAsync(host, port, deadline.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 1, NamesRequest }, deadline.Token);
            var reply = new byte[4];
            await stream.ReadExactlyAsync(reply, deadline.Token);
            var announced = BinaryPrimitives.ReadInt32BigEndian(reply);
            return announced == port
                ? HealthCheckResult.Healthy($"epmd {host}:{port} answered NAMES")
                : HealthCheckResult.Unhealthy($"epmd on {host}:{port} reports port {announced}");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"epmd {host}:{port}: {ex.Message}");
        }
    }
}

/// <summary>
/// Opens an AMQP connection with the given credentials. The connection is kept and reused while it stays open,
/// so the broker's log is not filled with a connect/disconnect pair every few seconds.
/// </summary>
public sealed class AmqpHealthCheck(Func<CancellationToken, Task<Uri>> uri) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return HealthCheckResult.Healthy("AMQP connection open");
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var target = await uri(cancellationToken);
            var factory = new ConnectionFactory
            {
                Uri = target,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
                AutomaticRecoveryEnabled = false,
                ClientProvidedName = "aio-storage-apphost-health",
            };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            return HealthCheckResult.Healthy($"AMQP login to {target.Host}:{target.Port} succeeded");
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException
                                       or RabbitMQ.Client.Exceptions.OperationInterruptedException
                                       or SocketException or IOException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"AMQP connect failed: {ex.GetBaseException().Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}

/// <summary>Connect and read helpers bounded by one deadline per check: a server that accepts but never answers
/// (a wrong server, or one still starting) must turn into Unhealthy, not a hung check.</summary>
internal static class TcpProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        return deadline;
    }

    public static async Task<TcpClient> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (line.Length < 512 && await stream.ReadAsync(buffer, cancellationToken) == 1 && buffer[0] != (byte)'\n')
        {
            if (buffer[0] != (byte)'\r')
            {
                line.Append((char)buffer[0]);
            }
        }

        return line.ToString();
    }
}
