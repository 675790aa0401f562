using System.Text.RegularExpressions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoNodeStore(MongoMetadataCollections collections) : INodeStore
{
    /// <summary>How many ids one <c>$in</c> carries, to stay far below the 16 MB command limit whatever the tree's size.</summary>
    internal const int BatchSize = 500;

    private static readonly FilterDefinitionBuilder<NodeDocument> Filter = Builders<NodeDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<NodeDocument> Update = Builders<NodeDocument>.Update;
    private static readonly SortDefinitionBuilder<NodeDocument> Sort = Builders<NodeDocument>.Sort;

    /// <summary>A trash root is the node whose trashId is its own id, which only $expr can compare.</summary>
    private static readonly FilterDefinition<NodeDocument> IsTrashRoot =
        new BsonDocumentFilterDefinition<NodeDocument>(new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { "$trashId", "$_id" })));

    private IMongoCollection<NodeDocument> Nodes => collections.Nodes;

    public async Task CreateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        try
        {
            await Nodes.InsertOneAsync(NodeDocument.From(node), cancellationToken: cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw await Nodes.CountDocumentsAsync(Filter.Eq(n => n.Id, node.Id), cancellationToken: cancellationToken) > 0
                ? new MetadataConflictException("id", "A record with this id already exists.")
                : NameTaken();
        }
    }

    public async Task<NodeRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        (await Nodes.Find(Filter.Eq(n => n.Id, id) & Filter.Eq(n => n.OwnerId, ownerId)).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    public async Task<NodeRecord?> FindChildByNameAsync(string ownerId, string? parentId, string name, CancellationToken cancellationToken) =>
        (await Nodes.Find(LiveChildren(ownerId, parentId) & Filter.Eq(n => n.NameKey, NodeNames.Key(name)))
            .FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    public async Task<Page<NodeRecord>> ListChildrenAsync(string ownerId, string? parentId, NodeListQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var filter = LiveChildren(ownerId, parentId);
        if (query.Type is { } type)
        {
            filter &= Filter.Eq(n => n.Type, type);
        }

        var total = await Nodes.CountDocumentsAsync(filter, cancellationToken: cancellationToken);
        // Limit 0 means "no limit" to MongoDB, not an empty page.
        if (query.Limit == 0)
        {
            return new Page<NodeRecord>([], total);
        }

        var documents = await Nodes.Find(filter)
            .Sort(ListingOrder(query))
            .Skip(query.Skip)
            .Limit(query.Limit)
            .ToListAsync(cancellationToken);
        return new Page<NodeRecord>([.. documents.Select(d => d.ToRecord())], total);
    }

    /// <summary>
    /// One round trip: $graphLookup follows parentId upwards from the folder within the owner's nodes. It returns the
    /// ancestors unordered, so the chain is rebuilt from the parent links; a cycle in damaged data ends it.
    /// </summary>
    public async Task<IReadOnlyList<FolderRecord>> GetAncestorsAsync(string ownerId, string folderId, CancellationToken cancellationToken)
    {
        BsonDocument[] stages =
        [
            new("$match", new BsonDocument { { "_id", folderId }, { "ownerId", ownerId } }),
            new("$graphLookup", new BsonDocument
            {
                { "from", MongoMetadataCollections.NodesName },
                { "startWith", "$parentId" },
                { "connectFromField", "parentId" },
                { "connectToField", "_id" },
                { "as", "ancestors" },
                { "restrictSearchWithMatch", new BsonDocument("ownerId", ownerId) },
            }),
        ];
        var result = await Nodes.Aggregate(PipelineDefinition<NodeDocument, BsonDocument>.Create(stages), cancellationToken: cancellationToken)
            .FirstOrDefaultAsync(cancellationToken);
        if (result is null)
        {
            return [];
        }

        var byId = result["ancestors"].AsBsonArray
            .Select(a => BsonSerializer.Deserialize<NodeDocument>(a.AsBsonDocument))
            .ToDictionary(d => d.Id);
        var chain = new List<FolderRecord>();
        var next = result.GetValue("parentId", BsonNull.Value) is { IsString: true } parent ? parent.AsString : null;
        while (next is not null && byId.Remove(next, out var ancestor) && ancestor.ToRecord() is FolderRecord folder)
        {
            chain.Add(folder);
            next = ancestor.ParentId;
        }

        chain.Reverse();
        return chain;
    }

    public async Task<NodeRecord?> RenameOrMoveAsync(string ownerId, string id, string name, string? parentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            var updated = await Nodes.FindOneAndUpdateAsync(
                Filter.Eq(n => n.Id, id) & Filter.Eq(n => n.OwnerId, ownerId) & Filter.Eq(n => n.Trashed, false),
                Update.Set(n => n.Name, name).Set(n => n.NameKey, NodeNames.Key(name)).Set(n => n.ParentId, parentId).Set(n => n.UpdatedAt, at),
                new FindOneAndUpdateOptions<NodeDocument> { ReturnDocument = ReturnDocument.After },
                cancellationToken);
            return updated?.ToRecord();
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw NameTaken();
        }
    }

    /// <summary>
    /// A standalone mongod has no multi-document transactions, so the trash is a sequence of single-document-atomic
    /// steps, ordered so that every prefix of it is a consistent state and a repeat completes it:
    /// <list type="number">
    /// <item>Mark the node itself (trashId = its id). From here on it is out of its folder's listing, its name is free,
    /// and the node records which trash group a repeat must finish.</item>
    /// <item>Walk the subtree breadth-first, descending into live nodes and into nodes already in this group (marked by
    /// an earlier, interrupted run), never into nodes trashed on their own before (their group stays theirs).</item>
    /// <item>Mark the collected descendants in batches, only where still live, so marks from an earlier run keep
    /// their time and nothing that a user trashed separately is pulled into this group.</item>
    /// </list>
    /// A crash between steps leaves live nodes under a trashed folder: unreachable from any listing, holding names
    /// only inside that trashed folder. Calling this again with the same id, or a sweep that finds live nodes whose
    /// parent is trashed and repeats the call for the parent's trashId, repairs it. The same repair covers a node
    /// created in a folder of the subtree while the walk runs.
    /// </summary>
    public async Task<IReadOnlyList<NodeRecord>> TrashAsync(string ownerId, string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var owned = Filter.Eq(n => n.OwnerId, ownerId);
        var mark = MarkTrashed(id, at);

        var root = await Nodes.FindOneAndUpdateAsync(
            Filter.Eq(n => n.Id, id) & owned & Filter.Eq(n => n.Trashed, false),
            mark,
            new FindOneAndUpdateOptions<NodeDocument> { ReturnDocument = ReturnDocument.After },
            cancellationToken);
        if (root is null)
        {
            root = await Nodes.Find(Filter.Eq(n => n.Id, id) & owned).FirstOrDefaultAsync(cancellationToken);
            // Missing, someone else's, or in the trash as part of another node: nothing of this call's to do.
            if (root is null || root.TrashId != id)
            {
                return [];
            }
        }

        await MarkDescendantsAsync(ownerId, root, mark, cancellationToken);
        var group = await Nodes.Find(owned & Filter.Eq(n => n.TrashId, id)).Sort(Sort.Ascending(n => n.Id)).ToListAsync(cancellationToken);
        return [.. group.Select(d => d.ToRecord())];
    }

    public async Task<Page<NodeRecord>> ListTrashAsync(string ownerId, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var filter = Filter.Eq(n => n.OwnerId, ownerId) & Filter.Eq(n => n.Trashed, true) & IsTrashRoot;
        var total = await Nodes.CountDocumentsAsync(filter, cancellationToken: cancellationToken);
        // Limit 0 means "no limit" to MongoDB, not an empty page.
        if (limit == 0)
        {
            return new Page<NodeRecord>([], total);
        }

        var documents = await Nodes.Find(filter)
            .Sort(Sort.Descending(n => n.DeletedAt).Descending(n => n.Id))
            .Skip(skip)
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return new Page<NodeRecord>([.. documents.Select(d => d.ToRecord())], total);
    }

    public async Task<IReadOnlyList<NodeRecord>> GetTrashGroupAsync(string ownerId, string trashId, CancellationToken cancellationToken)
    {
        var group = await Nodes.Find(Filter.Eq(n => n.OwnerId, ownerId) & Filter.Eq(n => n.TrashId, trashId))
            .Sort(Sort.Ascending(n => n.Id))
            .ToListAsync(cancellationToken);
        return [.. group.Select(d => d.ToRecord())];
    }

    /// <summary>
    /// Without transactions a restore is a sequence of single-document-atomic steps, each leaving a state a repeat
    /// completes:
    /// <list type="number">
    /// <item>Check the target name, so that a clash known in advance changes nothing.</item>
    /// <item>Bring every member back (one multi-document update, atomic per document). Members keep their parents,
    /// which are the root or other members: while the root is in the trash they stay out of every listing, and their
    /// names count only inside the group.</item>
    /// <item>Bring the root back under its new parent and name. Until this step it is still a trash root, listed in
    /// the trash, so a crash before it is finished by calling this again.</item>
    /// </list>
    /// If a sibling took a name between the check and a step, the members go back into the trash by the same walk
    /// <see cref="TrashAsync"/> repeats, so the group is whole again for a later restore or purge. Should that in turn
    /// be cut short, calling this or <see cref="TrashAsync"/> for the root again repairs it.
    /// </summary>
    public async Task<NodeRecord?> RestoreAsync(string ownerId, string trashId, string? parentId, string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var owned = Filter.Eq(n => n.OwnerId, ownerId);
        var rootFilter = Filter.Eq(n => n.Id, trashId) & owned & Filter.Eq(n => n.TrashId, trashId);
        var root = await Nodes.Find(rootFilter).FirstOrDefaultAsync(cancellationToken);
        if (root is null)
        {
            return null;
        }

        if (await FindChildByNameAsync(ownerId, parentId, name, cancellationToken) is not null)
        {
            throw NameTaken();
        }

        var bringBack = Update
            .Set(n => n.Trashed, false)
            .Set(n => n.DeletedAt, null)
            .Set(n => n.TrashId, null)
            .Set(n => n.UpdatedAt, at);
        try
        {
            await Nodes.UpdateManyAsync(owned & Filter.Eq(n => n.TrashId, trashId) & Filter.Ne(n => n.Id, trashId), bringBack, cancellationToken: cancellationToken);
            var restored = await Nodes.FindOneAndUpdateAsync(
                rootFilter,
                bringBack.Set(n => n.ParentId, parentId).Set(n => n.Name, name).Set(n => n.NameKey, NodeNames.Key(name)),
                new FindOneAndUpdateOptions<NodeDocument> { ReturnDocument = ReturnDocument.After },
                cancellationToken);
            return restored?.ToRecord();
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            await MarkDescendantsAsync(ownerId, root, MarkTrashed(trashId, root.DeletedAt ?? at), cancellationToken);
            throw NameTaken();
        }
    }

    public async Task<NodeRecord?> DeleteAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        (await Nodes.FindOneAndDeleteAsync(Filter.Eq(n => n.Id, id) & Filter.Eq(n => n.OwnerId, ownerId), cancellationToken: cancellationToken))?.ToRecord();

    public async Task<IReadOnlyList<NodeRecord>> ListTrashDeletedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return [];
        }

        var documents = await Nodes.Find(Filter.Eq(n => n.Trashed, true) & Filter.Lt(n => n.DeletedAt, cutoff) & IsTrashRoot)
            .Sort(Sort.Ascending(n => n.DeletedAt).Ascending(n => n.Id))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return [.. documents.Select(d => d.ToRecord())];
    }

    public async Task<FileRecord?> ReplaceContentAsync(string ownerId, string fileId, string expectedSha256, string? expectedVersionId,
        string sha256, long size, string mimeType, string versionId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        // currentVersionId is left out of a document while null, and an equality with null also matches a missing
        // element: a file that never had a version matches an expected null.
        var replaced = await Nodes.FindOneAndUpdateAsync(
            Filter.Eq(n => n.Id, fileId) & Filter.Eq(n => n.OwnerId, ownerId) & Filter.Eq(n => n.Type, NodeType.File)
                & Filter.Eq(n => n.Trashed, false) & Filter.Eq(n => n.Sha256, expectedSha256) & Filter.Eq(n => n.CurrentVersionId, expectedVersionId),
            Update
                .Set(n => n.Sha256, sha256)
                .Set(n => n.Size, size)
                .Set(n => n.MimeType, mimeType)
                .Set(n => n.CurrentVersionId, versionId)
                .Set(n => n.Status, FileStatus.Processing)
                .Unset(n => n.StatusReason)
                .Unset(n => n.Media)
                .Set(n => n.UpdatedAt, at),
            new FindOneAndUpdateOptions<NodeDocument> { ReturnDocument = ReturnDocument.After },
            cancellationToken);
        return replaced?.ToRecord() as FileRecord;
    }

    public async Task<FileRecord?> UpdateProcessingAsync(string fileId, string expectedSha256, FileStatus status, string? statusReason,
        string? mimeType, MediaInfo? media, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // Null optional elements are left out rather than stored as null, as when the document was created.
        var update = Update.Set(n => n.Status, status).Set(n => n.UpdatedAt, at);
        update = statusReason is null ? update.Unset(n => n.StatusReason) : update.Set(n => n.StatusReason, statusReason);
        update = media is null ? update.Unset(n => n.Media) : update.Set(n => n.Media, MediaDocument.From(media));
        if (mimeType is not null)
        {
            update = update.Set(n => n.MimeType, mimeType);
        }

        var updated = await Nodes.FindOneAndUpdateAsync(
            Filter.Eq(n => n.Id, fileId) & Filter.Eq(n => n.Type, NodeType.File) & Filter.Eq(n => n.Sha256, expectedSha256),
            update,
            new FindOneAndUpdateOptions<NodeDocument> { ReturnDocument = ReturnDocument.After },
            cancellationToken);
        return updated?.ToRecord() as FileRecord;
    }

    /// <summary>
    /// nameKey holds <see cref="NodeNames.Key"/> of the name, so a contains match on the key of the text is
    /// case-insensitive without a collation; the text is escaped so that none of its characters acts as a pattern.
    /// </summary>
    public async Task<Page<NodeRecord>> SearchAsync(string ownerId, string text, NodeType? type, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var filter = Filter.Eq(n => n.OwnerId, ownerId) & Filter.Eq(n => n.Trashed, false)
            & Filter.Regex(n => n.NameKey, new BsonRegularExpression(Regex.Escape(NodeNames.Key(text))));
        if (type is { } only)
        {
            filter &= Filter.Eq(n => n.Type, only);
        }

        var total = await Nodes.CountDocumentsAsync(filter, cancellationToken: cancellationToken);
        // Limit 0 means "no limit" to MongoDB, not an empty page.
        if (limit == 0)
        {
            return new Page<NodeRecord>([], total);
        }

        var documents = await Nodes.Find(filter)
            .Sort(ListingOrder(new NodeListQuery(skip, limit)))
            .Skip(skip)
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return new Page<NodeRecord>([.. documents.Select(d => d.ToRecord())], total);
    }

    private static UpdateDefinition<NodeDocument> MarkTrashed(string trashId, DateTimeOffset at) => Update
        .Set(n => n.Trashed, true)
        .Set(n => n.DeletedAt, at)
        .Set(n => n.TrashId, trashId)
        .Set(n => n.UpdatedAt, at);

    /// <summary>Steps 2 and 3 of <see cref="TrashAsync"/>: the walk below an already marked root and the marking.</summary>
    private async Task MarkDescendantsAsync(string ownerId, NodeDocument root, UpdateDefinition<NodeDocument> mark, CancellationToken cancellationToken)
    {
        var owned = Filter.Eq(n => n.OwnerId, ownerId);
        var id = root.Id;
        var descendants = new List<string>();
        var frontier = root.Type == NodeType.Folder ? new List<string> { id } : [];
        var inThisGroupOrLive = Filter.Eq(n => n.Trashed, false) | Filter.Eq(n => n.TrashId, id);
        while (frontier.Count > 0)
        {
            var nextLevel = new List<string>();
            foreach (var parents in frontier.Chunk(BatchSize))
            {
                var children = await Nodes.Find(owned & Filter.In(n => n.ParentId, parents) & inThisGroupOrLive)
                    .Project(n => new { n.Id, n.Type })
                    .ToListAsync(cancellationToken);
                foreach (var child in children)
                {
                    descendants.Add(child.Id);
                    if (child.Type == NodeType.Folder)
                    {
                        nextLevel.Add(child.Id);
                    }
                }
            }

            frontier = nextLevel;
        }

        foreach (var batch in descendants.Chunk(BatchSize))
        {
            await Nodes.UpdateManyAsync(owned & Filter.In(n => n.Id, batch) & Filter.Eq(n => n.Trashed, false), mark, cancellationToken: cancellationToken);
        }
    }

    private static FilterDefinition<NodeDocument> LiveChildren(string ownerId, string? parentId) =>
        Filter.Eq(n => n.OwnerId, ownerId) & Filter.Eq(n => n.ParentId, parentId) & Filter.Eq(n => n.Trashed, false);

    /// <summary>
    /// Folders first: type is stored as "Folder" or "File", and "Folder" sorts after "File", hence descending. Then the
    /// requested field, then the name and the id so that ties (folders by size, equal times) keep a stable order.
    /// Strings compare by their UTF-8 bytes here and in SQLite, so both stores list in the same order.
    /// </summary>
    private static SortDefinition<NodeDocument> ListingOrder(NodeListQuery query)
    {
        SortDefinition<NodeDocument> By(System.Linq.Expressions.Expression<Func<NodeDocument, object?>> field) =>
            query.Descending ? Sort.Descending(field) : Sort.Ascending(field);

        var order = new List<SortDefinition<NodeDocument>> { Sort.Descending(n => n.Type) };
        order.Add(query.Sort switch
        {
            NodeSortField.Name => By(n => n.NameKey),
            NodeSortField.Size => By(n => n.Size),
            NodeSortField.CreatedAt => By(n => n.CreatedAt),
            NodeSortField.UpdatedAt => By(n => n.UpdatedAt),
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.Sort, "Unknown sort field."),
        });
        if (query.Sort != NodeSortField.Name)
        {
            order.Add(By(n => n.NameKey));
        }

        order.Add(By(n => n.Id));
        return Sort.Combine(order);
    }

    private static MetadataConflictException NameTaken() => new("name", "An item with this name already exists here.");
}
