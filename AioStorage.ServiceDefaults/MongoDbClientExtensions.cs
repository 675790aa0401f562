using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Configuration;
using MongoDB.Driver.Core.Events;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What Aspire.MongoDB.Driver would do (it is not served here): IMongoClient and IMongoDatabase from the
/// connection string, a ping health check, and a client span per MongoDB command.
/// </summary>
public static class MongoDbClientExtensions
{
    public const string DefaultDatabaseName = "aio_storage";

    public static TBuilder AddMongoDbClient<TBuilder>(this TBuilder builder, string connectionName, string healthCheckName)
        where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} (or MONGODB_URI) is not set.");
        }

        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        // A dead server should show up as a failure within seconds, not as a request hanging for 30 s.
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        settings.ClusterConfigurator = cluster => MongoCommandTracing.Subscribe(cluster);

        builder.Services.AddSingleton<IMongoClient>(_ => new MongoClient(settings));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IMongoClient>().GetDatabase(url.DatabaseName ?? DefaultDatabaseName));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckName,
            sp => new MongoPingHealthCheck(sp.GetRequiredService<IMongoDatabase>()),
            HealthStatus.Unhealthy,
            [Extensions.ReadyTag, AioDependencies.DependencyTag],
            TimeSpan.FromSeconds(5)));
        return builder;
    }
}

internal sealed class MongoPingHealthCheck(IMongoDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy($"mongodb ping ok ({database.DatabaseNamespace.DatabaseName})",
                new Dictionary<string, object> { ["provider"] = "mongodb" });
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"mongodb: {ex.Message}");
        }
    }
}

/// <summary>One client span per command, named like the OpenTelemetry database conventions ask.</summary>
internal static class MongoCommandTracing
{
    public static readonly ActivitySource Source = new($"{Extensions.TelemetryPrefix}.MongoDB");

    private static readonly ConcurrentDictionary<int, Activity> InFlight = new();

    // Handshakes and heartbeats are not application work.
    private static readonly HashSet<string> IgnoredCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "hello", "isMaster", "buildInfo", "getLastError", "saslStart", "saslContinue", "ping", "endSessions",
    };

    public static void Subscribe(ClusterBuilder cluster)
    {
        cluster.Subscribe<CommandStartedEvent>(OnStarted);
        cluster.Subscribe<CommandSucceededEvent>(e => Finish(e.RequestId, null));
        cluster.Subscribe<CommandFailedEvent>(e => Finish(e.RequestId, e.Failure));
    }

    private static void OnStarted(CommandStartedEvent e)
    {
        if (IgnoredCommands.Contains(e.CommandName) || !Source.HasListeners())
        {
            return;
        }

        var collection = e.Command.TryGetValue(e.CommandName, out var target) && target.IsString ? target.AsString : null;
        // The driver raises this event inside the caller's async flow: keep the caller's current activity as it was.
        var previous = Activity.Current;
        var activity = Source.StartActivity(collection is null ? e.CommandName : $"{e.CommandName} {collection}", ActivityKind.Client);
        Activity.Current = previous;
        if (activity is null)
        {
            return;
        }

        activity.SetTag("db.system", "mongodb");
        activity.SetTag("db.namespace", e.DatabaseNamespace.DatabaseName);
        activity.SetTag("db.operation.name", e.CommandName);
        if (collection is not null)
        {
            activity.SetTag("db.collection.name", collection);
        }

        if (e.ConnectionId?.ServerId?.EndPoint is System.Net.DnsEndPoint endpoint)
        {
            activity.SetTag("server.address", endpoint.Host);
            activity.SetTag("server.port", endpoint.Port);
        }

        InFlight[e.RequestId] = activity;
    }

    private static void Finish(int requestId, Exception? failure)
    {
        if (!InFlight.TryRemove(requestId, out var activity))
        {
            return;
        }

        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
            activity.SetTag("error.type", failure.GetType().FullName);
        }

        var previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous;
    }
}
