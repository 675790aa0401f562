namespace AioStorage.Core.Messaging.Contracts;

/// <summary>
/// Published (through the outbox) to <see cref="QueueNames.FileUpload"/> after every committed upload: the worker
/// verifies the content, detects its type, reads its media metadata and makes previews. <see cref="Sha256"/> names the
/// content that was uploaded, so a result for content that has since been replaced is recognised and dropped.
/// </summary>
public sealed record FileUploaded(string FileId, string OwnerId, string Sha256, long Size, string MimeType, string VersionId, DateTimeOffset UploadedAt);
