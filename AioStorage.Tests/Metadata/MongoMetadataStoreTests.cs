using AioStorage.Core.Metadata;
using MongoDB.Bson;
using MongoDB.Driver;

namespace AioStorage.Tests.Metadata;

/// <summary>The whole contract on MongoDB, plus the stored shapes and indexes that other tools (backups, mongosh) see.</summary>
public abstract class MongoMetadataStoreContract(MongoStoreFixture fixture) : MetadataStoreContract(fixture)
{
    private readonly MongoStoreFixture _mongo = fixture;

    private IMongoDatabase Raw => _mongo.RawDatabase(_mongo.Database);

    [ContractFact]
    public async Task The_indexes_are_created_as_documented()
    {
        async Task<Dictionary<string, BsonDocument>> IndexesAsync(string collection) =>
            (await (await Raw.GetCollection<BsonDocument>(collection).Indexes.ListAsync(Ct)).ToListAsync(Ct)).ToDictionary(i => i["name"].AsString);

        var users = await IndexesAsync("users");
        Assert.Equal(["_id_", "ux_users_emailKey", "ux_users_usernameKey"], users.Keys.Order(StringComparer.Ordinal));
        Assert.True(users["ux_users_emailKey"]["unique"].ToBoolean());
        Assert.True(users["ux_users_usernameKey"]["unique"].ToBoolean());

        var nodes = await IndexesAsync("nodes");
        Assert.Equal(
            ["_id_", "ix_nodes_owner_deleted", "ix_nodes_owner_parent", "ix_nodes_owner_trash", "ix_nodes_owner_trashed_deleted",
             "ix_nodes_trashed_deleted", "ux_nodes_live_name"],
            nodes.Keys.Order(StringComparer.Ordinal));
        var liveName = nodes["ux_nodes_live_name"];
        Assert.True(liveName["unique"].ToBoolean());
        Assert.Equal(["ownerId", "parentId", "nameKey"], liveName["key"].AsBsonDocument.Names);
        Assert.Equal(new BsonDocument("trashed", false), liveName["partialFilterExpression"]);
        Assert.Equal(["ownerId", "trashed", "deletedAt", "_id"], nodes["ix_nodes_owner_trashed_deleted"]["key"].AsBsonDocument.Names);
        Assert.Equal(["deletedAt", "_id"], nodes["ix_nodes_trashed_deleted"]["key"].AsBsonDocument.Names);
        Assert.Equal(new BsonDocument("trashed", true), nodes["ix_nodes_trashed_deleted"]["partialFilterExpression"]);

        var versions = await IndexesAsync("fileVersions");
        Assert.Equal(["_id_", "ix_fileVersions_owner_file_created"], versions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ownerId", "fileId", "createdAt", "_id"], versions["ix_fileVersions_owner_file_created"]["key"].AsBsonDocument.Names);
        var blobs = await IndexesAsync("blobs");
        Assert.Equal(["_id_", "ix_blobs_references_orphaned"], blobs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["references", "orphanedAt"], blobs["ix_blobs_references_orphaned"]["key"].AsBsonDocument.Names);
        var uploads = await IndexesAsync("uploadSessions");
        Assert.Equal(["_id_", "ix_uploadSessions_status_expires", "ix_uploadSessions_status_updated"], uploads.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["status", "expiresAt"], uploads["ix_uploadSessions_status_expires"]["key"].AsBsonDocument.Names);
        Assert.Equal(["status", "updatedAt"], uploads["ix_uploadSessions_status_updated"]["key"].AsBsonDocument.Names);
        var outbox = await IndexesAsync("outbox");
        Assert.Equal(["_id_", "ix_outbox_sent_created_next"], outbox.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["sentAt", "createdAt", "_id", "nextAttemptAt"], outbox["ix_outbox_sent_created_next"]["key"].AsBsonDocument.Names);

        Assert.Contains("ix_auditEvents_user_created", (await IndexesAsync("auditEvents")).Keys);
        Assert.Equal(["_id_", "ix_shares_grantee", "ix_shares_node", "ix_shares_owner"], (await IndexesAsync("shares")).Keys.Order(StringComparer.Ordinal));
        var links = await IndexesAsync("links");
        Assert.True(links["ux_links_tokenHash"]["unique"].ToBoolean());
    }

    [ContractFact]
    public async Task Documents_are_stored_in_the_documented_shape()
    {
        var user = await CreatedAsync(NewUser(quota: 10L << 30, used: 5));
        var folder = await CreatedAsync(NewFolder(user.Id, null, "Vidéos"));
        var file = await CreatedAsync(NewFile(user.Id, folder.Id, "clip.mp4", 3_000_000_000) with
        {
            Status = FileStatus.Ready,
            Media = new MediaInfo("video/mp4", 640, 360, 1.5, "h264", null, null),
        });
        await Audit.AppendAsync(new(NewId(), user.Id, "auth.login", null, new Dictionary<string, string> { ["a.b"] = "c" }, null, null, T(1)), Ct);

        var storedUser = await RawAsync("users", user.Id);
        Assert.Equal(NodeNames.Key(user.Email), storedUser["emailKey"].AsString);
        Assert.Equal(NodeNames.Key(user.Username), storedUser["usernameKey"].AsString);
        Assert.Equal(10L << 30, storedUser["storageQuota"].ToInt64());
        Assert.Equal(BsonType.DateTime, storedUser["createdAt"].BsonType);
        Assert.Equal(T0.UtcDateTime, storedUser["createdAt"].ToUniversalTime());

        var storedFolder = await RawAsync("nodes", folder.Id);
        Assert.Equal("Folder", storedFolder["type"].AsString);
        Assert.Equal("VIDÉOS", storedFolder["nameKey"].AsString);
        Assert.False(storedFolder["trashed"].AsBoolean);
        Assert.Equal(BsonNull.Value, storedFolder["parentId"]);
        Assert.Equal(BsonNull.Value, storedFolder["deletedAt"]);
        Assert.False(storedFolder.Contains("size"));
        Assert.False(storedFolder.Contains("media"));

        var storedFile = await RawAsync("nodes", file.Id);
        Assert.Equal("File", storedFile["type"].AsString);
        Assert.Equal("Ready", storedFile["status"].AsString);
        Assert.Equal(3_000_000_000, storedFile["size"].ToInt64());
        Assert.Equal(640, storedFile["media"]["width"].ToInt32());

        await Nodes.TrashAsync(user.Id, folder.Id, T(2), Ct);
        var trashedFile = await RawAsync("nodes", file.Id);
        Assert.True(trashedFile["trashed"].AsBoolean);
        Assert.Equal(T(2).UtcDateTime, trashedFile["deletedAt"].ToUniversalTime());
        Assert.Equal(folder.Id, trashedFile["trashId"].AsString);

        var storedEvent = (await Raw.GetCollection<BsonDocument>("auditEvents").Find(new BsonDocument("userId", user.Id)).SingleAsync(Ct));
        Assert.Equal(new BsonArray { new BsonDocument { { "k", "a.b" }, { "v", "c" } } }, storedEvent["details"]);
    }

    [ContractFact]
    public async Task Transfer_records_are_stored_in_the_documented_shape()
    {
        var owner = NewId();
        var sha = new string('d', 64);
        var version = new FileVersionRecord(NewId(), NewId(), owner, sha, 3_000_000_000, "video/mp4", T(1));
        await Versions.AddAsync(version, Ct);
        var blob = $"{NewId()}{NewId()}";
        await Blobs.AddReferenceAsync(blob, 3_000_000_000, T(1), Ct);
        var upload = new UploadSessionRecord(NewId(), owner, null, "movie.mkv", null, 5_000_000_000, 0, UploadStatus.Active, null,
            new Dictionary<string, string> { ["file.name"] = "movie.mkv", ["$type"] = "video" }, T(1), T(1), T(2));
        await Uploads.CreateAsync(upload, Ct);
        var message = new OutboxMessageRecord(NewId(), "file.upload", "FileUploaded", "{}", new Dictionary<string, string> { ["a.b"] = "c" },
            T(1), 0, T(1), null, null);
        await Outbox.AddAsync(message, Ct);

        var storedVersion = await RawAsync("fileVersions", version.Id);
        Assert.Equal(["_id", "fileId", "ownerId", "sha256", "size", "mimeType", "createdAt"], storedVersion.Names);
        Assert.Equal(BsonType.Int64, storedVersion["size"].BsonType);
        Assert.Equal(BsonType.DateTime, storedVersion["createdAt"].BsonType);

        var storedBlob = await RawAsync("blobs", blob);
        Assert.Equal(["_id", "orphanedAt", "references", "size", "updatedAt"], storedBlob.Names.Order(StringComparer.Ordinal));
        Assert.Equal(1, storedBlob["references"].ToInt64());
        Assert.Equal(3_000_000_000, storedBlob["size"].ToInt64());
        Assert.Equal(BsonNull.Value, storedBlob["orphanedAt"]);
        await Blobs.ReleaseReferenceAsync(blob, T(3), Ct);
        storedBlob = await RawAsync("blobs", blob);
        Assert.Equal(0, storedBlob["references"].ToInt64());
        Assert.Equal(T(3).UtcDateTime, storedBlob["orphanedAt"].ToUniversalTime());

        var storedUpload = await RawAsync("uploadSessions", upload.Id);
        Assert.Equal("Active", storedUpload["status"].AsString);
        Assert.Equal(5_000_000_000, storedUpload["length"].ToInt64());
        Assert.Equal(0, storedUpload["offset"].ToInt64());
        Assert.Equal(BsonNull.Value, storedUpload["folderId"]);
        Assert.Equal(
            new BsonArray { new BsonDocument { { "k", "file.name" }, { "v", "movie.mkv" } }, new BsonDocument { { "k", "$type" }, { "v", "video" } } },
            storedUpload["metadata"]);

        var storedMessage = await RawAsync("outbox", message.Id);
        Assert.Equal(BsonNull.Value, storedMessage["sentAt"]);
        Assert.Equal(0, storedMessage["attempts"].ToInt32());
        Assert.Equal(new BsonArray { new BsonDocument { { "k", "a.b" }, { "v", "c" } } }, storedMessage["headers"]);
        Assert.Equal(BsonType.DateTime, storedMessage["nextAttemptAt"].BsonType);
    }

    private async Task<BsonDocument> RawAsync(string collection, string id) =>
        await Raw.GetCollection<BsonDocument>(collection).Find(new BsonDocument("_id", id)).SingleAsync(Ct);
}

/// <summary>Every run: the MongoDB store against the wire-protocol emulator of tests/mongo-emulator.</summary>
public sealed class MongoEmulatorMetadataStoreTests(MongoEmulatorStoreFixture fixture)
    : MongoMetadataStoreContract(fixture), IClassFixture<MongoEmulatorStoreFixture>;

/// <summary>
/// The same suite against a real mongod, whenever <c>AIO_TEST_MONGODB_URI</c> is set (for instance
/// <c>docker run -d -p 27017:27017 mongo:8.0</c> and <c>AIO_TEST_MONGODB_URI=mongodb://127.0.0.1:27017</c>). Without it
/// this class has no tests at all rather than skipped or passing ones (see <see cref="RequiresEnvironmentVariableAttribute"/>).
/// </summary>
[RequiresEnvironmentVariable(RealMongoStoreFixture.Variable)]
public sealed class RealMongoMetadataStoreTests(RealMongoStoreFixture fixture)
    : MongoMetadataStoreContract(fixture), IClassFixture<RealMongoStoreFixture>;
