namespace AioStorage.Core.Metadata.MongoDb;

/// <summary>
/// The shapes stored in MongoDB, apart from the domain records so that the records carry no persistence concerns
/// and a stored shape changes only on purpose. Element names and serializers are set in <see cref="MongoDocumentMappings"/>.
/// </summary>
internal sealed class UserDocument
{
    public string Id { get; set; } = string.Empty;

    public string Username { get; set; } = string.Empty;

    /// <summary><see cref="NodeNames.Key"/> of the username: what the unique index compares.</summary>
    public string UsernameKey { get; set; } = string.Empty;

    public string Email { get; set; } = string.Empty;

    public string EmailKey { get; set; } = string.Empty;

    public string PasswordHash { get; set; } = string.Empty;

    public long StorageUsed { get; set; }

    public long StorageQuota { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public static UserDocument From(UserRecord user) => new()
    {
        Id = user.Id,
        Username = user.Username,
        UsernameKey = NodeNames.Key(user.Username),
        Email = user.Email,
        EmailKey = NodeNames.Key(user.Email),
        PasswordHash = user.PasswordHash,
        StorageUsed = user.StorageUsed,
        StorageQuota = user.StorageQuota,
        CreatedAt = user.CreatedAt,
        UpdatedAt = user.UpdatedAt,
    };

    public UserRecord ToRecord() =>
        new(Id, Username, Email, PasswordHash, StorageUsed, StorageQuota, CreatedAt, UpdatedAt);
}

/// <summary>Folders and files share one collection, so that a folder and a file in one place cannot take the same name.</summary>
internal sealed class NodeDocument
{
    public string Id { get; set; } = string.Empty;

    public string OwnerId { get; set; } = string.Empty;

    public string? ParentId { get; set; }

    public NodeType Type { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary><see cref="NodeNames.Key"/> of the name: what the live-name index compares and listings sort by.</summary>
    public string NameKey { get; set; } = string.Empty;

    /// <summary>
    /// Mirrors <see cref="DeletedAt"/> as a boolean because a partial index can filter on <c>trashed: false</c> on
    /// every MongoDB version (and the emulator), while "deletedAt is null" is not an accepted partial filter.
    /// </summary>
    public bool Trashed { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public string? TrashId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public long? Size { get; set; }

    public string? MimeType { get; set; }

    public string? Sha256 { get; set; }

    public FileStatus? Status { get; set; }

    public string? StatusReason { get; set; }

    public string? CurrentVersionId { get; set; }

    public MediaDocument? Media { get; set; }

    public static NodeDocument From(NodeRecord node)
    {
        var document = new NodeDocument
        {
            Id = node.Id,
            OwnerId = node.OwnerId,
            ParentId = node.ParentId,
            Type = node.Type,
            Name = node.Name,
            NameKey = NodeNames.Key(node.Name),
            Trashed = node.DeletedAt is not null,
            DeletedAt = node.DeletedAt,
            TrashId = node.TrashId,
            CreatedAt = node.CreatedAt,
            UpdatedAt = node.UpdatedAt,
        };
        if (node is FileRecord file)
        {
            document.Size = file.Size;
            document.MimeType = file.MimeType;
            document.Sha256 = file.Sha256;
            document.Status = file.Status;
            document.StatusReason = file.StatusReason;
            document.CurrentVersionId = file.CurrentVersionId;
            document.Media = file.Media is { } media ? MediaDocument.From(media) : null;
        }

        return document;
    }

    public NodeRecord ToRecord() => Type switch
    {
        NodeType.Folder => new FolderRecord
        {
            Id = Id,
            OwnerId = OwnerId,
            ParentId = ParentId,
            Name = Name,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            DeletedAt = DeletedAt,
            TrashId = TrashId,
        },
        NodeType.File => new FileRecord
        {
            Id = Id,
            OwnerId = OwnerId,
            ParentId = ParentId,
            Name = Name,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            DeletedAt = DeletedAt,
            TrashId = TrashId,
            Size = Size ?? 0,
            MimeType = MimeType ?? string.Empty,
            Sha256 = Sha256 ?? string.Empty,
            Status = Status ?? FileStatus.Processing,
            StatusReason = StatusReason,
            CurrentVersionId = CurrentVersionId,
            Media = Media?.ToRecord(),
        },
        _ => throw new InvalidDataException($"Node {Id} has an unknown type '{Type}'."),
    };
}

internal sealed class MediaDocument
{
    public string? DetectedMimeType { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public double? DurationSeconds { get; set; }

    public string? VideoCodec { get; set; }

    public string? AudioCodec { get; set; }

    public int? Rotation { get; set; }

    public bool HasThumbnails { get; set; }

    public bool HasPoster { get; set; }

    public bool HasStream { get; set; }

    public bool HasMp4 { get; set; }

    public static MediaDocument From(MediaInfo media) => new()
    {
        DetectedMimeType = media.DetectedMimeType,
        Width = media.Width,
        Height = media.Height,
        DurationSeconds = media.DurationSeconds,
        VideoCodec = media.VideoCodec,
        AudioCodec = media.AudioCodec,
        Rotation = media.Rotation,
        HasThumbnails = media.HasThumbnails,
        HasPoster = media.HasPoster,
        HasStream = media.HasStream,
        HasMp4 = media.HasMp4,
    };

    public MediaInfo ToRecord() => new(DetectedMimeType, Width, Height, DurationSeconds, VideoCodec, AudioCodec, Rotation)
    {
        HasThumbnails = HasThumbnails,
        HasPoster = HasPoster,
        HasStream = HasStream,
        HasMp4 = HasMp4,
    };
}

internal sealed class AuditEventDocument
{
    public string Id { get; set; } = string.Empty;

    public string UserId { get; set; } = string.Empty;

    public string Action { get; set; } = string.Empty;

    public string? ResourceId { get; set; }

    public Dictionary<string, string> Details { get; set; } = [];

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public static AuditEventDocument From(AuditEventRecord auditEvent) => new()
    {
        Id = auditEvent.Id,
        UserId = auditEvent.UserId,
        Action = auditEvent.Action,
        ResourceId = auditEvent.ResourceId,
        Details = new Dictionary<string, string>(auditEvent.Details),
        IpAddress = auditEvent.IpAddress,
        UserAgent = auditEvent.UserAgent,
        CreatedAt = auditEvent.CreatedAt,
    };

    public AuditEventRecord ToRecord() => new(Id, UserId, Action, ResourceId, Details, IpAddress, UserAgent, CreatedAt);
}

internal sealed class FileVersionDocument
{
    public string Id { get; set; } = string.Empty;

    public string FileId { get; set; } = string.Empty;

    public string OwnerId { get; set; } = string.Empty;

    public string Sha256 { get; set; } = string.Empty;

    public long Size { get; set; }

    public string MimeType { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public static FileVersionDocument From(FileVersionRecord version) => new()
    {
        Id = version.Id,
        FileId = version.FileId,
        OwnerId = version.OwnerId,
        Sha256 = version.Sha256,
        Size = version.Size,
        MimeType = version.MimeType,
        CreatedAt = version.CreatedAt,
    };

    public FileVersionRecord ToRecord() => new(Id, FileId, OwnerId, Sha256, Size, MimeType, CreatedAt);
}

/// <summary>One per stored content, keyed by its SHA-256, so that an upsert on the id is the only way to create one.</summary>
internal sealed class BlobDocument
{
    public string Id { get; set; } = string.Empty;

    public long Size { get; set; }

    public long References { get; set; }

    /// <summary>Set when the count fell to zero, null while anything refers to the blob.</summary>
    public DateTimeOffset? OrphanedAt { get; set; }

    /// <summary>When the count last changed, for whoever inspects the collection.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    public BlobRecord ToRecord() => new(Id, Size, References, OrphanedAt);
}

internal sealed class UploadSessionDocument
{
    public string Id { get; set; } = string.Empty;

    public string OwnerId { get; set; } = string.Empty;

    public string? FolderId { get; set; }

    public string FileName { get; set; } = string.Empty;

    public string? MimeType { get; set; }

    public long Length { get; set; }

    public long Offset { get; set; }

    public UploadStatus Status { get; set; }

    public string? FileId { get; set; }

    public Dictionary<string, string> Metadata { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public static UploadSessionDocument From(UploadSessionRecord session) => new()
    {
        Id = session.Id,
        OwnerId = session.OwnerId,
        FolderId = session.FolderId,
        FileName = session.FileName,
        MimeType = session.MimeType,
        Length = session.Length,
        Offset = session.Offset,
        Status = session.Status,
        FileId = session.FileId,
        Metadata = new Dictionary<string, string>(session.Metadata),
        CreatedAt = session.CreatedAt,
        UpdatedAt = session.UpdatedAt,
        ExpiresAt = session.ExpiresAt,
    };

    public UploadSessionRecord ToRecord() =>
        new(Id, OwnerId, FolderId, FileName, MimeType, Length, Offset, Status, FileId, Metadata, CreatedAt, UpdatedAt, ExpiresAt);
}

internal sealed class OutboxMessageDocument
{
    public string Id { get; set; } = string.Empty;

    public string Queue { get; set; } = string.Empty;

    public string MessageType { get; set; } = string.Empty;

    public string Payload { get; set; } = string.Empty;

    public Dictionary<string, string> Headers { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Stored as an explicit null until sent, so that the pending index holds every unsent message under null.</summary>
    public DateTimeOffset? SentAt { get; set; }

    public string? LastError { get; set; }

    public static OutboxMessageDocument From(OutboxMessageRecord message) => new()
    {
        Id = message.Id,
        Queue = message.Queue,
        MessageType = message.MessageType,
        Payload = message.Payload,
        Headers = new Dictionary<string, string>(message.Headers),
        CreatedAt = message.CreatedAt,
        Attempts = message.Attempts,
        NextAttemptAt = message.NextAttemptAt,
        SentAt = message.SentAt,
        LastError = message.LastError,
    };

    public OutboxMessageRecord ToRecord() =>
        new(Id, Queue, MessageType, Payload, Headers, CreatedAt, Attempts, NextAttemptAt, SentAt, LastError);
}

internal sealed class JobDocument
{
    public string Id { get; set; } = string.Empty;

    public string OwnerId { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public JobStatus Status { get; set; }

    public double Progress { get; set; }

    public Dictionary<string, string> Parameters { get; set; } = [];

    public string? Result { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Stored as an explicit null when unset, so "expiresAt &lt; now" never matches a job without an expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public static JobDocument From(JobRecord job) => new()
    {
        Id = job.Id,
        OwnerId = job.OwnerId,
        Kind = job.Kind,
        Status = job.Status,
        Progress = job.Progress,
        Parameters = new Dictionary<string, string>(job.Parameters),
        Result = job.Result,
        Error = job.Error,
        CreatedAt = job.CreatedAt,
        UpdatedAt = job.UpdatedAt,
        ExpiresAt = job.ExpiresAt,
    };

    public JobRecord ToRecord() =>
        new(Id, OwnerId, Kind, Status, Progress, Parameters, Result, Error, CreatedAt, UpdatedAt, ExpiresAt);
}
