namespace AioStorage.AppHost.Infrastructure;

public static class RedisContainerExtensions
{
    /// <summary>
    /// Adds the append-only file to Redis's persistence. AddRedis starts the server through
    /// <c>/bin/sh -c "redis-server ..."</c> (so the password can come from the environment), and WithPersistence
    /// only adds RDB snapshots, so the flag is appended to that one command string.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithAppendOnlyFile(this IResourceBuilder<RedisResource> builder)
        => builder.WithArgs(context =>
        {
            var commandIndex = context.Args.Count - 1;
            if (commandIndex < 1 || context.Args[commandIndex - 1] is not "-c" || context.Args[commandIndex] is not string command
                || !command.StartsWith("redis-server", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    "Expected AddRedis to start the server with /bin/sh -c \"redis-server ...\"; the Aspire.Hosting.Redis version changed how it builds the command line.");
            }

            context.Args[commandIndex] = $"{command} --appendonly yes";
        });
}
