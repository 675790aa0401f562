using System.Globalization;
using System.Text;

namespace AioStorage.Core.Configuration;

/// <summary>
/// Turns the seed's <c>REDIS_URL</c> (<c>redis://[[user]:password@]host[:port][/db]</c>, or <c>rediss://</c> for TLS)
/// into StackExchange.Redis configuration syntax, which is what the Aspire client reads from
/// <c>ConnectionStrings:redis</c>. A value without a scheme is taken to be in that syntax already.
/// </summary>
public static class RedisUrl
{
    public static string ToStackExchangeConfiguration(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var trimmed = value.Trim();
        if (!trimmed.Contains("://", StringComparison.Ordinal))
        {
            return trimmed;
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss"))
        {
            throw new FormatException("REDIS_URL must look like redis://[[user]:password@]host[:port][/db] or rediss://...");
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost}]" : uri.IdnHost;
        var config = new StringBuilder($"{host}:{port.ToString(CultureInfo.InvariantCulture)}");

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(separator < 0 ? string.Empty : uri.UserInfo[..separator]);
            var password = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[(separator + 1)..]);
            if (user.Length > 0)
            {
                config.Append(",user=").Append(user);
            }

            if (password.Length > 0)
            {
                config.Append(",password=").Append(password);
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw new FormatException("The path of REDIS_URL must be a database number.");
            }

            config.Append(",defaultDatabase=").Append(database.ToString(CultureInfo.InvariantCulture));
        }

        if (uri.Scheme == "rediss")
        {
            config.Append(",ssl=true");
        }

        return config.ToString();
    }
}
