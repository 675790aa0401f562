using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AioStorage.Core.Media;

/// <summary>How far the worker is with a file's content: <paramref name="Stage"/> is "processing" or "transcoding".</summary>
public sealed record ProcessingProgress(string Sha256, string Stage, double Percent, DateTimeOffset UpdatedAt);

/// <summary>
/// Progress of running work kept in Redis (<c>aio:progress:&lt;fileId&gt;</c>, JSON, one hour) so the api can show it in
/// <c>GET /files/{id}</c> while the worker runs. Progress is a courtesy: when Redis is down it is not shown, the work goes on.
/// </summary>
public sealed partial class ProcessingProgressStore(IConnectionMultiplexer redis, ILogger<ProcessingProgressStore> logger)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromHours(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string RedisKey(string fileId) => $"aio:progress:{fileId}";

    public async Task SetAsync(string fileId, ProcessingProgress progress)
    {
        try
        {
            await redis.GetDatabase().StringSetAsync(RedisKey(fileId), JsonSerializer.Serialize(progress, Json), TimeToLive);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
        }
    }

    /// <summary>The progress recorded for this content of the file, or null (none, another content, or Redis down).</summary>
    public async Task<ProcessingProgress?> GetAsync(string fileId, string sha256)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(RedisKey(fileId));
            return value.HasValue && JsonSerializer.Deserialize<ProcessingProgress>(value.ToString(), Json) is { } progress && progress.Sha256 == sha256
                ? progress
                : null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
            return null;
        }
    }

    public async Task ClearAsync(string fileId)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(RedisKey(fileId));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; processing progress is not recorded: {Reason}")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
