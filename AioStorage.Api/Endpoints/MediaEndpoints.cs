using System.Globalization;
using System.Security.Claims;
using System.Text;
using AioStorage.Api.Http;
using AioStorage.Core.Errors;
using AioStorage.Core.Files;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;
using Microsoft.Net.Http.Headers;

namespace AioStorage.Api.Endpoints;

/// <summary>The query of a signed media link (<see cref="MediaUrls"/>); all absent when the caller sends a bearer token.</summary>
public sealed record MediaLinkQuery(string? V, string? Uid, string? Exp, string? Sig)
{
    public bool IsSigned => Uid is not null || Exp is not null || Sig is not null;
}

/// <summary>
/// What the worker made from a file's content (thumbnails, the poster frame, HLS and the MP4 fallback), read from
/// <see cref="MediaStore"/> by the file's current SHA-256. Every route answers the owner alone (others get 404, as do
/// trashed files), with a bearer token or with a signed link from <c>POST /files/{id}/media-url</c> or a listing's
/// <c>thumbnailUrl</c>. Bytes go out through <see cref="StoredContentResult"/>: ranges, ETag (the hash and the product's
/// name), conditional requests.
/// </summary>
public static class MediaEndpoints
{
    /// <summary>What a link naming the content (<c>v</c>) gives never changes: browsers may keep it a day.</summary>
    private const string VersionedCacheControl = "private, max-age=86400, immutable";

    /// <summary>Without <c>v</c> the same URL shows the next content after a new upload: a revalidation (304) each time.</summary>
    private const string UnversionedCacheControl = "private, no-cache";

    public static RouteGroupBuilder MapMediaEndpoints(this RouteGroupBuilder api)
    {
        var media = api.MapGroup("/files/{id}").WithTags("Media");
        const string signedNote = "With a bearer token, or with the v/uid/exp/sig query of a link from POST /files/{id}/media-url "
            + "(or a listing's thumbnailUrl). The owner's files only: others, and trashed files, answer 404.";

        media.MapGet("/thumbnail", Thumbnail)
            .AllowAnonymous()
            .WithName("GetThumbnail")
            .WithSummary("A WebP thumbnail of an image or video: size 128 | 512 | 1024 (or small | medium | large), default 512")
            .WithDescription($"{signedNote} The size is not part of the signature: a link works for every size.")
            .Produces(StatusCodes.Status200OK, contentType: MediaStore.ThumbnailContentType)
            .ProducesValidationProblem()
            .ProducesMediaProblems();

        media.MapGet("/poster", Poster)
            .AllowAnonymous()
            .WithName("GetPoster")
            .WithSummary("A video's poster frame (JPEG)")
            .WithDescription(signedNote)
            .Produces(StatusCodes.Status200OK, contentType: MediaStore.PosterContentType)
            .ProducesMediaProblems();

        media.MapGet($"/stream/{MediaStore.MasterPlaylistName}", MasterPlaylist)
            .AllowAnonymous()
            .WithName("GetStreamMasterPlaylist")
            .WithSummary("A video's HLS master playlist")
            .WithDescription($"{signedNote} Fetched through a signed link, every URI inside the playlist carries the same "
                + "signature, so a player fetches renditions and segments without a header; with a bearer token it is served as stored.")
            .Produces(StatusCodes.Status200OK, contentType: HlsPlaylists.ContentType)
            .ProducesMediaProblems();

        media.MapGet("/stream/{rendition}/{file}", StreamFile)
            .AllowAnonymous()
            .WithName("GetStreamFile")
            .WithSummary("A rendition playlist (.m3u8) or media segment (.ts, .m4s, .mp4) of a video's HLS stream, with ranges")
            .WithDescription($"{signedNote} Names are letters, digits, '_' and '-' with one extension; anything else is 404.")
            .Produces(StatusCodes.Status200OK, contentType: "video/mp2t")
            .Produces(StatusCodes.Status206PartialContent)
            .ProducesMediaProblems();

        media.MapMethods("/stream/video.mp4", [HttpMethods.Get, HttpMethods.Head], Mp4)
            .AllowAnonymous()
            .WithName("GetStreamMp4")
            .WithSummary("A video's H.264/AAC MP4 fallback (faststart), with ranges for seeking")
            .WithDescription(signedNote)
            .Produces(StatusCodes.Status200OK, contentType: "video/mp4")
            .Produces(StatusCodes.Status206PartialContent)
            .ProducesMediaProblems();

        media.MapPost("/media-url", (string id, ClaimsPrincipal user, FileService files, MediaUrls urls, CancellationToken ct)
                => CreateLinksAsync(id, user, files, urls, ct))
            .WithName("CreateMediaUrls")
            .WithSummary("Signed links to the file's media for players and <img>/<video> tags: {masterUrl, mp4Url, posterUrl, thumbnailUrl, expiresAt}")
            .WithDescription($"Links are relative to the api, live at least {MediaUrls.Lifetime.TotalHours:0} hours (so a long film keeps "
                + "playing) and expire on a whole hour, so asking again within the hour gives the same links. A link is null when the "
                + "worker has not made that product (see the file's media flags).")
            .Produces<MediaUrlsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static async Task<IResult> CreateLinksAsync(string id, ClaimsPrincipal user, FileService files, MediaUrls urls, CancellationToken ct)
        => TypedResults.Ok(urls.For(await files.GetAsync(user.UserId(), id, ct)));

    private static async Task<IResult> Thumbnail(string id, string? size, [AsParameters] MediaLinkQuery link, HttpContext http,
        FileService files, MediaUrls urls, MediaStore store, CancellationToken ct)
    {
        var access = await AuthorizeAsync(id, MediaScope.Thumbnail, link, http, files, urls, ct);
        if (access.Refusal is not null)
        {
            return access.Refusal;
        }

        var pixels = ThumbnailSize(size);
        var file = access.File!;
        return Serve(http, access, store.ThumbnailPath(file.Sha256, pixels), MediaStore.ThumbnailContentType, $"thumb-{pixels}")
            ?? Missing(file.Status switch
            {
                FileStatus.Processing => "No thumbnail yet: the file is still being processed.",
                FileStatus.Failed => $"This file has no thumbnail: processing failed. {file.StatusReason}".TrimEnd(),
                _ => "This file has no thumbnail: only images and videos get one.",
            });
    }

    private static async Task<IResult> Poster(string id, [AsParameters] MediaLinkQuery link, HttpContext http,
        FileService files, MediaUrls urls, MediaStore store, CancellationToken ct)
    {
        var access = await AuthorizeAsync(id, MediaScope.Poster, link, http, files, urls, ct);
        if (access.Refusal is not null)
        {
            return access.Refusal;
        }

        var file = access.File!;
        return Serve(http, access, store.PosterPath(file.Sha256), MediaStore.PosterContentType, "poster")
            ?? Missing(file.Status switch
            {
                FileStatus.Processing => "No poster yet: the file is still being processed.",
                FileStatus.Failed => $"This file has no poster: processing failed. {file.StatusReason}".TrimEnd(),
                _ when !IsVideo(file) => "This file has no video stream, so it has no poster frame.",
                _ => "This video has no poster frame.",
            });
    }

    private static async Task<IResult> MasterPlaylist(string id, [AsParameters] MediaLinkQuery link, HttpContext http,
        FileService files, MediaUrls urls, MediaStore store, CancellationToken ct)
    {
        var access = await AuthorizeAsync(id, MediaScope.Stream, link, http, files, urls, ct);
        if (access.Refusal is not null)
        {
            return access.Refusal;
        }

        var file = access.File!;
        return await ServePlaylistAsync(http, access, Path.Combine(store.StreamDirectory(file.Sha256), MediaStore.MasterPlaylistName),
                $"hls/{MediaStore.MasterPlaylistName}", ct)
            ?? Missing(NoStream(file));
    }

    private static async Task<IResult> StreamFile(string id, string rendition, string file, [AsParameters] MediaLinkQuery link, HttpContext http,
        FileService files, MediaUrls urls, MediaStore store, CancellationToken ct)
    {
        var access = await AuthorizeAsync(id, MediaScope.Stream, link, http, files, urls, ct);
        if (access.Refusal is not null)
        {
            return access.Refusal;
        }

        var record = access.File!;
        var name = $"{rendition}/{file}";
        if (store.StreamFile(record.Sha256, name) is not { } path)
        {
            return Missing("No such file in this video's stream: names are a rendition and a playlist or segment, like 720p/index.m3u8.");
        }

        var extension = Path.GetExtension(path);
        var served = extension == ".m3u8"
            ? await ServePlaylistAsync(http, access, path, $"hls/{name}", ct)
            : Serve(http, access, path, extension switch
            {
                ".ts" => "video/mp2t",
                ".m4s" => "video/iso.segment",
                _ => "video/mp4",
            }, $"hls/{name}");
        return served ?? Missing(Directory.Exists(store.StreamDirectory(record.Sha256))
            ? "No such file in this video's stream."
            : NoStream(record));
    }

    private static async Task<IResult> Mp4(string id, [AsParameters] MediaLinkQuery link, HttpContext http,
        FileService files, MediaUrls urls, MediaStore store, CancellationToken ct)
    {
        var access = await AuthorizeAsync(id, MediaScope.Stream, link, http, files, urls, ct);
        if (access.Refusal is not null)
        {
            return access.Refusal;
        }

        var file = access.File!;
        return Serve(http, access, store.Mp4Path(file.Sha256), "video/mp4", "video.mp4") ?? Missing(NoStream(file));
    }

    /// <summary>The file the caller may see, or why not: 403 for a bad link, 401 without any credentials, 404 for others' or trashed files.</summary>
    private static async Task<MediaAccess> AuthorizeAsync(string id, MediaScope scope, MediaLinkQuery link, HttpContext http,
        FileService files, MediaUrls urls, CancellationToken ct)
    {
        var (caller, refusal) = urls.Signer.Caller(http, id, link.Uid, link.Exp, link.Sig, MediaUrls.ScopeName(scope));
        if (caller is not { } userId)
        {
            return new MediaAccess(null, null, false, refusal);
        }

        var file = await files.GetAsync(userId, id, ct);
        if (link.V is { } version && version != MediaUrls.VersionOf(file))
        {
            return new MediaAccess(null, null, false, Missing("The file's content has changed since this link was made: ask for a new link."));
        }

        // Validate succeeded, so exp is a number; children of a signed playlist carry exactly what this request was signed with.
        var signedQuery = link.IsSigned
            ? MediaUrls.Query(link.V ?? MediaUrls.VersionOf(file), link.Uid!, long.Parse(link.Exp!, CultureInfo.InvariantCulture), link.Sig!)
            : null;
        return new MediaAccess(file, signedQuery, link.V is not null, null);
    }

    /// <summary>The product at <paramref name="path"/>, or null when the worker has not made it (or it is being replaced).</summary>
    private static StoredContentResult? Serve(HttpContext http, MediaAccess access, string path, string contentType, string product)
    {
        if (OpenProduct(http, path) is not { } stream)
        {
            return null;
        }

        return new StoredContentResult(new StoredContent(stream.Length, contentType, ETag(access.File!, product, null),
            File.GetLastWriteTimeUtc(stream.SafeFileHandle), () => stream)
        {
            CacheControl = access.Versioned ? VersionedCacheControl : UnversionedCacheControl,
        });
    }

    /// <summary>
    /// A playlist as stored (bearer) or with the signed query added to every URI in it. Playlists are small text (a line
    /// or two per segment), so the signed copy is made in memory; segments and videos are always streamed.
    /// </summary>
    private static async Task<StoredContentResult?> ServePlaylistAsync(HttpContext http, MediaAccess access, string path, string product, CancellationToken ct)
    {
        if (access.SignedQuery is null)
        {
            return Serve(http, access, path, HlsPlaylists.ContentType, product);
        }

        if (OpenProduct(http, path) is not { } stream)
        {
            return null;
        }

        string text;
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync(ct);
        }

        var body = Encoding.UTF8.GetBytes(HlsPlaylists.AppendQuery(text, access.SignedQuery));
        // The body depends on the signature it carries, so the ETag does too.
        return new StoredContentResult(new StoredContent(body.Length, HlsPlaylists.ContentType,
            ETag(access.File!, product, access.SignedQuery), File.GetLastWriteTimeUtc(path), () => new MemoryStream(body, writable: false))
        {
            CacheControl = access.Versioned ? VersionedCacheControl : UnversionedCacheControl,
        });
    }

    private static FileStream? OpenProduct(HttpContext http, string path)
    {
        try
        {
            // Unbuffered: StoredContentResult reads in large blocks. Delete sharing lets the worker replace a product meanwhile.
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            http.Response.RegisterForDisposeAsync(stream);
            return stream;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static EntityTagHeaderValue ETag(FileRecord file, string product, string? signedQuery)
    {
        var variant = signedQuery is null
            ? string.Empty
            : "-s" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(signedQuery)))[..16];
        return new EntityTagHeaderValue($"\"{file.Sha256}-{product}{variant}\"");
    }

    private static int ThumbnailSize(string? size) => size?.Trim().ToLowerInvariant() switch
    {
        null or "" => MediaStore.DefaultThumbnailSize,
        "small" => 128,
        "medium" => 512,
        "large" => 1024,
        var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pixels) && MediaStore.ThumbnailSizes.Contains(pixels) => pixels,
        _ => throw ValidationFailedException.For("size", "size is 128, 512 or 1024 (or small, medium, large)."),
    };

    private static bool IsVideo(FileRecord file)
        => (file.Media?.DetectedMimeType ?? file.MimeType).StartsWith("video/", StringComparison.OrdinalIgnoreCase);

    private static string NoStream(FileRecord file) => file.Status switch
    {
        FileStatus.Processing => "The video is still being processed: it can be played once it has been transcoded.",
        FileStatus.Failed => $"This file cannot be streamed: processing failed. {file.StatusReason}".TrimEnd(),
        _ when !IsVideo(file) => "This file has no video stream.",
        _ => "The video is not ready to stream yet: it is still being transcoded.",
    };

    private static IResult Missing(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    private static RouteHandlerBuilder ProducesMediaProblems(this RouteHandlerBuilder route) => route
        .Produces(StatusCodes.Status304NotModified)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound);

    /// <param name="SignedQuery">The query the request was signed with, for the URIs of a playlist; null with a bearer token.</param>
    /// <param name="Versioned">The link named the content (<c>v</c>), so what it gives never changes.</param>
    private sealed record MediaAccess(FileRecord? File, string? SignedQuery, bool Versioned, IResult? Refusal);
}
