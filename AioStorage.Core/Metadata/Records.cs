using System.Text.Json.Serialization;

namespace AioStorage.Core.Metadata;

/// <summary>An account. <see cref="StorageUsed"/> is the sum of the sizes of every file and version the user owns, trash included, until purged.</summary>
public sealed record UserRecord(
    string Id,
    string Username,
    string Email,
    string PasswordHash,
    long StorageUsed,
    long StorageQuota,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public enum NodeType
{
    Folder,
    File,
}

/// <summary>Processing state of a file's content, moved on by the worker.</summary>
public enum FileStatus
{
    Processing,
    Ready,
    Failed,
}

/// <summary>
/// A folder or a file in its owner's tree. The root is implicit: <see cref="ParentId"/> is null at the top.
/// A trashed node has <see cref="DeletedAt"/> set and <see cref="TrashId"/> naming the node the user put in the trash
/// (itself, or the folder it was under), so a folder and everything under it leave and come back together.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(FolderRecord), "folder")]
[JsonDerivedType(typeof(FileRecord), "file")]
public abstract record NodeRecord
{
    public required string Id { get; init; }

    public required string OwnerId { get; init; }

    public string? ParentId { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }

    public string? TrashId { get; init; }

    [JsonIgnore]
    public abstract NodeType Type { get; }

    [JsonIgnore]
    public bool IsTrashed => DeletedAt is not null;
}

public sealed record FolderRecord : NodeRecord
{
    public override NodeType Type => NodeType.Folder;
}

public sealed record FileRecord : NodeRecord
{
    public override NodeType Type => NodeType.File;

    public required long Size { get; init; }

    public required string MimeType { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content: the blob's address and the download ETag.</summary>
    public required string Sha256 { get; init; }

    public FileStatus Status { get; init; } = FileStatus.Processing;

    public string? StatusReason { get; init; }

    public string? CurrentVersionId { get; init; }

    public MediaInfo? Media { get; init; }
}

/// <summary>
/// What ffprobe and the image decoder found in the content, and which products the worker has made from it
/// (their files are under <see cref="Media.MediaStore"/>, addressed by the content's hash).
/// </summary>
public sealed record MediaInfo(
    string? DetectedMimeType,
    int? Width,
    int? Height,
    double? DurationSeconds,
    string? VideoCodec,
    string? AudioCodec,
    int? Rotation)
{
    /// <summary>Thumbnails in every size of <see cref="Media.MediaStore.ThumbnailSizes"/> exist.</summary>
    public bool HasThumbnails { get; init; }

    /// <summary>A poster frame (videos) exists.</summary>
    public bool HasPoster { get; init; }

    /// <summary>An HLS master playlist with its renditions exists.</summary>
    public bool HasStream { get; init; }

    /// <summary>An H.264/AAC MP4 fallback exists.</summary>
    public bool HasMp4 { get; init; }
}

/// <summary>An earlier content of a file, kept when a new upload replaced it.</summary>
public sealed record FileVersionRecord(
    string Id,
    string FileId,
    string OwnerId,
    string Sha256,
    long Size,
    string MimeType,
    DateTimeOffset CreatedAt);

public enum UploadStatus
{
    Active,
    Completed,
    Terminated,
    Expired,
}

/// <summary>A resumable (tus) upload in progress; its bytes live on the shared volume, its state here.</summary>
public sealed record UploadSessionRecord(
    string Id,
    string OwnerId,
    string? FolderId,
    string FileName,
    string? MimeType,
    long Length,
    long Offset,
    UploadStatus Status,
    string? FileId,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset ExpiresAt);

public enum SharePermission
{
    Read,
    Write,
}

/// <summary>A file or folder shared by its owner with another user.</summary>
public sealed record ShareRecord(
    string Id,
    string OwnerId,
    string NodeId,
    NodeType NodeType,
    string GranteeId,
    SharePermission Permission,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt);

/// <summary>A public link to a file or folder; the token is stored only as a hash.</summary>
public sealed record PublicLinkRecord(
    string Id,
    string OwnerId,
    string NodeId,
    NodeType NodeType,
    string TokenHash,
    string? PasswordHash,
    DateTimeOffset? ExpiresAt,
    int? MaxDownloads,
    int Downloads,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);

public enum JobStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Expired,
}

/// <summary>Background work a user waits for (a ZIP archive, a transcode), with its progress.</summary>
public sealed record JobRecord(
    string Id,
    string OwnerId,
    string Kind,
    JobStatus Status,
    double Progress,
    IReadOnlyDictionary<string, string> Parameters,
    string? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt);

/// <summary>Something a user did, kept for their audit log.</summary>
public sealed record AuditEventRecord(
    string Id,
    string UserId,
    string Action,
    string? ResourceId,
    IReadOnlyDictionary<string, string> Details,
    string? IpAddress,
    string? UserAgent,
    DateTimeOffset CreatedAt);

/// <summary>One page of a listing and how many items there are in all.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total);
