namespace AioStorage.Web.Api;

/// <summary><c>GET /api/v1/health</c>: the same body with 200 (healthy) and 503 (a required dependency is down).</summary>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, HealthCheckEntry> Checks, DateTimeOffset Timestamp);

public sealed record HealthCheckEntry(string Status, string? Description, double? DurationMs);

/// <summary>A health report together with how the api answered and how long the web waited for it.</summary>
public sealed record HealthResult(int HttpStatus, HealthReport Report, TimeSpan Elapsed);

public enum HealthState
{
    Healthy,
    Degraded,
    Unhealthy,
}

public static class HealthStates
{
    /// <summary>Anything the web does not recognise counts as unhealthy: a status page must not hide trouble.</summary>
    public static HealthState Parse(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        "healthy" => HealthState.Healthy,
        "degraded" => HealthState.Degraded,
        _ => HealthState.Unhealthy,
    };
}

public sealed record LoginRequest(string Email, string Password);

public sealed record RegisterRequest(string Username, string Email, string Password);

public sealed record UserProfile(
    string Id,
    string Username,
    string Email,
    long StorageUsed,
    long StorageQuota,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What <c>POST /auth/login</c> and <c>POST /auth/register</c> answer.</summary>
public sealed record AuthResult(UserProfile User, string Token, DateTimeOffset ExpiresAt);

/// <summary>One entry of <c>GET /auth/sessions</c>: where the account is signed in.</summary>
public sealed record SessionInfo(string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? IpAddress, string? UserAgent, bool Current);

/// <summary>One entry of <c>GET /audit</c>; <see cref="Details"/> depends on the action (a folder's name, say).</summary>
public sealed record AuditEvent(
    string Id,
    string Action,
    string? ResourceId,
    IReadOnlyDictionary<string, string>? Details,
    string? IpAddress,
    string? UserAgent,
    DateTimeOffset CreatedAt)
{
    public string? Detail(string name) => Details is not null && Details.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A page of any listing: <c>{items, page, limit, total}</c>.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, int Page, int Limit, long Total);

/// <summary>A folder as <c>/folders</c> answers it. The root is <c>"root"</c>, with an empty name and no dates.</summary>
public sealed record FolderInfo(string Id, string Name, string? ParentId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public const string RootId = "root";

    public bool IsRoot => Id == RootId;
}

/// <summary>
/// An entry of a folder listing: a folder or a file, told apart by <see cref="Type"/>. Folders carry
/// <see cref="ParentId"/>; files carry <see cref="FolderId"/>, size, type and processing status, and once the worker has
/// looked at them <see cref="Media"/> and (images and videos) a signed <see cref="ThumbnailUrl"/>, relative to the api.
/// </summary>
public sealed record DriveItem(
    string Id,
    string Name,
    string Type,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ParentId = null,
    string? FolderId = null,
    long? Size = null,
    string? MimeType = null,
    string? Status = null,
    string? StatusReason = null,
    string? Sha256 = null,
    MediaFacts? Media = null,
    string? ThumbnailUrl = null)
{
    public bool IsFolder => string.Equals(Type, "folder", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder it is in (<c>"root"</c> at the top), whichever of the two fields the api filled.</summary>
    public string Parent => (IsFolder ? ParentId : FolderId) ?? FolderInfo.RootId;

    public static DriveItem From(DriveFile file) => new(file.Id, file.Name, "file", file.CreatedAt, file.UpdatedAt,
        FolderId: file.FolderId, Size: file.Size, MimeType: file.MimeType, Status: file.Status, StatusReason: file.StatusReason, Sha256: file.Sha256,
        Media: file.Media, ThumbnailUrl: file.ThumbnailUrl);
}

/// <summary>
/// A file as <c>/files</c> answers it. <see cref="Status"/> is processing, ready or failed (then with a reason);
/// <see cref="Processing"/> (from <c>GET /files/{id}</c> only) says how far the worker is while it runs.
/// </summary>
public sealed record DriveFile(
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
    MediaFacts? Media = null,
    string? ThumbnailUrl = null,
    ProcessingState? Processing = null);

/// <summary>What the worker found in a file (ffprobe, the image decoder) and which of its products exist.</summary>
public sealed record MediaFacts(
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
    /// <summary>A browser can play it: an HLS stream, or at least the MP4 fallback.</summary>
    public bool IsPlayable => HasStream || HasMp4;
}

/// <summary>How far the worker is with a file: <see cref="Stage"/> is processing or transcoding, <see cref="Percent"/> 0-100.</summary>
public sealed record ProcessingState(string Stage, double Percent);

/// <summary>
/// <c>POST /files/{id}/media-url</c>: signed links, relative to the api, for <c>&lt;img&gt;</c>, <c>&lt;video&gt;</c> and
/// hls.js, valid until <see cref="ExpiresAt"/> (hours); null where the worker made no such product.
/// </summary>
public sealed record MediaLinks(string? MasterUrl, string? Mp4Url, string? PosterUrl, string? ThumbnailUrl, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>POST /files/{id}/download-url</c>: a link relative to the api's address that works without a bearer header until
/// <see cref="ExpiresAt"/>.
/// </summary>
public sealed record DownloadLink(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// An archive job, as <c>POST /archives</c> (202) and <c>GET /archives/{id}</c> answer it. <see cref="Status"/> is queued,
/// running, completed, failed (then with <see cref="Error"/>) or expired; <see cref="Progress"/> is the fraction (0 to 1)
/// of the selection's bytes written. <see cref="FileCount"/> and <see cref="TotalBytes"/> are known once the worker has
/// walked the selection, <see cref="Size"/> (the ZIP's bytes) once it is completed. <see cref="Skipped"/> lists selected
/// items deleted or trashed before the worker got to them.
/// </summary>
public sealed record ArchiveJob(
    string Id,
    string Status,
    double Progress,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long? Size = null,
    int? FileCount = null,
    long? TotalBytes = null,
    IReadOnlyList<ArchiveSkip>? Skipped = null,
    string? Error = null,
    DateTimeOffset? ExpiresAt = null)
{
    public ArchiveStatus State => Status?.Trim().ToLowerInvariant() switch
    {
        "queued" => ArchiveStatus.Queued,
        "running" => ArchiveStatus.Running,
        "completed" => ArchiveStatus.Completed,
        "expired" => ArchiveStatus.Expired,
        // Anything the web does not know is no reason to wait for ever.
        _ => ArchiveStatus.Failed,
    };
}

public enum ArchiveStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Expired,
}

/// <summary>A selected item the archive left out, and the api's words for why.</summary>
public sealed record ArchiveSkip(string Id, string Reason);

/// <summary>One content of a file, the <see cref="Current"/> one or an earlier one that can be restored.</summary>
public sealed record FileVersion(string Id, long Size, string MimeType, string Sha256, DateTimeOffset CreatedAt, bool Current);

/// <summary><c>GET /files/{id}/versions</c>: newest first, the current content at the top.</summary>
public sealed record FileVersionList(IReadOnlyList<FileVersion> Items);

/// <summary>An entry of <c>GET /trash</c>; a folder stands for everything that was in it.</summary>
public sealed record TrashItem(
    string Id,
    string Type,
    string Name,
    string? ParentId,
    long? Size,
    string? MimeType,
    DateTimeOffset DeletedAt,
    DateTimeOffset UpdatedAt)
{
    public bool IsFolder => string.Equals(Type, "folder", StringComparison.OrdinalIgnoreCase);
}

/// <summary><c>GET /folders/{id}</c>: the folder, its ancestors from the root down, and one page of its contents.</summary>
public sealed record FolderListing(FolderInfo Folder, IReadOnlyList<FolderInfo> Ancestors, IReadOnlyList<DriveItem> Items, int Page, int Limit, long Total);

public enum DriveSort
{
    Name,
    Modified,
    Size,
}

/// <summary>Which page of a folder, in which order. The api sorts; folders always come first.</summary>
public sealed record FolderQuery(int Page = 1, int Limit = FolderQuery.DefaultLimit, DriveSort Sort = DriveSort.Name, bool Descending = false)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public string ToQueryString()
    {
        var sort = Sort switch
        {
            DriveSort.Modified => "updatedAt",
            DriveSort.Size => "size",
            _ => "name",
        };
        return $"page={Page}&limit={Limit}&sort={sort}&order={(Descending ? "desc" : "asc")}";
    }
}

/// <summary><c>POST /api/v1/system/ping</c> answers 202 with this.</summary>
public sealed record PingAccepted(string Id, DateTimeOffset SentAt);

/// <summary><c>GET /api/v1/system/ping/{id}</c>.</summary>
public sealed record PingStatus(
    string Id,
    string Status,
    string? Worker,
    DateTimeOffset SentAt,
    DateTimeOffset? ReceivedAt,
    double? RoundTripMs)
{
    public bool IsCompleted => string.Equals(Status, "completed", StringComparison.OrdinalIgnoreCase);
}
