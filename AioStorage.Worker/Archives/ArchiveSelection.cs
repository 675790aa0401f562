using System.IO.Compression;
using AioStorage.Core.Archives;
using AioStorage.Core.Metadata;

namespace AioStorage.Worker.Archives;

/// <summary>
/// One entry of the ZIP: a folder (<see cref="Compression"/> null, path without the trailing '/') or a file with the
/// content <see cref="Sha256"/> of <see cref="Size"/> bytes.
/// </summary>
internal sealed record ArchiveEntry(string Path, long Size, DateTimeOffset LastModified, CompressionLevel? Compression, string? Sha256)
{
    public bool IsDirectory => Compression is null;
}

/// <summary>What goes in the ZIP, in order, and which selected items were left out.</summary>
internal sealed record ArchivePlan(IReadOnlyList<ArchiveEntry> Entries, IReadOnlyList<SkippedItem> Skipped)
{
    public int FileCount => Entries.Count(e => !e.IsDirectory);

    public long TotalBytes => Entries.Where(e => !e.IsDirectory).Sum(e => e.Size);
}

/// <summary>
/// Turns a selection into entries as it is now: live items only (folders with everything live in them), folder
/// structure kept, names made safe and unique per folder. Items deleted or trashed since the request are skipped and
/// reported; an item that was selected together with a folder holding it is written once, inside that folder.
/// </summary>
internal static class ArchiveSelection
{
    /// <summary>
    /// Files and folders one archive may hold: the plan is kept in memory while the ZIP is written, and a ZIP of more
    /// is better asked for folder by folder.
    /// </summary>
    public const int MaxEntries = 100_000;

    private const int PageSize = 500;

    /// <exception cref="ArchiveImpossibleException">The selection holds more than <paramref name="maxEntries"/> files and folders.</exception>
    public static async Task<ArchivePlan> PlanAsync(INodeStore nodes, string ownerId, IReadOnlyList<string> ids, int maxEntries, CancellationToken cancellationToken)
    {
        var skipped = new List<SkippedItem>();
        var selected = new List<NodeRecord>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            switch (await nodes.GetAsync(ownerId, id, cancellationToken))
            {
                case null:
                    skipped.Add(new SkippedItem(id, "It no longer exists."));
                    break;
                case { IsTrashed: true } trashed:
                    skipped.Add(new SkippedItem(id, $"'{trashed.Name}' is in the trash."));
                    break;
                case var live:
                    selected.Add(live);
                    break;
            }
        }

        var trees = new Dictionary<string, Tree>(StringComparer.Ordinal);
        var nested = new HashSet<string>(StringComparer.Ordinal);
        var budget = new EntryBudget(maxEntries, selected.Count);
        foreach (var folder in selected.OfType<FolderRecord>())
        {
            var tree = await WalkAsync(nodes, ownerId, folder, budget, cancellationToken);
            trees[folder.Id] = tree;
            nested.UnionWith(tree.Descendants().Select(t => t.Node.Id));
        }

        var entries = new List<ArchiveEntry>();
        var top = new ArchiveEntryNames();
        foreach (var node in selected.Where(n => !nested.Contains(n.Id)))
        {
            var name = top.Claim(node.Name);
            if (node is FileRecord file)
            {
                entries.Add(FileEntry(name, file));
            }
            else
            {
                AddFolder(trees[node.Id], name, entries);
            }
        }

        return new ArchivePlan(entries, skipped);
    }

    private static void AddFolder(Tree tree, string path, List<ArchiveEntry> entries)
    {
        entries.Add(new ArchiveEntry(path, 0, tree.Node.UpdatedAt, null, null));
        var names = new ArchiveEntryNames();
        foreach (var child in tree.Children)
        {
            var childPath = $"{path}/{names.Claim(child.Node.Name)}";
            if (child.Node is FileRecord file)
            {
                entries.Add(FileEntry(childPath, file));
            }
            else
            {
                AddFolder(child, childPath, entries);
            }
        }
    }

    private static ArchiveEntry FileEntry(string path, FileRecord file) =>
        new(path, file.Size, file.UpdatedAt, ArchiveCompression.For(file.MimeType, file.Name), file.Sha256);

    /// <summary>The live tree under a folder, depth first; a folder met twice (damaged data) is not walked again.</summary>
    private static async Task<Tree> WalkAsync(INodeStore nodes, string ownerId, FolderRecord root, EntryBudget budget, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { root.Id };
        var top = new Tree(root);
        var pending = new Stack<Tree>([top]);
        while (pending.TryPop(out var folder))
        {
            for (var skip = 0; ; skip += PageSize)
            {
                var page = await nodes.ListChildrenAsync(ownerId, folder.Node.Id, new NodeListQuery(skip, PageSize), cancellationToken);
                foreach (var child in page.Items)
                {
                    if (child is FolderRecord && !seen.Add(child.Id))
                    {
                        continue;
                    }

                    budget.Take();
                    var node = new Tree(child);
                    folder.Children.Add(node);
                    if (child is FolderRecord)
                    {
                        pending.Push(node);
                    }
                }

                if (page.Items.Count < PageSize)
                {
                    break;
                }
            }
        }

        return top;
    }

    /// <summary>Counts entries while the selection is walked, so a huge tree is refused before it fills memory.</summary>
    private sealed class EntryBudget(int max, int used)
    {
        public void Take()
        {
            if (++used > max)
            {
                throw new ArchiveImpossibleException(
                    $"The selection holds more than {max} files and folders, more than one archive can hold. Select fewer, folder by folder.");
            }
        }
    }

    private sealed class Tree(NodeRecord node)
    {
        public NodeRecord Node { get; } = node;

        public List<Tree> Children { get; } = [];

        public IEnumerable<Tree> Descendants() => Children.SelectMany(c => c.Descendants().Prepend(c));
    }
}

/// <summary>The archive can never be made as asked (a damaged request, too large a selection, no room for it): the job fails at once.</summary>
internal sealed class ArchiveImpossibleException(string message, Exception? innerException = null) : Exception(message, innerException);
