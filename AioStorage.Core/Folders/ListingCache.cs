using System.Text.Json;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AioStorage.Core.Folders;

/// <summary>
/// Hot folder listings in Redis. Each folder has a generation number that every change to its children bumps;
/// a cached page is keyed by that number, so an invalidation is exact and instant on every replica, and stale pages
/// simply age out. When Redis is away, listings come straight from the store.
/// </summary>
public sealed partial class ListingCache(IConnectionMultiplexer redis, ILogger<ListingCache> logger)
{
    // Short, so that a change made while Redis was unreachable (no bump possible) is not hidden for long.
    private static readonly TimeSpan PageLifetime = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Page<NodeRecord>> GetOrLoadAsync(string ownerId, string? folderId, NodeListQuery query, Func<Task<Page<NodeRecord>>> load)
    {
        RedisKey pageKey;
        try
        {
            var db = redis.GetDatabase();
            var generation = (long?)await db.StringGetAsync(GenerationKey(ownerId, folderId)) ?? 0;
            pageKey = $"aio:listing:{ownerId}:{folderId ?? "root"}:{generation}:{query.Skip}:{query.Limit}:{query.Sort}:{(query.Descending ? "desc" : "asc")}:{query.Type?.ToString() ?? "all"}";
            var cached = await db.StringGetAsync(pageKey);
            if (cached.HasValue)
            {
                return JsonSerializer.Deserialize<Page<NodeRecord>>(cached.ToString(), Json)!;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, ex.Message);
            return await load();
        }

        var page = await load();
        try
        {
            await redis.GetDatabase().StringSetAsync(pageKey, JsonSerializer.Serialize(page, Json), PageLifetime);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, ex.Message);
        }

        return page;
    }

    /// <summary>Call after the change is stored: a reader between the two sees the old page, never a lost update.</summary>
    public async Task InvalidateAsync(string ownerId, params string?[] folderIds)
    {
        try
        {
            var db = redis.GetDatabase();
            await Task.WhenAll(folderIds.Distinct().Select(id => db.StringIncrementAsync(GenerationKey(ownerId, id))));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, ex.Message);
        }
    }

    private static string GenerationKey(string ownerId, string? folderId) => $"aio:listing-generation:{ownerId}:{folderId ?? "root"}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; listings are served from the store: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
