using AioStorage.Core.Configuration;
using AioStorage.Core.Metadata;
using AioStorage.Core.Metadata.MongoDb;
using AioStorage.Core.Metadata.Sqlite;
using AioStorage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MongoDB.Driver;

namespace AioStorage.Tests.Metadata;

public sealed class MetadataRegistrationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aio-metadata-registration-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_schema_exists_before_any_hosted_service_starts()
    {
        var path = Path.Combine(_root, "host.db");
        var builder = Host.CreateApplicationBuilder();
        // Registered before the store, so that it starts first: it only works if initialization ran earlier still.
        builder.Services.AddHostedService<CreatesAUserAtStart>();
        builder.Services.AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, path));
        using var host = builder.Build();

        await host.StartAsync();
        var user = await host.Services.GetRequiredService<IUserStore>().GetByUsernameAsync(CreatesAUserAtStart.Username, CancellationToken.None);
        await host.StopAsync();

        Assert.NotNull(user);
    }

    [Fact]
    public async Task A_host_does_not_start_on_a_database_it_cannot_use()
    {
        var notADatabase = Path.Combine(_root, "not-a-database.db");
        await File.WriteAllTextAsync(notADatabase, "this is a text file, not a SQLite database, and it is long enough to have a header");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, notADatabase));
        using var host = builder.Build();

        await Assert.ThrowsAsync<SqliteException>(() => host.StartAsync());
    }

    [Fact]
    public void Each_provider_registers_its_own_stores()
    {
        using var sqlite = new ServiceCollection()
            .AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, Path.Combine(_root, "types.db")))
            .BuildServiceProvider();
        using var client = new MongoClient("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100");
        using var mongo = new ServiceCollection()
            .AddSingleton(client.GetDatabase("unused"))
            .AddMetadataStore(new MetadataOptions(MetadataProvider.MongoDb, Path.Combine(_root, "unused.db")))
            .BuildServiceProvider();

        Assert.IsType<SqliteUserStore>(sqlite.GetRequiredService<IUserStore>());
        Assert.IsType<SqliteNodeStore>(sqlite.GetRequiredService<INodeStore>());
        Assert.IsType<SqliteFileVersionStore>(sqlite.GetRequiredService<IFileVersionStore>());
        Assert.IsType<SqliteBlobReferenceStore>(sqlite.GetRequiredService<IBlobReferenceStore>());
        Assert.IsType<SqliteUploadSessionStore>(sqlite.GetRequiredService<IUploadSessionStore>());
        Assert.IsType<SqliteOutboxStore>(sqlite.GetRequiredService<IOutboxStore>());
        Assert.IsType<SqliteAuditStore>(sqlite.GetRequiredService<IAuditStore>());
        Assert.IsType<SqliteMetadataStoreInitializer>(sqlite.GetRequiredService<IMetadataStoreInitializer>());
        Assert.IsType<MongoUserStore>(mongo.GetRequiredService<IUserStore>());
        Assert.IsType<MongoNodeStore>(mongo.GetRequiredService<INodeStore>());
        Assert.IsType<MongoFileVersionStore>(mongo.GetRequiredService<IFileVersionStore>());
        Assert.IsType<MongoBlobReferenceStore>(mongo.GetRequiredService<IBlobReferenceStore>());
        Assert.IsType<MongoUploadSessionStore>(mongo.GetRequiredService<IUploadSessionStore>());
        Assert.IsType<MongoOutboxStore>(mongo.GetRequiredService<IOutboxStore>());
        Assert.IsType<MongoAuditStore>(mongo.GetRequiredService<IAuditStore>());
        Assert.IsType<MongoMetadataStoreInitializer>(mongo.GetRequiredService<IMetadataStoreInitializer>());
        Assert.False(File.Exists(Path.Combine(_root, "unused.db")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_emulator_fixture_fails_with_install_instructions_when_its_packages_are_missing()
    {
        var fakePython = Path.Combine(_root, "python-without-packages");
        await File.WriteAllTextAsync(fakePython, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'mockupdb'\" >&2\nexit 1\n");
        File.SetUnixFileMode(fakePython, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => MongoEmulator.StartAsync(fakePython));
        var absent = await Assert.ThrowsAsync<InvalidOperationException>(() => MongoEmulator.StartAsync(Path.Combine(_root, "no-such-python")));

        Assert.Contains("python3-mockupdb", missing.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/install-deps.sh test", missing.Message, StringComparison.Ordinal);
        Assert.Contains("No module named 'mockupdb'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("python3-mongomock", absent.Message, StringComparison.Ordinal);
    }

    private sealed class CreatesAUserAtStart(IUserStore users) : IHostedService
    {
        public const string Username = "created_at_start";

        public Task StartAsync(CancellationToken cancellationToken) => users.CreateAsync(
            new UserRecord("start-user", Username, "start@example.test", "hash", 0, 100, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
            cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
