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
        var mark = Update
            .Set(n => n.Trashed, true)
            .Set(n => n.DeletedAt, at)
            .Set(n => n.TrashId, id)
            .Set(n => n.UpdatedAt, at);

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

        var group = await Nodes.Find(owned & Filter.Eq(n => n.TrashId, id)).Sort(Sort.Ascending(n => n.Id)).ToListAsync(cancellationToken);
        return [.. group.Select(d => d.ToRecord())];
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
