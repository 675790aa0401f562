using System.Globalization;
using System.Text;
using AioStorage.Core.Files;
using AioStorage.Core.Metadata;

namespace AioStorage.Worker.Archives;

/// <summary>
/// The names of one folder of a ZIP. A stored name is only data; here it becomes one path segment of an entry, so it is
/// made safe for every extractor: no separators (no <c>..</c> or absolute paths can form), no control characters, none
/// of the characters Windows refuses (<c>&lt;&gt;:"|?*</c>, a ':' could also name a drive or a stream there), no
/// bidirectional overrides (which make "evil\u202Etxt.exe" look like a text file), and never
/// two entries that a case-insensitive file system would merge: the second becomes <c>name (1).ext</c>.
/// </summary>
internal sealed class ArchiveEntryNames
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>A safe name for <paramref name="name"/> that no earlier call in this folder has returned (compared as stored names are).</summary>
    public string Claim(string name)
    {
        var safe = Safe(name);
        var candidate = safe;
        for (var n = 1; !_taken.Add(NodeNames.Key(candidate)); n++)
        {
            candidate = FileNaming.Numbered(safe, n);
        }

        return candidate;
    }

    /// <summary>One path segment: unsafe characters (and halves of surrogate pairs) as '_', NFC, and never empty, "." or "..".</summary>
    public static string Safe(string name)
    {
        var safe = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                safe.Append(c).Append(name[++i]);
            }
            else if (char.IsSurrogate(c) || char.IsControl(c) || "/\\<>:\"|?*".Contains(c, StringComparison.Ordinal)
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                safe.Append('_');
            }
            else
            {
                safe.Append(c);
            }
        }

        // Normalized after the replacements: a lone surrogate would make normalization throw.
        var result = safe.ToString().Normalize(NormalizationForm.FormC).Trim();
        return result.Length == 0 || result.All(c => c == '.') ? new string('_', Math.Max(1, result.Length)) : result;
    }
}
