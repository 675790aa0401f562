using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AioStorage.Core.Archives;
using AioStorage.Core.Messaging;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Api;
using AioStorage.Tests.Infrastructure;
using AioStorage.Tests.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AioStorage.Tests.Archives;

/// <summary>The archive routes of the api with no worker running: what they accept, refuse and announce.</summary>
public sealed class ArchiveApiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_request_is_accepted_as_a_queued_job_and_announced_on_file_download()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-api-accept", output, startWorker: false);
        var folder = await harness.CreateFolderAsync("Projekt Ærø");
        var (file, _) = await harness.UploadAsync("notes.txt", Encoding.UTF8.GetBytes("notes"));

        var single = await harness.RequestArchiveAsync(folder, folder);
        var mixed = await harness.RequestArchiveAsync(folder, file);

        Assert.Equal("Projekt Ærø.zip", single.GetProperty("name").GetString());
        Assert.Equal($"AIO Storage {harness.Api.Time.GetUtcNow().UtcDateTime:yyyy-MM-dd}.zip", mixed.GetProperty("name").GetString());
        Assert.Equal(
            ["createdAt", "error", "expiresAt", "fileCount", "id", "name", "progress", "size", "skipped", "status", "totalBytes", "updatedAt"],
            single.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("queued", single.GetProperty("status").GetString());
        Assert.Equal(0, single.GetProperty("progress").GetDouble());
        Assert.Equal(JsonValueKind.Null, single.GetProperty("size").ValueKind);
        Assert.Equal(JsonValueKind.Null, single.GetProperty("fileCount").ValueKind);
        Assert.Equal(single.GetProperty("createdAt").GetDateTimeOffset() + new ArchiveOptions().ExpiresIn, single.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.InRange(harness.Api.Time.GetUtcNow() - single.GetProperty("createdAt").GetDateTimeOffset(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Equal(single.ToString(), (await harness.GetArchiveAsync(single.GetProperty("id").GetString()!)).ToString());

        var announced = new List<JsonElement>();
        while (await harness.Vhost.GetAsync(QueueNames.FileDownload) is { } message)
        {
            Assert.Equal("ArchiveRequested", message.BasicProperties.Type);
            announced.Add(JsonDocument.Parse(message.Body).RootElement.Clone());
        }

        Assert.Equal([single.GetProperty("id").GetString(), mixed.GetProperty("id").GetString()], announced.Select(m => m.GetProperty("jobId").GetString()));
        Assert.All(announced, m => Assert.Equal(harness.Account.Id, m.GetProperty("ownerId").GetString()));
        var job = await harness.Jobs.GetAsync(harness.Account.Id, single.GetProperty("id").GetString()!, CancellationToken.None);
        Assert.Equal([folder], ArchiveJobs.IdsOf(job!));
        Assert.Equal([folder, file], ArchiveJobs.IdsOf((await harness.Jobs.GetAsync(harness.Account.Id, mixed.GetProperty("id").GetString()!, CancellationToken.None))!));
    }

    [Fact]
    public async Task Bad_requests_are_validation_problems_naming_the_field()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-api-invalid", output, startWorker: false);
        var folder = await harness.CreateFolderAsync("Folder");
        (string Body, string Field)[] cases =
        [
            ("{}", "ids"),
            ("{\"ids\":[]}", "ids"),
            ("{\"ids\":null}", "ids"),
            ("{\"ids\":[\"\"]}", "ids"),
            ("{\"ids\":[\"   \"]}", "ids"),
            ("{\"ids\":[null]}", "ids"),
            ($"{{\"ids\":[\"{new string('x', 200)}\"]}}", "ids"),
            ($"{{\"ids\":[\"{folder}\"],\"name\":\"a/b\"}}", "name"),
            ($"{{\"ids\":[\"{folder}\"],\"name\":\"..\"}}", "name"),
            ($"{{\"ids\":[\"{folder}\"],\"name\":\"\"}}", "name"),
            ($"{{\"ids\":[\"{folder}\"],\"name\":\"{new string('n', 253)}\"}}", "name"),
        ];

        foreach (var (body, field) in cases)
        {
            using var response = await harness.Client.PostAsync("/api/v1/archives", new StringContent(body, Encoding.UTF8, "application/json"));
            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{body}: {problem}");
        }

        Assert.Equal(0u, await harness.Vhost.MessageCountAsync(QueueNames.FileDownload));
        using var named = await harness.Client.PostAsJsonAsync("/api/v1/archives", new { ids = new[] { folder }, name = "  Backup März " });
        Assert.Equal("Backup März.zip", (await named.JsonAsync(HttpStatusCode.Accepted)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task More_than_1000_ids_or_ids_of_the_wrong_type_are_refused()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-api-limits", output, startWorker: false);
        var (file, _) = await harness.UploadAsync("one.txt", Encoding.UTF8.GetBytes("1"));

        using var tooMany = await harness.Client.PostAsJsonAsync("/api/v1/archives", new { ids = Enumerable.Repeat(file, ArchiveJobs.MaxSelection + 1) });
        var problem = await tooMany.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1000", problem.GetProperty("errors").GetProperty("ids")[0].GetString(), StringComparison.Ordinal);

        using var numbers = await harness.Client.PostAsync("/api/v1/archives", new StringContent("{\"ids\":[1,2]}", Encoding.UTF8, "application/json"));
        await numbers.ProblemAsync(HttpStatusCode.BadRequest);

        // Duplicates are tolerated: a thousand copies of one id are one item.
        using var duplicates = await harness.Client.PostAsJsonAsync("/api/v1/archives", new { ids = Enumerable.Repeat(file, ArchiveJobs.MaxSelection) });
        var job = await duplicates.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal([file], ArchiveJobs.IdsOf((await harness.Jobs.GetAsync(harness.Account.Id, job.GetProperty("id").GetString()!, CancellationToken.None))!));
    }

    [Fact]
    public async Task Ids_of_other_users_trashed_or_unknown_items_answer_404_and_create_nothing()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-api-404", output, startWorker: false);
        var (mine, _) = await harness.UploadAsync("mine.txt", Encoding.UTF8.GetBytes("mine"));
        var (trashed, _) = await harness.UploadAsync("trashed.txt", Encoding.UTF8.GetBytes("trashed"));
        await harness.TrashAsync(trashed);
        var other = await harness.OtherUserAsync();
        var theirs = (await FileTransferTests.UploadAsync(other, "theirs.txt", Encoding.UTF8.GetBytes("theirs"))).GetProperty("id").GetString()!;

        foreach (var ids in new[] { new[] { mine, theirs }, [trashed], [mine, "no-such-id"] })
        {
            using var response = await harness.Client.PostAsJsonAsync("/api/v1/archives", new { ids });
            await response.ProblemAsync(HttpStatusCode.NotFound);
        }

        Assert.Equal(0u, await harness.Vhost.MessageCountAsync(QueueNames.FileDownload));
    }

    [Fact]
    public async Task Unknown_and_other_users_jobs_answer_404_and_content_before_completion_409()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-api-job", output, startWorker: false);
        var (file, _) = await harness.UploadAsync("pending.txt", Encoding.UTF8.GetBytes("not zipped yet"));
        var id = (await harness.RequestArchiveAsync(file)).GetProperty("id").GetString()!;
        var other = await harness.OtherUserAsync();

        await (await harness.Client.GetAsync("/api/v1/archives/no-such-job")).ProblemAsync(HttpStatusCode.NotFound);
        await (await harness.Client.GetAsync("/api/v1/archives/no-such-job/content")).ProblemAsync(HttpStatusCode.NotFound);
        await (await other.GetAsync($"/api/v1/archives/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await other.GetAsync($"/api/v1/archives/{id}/content")).ProblemAsync(HttpStatusCode.NotFound);
        await (await other.PostAsync($"/api/v1/archives/{id}/content-url", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await harness.Api.CreateClient().GetAsync($"/api/v1/archives/{id}")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await harness.Api.CreateClient().PostAsJsonAsync("/api/v1/archives", new { ids = new[] { file } })).ProblemAsync(HttpStatusCode.Unauthorized);

        var early = await (await harness.Client.GetAsync($"/api/v1/archives/{id}/content")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("still being prepared", early.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("status", early.GetProperty("field").GetString());
        await (await harness.Client.PostAsync($"/api/v1/archives/{id}/content-url", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(JobStatus.Queued, (await harness.Jobs.GetAsync(harness.Account.Id, id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_request_made_while_rabbitmq_refuses_is_accepted_and_announced_once_it_comes_back()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-api-outbox", output, startWorker: false);
        var (file, _) = await harness.UploadAsync("later.txt", Encoding.UTF8.GetBytes("announced later"));
        var broker = RabbitMqTestBroker.Instance;
        var outbox = harness.Api.Services.GetRequiredService<IOutboxStore>();
        await MessagingTestHost.WaitUntilAsync(async () => await outbox.CountPendingAsync(CancellationToken.None) == 0, "the upload's own message to be sent");

        await broker.SetWritePermissionAsync(harness.Vhost.Name, allowed: false);
        await broker.CloseClientConnectionsAsync(harness.Vhost.Name);

        var job = await harness.RequestArchiveAsync(file);
        Assert.Equal("queued", job.GetProperty("status").GetString());
        Assert.Equal(1, await outbox.CountPendingAsync(CancellationToken.None));
        Assert.Equal(0u, await harness.Vhost.MessageCountAsync(QueueNames.FileDownload));

        await broker.SetWritePermissionAsync(harness.Vhost.Name, allowed: true);
        await MessagingTestHost.WaitUntilAsync(async () =>
        {
            harness.Api.Time.Advance(TimeSpan.FromSeconds(5));
            return await outbox.CountPendingAsync(CancellationToken.None) == 0;
        }, "the outbox to drain", TimeSpan.FromSeconds(30));
        var message = (await harness.Vhost.GetAsync(QueueNames.FileDownload))!;
        Assert.Equal(job.GetProperty("id").GetString(), JsonDocument.Parse(message.Body).RootElement.GetProperty("jobId").GetString());
    }
}
