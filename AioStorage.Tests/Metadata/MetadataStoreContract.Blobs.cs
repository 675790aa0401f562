using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    /// <summary>A SHA-256 nobody else uses: blob records are shared by every owner of the database.</summary>
    private static string NewSha() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(NewId())));

    private async Task<long> ReferencesAsync(string sha256) =>
        (await Blobs.GetAsync(sha256, Ct) ?? throw new InvalidOperationException($"blob {sha256} is gone")).References;

    [ContractFact]
    public async Task References_count_up_and_down_and_the_blob_is_an_orphan_from_the_moment_it_reaches_zero()
    {
        var sha = NewSha();
        Assert.Null(await Blobs.GetAsync(sha, Ct));

        await Blobs.AddReferenceAsync(sha, 3_000_000_000, T(1), Ct);
        await Blobs.AddReferenceAsync(sha, 3_000_000_000, T(2), Ct);
        Assert.Equal(new BlobRecord(sha, 3_000_000_000, 2, null), await Blobs.GetAsync(sha, Ct));

        Assert.Equal(1, await Blobs.ReleaseReferenceAsync(sha, T(3), Ct));
        Assert.Equal(new BlobRecord(sha, 3_000_000_000, 1, null), await Blobs.GetAsync(sha, Ct));

        Assert.Equal(0, await Blobs.ReleaseReferenceAsync(sha, T(4), Ct));
        Assert.Equal(new BlobRecord(sha, 3_000_000_000, 0, T(4)), await Blobs.GetAsync(sha, Ct));

        Assert.Equal(0, await Blobs.ReleaseReferenceAsync(sha, T(5), Ct));
        Assert.Equal(new BlobRecord(sha, 3_000_000_000, 0, T(4)), await Blobs.GetAsync(sha, Ct));

        await Blobs.AddReferenceAsync(sha, 3_000_000_000, T(6), Ct);
        Assert.Equal(new BlobRecord(sha, 3_000_000_000, 1, null), await Blobs.GetAsync(sha, Ct));
    }

    [ContractFact]
    public async Task Releasing_an_unknown_blob_leaves_zero_and_creates_nothing()
    {
        var sha = NewSha();

        Assert.Equal(0, await Blobs.ReleaseReferenceAsync(sha, T(1), Ct));

        Assert.Null(await Blobs.GetAsync(sha, Ct));
    }

    [ContractFact]
    public async Task Fifty_parallel_additions_and_fifty_parallel_releases_leave_the_exact_count()
    {
        var sha = NewSha();
        await InParallel(50, _ => Blobs.AddReferenceAsync(sha, 7, T(1), Ct));
        Assert.Equal(50, await ReferencesAsync(sha));

        await InParallel(100, i => i % 2 == 0 ? Blobs.AddReferenceAsync(sha, 7, T(2), Ct) : Blobs.ReleaseReferenceAsync(sha, T(2), Ct));

        Assert.Equal(new BlobRecord(sha, 7, 50, null), await Blobs.GetAsync(sha, Ct));
    }

    [ContractFact]
    public async Task Parallel_releases_past_zero_each_see_their_own_count_and_stop_at_zero()
    {
        var sha = NewSha();
        for (var i = 0; i < 10; i++)
        {
            await Blobs.AddReferenceAsync(sha, 7, T(1), Ct);
        }

        var left = await InParallelResults(30, _ => Blobs.ReleaseReferenceAsync(sha, T(2), Ct));

        Assert.Equal([.. Enumerable.Repeat(0L, 21), 1, 2, 3, 4, 5, 6, 7, 8, 9], left.Order());
        Assert.Equal(new BlobRecord(sha, 7, 0, T(2)), await Blobs.GetAsync(sha, Ct));
    }

    [ContractFact]
    public async Task No_reader_ever_sees_a_negative_count_while_releases_race_with_additions()
    {
        // As for the storage usage: the end value depends on the order, the invariant does not. A release that
        // decrements first and clamps afterwards would show a negative count, or mark an orphan that has references.
        var sha = NewSha();
        await Blobs.AddReferenceAsync(sha, 7, T(1), Ct);
        var writers = InParallel(120, i => i % 3 == 0 ? Blobs.AddReferenceAsync(sha, 7, T(2), Ct) : Blobs.ReleaseReferenceAsync(sha, T(2), Ct));
        var seen = new ConcurrentBag<BlobRecord>();
        await InParallel(4, async _ =>
        {
            while (!writers.IsCompleted)
            {
                seen.Add((await Blobs.GetAsync(sha, Ct))!);
            }
        });

        await writers;
        seen.Add((await Blobs.GetAsync(sha, Ct))!);

        Assert.All(seen, blob =>
        {
            Assert.InRange(blob.References, 0, 41);
            Assert.Equal(blob.References == 0, blob.OrphanedAt is not null);
        });
    }

    [ContractFact]
    public async Task An_orphan_is_deleted_only_while_it_has_no_reference_and_only_once_its_grace_period_is_over()
    {
        var sha = NewSha();
        await Blobs.AddReferenceAsync(sha, 7, T(1), Ct);
        Assert.False(await Blobs.DeleteIfOrphanedAsync(sha, T(100), Ct));

        await Blobs.ReleaseReferenceAsync(sha, T(10), Ct);
        Assert.False(await Blobs.DeleteIfOrphanedAsync(sha, T(10), Ct));
        Assert.NotNull(await Blobs.GetAsync(sha, Ct));

        await Blobs.AddReferenceAsync(sha, 7, T(11), Ct);
        Assert.False(await Blobs.DeleteIfOrphanedAsync(sha, T(100), Ct));
        Assert.Equal(1, await ReferencesAsync(sha));

        await Blobs.ReleaseReferenceAsync(sha, T(20), Ct);
        Assert.True(await Blobs.DeleteIfOrphanedAsync(sha, T(21), Ct));
        Assert.Null(await Blobs.GetAsync(sha, Ct));
        Assert.False(await Blobs.DeleteIfOrphanedAsync(sha, T(21), Ct));
        Assert.False(await Blobs.DeleteIfOrphanedAsync(NewSha(), T(21), Ct));
    }

    [ContractFact]
    public async Task Orphans_past_the_cutoff_are_listed_oldest_first()
    {
        var stores = await FreshStoresAsync();
        async Task<string> OrphanAsync(int second)
        {
            var sha = NewSha();
            await stores.Blobs.AddReferenceAsync(sha, second, T(0), Ct);
            await stores.Blobs.ReleaseReferenceAsync(sha, T(second), Ct);
            return sha;
        }

        var second3 = await OrphanAsync(3);
        var second1 = await OrphanAsync(1);
        var second2 = await OrphanAsync(2);
        await OrphanAsync(5);
        var referenced = NewSha();
        await stores.Blobs.AddReferenceAsync(referenced, 1, T(0), Ct);
        var readded = await OrphanAsync(1);
        await stores.Blobs.AddReferenceAsync(readded, 1, T(4), Ct);

        var orphans = await stores.Blobs.ListOrphansAsync(T(4), 10, Ct);

        Assert.Equal([new(second1, 1, 0, T(1)), new(second2, 2, 0, T(2)), new BlobRecord(second3, 3, 0, T(3))], orphans);
        Assert.Equal([second1, second2], (await stores.Blobs.ListOrphansAsync(T(4), 2, Ct)).Select(b => b.Sha256));
        Assert.Empty(await stores.Blobs.ListOrphansAsync(T(4), 0, Ct));
        Assert.Empty(await stores.Blobs.ListOrphansAsync(T(1), 10, Ct));
    }
}
