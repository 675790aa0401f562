using System.Globalization;
using AioStorage.Core.Accounts;
using StackExchange.Redis;

namespace AioStorage.Api.Http;

public sealed record DownloadUrl(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Short-lived download links that work without a bearer header (for a video element, a download manager, a link
/// opened in a new tab): <c>/api/v1/files/{id}/download?uid=…&amp;exp=…&amp;sig=…</c>, where sig is an HMAC-SHA256 over
/// the file, the user and the expiry with a key derived from the JWT secret (so it is never the token key itself).
/// Changing any part of the link breaks the signature. Links are cached in Redis per user and file, so asking again
/// within the lifetime returns the same link (and the browser's cache keeps working).
/// </summary>
public sealed partial class DownloadUrls(JwtOptions jwt, IConnectionMultiplexer redis, TimeProvider time, ILogger<DownloadUrls> logger)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);

    public LinkSigner Signer { get; } = new(jwt, time, "download", "download link", "POST /api/v1/files/{id}/download-url");

    public async Task<DownloadUrl> CreateAsync(string userId, string fileId)
    {
        var cacheKey = $"aio:download-url:{userId}:{fileId}";
        try
        {
            var cached = await redis.GetDatabase().StringGetAsync(cacheKey);
            if (cached.HasValue && cached.ToString().Split('|') is [var url, var expires]
                && DateTimeOffset.FromUnixTimeSeconds(long.Parse(expires, CultureInfo.InvariantCulture)) is var expiresAt
                && expiresAt - time.GetUtcNow() > TimeSpan.FromMinutes(1))
            {
                return new DownloadUrl(url, expiresAt);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
        }

        var exp = (time.GetUtcNow() + DefaultLifetime).ToUnixTimeSeconds();
        var link = $"/api/v1/files/{Uri.EscapeDataString(fileId)}/download?uid={Uri.EscapeDataString(userId)}&exp={exp}&sig={Signer.Sign(fileId, userId, exp)}";
        try
        {
            await redis.GetDatabase().StringSetAsync(cacheKey, $"{link}|{exp}", DefaultLifetime - TimeSpan.FromMinutes(1));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
        }

        return new DownloadUrl(link, DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; download links are not cached: {Reason}")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
