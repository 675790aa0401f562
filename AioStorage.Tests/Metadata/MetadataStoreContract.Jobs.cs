using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AioStorage.Core.Configuration;
using AioStorage.Core.Metadata;
using AioStorage.Core.Metadata.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using MongoDB.Driver;

namespace AioStorage.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    private const string ArchiveKind = "archive";

    /// <summary>The job store of the class's database.</summary>
    protected IJobStore Jobs => JobStores.On(Fixture, Fixture.Database);

    private static JobRecord NewJob(string ownerId, JobStatus status = JobStatus.Queued, DateTimeOffset? expiresAt = null, string kind = ArchiveKind) =>
        new(NewId(), ownerId, kind, status, 0, new Dictionary<string, string> { ["ids"] = $"[\"{NewId()}\"]", ["name"] = "Ferien 2024 – Fotos.zip" },
            null, null, T0, T0, expiresAt);

    private static void AssertSameJob(JobRecord? expected, JobRecord? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Parameters = actual.Parameters }, actual);
        Assert.Equal(expected.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    /// <summary>A database of its own with the job store on it, for listings across owners.</summary>
    private async Task<IJobStore> FreshJobsAsync()
    {
        var database = Fixture.NewDatabase();
        await Fixture.Open(database).Initializer.InitializeAsync(Ct);
        return JobStores.On(Fixture, database);
    }

    [ContractFact]
    public async Task A_job_comes_back_whole_and_only_to_its_owner()
    {
        var owner = NewId();
        var job = NewJob(owner, expiresAt: T(86_400)) with
        {
            Progress = 0.123456789,
            Parameters = new Dictionary<string, string> { ["ids"] = "[\"a\",\"b\"]", ["$where"] = "1", ["a.b"] = string.Empty },
            Result = "{\"size\":1}",
            Error = "Résumé.pdf could not be read",
        };

        await Jobs.CreateAsync(job, Ct);

        AssertSameJob(job, await Jobs.GetAsync(owner, job.Id, Ct));
        Assert.Null(await Jobs.GetAsync(NewId(), job.Id, Ct));
        Assert.Null(await Jobs.GetAsync(owner, NewId(), Ct));
        var reused = await Assert.ThrowsAsync<MetadataConflictException>(() => Jobs.CreateAsync(NewJob(owner) with { Id = job.Id }, Ct));
        Assert.Equal("id", reused.Field);
        AssertSameJob(job, await Jobs.GetAsync(owner, job.Id, Ct));
    }

    [ContractFact]
    public async Task A_job_changes_only_from_the_status_expected_and_keeps_what_an_update_leaves_out()
    {
        var owner = NewId();
        var job = NewJob(owner, expiresAt: T(100));
        await Jobs.CreateAsync(job, Ct);

        Assert.Null(await Jobs.UpdateAsync(job.Id, JobStatus.Running, new JobUpdate(JobStatus.Completed, 1), T(1), Ct));
        Assert.Null(await Jobs.UpdateAsync(NewId(), JobStatus.Queued, new JobUpdate(JobStatus.Running), T(1), Ct));
        AssertSameJob(job, await Jobs.GetAsync(owner, job.Id, Ct));

        var running = await Jobs.UpdateAsync(job.Id, JobStatus.Queued, new JobUpdate(JobStatus.Running, 0, Result: "{\"fileCount\":3}"), T(2), Ct);
        AssertSameJob(job with { Status = JobStatus.Running, Result = "{\"fileCount\":3}", UpdatedAt = T(2) }, running);

        var progressed = await Jobs.UpdateAsync(job.Id, JobStatus.Running, new JobUpdate(JobStatus.Running, 0.5), T(3), Ct);
        AssertSameJob(running! with { Progress = 0.5, UpdatedAt = T(3) }, progressed);

        var completed = await Jobs.UpdateAsync(job.Id, JobStatus.Running,
            new JobUpdate(JobStatus.Completed, 1, "{\"size\":42}", ExpiresAt: T(86_400)), T(4), Ct);
        var expected = progressed! with { Status = JobStatus.Completed, Progress = 1, Result = "{\"size\":42}", ExpiresAt = T(86_400), UpdatedAt = T(4) };
        AssertSameJob(expected, completed);

        // A redelivered message after completion finds the job no longer running: nothing changes.
        Assert.Null(await Jobs.UpdateAsync(job.Id, JobStatus.Running, new JobUpdate(JobStatus.Running, 0), T(5), Ct));
        Assert.Null(await Jobs.UpdateAsync(job.Id, JobStatus.Queued, new JobUpdate(JobStatus.Running, 0), T(5), Ct));
        AssertSameJob(expected, await Jobs.GetAsync(owner, job.Id, Ct));

        var failed = NewJob(owner);
        await Jobs.CreateAsync(failed, Ct);
        AssertSameJob(failed with { Status = JobStatus.Failed, Error = "Nothing is left to put in the archive.", UpdatedAt = T(6) },
            await Jobs.UpdateAsync(failed.Id, JobStatus.Queued, new JobUpdate(JobStatus.Failed, Error: "Nothing is left to put in the archive."), T(6), Ct));
    }

    [ContractFact]
    public async Task Of_eight_workers_finishing_the_same_job_exactly_one_wins()
    {
        var owner = NewId();
        var job = NewJob(owner, JobStatus.Running);
        await Jobs.CreateAsync(job, Ct);

        var results = await InParallelResults(8, i =>
            Jobs.UpdateAsync(job.Id, JobStatus.Running, new JobUpdate(JobStatus.Completed, 1, $"{{\"worker\":{i}}}"), T(1), Ct));

        var winner = Assert.Single(results, r => r is not null);
        AssertSameJob(winner, await Jobs.GetAsync(owner, job.Id, Ct));
    }

    [ContractFact]
    public async Task Jobs_of_a_kind_past_their_expiry_are_listed_earliest_first_until_marked_expired()
    {
        var jobs = await FreshJobsAsync();
        async Task<JobRecord> CreatedJobAsync(JobRecord job)
        {
            await jobs.CreateAsync(job, Ct);
            return job;
        }

        var second2 = await CreatedJobAsync(NewJob(NewId(), JobStatus.Completed, T(2)));
        var second1 = await CreatedJobAsync(NewJob(NewId(), JobStatus.Queued, T(1)));
        var second3 = await CreatedJobAsync(NewJob(NewId(), JobStatus.Failed, T(3)));
        var running = await CreatedJobAsync(NewJob(NewId(), JobStatus.Running, T(4)));
        await CreatedJobAsync(NewJob(NewId(), JobStatus.Completed, T(10)));
        await CreatedJobAsync(NewJob(NewId(), JobStatus.Completed));
        await CreatedJobAsync(NewJob(NewId(), JobStatus.Expired, T(1)));
        await CreatedJobAsync(NewJob(NewId(), JobStatus.Completed, T(1), kind: "transcode"));

        Assert.Equal([second1.Id, second2.Id, second3.Id, running.Id], (await jobs.ListExpiredAsync(ArchiveKind, T(5), 10, Ct)).Select(j => j.Id));
        Assert.Equal([second1.Id, second2.Id], (await jobs.ListExpiredAsync(ArchiveKind, T(5), 2, Ct)).Select(j => j.Id));
        Assert.Empty(await jobs.ListExpiredAsync(ArchiveKind, T(5), 0, Ct));
        Assert.Empty(await jobs.ListExpiredAsync(ArchiveKind, T(1), 10, Ct));
        AssertSameJob(second1, (await jobs.ListExpiredAsync(ArchiveKind, T(5), 1, Ct)).Single());

        Assert.NotNull(await jobs.UpdateAsync(second2.Id, JobStatus.Completed, new JobUpdate(JobStatus.Expired), T(6), Ct));
        Assert.Equal([second1.Id, second3.Id, running.Id], (await jobs.ListExpiredAsync(ArchiveKind, T(5), 10, Ct)).Select(j => j.Id));
    }

    [ContractFact]
    public async Task Records_of_jobs_marked_expired_before_the_cutoff_are_deleted()
    {
        var jobs = await FreshJobsAsync();
        var owner = NewId();
        var old = NewJob(owner, JobStatus.Expired, T(1));
        var recent = NewJob(owner, JobStatus.Expired, T(10));
        var unmarked = NewJob(owner, JobStatus.Completed, T(1));
        var otherKind = NewJob(owner, JobStatus.Expired, T(1), kind: "transcode");
        foreach (var job in new[] { old, recent, unmarked, otherKind })
        {
            await jobs.CreateAsync(job, Ct);
        }

        Assert.Equal(1, await jobs.DeleteExpiredBeforeAsync(ArchiveKind, T(5), Ct));
        Assert.Equal(0, await jobs.DeleteExpiredBeforeAsync(ArchiveKind, T(5), Ct));

        Assert.Null(await jobs.GetAsync(owner, old.Id, Ct));
        AssertSameJob(recent, await jobs.GetAsync(owner, recent.Id, Ct));
        AssertSameJob(unmarked, await jobs.GetAsync(owner, unmarked.Id, Ct));
        AssertSameJob(otherKind, await jobs.GetAsync(owner, otherKind.Id, Ct));
    }
}

/// <summary>
/// The job store of a fixture's database, resolved through <see cref="MetadataServiceCollectionExtensions.AddMetadataStore"/>
/// as a process would, on the same file or MongoDB database the fixture's other stores use. One per database, kept as
/// long as the fixture lives; the fixture closes the connections (SQLite pools, MongoDB clients) when its class is done.
/// </summary>
internal static class JobStores
{
    private static readonly ConditionalWeakTable<MetadataStoreFixture, ConcurrentDictionary<string, IJobStore>> ByFixture = [];

    public static IJobStore On(MetadataStoreFixture fixture, string database) =>
        ByFixture.GetOrCreateValue(fixture).GetOrAdd(database, name =>
        {
            var services = new ServiceCollection();
            switch (fixture)
            {
                case SqliteStoreFixture sqlite:
                    services.AddMetadataStore(new MetadataOptions(MetadataProvider.Sqlite, sqlite.PathOf(name)));
                    break;
                case MongoStoreFixture mongo:
                    services.AddSingleton(mongo.RawDatabase(name));
                    services.AddMetadataStore(new MetadataOptions(MetadataProvider.MongoDb, "unused-by-mongodb.db"));
                    break;
                default:
                    throw new NotSupportedException($"No job store for {fixture.GetType().Name}.");
            }

            return services.BuildServiceProvider().GetRequiredService<IJobStore>();
        });
}

/// <summary>The jobs table arrives by migration on a database an earlier build left at version 2, with its data kept.</summary>
public sealed class SqliteJobsMigrationTests(SqliteStoreFixture fixture) : IClassFixture<SqliteStoreFixture>
{
    [Fact]
    public async Task A_database_left_at_version_2_gets_the_jobs_table_and_keeps_its_outbox()
    {
        var database = fixture.NewDatabase();
        var messageId = Guid.NewGuid().ToString("N");
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = fixture.PathOf(database), Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;
                {SqliteSchema.Migrations[0].Sql}
                {SqliteSchema.Migrations[1].Sql}
                INSERT INTO schema_version VALUES (1, 'one', 0), (2, 'two', 0);
                INSERT INTO outbox_messages (id, queue, message_type, payload, headers, created_at, attempts, next_attempt_at)
                VALUES ('{messageId}', 'file.download', 'ArchiveRequested', '', '', 0, 0, 0);
                """;
            await command.ExecuteNonQueryAsync();
        }

        var stores = fixture.Open(database);
        await stores.Initializer.InitializeAsync(CancellationToken.None);
        var jobs = JobStores.On(fixture, database);
        var job = new JobRecord(Guid.NewGuid().ToString("N"), "owner", "archive", JobStatus.Queued, 0, new Dictionary<string, string>(),
            null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);
        await jobs.CreateAsync(job, CancellationToken.None);

        Assert.Equal(1, await stores.Outbox.CountPendingAsync(CancellationToken.None));
        Assert.Equal(JobStatus.Queued, (await jobs.GetAsync("owner", job.Id, CancellationToken.None))?.Status);
        Assert.Equal(3, SqliteSchema.Migrations.Single(m => m.Description == "jobs").Version);
    }
}

/// <summary>How jobs look in MongoDB to other tools (backups, mongosh): element names, types and the cleaner's index.</summary>
public sealed class MongoJobDocumentTests(MongoEmulatorStoreFixture fixture) : IClassFixture<MongoEmulatorStoreFixture>
{
    [Fact]
    public async Task A_job_is_stored_with_camel_case_elements_string_statuses_and_dates_and_the_cleaner_has_its_index()
    {
        var jobs = JobStores.On(fixture, fixture.Database);
        var at = new DateTimeOffset(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);
        var job = new JobRecord(Guid.NewGuid().ToString("N"), "owner", "archive", JobStatus.Running, 0.25,
            new Dictionary<string, string> { ["ids"] = "[\"x\"]" }, null, null, at, at, null);
        await jobs.CreateAsync(job, CancellationToken.None);

        var raw = fixture.RawDatabase(fixture.Database).GetCollection<BsonDocument>("jobs");
        var stored = await raw.Find(new BsonDocument("_id", job.Id)).SingleAsync();
        Assert.Equal("owner", stored["ownerId"].AsString);
        Assert.Equal("archive", stored["kind"].AsString);
        Assert.Equal("Running", stored["status"].AsString);
        Assert.Equal(0.25, stored["progress"].AsDouble);
        Assert.Equal(new BsonArray { new BsonDocument { { "k", "ids" }, { "v", "[\"x\"]" } } }, stored["parameters"]);
        Assert.Equal(BsonType.DateTime, stored["createdAt"].BsonType);
        Assert.Equal(BsonNull.Value, stored["expiresAt"]);

        var indexes = (await (await raw.Indexes.ListAsync()).ToListAsync()).ToDictionary(i => i["name"].AsString);
        Assert.Equal(["_id_", "ix_jobs_kind_status_expires"], indexes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["kind", "status", "expiresAt"], indexes["ix_jobs_kind_status_expires"]["key"].AsBsonDocument.Names);
    }
}
