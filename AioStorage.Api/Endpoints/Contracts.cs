using AioStorage.Api.Http;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;

namespace AioStorage.Api.Endpoints;

/// <summary>The JSON shapes of the API contract (product.md); records here are what clients see, nothing more.</summary>
public sealed record UserResponse(string Id, string Username, string Email, long StorageUsed, long StorageQuota, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserResponse From(UserRecord user)
        => new(user.Id, user.Username, user.Email, user.StorageUsed, user.StorageQuota, user.CreatedAt, user.UpdatedAt);
}

public sealed record AuthResponse(UserResponse User, string Token, DateTimeOffset ExpiresAt);

public sealed record FolderResponse(string Id, string Name, string? ParentId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public string Type => "folder";

    public static FolderResponse From(FolderRecord folder) => new(folder.Id, folder.Name, folder.ParentId, folder.CreatedAt, folder.UpdatedAt);
}

/// <summary>
/// A file. <see cref="Media"/> is what the worker found and made (null until it has looked); <see cref="ThumbnailUrl"/>
/// is a signed link to the 512 px thumbnail, usable in an <c>&lt;img&gt;</c> without a bearer header, when one exists;
/// <see cref="Processing"/> is filled by <c>GET /files/{id}</c> alone, while the worker is at it.
/// </summary>
public sealed record FileResponse(
    string Id,
    string Name,
    string? FolderId,
    long Size,
    string MimeType,
    string Sha256,
    string Status,
    string? StatusReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    MediaResponse? Media,
    string? ThumbnailUrl)
{
    public string Type => "file";

    public ProcessingResponse? Processing { get; init; }

    public static FileResponse From(FileRecord file, MediaUrls urls) => new(
        file.Id, file.Name, file.ParentId, file.Size, file.MimeType, file.Sha256,
        file.Status.ToString().ToLowerInvariant(), file.StatusReason, file.CreatedAt, file.UpdatedAt,
        MediaResponse.From(file.Media), urls.Thumbnail(file));
}

/// <summary>What ffprobe and the image decoder found, and which products exist: the <c>has*</c> flags.</summary>
public sealed record MediaResponse(
    string? DetectedMimeType,
    int? Width,
    int? Height,
    double? DurationSeconds,
    string? VideoCodec,
    string? AudioCodec,
    bool HasThumbnails,
    bool HasPoster,
    bool HasStream,
    bool HasMp4)
{
    public static MediaResponse? From(MediaInfo? media) => media is null
        ? null
        : new(media.DetectedMimeType, media.Width, media.Height, media.DurationSeconds, media.VideoCodec, media.AudioCodec,
            media.HasThumbnails, media.HasPoster, media.HasStream, media.HasMp4);
}

/// <summary>How far the worker is with the file's current content: <c>stage</c> is processing or transcoding, <c>percent</c> 0-100.</summary>
public sealed record ProcessingResponse(string Stage, double Percent)
{
    public static ProcessingResponse? From(ProcessingProgress? progress)
        => progress is null ? null : new(progress.Stage, Math.Round(Math.Clamp(progress.Percent, 0, 100), 1));
}

/// <summary>A page of any listing: <c>{items, page, limit, total}</c>.</summary>
public record PageResponse<T>(IReadOnlyList<T> Items, int Page, int Limit, long Total);

public sealed record FolderListingResponse(
    FolderResponse Folder,
    IReadOnlyList<FolderResponse> Ancestors,
    IReadOnlyList<object> Items,
    int Page,
    int Limit,
    long Total);

public sealed record SessionResponse(string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? IpAddress, string? UserAgent, bool Current);

public sealed record AuditEventResponse(string Id, string Action, string? ResourceId, IReadOnlyDictionary<string, string> Details, string? IpAddress, string? UserAgent, DateTimeOffset CreatedAt)
{
    public static AuditEventResponse From(AuditEventRecord e) => new(e.Id, e.Action, e.ResourceId, e.Details, e.IpAddress, e.UserAgent, e.CreatedAt);
}

public static class NodeResponses
{
    /// <summary>Listing items carry <c>type</c> ("folder" or "file") so clients can tell them apart.</summary>
    public static object From(NodeRecord node, MediaUrls urls) => node switch
    {
        FolderRecord folder => FolderResponse.From(folder),
        FileRecord file => FileResponse.From(file, urls),
        _ => throw new InvalidOperationException($"Unknown node type {node.GetType().Name}"),
    };
}
