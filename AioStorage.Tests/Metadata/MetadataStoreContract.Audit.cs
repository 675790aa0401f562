using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private static AuditEventRecord NewEvent(string userId, string action, DateTimeOffset at, IReadOnlyDictionary<string, string>? details = null) =>
        new(NewId(), userId, action, NewId(), details ?? new Dictionary<string, string>(), "203.0.113.7", "tests/1.0", at);

    private static void AssertSameEvent(AuditEventRecord expected, AuditEventRecord actual)
    {
        Assert.Equal(expected with { Details = actual.Details }, actual);
        Assert.Equal(expected.Details.OrderBy(d => d.Key, StringComparer.Ordinal), actual.Details.OrderBy(d => d.Key, StringComparer.Ordinal));
    }

    [ContractFact]
    public async Task Audit_events_come_back_whole()
    {
        var user = NewId();
        var appended = NewEvent(user, "file.upload", T(1), new Dictionary<string, string>
        {
            ["name"] = "Résumé.pdf",
            ["path.with.dots"] = "a.b",
            ["$dollar"] = "$set",
            ["empty"] = string.Empty,
        }) with { ResourceId = null, IpAddress = null, UserAgent = null };

        await Audit.AppendAsync(appended, Ct);

        var page = await Audit.ListAsync(user, 0, 10, Ct);
        AssertSameEvent(appended, Assert.Single(page.Items));
        Assert.Equal(1, page.Total);
    }

    [ContractFact]
    public async Task Audit_events_list_newest_first_by_page_and_only_the_users_own()
    {
        var user = NewId();
        var other = NewId();
        var events = new List<AuditEventRecord>();
        foreach (var (action, second) in new[] { ("auth.login", 3), ("file.upload", 1), ("file.download", 5), ("share.create", 2), ("file.delete", 4) })
        {
            var e = NewEvent(user, action, T(second));
            events.Add(e);
            await Audit.AppendAsync(e, Ct);
        }

        await Audit.AppendAsync(NewEvent(other, "auth.login", T(9)), Ct);
        await Audit.AppendAsync(NewEvent(other, "auth.logout", T(10)), Ct);

        async Task<string> PageAsync(string userId, int skip, int limit)
        {
            var page = await Audit.ListAsync(userId, skip, limit, Ct);
            return $"{page.Total}: {string.Join(' ', page.Items.Select(e => e.Action))}";
        }

        Assert.Equal("5: file.download file.delete", await PageAsync(user, 0, 2));
        Assert.Equal("5: auth.login share.create", await PageAsync(user, 2, 2));
        Assert.Equal("5: file.upload", await PageAsync(user, 4, 2));
        Assert.Equal("5: ", await PageAsync(user, 5, 2));
        Assert.Equal("5: ", await PageAsync(user, 0, 0));
        Assert.Equal("2: auth.logout auth.login", await PageAsync(other, 0, 10));
        Assert.Equal("0: ", await PageAsync(NewId(), 0, 10));
        AssertSameEvent(events[2], (await Audit.ListAsync(user, 0, 1, Ct)).Items[0]);
    }

    [ContractFact]
    public async Task Audit_events_appended_as_a_batch_all_come_back_whole()
    {
        var user = NewId();
        var batch = Enumerable.Range(0, 40)
            .Select(i => NewEvent(user, $"file.download.{i}", T(i), new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                with { IpAddress = i % 2 == 0 ? null : "198.51.100.1" })
            .ToList();

        await Audit.AppendManyAsync(batch, Ct);
        await Audit.AppendManyAsync([], Ct);

        var page = await Audit.ListAsync(user, 0, 100, Ct);
        Assert.Equal(40, page.Total);
        foreach (var (expected, actual) in batch.AsEnumerable().Reverse().Zip(page.Items))
        {
            AssertSameEvent(expected, actual);
        }
    }

    [ContractFact]
    public async Task Audit_events_at_the_same_time_keep_one_order_across_pages()
    {
        var user = NewId();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var e = NewEvent(user, $"event.{i}", T(1));
            ids.Add(e.Id);
            await Audit.AppendAsync(e, Ct);
        }

        var paged = new List<string>();
        for (var skip = 0; skip < 6; skip += 4)
        {
            paged.AddRange((await Audit.ListAsync(user, skip, 4, Ct)).Items.Select(e => e.Id));
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal).Reverse(), paged);
    }
}
