using AioStorage.AppHost.Infrastructure.Compose;

namespace AioStorage.AppHost.Infrastructure;

/// <summary>Where api and worker keep metadata: the MongoDB resource, or (local mode, where no mongod can run)
/// an embedded SQLite database file.</summary>
public sealed record MetadataStore(IResourceBuilder<MongoDbServerResource>? MongoDb, string? SqlitePath)
{
    public static MetadataStore InMongoDb(IResourceBuilder<MongoDbServerResource> mongodb) => new(mongodb, null);

    public static MetadataStore InSqlite(string path) => new(null, path);
}

public static class ServiceWiringExtensions
{
    public const string FileStorageVolume = "file_storage";
    public const string ContainerStoragePath = "/app/storage";

    /// <summary>
    /// Only what docs/configuration.md promises: <c>ConnectionStrings__*</c> and <c>services__*</c>. Aspire would
    /// also inject every connection property (REDIS_HOST, RABBITMQ_PASSWORD, ...) and <c>{NAME}_{ENDPOINT}</c>
    /// variables, which nothing reads and which would copy secrets into more places.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithContractEnvironment(this IResourceBuilder<ProjectResource> project)
        => project.WithReferenceEnvironment(
            ReferenceEnvironmentInjectionFlags.ConnectionString | ReferenceEnvironmentInjectionFlags.ServiceDiscovery);

    /// <summary>
    /// The service listens on <paramref name="port"/> itself, under the AppHost and in its container alike, so the
    /// model, the manifest and the compose file all agree on one number (and nothing sits in between).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHttpPort(this IResourceBuilder<ProjectResource> project, int port)
        => project.WithEndpoint("http", endpoint =>
        {
            endpoint.Port = port;
            endpoint.TargetPort = port;
            endpoint.IsProxied = false;
        });

    public static IResourceBuilder<ProjectResource> WithMetadataStore(
        this IResourceBuilder<ProjectResource> project, MetadataStore store)
    {
        if (store.MongoDb is { } mongodb)
        {
            return project
                .WithReference(mongodb)
                .WaitFor(mongodb)
                .WithEnvironment("METADATA_PROVIDER", "mongodb");
        }

        var sqlitePath = store.SqlitePath ?? throw new ArgumentException("A metadata store needs MongoDB or a SQLite path.", nameof(store));
        return project
            .WithEnvironment("METADATA_PROVIDER", "sqlite")
            .WithEnvironment("SQLITE_PATH", sqlitePath)
            .WithFolderCreatedBeforeStart(Path.GetDirectoryName(sqlitePath)!);
    }

    /// <summary>
    /// STORAGE_PATH for the blob store that api and worker share. Under the AppHost both run on this machine and
    /// share <paramref name="localPath"/>; in the compose deployment they share the file_storage volume.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFileStorage(
        this IResourceBuilder<ProjectResource> project, string localPath)
        => project
            .WithEnvironment(context => context.EnvironmentVariables["STORAGE_PATH"] =
                context.ExecutionContext.IsPublishMode ? ContainerStoragePath : localPath)
            .WithAnnotation(new ComposeVolumeAnnotation(FileStorageVolume, ContainerStoragePath))
            .WithFolderCreatedBeforeStart(localPath);

    /// <summary>Like a fresh volume, the folder exists before the process starts (a missing working directory
    /// fails the start; a missing data folder would be raced for by api and worker). Nothing is created while the
    /// model is merely built or published.</summary>
    public static IResourceBuilder<T> WithFolderCreatedBeforeStart<T>(this IResourceBuilder<T> resource, string folder)
        where T : IResource
        => resource.OnBeforeResourceStarted((_, _, _) =>
        {
            Directory.CreateDirectory(folder);
            return Task.CompletedTask;
        });
}
