using System.Text;
using AioStorage.Core.Errors;

namespace AioStorage.Core.Uploads;

/// <summary>
/// The tus <c>Upload-Metadata</c> header: comma-separated pairs of a key and a Base64 value. Values are kept as the
/// client sent them (still Base64, already checked), so a HEAD echoes them exactly, even binary ones; only the keys
/// the server uses are decoded, as strict UTF-8.
/// </summary>
public sealed class UploadMetadata
{
    /// <summary>Plenty for a name, a folder, a type and a client's own keys; metadata is not a place to store data.</summary>
    public const int MaxHeaderLength = 8 * 1024;

    private const string Field = "Upload-Metadata";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string> _encoded;

    private UploadMetadata(Dictionary<string, string> encoded) => _encoded = encoded;

    public static UploadMetadata Empty { get; } = new([]);

    /// <summary>Key to Base64 value, in the client's order: what the session record stores.</summary>
    public IReadOnlyDictionary<string, string> Encoded => _encoded;

    /// <exception cref="ValidationFailedException">The header breaks the tus syntax or a value is not Base64.</exception>
    public static UploadMetadata Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return Empty;
        }

        if (header.Length > MaxHeaderLength)
        {
            throw Invalid($"Upload-Metadata can be at most {MaxHeaderLength} characters.");
        }

        var encoded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawPair in header.Split(','))
        {
            var pair = rawPair.Trim(' ', '\t');
            var space = pair.IndexOf(' ', StringComparison.Ordinal);
            var key = space < 0 ? pair : pair[..space];
            var value = space < 0 ? string.Empty : pair[(space + 1)..];
            // Narrower than tus's "no spaces or commas": keys become field names in the metadata store, where '$' and
            // '.' mean something, and every client in use (tus-js-client, Uppy) keeps to these.
            if (key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                throw Invalid("Each Upload-Metadata key must be 1 to 64 ASCII letters, digits, '_' or '-'.");
            }

            if (!IsBase64(value))
            {
                throw Invalid($"The Upload-Metadata value of '{key}' is not Base64.");
            }

            if (!encoded.TryAdd(key, value))
            {
                throw Invalid($"The Upload-Metadata key '{key}' appears more than once.");
            }
        }

        return new UploadMetadata(encoded);
    }

    /// <summary>Metadata read back from a session record, where only values that passed <see cref="Parse"/> are stored.</summary>
    public static UploadMetadata FromStored(IReadOnlyDictionary<string, string> encoded) => new(new Dictionary<string, string>(encoded, StringComparer.Ordinal));

    /// <summary>The decoded value of <paramref name="key"/>, null when absent.</summary>
    /// <exception cref="ValidationFailedException">The value is not UTF-8 text.</exception>
    public string? GetText(string key)
    {
        if (!_encoded.TryGetValue(key, out var value))
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(Convert.FromBase64String(value));
        }
        catch (DecoderFallbackException)
        {
            throw Invalid($"The Upload-Metadata value of '{key}' is not UTF-8 text.");
        }
    }

    /// <summary>The header value again, for HEAD: keys without a value lose the separating space, as tus allows.</summary>
    public string ToHeader() => string.Join(',', _encoded.Select(p => p.Value.Length == 0 ? p.Key : $"{p.Key} {p.Value}"));

    private static bool IsBase64(string value)
    {
        if (value.Length % 4 != 0)
        {
            return false;
        }

        var buffer = new byte[value.Length / 4 * 3];
        return Convert.TryFromBase64String(value, buffer, out _) && !value.Any(char.IsWhiteSpace);
    }

    private static ValidationFailedException Invalid(string message) => ValidationFailedException.For(Field, message);
}
