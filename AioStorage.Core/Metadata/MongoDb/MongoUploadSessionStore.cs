using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoUploadSessionStore(MongoMetadataCollections collections) : IUploadSessionStore
{
    private static readonly FilterDefinitionBuilder<UploadSessionDocument> Filter = Builders<UploadSessionDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<UploadSessionDocument> Update = Builders<UploadSessionDocument>.Update;
    private static readonly SortDefinitionBuilder<UploadSessionDocument> Sort = Builders<UploadSessionDocument>.Sort;
    private static readonly FindOneAndUpdateOptions<UploadSessionDocument> ReturnAfter = new() { ReturnDocument = ReturnDocument.After };

    private IMongoCollection<UploadSessionDocument> Sessions => collections.UploadSessions;

    public async Task CreateAsync(UploadSessionRecord session, CancellationToken cancellationToken)
    {
        try
        {
            await Sessions.InsertOneAsync(UploadSessionDocument.From(session), cancellationToken: cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw new MetadataConflictException("id", "A record with this id already exists.");
        }
    }

    public async Task<UploadSessionRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        (await Sessions.Find(Filter.Eq(s => s.Id, id) & Filter.Eq(s => s.OwnerId, ownerId)).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    /// <summary>One conditional update: of writers that read the same offset, only the first finds it still there.</summary>
    public async Task<UploadSessionRecord?> AdvanceAsync(string id, long expectedOffset, long newOffset, DateTimeOffset expiresAt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(newOffset, expectedOffset);
        var advanced = await Sessions.FindOneAndUpdateAsync(
            Filter.Eq(s => s.Id, id) & Filter.Eq(s => s.Status, UploadStatus.Active) & Filter.Eq(s => s.Offset, expectedOffset),
            Update.Set(s => s.Offset, newOffset).Set(s => s.ExpiresAt, expiresAt).Set(s => s.UpdatedAt, at),
            ReturnAfter,
            cancellationToken);
        return advanced?.ToRecord();
    }

    /// <summary>A null <paramref name="fileId"/> keeps the file already recorded.</summary>
    public async Task<UploadSessionRecord?> SetStatusAsync(string id, UploadStatus expected, UploadStatus status, string? fileId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var update = Update.Set(s => s.Status, status).Set(s => s.UpdatedAt, at);
        if (fileId is not null)
        {
            update = update.Set(s => s.FileId, fileId);
        }

        var changed = await Sessions.FindOneAndUpdateAsync(
            Filter.Eq(s => s.Id, id) & Filter.Eq(s => s.Status, expected),
            update,
            ReturnAfter,
            cancellationToken);
        return changed?.ToRecord();
    }

    public Task<IReadOnlyList<UploadSessionRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ListAsync(
            Filter.Eq(s => s.Status, UploadStatus.Active) & Filter.Lt(s => s.ExpiresAt, now),
            Sort.Ascending(s => s.ExpiresAt).Ascending(s => s.Id),
            limit,
            cancellationToken);

    public Task<IReadOnlyList<UploadSessionRecord>> ListFinishedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        ListAsync(
            Filter.In(s => s.Status, [UploadStatus.Completed, UploadStatus.Terminated, UploadStatus.Expired]) & Filter.Lt(s => s.UpdatedAt, cutoff),
            Sort.Ascending(s => s.UpdatedAt).Ascending(s => s.Id),
            limit,
            cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        Sessions.DeleteOneAsync(Filter.Eq(s => s.Id, id), cancellationToken);

    private async Task<IReadOnlyList<UploadSessionRecord>> ListAsync(FilterDefinition<UploadSessionDocument> filter,
        SortDefinition<UploadSessionDocument> sort, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // Limit 0 means "no limit" to MongoDB, not an empty list.
        if (limit == 0)
        {
            return [];
        }

        var documents = await Sessions.Find(filter).Sort(sort).Limit(limit).ToListAsync(cancellationToken);
        return [.. documents.Select(d => d.ToRecord())];
    }
}
