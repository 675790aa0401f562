using System.Collections.Concurrent;
using AioStorage.Core.Metadata;

namespace AioStorage.Tests.Metadata;

// The outbox is not scoped by owner, so every test here works on a database of its own.
public abstract partial class MetadataStoreContract
{
    private static OutboxMessageRecord NewMessage(DateTimeOffset createdAt, DateTimeOffset? nextAttemptAt = null) =>
        new(NewId(), "file.upload", "FileUploaded", $$"""{"fileId":"{{NewId()}}"}""", new Dictionary<string, string>(),
            createdAt, 0, nextAttemptAt ?? createdAt, null, null);

    private static void AssertSameMessage(OutboxMessageRecord expected, OutboxMessageRecord actual)
    {
        Assert.Equal(expected with { Headers = actual.Headers }, actual);
        Assert.Equal(expected.Headers.OrderBy(h => h.Key, StringComparer.Ordinal), actual.Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
    }

    private static string[] MessageIds(IEnumerable<OutboxMessageRecord> messages) => [.. messages.Select(m => m.Id)];

    [ContractFact]
    public async Task A_claimed_message_comes_back_whole_and_leased_so_that_nobody_else_gets_it_until_the_lease_ends()
    {
        var stores = await FreshStoresAsync();
        var message = NewMessage(T(1)) with
        {
            Headers = new Dictionary<string, string> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["x.dotted"] = "1", ["$dollar"] = "2" },
        };
        await stores.Outbox.AddAsync(message, Ct);

        var claimed = await stores.Outbox.ClaimDueAsync(T(2), T(32), 10, Ct);

        AssertSameMessage(message with { NextAttemptAt = T(32) }, Assert.Single(claimed));
        Assert.Empty(await stores.Outbox.ClaimDueAsync(T(2), T(32), 10, Ct));
        Assert.Empty(await stores.Outbox.ClaimDueAsync(T(31), T(61), 10, Ct));
        AssertSameMessage(message with { NextAttemptAt = T(62) }, Assert.Single(await stores.Outbox.ClaimDueAsync(T(32), T(62), 10, Ct)));
        var reused = await Assert.ThrowsAsync<MetadataConflictException>(() => stores.Outbox.AddAsync(NewMessage(T(1)) with { Id = message.Id }, Ct));
        Assert.Equal("id", reused.Field);
    }

    [ContractFact]
    public async Task Claims_take_the_oldest_due_messages_up_to_the_limit()
    {
        var stores = await FreshStoresAsync();
        var second3 = NewMessage(T(3));
        var second1 = NewMessage(T(1));
        var notDue = NewMessage(T(0), nextAttemptAt: T(20));
        var second2 = NewMessage(T(2));
        var second4 = NewMessage(T(4));
        var sent = NewMessage(T(0)) with { SentAt = T(1) };
        foreach (var message in new[] { second3, second1, notDue, second2, second4, sent })
        {
            await stores.Outbox.AddAsync(message, Ct);
        }

        Assert.Empty(await stores.Outbox.ClaimDueAsync(T(10), T(40), 0, Ct));
        Assert.Equal(MessageIds([second1, second2]), MessageIds(await stores.Outbox.ClaimDueAsync(T(10), T(40), 2, Ct)));
        Assert.Equal(MessageIds([second3, second4]), MessageIds(await stores.Outbox.ClaimDueAsync(T(10), T(40), 10, Ct)));
        Assert.Equal(MessageIds([notDue]), MessageIds(await stores.Outbox.ClaimDueAsync(T(20), T(50), 10, Ct)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => stores.Outbox.ClaimDueAsync(T(50), T(50), 10, Ct));
    }

    [ContractFact]
    public async Task Four_dispatchers_claiming_at_once_get_each_of_forty_messages_exactly_once()
    {
        var database = Fixture.NewDatabase();
        var api = Fixture.Open(database);
        var otherReplica = Fixture.Open(database);
        await api.Initializer.InitializeAsync(Ct);
        var messages = Enumerable.Range(0, 40).Select(i => NewMessage(T(i % 7))).ToList();
        foreach (var message in messages)
        {
            await api.Outbox.AddAsync(message, Ct);
        }

        var claims = new ConcurrentBag<string>();
        await InParallel(4, async dispatcher =>
        {
            var outbox = dispatcher % 2 == 0 ? api.Outbox : otherReplica.Outbox;
            while (await outbox.ClaimDueAsync(T(10), T(100), 3, Ct) is { Count: > 0 } batch)
            {
                foreach (var claimed in batch)
                {
                    claims.Add(claimed.Id);
                }
            }
        });

        Assert.Equal(messages.Select(m => m.Id).Order(StringComparer.Ordinal), claims.Order(StringComparer.Ordinal));
    }

    [ContractFact]
    public async Task A_sent_message_is_no_longer_pending_nor_claimed_and_keeps_the_first_sent_time()
    {
        var stores = await FreshStoresAsync();
        var first = NewMessage(T(1));
        var second = NewMessage(T(2));
        var third = NewMessage(T(3));
        foreach (var message in new[] { first, second, third })
        {
            await stores.Outbox.AddAsync(message, Ct);
        }

        Assert.Equal(3, await stores.Outbox.CountPendingAsync(Ct));

        await stores.Outbox.MarkSentAsync(first.Id, T(5), Ct);
        await stores.Outbox.MarkSentAsync(first.Id, T(20), Ct);
        await stores.Outbox.MarkSentAsync(NewId(), T(5), Ct);

        Assert.Equal(2, await stores.Outbox.CountPendingAsync(Ct));
        Assert.Equal(MessageIds([second, third]), MessageIds(await stores.Outbox.ClaimDueAsync(T(10), T(40), 10, Ct)));
        Assert.Equal(1, await stores.Outbox.DeleteSentBeforeAsync(T(6), Ct));
    }

    [ContractFact]
    public async Task A_failed_attempt_is_counted_with_its_error_and_the_message_waits_until_its_next_attempt()
    {
        var stores = await FreshStoresAsync();
        var message = NewMessage(T(1));
        await stores.Outbox.AddAsync(message, Ct);
        await stores.Outbox.ClaimDueAsync(T(1), T(31), 10, Ct);

        await stores.Outbox.RecordFailureAsync(message.Id, "broker unreachable", T(40), Ct);
        Assert.Empty(await stores.Outbox.ClaimDueAsync(T(39), T(69), 10, Ct));
        AssertSameMessage(
            message with { Attempts = 1, LastError = "broker unreachable", NextAttemptAt = T(70) },
            Assert.Single(await stores.Outbox.ClaimDueAsync(T(40), T(70), 10, Ct)));

        await stores.Outbox.RecordFailureAsync(message.Id, "channel closed", T(80), Ct);
        AssertSameMessage(
            message with { Attempts = 2, LastError = "channel closed", NextAttemptAt = T(110) },
            Assert.Single(await stores.Outbox.ClaimDueAsync(T(80), T(110), 10, Ct)));
        Assert.Equal(1, await stores.Outbox.CountPendingAsync(Ct));

        await stores.Outbox.MarkSentAsync(message.Id, T(111), Ct);
        await stores.Outbox.RecordFailureAsync(message.Id, "late failure of a duplicate", T(120), Ct);
        Assert.Equal(0, await stores.Outbox.CountPendingAsync(Ct));
        Assert.Empty(await stores.Outbox.ClaimDueAsync(T(500), T(530), 10, Ct));
    }

    [ContractFact]
    public async Task Messages_sent_before_the_cutoff_are_deleted_and_the_rest_kept()
    {
        var stores = await FreshStoresAsync();
        var early = NewMessage(T(1)) with { SentAt = T(2) };
        var alsoEarly = NewMessage(T(1)) with { SentAt = T(3) };
        var atTheCutoff = NewMessage(T(1)) with { SentAt = T(5) };
        var pending = NewMessage(T(1), nextAttemptAt: T(100));
        foreach (var message in new[] { early, alsoEarly, atTheCutoff, pending })
        {
            await stores.Outbox.AddAsync(message, Ct);
        }

        Assert.Equal(2, await stores.Outbox.DeleteSentBeforeAsync(T(5), Ct));
        Assert.Equal(0, await stores.Outbox.DeleteSentBeforeAsync(T(5), Ct));
        Assert.Equal(1, await stores.Outbox.CountPendingAsync(Ct));
        Assert.Equal(1, await stores.Outbox.DeleteSentBeforeAsync(T(6), Ct));
        Assert.Equal(MessageIds([pending]), MessageIds(await stores.Outbox.ClaimDueAsync(T(100), T(130), 10, Ct)));
    }
}
