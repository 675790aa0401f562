using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoOutboxStore(MongoMetadataCollections collections) : IOutboxStore
{
    private static readonly FilterDefinitionBuilder<OutboxMessageDocument> Filter = Builders<OutboxMessageDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<OutboxMessageDocument> Update = Builders<OutboxMessageDocument>.Update;
    private static readonly SortDefinitionBuilder<OutboxMessageDocument> Sort = Builders<OutboxMessageDocument>.Sort;

    private IMongoCollection<OutboxMessageDocument> Messages => collections.Outbox;

    public async Task AddAsync(OutboxMessageRecord message, CancellationToken cancellationToken)
    {
        try
        {
            await Messages.InsertOneAsync(OutboxMessageDocument.From(message), cancellationToken: cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw new MetadataConflictException("id", "A record with this id already exists.");
        }
    }

    /// <summary>
    /// One findOneAndUpdate per message: each picks the oldest due message and moves its next attempt to the end of
    /// the lease in the same document write, so a concurrent claimer's filter no longer matches it and no message is
    /// handed out twice. A crash between two of them leaves the messages claimed so far leased: they fall due again
    /// when the lease ends, which is what a dispatcher that died after claiming needs anyway.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessageRecord>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // A lease that is not in the future would leave a claimed message due, free for the next claim (this one's too).
        if (leaseUntil <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseUntil), leaseUntil, "The lease must end after now.");
        }

        var due = Filter.Eq(m => m.SentAt, null) & Filter.Lte(m => m.NextAttemptAt, now);
        var options = new FindOneAndUpdateOptions<OutboxMessageDocument>
        {
            Sort = Sort.Ascending(m => m.CreatedAt).Ascending(m => m.Id),
            ReturnDocument = ReturnDocument.After,
        };
        var claimed = new List<OutboxMessageRecord>();
        while (claimed.Count < limit)
        {
            var message = await Messages.FindOneAndUpdateAsync(due, Update.Set(m => m.NextAttemptAt, leaseUntil), options, cancellationToken);
            if (message is null)
            {
                break;
            }

            claimed.Add(message.ToRecord());
        }

        return claimed;
    }

    /// <summary>The first confirmation wins: a late duplicate publish does not move the time the message was sent.</summary>
    public Task MarkSentAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        Messages.UpdateOneAsync(Unsent(id), Update.Set(m => m.SentAt, at), cancellationToken: cancellationToken);

    /// <summary>A message already sent (by a dispatcher whose lease another one outlived) is left as it is.</summary>
    public Task RecordFailureAsync(string id, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        Messages.UpdateOneAsync(
            Unsent(id),
            Update.Inc(m => m.Attempts, 1).Set(m => m.LastError, error).Set(m => m.NextAttemptAt, nextAttemptAt),
            cancellationToken: cancellationToken);

    public Task<long> CountPendingAsync(CancellationToken cancellationToken) =>
        Messages.CountDocumentsAsync(Filter.Eq(m => m.SentAt, null), cancellationToken: cancellationToken);

    public async Task<long> DeleteSentBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        (await Messages.DeleteManyAsync(Filter.Lt(m => m.SentAt, cutoff), cancellationToken)).DeletedCount;

    private static FilterDefinition<OutboxMessageDocument> Unsent(string id) => Filter.Eq(m => m.Id, id) & Filter.Eq(m => m.SentAt, null);
}
