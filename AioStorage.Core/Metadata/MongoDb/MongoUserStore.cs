using MongoDB.Bson;
using MongoDB.Driver;

namespace AioStorage.Core.Metadata.MongoDb;

/// <summary>Emails and usernames are compared as names are (<see cref="NodeNames.Key"/>): case-insensitively, after NFC.</summary>
internal sealed class MongoUserStore(MongoMetadataCollections collections) : IUserStore
{
    private static readonly FilterDefinitionBuilder<UserDocument> Filter = Builders<UserDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<UserDocument> Update = Builders<UserDocument>.Update;

    private IMongoCollection<UserDocument> Users => collections.Users;

    public async Task CreateAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var document = UserDocument.From(user);
        try
        {
            await Users.InsertOneAsync(document, cancellationToken: cancellationToken);
        }
        catch (MongoException ex) when (MongoMetadataCollections.IsDuplicateKey(ex))
        {
            throw await DescribeConflictAsync(document, cancellationToken);
        }
    }

    public Task<UserRecord?> GetByIdAsync(string id, CancellationToken cancellationToken) =>
        FindOneAsync(Filter.Eq(u => u.Id, id), cancellationToken);

    public Task<UserRecord?> GetByEmailAsync(string email, CancellationToken cancellationToken) =>
        FindOneAsync(Filter.Eq(u => u.EmailKey, NodeNames.Key(email)), cancellationToken);

    public Task<UserRecord?> GetByUsernameAsync(string username, CancellationToken cancellationToken) =>
        FindOneAsync(Filter.Eq(u => u.UsernameKey, NodeNames.Key(username)), cancellationToken);

    public async Task<bool> TryReserveStorageAsync(string userId, long bytes, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        // One conditional update: the server checks storageUsed <= storageQuota - bytes and adds in the same atomic
        // document write, so parallel reservations cannot both pass when only one fits. Subtracting from the quota
        // rather than adding to the usage keeps a huge request from overflowing.
        var fits = new BsonDocument("$expr", new BsonDocument("$lte", new BsonArray
        {
            "$storageUsed",
            new BsonDocument("$subtract", new BsonArray { "$storageQuota", bytes }),
        }));
        var result = await Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, userId) & new BsonDocumentFilterDefinition<UserDocument>(fits),
            Update.Inc(u => u.StorageUsed, bytes).Set(u => u.UpdatedAt, at),
            cancellationToken: cancellationToken);
        return result.MatchedCount == 1;
    }

    /// <summary>
    /// A pipeline update could clamp at zero in one write, but the emulator does not run those, so a release is two
    /// conditional updates, each atomic and each leaving a valid usage: subtract when the usage covers the release,
    /// otherwise set zero when it does not. A concurrent change can move the usage across the line between the two;
    /// then neither matched and the pair is simply tried again. An increase is one plain <c>$inc</c>.
    /// </summary>
    public async Task AdjustStorageUsedAsync(string userId, long delta, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var byId = Filter.Eq(u => u.Id, userId);
        if (delta >= 0)
        {
            await Users.UpdateOneAsync(byId, Update.Inc(u => u.StorageUsed, delta).Set(u => u.UpdatedAt, at), cancellationToken: cancellationToken);
            return;
        }

        var release = checked(-delta);
        while (true)
        {
            var subtracted = await Users.UpdateOneAsync(
                byId & Filter.Gte(u => u.StorageUsed, release),
                Update.Inc(u => u.StorageUsed, delta).Set(u => u.UpdatedAt, at),
                cancellationToken: cancellationToken);
            if (subtracted.MatchedCount == 1)
            {
                return;
            }

            var cleared = await Users.UpdateOneAsync(
                byId & Filter.Lt(u => u.StorageUsed, release),
                Update.Set(u => u.StorageUsed, 0L).Set(u => u.UpdatedAt, at),
                cancellationToken: cancellationToken);
            if (cleared.MatchedCount == 1 || await Users.CountDocumentsAsync(byId, cancellationToken: cancellationToken) == 0)
            {
                return;
            }
        }
    }

    private async Task<UserRecord?> FindOneAsync(FilterDefinition<UserDocument> filter, CancellationToken cancellationToken) =>
        (await Users.Find(filter).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    /// <summary>Finds which unique rule the rejected user broke, in the order SQLite reports them: id, email, username.</summary>
    private async Task<MetadataConflictException> DescribeConflictAsync(UserDocument rejected, CancellationToken cancellationToken)
    {
        if (await Users.CountDocumentsAsync(Filter.Eq(u => u.Id, rejected.Id), cancellationToken: cancellationToken) > 0)
        {
            return new MetadataConflictException("id", "A record with this id already exists.");
        }

        return await Users.CountDocumentsAsync(Filter.Eq(u => u.EmailKey, rejected.EmailKey), cancellationToken: cancellationToken) > 0
            ? new MetadataConflictException("email", "This email is already registered.")
            : new MetadataConflictException("username", "This username is taken.");
    }
}
