using System.Security.Cryptography;
using System.Text;
using AioStorage.Core.Errors;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AioStorage.Core.Accounts;

public sealed record LoginThrottleOptions(int MaxFailuresPerAccount = 5, int MaxFailuresPerAddress = 20, TimeSpan? Window = null)
{
    public TimeSpan FailureWindow => Window ?? TimeSpan.FromMinutes(15);
}

/// <summary>
/// Counts failed sign-ins per account and per client address in Redis (shared by every replica) and refuses
/// further attempts with 429 until the window passes. Without Redis, sign-in goes on unthrottled rather than down.
/// </summary>
public sealed partial class LoginThrottle(IConnectionMultiplexer redis, LoginThrottleOptions options, ILogger<LoginThrottle> logger)
{
    public async Task EnsureAllowedAsync(string email, ClientInfo client)
    {
        try
        {
            var db = redis.GetDatabase();
            foreach (var (key, limit) in Keys(email, client))
            {
                var failures = (long?)await db.StringGetAsync(key) ?? 0;
                if (failures >= limit)
                {
                    var retryAfter = await db.KeyTimeToLiveAsync(key) ?? options.FailureWindow;
                    throw new TooManyAttemptsException(retryAfter, "Too many failed sign-in attempts. Try again later.");
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, ex.Message);
        }
    }

    public async Task RecordFailureAsync(string email, ClientInfo client)
    {
        try
        {
            var db = redis.GetDatabase();
            foreach (var (key, _) in Keys(email, client))
            {
                if (await db.StringIncrementAsync(key) == 1)
                {
                    await db.KeyExpireAsync(key, options.FailureWindow);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, ex.Message);
        }
    }

    public async Task RecordSuccessAsync(string email)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(AccountKey(email));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(logger, ex.Message);
        }
    }

    private IEnumerable<(RedisKey Key, int Limit)> Keys(string email, ClientInfo client)
    {
        yield return (AccountKey(email), options.MaxFailuresPerAccount);
        if (!string.IsNullOrEmpty(client.IpAddress))
        {
            yield return ($"aio:login-failures:address:{client.IpAddress}", options.MaxFailuresPerAddress);
        }
    }

    // Hashed so that Redis never holds the addresses people typed.
    private static string AccountKey(string email)
        => $"aio:login-failures:account:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToUpperInvariant())))}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; sign-in throttling is off until it returns: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
