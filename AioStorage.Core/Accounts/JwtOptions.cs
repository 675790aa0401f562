using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace AioStorage.Core.Accounts;

/// <summary>Bearer token settings from the seed's <c>JWT_SECRET</c> and <c>JWT_EXPIRES_IN</c>.</summary>
public sealed record JwtOptions(byte[] SigningKey, TimeSpan Lifetime, bool SecretWasGenerated)
{
    public const string Issuer = "aio-storage";
    public const string Audience = "aio-storage";
    public const int MinimumSecretBytes = 32;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    /// <summary>Secrets from tutorials, samples and our own seed document: never acceptable in production.</summary>
    private static readonly HashSet<string> WellKnownSecrets = new(StringComparer.OrdinalIgnoreCase)
    {
        "your-super-secret-jwt-key", "secret", "changeme", "change-me", "jwt-secret", "your-secret-key",
        "supersecret", "super-secret", "mysecret", "my-secret", "password", "password123", "development",
        "your-256-bit-secret", "replace-me", "please-change-me", "change-this-secret",
    };

    /// <summary>
    /// In Production a missing, short (under 32 bytes) or well-known secret stops the api at start.
    /// Elsewhere a missing secret is replaced by a random one for this process (tokens die with it).
    /// </summary>
    public static JwtOptions From(IConfiguration configuration, bool isProduction)
    {
        var lifetime = ParseLifetime(configuration["JWT_EXPIRES_IN"]);
        var secret = configuration["JWT_SECRET"];
        if (string.IsNullOrWhiteSpace(secret))
        {
            if (isProduction)
            {
                throw new InvalidOperationException("JWT_SECRET is not set. Production needs a random secret of at least 32 bytes.");
            }

            return new JwtOptions(RandomNumberGenerator.GetBytes(64), lifetime, SecretWasGenerated: true);
        }

        var key = Encoding.UTF8.GetBytes(secret);
        if (isProduction && (key.Length < MinimumSecretBytes || WellKnownSecrets.Contains(secret.Trim()) || IsRepetitive(secret)))
        {
            throw new InvalidOperationException(
                $"JWT_SECRET is too weak for production: use a random value of at least {MinimumSecretBytes} bytes (for example `openssl rand -base64 48`).");
        }

        return new JwtOptions(key, lifetime, SecretWasGenerated: false);
    }

    /// <summary><c>7d</c>, <c>12h</c>, <c>30m</c>, <c>45s</c>, or a number of seconds, as the seed's format has it.</summary>
    public static TimeSpan ParseLifetime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultLifetime;
        }

        var text = value.Trim().ToLowerInvariant();
        var unit = char.IsLetter(text[^1]) ? text[^1] : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new InvalidOperationException($"JWT_EXPIRES_IN must look like 7d, 12h, 30m, 45s or 3600, not '{value}'.");
        }

        return unit switch
        {
            'd' => TimeSpan.FromDays(amount),
            'h' => TimeSpan.FromHours(amount),
            'm' => TimeSpan.FromMinutes(amount),
            's' => TimeSpan.FromSeconds(amount),
            _ => throw new InvalidOperationException($"JWT_EXPIRES_IN must end in d, h, m or s, not '{value}'."),
        };
    }

    private static bool IsRepetitive(string secret) => secret.Distinct().Count() < 8;
}
