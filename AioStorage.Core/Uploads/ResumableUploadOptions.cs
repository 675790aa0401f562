using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AioStorage.Core.Uploads;

/// <summary>
/// Limits of resumable (tus) uploads: <c>UPLOAD_MAX_SIZE</c> bytes per upload whoever uploads (1 TiB by default; each
/// user's quota still applies), and <c>UPLOAD_EXPIRES_IN</c>, how long an upload may sit idle before it is discarded
/// (24h by default, in the format of <c>JWT_EXPIRES_IN</c>: 7d, 12h, 30m, 45s or seconds).
/// </summary>
public sealed record ResumableUploadOptions(long MaxSize, TimeSpan Lifetime)
{
    public const long DefaultMaxSize = 1L << 40;

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);

    /// <summary>Finished sessions stay this long, so a client that lost the last answer can still ask how it ended.</summary>
    public static readonly TimeSpan FinishedRetention = TimeSpan.FromDays(1);

    public static ResumableUploadOptions From(IConfiguration configuration)
    {
        var maxSize = configuration["UPLOAD_MAX_SIZE"] is { Length: > 0 } size
            ? long.TryParse(size.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
                ? bytes
                : throw new InvalidOperationException($"UPLOAD_MAX_SIZE must be a number of bytes, not '{size}'.")
            : DefaultMaxSize;
        return new ResumableUploadOptions(maxSize, ParseLifetime(configuration["UPLOAD_EXPIRES_IN"]));
    }

    private static TimeSpan ParseLifetime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultLifetime;
        }

        var text = value.Trim().ToLowerInvariant();
        var unit = char.IsLetter(text[^1]) ? text[^1] : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0
            || unit is not ('d' or 'h' or 'm' or 's'))
        {
            throw new InvalidOperationException($"UPLOAD_EXPIRES_IN must look like 1d, 24h, 30m, 45s or 3600, not '{value}'.");
        }

        return unit switch
        {
            'd' => TimeSpan.FromDays(amount),
            'h' => TimeSpan.FromHours(amount),
            'm' => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
    }
}
