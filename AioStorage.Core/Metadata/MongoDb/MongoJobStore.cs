using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoJobStore(MongoMetadataCollections collections) : IJobStore
{
    private static readonly FilterDefinitionBuilder<JobDocument> Filter = Builders<JobDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<JobDocument> Update = Builders<JobDocument>.Update;
    private static readonly FindOneAndUpdateOptions<JobDocument> ReturnAfter = new() { ReturnDocument = ReturnDocument.After };

    /// <summary>Every status but Expired, spelled out so the cleaner's query uses the kind-status-expiry index.</summary>
    private static readonly JobStatus[] Unmarked = [.. Enum.GetValues<JobStatus>().Where(s => s != JobStatus.Expired)];

    private IMongoCollection<JobDocument> Jobs => collections.Jobs;

    public async Task CreateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        try
        {
            await Jobs.InsertOneAsync(JobDocument.From(job), cancellationToken: cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw new MetadataConflictException("id", "A record with this id already exists.");
        }
    }

    public async Task<JobRecord?> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        (await Jobs.Find(Filter.Eq(j => j.Id, id) & Filter.Eq(j => j.OwnerId, ownerId)).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    /// <summary>One conditional update: of callers that saw the same status, only the first finds it still there.</summary>
    public async Task<JobRecord?> UpdateAsync(string id, JobStatus expected, JobUpdate update, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var changes = Update.Set(j => j.Status, update.Status).Set(j => j.UpdatedAt, at);
        if (update.Progress is { } progress)
        {
            changes = changes.Set(j => j.Progress, progress);
        }

        if (update.Result is { } result)
        {
            changes = changes.Set(j => j.Result, result);
        }

        if (update.Error is { } error)
        {
            changes = changes.Set(j => j.Error, error);
        }

        if (update.ExpiresAt is { } expiresAt)
        {
            changes = changes.Set(j => j.ExpiresAt, expiresAt);
        }

        var changed = await Jobs.FindOneAndUpdateAsync(
            Filter.Eq(j => j.Id, id) & Filter.Eq(j => j.Status, expected),
            changes,
            ReturnAfter,
            cancellationToken);
        return changed?.ToRecord();
    }

    public async Task<IReadOnlyList<JobRecord>> ListExpiredAsync(string kind, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // Limit 0 means "no limit" to MongoDB, not an empty list.
        if (limit == 0)
        {
            return [];
        }

        var documents = await Jobs
            .Find(Filter.Eq(j => j.Kind, kind) & Filter.In(j => j.Status, Unmarked) & Filter.Lt(j => j.ExpiresAt, now))
            .Sort(Builders<JobDocument>.Sort.Ascending(j => j.ExpiresAt).Ascending(j => j.Id))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return [.. documents.Select(d => d.ToRecord())];
    }

    public async Task<long> DeleteExpiredBeforeAsync(string kind, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        (await Jobs.DeleteManyAsync(
            Filter.Eq(j => j.Kind, kind) & Filter.Eq(j => j.Status, JobStatus.Expired) & Filter.Lt(j => j.ExpiresAt, cutoff),
            cancellationToken)).DeletedCount;
}
