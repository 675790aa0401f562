using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

/// <summary>The metadata collections of one database, typed with the stored document shapes.</summary>
internal sealed class MongoMetadataCollections
{
    public const string UsersName = "users";
    public const string NodesName = "nodes";
    public const string AuditEventsName = "auditEvents";
    public const string SharesName = "shares";
    public const string LinksName = "links";
    public const string FileVersionsName = "fileVersions";
    public const string BlobsName = "blobs";
    public const string UploadSessionsName = "uploadSessions";
    public const string OutboxName = "outbox";
    public const string JobsName = "jobs";

    public MongoMetadataCollections(IMongoDatabase database)
    {
        MongoDocumentMappings.Register();
        Database = database;
        Users = database.GetCollection<UserDocument>(UsersName);
        Nodes = database.GetCollection<NodeDocument>(NodesName);
        AuditEvents = database.GetCollection<AuditEventDocument>(AuditEventsName);
        FileVersions = database.GetCollection<FileVersionDocument>(FileVersionsName);
        Blobs = database.GetCollection<BlobDocument>(BlobsName);
        UploadSessions = database.GetCollection<UploadSessionDocument>(UploadSessionsName);
        Outbox = database.GetCollection<OutboxMessageDocument>(OutboxName);
        Jobs = database.GetCollection<JobDocument>(JobsName);
    }

    public IMongoDatabase Database { get; }

    public IMongoCollection<UserDocument> Users { get; }

    public IMongoCollection<NodeDocument> Nodes { get; }

    public IMongoCollection<AuditEventDocument> AuditEvents { get; }

    public IMongoCollection<FileVersionDocument> FileVersions { get; }

    public IMongoCollection<BlobDocument> Blobs { get; }

    public IMongoCollection<UploadSessionDocument> UploadSessions { get; }

    public IMongoCollection<OutboxMessageDocument> Outbox { get; }

    public IMongoCollection<JobDocument> Jobs { get; }

    /// <summary>
    /// A unique index refused the write (E11000). Which index is not read from the message: mongod names it there but
    /// other servers and the emulator do not, so callers look the clash up instead.
    /// </summary>
    public static bool IsDuplicateKey(MongoException exception) => exception switch
    {
        MongoWriteException write => write.WriteError?.Category == ServerErrorCategory.DuplicateKey,
        MongoCommandException command => command.Code == 11000,
        _ => false,
    };
}
