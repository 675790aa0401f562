using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoBlobReferenceStore(MongoMetadataCollections collections) : IBlobReferenceStore
{
    private static readonly FilterDefinitionBuilder<BlobDocument> Filter = Builders<BlobDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BlobDocument> Update = Builders<BlobDocument>.Update;
    private static readonly SortDefinitionBuilder<BlobDocument> Sort = Builders<BlobDocument>.Sort;

    private IMongoCollection<BlobDocument> Blobs => collections.Blobs;

    /// <summary>
    /// One upsert on the id: it creates the record with one reference or adds one, and clears any orphan mark in the
    /// same document write. Two first references racing can both try the insert; mongod retries the loser as an update
    /// itself, and should a server not do so, the duplicate key is answered here by one more try, which then updates.
    /// </summary>
    public async Task AddReferenceAsync(string sha256, long size, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var add = Update
            .Inc(b => b.References, 1L)
            .Set(b => b.OrphanedAt, null)
            .Set(b => b.UpdatedAt, at)
            .SetOnInsert(b => b.Size, size);
        var byId = Filter.Eq(b => b.Id, sha256);
        var upsert = new UpdateOptions { IsUpsert = true };
        try
        {
            await Blobs.UpdateOneAsync(byId, add, upsert, cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            await Blobs.UpdateOneAsync(byId, add, upsert, cancellationToken);
        }
    }

    /// <summary>
    /// A pipeline update could decrement and mark the orphan in one write, but the emulator does not run those, so a
    /// release is one of two conditional updates, each a single atomic write that leaves a valid record: above one
    /// reference, decrement; at exactly one, decrement and mark the orphan. A concurrent change can move the count
    /// across the line between the two attempts; then neither matched and they are tried again. At zero (or for an
    /// unknown blob) nothing changes, so the first orphan time, which starts the grace period, is kept.
    /// </summary>
    public async Task<long> ReleaseReferenceAsync(string sha256, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var byId = Filter.Eq(b => b.Id, sha256);
        var after = new FindOneAndUpdateOptions<BlobDocument> { ReturnDocument = ReturnDocument.After };
        while (true)
        {
            var decremented = await Blobs.FindOneAndUpdateAsync(
                byId & Filter.Gt(b => b.References, 1L),
                Update.Inc(b => b.References, -1L).Set(b => b.UpdatedAt, at),
                after,
                cancellationToken);
            if (decremented is not null)
            {
                return decremented.References;
            }

            var orphaned = await Blobs.FindOneAndUpdateAsync(
                byId & Filter.Eq(b => b.References, 1L),
                Update.Inc(b => b.References, -1L).Set(b => b.OrphanedAt, at).Set(b => b.UpdatedAt, at),
                after,
                cancellationToken);
            if (orphaned is not null)
            {
                return orphaned.References;
            }

            var current = await Blobs.Find(byId).FirstOrDefaultAsync(cancellationToken);
            if (current is null || current.References <= 0)
            {
                return 0;
            }
        }
    }

    public async Task<BlobRecord?> GetAsync(string sha256, CancellationToken cancellationToken) =>
        (await Blobs.Find(Filter.Eq(b => b.Id, sha256)).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    public async Task<IReadOnlyList<BlobRecord>> ListOrphansAsync(DateTimeOffset orphanedBefore, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // Limit 0 means "no limit" to MongoDB, not an empty list.
        if (limit == 0)
        {
            return [];
        }

        var documents = await Blobs.Find(Orphaned(orphanedBefore))
            .Sort(Sort.Ascending(b => b.OrphanedAt).Ascending(b => b.Id))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return [.. documents.Select(d => d.ToRecord())];
    }

    /// <summary>One conditional delete: a reference added since the blob was listed makes it match nothing.</summary>
    public async Task<bool> DeleteIfOrphanedAsync(string sha256, DateTimeOffset orphanedBefore, CancellationToken cancellationToken) =>
        (await Blobs.DeleteOneAsync(Filter.Eq(b => b.Id, sha256) & Orphaned(orphanedBefore), cancellationToken)).DeletedCount == 1;

    /// <summary>An orphan time is null while the blob is referenced, and null is never less than a date.</summary>
    private static FilterDefinition<BlobDocument> Orphaned(DateTimeOffset orphanedBefore) =>
        Filter.Eq(b => b.References, 0L) & Filter.Lt(b => b.OrphanedAt, orphanedBefore);
}
