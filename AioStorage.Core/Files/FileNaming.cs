using System.Globalization;
using AioStorage.Core.Metadata;

namespace AioStorage.Core.Files;

/// <summary>What to do when an upload's name is already used in its folder.</summary>
public enum NameConflictPolicy
{
    /// <summary>The upload becomes the new content of that file; the old content is kept as a version.</summary>
    Version,

    /// <summary>The upload gets a free name: <c>report (1).pdf</c>, <c>report (2).pdf</c>…</summary>
    Rename,

    /// <summary>409.</summary>
    Fail,
}

public static class FileNaming
{
    /// <summary><c>report.pdf</c> -> <c>report (n).pdf</c>; <c>archive.tar.gz</c> keeps its double extension; dot-files stay whole.</summary>
    public static string Numbered(string name, int n)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $" ({n})");
        var split = ExtensionStart(name);
        var candidate = split < 0 ? name + suffix : name[..split] + suffix + name[split..];
        return NodeNames.TryNormalize(candidate, out var valid, out _)
            ? valid
            : Numbered(name[..Math.Max(1, name.Length - 8)], n);
    }

    private static int ExtensionStart(string name)
    {
        var dot = name.LastIndexOf('.');
        if (dot <= 0)
        {
            return -1;
        }

        var before = name.LastIndexOf('.', dot - 1);
        return before > 0 && name[(before + 1)..dot] is "tar" ? before : dot;
    }
}
