namespace Microsoft.Extensions.Hosting;

/// <summary>Connection names, as the AppHost names its resources.</summary>
public static class AioConnections
{
    public const string MongoDb = "mongodb";
    public const string Redis = "redis";
    public const string RabbitMq = "rabbitmq";
}
