using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private async Task<string> TrashPageAsync(string ownerId, int skip, int limit)
    {
        var page = await Nodes.ListTrashAsync(ownerId, skip, limit, Ct);
        return $"{page.Total}: {string.Join(' ', page.Items.Select(n => n.Name))}";
    }

    [ContractFact]
    public async Task The_trash_lists_what_the_user_trashed_most_recently_deleted_first_by_page()
    {
        var (owner, p, _, _) = await TreeAsync();
        var loose = await CreatedAsync(NewFile(owner, null, "loose.txt"));
        var early = await CreatedAsync(NewFolder(owner, null, "early"));
        var same1 = await CreatedAsync(NewFile(owner, null, "same-time-1.txt"));
        var same2 = await CreatedAsync(NewFile(owner, null, "same-time-2.txt"));
        await CreatedAsync(NewFile(owner, null, "still-live.txt"));
        var someoneElses = NewId();
        var theirs = await CreatedAsync(NewFile(someoneElses, null, "theirs.txt"));
        await Nodes.TrashAsync(owner, early.Id, T(1), Ct);
        await Nodes.TrashAsync(owner, p.Id, T(5), Ct);
        await Nodes.TrashAsync(owner, loose.Id, T(3), Ct);
        await Nodes.TrashAsync(owner, same1.Id, T(2), Ct);
        await Nodes.TrashAsync(owner, same2.Id, T(2), Ct);
        await Nodes.TrashAsync(someoneElses, theirs.Id, T(9), Ct);

        // P's members (A, A1, the files) are in the trash too, but only as part of P.
        var sameTime = string.Join(' ', new[] { same1, same2 }.OrderByDescending(n => n.Id, StringComparer.Ordinal).Select(n => n.Name));
        Assert.Equal($"5: P loose.txt {sameTime} early", await TrashPageAsync(owner, 0, 10));
        Assert.Equal("5: P loose.txt", await TrashPageAsync(owner, 0, 2));
        Assert.Equal($"5: {sameTime}", await TrashPageAsync(owner, 2, 2));
        Assert.Equal("5: early", await TrashPageAsync(owner, 4, 2));
        Assert.Equal("5: ", await TrashPageAsync(owner, 6, 2));
        Assert.Equal("5: ", await TrashPageAsync(owner, 0, 0));
        Assert.Equal("1: theirs.txt", await TrashPageAsync(someoneElses, 0, 10));
        Assert.Equal("0: ", await TrashPageAsync(NewId(), 0, 10));
        var listed = (await Nodes.ListTrashAsync(owner, 0, 1, Ct)).Items.Single();
        Assert.Equal(p.Id, listed.TrashId);
        Assert.Equal(T(5), listed.DeletedAt);
    }

    [ContractFact]
    public async Task A_trash_group_holds_the_root_and_everything_trashed_with_it_and_nothing_else()
    {
        var (owner, p, subtree, outside) = await TreeAsync();
        var a = subtree[1];
        await Nodes.TrashAsync(owner, a.Id, T(1), Ct);
        await Nodes.TrashAsync(owner, p.Id, T(2), Ct);
        await Nodes.TrashAsync(owner, outside[1].Id, T(3), Ct);

        Assert.Equal(IdsOf([subtree[0], subtree[5]]), IdsOf(await Nodes.GetTrashGroupAsync(owner, p.Id, Ct)));
        Assert.Equal(IdsOf([subtree[1], subtree[2], subtree[3], subtree[4]]), IdsOf(await Nodes.GetTrashGroupAsync(owner, a.Id, Ct)));
        Assert.All(await Nodes.GetTrashGroupAsync(owner, a.Id, Ct), n => Assert.Equal(T(1), n.DeletedAt));
        Assert.Empty(await Nodes.GetTrashGroupAsync(NewId(), p.Id, Ct));
        Assert.Empty(await Nodes.GetTrashGroupAsync(owner, outside[0].Id, Ct));
        Assert.Empty(await Nodes.GetTrashGroupAsync(owner, NewId(), Ct));
    }

    [ContractFact]
    public async Task Restoring_brings_the_whole_group_back_where_it_was()
    {
        var (owner, p, subtree, _) = await TreeAsync();
        await Nodes.TrashAsync(owner, p.Id, T(1), Ct);

        var restored = await Nodes.RestoreAsync(owner, p.Id, null, "P", T(2), Ct);

        Assert.Equal<NodeRecord?>(p with { UpdatedAt = T(2) }, restored);
        foreach (var node in subtree)
        {
            Assert.Equal<NodeRecord?>(node with { UpdatedAt = T(2) }, await Nodes.GetAsync(owner, node.Id, Ct));
        }

        Assert.Equal(["P", "S"], await ChildNamesAsync(owner, null));
        Assert.Equal(["A", "p.txt"], await ChildNamesAsync(owner, p.Id));
        Assert.Equal(["A1", "a.txt"], await ChildNamesAsync(owner, subtree[1].Id));
        Assert.Equal("0: ", await TrashPageAsync(owner, 0, 10));
        Assert.Empty(await Nodes.GetTrashGroupAsync(owner, p.Id, Ct));
        Assert.Null(await Nodes.RestoreAsync(owner, p.Id, null, "P", T(3), Ct));
    }

    [ContractFact]
    public async Task Restoring_can_put_the_root_under_another_parent_and_name_while_the_members_keep_their_parents()
    {
        var (owner, p, subtree, outside) = await TreeAsync();
        var s = outside[0];
        await Nodes.TrashAsync(owner, p.Id, T(1), Ct);
        await CreatedAsync(NewFolder(owner, null, "P"));

        var restored = await Nodes.RestoreAsync(owner, p.Id, s.Id, "P (restored)", T(2), Ct);

        Assert.Equal<NodeRecord?>(p with { ParentId = s.Id, Name = "P (restored)", UpdatedAt = T(2) }, restored);
        Assert.Equal(["P (restored)", "s.txt"], await ChildNamesAsync(owner, s.Id));
        foreach (var member in subtree.Skip(1))
        {
            var stored = await Nodes.GetAsync(owner, member.Id, Ct);
            Assert.Equal(member.ParentId, stored!.ParentId);
            Assert.Null(stored.DeletedAt);
            Assert.Null(stored.TrashId);
        }

        Assert.Equal([s.Id, p.Id, subtree[1].Id, subtree[2].Id], (await Nodes.GetAncestorsAsync(owner, subtree[3].Id, Ct)).Select(f => f.Id));
    }

    [ContractFact]
    public async Task Restoring_onto_a_live_name_is_a_conflict_and_leaves_the_group_in_the_trash()
    {
        var (owner, p, subtree, _) = await TreeAsync();
        await Nodes.TrashAsync(owner, p.Id, T(1), Ct);
        var taken = await CreatedAsync(NewFile(owner, null, "p"));

        var conflict = await Assert.ThrowsAsync<MetadataConflictException>(() => Nodes.RestoreAsync(owner, p.Id, null, "P", T(2), Ct));

        Assert.Equal("name", conflict.Field);
        var group = await Nodes.GetTrashGroupAsync(owner, p.Id, Ct);
        Assert.Equal(IdsOf(subtree), IdsOf(group));
        Assert.All(group, n => Assert.Equal(T(1), n.DeletedAt));
        Assert.Equal("1: P", await TrashPageAsync(owner, 0, 10));
        Assert.Equal<NodeRecord?>(taken, await Nodes.GetAsync(owner, taken.Id, Ct));
        Assert.Equal("P (2)", (await Nodes.RestoreAsync(owner, p.Id, null, "P (2)", T(3), Ct))?.Name);
        Assert.Equal(["P (2)", "S", "p"], await ChildNamesAsync(owner, null));
    }

    [ContractFact]
    public async Task Restoring_again_completes_a_restore_that_stopped_after_some_members()
    {
        // The state a crash leaves in a restore on a store without transactions: the root still a trash root, one
        // member already back (live, no trash id), the others still in the group.
        var owner = NewId();
        var root = NewFolder(owner, null, "Root");
        root = await CreatedAsync(root with { DeletedAt = T(1), UpdatedAt = T(1), TrashId = root.Id });
        var back = await CreatedAsync(NewFolder(owner, root.Id, "back", T0, T(2)));
        var underBack = await CreatedAsync(NewFile(owner, back.Id, "under-back.txt") with { DeletedAt = T(1), UpdatedAt = T(1), TrashId = root.Id });
        var waiting = await CreatedAsync(NewFile(owner, root.Id, "waiting.txt") with { DeletedAt = T(1), UpdatedAt = T(1), TrashId = root.Id });
        var ownGroup = NewFile(owner, root.Id, "own.txt");
        ownGroup = await CreatedAsync(ownGroup with { DeletedAt = T(0), UpdatedAt = T(0), TrashId = ownGroup.Id });
        Assert.Equal("2: Root own.txt", await TrashPageAsync(owner, 0, 10));

        var restored = await Nodes.RestoreAsync(owner, root.Id, null, "Root", T(3), Ct);

        Assert.Equal<NodeRecord?>(root with { DeletedAt = null, TrashId = null, UpdatedAt = T(3) }, restored);
        Assert.Equal<NodeRecord?>(back, await Nodes.GetAsync(owner, back.Id, Ct));
        Assert.Equal<NodeRecord?>(underBack with { DeletedAt = null, TrashId = null, UpdatedAt = T(3) }, await Nodes.GetAsync(owner, underBack.Id, Ct));
        Assert.Equal<NodeRecord?>(waiting with { DeletedAt = null, TrashId = null, UpdatedAt = T(3) }, await Nodes.GetAsync(owner, waiting.Id, Ct));
        Assert.Equal<NodeRecord?>(ownGroup, await Nodes.GetAsync(owner, ownGroup.Id, Ct));
        Assert.Equal(["back", "waiting.txt"], await ChildNamesAsync(owner, root.Id));
        Assert.Equal("1: own.txt", await TrashPageAsync(owner, 0, 10));
    }

    [ContractFact]
    public async Task A_member_trashed_on_its_own_before_stays_in_the_trash_when_its_folder_comes_back()
    {
        var (owner, p, subtree, _) = await TreeAsync();
        var a = subtree[1];
        await Nodes.TrashAsync(owner, a.Id, T(1), Ct);
        await Nodes.TrashAsync(owner, p.Id, T(2), Ct);

        await Nodes.RestoreAsync(owner, p.Id, null, "P", T(3), Ct);

        Assert.Equal(["p.txt"], await ChildNamesAsync(owner, p.Id));
        Assert.Equal("1: A", await TrashPageAsync(owner, 0, 10));
        Assert.All(await Nodes.GetTrashGroupAsync(owner, a.Id, Ct), n => Assert.Equal(T(1), n.DeletedAt));
        Assert.Equal(4, (await Nodes.GetTrashGroupAsync(owner, a.Id, Ct)).Count);
    }

    [ContractFact]
    public async Task A_clash_inside_the_group_is_a_conflict_and_leaves_the_group_whole_in_the_trash()
    {
        // A live node under a trashed folder (left by a crash in the middle of a trash) holds the name a member needs.
        // Whatever the store did before it hit the clash, the group must end up whole in the trash again.
        var owner = NewId();
        var root = NewFolder(owner, null, "Root");
        root = await CreatedAsync(root with { DeletedAt = T(1), UpdatedAt = T(1), TrashId = root.Id });
        var members = new List<NodeRecord>();
        for (var i = 0; i < 5; i++)
        {
            members.Add(await CreatedAsync(NewFile(owner, root.Id, $"m{i}.txt") with { DeletedAt = T(1), UpdatedAt = T(1), TrashId = root.Id }));
        }

        var clashing = await CreatedAsync(NewFile(owner, root.Id, "clash.txt") with { DeletedAt = T(1), UpdatedAt = T(1), TrashId = root.Id });
        await CreatedAsync(NewFile(owner, root.Id, "CLASH.txt"));

        var conflict = await Assert.ThrowsAsync<MetadataConflictException>(() => Nodes.RestoreAsync(owner, root.Id, null, "Root", T(2), Ct));

        Assert.Equal("name", conflict.Field);
        Assert.Equal("1: Root", await TrashPageAsync(owner, 0, 10));
        var group = (await Nodes.GetTrashGroupAsync(owner, root.Id, Ct)).ToDictionary(n => n.Id);
        foreach (var node in members.Append(clashing).Append(root))
        {
            Assert.True(group.TryGetValue(node.Id, out var stored), $"{node.Name} left the group");
            Assert.Equal(T(1), stored.DeletedAt);
        }
    }

    [ContractFact]
    public async Task Only_a_group_in_the_owners_trash_can_be_restored()
    {
        var (owner, p, subtree, outside) = await TreeAsync();
        await Nodes.TrashAsync(owner, p.Id, T(1), Ct);

        Assert.Null(await Nodes.RestoreAsync(NewId(), p.Id, null, "P", T(2), Ct));
        Assert.Null(await Nodes.RestoreAsync(owner, NewId(), null, "P", T(2), Ct));
        Assert.Null(await Nodes.RestoreAsync(owner, subtree[1].Id, null, "A", T(2), Ct));
        Assert.Null(await Nodes.RestoreAsync(owner, outside[0].Id, null, "S2", T(2), Ct));

        Assert.Equal(IdsOf(subtree), IdsOf(await Nodes.GetTrashGroupAsync(owner, p.Id, Ct)));
        Assert.Equal<NodeRecord?>(outside[0], await Nodes.GetAsync(owner, outside[0].Id, Ct));
    }

    [ContractFact]
    public async Task A_node_is_deleted_for_good_and_returned_to_exactly_one_of_eight_callers()
    {
        var owner = NewId();
        var file = await CreatedAsync(NewFile(owner, null, "purge-me.txt", 42));
        var kept = await CreatedAsync(NewFile(owner, null, "kept.txt"));

        Assert.Null(await Nodes.DeleteAsync(NewId(), file.Id, Ct));
        var results = await InParallelResults(8, _ => Nodes.DeleteAsync(owner, file.Id, Ct));

        Assert.Equal<NodeRecord?>(file, Assert.Single(results, r => r is not null));
        Assert.Null(await Nodes.GetAsync(owner, file.Id, Ct));
        Assert.Null(await Nodes.DeleteAsync(owner, file.Id, Ct));
        Assert.Equal<NodeRecord?>(kept, await Nodes.GetAsync(owner, kept.Id, Ct));
    }

    [ContractFact]
    public async Task Retention_lists_the_trash_roots_of_every_user_deleted_before_the_cutoff_oldest_first()
    {
        var stores = await FreshStoresAsync();
        var alice = NewId();
        var bob = NewId();
        async Task<NodeRecord> TrashedAsync(NodeRecord node, int second)
        {
            await stores.Nodes.CreateAsync(node, Ct);
            await stores.Nodes.TrashAsync(node.OwnerId, node.Id, T(second), Ct);
            return (await stores.Nodes.GetAsync(node.OwnerId, node.Id, Ct))!;
        }

        var aliceFolder = NewFolder(alice, null, "alice-folder");
        var inside = NewFile(alice, aliceFolder.Id, "inside.txt");
        await stores.Nodes.CreateAsync(inside, Ct);
        var aliceRoot = await TrashedAsync(aliceFolder, 3);
        Assert.Equal(aliceFolder.Id, (await stores.Nodes.GetAsync(alice, inside.Id, Ct))!.TrashId);
        var bobOld = await TrashedAsync(NewFile(bob, null, "bob-old.txt"), 1);
        var aliceMiddle = await TrashedAsync(NewFile(alice, null, "alice-middle.txt"), 2);
        await TrashedAsync(NewFile(bob, null, "at-the-cutoff.txt"), 4);
        await TrashedAsync(NewFile(alice, null, "after.txt"), 5);
        await stores.Nodes.CreateAsync(NewFile(bob, null, "live.txt"), Ct);

        Assert.Equal([bobOld, aliceMiddle, aliceRoot], await stores.Nodes.ListTrashDeletedBeforeAsync(T(4), 10, Ct));
        Assert.Equal([bobOld, aliceMiddle], await stores.Nodes.ListTrashDeletedBeforeAsync(T(4), 2, Ct));
        Assert.Empty(await stores.Nodes.ListTrashDeletedBeforeAsync(T(4), 0, Ct));
        Assert.Empty(await stores.Nodes.ListTrashDeletedBeforeAsync(T(1), 10, Ct));
        Assert.Equal(5, (await stores.Nodes.ListTrashDeletedBeforeAsync(T(6), 10, Ct)).Count);
    }
}
