using AioStorage.Web.Api;
using AioStorage.Web.Archives;
using AioStorage.Web.Components.Archives;

namespace AioStorage.Tests.Web;

/// <summary>The pure rules behind the archive tray: what a ZIP's line says, what the tray's title adds up to.</summary>
public sealed class ArchiveWordingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 5, 14, 0, 0, TimeSpan.Zero);

    private static readonly ArchiveRequest Selection = ArchiveRequest.For(
        [File("f1", "notes.txt"), File("f2", "old.txt"), Folder("d1", "Photos")], "Trip");

    private static DriveItem File(string id, string name) => new(id, name, "file", Now, Now, FolderId: "root", Size: 10);

    private static DriveItem Folder(string id, string name) => new(id, name, "folder", Now, Now, ParentId: "root");

    private static ArchiveJob Job(string status, double progress = 0, int? files = null, long? total = null, long? size = null,
        IReadOnlyList<ArchiveSkip>? skipped = null, string? error = null) =>
        new("a1", status, progress, "Trip.zip", Now, Now, size, files, total, skipped, error, Now.AddDays(1));

    private static ArchiveItem Item(ArchiveJob job) => new(Selection, job);

    [Fact]
    public void A_request_describes_what_goes_in_the_zip()
    {
        Assert.Equal("Photos and everything in it", ArchiveRequest.For([Folder("d1", "Photos")], "My files").Description);
        Assert.Equal("notes.txt from Trip", ArchiveRequest.For([File("f1", "notes.txt")], "Trip").Description);
        Assert.Equal("3 items from Trip", Selection.Description);
        Assert.Equal(["f1", "f2", "d1"], Selection.Ids);
        Assert.Throws<ArgumentOutOfRangeException>(() => ArchiveRequest.For([], "Trip"));
    }

    [Fact]
    public void Each_state_says_what_the_zip_is_doing()
    {
        Assert.Equal("Waiting for the server to start on it…", ArchiveText.Status(Item(Job("queued"))));
        Assert.Equal("Preparing · 0%", ArchiveText.Status(Item(Job("running"))));
        Assert.Equal("Preparing · 42% of 12 files (30 MB)", ArchiveText.Status(Item(Job("running", 0.4299, 12, 30L * 1024 * 1024))));
        Assert.Equal("Preparing · 99% of 1 file (2 KB)", ArchiveText.Status(Item(Job("running", 1, 1, 2048))));
        Assert.Equal("Ready · 12 files · 29.5 MB", ArchiveText.Status(Item(Job("completed", 1, 12, 30L * 1024 * 1024, size: 30_932_992))));
        Assert.Equal("Could not be prepared", ArchiveText.Status(Item(Job("failed", error: "No room."))));
        Assert.Equal("Expired", ArchiveText.Status(Item(Job("expired"))));
        Assert.Equal("Connection trouble, still asking · Preparing · 10%", ArchiveText.Status(new ArchiveItem(Selection, Job("running", 0.1)) { Stalled = true }));
    }

    [Fact]
    public void Percent_reaches_100_only_when_the_zip_is_ready()
    {
        Assert.Equal(0, Item(Job("queued")).Percent);
        Assert.Equal(42, Item(Job("running", 0.429)).Percent);
        Assert.Equal(99, Item(Job("running", 1)).Percent);
        Assert.Equal(100, Item(Job("completed", 1)).Percent);
        Assert.Equal(0, Item(Job("running", -3)).Percent);
    }

    [Fact]
    public void The_problem_is_the_apis_reason_or_says_what_expiry_means()
    {
        Assert.Null(Item(Job("running")).Problem);
        Assert.Equal("Nothing is left to put in the archive: 'a.txt' is in the trash.",
            Item(Job("failed", error: "Nothing is left to put in the archive: 'a.txt' is in the trash.")).Problem);
        Assert.Equal("The server could not prepare it.", Item(Job("failed")).Problem);
        Assert.Equal("Its time on the server ran out. Prepare it again to download it.", Item(Job("expired")).Problem);
        // A status this web does not know ends the waiting instead of polling for ever.
        Assert.Equal(ArchiveStatus.Failed, Job("cancelled").State);
        Assert.False(Item(Job("cancelled")).IsActive);
    }

    [Fact]
    public void Skipped_items_are_counted_and_named_as_they_were_selected()
    {
        Assert.Null(ArchiveText.Skipped(Item(Job("completed", 1))));
        Assert.Equal("1 item was skipped: deleted or moved to the trash meanwhile (old.txt).",
            ArchiveText.Skipped(Item(Job("running", skipped: [new("f2", "'old.txt' is in the trash.")]))));
        Assert.Equal("2 items were skipped: deleted or moved to the trash meanwhile (old.txt, Photos).",
            ArchiveText.Skipped(Item(Job("completed", 1, skipped: [new("f2", "It no longer exists."), new("d1", "'Photos' is in the trash.")]))));
        // An id the selection did not hold is shown as it is rather than dropped.
        Assert.Equal("1 item was skipped: deleted or moved to the trash meanwhile (zz).",
            ArchiveText.Skipped(Item(Job("completed", 1, skipped: [new("zz", "It no longer exists.")]))));
    }

    [Fact]
    public void The_title_counts_what_is_being_prepared_then_how_they_ended()
    {
        Assert.Equal("ZIP downloads", ArchiveText.Title([]));
        Assert.Equal("Preparing 1 ZIP", ArchiveText.Title([Item(Job("queued")), Item(Job("completed", 1))]));
        Assert.Equal("Preparing 2 ZIPs", ArchiveText.Title([Item(Job("queued")), Item(Job("running"))]));
        Assert.Equal("ZIP ready", ArchiveText.Title([Item(Job("completed", 1))]));
        Assert.Equal("2 ZIPs ready", ArchiveText.Title([Item(Job("completed", 1)), Item(Job("completed", 1))]));
        Assert.Equal("ZIP failed", ArchiveText.Title([Item(Job("failed"))]));
        Assert.Equal("2 ZIPs expired", ArchiveText.Title([Item(Job("expired")), Item(Job("expired"))]));
        Assert.Equal("1 ready, 1 failed, 1 expired", ArchiveText.Title([Item(Job("completed", 1)), Item(Job("failed")), Item(Job("expired"))]));
        Assert.NotNull(ArchiveText.Summary([Item(Job("queued"))]));
        Assert.Null(ArchiveText.Summary([Item(Job("completed", 1))]));
    }

    [Fact]
    public void An_item_turns_ready_once_and_a_restart_forgets_the_old_outcome()
    {
        var item = Item(Job("running", 0.5));
        Assert.True(item.Update(Job("completed", 1, size: 10)));
        Assert.False(item.Update(Job("completed", 1, size: 10)));
        item.Downloaded = true;

        item.Fail(ArchiveStatus.Expired, "gone");
        Assert.Equal("Expired", ArchiveText.Status(item));
        Assert.Equal("Trip.zip expired.", ArchiveText.Announcement(item));
        item.Restart(Job("queued"));
        Assert.True(item.IsActive);
        Assert.Null(item.Problem);
        Assert.False(item.Downloaded);
        Assert.Null(ArchiveText.Announcement(item));
    }
}
