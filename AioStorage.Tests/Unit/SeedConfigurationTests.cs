using AioStorage.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace AioStorage.Tests.Unit;

public class SeedConfigurationTests
{
    [Theory]
    [InlineData("redis://redis:6379", "redis:6379")]
    [InlineData("redis://redis", "redis:6379")]
    [InlineData("redis://:s3cret@cache.internal:6380/2", "cache.internal:6380,password=s3cret,defaultDatabase=2")]
    [InlineData("redis://app:p%40ss@10.0.0.5:6379", "10.0.0.5:6379,user=app,password=p@ss")]
    [InlineData("rediss://cache:6380", "cache:6380,ssl=true")]
    [InlineData("redis://[::1]:6379", "[::1]:6379")]
    [InlineData("127.0.0.1:6379,abortConnect=false", "127.0.0.1:6379,abortConnect=false")]
    public void Redis_urls_become_stackexchange_configuration(string url, string expected)
        => Assert.Equal(expected, RedisUrl.ToStackExchangeConfiguration(url));

    [Theory]
    [InlineData("http://redis:6379")]
    [InlineData("redis://redis:6379/cache")]
    public void Malformed_redis_urls_are_refused(string url)
        => Assert.Throws<FormatException>(() => RedisUrl.ToStackExchangeConfiguration(url));

    [Fact]
    public void Seed_names_fill_the_connection_strings_the_clients_read()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MONGODB_URI"] = "mongodb://admin:pw@mongodb:27017/aio_storage?authSource=admin",
            ["REDIS_URL"] = "redis://redis:6379",
            ["RABBITMQ_URL"] = "amqp://admin:pw@rabbitmq:5672",
        });

        builder.AddSeedConfiguration();

        Assert.Equal("mongodb://admin:pw@mongodb:27017/aio_storage?authSource=admin", builder.Configuration.GetConnectionString("mongodb"));
        Assert.Equal("redis:6379", builder.Configuration.GetConnectionString("redis"));
        Assert.Equal("amqp://admin:pw@rabbitmq:5672", builder.Configuration.GetConnectionString("rabbitmq"));
    }

    [Fact]
    public void Aspire_connection_strings_win_over_seed_names()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = "localhost:41234",
            ["REDIS_URL"] = "redis://redis:6379",
        });

        builder.AddSeedConfiguration();

        Assert.Equal("localhost:41234", builder.Configuration.GetConnectionString("redis"));
    }

    [Fact]
    public void Metadata_provider_follows_the_mongodb_connection_string_unless_told()
    {
        var storage = new StorageOptions("/srv/aio/storage");
        var withMongo = Config(("ConnectionStrings:mongodb", "mongodb://m:27017"));
        var without = Config();

        Assert.Equal(MetadataProvider.MongoDb, MetadataOptions.From(withMongo, storage).Provider);
        Assert.Equal(MetadataProvider.Sqlite, MetadataOptions.From(without, storage).Provider);
        Assert.Equal("/srv/aio/metadata/aio-storage.db", MetadataOptions.From(without, storage).SqlitePath);
        Assert.Equal(MetadataProvider.Sqlite,
            MetadataOptions.From(Config(("ConnectionStrings:mongodb", "mongodb://m:27017"), ("METADATA_PROVIDER", "sqlite")), storage).Provider);
    }

    [Fact]
    public void Metadata_provider_mistakes_are_explained_at_start()
    {
        var storage = new StorageOptions("/srv/aio/storage");
        var unknown = Assert.Throws<InvalidOperationException>(() => MetadataOptions.From(Config(("METADATA_PROVIDER", "postgres")), storage));
        Assert.Contains("postgres", unknown.Message);
        var mongoWithoutUri = Assert.Throws<InvalidOperationException>(() => MetadataOptions.From(Config(("METADATA_PROVIDER", "mongodb")), storage));
        Assert.Contains("MONGODB_URI", mongoWithoutUri.Message);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
