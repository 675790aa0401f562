using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);
    private static readonly string ShaC = new('c', 64);

    private static readonly MediaInfo Video = new("video/mp4", 1920, 1080, 12.5, "h264", "aac", 90);

    private async Task<FileRecord> ReadyFileAsync(string owner)
    {
        var folder = await CreatedAsync(NewFolder(owner, null, "Folder"));
        return await CreatedAsync(NewFile(owner, folder.Id, "clip.mp4", 100, T(1)) with
        {
            Sha256 = ShaA,
            Status = FileStatus.Ready,
            StatusReason = "all good",
            Media = Video,
        });
    }

    [ContractFact]
    public async Task Replacing_content_points_the_file_at_it_and_starts_processing_again()
    {
        var owner = NewId();
        var file = await ReadyFileAsync(owner);
        var version = NewId();

        var replaced = await Nodes.ReplaceContentAsync(owner, file.Id, ShaA, null, ShaB, 200, "application/octet-stream", version, T(5), Ct);

        var expected = file with
        {
            Sha256 = ShaB,
            Size = 200,
            MimeType = "application/octet-stream",
            CurrentVersionId = version,
            Status = FileStatus.Processing,
            StatusReason = null,
            Media = null,
            UpdatedAt = T(5),
        };
        Assert.Equal(expected, replaced);
        Assert.Equal<NodeRecord?>(expected, await Nodes.GetAsync(owner, file.Id, Ct));
    }

    [ContractFact]
    public async Task Replacing_content_needs_both_the_expected_content_and_the_expected_version()
    {
        var owner = NewId();
        var file = await ReadyFileAsync(owner);
        var first = NewId();
        Assert.NotNull(await Nodes.ReplaceContentAsync(owner, file.Id, ShaA, null, ShaB, 200, "text/plain", first, T(2), Ct));
        var current = await Nodes.GetAsync(owner, file.Id, Ct);

        Assert.Null(await Nodes.ReplaceContentAsync(owner, file.Id, ShaA, null, ShaC, 300, "text/plain", NewId(), T(3), Ct));
        Assert.Null(await Nodes.ReplaceContentAsync(owner, file.Id, ShaA, first, ShaC, 300, "text/plain", NewId(), T(3), Ct));
        Assert.Null(await Nodes.ReplaceContentAsync(owner, file.Id, ShaB, null, ShaC, 300, "text/plain", NewId(), T(3), Ct));
        Assert.Null(await Nodes.ReplaceContentAsync(owner, file.Id, ShaB, NewId(), ShaC, 300, "text/plain", NewId(), T(3), Ct));
        Assert.Null(await Nodes.ReplaceContentAsync(NewId(), file.Id, ShaB, first, ShaC, 300, "text/plain", NewId(), T(3), Ct));
        Assert.Equal(current, await Nodes.GetAsync(owner, file.Id, Ct));

        var second = NewId();
        var replaced = await Nodes.ReplaceContentAsync(owner, file.Id, ShaB, first, ShaC, 300, "text/plain", second, T(4), Ct);
        Assert.Equal(ShaC, replaced!.Sha256);
        Assert.Equal(second, replaced.CurrentVersionId);
    }

    [ContractFact]
    public async Task Of_two_replacements_racing_from_the_same_content_exactly_one_wins()
    {
        var owner = NewId();
        var file = await ReadyFileAsync(owner);

        var results = await InParallelResults(8, i => Nodes.ReplaceContentAsync(owner, file.Id, ShaA, null, new string((char)('0' + i), 64), i, "text/plain", NewId(), T(2), Ct));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal<NodeRecord?>(winner, await Nodes.GetAsync(owner, file.Id, Ct));
    }

    [ContractFact]
    public async Task Only_a_live_file_of_the_owner_gets_new_content()
    {
        var owner = NewId();
        var folder = await CreatedAsync(NewFolder(owner, null, "not-a-file"));
        var trashed = await CreatedAsync(NewFile(owner, null, "trashed.txt") with { Sha256 = ShaA });
        await Nodes.TrashAsync(owner, trashed.Id, T(1), Ct);

        Assert.Null(await Nodes.ReplaceContentAsync(owner, trashed.Id, ShaA, null, ShaB, 1, "text/plain", NewId(), T(2), Ct));
        Assert.Null(await Nodes.ReplaceContentAsync(owner, folder.Id, ShaA, null, ShaB, 1, "text/plain", NewId(), T(2), Ct));
        Assert.Null(await Nodes.ReplaceContentAsync(owner, NewId(), ShaA, null, ShaB, 1, "text/plain", NewId(), T(2), Ct));
        Assert.Equal(ShaA, ((FileRecord)(await Nodes.GetAsync(owner, trashed.Id, Ct))!).Sha256);
        Assert.Equal<NodeRecord?>(folder, await Nodes.GetAsync(owner, folder.Id, Ct));
    }

    [ContractFact]
    public async Task Processing_results_are_recorded_for_the_content_they_were_made_from()
    {
        var owner = NewId();
        var file = await CreatedAsync(NewFile(owner, null, "upload.bin") with { Sha256 = ShaA, MimeType = "application/octet-stream" });

        var ready = await Nodes.UpdateProcessingAsync(file.Id, ShaA, FileStatus.Ready, null, "video/mp4", Video, T(2), Ct);

        var expected = file with { Status = FileStatus.Ready, MimeType = "video/mp4", Media = Video, UpdatedAt = T(2) };
        Assert.Equal(expected, ready);
        Assert.Equal<NodeRecord?>(expected, await Nodes.GetAsync(owner, file.Id, Ct));

        var failed = await Nodes.UpdateProcessingAsync(file.Id, ShaA, FileStatus.Failed, "ffprobe: moov atom not found", null, null, T(3), Ct);
        Assert.Equal(expected with { Status = FileStatus.Failed, StatusReason = "ffprobe: moov atom not found", Media = null, UpdatedAt = T(3) }, failed);
        Assert.Equal<NodeRecord?>(failed, await Nodes.GetAsync(owner, file.Id, Ct));
    }

    [ContractFact]
    public async Task A_stale_processing_result_for_replaced_content_is_dropped()
    {
        var owner = NewId();
        var file = await ReadyFileAsync(owner);
        var replaced = await Nodes.ReplaceContentAsync(owner, file.Id, ShaA, null, ShaB, 200, "text/plain", NewId(), T(2), Ct);

        Assert.Null(await Nodes.UpdateProcessingAsync(file.Id, ShaA, FileStatus.Ready, null, "video/mp4", Video, T(3), Ct));
        Assert.Null(await Nodes.UpdateProcessingAsync(NewId(), ShaB, FileStatus.Ready, null, null, null, T(3), Ct));
        var folder = await CreatedAsync(NewFolder(owner, null, "not a file"));
        Assert.Null(await Nodes.UpdateProcessingAsync(folder.Id, ShaB, FileStatus.Ready, null, null, null, T(3), Ct));

        Assert.Equal<NodeRecord?>(replaced, await Nodes.GetAsync(owner, file.Id, Ct));
        Assert.Equal(FileStatus.Processing, replaced!.Status);
        Assert.NotNull(await Nodes.UpdateProcessingAsync(file.Id, ShaB, FileStatus.Ready, null, null, null, T(4), Ct));
    }
}
