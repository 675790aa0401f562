using System.Diagnostics;
using AioStorage.Core.Configuration;
using AioStorage.Core.Metadata.MongoDb;
using AioStorage.Core.Metadata.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioStorage.Core.Metadata;

public static class MetadataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IUserStore"/>, <see cref="INodeStore"/>, <see cref="IFileVersionStore"/>,
    /// <see cref="IBlobReferenceStore"/>, <see cref="IUploadSessionStore"/>, <see cref="IOutboxStore"/>,
    /// <see cref="IAuditStore"/>, <see cref="IJobStore"/> and <see cref="IMetadataStoreInitializer"/> for the configured provider, and runs the
    /// initializer when the host starts. MongoDB takes the <c>IMongoDatabase</c> that ServiceDefaults' <c>AddMongoDbClient</c> registers.
    /// </summary>
    public static IServiceCollection AddMetadataStore(this IServiceCollection services, MetadataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(options);
        switch (options.Provider)
        {
            case MetadataProvider.Sqlite:
                services.TryAddSingleton(TimeProvider.System);
                services.AddSingleton(new SqliteConnectionFactory(options.SqlitePath));
                services.AddSingleton<IUserStore, SqliteUserStore>();
                services.AddSingleton<INodeStore, SqliteNodeStore>();
                services.AddSingleton<IFileVersionStore, SqliteFileVersionStore>();
                services.AddSingleton<IBlobReferenceStore, SqliteBlobReferenceStore>();
                services.AddSingleton<IUploadSessionStore, SqliteUploadSessionStore>();
                services.AddSingleton<IOutboxStore, SqliteOutboxStore>();
                services.AddSingleton<IAuditStore, SqliteAuditStore>();
                services.AddSingleton<IJobStore, SqliteJobStore>();
                services.AddSingleton<IMetadataStoreInitializer, SqliteMetadataStoreInitializer>();
                break;
            case MetadataProvider.MongoDb:
                services.AddSingleton<MongoMetadataCollections>();
                services.AddSingleton<IUserStore, MongoUserStore>();
                services.AddSingleton<INodeStore, MongoNodeStore>();
                services.AddSingleton<IFileVersionStore, MongoFileVersionStore>();
                services.AddSingleton<IBlobReferenceStore, MongoBlobReferenceStore>();
                services.AddSingleton<IUploadSessionStore, MongoUploadSessionStore>();
                services.AddSingleton<IOutboxStore, MongoOutboxStore>();
                services.AddSingleton<IAuditStore, MongoAuditStore>();
                services.AddSingleton<IJobStore, MongoJobStore>();
                services.AddSingleton<IMetadataStoreInitializer, MongoMetadataStoreInitializer>();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown metadata provider.");
        }

        services.AddHostedService<MetadataStoreInitialization>();
        return services;
    }
}

/// <summary>
/// Runs the initializer in <see cref="StartingAsync"/>, which the host calls before any hosted service's StartAsync,
/// the web server's included: no request or queue message reaches a store before its schema or indexes exist.
/// A failure stops start-up, so a process never serves with a database it cannot use.
/// </summary>
internal sealed class MetadataStoreInitialization(
    IMetadataStoreInitializer initializer,
    MetadataOptions options,
    ILogger<MetadataStoreInitialization> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await initializer.InitializeAsync(cancellationToken);
        logger.LogInformation("Metadata store ({Provider}) initialized in {ElapsedMs:0} ms", options.Provider, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
