using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AioStorage.Core.Accounts;

public sealed record SessionInfo(string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? IpAddress, string? UserAgent);

/// <summary>
/// A user's sessions and revoked tokens, in Redis so that a logout takes effect at once on every api replica.
/// Revocation is a deny-list (<c>aio:revoked:{jti}</c>, kept until the token would expire anyway): when Redis is away,
/// signed tokens keep working (the api serves from its store), and tokens revoked by this replica stay refused here.
/// </summary>
public sealed partial class SessionStore(IConnectionMultiplexer redis, TimeProvider time, ILogger<SessionStore> logger)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> revokedHere = new();

    public async Task RegisterAsync(string userId, IssuedToken token, ClientInfo client)
    {
        var now = time.GetUtcNow();
        var ttl = token.ExpiresAt - now;
        try
        {
            var db = redis.GetDatabase();
            var batch = db.CreateBatch();
            var session = batch.HashSetAsync(SessionKey(token.TokenId),
            [
                new HashEntry("userId", userId),
                new HashEntry("createdAt", now.ToUnixTimeMilliseconds()),
                new HashEntry("expiresAt", token.ExpiresAt.ToUnixTimeMilliseconds()),
                new HashEntry("ip", client.IpAddress ?? string.Empty),
                new HashEntry("userAgent", Truncate(client.UserAgent, 256)),
            ]);
            var expiry = batch.KeyExpireAsync(SessionKey(token.TokenId), ttl);
            var index = batch.SortedSetAddAsync(UserSessionsKey(userId), token.TokenId, token.ExpiresAt.ToUnixTimeMilliseconds());
            var trim = batch.SortedSetRemoveRangeByScoreAsync(UserSessionsKey(userId), double.NegativeInfinity, now.ToUnixTimeMilliseconds());
            // Every token lives equally long, so the newest one decides when the whole index can go.
            var indexExpiry = batch.KeyExpireAsync(UserSessionsKey(userId), ttl);
            batch.Execute();
            await Task.WhenAll(session, expiry, index, trim, indexExpiry);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, "record a session", ex.Message);
        }
    }

    public async Task<bool> IsRevokedAsync(string tokenId)
    {
        if (revokedHere.TryGetValue(tokenId, out var until) && until > time.GetUtcNow())
        {
            return true;
        }

        try
        {
            return await redis.GetDatabase().KeyExistsAsync(RevokedKey(tokenId));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, "check a token's revocation", ex.Message);
            return false;
        }
    }

    public async Task RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt)
    {
        var ttl = expiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        revokedHere[tokenId] = expiresAt;
        foreach (var stale in revokedHere.Where(r => r.Value <= time.GetUtcNow()).Select(r => r.Key))
        {
            revokedHere.TryRemove(stale, out _);
        }

        var db = redis.GetDatabase();
        await db.StringSetAsync(RevokedKey(tokenId), userId, ttl);
        await db.KeyDeleteAsync(SessionKey(tokenId));
        await db.SortedSetRemoveAsync(UserSessionsKey(userId), tokenId);
    }

    public async Task<IReadOnlyList<SessionInfo>> ListAsync(string userId)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await db.SortedSetRangeByScoreAsync(UserSessionsKey(userId), now, double.PositiveInfinity);
        var sessions = new List<SessionInfo>(ids.Length);
        foreach (var id in ids)
        {
            var fields = (await db.HashGetAllAsync(SessionKey(id!))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
            if (fields.TryGetValue("userId", out var owner) && owner == userId)
            {
                sessions.Add(new SessionInfo(
                    id!,
                    DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields["createdAt"], CultureInfo.InvariantCulture)),
                    DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(fields["expiresAt"], CultureInfo.InvariantCulture)),
                    NullIfEmpty(fields.GetValueOrDefault("ip")),
                    NullIfEmpty(fields.GetValueOrDefault("userAgent"))));
            }
        }

        return [.. sessions.OrderByDescending(s => s.CreatedAt)];
    }

    /// <summary>The expiry of one of the user's sessions, or null when it is not theirs (or already gone).</summary>
    public async Task<DateTimeOffset?> FindAsync(string userId, string tokenId)
    {
        var db = redis.GetDatabase();
        var owner = await db.HashGetAsync(SessionKey(tokenId), "userId");
        var expires = await db.HashGetAsync(SessionKey(tokenId), "expiresAt");
        return owner == userId && expires.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    private static string SessionKey(string tokenId) => $"aio:session:{tokenId}";

    private static string UserSessionsKey(string userId) => $"aio:user-sessions:{userId}";

    private static string RevokedKey(string tokenId) => $"aio:revoked:{tokenId}";

    private static string Truncate(string? value, int max) => value is null ? string.Empty : value.Length <= max ? value : value[..max];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; could not {Operation}: {Reason}")]
    private static partial void LogRedisUnavailable(ILogger logger, string operation, string reason);
}
