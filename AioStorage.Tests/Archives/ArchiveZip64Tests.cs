using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AioStorage.Tests.Infrastructure;
using AioStorage.Worker.Archives;

namespace AioStorage.Tests.Archives;

/// <summary>
/// An entry larger than 4 GiB, written by the archive writer from a generated stream into a sparse in-memory stream (only
/// blocks holding something other than zeros take memory), then read back by .NET and, independently, by Python's
/// zipfile from a sparse file: the Zip64 path in a few seconds and without 4 GiB of disk.
/// </summary>
public sealed class ArchiveZip64Tests
{
    private const long BigSize = (4L << 30) + 12_345;

    [Fact]
    public async Task An_entry_over_4_GiB_and_the_entries_after_it_are_written_as_Zip64()
    {
        var before = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("before the big one\n", 100)));
        var after = Encoding.UTF8.GetBytes("after the big one, past 4 GiB\n");
        var at = new DateTimeOffset(2024, 7, 1, 12, 0, 0, TimeSpan.Zero);
        ArchiveEntry[] entries =
        [
            new("big", 0, at, null, null),
            new("big/before.txt", before.Length, at, CompressionLevel.Fastest, "before"),
            new("big/zeros.bin", BigSize, at, CompressionLevel.NoCompression, "zeros"),
            new("big/after.txt", after.Length, at, CompressionLevel.Fastest, "after"),
        ];
        using var zip = new SparseStream();
        long lastProgress = 0;

        await ArchiveWriter.WriteAsync(zip, entries, entry => entry.Sha256 switch
            {
                "before" => new MemoryStream(before),
                "after" => new MemoryStream(after),
                _ => new ZeroStream(entry.Size),
            },
            (written, _) =>
            {
                Assert.True(written >= lastProgress);
                lastProgress = written;
                return ValueTask.CompletedTask;
            },
            CancellationToken.None);

        Assert.Equal(before.Length + BigSize + after.Length, lastProgress);
        Assert.True(zip.Length > BigSize);
        Assert.True(zip.StoredBlocks < 16, $"{zip.StoredBlocks} blocks held data: the zeros were not streamed through");

        zip.Position = 0;
        await using (var read = await ZipArchive.CreateAsync(zip, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null))
        {
            Assert.Equal(["big/", "big/before.txt", "big/zeros.bin", "big/after.txt"], read.Entries.Select(e => e.FullName));
            Assert.Equal(before, await ReadAllAsync(read.GetEntry("big/before.txt")!));
            Assert.Equal(after, await ReadAllAsync(read.GetEntry("big/after.txt")!));
            var big = read.GetEntry("big/zeros.bin")!;
            Assert.Equal(BigSize, big.Length);
            Assert.Equal(BigSize, big.CompressedLength);
            await using var content = await big.OpenAsync();
            var buffer = new byte[1 << 20];
            long total = 0;
            int n;
            while ((n = await content.ReadAsync(buffer)) > 0)
            {
                Assert.True(buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0, $"non-zero content at {total}");
                total += n;
            }

            Assert.Equal(BigSize, total);
        }

        var directory = Directory.CreateTempSubdirectory("aio-zip64-");
        try
        {
            var path = Path.Combine(directory.FullName, "big.zip");
            await zip.WriteSparseFileAsync(path);
            var python = await PythonZip.RunAsync(path, """
                import json, sys, zipfile, zlib
                z = zipfile.ZipFile(sys.argv[1])
                def zip64(info):
                    extra, i = info.extra, 0
                    while i + 4 <= len(extra):
                        kind, size = int.from_bytes(extra[i:i+2], "little"), int.from_bytes(extra[i+2:i+4], "little")
                        if kind == 1:
                            return True
                        i += 4 + size
                    return False
                big = z.getinfo("big/zeros.bin")
                crc, left, chunk = 0, big.file_size, bytes(1 << 24)
                while left > 0:
                    crc = zlib.crc32(chunk[:min(left, len(chunk))], crc)
                    left -= min(left, len(chunk))
                print(json.dumps({
                    "entries": [{"name": i.filename, "size": i.file_size, "method": i.compress_type, "offset": i.header_offset,
                                 "zip64": zip64(i), "version": i.extract_version} for i in z.infolist()],
                    "bigCrcMatches": crc == big.CRC,
                    "before": z.read("big/before.txt").decode(),
                    "after": z.read("big/after.txt").decode(),
                }))
                """);

            var byName = python.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
            var bigEntry = byName["big/zeros.bin"];
            Assert.Equal(BigSize, bigEntry.GetProperty("size").GetInt64());
            Assert.Equal(0, bigEntry.GetProperty("method").GetInt32());
            Assert.True(bigEntry.GetProperty("zip64").GetBoolean(), "the 4 GiB entry has no Zip64 extra field");
            Assert.True(bigEntry.GetProperty("version").GetInt32() >= 45, "Zip64 entries need version 4.5 to extract");
            var afterEntry = byName["big/after.txt"];
            Assert.True(afterEntry.GetProperty("offset").GetInt64() > uint.MaxValue);
            Assert.True(afterEntry.GetProperty("zip64").GetBoolean(), "an entry past 4 GiB has no Zip64 offset");
            Assert.Equal(8, afterEntry.GetProperty("method").GetInt32());
            Assert.False(byName["big/before.txt"].GetProperty("zip64").GetBoolean());
            Assert.True(python.GetProperty("bigCrcMatches").GetBoolean(), "the CRC-32 of the 4 GiB entry is wrong");
            Assert.Equal(Encoding.UTF8.GetString(before), python.GetProperty("before").GetString());
            Assert.Equal(Encoding.UTF8.GetString(after), python.GetProperty("after").GetString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<byte[]> ReadAllAsync(ZipArchiveEntry entry)
    {
        await using var stream = await entry.OpenAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Zeros on demand, never seekable and never buffered: what a large blob looks like to the writer.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _left);
            buffer[..n].Clear();
            _left -= n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A seekable stream that keeps only the 64 KiB blocks holding something other than zeros.</summary>
    private sealed class SparseStream : Stream
    {
        private const int BlockSize = 64 * 1024;
        private readonly Dictionary<long, byte[]> _blocks = [];
        private long _length;
        private long _position;

        public int StoredBlocks => _blocks.Count;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _position; set => _position = value; }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };

        public override void SetLength(long value) => _length = value;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Max(0, Math.Min(buffer.Length, _length - _position));
            for (var done = 0; done < count;)
            {
                var inBlock = (int)(_position % BlockSize);
                var n = Math.Min(count - done, BlockSize - inBlock);
                if (_blocks.TryGetValue(_position / BlockSize, out var block))
                {
                    block.AsSpan(inBlock, n).CopyTo(buffer[done..]);
                }
                else
                {
                    buffer.Slice(done, n).Clear();
                }

                done += n;
                _position += n;
            }

            return count;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                var inBlock = (int)(_position % BlockSize);
                var n = Math.Min(buffer.Length, BlockSize - inBlock);
                var part = buffer[..n];
                if (_blocks.TryGetValue(_position / BlockSize, out var block))
                {
                    part.CopyTo(block.AsSpan(inBlock));
                }
                else if (part.IndexOfAnyExcept((byte)0) >= 0)
                {
                    block = new byte[BlockSize];
                    part.CopyTo(block.AsSpan(inBlock));
                    _blocks[_position / BlockSize] = block;
                }

                buffer = buffer[n..];
                _position += n;
                _length = Math.Max(_length, _position);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        /// <summary>The same bytes as a file with holes where the zeros are (a few blocks on disk for 4 GiB).</summary>
        public async Task WriteSparseFileAsync(string path)
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            file.SetLength(_length);
            foreach (var (index, block) in _blocks.OrderBy(b => b.Key))
            {
                file.Position = index * BlockSize;
                await file.WriteAsync(block.AsMemory(0, (int)Math.Min(BlockSize, _length - (index * BlockSize))));
            }
        }
    }
}

/// <summary>Python's zipfile, an independent ZIP reader, run on a file with a script that prints JSON.</summary>
internal static class PythonZip
{
    public static async Task<JsonElement> RunAsync(string zipPath, string script)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(MongoEmulator.DebianPython, ["-c", script, zipPath]);
        Assert.True(exitCode == 0, $"python failed: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
