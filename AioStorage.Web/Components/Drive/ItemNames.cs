using System.Globalization;
using System.Text;

namespace AioStorage.Web.Components.Drive;

/// <summary>
/// The api's rules for file and folder names (product.md), checked as people type so most mistakes never reach it.
/// The api stays the judge: it also refuses names already taken, which only it knows.
/// </summary>
public static class ItemNames
{
    public const int MaxUtf8Bytes = 255;

    /// <summary>What is wrong with <paramref name="input"/> as a name, or null when the api should accept it.</summary>
    public static string? Problem(string? input)
    {
        var name = (input ?? "").Trim().Normalize(NormalizationForm.FormC);
        if (name.Length == 0)
        {
            return "Enter a name.";
        }

        if (name is "." or "..")
        {
            return "A name cannot be “.” or “..”.";
        }

        if (name.IndexOfAny(['/', '\\']) >= 0)
        {
            return "A name cannot contain / or \\.";
        }

        if (name.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
        {
            return "A name cannot contain control characters such as tabs or line breaks.";
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes > MaxUtf8Bytes
            ? $"This name is too long: {bytes} bytes, at most {MaxUtf8Bytes} (accented letters and emoji take more than one)."
            : null;
    }

    /// <summary>How much of a name to select for renaming: a file's stem (so its extension survives typing), a folder's all.</summary>
    public static int StemLength(string name, bool isFolder)
    {
        var dot = name.LastIndexOf('.');
        return isFolder || dot <= 0 ? name.Length : dot;
    }
}
