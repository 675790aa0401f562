using MongoDB.Bson;
using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

/// <summary>
/// Creates the indexes every store method relies on. createIndexes with an identical definition is a no-op, so the
/// api and every worker run this at start-up, at once if they like. Changing an index means a new name: mongod
/// refuses a different definition under an existing name, which stops start-up rather than silently keeping the old one.
/// </summary>
internal sealed class MongoMetadataStoreInitializer(MongoMetadataCollections collections) : IMetadataStoreInitializer
{
    private const int NamespaceExists = 48;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        foreach (var name in new[]
        {
            MongoMetadataCollections.UsersName, MongoMetadataCollections.NodesName, MongoMetadataCollections.AuditEventsName,
            MongoMetadataCollections.SharesName, MongoMetadataCollections.LinksName, MongoMetadataCollections.FileVersionsName,
            MongoMetadataCollections.BlobsName, MongoMetadataCollections.UploadSessionsName, MongoMetadataCollections.OutboxName,
            MongoMetadataCollections.JobsName,
        })
        {
            await EnsureCollectionAsync(name, cancellationToken);
        }

        var users = Builders<UserDocument>.IndexKeys;
        await collections.Users.Indexes.CreateManyAsync(
        [
            Unique(users.Ascending(u => u.EmailKey), "ux_users_emailKey"),
            Unique(users.Ascending(u => u.UsernameKey), "ux_users_usernameKey"),
        ], cancellationToken);

        var nodes = Builders<NodeDocument>.IndexKeys;
        await collections.Nodes.Indexes.CreateManyAsync(
        [
            // Names are unique among the live children of a folder; a trashed node gives its name up.
            new CreateIndexModel<NodeDocument>(
                nodes.Ascending(n => n.OwnerId).Ascending(n => n.ParentId).Ascending(n => n.NameKey),
                new CreateIndexOptions<NodeDocument>
                {
                    Name = "ux_nodes_live_name",
                    Unique = true,
                    PartialFilterExpression = Builders<NodeDocument>.Filter.Eq(n => n.Trashed, false),
                }),
            // The trash walk reads the children of a folder whatever their state.
            new CreateIndexModel<NodeDocument>(
                nodes.Ascending(n => n.OwnerId).Ascending(n => n.ParentId),
                new CreateIndexOptions { Name = "ix_nodes_owner_parent" }),
            new CreateIndexModel<NodeDocument>(
                nodes.Ascending(n => n.OwnerId).Ascending(n => n.DeletedAt),
                new CreateIndexOptions { Name = "ix_nodes_owner_deleted" }),
            // Restore and purge act on a whole trash group.
            new CreateIndexModel<NodeDocument>(
                nodes.Ascending(n => n.OwnerId).Ascending(n => n.TrashId),
                new CreateIndexOptions<NodeDocument>
                {
                    Name = "ix_nodes_owner_trash",
                    PartialFilterExpression = Builders<NodeDocument>.Filter.Eq(n => n.Trashed, true),
                }),
            // The trash listing: an owner's trashed nodes newest first (the roots among them are picked by $expr).
            new CreateIndexModel<NodeDocument>(
                nodes.Ascending(n => n.OwnerId).Ascending(n => n.Trashed).Descending(n => n.DeletedAt).Descending(n => n.Id),
                new CreateIndexOptions { Name = "ix_nodes_owner_trashed_deleted" }),
            // Retention: trashed nodes of every owner, oldest first.
            new CreateIndexModel<NodeDocument>(
                nodes.Ascending(n => n.DeletedAt).Ascending(n => n.Id),
                new CreateIndexOptions<NodeDocument>
                {
                    Name = "ix_nodes_trashed_deleted",
                    PartialFilterExpression = Builders<NodeDocument>.Filter.Eq(n => n.Trashed, true),
                }),
        ], cancellationToken);

        await collections.AuditEvents.Indexes.CreateOneAsync(
            new CreateIndexModel<AuditEventDocument>(
                Builders<AuditEventDocument>.IndexKeys.Ascending(e => e.UserId).Descending(e => e.CreatedAt).Descending(e => e.Id),
                new CreateIndexOptions { Name = "ix_auditEvents_user_created" }),
            cancellationToken: cancellationToken);

        await collections.FileVersions.Indexes.CreateOneAsync(
            new CreateIndexModel<FileVersionDocument>(
                Builders<FileVersionDocument>.IndexKeys.Ascending(v => v.OwnerId).Ascending(v => v.FileId).Descending(v => v.CreatedAt).Descending(v => v.Id),
                new CreateIndexOptions { Name = "ix_fileVersions_owner_file_created" }),
            cancellationToken: cancellationToken);

        // The collector's look-up of orphans; the _id (the SHA-256) serves every other access.
        await collections.Blobs.Indexes.CreateOneAsync(
            new CreateIndexModel<BlobDocument>(
                Builders<BlobDocument>.IndexKeys.Ascending(b => b.References).Ascending(b => b.OrphanedAt),
                new CreateIndexOptions { Name = "ix_blobs_references_orphaned" }),
            cancellationToken: cancellationToken);

        var uploads = Builders<UploadSessionDocument>.IndexKeys;
        await collections.UploadSessions.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<UploadSessionDocument>(
                uploads.Ascending(u => u.Status).Ascending(u => u.ExpiresAt),
                new CreateIndexOptions { Name = "ix_uploadSessions_status_expires" }),
            new CreateIndexModel<UploadSessionDocument>(
                uploads.Ascending(u => u.Status).Ascending(u => u.UpdatedAt),
                new CreateIndexOptions { Name = "ix_uploadSessions_status_updated" }),
        ], cancellationToken);

        // Claims walk the unsent messages (sentAt null) oldest first and read nextAttemptAt from the index keys, so a
        // backlog that is not due yet costs a key scan rather than a sort of whole messages; sentAt first also serves
        // the pending count and the clean-up of sent messages.
        await collections.Outbox.Indexes.CreateOneAsync(
            new CreateIndexModel<OutboxMessageDocument>(
                Builders<OutboxMessageDocument>.IndexKeys.Ascending(m => m.SentAt).Ascending(m => m.CreatedAt).Ascending(m => m.Id).Ascending(m => m.NextAttemptAt),
                new CreateIndexOptions { Name = "ix_outbox_sent_created_next" }),
            cancellationToken: cancellationToken);

        // The expiry cleaner: a kind's jobs in the statuses it looks for, by expiry. A job is read by its _id otherwise.
        await collections.Jobs.Indexes.CreateOneAsync(
            new CreateIndexModel<JobDocument>(
                Builders<JobDocument>.IndexKeys.Ascending(j => j.Kind).Ascending(j => j.Status).Ascending(j => j.ExpiresAt),
                new CreateIndexOptions { Name = "ix_jobs_kind_status_expires" }),
            cancellationToken: cancellationToken);

        // Shares and public links have no store yet; their look-ups are indexed now so that the documents they will
        // hold (element names as in the records, camelCase) are indexed from the first one on.
        var shares = collections.Database.GetCollection<BsonDocument>(MongoMetadataCollections.SharesName);
        await shares.Indexes.CreateManyAsync(
        [
            Plain(new BsonDocument { { "ownerId", 1 }, { "createdAt", -1 } }, "ix_shares_owner"),
            Plain(new BsonDocument { { "granteeId", 1 }, { "createdAt", -1 } }, "ix_shares_grantee"),
            Plain(new BsonDocument("nodeId", 1), "ix_shares_node"),
        ], cancellationToken);

        var links = collections.Database.GetCollection<BsonDocument>(MongoMetadataCollections.LinksName);
        await links.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(new BsonDocument("tokenHash", 1), new CreateIndexOptions { Name = "ux_links_tokenHash", Unique = true }),
            Plain(new BsonDocument { { "ownerId", 1 }, { "createdAt", -1 } }, "ix_links_owner"),
            Plain(new BsonDocument("nodeId", 1), "ix_links_node"),
        ], cancellationToken);
    }

    /// <summary>
    /// Creates the collection up front rather than leaving it to the first createIndexes: processes starting together
    /// would otherwise race to create it implicitly. Whoever loses that race finds it there, which is all it needs.
    /// </summary>
    private async Task EnsureCollectionAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await collections.Database.CreateCollectionAsync(name, cancellationToken: cancellationToken);
        }
        catch (MongoCommandException ex) when (ex.Code == NamespaceExists)
        {
        }
    }

    private static CreateIndexModel<UserDocument> Unique(IndexKeysDefinition<UserDocument> keys, string name) =>
        new(keys, new CreateIndexOptions { Name = name, Unique = true });

    private static CreateIndexModel<BsonDocument> Plain(BsonDocument keys, string name) =>
        new(keys, new CreateIndexOptions { Name = name });
}
