using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoAuditStore(MongoMetadataCollections collections) : IAuditStore
{
    private static readonly FilterDefinitionBuilder<AuditEventDocument> Filter = Builders<AuditEventDocument>.Filter;
    private static readonly SortDefinitionBuilder<AuditEventDocument> Sort = Builders<AuditEventDocument>.Sort;

    public Task AppendAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken) =>
        collections.AuditEvents.InsertOneAsync(AuditEventDocument.From(auditEvent), cancellationToken: cancellationToken);

    public Task AppendManyAsync(IReadOnlyList<AuditEventRecord> auditEvents, CancellationToken cancellationToken) =>
        auditEvents.Count == 0
            ? Task.CompletedTask
            : collections.AuditEvents.InsertManyAsync(auditEvents.Select(AuditEventDocument.From),
                new InsertManyOptions { IsOrdered = false }, cancellationToken);

    public async Task<Page<AuditEventRecord>> ListAsync(string userId, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var filter = Filter.Eq(e => e.UserId, userId);
        var total = await collections.AuditEvents.CountDocumentsAsync(filter, cancellationToken: cancellationToken);
        // Limit 0 means "no limit" to MongoDB, not an empty page.
        if (limit == 0)
        {
            return new Page<AuditEventRecord>([], total);
        }

        var documents = await collections.AuditEvents.Find(filter)
            .Sort(Sort.Descending(e => e.CreatedAt).Descending(e => e.Id))
            .Skip(skip)
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return new Page<AuditEventRecord>([.. documents.Select(d => d.ToRecord())], total);
    }
}
