using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

/// <summary>
/// The metadata store contract, one suite for every store: each deriving class runs all of it against one provider
/// (SQLite, the MongoDB emulator, a real mongod). Tests share the class's database and keep apart by using fresh
/// users and owners, so they also show that one owner's data never leaks into another's.
/// </summary>
public abstract partial class MetadataStoreContract(MetadataStoreFixture fixture) : IDisposable
{
    /// <summary>A time with milliseconds, the precision both stores keep.</summary>
    protected static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));

    protected MetadataStoreFixture Fixture => fixture;

    protected IUserStore Users => fixture.Stores.Users;

    protected INodeStore Nodes => fixture.Stores.Nodes;

    protected IFileVersionStore Versions => fixture.Stores.Versions;

    protected IBlobReferenceStore Blobs => fixture.Stores.Blobs;

    protected IUploadSessionStore Uploads => fixture.Stores.Uploads;

    protected IOutboxStore Outbox => fixture.Stores.Outbox;

    protected IAuditStore Audit => fixture.Stores.Audit;

    protected CancellationToken Ct => _timeout.Token;

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static DateTimeOffset T(int seconds) => T0.AddSeconds(seconds);

    protected static string NewId() => Guid.NewGuid().ToString("N");

    protected static UserRecord NewUser(long quota = 10_000, long used = 0)
    {
        var id = NewId();
        var username = $"user_{id[..16]}";
        return new UserRecord(id, username, $"{username}@example.test", $"pbkdf2${id}", used, quota, T0, T0);
    }

    protected static FolderRecord NewFolder(string ownerId, string? parentId, string name, DateTimeOffset? createdAt = null, DateTimeOffset? updatedAt = null) => new()
    {
        Id = NewId(),
        OwnerId = ownerId,
        ParentId = parentId,
        Name = name,
        CreatedAt = createdAt ?? T0,
        UpdatedAt = updatedAt ?? createdAt ?? T0,
    };

    protected static FileRecord NewFile(string ownerId, string? parentId, string name, long size = 1, DateTimeOffset? createdAt = null, DateTimeOffset? updatedAt = null) => new()
    {
        Id = NewId(),
        OwnerId = ownerId,
        ParentId = parentId,
        Name = name,
        CreatedAt = createdAt ?? T0,
        UpdatedAt = updatedAt ?? createdAt ?? T0,
        Size = size,
        MimeType = "text/plain",
        Sha256 = new string('a', 64),
    };

    protected async Task<T> CreatedAsync<T>(T node) where T : NodeRecord
    {
        await Nodes.CreateAsync(node, Ct);
        return node;
    }

    protected async Task<UserRecord> CreatedAsync(UserRecord user)
    {
        await Users.CreateAsync(user, Ct);
        return user;
    }

    /// <summary>
    /// Stores on a database of their own, initialized, for tests of what is not scoped by owner (retention, the
    /// collectors, the outbox): other tests' records in the class's database would show up in those listings.
    /// </summary>
    protected async Task<MetadataStores> FreshStoresAsync()
    {
        var stores = fixture.Open(fixture.NewDatabase());
        await stores.Initializer.InitializeAsync(Ct);
        return stores;
    }

    protected async Task<long> StorageUsedAsync(string userId) =>
        (await Users.GetByIdAsync(userId, Ct) ?? throw new InvalidOperationException($"user {userId} is gone")).StorageUsed;

    protected async Task<string[]> ChildNamesAsync(string ownerId, string? parentId, NodeListQuery? query = null) =>
        [.. (await Nodes.ListChildrenAsync(ownerId, parentId, query ?? new NodeListQuery(0, 100), Ct)).Items.Select(n => n.Name)];

    /// <summary>Runs <paramref name="count"/> calls at once, each on its own thread pool work item.</summary>
    protected static Task InParallel(int count, Func<int, Task> call) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => call(i))));

    protected static Task<T[]> InParallelResults<T>(int count, Func<int, Task<T>> call) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => call(i))));
}
