using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AioStorage.AppHost.Infrastructure.Compose;

/// <summary>
/// An ordered YAML tree with comments, written through YamlDotNet's emitter (which takes care of quoting).
/// The serializer cannot write comments, and the compose file needs a few to explain itself.
/// </summary>
internal abstract record YamlNode;

internal sealed partial record YamlText(string Value, bool ForceQuotes = false, bool IsNumber = false) : YamlNode
{
    public static YamlText Number(int value) => new(value.ToString(System.Globalization.CultureInfo.InvariantCulture), IsNumber: true);

    // Plain scalars YAML would read as numbers, booleans or null (compose wants strings in these places).
    [GeneratedRegex(@"^([-+]?[0-9][0-9_.:eE+-]*|true|false|yes|no|on|off|y|n|null|~|)$", RegexOptions.IgnoreCase)]
    private static partial Regex AmbiguousPlain();

    public ScalarStyle Style => IsNumber ? ScalarStyle.Plain
        : ForceQuotes || AmbiguousPlain().IsMatch(Value) ? ScalarStyle.DoubleQuoted
        : ScalarStyle.Any;
}

internal sealed record YamlList(IReadOnlyList<YamlNode> Items, bool Flow = false) : YamlNode;

internal sealed record YamlMap : YamlNode
{
    private readonly List<(string Key, YamlNode Value, IReadOnlyList<string> Comments)> _entries = [];

    public int Count => _entries.Count;

    public YamlMap Add(string key, YamlNode value, params IReadOnlyList<string> comments)
    {
        _entries.Add((key, value, comments));
        return this;
    }

    public YamlMap Add(string key, string value) => Add(key, new YamlText(value));

    public IEnumerable<(string Key, YamlNode Value, IReadOnlyList<string> Comments)> Entries => _entries;
}

internal static class YamlWriter
{
    public static string Write(YamlMap document, IReadOnlyList<string> headerComments)
    {
        using var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false,
            maxSimpleKeyLength: 1024, indentSequences: true));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        foreach (var comment in headerComments)
        {
            emitter.Emit(new Comment(comment, isInline: false));
        }

        Emit(emitter, document);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlText text:
                emitter.Emit(new Scalar(null, null, text.Value, text.Style, isPlainImplicit: true, isQuotedImplicit: true));
                break;
            case YamlList list:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, list.Flow ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list.Items)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case YamlMap map:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value, comments) in map.Entries)
                {
                    foreach (var comment in comments)
                    {
                        emitter.Emit(new Comment(comment, isInline: false));
                    }

                    emitter.Emit(new Scalar(key));
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "Unknown YAML node.");
        }
    }
}
