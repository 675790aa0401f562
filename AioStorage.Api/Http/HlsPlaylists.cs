using System.Text;
using System.Text.RegularExpressions;

namespace AioStorage.Api.Http;

/// <summary>
/// HLS playlists (RFC 8216) served through a signed link. A player resolves the URIs inside a playlist against the
/// playlist's own URL without its query, so a signature on the master would not reach the renditions and segments:
/// every relative URI (the URI lines, and <c>URI="…"</c> attributes of tags such as EXT-X-MEDIA, EXT-X-MAP and
/// EXT-X-I-FRAME-STREAM-INF) gets the signed query appended. Absolute and root-relative URIs are left alone, so a
/// signature is never handed to another address.
/// </summary>
public static partial class HlsPlaylists
{
    public const string ContentType = "application/vnd.apple.mpegurl";

    /// <param name="query">Without the leading <c>?</c>; appended with <c>&amp;</c> to a URI that has a query already.</param>
    public static string AppendQuery(string playlist, string query)
    {
        var result = new StringBuilder(playlist.Length + 64);
        using var reader = new StringReader(playlist);
        while (reader.ReadLine() is { } line)
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                result.Append(line);
            }
            else if (trimmed.StartsWith('#'))
            {
                result.Append(line.StartsWith("#EXT", StringComparison.Ordinal)
                    ? UriAttribute().Replace(line, m => $"{m.Groups["name"].Value}=\"{WithQuery(m.Groups["uri"].Value, query)}\"")
                    : line);
            }
            else
            {
                result.Append(WithQuery(trimmed, query));
            }

            result.Append('\n');
        }

        return result.ToString();
    }

    private static string WithQuery(string uri, string query)
    {
        if (!IsRelativePath(uri))
        {
            return uri;
        }

        var fragment = uri.IndexOf('#', StringComparison.Ordinal);
        var (path, tail) = fragment < 0 ? (uri, string.Empty) : (uri[..fragment], uri[fragment..]);
        return $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}{tail}";
    }

    /// <summary>A path relative to the playlist: no scheme (<c>http:</c>, <c>data:</c>) and not starting with <c>/</c>.</summary>
    private static bool IsRelativePath(string uri)
    {
        if (uri.Length == 0 || uri[0] is '/' or '\\')
        {
            return false;
        }

        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 || uri.IndexOfAny(['/', '?', '#']) is var first && first >= 0 && first < colon;
    }

    // An attribute named exactly URI (not, say, X-ASSET-URI) in a tag's attribute list.
    [GeneratedRegex("(?<=[:,])(?<name>URI)=\"(?<uri>[^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex UriAttribute();
}
