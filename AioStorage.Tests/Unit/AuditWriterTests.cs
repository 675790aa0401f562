using AioStorage.Core.Audit;
using AioStorage.Core.Accounts;
using AioStorage.Core.Configuration;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AioStorage.Tests.Unit;

/// <summary>The batching audit writer against a real SQLite store: nothing lost, readers see their own events, batches are real.</summary>
public sealed class AuditWriterTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aio-audit-").FullName;
    private ServiceProvider _provider = null!;
    private CountingAuditStore _store = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, Path.Combine(_directory, "aio.db")));
        _provider = services.BuildServiceProvider();
        await _provider.GetRequiredService<IMetadataStoreInitializer>().InitializeAsync(CancellationToken.None);
        _store = new CountingAuditStore(_provider.GetRequiredService<IAuditStore>());
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_burst_of_events_is_written_in_few_batches_and_a_reader_sees_every_one()
    {
        var writer = new AuditWriter(_store, NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var log = new AuditLog(writer, _store, TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            log.RecordAsync("user-1", AuditActions.FileDownload, $"file-{i}", new ClientInfo("203.0.113.9", "hey/0.0.1"), CancellationToken.None)));
        var page = await log.ListAsync("user-1", 0, 5, CancellationToken.None);

        Assert.Equal(1000, page.Total);
        Assert.Equal(1000, _store.Events);
        Assert.InRange(_store.Writes, 2, 500);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_the_host_drains_what_is_queued()
    {
        var slow = new CountingAuditStore(_store, delay: TimeSpan.FromMilliseconds(50));
        var writer = new AuditWriter(slow, NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var log = new AuditLog(writer, slow, TimeProvider.System);
        for (var i = 0; i < 300; i++)
        {
            await log.RecordAsync("user-2", AuditActions.FileUpload, $"file-{i}", new ClientInfo(null, null), CancellationToken.None);
        }

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(300, (await _store.ListAsync("user-2", 0, 1, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task A_host_stopped_right_after_it_started_still_stores_what_was_queued()
    {
        var writer = new AuditWriter(_store, NullLogger<AuditWriter>.Instance);
        var log = new AuditLog(writer, _store, TimeProvider.System);
        for (var i = 0; i < 50; i++)
        {
            await log.RecordAsync("user-4", AuditActions.FileUpload, $"file-{i}", new ClientInfo(null, null), CancellationToken.None);
        }

        // No await in between: the loop has had no chance to run before the stop.
        var started = writer.StartAsync(CancellationToken.None);
        var stopped = writer.StopAsync(CancellationToken.None);
        await started;
        await stopped;

        Assert.Equal(50, (await _store.ListAsync("user-4", 0, 1, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task A_store_that_fails_for_a_while_loses_nothing()
    {
        var flaky = new CountingAuditStore(_store, failures: 2);
        var writer = new AuditWriter(flaky, NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var log = new AuditLog(writer, flaky, TimeProvider.System);

        await log.RecordAsync("user-3", AuditActions.FileDelete, "file-1", new ClientInfo(null, null), CancellationToken.None);
        var page = await log.ListAsync("user-3", 0, 5, CancellationToken.None);

        Assert.Equal("file-1", Assert.Single(page.Items).ResourceId);
        Assert.Equal(3, flaky.Writes);
        await writer.StopAsync(CancellationToken.None);
    }

    private sealed class CountingAuditStore(IAuditStore inner, TimeSpan delay = default, int failures = 0) : IAuditStore
    {
        private int _writes;
        private int _events;

        public int Writes => _writes;

        public int Events => _events;

        public Task AppendAsync(AuditEventRecord auditEvent, CancellationToken cancellationToken) => AppendManyAsync([auditEvent], cancellationToken);

        public async Task AppendManyAsync(IReadOnlyList<AuditEventRecord> auditEvents, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _writes) <= failures)
            {
                throw new IOException("database is locked (injected)");
            }

            await Task.Delay(delay, cancellationToken);
            await inner.AppendManyAsync(auditEvents, cancellationToken);
            Interlocked.Add(ref _events, auditEvents.Count);
        }

        public Task<Page<AuditEventRecord>> ListAsync(string userId, int skip, int limit, CancellationToken cancellationToken)
            => inner.ListAsync(userId, skip, limit, cancellationToken);
    }
}
