using System.Net;
using System.Net.Sockets;
using AioStorage.AppHost.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioStorage.Tests.AppHost;

/// <summary>
/// The local-mode health checks against the suite's real Redis, RabbitMQ and epmd (scripts/test-services-start.sh),
/// and against ports where nothing, or something else, answers: a check that passes there is worthless.
/// </summary>
public sealed class ProtocolHealthCheckTests
{
    private static readonly (string Host, int Port) Redis = HostAndPort(
        Environment.GetEnvironmentVariable("AIO_TEST_REDIS") ?? "127.0.0.1:16390");

    private static readonly Uri RabbitMq = new(
        Environment.GetEnvironmentVariable("AIO_TEST_RABBITMQ_URL") ?? "amqp://admin:password123@127.0.0.1:16391/");

    private static readonly (string Host, int Port) Epmd = ("127.0.0.1",
        int.Parse(Environment.GetEnvironmentVariable("AIO_TEST_EPMD_PORT") ?? "16394"));

    [Fact]
    public async Task Redis_ping_is_healthy_when_redis_answers_pong()
    {
        var result = await Check(new RedisPingHealthCheck(() => Redis));

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task Redis_ping_is_unhealthy_when_nothing_listens()
    {
        var result = await Check(new RedisPingHealthCheck(() => ("127.0.0.1", ClosedPort())));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task Redis_ping_is_unhealthy_when_the_port_accepts_but_is_not_redis()
    {
        // What a proxy in front of a server that is not up yet looks like: connections are accepted.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());
        });

        var result = await Check(new RedisPingHealthCheck(() => ("127.0.0.1", port)));
        await server;

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("HTTP/1.1 400", result.Description);
    }

    [Fact]
    public async Task Epmd_names_is_healthy_on_the_suites_epmd()
    {
        var result = await Check(new EpmdHealthCheck(() => Epmd));

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task Epmd_names_is_unhealthy_on_a_server_that_is_not_that_epmd()
    {
        var notEpmd = await Check(new EpmdHealthCheck(() => Redis));
        var nothing = await Check(new EpmdHealthCheck(() => ("127.0.0.1", ClosedPort())));

        Assert.Equal(HealthStatus.Unhealthy, notEpmd.Status);
        Assert.Equal(HealthStatus.Unhealthy, nothing.Status);
    }

    [Fact]
    public async Task Amqp_login_is_healthy_with_the_right_credentials_and_reuses_its_connection()
    {
        await using var check = new AmqpHealthCheck(_ => Task.FromResult(RabbitMq));

        var first = await Check(check);
        var second = await Check(check);

        Assert.Equal(HealthStatus.Healthy, first.Status);
        Assert.StartsWith("AMQP login to ", first.Description);
        Assert.Equal(HealthStatus.Healthy, second.Status);
        Assert.Equal("AMQP connection open", second.Description);
    }

    [Fact]
    public async Task Amqp_login_is_unhealthy_with_a_wrong_password()
    {
        var wrongPassword = new UriBuilder(RabbitMq) { Password = "not-the-password" }.Uri;
        await using var check = new AmqpHealthCheck(_ => Task.FromResult(wrongPassword));

        var result = await Check(check);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task Amqp_login_is_unhealthy_when_nothing_listens()
    {
        var closed = new UriBuilder(RabbitMq) { Port = ClosedPort() }.Uri;
        await using var check = new AmqpHealthCheck(_ => Task.FromResult(closed));

        var result = await Check(check);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    private static Task<HealthCheckResult> Check(IHealthCheck check)
        => check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("test", check, HealthStatus.Unhealthy, null),
        }).WaitAsync(TimeSpan.FromSeconds(30));

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (string, int) HostAndPort(string text)
    {
        var separator = text.LastIndexOf(':');
        return (text[..separator], int.Parse(text[(separator + 1)..]));
    }
}
