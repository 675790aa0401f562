using System.Globalization;
using System.Text;

namespace AioStorage.Core.Metadata;

/// <summary>The rules for folder and file names. A name is only ever data: it never becomes part of a path.</summary>
public static class NodeNames
{
    public const int MaxUtf8Bytes = 255;

    /// <summary>
    /// Trims and normalizes (NFC) a user-given name, or says why it cannot be one: empty, <c>.</c> or <c>..</c>,
    /// a <c>/</c>, <c>\</c>, NUL or other control character, or more than 255 bytes of UTF-8.
    /// </summary>
    public static bool TryNormalize(string? input, out string name, out string error)
    {
        name = string.Empty;
        var trimmed = input?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "A name cannot be empty.";
            return false;
        }

        if (!trimmed.IsNormalized(NormalizationForm.FormC))
        {
            trimmed = trimmed.Normalize(NormalizationForm.FormC);
        }

        if (trimmed is "." or "..")
        {
            error = "A name cannot be '.' or '..'.";
            return false;
        }

        foreach (var c in trimmed)
        {
            if (c is '/' or '\\')
            {
                error = "A name cannot contain '/' or '\\'.";
                return false;
            }

            if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                error = "A name cannot contain control characters.";
                return false;
            }
        }

        if (Encoding.UTF8.GetByteCount(trimmed) > MaxUtf8Bytes)
        {
            error = $"A name can be at most {MaxUtf8Bytes} bytes of UTF-8.";
            return false;
        }

        name = trimmed;
        error = string.Empty;
        return true;
    }

    /// <summary>The key two names clash on: case-insensitive, after NFC normalization.</summary>
    public static string Key(string name) => name.Normalize(NormalizationForm.FormC).ToUpperInvariant();
}
