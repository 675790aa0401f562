using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Options;
using MongoDB.Bson.Serialization.Serializers;

namespace AioStorage.Core.Metadata.MongoDb;

/// <summary>
/// Every stored element spelled out, with no convention or driver default deciding a name or a representation:
/// times as BSON dates in UTC (millisecond precision), enums as their names, ids as the caller's opaque strings.
/// Unknown elements are ignored so that an older replica keeps reading documents a newer one has extended.
/// </summary>
internal static class MongoDocumentMappings
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    private static readonly IBsonSerializer<DateTimeOffset> Time = new DateTimeOffsetSerializer(BsonType.DateTime);
    private static readonly IBsonSerializer<DateTimeOffset?> OptionalTime = new NullableSerializer<DateTimeOffset>(Time);
    private static readonly IBsonSerializer<long> Int64 = new Int64Serializer(BsonType.Int64);

    /// <summary>[{k, v}] rather than a sub-document: the keys (audit details, upload metadata, message headers) are free text and may hold '.' or '$'.</summary>
    private static readonly IBsonSerializer<Dictionary<string, string>> FreeTextKeys =
        new DictionaryInterfaceImplementerSerializer<Dictionary<string, string>>(DictionaryRepresentation.ArrayOfDocuments);

    /// <summary>Class maps are process-wide in the driver: register them once, before the first collection is used.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            // No document holds a Guid today; should one, it is stored as the standard UUID subtype rather than
            // failing for want of a representation (the driver's default) or guessing a legacy byte order.
            BsonSerializer.TryRegisterSerializer(new GuidSerializer(GuidRepresentation.Standard));

            BsonClassMap.TryRegisterClassMap<UserDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.Username).SetElementName("username");
                map.MapMember(d => d.UsernameKey).SetElementName("usernameKey");
                map.MapMember(d => d.Email).SetElementName("email");
                map.MapMember(d => d.EmailKey).SetElementName("emailKey");
                map.MapMember(d => d.PasswordHash).SetElementName("passwordHash");
                map.MapMember(d => d.StorageUsed).SetElementName("storageUsed").SetSerializer(new Int64Serializer(BsonType.Int64));
                map.MapMember(d => d.StorageQuota).SetElementName("storageQuota").SetSerializer(new Int64Serializer(BsonType.Int64));
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
                map.MapMember(d => d.UpdatedAt).SetElementName("updatedAt").SetSerializer(Time);
            });

            BsonClassMap.TryRegisterClassMap<NodeDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.OwnerId).SetElementName("ownerId");
                // Stored as an explicit null at the root: the live-name index then holds root names under null.
                map.MapMember(d => d.ParentId).SetElementName("parentId");
                map.MapMember(d => d.Type).SetElementName("type").SetSerializer(new EnumSerializer<NodeType>(BsonType.String));
                map.MapMember(d => d.Name).SetElementName("name");
                map.MapMember(d => d.NameKey).SetElementName("nameKey");
                map.MapMember(d => d.Trashed).SetElementName("trashed");
                map.MapMember(d => d.DeletedAt).SetElementName("deletedAt").SetSerializer(OptionalTime);
                map.MapMember(d => d.TrashId).SetElementName("trashId");
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
                map.MapMember(d => d.UpdatedAt).SetElementName("updatedAt").SetSerializer(Time);
                // File-only elements are left out of folder documents.
                map.MapMember(d => d.Size).SetElementName("size").SetIgnoreIfNull(true)
                    .SetSerializer(new NullableSerializer<long>(new Int64Serializer(BsonType.Int64)));
                map.MapMember(d => d.MimeType).SetElementName("mimeType").SetIgnoreIfNull(true);
                map.MapMember(d => d.Sha256).SetElementName("sha256").SetIgnoreIfNull(true);
                map.MapMember(d => d.Status).SetElementName("status").SetIgnoreIfNull(true)
                    .SetSerializer(new NullableSerializer<FileStatus>(new EnumSerializer<FileStatus>(BsonType.String)));
                map.MapMember(d => d.StatusReason).SetElementName("statusReason").SetIgnoreIfNull(true);
                map.MapMember(d => d.CurrentVersionId).SetElementName("currentVersionId").SetIgnoreIfNull(true);
                map.MapMember(d => d.Media).SetElementName("media").SetIgnoreIfNull(true);
            });

            BsonClassMap.TryRegisterClassMap<MediaDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapMember(d => d.DetectedMimeType).SetElementName("detectedMimeType");
                map.MapMember(d => d.Width).SetElementName("width");
                map.MapMember(d => d.Height).SetElementName("height");
                map.MapMember(d => d.DurationSeconds).SetElementName("durationSeconds");
                map.MapMember(d => d.VideoCodec).SetElementName("videoCodec");
                map.MapMember(d => d.AudioCodec).SetElementName("audioCodec");
                map.MapMember(d => d.Rotation).SetElementName("rotation");
                map.MapMember(d => d.HasThumbnails).SetElementName("hasThumbnails");
                map.MapMember(d => d.HasPoster).SetElementName("hasPoster");
                map.MapMember(d => d.HasStream).SetElementName("hasStream");
                map.MapMember(d => d.HasMp4).SetElementName("hasMp4");
            });

            BsonClassMap.TryRegisterClassMap<AuditEventDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.UserId).SetElementName("userId");
                map.MapMember(d => d.Action).SetElementName("action");
                map.MapMember(d => d.ResourceId).SetElementName("resourceId");
                map.MapMember(d => d.Details).SetElementName("details").SetSerializer(FreeTextKeys);
                map.MapMember(d => d.IpAddress).SetElementName("ipAddress");
                map.MapMember(d => d.UserAgent).SetElementName("userAgent");
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
            });

            BsonClassMap.TryRegisterClassMap<FileVersionDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.FileId).SetElementName("fileId");
                map.MapMember(d => d.OwnerId).SetElementName("ownerId");
                map.MapMember(d => d.Sha256).SetElementName("sha256");
                map.MapMember(d => d.Size).SetElementName("size").SetSerializer(Int64);
                map.MapMember(d => d.MimeType).SetElementName("mimeType");
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
            });

            BsonClassMap.TryRegisterClassMap<BlobDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.Size).SetElementName("size").SetSerializer(Int64);
                map.MapMember(d => d.References).SetElementName("references").SetSerializer(Int64);
                // An explicit null while referenced: "orphanedAt < cutoff" then never matches a referenced blob.
                map.MapMember(d => d.OrphanedAt).SetElementName("orphanedAt").SetSerializer(OptionalTime);
                map.MapMember(d => d.UpdatedAt).SetElementName("updatedAt").SetSerializer(Time);
            });

            BsonClassMap.TryRegisterClassMap<UploadSessionDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.OwnerId).SetElementName("ownerId");
                map.MapMember(d => d.FolderId).SetElementName("folderId");
                map.MapMember(d => d.FileName).SetElementName("fileName");
                map.MapMember(d => d.MimeType).SetElementName("mimeType");
                map.MapMember(d => d.Length).SetElementName("length").SetSerializer(Int64);
                map.MapMember(d => d.Offset).SetElementName("offset").SetSerializer(Int64);
                map.MapMember(d => d.Status).SetElementName("status").SetSerializer(new EnumSerializer<UploadStatus>(BsonType.String));
                map.MapMember(d => d.FileId).SetElementName("fileId");
                map.MapMember(d => d.Metadata).SetElementName("metadata").SetSerializer(FreeTextKeys);
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
                map.MapMember(d => d.UpdatedAt).SetElementName("updatedAt").SetSerializer(Time);
                map.MapMember(d => d.ExpiresAt).SetElementName("expiresAt").SetSerializer(Time);
            });

            BsonClassMap.TryRegisterClassMap<OutboxMessageDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.Queue).SetElementName("queue");
                map.MapMember(d => d.MessageType).SetElementName("messageType");
                map.MapMember(d => d.Payload).SetElementName("payload");
                map.MapMember(d => d.Headers).SetElementName("headers").SetSerializer(FreeTextKeys);
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
                map.MapMember(d => d.Attempts).SetElementName("attempts");
                map.MapMember(d => d.NextAttemptAt).SetElementName("nextAttemptAt").SetSerializer(Time);
                map.MapMember(d => d.SentAt).SetElementName("sentAt").SetSerializer(OptionalTime);
                map.MapMember(d => d.LastError).SetElementName("lastError");
            });

            BsonClassMap.TryRegisterClassMap<JobDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.OwnerId).SetElementName("ownerId");
                map.MapMember(d => d.Kind).SetElementName("kind");
                map.MapMember(d => d.Status).SetElementName("status").SetSerializer(new EnumSerializer<JobStatus>(BsonType.String));
                map.MapMember(d => d.Progress).SetElementName("progress").SetSerializer(new DoubleSerializer(BsonType.Double));
                map.MapMember(d => d.Parameters).SetElementName("parameters").SetSerializer(FreeTextKeys);
                map.MapMember(d => d.Result).SetElementName("result");
                map.MapMember(d => d.Error).SetElementName("error");
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
                map.MapMember(d => d.UpdatedAt).SetElementName("updatedAt").SetSerializer(Time);
                map.MapMember(d => d.ExpiresAt).SetElementName("expiresAt").SetSerializer(OptionalTime);
            });

            _registered = true;
        }
    }
}
