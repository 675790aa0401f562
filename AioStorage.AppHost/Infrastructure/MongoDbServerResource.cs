using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace AioStorage.AppHost.Infrastructure;

/// <summary>
/// A MongoDB server container. Aspire.Hosting.MongoDB is not available to us, so this is the small part of it we
/// need: an image, a root user, a database, and a connection string for <c>WithReference</c>
/// (<c>ConnectionStrings__mongodb</c>).
/// </summary>
public sealed class MongoDbServerResource(
    string name, ParameterResource userName, ParameterResource password, string databaseName)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const int ContainerPort = 27017;

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ParameterResource UserNameParameter { get; } = userName;

    public ParameterResource PasswordParameter { get; } = password;

    public string DatabaseName { get; } = databaseName;

    // authSource=admin: the root user lives in the admin database, the application's data in DatabaseName.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"mongodb://{UserNameParameter}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}/{DatabaseName}?authSource=admin");
}

public static class MongoDbServerBuilderExtensions
{
    public static IResourceBuilder<MongoDbServerResource> AddMongoDb(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource> userName,
        IResourceBuilder<ParameterResource> password,
        string databaseName,
        int? port)
    {
        var resource = new MongoDbServerResource(name, userName.Resource, password.Resource, databaseName);

        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, new MongoPingHealthCheck(resource), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithImage("mongo", "8.0")
            .WithImageRegistry("docker.io")
            .WithEndpoint(port: port, targetPort: MongoDbServerResource.ContainerPort,
                name: MongoDbServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithEnvironment("MONGO_INITDB_ROOT_USERNAME", userName)
            .WithEnvironment("MONGO_INITDB_ROOT_PASSWORD", password)
            .WithEnvironment("MONGO_INITDB_DATABASE", databaseName)
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<MongoDbServerResource> WithDataVolume(
        this IResourceBuilder<MongoDbServerResource> builder, string name)
        => builder.WithVolume(name, "/data/db");

    public static IResourceBuilder<MongoDbServerResource> WithConfigVolume(
        this IResourceBuilder<MongoDbServerResource> builder, string name)
        => builder.WithVolume(name, "/data/configdb");
}

/// <summary>A real MongoDB <c>ping</c> with the root credentials: a TCP connect would reach DCP's proxy, which
/// accepts connections long before mongod listens behind it.</summary>
public sealed class MongoPingHealthCheck(MongoDbServerResource resource) : IHealthCheck, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MongoClient? _client;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var client = await GetClientAsync(cancellationToken);
            await client.GetDatabase("admin")
                .RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"MongoDB ping failed: {ex.Message}");
        }
    }

    private async Task<MongoClient> GetClientAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_client is null)
            {
                var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken)
                    ?? throw new InvalidOperationException("The MongoDB connection string is not available yet.");
                var settings = MongoClientSettings.FromConnectionString(connectionString);
                settings.ServerSelectionTimeout = TimeSpan.FromSeconds(3);
                settings.ConnectTimeout = TimeSpan.FromSeconds(3);
                _client = new MongoClient(settings);
            }

            return _client;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        _gate.Dispose();
    }
}
