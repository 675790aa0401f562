using AioStorage.Core.Configuration;
using AioStorage.Core.Health;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers the shared infrastructure each process needs, each with one health check named after the dependency
/// (metadata, redis, rabbitmq, storage) and tagged <see cref="DependencyTag"/>, which <c>/api/v1/health</c> reports.
/// </summary>
public static class AioDependencies
{
    public const string DependencyTag = "dependency";
    public const string Metadata = "metadata";
    public const string Storage = "storage";
    public const string Redis = "redis";
    public const string RabbitMq = "rabbitmq";

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] DependencyTags = [Extensions.ReadyTag, DependencyTag];

    public static TBuilder AddAioStorage<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(StorageOptions.From(builder.Configuration));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            Storage, sp => new StoragePathHealthCheck(sp.GetRequiredService<StorageOptions>()), HealthStatus.Unhealthy, DependencyTags, CheckTimeout));
        return builder;
    }

    /// <summary>The metadata store this process uses: MongoDB or the embedded SQLite database (see <see cref="MetadataOptions"/>).</summary>
    public static TBuilder AddAioMetadata<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var options = MetadataOptions.From(builder.Configuration, StorageOptions.From(builder.Configuration));
        builder.Services.AddSingleton(options);
        builder.Services.AddMetadataStore(options);
        if (options.Provider == MetadataProvider.MongoDb)
        {
            builder.AddMongoDbClient(MetadataOptions.MongoConnectionName, Metadata);
        }
        else
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                Metadata, sp => new SqliteHealthCheck(sp.GetRequiredService<MetadataOptions>()), HealthStatus.Unhealthy, DependencyTags, CheckTimeout));
        }

        return builder;
    }

    public static TBuilder AddAioRedis<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(
            AioConnections.Redis,
            settings => settings.DisableHealthChecks = true,
            // Start (and keep serving) while Redis is away; the multiplexer reconnects by itself.
            options => options.AbortOnConnectFail = false);
        // Degraded, not unhealthy: without Redis the api still serves from the store (no cache, sessions fail open),
        // and a worker keeps processing. /api/v1/health still answers 503, since Redis is a required dependency.
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            Redis, sp => new RedisPingHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Degraded, DependencyTags, CheckTimeout));
        return builder;
    }

    public static TBuilder AddAioRabbitMq<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddRabbitMQClient(AioConnections.RabbitMq, settings => settings.DisableHealthChecks = true);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            RabbitMq, sp => new RabbitMqConnectionHealthCheck(sp), HealthStatus.Unhealthy, DependencyTags, CheckTimeout));
        return builder;
    }
}

internal sealed class RedisPingHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"redis: {ex.Message}");
        }
    }
}

/// <summary>
/// Healthy when the shared AMQP connection is open. The Aspire client builds that connection on first use and
/// retries while the broker is away, so it is resolved off the request thread and bounded by the check's timeout.
/// </summary>
internal sealed class RabbitMqConnectionHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await Task.Run(services.GetRequiredService<IConnection>, cancellationToken).WaitAsync(cancellationToken);
            return connection.IsOpen
                ? HealthCheckResult.Healthy($"AMQP connection open to {connection.Endpoint.HostName}:{connection.Endpoint.Port}")
                : HealthCheckResult.Unhealthy($"rabbitmq: connection closed ({connection.CloseReason?.ReplyText ?? "recovering"})");
        }
        catch (OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("rabbitmq: no connection within the check's timeout");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"rabbitmq: {ex.GetBaseException().Message}");
        }
    }
}
