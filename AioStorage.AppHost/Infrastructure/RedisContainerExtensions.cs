namespace AioStorage.AppHost.Infrastructure;

public static class RedisContainerExtensions
{
    /// <summary>
    /// Adds the append-only file to Redis's persistence (WithPersistence gives RDB snapshots only). AddRedis builds
    /// two command lines: <c>redis-server ...</c> as separate arguments when it runs the container itself, and one
    /// <c>/bin/sh -c "redis-server ..."</c> string when publishing (so a password can come from the environment).
    /// </summary>
    public static IResourceBuilder<RedisResource> WithAppendOnlyFile(this IResourceBuilder<RedisResource> builder)
        => builder.WithArgs(context =>
        {
            var args = context.Args;
            if (args.Count > 0 && args[0] is "redis-server")
            {
                args.Add("--appendonly");
                args.Add("yes");
                return;
            }

            var shellCommand = args.Count - 1;
            if (shellCommand >= 1 && args[shellCommand - 1] is "-c" && args[shellCommand] is string command
                && command.StartsWith("redis-server", StringComparison.Ordinal))
            {
                args[shellCommand] = $"{command} --appendonly yes";
                return;
            }

            throw new InvalidOperationException(
                "Aspire.Hosting.Redis changed how it builds the redis-server command line; WithAppendOnlyFile needs updating.");
        });
}
