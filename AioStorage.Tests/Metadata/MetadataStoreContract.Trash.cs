using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    /// <summary>P / A / A1 / a1.txt, P / A / a.txt, P / p.txt, and a sibling S / s.txt that must stay.</summary>
    private async Task<(string Owner, FolderRecord P, NodeRecord[] Subtree, NodeRecord[] Outside)> TreeAsync()
    {
        var owner = NewId();
        var p = await CreatedAsync(NewFolder(owner, null, "P"));
        var a = await CreatedAsync(NewFolder(owner, p.Id, "A"));
        var a1 = await CreatedAsync(NewFolder(owner, a.Id, "A1"));
        var a1File = await CreatedAsync(NewFile(owner, a1.Id, "a1.txt"));
        var aFile = await CreatedAsync(NewFile(owner, a.Id, "a.txt"));
        var pFile = await CreatedAsync(NewFile(owner, p.Id, "p.txt"));
        var s = await CreatedAsync(NewFolder(owner, null, "S"));
        var sFile = await CreatedAsync(NewFile(owner, s.Id, "s.txt"));
        return (owner, p, [p, a, a1, a1File, aFile, pFile], [s, sFile]);
    }

    private static string[] IdsOf(IEnumerable<NodeRecord> nodes) => [.. nodes.Select(n => n.Id).Order(StringComparer.Ordinal)];

    [ContractFact]
    public async Task Trashing_a_folder_trashes_its_whole_subtree_under_its_id()
    {
        var (owner, p, subtree, outside) = await TreeAsync();

        var trashed = await Nodes.TrashAsync(owner, p.Id, T(1), Ct);

        Assert.Equal(IdsOf(subtree), IdsOf(trashed));
        Assert.All(trashed, n =>
        {
            Assert.Equal(T(1), n.DeletedAt);
            Assert.Equal(p.Id, n.TrashId);
            Assert.True(n.IsTrashed);
        });
        foreach (var node in subtree)
        {
            var stored = await Nodes.GetAsync(owner, node.Id, Ct);
            Assert.Equal(p.Id, stored!.TrashId);
            Assert.Equal(node.Name, stored.Name);
            Assert.Equal(node.ParentId, stored.ParentId);
        }

        foreach (var node in outside)
        {
            Assert.Equal<NodeRecord?>(node, await Nodes.GetAsync(owner, node.Id, Ct));
        }

        Assert.Equal(["S"], await ChildNamesAsync(owner, null));
        Assert.Empty(await ChildNamesAsync(owner, p.Id));
        Assert.Empty(await ChildNamesAsync(owner, subtree[1].Id));
        Assert.Null(await Nodes.FindChildByNameAsync(owner, null, "P", Ct));
        await CreatedAsync(NewFolder(owner, null, "p"));
    }

    [ContractFact]
    public async Task Trashing_again_returns_the_same_group_and_keeps_the_first_time()
    {
        var (owner, p, subtree, _) = await TreeAsync();
        await Nodes.TrashAsync(owner, p.Id, T(1), Ct);

        var again = await Nodes.TrashAsync(owner, p.Id, T(2), Ct);

        Assert.Equal(IdsOf(subtree), IdsOf(again));
        Assert.All(again, n => Assert.Equal(T(1), n.DeletedAt));
    }

    [ContractFact]
    public async Task Trashing_again_completes_a_run_that_stopped_after_marking_the_folder()
    {
        // The state a crash leaves between the steps of a trash on a store without transactions: the folder and one
        // subfolder marked, what is under them still live. A child trashed on its own earlier must stay out of it.
        var owner = NewId();
        var marked = NewFolder(owner, null, "P");
        marked = await CreatedAsync(marked with { DeletedAt = T(1), TrashId = marked.Id });
        var live = await CreatedAsync(NewFolder(owner, marked.Id, "A"));
        var liveFile = await CreatedAsync(NewFile(owner, live.Id, "f.txt"));
        var markedChild = await CreatedAsync(NewFolder(owner, marked.Id, "B") with { DeletedAt = T(1), TrashId = marked.Id });
        var underMarkedChild = await CreatedAsync(NewFile(owner, markedChild.Id, "h.txt"));
        var onItsOwn = NewFile(owner, marked.Id, "own.txt");
        onItsOwn = await CreatedAsync(onItsOwn with { DeletedAt = T(0), TrashId = onItsOwn.Id });

        var trashed = await Nodes.TrashAsync(owner, marked.Id, T(2), Ct);

        Assert.Equal(IdsOf([marked, live, liveFile, markedChild, underMarkedChild]), IdsOf(trashed));
        Assert.All(trashed, n => Assert.Equal(marked.Id, n.TrashId));
        var times = trashed.ToDictionary(n => n.Id, n => n.DeletedAt);
        Assert.Equal(T(1), times[marked.Id]);
        Assert.Equal(T(1), times[markedChild.Id]);
        Assert.Equal(T(2), times[live.Id]);
        Assert.Equal(T(2), times[liveFile.Id]);
        Assert.Equal(T(2), times[underMarkedChild.Id]);
        Assert.Equal<NodeRecord?>(onItsOwn, await Nodes.GetAsync(owner, onItsOwn.Id, Ct));
    }

    [ContractFact]
    public async Task A_node_trashed_on_its_own_before_stays_in_its_own_group()
    {
        var (owner, p, subtree, _) = await TreeAsync();
        var a = subtree[1];
        var aGroup = await Nodes.TrashAsync(owner, a.Id, T(1), Ct);

        var pGroup = await Nodes.TrashAsync(owner, p.Id, T(2), Ct);

        Assert.Equal(IdsOf([subtree[1], subtree[2], subtree[3], subtree[4]]), IdsOf(aGroup));
        Assert.Equal(IdsOf([subtree[0], subtree[5]]), IdsOf(pGroup));
        var a1File = await Nodes.GetAsync(owner, subtree[3].Id, Ct);
        Assert.Equal(a.Id, a1File!.TrashId);
        Assert.Equal(T(1), a1File.DeletedAt);
        Assert.Empty(await Nodes.TrashAsync(owner, a1File.Id, T(3), Ct));
        Assert.Equal(a.Id, (await Nodes.GetAsync(owner, a1File.Id, Ct))!.TrashId);
    }

    [ContractFact]
    public async Task Trashing_a_file_trashes_just_that_file()
    {
        var owner = NewId();
        var folder = await CreatedAsync(NewFolder(owner, null, "Folder"));
        var file = await CreatedAsync(NewFile(owner, folder.Id, "one.txt"));
        await CreatedAsync(NewFile(owner, folder.Id, "two.txt"));

        var trashed = await Nodes.TrashAsync(owner, file.Id, T(1), Ct);

        Assert.Equal<NodeRecord>([file with { DeletedAt = T(1), TrashId = file.Id, UpdatedAt = T(1) }], trashed);
        Assert.Equal(["two.txt"], await ChildNamesAsync(owner, folder.Id));
    }

    [ContractFact]
    public async Task Trashing_someone_elses_or_a_missing_node_does_nothing()
    {
        var (owner, p, subtree, _) = await TreeAsync();

        Assert.Empty(await Nodes.TrashAsync(NewId(), p.Id, T(1), Ct));
        Assert.Empty(await Nodes.TrashAsync(owner, NewId(), T(1), Ct));

        foreach (var node in subtree)
        {
            Assert.Equal<NodeRecord?>(node, await Nodes.GetAsync(owner, node.Id, Ct));
        }
    }
}
