using System.IO.Compression;
using AioStorage.Core.Configuration;
using AioStorage.Core.Metadata;
using AioStorage.Worker.Archives;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Archives;

/// <summary>How a selection becomes ZIP entries, on a real SQLite metadata store.</summary>
public sealed class ArchiveSelectionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("aio-archive-selection-").FullName;
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private ServiceProvider _services = null!;

    private INodeStore Nodes => _services.GetRequiredService<INodeStore>();

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, Path.Combine(_root, "metadata.db")))
            .BuildServiceProvider();
        await _services.GetRequiredService<IMetadataStoreInitializer>().InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Folders_are_walked_live_items_only_nested_selections_written_once_and_gone_items_reported()
    {
        var photos = await FolderAsync("Photos", null);
        var trip = await FolderAsync("Trip", photos.Id);
        var empty = await FolderAsync("Empty", trip.Id);
        var beach = await FileAsync("beach.jpg", trip.Id, "image/jpeg", 300);
        var notes = await FileAsync("notes.txt", photos.Id, "text/plain", 20);
        var old = await FileAsync("old.txt", trip.Id, "text/plain", 5);
        await Nodes.TrashAsync(_owner, old.Id, At, CancellationToken.None);
        var loose = await FileAsync("loose.mp4", null, "video/mp4", 1000);
        var trashed = await FileAsync("trashed.txt", null, "text/plain", 1);
        await Nodes.TrashAsync(_owner, trashed.Id, At, CancellationToken.None);
        var missing = Guid.NewGuid().ToString("N");

        var plan = await ArchiveSelection.PlanAsync(Nodes, _owner, [beach.Id, photos.Id, loose.Id, photos.Id, trashed.Id, missing, trip.Id],
            ArchiveSelection.MaxEntries, CancellationToken.None);

        Assert.Equal(
            [
                ("Photos", (CompressionLevel?)null, 0L),
                ("Photos/Trip", null, 0),
                ("Photos/Trip/Empty", null, 0),
                ("Photos/Trip/beach.jpg", CompressionLevel.NoCompression, 300),
                ("Photos/notes.txt", CompressionLevel.Fastest, 20),
                ("loose.mp4", CompressionLevel.NoCompression, 1000),
            ],
            plan.Entries.Select(e => (e.Path, e.Compression, e.Size)));
        Assert.Equal(beach.Sha256, plan.Entries.Single(e => e.Path == "Photos/Trip/beach.jpg").Sha256);
        Assert.Equal(empty.UpdatedAt, plan.Entries.Single(e => e.Path == "Photos/Trip/Empty").LastModified);
        Assert.Equal(3, plan.FileCount);
        Assert.Equal(1320, plan.TotalBytes);
        Assert.Equal([(trashed.Id, "'trashed.txt' is in the trash."), (missing, "It no longer exists.")], plan.Skipped.Select(s => (s.Id, s.Reason)));
        Assert.DoesNotContain(plan.Entries, e => e.Path.Contains("notes.txt", StringComparison.Ordinal) && e.Path != "Photos/notes.txt");
    }

    [Fact]
    public async Task Another_users_ids_are_reported_as_gone_and_never_read()
    {
        var theirs = await FileAsync("theirs.txt", null, "text/plain", 3);

        var plan = await ArchiveSelection.PlanAsync(Nodes, Guid.NewGuid().ToString("N"), [theirs.Id], ArchiveSelection.MaxEntries, CancellationToken.None);

        Assert.Empty(plan.Entries);
        Assert.Equal([(theirs.Id, "It no longer exists.")], plan.Skipped.Select(s => (s.Id, s.Reason)));
    }

    [Fact]
    public async Task A_selection_larger_than_an_archive_may_hold_is_refused_while_it_is_walked()
    {
        var big = await FolderAsync("Big", null);
        for (var i = 0; i < 5; i++)
        {
            await FileAsync($"f{i}.txt", big.Id, "text/plain", 1);
        }

        var refused = await Assert.ThrowsAsync<ArchiveImpossibleException>(() =>
            ArchiveSelection.PlanAsync(Nodes, _owner, [big.Id], 5, CancellationToken.None));
        Assert.Contains("more than 5 files and folders", refused.Message, StringComparison.Ordinal);

        Assert.Equal(6, (await ArchiveSelection.PlanAsync(Nodes, _owner, [big.Id], 6, CancellationToken.None)).Entries.Count);
    }

    [Fact]
    public async Task Damaged_data_with_a_folder_inside_itself_is_walked_once()
    {
        var a = await FolderAsync("A", null);
        var b = await FolderAsync("B", a.Id);
        await FileAsync("in-b.txt", b.Id, "text/plain", 2);
        // The services refuse such a move; the store does not, so damaged data can hold a cycle.
        await Nodes.RenameOrMoveAsync(_owner, a.Id, "A", b.Id, At, CancellationToken.None);

        var plan = await ArchiveSelection.PlanAsync(Nodes, _owner, [b.Id], ArchiveSelection.MaxEntries, CancellationToken.None);

        Assert.Equal(["B", "B/A", "B/in-b.txt"], plan.Entries.Select(e => e.Path));
    }

    private async Task<FolderRecord> FolderAsync(string name, string? parentId)
    {
        var folder = new FolderRecord { Id = Guid.NewGuid().ToString("N"), OwnerId = _owner, ParentId = parentId, Name = name, CreatedAt = At, UpdatedAt = At.AddMinutes(name.Length) };
        await Nodes.CreateAsync(folder, CancellationToken.None);
        return folder;
    }

    private async Task<FileRecord> FileAsync(string name, string? parentId, string mimeType, long size)
    {
        var file = new FileRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            OwnerId = _owner,
            ParentId = parentId,
            Name = name,
            CreatedAt = At,
            UpdatedAt = At,
            Size = size,
            MimeType = mimeType,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))),
        };
        await Nodes.CreateAsync(file, CancellationToken.None);
        return file;
    }
}
