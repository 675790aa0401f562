using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private async Task<string> SearchAsync(string ownerId, string text, NodeType? type = null, int skip = 0, int limit = 50)
    {
        var page = await Nodes.SearchAsync(ownerId, text, type, skip, limit, Ct);
        return $"{page.Total}: {string.Join(" | ", page.Items.Select(n => n.Name))}";
    }

    [ContractFact]
    public async Task Search_finds_the_owners_live_nodes_whose_name_contains_the_text_in_any_case_folders_first()
    {
        var owner = NewId();
        var reports = await CreatedAsync(NewFolder(owner, null, "Reports"));
        await CreatedAsync(NewFile(owner, reports.Id, "annual REPORT.txt"));
        await CreatedAsync(NewFile(owner, null, "report 2024.pdf"));
        await CreatedAsync(NewFolder(owner, reports.Id, "old reports"));
        await CreatedAsync(NewFile(owner, null, "unrelated.txt"));
        var trashed = await CreatedAsync(NewFile(owner, null, "report-trashed.txt"));
        await Nodes.TrashAsync(owner, trashed.Id, T(1), Ct);
        var trashedFolder = await CreatedAsync(NewFolder(owner, null, "gone"));
        await CreatedAsync(NewFile(owner, trashedFolder.Id, "report inside trash.txt"));
        await Nodes.TrashAsync(owner, trashedFolder.Id, T(1), Ct);
        await CreatedAsync(NewFile(NewId(), null, "report of someone else.txt"));

        Assert.Equal("4: old reports | Reports | annual REPORT.txt | report 2024.pdf", await SearchAsync(owner, "rEpOrT"));
        Assert.Equal("2: old reports | Reports", await SearchAsync(owner, "report", NodeType.Folder));
        Assert.Equal("2: annual REPORT.txt | report 2024.pdf", await SearchAsync(owner, "report", NodeType.File));
        Assert.Equal("1: annual REPORT.txt", await SearchAsync(owner, "AL REP"));
        Assert.Equal("0: ", await SearchAsync(owner, "reportx"));
        Assert.Equal("0: ", await SearchAsync(NewId(), "report"));
    }

    [ContractFact]
    public async Task Search_pages_by_skip_and_limit_with_the_total()
    {
        var owner = NewId();
        foreach (var name in new[] { "note-3", "note-1", "note-5", "note-2", "note-4" })
        {
            await CreatedAsync(NewFile(owner, null, name));
        }

        await CreatedAsync(NewFolder(owner, null, "notes"));

        Assert.Equal("6: notes | note-1", await SearchAsync(owner, "note", skip: 0, limit: 2));
        Assert.Equal("6: note-2 | note-3", await SearchAsync(owner, "note", skip: 2, limit: 2));
        Assert.Equal("6: note-4 | note-5", await SearchAsync(owner, "note", skip: 4, limit: 2));
        Assert.Equal("6: ", await SearchAsync(owner, "note", skip: 6, limit: 2));
        Assert.Equal("6: ", await SearchAsync(owner, "note", skip: 0, limit: 0));
        Assert.Equal("5: note-3 | note-4", await SearchAsync(owner, "note", NodeType.File, skip: 2, limit: 2));
    }

    [ContractFact]
    public async Task Search_text_is_literal_whatever_characters_it_holds()
    {
        var owner = NewId();
        var literal = new[] { "a.b(c)*.txt", "[x] brackets", "^$|+?{1}\\ symbols", "100% sure", "a_b underscore", "#1 hash" };
        var lookalikes = new[] { "aXb(c).txt", "abbc.txt", "x brackets", "symbols", "1000 sure", "aXb underscore", "1 hash", "a.bc.txt" };
        foreach (var name in literal.Concat(lookalikes))
        {
            await CreatedAsync(NewFile(owner, null, name));
        }

        Assert.Equal("1: a.b(c)*.txt", await SearchAsync(owner, "a.b(c)*"));
        Assert.Equal("1: [x] brackets", await SearchAsync(owner, "[x]"));
        Assert.Equal("1: ^$|+?{1}\\ symbols", await SearchAsync(owner, "^$|+?{1}\\"));
        Assert.Equal("1: 100% sure", await SearchAsync(owner, "100%"));
        Assert.Equal("1: a_b underscore", await SearchAsync(owner, "a_b"));
        Assert.Equal("1: #1 hash", await SearchAsync(owner, "#1 "));
        Assert.Equal("0: ", await SearchAsync(owner, ".*"));
    }

    [ContractFact]
    public async Task Search_compares_text_as_names_compare_after_nfc()
    {
        var owner = NewId();
        await CreatedAsync(NewFile(owner, null, "Mon Résumé.pdf"));
        await CreatedAsync(NewFile(owner, null, "Resume.pdf"));

        Assert.Equal("1: Mon Résumé.pdf", await SearchAsync(owner, "re\u0301sume\u0301"));
        Assert.Equal("1: Mon Résumé.pdf", await SearchAsync(owner, "RÉSUMÉ"));
        Assert.Equal("1: Resume.pdf", await SearchAsync(owner, "resume"));
    }
}
