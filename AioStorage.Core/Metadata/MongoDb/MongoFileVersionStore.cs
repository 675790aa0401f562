using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

internal sealed class MongoFileVersionStore(MongoMetadataCollections collections) : IFileVersionStore
{
    private static readonly FilterDefinitionBuilder<FileVersionDocument> Filter = Builders<FileVersionDocument>.Filter;
    private static readonly SortDefinitionBuilder<FileVersionDocument> Sort = Builders<FileVersionDocument>.Sort;

    private IMongoCollection<FileVersionDocument> Versions => collections.FileVersions;

    public async Task AddAsync(FileVersionRecord version, CancellationToken cancellationToken)
    {
        try
        {
            await Versions.InsertOneAsync(FileVersionDocument.From(version), cancellationToken: cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw new MetadataConflictException("id", "A record with this id already exists.");
        }
    }

    public async Task<IReadOnlyList<FileVersionRecord>> ListAsync(string ownerId, string fileId, CancellationToken cancellationToken)
    {
        var documents = await Versions.Find(Filter.Eq(v => v.OwnerId, ownerId) & Filter.Eq(v => v.FileId, fileId))
            .Sort(Sort.Descending(v => v.CreatedAt).Descending(v => v.Id))
            .ToListAsync(cancellationToken);
        return [.. documents.Select(d => d.ToRecord())];
    }

    public async Task<FileVersionRecord?> GetAsync(string ownerId, string versionId, CancellationToken cancellationToken) =>
        (await Versions.Find(Owned(ownerId, versionId)).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    public async Task<FileVersionRecord?> DeleteAsync(string ownerId, string versionId, CancellationToken cancellationToken) =>
        (await Versions.FindOneAndDeleteAsync(Owned(ownerId, versionId), cancellationToken: cancellationToken))?.ToRecord();

    private static FilterDefinition<FileVersionDocument> Owned(string ownerId, string versionId) =>
        Filter.Eq(v => v.Id, versionId) & Filter.Eq(v => v.OwnerId, ownerId);
}
