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
/// <see cref="ParentId"/>; files carry <see cref="FolderId"/>, size, type and processing status.
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
    string? StatusReason = null)
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
