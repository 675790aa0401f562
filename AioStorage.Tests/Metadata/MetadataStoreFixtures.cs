using AioStorage.Core.Configuration;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using MongoDB.Driver;

namespace AioStorage.Tests.Metadata;

/// <summary>The store interfaces of one database, as one process would resolve them.</summary>
public sealed record MetadataStores(
    IUserStore Users,
    INodeStore Nodes,
    IFileVersionStore Versions,
    IBlobReferenceStore Blobs,
    IUploadSessionStore Uploads,
    IOutboxStore Outbox,
    IAuditStore Audit,
    IMetadataStoreInitializer Initializer);

/// <summary>
/// One store provider for a test class: a fresh database for the class (dropped afterwards), and more fresh databases
/// or more independent "processes" on one database for the tests that need them. Stores are resolved through
/// <see cref="MetadataServiceCollectionExtensions.AddMetadataStore"/>, so the registration is what gets tested.
/// </summary>
public abstract class MetadataStoreFixture : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];
    private readonly List<string> _databases = [];

    public MetadataStores Stores { get; private set; } = null!;

    public string Database { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        await StartAsync();
        Database = NewDatabase();
        Stores = Open(Database);
        await Stores.Initializer.InitializeAsync(CancellationToken.None);
    }

    /// <summary>A database name nobody has used, dropped when the class is done.</summary>
    public string NewDatabase()
    {
        var name = $"aio_test_{Guid.NewGuid():N}";
        lock (_databases)
        {
            _databases.Add(name);
        }

        return name;
    }

    /// <summary>Stores on <paramref name="database"/> with their own connections, as a separate process would have.</summary>
    public MetadataStores Open(string database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        Configure(services, database);
        var provider = services.BuildServiceProvider();
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return new MetadataStores(
            provider.GetRequiredService<IUserStore>(),
            provider.GetRequiredService<INodeStore>(),
            provider.GetRequiredService<IFileVersionStore>(),
            provider.GetRequiredService<IBlobReferenceStore>(),
            provider.GetRequiredService<IUploadSessionStore>(),
            provider.GetRequiredService<IOutboxStore>(),
            provider.GetRequiredService<IAuditStore>(),
            provider.GetRequiredService<IMetadataStoreInitializer>());
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        foreach (var database in _databases)
        {
            await DropAsync(database);
        }

        await StopAsync();
    }

    protected abstract Task StartAsync();

    protected abstract void Configure(IServiceCollection services, string database);

    protected abstract Task DropAsync(string database);

    protected abstract Task StopAsync();
}

/// <summary>SQLite: each database is a file in a temporary folder.</summary>
public sealed class SqliteStoreFixture : MetadataStoreFixture
{
    public string Root { get; } = Directory.CreateTempSubdirectory("aio-metadata-").FullName;

    public string PathOf(string database) => Path.Combine(Root, database + ".db");

    protected override Task StartAsync() => Task.CompletedTask;

    protected override void Configure(IServiceCollection services, string database) =>
        services.AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, PathOf(database)));

    protected override Task DropAsync(string database) => Task.CompletedTask;

    protected override Task StopAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>MongoDB: every <see cref="MetadataStoreFixture.Open"/> gets its own client (its own connection pool).</summary>
public abstract class MongoStoreFixture : MetadataStoreFixture
{
    private readonly List<MongoClient> _clients = [];

    protected abstract string ConnectionString { get; }

    public IMongoDatabase RawDatabase(string database) => NewClient().GetDatabase(database);

    protected override void Configure(IServiceCollection services, string database)
    {
        services.AddSingleton(NewClient().GetDatabase(database));
        services.AddMetadataStore(new MetadataOptions(MetadataProvider.MongoDb, "unused-by-mongodb.db"));
    }

    protected override async Task DropAsync(string database) => await NewClient().DropDatabaseAsync(database);

    protected override Task StopAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        return Task.CompletedTask;
    }

    /// <summary>Fails the class at once, with the address it tried, when the server does not answer.</summary>
    protected async Task PingAsync()
    {
        try
        {
            await NewClient().GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            throw new InvalidOperationException($"No MongoDB answers at {new MongoUrl(ConnectionString).Server}: {ex.Message}", ex);
        }
    }

    private MongoClient NewClient()
    {
        var settings = MongoClientSettings.FromConnectionString(ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        settings.SocketTimeout = TimeSpan.FromSeconds(10);
        var client = new MongoClient(settings);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }
}

/// <summary>The wire-protocol emulator of tests/mongo-emulator, one process per test class.</summary>
public sealed class MongoEmulatorStoreFixture : MongoStoreFixture
{
    private MongoEmulator? _emulator;

    protected override string ConnectionString => (_emulator ?? throw new InvalidOperationException("The emulator is not running.")).ConnectionString;

    protected override async Task StartAsync()
    {
        _emulator = await MongoEmulator.StartAsync();
        await PingAsync();
    }

    protected override async Task StopAsync()
    {
        await base.StopAsync();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}

/// <summary>A real mongod at <c>AIO_TEST_MONGODB_URI</c>, e.g. <c>docker run -p 27017:27017 mongo:8.0</c>.</summary>
public sealed class RealMongoStoreFixture : MongoStoreFixture
{
    public const string Variable = "AIO_TEST_MONGODB_URI";

    protected override string ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } uri
        ? uri
        : throw new InvalidOperationException($"{Variable} is not set.");

    protected override Task StartAsync() => PingAsync();
}
