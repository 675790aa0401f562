using System.Buffers;
using System.IO.Compression;

namespace AioStorage.Worker.Archives;

/// <summary>
/// Writes a ZIP as a stream, one entry after the other through one pooled buffer: memory stays flat whatever the sizes.
/// On a seekable destination, .NET's <see cref="ZipArchive"/> goes back to each local header for its CRC and sizes,
/// and switches an entry to Zip64 by itself when it or its offset passes 4 GiB (and the archive, past 65,535 entries);
/// the tests check that with an entry larger than 4 GiB.
/// </summary>
internal static class ArchiveWriter
{
    public const int BufferSize = 1024 * 1024;

    /// <summary>rw-r--r-- regular file and rwxr-xr-x directory (with the MS-DOS directory bit), so unzip on Unix makes usable files.</summary>
    private const int FileAttributes = unchecked((int)(0x81A4u << 16));
    private const int DirectoryAttributes = unchecked((int)(0x41EDu << 16)) | 0x10;

    private static readonly DateTimeOffset EarliestZipTime = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LatestZipTime = new(2107, 12, 30, 0, 0, 0, TimeSpan.Zero);

    /// <param name="open">Opens a file entry's content.</param>
    /// <param name="progressed">Told the bytes of content written so far, after every buffer.</param>
    public static async Task WriteAsync(Stream destination, IEnumerable<ArchiveEntry> entries, Func<ArchiveEntry, Stream> open,
        Func<long, CancellationToken, ValueTask> progressed, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            long written = 0;
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.IsDirectory)
                {
                    var directory = zip.CreateEntry(entry.Path + "/");
                    directory.LastWriteTime = ZipTime(entry.LastModified);
                    directory.ExternalAttributes = DirectoryAttributes;
                    continue;
                }

                await using var source = OpenSource(entry, open);
                var read = await ReadSourceAsync(entry, source, buffer, cancellationToken);
                // A type that says nothing (random data, encrypted or unknown formats) would grow under Deflate: the first
                // buffer decides.
                var level = entry.Compression!.Value == CompressionLevel.NoCompression || !ArchiveCompression.Shrinks(buffer.AsSpan(0, read))
                    ? CompressionLevel.NoCompression
                    : entry.Compression.Value;
                var file = zip.CreateEntry(entry.Path, level);
                file.LastWriteTime = ZipTime(entry.LastModified);
                file.ExternalAttributes = FileAttributes;
                await using var target = await file.OpenAsync(cancellationToken);
                long copied = 0;
                for (; read > 0; read = await ReadSourceAsync(entry, source, buffer, cancellationToken))
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    copied += read;
                    written += read;
                    await progressed(written, cancellationToken);
                }

                if (copied != entry.Size)
                {
                    throw new ArchiveSourceException(entry, new IOException($"The content has {copied} bytes, not the {entry.Size} its record says."));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Stream OpenSource(ArchiveEntry entry, Func<ArchiveEntry, Stream> open)
    {
        try
        {
            return open(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveSourceException(entry, ex);
        }
    }

    private static async ValueTask<int> ReadSourceAsync(ArchiveEntry entry, Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveSourceException(entry, ex);
        }
    }

    /// <summary>
    /// ZIP times are MS-DOS local times between 1980 and 2107: the server's local time (UTC in the containers), clamped to
    /// that range, since a time outside it would stop the whole archive.
    /// </summary>
    private static DateTimeOffset ZipTime(DateTimeOffset value) =>
        (value < EarliestZipTime ? EarliestZipTime : value > LatestZipTime ? LatestZipTime : value).ToLocalTime();
}

/// <summary>The content of one entry could not be read (missing, unreadable, or not as long as its record says): worth a retry.</summary>
internal sealed class ArchiveSourceException(ArchiveEntry entry, Exception innerException)
    : IOException($"Reading '{entry.Path}' failed: {innerException.Message}", innerException)
{
    public ArchiveEntry Entry { get; } = entry;
}
