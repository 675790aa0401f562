using System.Security.Cryptography;
using AioStorage.Core.Uploads;

namespace AioStorage.Tests.Unit;

public sealed class UploadHashesTests
{
    [Fact]
    public void A_kept_hash_is_handed_out_once_and_only_for_the_offset_it_covers()
    {
        using var hashes = new UploadHashes();
        var running = hashes.Take("u1", 0)!;
        running.AppendData("hello "u8);
        hashes.Keep("u1", 6, running);

        Assert.Null(hashes.Take("u1", 5));
        Assert.Null(hashes.Take("u1", 6));

        var again = hashes.Take("u2", 0)!;
        again.AppendData("hello "u8);
        hashes.Keep("u2", 6, again);
        var resumed = hashes.Take("u2", 6)!;
        resumed.AppendData("world"u8);
        Assert.Equal(SHA256.HashData("hello world"u8), resumed.GetHashAndReset());
    }

    [Fact]
    public void Beyond_its_capacity_the_least_recently_kept_upload_is_dropped()
    {
        using var hashes = new UploadHashes();
        for (var i = 0; i <= UploadHashes.Capacity; i++)
        {
            hashes.Keep($"u{i}", 1, IncrementalHash.CreateHash(HashAlgorithmName.SHA256));
        }

        Assert.Null(hashes.Take("u0", 1));
        Assert.NotNull(hashes.Take("u1", 1));
        Assert.NotNull(hashes.Take($"u{UploadHashes.Capacity}", 1));
    }

    [Fact]
    public void A_forgotten_upload_has_no_hash()
    {
        using var hashes = new UploadHashes();
        hashes.Keep("u1", 10, IncrementalHash.CreateHash(HashAlgorithmName.SHA256));
        hashes.Forget("u1");
        Assert.Null(hashes.Take("u1", 10));
    }
}
