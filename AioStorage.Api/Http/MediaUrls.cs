using System.Globalization;
using AioStorage.Core.Accounts;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;

namespace AioStorage.Api.Http;

/// <summary>Which media routes a signature opens: a thumbnail link cannot play the video, nor the other way round.</summary>
public enum MediaScope
{
    /// <summary><c>GET /files/{id}/thumbnail</c>, any size.</summary>
    Thumbnail,

    /// <summary><c>GET /files/{id}/poster</c>.</summary>
    Poster,

    /// <summary><c>GET /files/{id}/stream/…</c>: the playlists, the segments and the MP4.</summary>
    Stream,
}

/// <summary><c>POST /files/{id}/media-url</c>: signed links for a player; null where the worker has made no such product.</summary>
public sealed record MediaUrlsResponse(string? MasterUrl, string? Mp4Url, string? PosterUrl, string? ThumbnailUrl, DateTimeOffset ExpiresAt);

/// <summary>
/// Signed links to a file's media products, for what cannot send a bearer header: <c>&lt;img&gt;</c>, <c>&lt;video&gt;</c>,
/// hls.js and Safari fetching playlists and segments. The query is <c>v=…&amp;uid=…&amp;exp=…&amp;sig=…</c>: sig is an
/// HMAC-SHA256 over the file id, the user id, the expiry and the <see cref="MediaScope"/> (which the route implies), with a
/// key derived from the JWT secret under its own HKDF label, so it is neither the token key nor the download-link key.
/// <c>v</c> names the content (the start of its SHA-256): it is not signed, only checked, and makes the link change when the
/// content does, so a browser may cache what a link gives for a long time.
/// Links live <see cref="Lifetime"/> (a long film keeps playing) and their expiry is rounded up to the next
/// <see cref="Bucket"/>, so listings within the hour repeat the same thumbnail links and browsers keep them cached.
/// Signing is one HMAC and no I/O, cheap enough for every item of a listing.
/// </summary>
public sealed class MediaUrls(JwtOptions jwt, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(6);

    public static readonly TimeSpan Bucket = TimeSpan.FromHours(1);

    /// <summary>Hex digits of the content hash in <c>v</c>: enough to tell contents apart, short enough for a URL.</summary>
    public const int VersionLength = 16;

    public LinkSigner Signer { get; } = new(jwt, time, "media", "media link", "POST /api/v1/files/{id}/media-url");

    /// <summary>The expiry of links made now: at least <see cref="Lifetime"/> away, at a whole <see cref="Bucket"/>.</summary>
    public DateTimeOffset NextExpiry()
    {
        var earliest = (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds();
        var bucket = (long)Bucket.TotalSeconds;
        return DateTimeOffset.FromUnixTimeSeconds((earliest + bucket - 1) / bucket * bucket);
    }

    /// <summary>The 512 px thumbnail's link when the worker has made thumbnails for the current content, else null.</summary>
    public string? Thumbnail(FileRecord file) => Thumbnail(file, NextExpiry());

    public MediaUrlsResponse For(FileRecord file)
    {
        var expires = NextExpiry();
        var media = file.Media;
        return new MediaUrlsResponse(
            media is { HasStream: true } ? Link(file, $"stream/{MediaStore.MasterPlaylistName}", MediaScope.Stream, expires) : null,
            media is { HasMp4: true } ? Link(file, "stream/video.mp4", MediaScope.Stream, expires) : null,
            media is { HasPoster: true } ? Link(file, "poster", MediaScope.Poster, expires) : null,
            Thumbnail(file, expires),
            expires);
    }

    public static string Query(string version, string userId, long expires, string signature)
        => $"v={Uri.EscapeDataString(version)}&uid={Uri.EscapeDataString(userId)}&exp={expires.ToString(CultureInfo.InvariantCulture)}&sig={Uri.EscapeDataString(signature)}";

    public static string VersionOf(FileRecord file) => file.Sha256[..VersionLength];

    private string? Thumbnail(FileRecord file, DateTimeOffset expires)
        => file.Media is { HasThumbnails: true }
            ? Link(file, $"thumbnail?size={MediaStore.DefaultThumbnailSize.ToString(CultureInfo.InvariantCulture)}", MediaScope.Thumbnail, expires)
            : null;

    private string Link(FileRecord file, string route, MediaScope scope, DateTimeOffset expires)
    {
        var exp = expires.ToUnixTimeSeconds();
        var query = Query(VersionOf(file), file.OwnerId, exp, Signer.Sign(file.Id, file.OwnerId, exp, ScopeName(scope)));
        return $"/api/v1/files/{Uri.EscapeDataString(file.Id)}/{route}{(route.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}";
    }

    /// <summary>The scope as it is signed: a thumbnail link does not open the stream.</summary>
    public static string ScopeName(MediaScope scope) => scope switch
    {
        MediaScope.Thumbnail => "thumbnail",
        MediaScope.Poster => "poster",
        _ => "stream",
    };
}
