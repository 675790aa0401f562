using System.Globalization;
using AioStorage.Core.Configuration;

namespace AioStorage.Core.Media;

/// <summary>
/// Where the worker's products of a content live: <c>STORAGE_PATH/media/ab/cd/&lt;sha256&gt;/</c>. They are addressed by
/// the content's hash like the blobs, so copies and identical uploads share them, a redelivered message finds them
/// already made, and no user-given string ever becomes part of a path. Each product is written elsewhere first and
/// moved into place whole (a file by rename, the HLS folder by renaming its directory), so readers never see half of one.
/// </summary>
public sealed class MediaStore(StorageOptions storage)
{
    /// <summary>Bounding boxes (pixels, longest side) of the thumbnails made for every image and video.</summary>
    public static IReadOnlyList<int> ThumbnailSizes { get; } = [128, 512, 1024];

    /// <summary>The size served when a client names none.</summary>
    public const int DefaultThumbnailSize = 512;

    public const string ThumbnailContentType = "image/webp";

    public const string PosterContentType = "image/jpeg";

    public const string MasterPlaylistName = "master.m3u8";

    public string Root => Path.Combine(storage.Path, "media");

    /// <summary>Where products are assembled before they are moved into place (same volume, so the move is a rename).</summary>
    public string WorkRoot => Path.Combine(storage.Path, "media-work");

    public string DirectoryFor(string sha256)
    {
        RequireHash(sha256);
        return Path.Combine(Root, sha256[..2], sha256[2..4], sha256);
    }

    public string ThumbnailPath(string sha256, int size)
    {
        if (!ThumbnailSizes.Contains(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "Not one of the thumbnail sizes.");
        }

        return Path.Combine(DirectoryFor(sha256), $"thumb-{size.ToString(CultureInfo.InvariantCulture)}.webp");
    }

    public string PosterPath(string sha256) => Path.Combine(DirectoryFor(sha256), "poster.jpg");

    /// <summary>The HLS folder: <see cref="MasterPlaylistName"/> plus one sub-folder per rendition with its playlist and segments.</summary>
    public string StreamDirectory(string sha256) => Path.Combine(DirectoryFor(sha256), "hls");

    public string Mp4Path(string sha256) => Path.Combine(DirectoryFor(sha256), "video.mp4");

    /// <summary>
    /// A file inside the HLS folder named by a request (<c>720p/segment-00003.ts</c>), or null when the name could leave
    /// the folder or is not a playlist or segment: only <c>[A-Za-z0-9_-]</c> names with one dot and an HLS extension.
    /// </summary>
    public string? StreamFile(string sha256, string relativePath)
    {
        var parts = relativePath.Split('/');
        if (parts.Length is < 1 or > 2 || !parts.All(IsSafeSegment))
        {
            return null;
        }

        var extension = Path.GetExtension(parts[^1]);
        if (extension is not (".m3u8" or ".ts" or ".m4s" or ".mp4"))
        {
            return null;
        }

        return Path.Combine([StreamDirectory(sha256), .. parts]);
    }

    private static bool IsSafeSegment(string part)
        => part.Length is > 0 and <= 64
           && part.Count(c => c == '.') <= 1
           && part[0] != '.'
           && part.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.');

    private static void RequireHash(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            throw new ArgumentException("Not a lower-case hex SHA-256.", nameof(sha256));
        }
    }
}
