using System.Security.Cryptography;
using AioStorage.Core.Blobs;
using AioStorage.Tests.Infrastructure;

namespace AioStorage.Tests.Unit;

/// <summary>
/// The copy loop under every upload: pieces, hashes, limits, and what survives a body that breaks off, writing straight to
/// the disk (the default) and through the page cache (<c>STORAGE_DIRECT_IO=false</c>, or a file system without O_DIRECT).
/// </summary>
public sealed class ContentPumpTests : IDisposable
{
    private const int Piece = ContentPump.PieceSize;

    private readonly string _folder = Directory.CreateTempSubdirectory("aio-pump-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4095, true)]
    [InlineData(Piece - 1, true)]
    [InlineData(Piece, true)]
    [InlineData(Piece + 1, true)]
    [InlineData(3 * Piece + 17, true)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(Piece + 1, false)]
    [InlineData(3 * Piece + 17, false)]
    public async Task Whatever_sizes_the_reads_come_in_the_file_and_the_hashes_get_every_byte_once(int size, bool direct)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var path = Path.Combine(_folder, "out");

        PumpResult result;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            result = await ContentPump.CopyAsync(new Trickle(content), file, size, [sha256, null, sha1], direct, CancellationToken.None);
        }

        Assert.Equal(new PumpResult(size, OverLimit: false, ReadError: null), result);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(SHA256.HashData(content), sha256.GetHashAndReset());
        Assert.Equal(SHA1.HashData(content), sha1.GetHashAndReset());
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(8192, true)]
    [InlineData(Piece + 4095, true)]
    [InlineData(1000, false)]
    public async Task Bytes_go_after_what_the_file_already_holds(int already, bool direct)
    {
        // A resumed tus upload appends at whatever offset the last chunk ended: the first piece is cut short so the
        // pieces after it start on a block boundary.
        var path = Path.Combine(_folder, "append");
        var before = RandomNumberGenerator.GetBytes(already);
        var more = RandomNumberGenerator.GetBytes(2 * Piece + 5);
        await File.WriteAllBytesAsync(path, before);

        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            file.Position = before.Length;
            Assert.Equal(more.Length, (await ContentPump.CopyAsync(new Trickle(more), file, long.MaxValue, [], direct, CancellationToken.None)).Written);
            Assert.Equal(before.Length + more.Length, file.Position);
        }

        byte[] expected = [.. before, .. more];
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_source_that_breaks_off_mid_piece_has_what_arrived_written_and_hashed_and_the_error_returned()
    {
        var arrived = RandomNumberGenerator.GetBytes(2 * Piece + 12345);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var path = Path.Combine(_folder, "broken");

        PumpResult result;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            result = await ContentPump.CopyAsync(new Trickle(arrived, failAtEnd: true), file, 10L * Piece, [hash], direct: true, CancellationToken.None);
        }

        Assert.Equal(arrived.Length, result.Written);
        Assert.False(result.OverLimit);
        Assert.IsType<IOException>(result.ReadError);
        Assert.Equal(arrived, await File.ReadAllBytesAsync(path));
        Assert.Equal(SHA256.HashData(arrived), hash.GetHashAndReset());
    }

    [Theory]
    [InlineData(Piece + 100, Piece + 99, true)]
    [InlineData(Piece, Piece - 1, true)]
    [InlineData(5, 0, true)]
    [InlineData(Piece + 100, Piece + 99, false)]
    public async Task A_source_longer_than_the_limit_stops_before_the_piece_that_goes_past_it(int size, long limit, bool direct)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var path = Path.Combine(_folder, "long");

        PumpResult result;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            result = await ContentPump.CopyAsync(new Trickle(content), file, limit, [], direct, CancellationToken.None);
        }

        Assert.True(result.OverLimit);
        Assert.Null(result.ReadError);
        Assert.True(result.Written <= limit);
        Assert.Equal(result.Written, new FileInfo(path).Length);
        Assert.Equal(content[..(int)result.Written], await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_cancelled_read_is_returned_like_any_broken_off_body()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await using var file = new FileStream(Path.Combine(_folder, "cancelled"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);

        var result = await ContentPump.CopyAsync(new Trickle(new byte[10]), file, 100, [], direct: true, cancelled.Token);

        Assert.Equal(0, result.Written);
        Assert.IsAssignableFrom<OperationCanceledException>(result.ReadError);
    }

    [Fact]
    public async Task Direct_writes_leave_the_page_cache_alone_and_cached_ones_fill_it()
    {
        // What makes direct writes worth having: no copy into page-cache pages, so none of the file stays cached but
        // the tail the last piece wrote through the cache. Written through the cache, all of it stays (fincore counts
        // the resident bytes). The folder must be on a file system that takes O_DIRECT, as the store's volume is.
        var content = RandomNumberGenerator.GetBytes(3 * Piece + 100);
        var resident = new Dictionary<bool, long>();
        foreach (var direct in new[] { true, false })
        {
            var path = Path.Combine(_folder, direct ? "direct" : "cached");
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                await ContentPump.CopyAsync(new Trickle(content), file, content.Length, [], direct, CancellationToken.None);
            }

            resident[direct] = await PageCache.ResidentBytesAsync(path);
            Assert.Equal(content, await File.ReadAllBytesAsync(path));
        }

        Assert.InRange(resident[true], 0, DirectIo.Alignment);
        Assert.InRange(resident[false], 3 * Piece, content.Length + DirectIo.Alignment);
    }

    /// <summary>Hands its bytes out a few hundred to a few thousand at a time, as a socket does, then ends or breaks off.</summary>
    private sealed class Trickle(byte[] content, bool failAtEnd = false) : Stream
    {
        private readonly Random _sizes = new(42);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_sizes.Next(4) == 0)
            {
                await Task.Yield();
            }

            if (_position == content.Length && failAtEnd)
            {
                throw new IOException("The connection was reset (simulated).");
            }

            var count = Math.Min(Math.Min(buffer.Length, _sizes.Next(200, 5000)), content.Length - _position);
            content.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
