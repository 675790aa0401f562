using System.IO.Compression;

namespace AioStorage.Worker.Archives;

/// <summary>
/// Deflate only what it can shrink. Photos, video, audio and archives are compressed already: deflating them costs CPU
/// for a ZIP no smaller, so they are stored (<see cref="CompressionLevel.NoCompression"/> gives the ZIP "stored" method).
/// Everything else gets fast Deflate: a background job should not hog the cores the transcodes need.
/// </summary>
internal static class ArchiveCompression
{
    /// <summary>Media types that are not compressed inside, so Deflate still helps.</summary>
    private static readonly HashSet<string> UncompressedMedia = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/svg+xml", "image/bmp", "image/x-ms-bmp", "image/tiff", "image/x-portable-pixmap", "image/x-icon", "image/vnd.microsoft.icon",
        "audio/wav", "audio/x-wav", "audio/wave", "audio/aiff", "audio/x-aiff",
    };

    private static readonly HashSet<string> CompressedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/zip", "application/x-zip-compressed", "application/gzip", "application/x-gzip", "application/x-7z-compressed",
        "application/vnd.rar", "application/x-rar-compressed", "application/x-bzip2", "application/x-xz", "application/zstd",
        "application/x-zstd", "application/x-lzip", "application/x-lzma", "application/java-archive", "application/epub+zip",
        "application/vnd.android.package-archive", "application/x-apple-diskimage", "font/woff", "font/woff2",
    };

    /// <summary>Office documents are ZIPs themselves.</summary>
    private static readonly string[] CompressedTypePrefixes =
    [
        "application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
    ];

    /// <summary>For content stored under a vague type (application/octet-stream), the extension decides.</summary>
    private static readonly HashSet<string> CompressedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".gz", ".tgz", ".7z", ".rar", ".bz2", ".tbz2", ".xz", ".txz", ".zst", ".lz", ".lzma", ".jar", ".apk", ".epub", ".dmg",
        ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".woff", ".woff2",
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".avif", ".jxl",
        ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".3gp", ".mts", ".m2ts",
        ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wma",
    };

    /// <summary>How much of a file's start is deflated on trial; the rest of the file is taken to be like it.</summary>
    private const int SampleSize = 256 * 1024;

    /// <summary>
    /// Whether Deflate makes <paramref name="sample"/> (the start of a file) at least a tenth smaller. Incompressible
    /// content grows under .NET's fastest Deflate (by about 5% on random bytes), so it is stored instead.
    /// </summary>
    public static bool Shrinks(ReadOnlySpan<byte> sample)
    {
        sample = sample[..Math.Min(sample.Length, SampleSize)];
        if (sample.Length < 512)
        {
            return true;
        }

        var counter = new CountingStream();
        using (var deflate = new DeflateStream(counter, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(sample);
        }

        return counter.Length < sample.Length * 0.9;
    }

    public static CompressionLevel For(string mimeType, string name)
    {
        var type = mimeType.Split(';', 2)[0].Trim();
        var alreadyCompressed = type.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
                || type.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
                || type.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            ? !UncompressedMedia.Contains(type)
            : CompressedTypes.Contains(type)
                || CompressedTypePrefixes.Any(prefix => type.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                || (type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) && CompressedExtensions.Contains(Path.GetExtension(name)));
        return alreadyCompressed ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
    }
}

/// <summary>Counts what is written to it and keeps nothing.</summary>
internal sealed class CountingStream : Stream
{
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _length += count;

    public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
