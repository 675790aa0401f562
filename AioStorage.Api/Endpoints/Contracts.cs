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
    DateTimeOffset UpdatedAt)
{
    public string Type => "file";

    public static FileResponse From(FileRecord file) => new(
        file.Id, file.Name, file.ParentId, file.Size, file.MimeType, file.Sha256,
        file.Status.ToString().ToLowerInvariant(), file.StatusReason, file.CreatedAt, file.UpdatedAt);
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
    public static object From(NodeRecord node) => node switch
    {
        FolderRecord folder => FolderResponse.From(folder),
        FileRecord file => FileResponse.From(file),
        _ => throw new InvalidOperationException($"Unknown node type {node.GetType().Name}"),
    };
}
