using Microsoft.Extensions.Configuration;

namespace AioStorage.Core.Configuration;

public enum MetadataProvider
{
    MongoDb,
    Sqlite,
}

/// <summary>Which metadata store this process uses: MongoDB in the documented deployment, embedded SQLite in local mode.</summary>
public sealed record MetadataOptions(MetadataProvider Provider, string SqlitePath)
{
    public const string MongoConnectionName = "mongodb";

    /// <summary>
    /// <c>METADATA_PROVIDER</c> decides; without it, MongoDB when a MongoDB connection string is configured, else SQLite.
    /// <c>SQLITE_PATH</c> defaults to a metadata folder beside <c>STORAGE_PATH</c>.
    /// </summary>
    public static MetadataOptions From(IConfiguration configuration, StorageOptions storage)
    {
        var provider = configuration["METADATA_PROVIDER"]?.Trim().ToLowerInvariant() switch
        {
            "mongodb" or "mongo" => MetadataProvider.MongoDb,
            "sqlite" => MetadataProvider.Sqlite,
            null or "" => string.IsNullOrWhiteSpace(configuration.GetConnectionString(MongoConnectionName))
                ? MetadataProvider.Sqlite
                : MetadataProvider.MongoDb,
            var other => throw new InvalidOperationException(
                $"METADATA_PROVIDER must be 'mongodb' or 'sqlite', not '{other}'."),
        };

        if (provider == MetadataProvider.MongoDb && string.IsNullOrWhiteSpace(configuration.GetConnectionString(MongoConnectionName)))
        {
            throw new InvalidOperationException("METADATA_PROVIDER is mongodb but neither MONGODB_URI nor ConnectionStrings__mongodb is set.");
        }

        var sqlitePath = configuration["SQLITE_PATH"];
        if (string.IsNullOrWhiteSpace(sqlitePath))
        {
            var storageParent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(storage.Path)) ?? storage.Path;
            sqlitePath = Path.Combine(storageParent, "metadata", "aio-storage.db");
        }

        return new MetadataOptions(provider, Path.GetFullPath(sqlitePath));
    }
}
