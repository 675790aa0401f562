using AioStorage.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one place where telemetry, health, service discovery and resilience are wired for every AIO Storage process.
/// </summary>
public static class Extensions
{
    public const string AliveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Activity sources and meters of our own code all start with this prefix.</summary>
    public const string TelemetryPrefix = "AioStorage";

    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSeedConfiguration();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        builder.Services.AddSingleton<TimeProvider>(new MillisecondTimeProvider(TimeProvider.System));
        return builder;
    }

    /// <summary>
    /// Maps the seed's variable names (MONGODB_URI, REDIS_URL, RABBITMQ_URL) onto the connection strings the clients read,
    /// unless the AppHost already injected <c>ConnectionStrings__*</c>.
    /// </summary>
    public static TBuilder AddSeedConfiguration<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var configuration = builder.Configuration;
        var mapped = new Dictionary<string, string?>();

        void Map(string connectionName, string seedName, Func<string, string> convert)
        {
            if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(connectionName))
                && configuration[seedName] is { Length: > 0 } value)
            {
                mapped[$"ConnectionStrings:{connectionName}"] = convert(value);
            }
        }

        Map(MetadataOptions.MongoConnectionName, "MONGODB_URI", v => v);
        Map(AioConnections.Redis, "REDIS_URL", RedisUrl.ToStackExchangeConfiguration);
        Map(AioConnections.RabbitMq, "RABBITMQ_URL", v => v);

        if (mapped.Count > 0)
        {
            configuration.AddInMemoryCollection(mapped);
        }

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter($"{TelemetryPrefix}.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource($"{TelemetryPrefix}.*")
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes every few seconds would bury the traces people look for.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation()
                .AddProcessor(new UnparentedRedisSpanFilter()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [AliveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: ready when every registered check passes (what the AppHost and compose wait for);
    /// <c>/alive</c>: the process answers (liveness only).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(AliveTag),
        }).AllowAnonymous();
        return app;
    }
}
