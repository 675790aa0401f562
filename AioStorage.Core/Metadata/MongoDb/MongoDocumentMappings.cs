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
            });

            BsonClassMap.TryRegisterClassMap<AuditEventDocument>(map =>
            {
                map.SetIgnoreExtraElements(true);
                map.MapIdMember(d => d.Id);
                map.MapMember(d => d.UserId).SetElementName("userId");
                map.MapMember(d => d.Action).SetElementName("action");
                map.MapMember(d => d.ResourceId).SetElementName("resourceId");
                // [{k, v}] rather than a sub-document: detail keys are free text and may hold '.' or '$'.
                map.MapMember(d => d.Details).SetElementName("details")
                    .SetSerializer(new DictionaryInterfaceImplementerSerializer<Dictionary<string, string>>(DictionaryRepresentation.ArrayOfDocuments));
                map.MapMember(d => d.IpAddress).SetElementName("ipAddress");
                map.MapMember(d => d.UserAgent).SetElementName("userAgent");
                map.MapMember(d => d.CreatedAt).SetElementName("createdAt").SetSerializer(Time);
            });

            _registered = true;
        }
    }
}
