using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private static FileVersionRecord NewVersion(string ownerId, string fileId, DateTimeOffset createdAt, long size = 10) =>
        new(NewId(), fileId, ownerId, new string('e', 64), size, "text/plain", createdAt);

    [ContractFact]
    public async Task Versions_come_back_whole_and_only_to_their_owner()
    {
        var owner = NewId();
        var version = NewVersion(owner, NewId(), T(1), 5_000_000_000) with { MimeType = "video/mp4", Sha256 = ShaC };

        await Versions.AddAsync(version, Ct);

        Assert.Equal(version, await Versions.GetAsync(owner, version.Id, Ct));
        Assert.Null(await Versions.GetAsync(NewId(), version.Id, Ct));
        Assert.Null(await Versions.GetAsync(owner, NewId(), Ct));
        var reused = await Assert.ThrowsAsync<MetadataConflictException>(() => Versions.AddAsync(NewVersion(owner, NewId(), T(2)) with { Id = version.Id }, Ct));
        Assert.Equal("id", reused.Field);
        Assert.Equal(version, await Versions.GetAsync(owner, version.Id, Ct));
    }

    [ContractFact]
    public async Task A_files_versions_list_newest_first_and_only_its_own()
    {
        var owner = NewId();
        var file = NewId();
        var middle = NewVersion(owner, file, T(2));
        var oldest = NewVersion(owner, file, T(1));
        var newest = NewVersion(owner, file, T(3));
        foreach (var version in new[] { middle, oldest, newest })
        {
            await Versions.AddAsync(version, Ct);
        }

        await Versions.AddAsync(NewVersion(owner, NewId(), T(4)), Ct);
        await Versions.AddAsync(NewVersion(NewId(), file, T(5)), Ct);

        Assert.Equal([newest, middle, oldest], await Versions.ListAsync(owner, file, Ct));
        Assert.Empty(await Versions.ListAsync(NewId(), file, Ct));
        Assert.Empty(await Versions.ListAsync(owner, NewId(), Ct));
    }

    [ContractFact]
    public async Task Versions_at_the_same_time_keep_one_order()
    {
        var owner = NewId();
        var file = NewId();
        var versions = Enumerable.Range(0, 5).Select(_ => NewVersion(owner, file, T(1))).ToList();
        foreach (var version in versions)
        {
            await Versions.AddAsync(version, Ct);
        }

        Assert.Equal(versions.Select(v => v.Id).Order(StringComparer.Ordinal).Reverse(), (await Versions.ListAsync(owner, file, Ct)).Select(v => v.Id));
    }

    [ContractFact]
    public async Task A_version_is_deleted_and_returned_to_exactly_one_of_eight_callers()
    {
        var owner = NewId();
        var file = NewId();
        var version = NewVersion(owner, file, T(1));
        var kept = NewVersion(owner, file, T(2));
        await Versions.AddAsync(version, Ct);
        await Versions.AddAsync(kept, Ct);

        Assert.Null(await Versions.DeleteAsync(NewId(), version.Id, Ct));
        var results = await InParallelResults(8, _ => Versions.DeleteAsync(owner, version.Id, Ct));

        Assert.Equal(version, Assert.Single(results, r => r is not null));
        Assert.Null(await Versions.GetAsync(owner, version.Id, Ct));
        Assert.Null(await Versions.DeleteAsync(owner, version.Id, Ct));
        Assert.Equal([kept], await Versions.ListAsync(owner, file, Ct));
    }
}
