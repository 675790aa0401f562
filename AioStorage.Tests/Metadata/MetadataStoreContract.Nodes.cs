using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [ContractFact]
    public async Task Folders_and_files_come_back_as_they_were_created()
    {
        var owner = NewId();
        var folder = await CreatedAsync(NewFolder(owner, null, "Documents", T(1), T(2)));
        var video = await CreatedAsync(NewFile(owner, folder.Id, "clip.mp4", 123_456_789_012, T(3), T(4)) with
        {
            MimeType = "video/mp4",
            Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            Status = FileStatus.Ready,
            StatusReason = "transcoded",
            CurrentVersionId = NewId(),
            Media = new MediaInfo("video/mp4", 1920, 1080, 12.5, "h264", "aac", 90),
        });
        var fresh = await CreatedAsync(NewFile(owner, folder.Id, "notes.txt"));

        Assert.Equal<NodeRecord>(folder, await Nodes.GetAsync(owner, folder.Id, Ct));
        Assert.Equal<NodeRecord>(video, await Nodes.GetAsync(owner, video.Id, Ct));
        var stored = Assert.IsType<FileRecord>(await Nodes.GetAsync(owner, fresh.Id, Ct));
        Assert.Equal(fresh, stored);
        Assert.Equal(FileStatus.Processing, stored.Status);
        Assert.Null(stored.Media);
    }

    [ContractFact]
    public async Task A_node_is_invisible_to_other_owners()
    {
        var owner = NewId();
        var folder = await CreatedAsync(NewFolder(owner, null, "Private"));

        Assert.Null(await Nodes.GetAsync(NewId(), folder.Id, Ct));
        Assert.Null(await Nodes.GetAsync(owner, NewId(), Ct));
        Assert.Null(await Nodes.FindChildByNameAsync(NewId(), null, "Private", Ct));
        Assert.Equal(0, (await Nodes.ListChildrenAsync(NewId(), null, new NodeListQuery(0, 10), Ct)).Total);
    }

    [ContractFact]
    public async Task Live_siblings_cannot_share_a_name_compared_case_insensitively_after_nfc()
    {
        var owner = NewId();
        var parent = await CreatedAsync(NewFolder(owner, null, "Projects"));
        await CreatedAsync(NewFile(owner, parent.Id, "Report.txt"));
        await CreatedAsync(NewFile(owner, parent.Id, "Caf\u00e9"));

        var clashes = new NodeRecord[]
        {
            NewFile(owner, parent.Id, "REPORT.TXT"),
            NewFolder(owner, parent.Id, "report.txt"),
            NewFile(owner, parent.Id, "Cafe\u0301"),
            NewFolder(owner, null, "PROJECTS"),
        };
        foreach (var clash in clashes)
        {
            var conflict = await Assert.ThrowsAsync<MetadataConflictException>(() => Nodes.CreateAsync(clash, Ct));
            Assert.Equal("name", conflict.Field);
            Assert.Null(await Nodes.GetAsync(owner, clash.Id, Ct));
        }

        Assert.Equal(["Café", "Report.txt"], await ChildNamesAsync(owner, parent.Id));
    }

    [ContractFact]
    public async Task The_same_name_is_fine_in_another_folder_or_for_another_owner()
    {
        var owner = NewId();
        var a = await CreatedAsync(NewFolder(owner, null, "a"));
        var b = await CreatedAsync(NewFolder(owner, null, "b"));

        await CreatedAsync(NewFile(owner, a.Id, "same.txt"));
        await CreatedAsync(NewFile(owner, b.Id, "same.txt"));
        await CreatedAsync(NewFile(owner, null, "same.txt"));
        await CreatedAsync(NewFolder(NewId(), null, "a"));

        Assert.Equal(["a", "b", "same.txt"], await ChildNamesAsync(owner, null));
    }

    [ContractFact]
    public async Task A_trashed_node_gives_its_name_up()
    {
        var owner = NewId();
        var old = await CreatedAsync(NewFolder(owner, null, "Old"));
        await Nodes.TrashAsync(owner, old.Id, T(1), Ct);

        var successor = await CreatedAsync(NewFolder(owner, null, "OLD"));

        Assert.Equal<NodeRecord?>(successor, await Nodes.FindChildByNameAsync(owner, null, "old", Ct));
        Assert.True((await Nodes.GetAsync(owner, old.Id, Ct))!.IsTrashed);
    }

    [ContractFact]
    public async Task A_child_is_found_by_name_as_names_compare()
    {
        var owner = NewId();
        var parent = await CreatedAsync(NewFolder(owner, null, "Docs"));
        var notes = await CreatedAsync(NewFile(owner, parent.Id, "Ré.MD"));
        var gone = await CreatedAsync(NewFile(owner, parent.Id, "gone.txt"));
        await Nodes.TrashAsync(owner, gone.Id, T(1), Ct);

        Assert.Equal<NodeRecord?>(notes, await Nodes.FindChildByNameAsync(owner, parent.Id, "re\u0301.md", Ct));
        Assert.Equal<NodeRecord?>(parent, await Nodes.FindChildByNameAsync(owner, null, "DOCS", Ct));
        Assert.Null(await Nodes.FindChildByNameAsync(owner, null, "ré.md", Ct));
        Assert.Null(await Nodes.FindChildByNameAsync(owner, parent.Id, "gone.txt", Ct));
        Assert.Null(await Nodes.FindChildByNameAsync(NewId(), parent.Id, "ré.md", Ct));
    }

    [ContractTheory]
    [InlineData(NodeSortField.Name, false, "Alpha beta a.txt B.txt c.txt")]
    [InlineData(NodeSortField.Name, true, "beta Alpha c.txt B.txt a.txt")]
    [InlineData(NodeSortField.Size, false, "Alpha beta B.txt a.txt c.txt")]
    [InlineData(NodeSortField.Size, true, "beta Alpha c.txt a.txt B.txt")]
    [InlineData(NodeSortField.CreatedAt, false, "beta Alpha c.txt B.txt a.txt")]
    [InlineData(NodeSortField.CreatedAt, true, "Alpha beta a.txt B.txt c.txt")]
    [InlineData(NodeSortField.UpdatedAt, false, "Alpha beta B.txt a.txt c.txt")]
    [InlineData(NodeSortField.UpdatedAt, true, "beta Alpha c.txt a.txt B.txt")]
    public async Task Listings_put_folders_first_then_sort_by_the_field(NodeSortField sort, bool descending, string expected)
    {
        var owner = NewId();
        var parent = await CreatedAsync(NewFolder(owner, null, "Listing"));
        await CreatedAsync(NewFile(owner, parent.Id, "c.txt", 30, T(2), T(9)));
        await CreatedAsync(NewFolder(owner, parent.Id, "beta", T(1), T(6)));
        await CreatedAsync(NewFile(owner, parent.Id, "a.txt", 20, T(5), T(8)));
        await CreatedAsync(NewFolder(owner, parent.Id, "Alpha", T(3), T(2)));
        await CreatedAsync(NewFile(owner, parent.Id, "B.txt", 10, T(4), T(7)));
        var trashed = await CreatedAsync(NewFile(owner, parent.Id, "0-trashed.txt", 1, T(0), T(0)));
        await Nodes.TrashAsync(owner, trashed.Id, T(10), Ct);
        var elsewhere = await CreatedAsync(NewFolder(owner, null, "Elsewhere"));
        await CreatedAsync(NewFile(owner, elsewhere.Id, "0-elsewhere.txt", 1, T(0), T(0)));

        var page = await Nodes.ListChildrenAsync(owner, parent.Id, new NodeListQuery(0, 50, sort, descending), Ct);

        Assert.Equal(expected, string.Join(' ', page.Items.Select(n => n.Name)));
        Assert.Equal(5, page.Total);
        Assert.Equal([NodeType.Folder, NodeType.Folder, NodeType.File, NodeType.File, NodeType.File], page.Items.Select(n => n.Type));
        Assert.IsType<FileRecord>(page.Items.Single(n => n.Name == "c.txt"));
        Assert.Equal(30, ((FileRecord)page.Items.Single(n => n.Name == "c.txt")).Size);
    }

    [ContractFact]
    public async Task Listings_page_by_skip_and_limit_with_the_total_of_live_children()
    {
        var owner = NewId();
        var parent = await CreatedAsync(NewFolder(owner, null, "Paged"));
        foreach (var name in new[] { "f3", "d2", "f1", "d1", "f4", "f2", "d3" })
        {
            await Nodes.CreateAsync(name.StartsWith('d') ? NewFolder(owner, parent.Id, name) : NewFile(owner, parent.Id, name), Ct);
        }

        async Task<string> PageAsync(int skip, int limit)
        {
            var page = await Nodes.ListChildrenAsync(owner, parent.Id, new NodeListQuery(skip, limit), Ct);
            return $"{page.Total}: {string.Join(' ', page.Items.Select(n => n.Name))}";
        }

        Assert.Equal("7: d1 d2 d3", await PageAsync(0, 3));
        Assert.Equal("7: f1 f2 f3", await PageAsync(3, 3));
        Assert.Equal("7: f4", await PageAsync(6, 3));
        Assert.Equal("7: ", await PageAsync(9, 3));
        Assert.Equal("7: ", await PageAsync(0, 0));

        var f2 = await Nodes.FindChildByNameAsync(owner, parent.Id, "f2", Ct);
        await Nodes.TrashAsync(owner, f2!.Id, T(1), Ct);
        Assert.Equal("6: f1 f3 f4", await PageAsync(3, 3));
    }

    [ContractFact]
    public async Task Listings_can_be_restricted_to_folders_or_to_files()
    {
        var owner = NewId();
        var parent = await CreatedAsync(NewFolder(owner, null, "Mixed"));
        foreach (var name in new[] { "f3", "d2", "f1", "d1", "f2" })
        {
            await Nodes.CreateAsync(name.StartsWith('d') ? NewFolder(owner, parent.Id, name) : NewFile(owner, parent.Id, name), Ct);
        }

        async Task<string> PageAsync(NodeType? type, int skip, int limit, bool descending = false)
        {
            var page = await Nodes.ListChildrenAsync(owner, parent.Id, new NodeListQuery(skip, limit, NodeSortField.Name, descending, type), Ct);
            return $"{page.Total}: {string.Join(' ', page.Items.Select(n => n.Name))}";
        }

        Assert.Equal("2: d1 d2", await PageAsync(NodeType.Folder, 0, 10));
        Assert.Equal("3: f1 f2 f3", await PageAsync(NodeType.File, 0, 10));
        Assert.Equal("3: f2", await PageAsync(NodeType.File, 1, 1));
        Assert.Equal("3: f3 f2 f1", await PageAsync(NodeType.File, 0, 10, descending: true));
        Assert.Equal("5: d1 d2 f1 f2 f3", await PageAsync(null, 0, 10));
    }

    [ContractFact]
    public async Task The_root_lists_only_the_owners_top_level_nodes()
    {
        var owner = NewId();
        var top = await CreatedAsync(NewFolder(owner, null, "Top"));
        await CreatedAsync(NewFile(owner, top.Id, "inside.txt"));
        await CreatedAsync(NewFile(owner, null, "loose.txt"));
        await CreatedAsync(NewFile(NewId(), null, "someone-else.txt"));

        Assert.Equal(["Top", "loose.txt"], await ChildNamesAsync(owner, null));
    }

    [ContractFact]
    public async Task Ancestors_run_from_the_top_down_to_the_parent()
    {
        var owner = NewId();
        var a = await CreatedAsync(NewFolder(owner, null, "a"));
        var b = await CreatedAsync(NewFolder(owner, a.Id, "b"));
        var c = await CreatedAsync(NewFolder(owner, b.Id, "c"));
        var d = await CreatedAsync(NewFolder(owner, c.Id, "d"));
        var e = await CreatedAsync(NewFile(owner, d.Id, "e.txt"));

        Assert.Equal([a, b, c], await Nodes.GetAncestorsAsync(owner, d.Id, Ct));
        Assert.Equal([a, b, c, d], await Nodes.GetAncestorsAsync(owner, e.Id, Ct));
        Assert.Equal([a], await Nodes.GetAncestorsAsync(owner, b.Id, Ct));
        Assert.Empty(await Nodes.GetAncestorsAsync(owner, a.Id, Ct));
        Assert.Empty(await Nodes.GetAncestorsAsync(NewId(), d.Id, Ct));
        Assert.Empty(await Nodes.GetAncestorsAsync(owner, NewId(), Ct));
    }

    [ContractFact]
    public async Task A_node_is_renamed_in_place_even_to_another_case_of_its_own_name()
    {
        var owner = NewId();
        var folder = await CreatedAsync(NewFolder(owner, null, "A"));
        var file = await CreatedAsync(NewFile(owner, folder.Id, "x.txt", 42, T(1)));

        var renamed = await Nodes.RenameOrMoveAsync(owner, file.Id, "X2.txt", folder.Id, T(5), Ct);
        var recased = await Nodes.RenameOrMoveAsync(owner, file.Id, "x2.TXT", folder.Id, T(6), Ct);

        Assert.Equal<NodeRecord?>(file with { Name = "X2.txt", UpdatedAt = T(5) }, renamed);
        Assert.Equal<NodeRecord?>(file with { Name = "x2.TXT", UpdatedAt = T(6) }, recased);
        Assert.Equal<NodeRecord?>(recased, await Nodes.GetAsync(owner, file.Id, Ct));
        Assert.Equal(["x2.TXT"], await ChildNamesAsync(owner, folder.Id));
    }

    [ContractFact]
    public async Task A_node_moves_between_folders_and_to_the_root()
    {
        var owner = NewId();
        var a = await CreatedAsync(NewFolder(owner, null, "A"));
        var b = await CreatedAsync(NewFolder(owner, null, "B"));
        var file = await CreatedAsync(NewFile(owner, a.Id, "x.txt"));

        var moved = await Nodes.RenameOrMoveAsync(owner, file.Id, "x.txt", b.Id, T(1), Ct);
        Assert.Equal(b.Id, moved!.ParentId);
        Assert.Empty(await ChildNamesAsync(owner, a.Id));
        Assert.Equal(["x.txt"], await ChildNamesAsync(owner, b.Id));

        var toRoot = await Nodes.RenameOrMoveAsync(owner, a.Id, "A at the top", null, T(2), Ct);
        Assert.Null(toRoot!.ParentId);
        Assert.Equal(["A at the top", "B"], await ChildNamesAsync(owner, null));
    }

    [ContractFact]
    public async Task A_move_onto_a_live_name_is_a_conflict_and_changes_nothing_but_a_trashed_name_is_free()
    {
        var owner = NewId();
        var a = await CreatedAsync(NewFolder(owner, null, "A"));
        var b = await CreatedAsync(NewFolder(owner, null, "B"));
        var x = await CreatedAsync(NewFile(owner, a.Id, "x.txt"));
        var y = await CreatedAsync(NewFile(owner, b.Id, "y.txt"));

        var conflict = await Assert.ThrowsAsync<MetadataConflictException>(() => Nodes.RenameOrMoveAsync(owner, x.Id, "Y.TXT", b.Id, T(1), Ct));
        Assert.Equal("name", conflict.Field);
        Assert.Equal<NodeRecord?>(x, await Nodes.GetAsync(owner, x.Id, Ct));
        var sibling = await Assert.ThrowsAsync<MetadataConflictException>(() => Nodes.RenameOrMoveAsync(owner, a.Id, "b", null, T(1), Ct));
        Assert.Equal("name", sibling.Field);

        await Nodes.TrashAsync(owner, y.Id, T(2), Ct);
        var moved = await Nodes.RenameOrMoveAsync(owner, x.Id, "Y.TXT", b.Id, T(3), Ct);
        Assert.Equal("Y.TXT", moved!.Name);
    }

    [ContractFact]
    public async Task Only_the_owners_live_nodes_can_be_renamed_or_moved()
    {
        var owner = NewId();
        var file = await CreatedAsync(NewFile(owner, null, "mine.txt"));
        var trashed = await CreatedAsync(NewFile(owner, null, "trashed.txt"));
        await Nodes.TrashAsync(owner, trashed.Id, T(1), Ct);

        Assert.Null(await Nodes.RenameOrMoveAsync(NewId(), file.Id, "stolen.txt", null, T(2), Ct));
        Assert.Null(await Nodes.RenameOrMoveAsync(owner, NewId(), "ghost.txt", null, T(2), Ct));
        Assert.Null(await Nodes.RenameOrMoveAsync(owner, trashed.Id, "revived.txt", null, T(2), Ct));
        Assert.Equal<NodeRecord?>(file, await Nodes.GetAsync(owner, file.Id, Ct));
        Assert.Equal("trashed.txt", (await Nodes.GetAsync(owner, trashed.Id, Ct))!.Name);
    }
}
