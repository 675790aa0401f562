using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AioStorage.Core;
using AioStorage.Core.Archives;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Api;
using AioStorage.Tests.Messaging;
using AioStorage.Worker.Archives;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AioStorage.Tests.Archives;

/// <summary>
/// Archives made by the real worker handler from messages the real api published through real RabbitMQ, checked by
/// downloading them as a client does and reading them with .NET and with Python's zipfile.
/// </summary>
public sealed class ArchiveProcessingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_nested_folder_with_unicode_and_hostile_names_round_trips_byte_identical_with_media_stored_and_the_rest_deflated()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-roundtrip", output);
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Grüße aus dem Urlaub! ", 2_000)));
        var svg = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\">" + string.Concat(Enumerable.Repeat("<rect width=\"1\" height=\"1\"/>", 500)) + "</svg>");
        var expected = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        var root = await harness.CreateFolderAsync("Urlaub ☀️ 2024");
        async Task<string> AddAsync(string path, string name, byte[] content, string folderId)
        {
            var (id, _) = await harness.UploadAsync("upload.bin", content, folderId);
            using var renamed = await harness.Client.PatchAsJsonAsync($"/api/v1/files/{id}", new { name });
            await renamed.JsonAsync(HttpStatusCode.OK);
            expected[path] = content;
            return id;
        }

        await AddAsync("Urlaub ☀️ 2024/Straße.txt", "Straße.txt", text, root);
        await AddAsync("Urlaub ☀️ 2024/photo.jpg", "photo.jpg", ArchiveHarness.RandomBytes(200_000), root);
        await AddAsync("Urlaub ☀️ 2024/clip.mp4", "clip.mp4", ArchiveHarness.RandomBytes(300_000), root);
        await AddAsync("Urlaub ☀️ 2024/bundle.zip", "bundle.zip", ArchiveHarness.RandomBytes(50_000), root);
        await AddAsync("Urlaub ☀️ 2024/random.bin", "random.bin", ArchiveHarness.RandomBytes(100_000), root);
        await AddAsync("Urlaub ☀️ 2024/drawing.svg", "drawing.svg", svg, root);
        await AddAsync("Urlaub ☀️ 2024/empty.txt", "empty.txt", [], root);
        await AddAsync("Urlaub ☀️ 2024/___", "...", ArchiveHarness.RandomBytes(10), root);
        await AddAsync("Urlaub ☀️ 2024/evil_txt.exe", "evil\u202Etxt.exe", ArchiveHarness.RandomBytes(10), root);
        // Two names that only differ in what sanitizing replaces: one keeps the name, the other is numbered.
        var colon = ArchiveHarness.RandomBytes(100);
        var underscore = ArchiveHarness.RandomBytes(100);
        await AddAsync("colon", "notes: draft?.txt", colon, root);
        await AddAsync("underscore", "notes_ draft_.txt", underscore, root);
        expected.Remove("colon");
        expected.Remove("underscore");

        var nested = await harness.CreateFolderAsync("日本語 フォルダ", root);
        var hebrew = await AddAsync("Urlaub ☀️ 2024/日本語 フォルダ/עברית.txt", "עברית.txt", Encoding.UTF8.GetBytes("שלום"), nested);
        await harness.CreateFolderAsync("empty folder", nested);
        var trashed = await AddAsync("trashed", "deleted.txt", ArchiveHarness.RandomBytes(100), nested);
        expected.Remove("trashed");
        await harness.TrashAsync(trashed);

        // The folder twice and a file inside it as well: each is written once, inside the folder.
        var requested = await harness.RequestArchiveAsync(root, root, hebrew);
        Assert.Equal("queued", requested.GetProperty("status").GetString());
        var job = await harness.WaitForStatusAsync(requested.GetProperty("id").GetString()!, "completed");
        var zip = await harness.DownloadAsync(job.GetProperty("id").GetString()!);

        Assert.Equal(1.0, job.GetProperty("progress").GetDouble());
        Assert.Equal(zip.Length, job.GetProperty("size").GetInt64());
        Assert.Equal(expected.Count + 2, job.GetProperty("fileCount").GetInt32());
        Assert.Equal(expected.Values.Sum(c => (long)c.Length) + 200, job.GetProperty("totalBytes").GetInt64());
        Assert.Empty(job.GetProperty("skipped").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, job.GetProperty("error").ValueKind);
        Assert.Matches(@"^AIO Storage \d{4}-\d{2}-\d{2}\.zip$", job.GetProperty("name").GetString());

        var directory = Directory.CreateTempSubdirectory("aio-archive-");
        try
        {
            var path = Path.Combine(directory.FullName, "archive.zip");
            await File.WriteAllBytesAsync(path, zip);

            using (var archive = ZipFile.OpenRead(path))
            {
                var files = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, e => Sha(e));
                var folders = archive.Entries.Where(e => e.FullName.EndsWith('/')).Select(e => e.FullName).Order(StringComparer.Ordinal);
                Assert.Equal(["Urlaub ☀️ 2024/", "Urlaub ☀️ 2024/日本語 フォルダ/", "Urlaub ☀️ 2024/日本語 フォルダ/empty folder/"], folders);
                foreach (var (entry, content) in expected)
                {
                    Assert.True(files.Remove(entry, out var sha), $"'{entry}' is missing from {string.Join(", ", archive.Entries.Select(e => e.FullName))}");
                    Assert.Equal(ArchiveHarness.Sha256Of(content), sha);
                }

                Assert.Equal(["Urlaub ☀️ 2024/notes_ draft_ (1).txt", "Urlaub ☀️ 2024/notes_ draft_.txt"], files.Keys.Order(StringComparer.Ordinal));
                var deflated = archive.GetEntry("Urlaub ☀️ 2024/Straße.txt")!;
                Assert.True(deflated.CompressedLength * 10 < deflated.Length, $"the text was not deflated: {deflated.CompressedLength} of {deflated.Length} bytes");
                Assert.Equal(
                    new[] { ArchiveHarness.Sha256Of(colon), ArchiveHarness.Sha256Of(underscore) }.Order(StringComparer.Ordinal),
                    files.Values.Order(StringComparer.Ordinal));
            }

            var python = await PythonZip.RunAsync(path, """
                import hashlib, json, sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                print(json.dumps({
                    "bad": z.testzip(),
                    "entries": {i.filename: {"method": i.compress_type, "utf8": bool(i.flag_bits & 0x800),
                                             "mode": i.external_attr >> 16,
                                             "sha256": None if i.is_dir() else hashlib.sha256(z.read(i)).hexdigest()}
                                for i in z.infolist()},
                }))
                """);
            Assert.Equal(JsonValueKind.Null, python.GetProperty("bad").ValueKind);
            var entries = python.GetProperty("entries");
            int Method(string name) => entries.GetProperty("Urlaub ☀️ 2024/" + name).GetProperty("method").GetInt32();
            Assert.Equal(0, Method("photo.jpg"));
            Assert.Equal(0, Method("clip.mp4"));
            Assert.Equal(0, Method("bundle.zip"));
            Assert.Equal(0, Method("random.bin"));
            Assert.Equal(8, Method("Straße.txt"));
            Assert.Equal(8, Method("drawing.svg"));
            Assert.True(entries.GetProperty("Urlaub ☀️ 2024/Straße.txt").GetProperty("utf8").GetBoolean());
            Assert.Equal(0x81A4, entries.GetProperty("Urlaub ☀️ 2024/Straße.txt").GetProperty("mode").GetInt32());
            Assert.Equal(0x41ED, entries.GetProperty("Urlaub ☀️ 2024/").GetProperty("mode").GetInt32());
            foreach (var (entry, content) in expected)
            {
                Assert.Equal(ArchiveHarness.Sha256Of(content), entries.GetProperty(entry).GetProperty("sha256").GetString());
            }

        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_zip_is_served_with_ranges_conditional_requests_and_its_utf8_name_and_a_signed_link_works_without_a_bearer()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-content", output);
        var folder = await harness.CreateFolderAsync("Ferien – Fotos ☀");
        await harness.UploadAsync("a.bin", ArchiveHarness.RandomBytes(70_000), folder);
        var id = (await harness.RequestArchiveAsync(folder)).GetProperty("id").GetString()!;
        var job = await harness.WaitForStatusAsync(id, "completed");
        Assert.Equal("Ferien – Fotos ☀.zip", job.GetProperty("name").GetString());
        var url = $"/api/v1/archives/{id}/content";

        using var full = await harness.Client.GetAsync(url);
        var bytes = await full.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(job.GetProperty("size").GetInt64(), bytes.Length);
        Assert.Equal("bytes", full.Headers.AcceptRanges.Single());
        Assert.Equal($"\"{id}\"", full.Headers.ETag?.Tag);
        Assert.Equal("attachment", full.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Ferien – Fotos ☀.zip", full.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Contains("filename*=UTF-8''Ferien%20%E2%80%93%20Fotos%20%E2%98%80.zip", full.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);

        using (var first = await SendAsync(harness.Client, HttpMethod.Get, url, ("Range", "bytes=0-99")))
        {
            Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
            Assert.Equal($"bytes 0-99/{bytes.Length}", first.Content.Headers.ContentRange?.ToString());
            Assert.Equal(bytes[..100], await first.Content.ReadAsByteArrayAsync());
        }

        using (var suffix = await SendAsync(harness.Client, HttpMethod.Get, url, ("Range", "bytes=-1000")))
        {
            Assert.Equal(HttpStatusCode.PartialContent, suffix.StatusCode);
            Assert.Equal(bytes[^1000..], await suffix.Content.ReadAsByteArrayAsync());
        }

        using (var resumed = await SendAsync(harness.Client, HttpMethod.Get, url, ("Range", "bytes=50000-"), ("If-Range", $"\"{id}\"")))
        {
            Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
            Assert.Equal(bytes[50_000..], await resumed.Content.ReadAsByteArrayAsync());
        }

        using (var beyond = await SendAsync(harness.Client, HttpMethod.Get, url, ("Range", $"bytes={bytes.Length}-")))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
            Assert.Equal($"bytes */{bytes.Length}", beyond.Content.Headers.ContentRange?.ToString());
        }

        using (var unchanged = await SendAsync(harness.Client, HttpMethod.Get, url, ("If-None-Match", $"\"{id}\"")))
        {
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        }

        using (var otherVersion = await SendAsync(harness.Client, HttpMethod.Get, url, ("If-Match", "\"something-else\"")))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, otherVersion.StatusCode);
        }

        // Several ranges at once are answered with the whole archive, as RFC 9110 allows.
        using (var multi = await SendAsync(harness.Client, HttpMethod.Get, url, ("Range", "bytes=0-9,20-29")))
        {
            Assert.Equal(HttpStatusCode.OK, multi.StatusCode);
            Assert.Equal(bytes, await multi.Content.ReadAsByteArrayAsync());
        }

        using (var head = await SendAsync(harness.Client, HttpMethod.Head, url))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        using var anonymous = harness.Api.CreateClient();
        await (await anonymous.GetAsync(url)).ProblemAsync(HttpStatusCode.Unauthorized);

        using var linkResponse = await harness.Client.PostAsync($"{url}-url", null);
        var link = await linkResponse.JsonAsync(HttpStatusCode.OK);
        var signed = link.GetProperty("url").GetString()!;
        Assert.StartsWith(url + "?", signed, StringComparison.Ordinal);
        var expiresAt = link.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - harness.Api.Time.GetUtcNow(), TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        using (var viaLink = await anonymous.GetAsync(signed))
        {
            Assert.Equal(HttpStatusCode.OK, viaLink.StatusCode);
            Assert.Equal(bytes, await viaLink.Content.ReadAsByteArrayAsync());
        }

        using (var rangeViaLink = await SendAsync(anonymous, HttpMethod.Get, signed, ("Range", "bytes=10-19")))
        {
            Assert.Equal(bytes[10..20], await rangeViaLink.Content.ReadAsByteArrayAsync());
        }

        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + signed).Query);
        var sig = query["sig"]!;
        var tampered = new[]
        {
            signed.Replace($"sig={sig}", $"sig={(sig[0] == 'A' ? 'B' : 'A')}{sig[1..]}", StringComparison.Ordinal),
            signed.Replace($"uid={query["uid"]}", $"uid={Ids.New()}", StringComparison.Ordinal),
            signed.Replace($"exp={query["exp"]}", $"exp={long.Parse(query["exp"]!, System.Globalization.CultureInfo.InvariantCulture) + 3600}", StringComparison.Ordinal),
            signed.Replace(id, Ids.New(), StringComparison.Ordinal),
            signed.Replace($"&sig={sig}", string.Empty, StringComparison.Ordinal),
        };
        foreach (var bad in tampered)
        {
            await (await anonymous.GetAsync(bad)).ProblemAsync(HttpStatusCode.Forbidden);
        }

        harness.Api.Time.Advance(TimeSpan.FromMinutes(11));
        var stale = await (await anonymous.GetAsync(signed)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("expired", stale.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var audit = await harness.Client.GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=100");
        var downloads = audit.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("action").GetString() == ArchiveJobs.DownloadedAction).ToList();
        Assert.All(downloads, d => Assert.Equal(id, d.GetProperty("resourceId").GetString()));
        // Whole downloads and ranges from the start count (the full GET, bytes=0-99, the multi-range one answered whole,
        // the signed link's); HEAD, the 304, the 412, later ranges and refused links do not.
        Assert.Equal(["signed-url", "token", "token", "token"], downloads.Select(d => d.GetProperty("details").GetProperty("via").GetString()).Order(StringComparer.Ordinal));
        Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == ArchiveJobs.CreatedAction);
    }

    [Fact]
    public async Task Progress_is_reported_while_the_zip_is_written()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-progress", output);
        var content = ArchiveHarness.RandomBytes(6 << 20);
        var (fileId, sha256) = await harness.UploadAsync("slow.bin", content);
        // The blob becomes a pipe fed a MiB every 400 ms: a slow disk, so the job runs for a few seconds.
        await using var slow = SlowBlob.Replace(harness.StoragePath, sha256, (content, TimeSpan.FromMilliseconds(400)));

        var id = (await harness.RequestArchiveAsync(fileId)).GetProperty("id").GetString()!;
        var seen = new List<(string Status, double Progress)>();
        while (seen.Count == 0 || seen[^1].Status is "queued" or "running")
        {
            var job = await harness.GetArchiveAsync(id);
            seen.Add((job.GetProperty("status").GetString()!, job.GetProperty("progress").GetDouble()));
            Assert.True(seen.Count < 400, "the archive took more than 20 s");
            await Task.Delay(50);
        }

        Assert.Equal(("completed", 1.0), seen[^1]);
        var running = seen.Where(s => s.Status == "running").Select(s => s.Progress).ToList();
        Assert.Contains(running, p => p is > 0 and < 1);
        Assert.Equal(running.Order(), running);
        // At most about one write a second: a 6 MiB job fed over ~2.4 s shows a handful of distinct values, not one per MiB read.
        Assert.InRange(running.Where(p => p > 0).Distinct().Count(), 1, 4);

        var zip = await harness.DownloadAsync(id);
        using var archive = new ZipArchive(new MemoryStream(zip));
        Assert.Equal(ArchiveHarness.Sha256Of(content), Sha(archive.GetEntry("slow.bin")!));
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_from_a_fresh_work_file_and_leftovers_of_a_killed_worker_are_removed()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-retry", output, startWorker: false);
        var content = ArchiveHarness.RandomBytes(3 << 20);
        var (fileId, sha256) = await harness.UploadAsync("flaky.bin", content);
        // First read: the content breaks off after 1 MiB (a read error); the retry reads it whole.
        await using var flaky = SlowBlob.Replace(harness.StoragePath, sha256, (content[..(1 << 20)], TimeSpan.Zero), (content, TimeSpan.Zero));
        var id = (await harness.RequestArchiveAsync(fileId)).GetProperty("id").GetString()!;
        Directory.CreateDirectory(harness.WorkPath);
        var leftover = Path.Combine(harness.WorkPath, $"{id}.{Ids.New()}.zip.partial");
        await File.WriteAllBytesAsync(leftover, ArchiveHarness.RandomBytes(1000));

        await harness.StartWorkerAsync();
        using var metrics = new MessagingMetricsCapture(harness.Worker!.Services);
        await harness.WaitForStatusAsync(id, "completed");

        Assert.False(File.Exists(leftover));
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.WorkPath));
        Assert.Equal([$"{id}.zip"], Directory.EnumerateFiles(harness.ArchivesPath).Select(Path.GetFileName));
        // Two reads of the content: the broken first attempt and its retry. (The retry metric is not asserted: the first
        // attempt can fail before a capture made after the worker started is listening.)
        Assert.Equal(2, flaky.Reads);
        await MessagingTestHost.WaitUntilAsync(() => metrics.Sum("aio.messaging.messages.processed", QueueNames.FileDownload) == 1, "the retry to be acknowledged");
        using var archive = new ZipArchive(new MemoryStream(await harness.DownloadAsync(id)));
        Assert.Equal(ArchiveHarness.Sha256Of(content), Sha(Assert.Single(archive.Entries)));
    }

    [Fact]
    public async Task A_redelivered_message_for_a_completed_archive_changes_nothing()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-redelivery", output);
        var (fileId, _) = await harness.UploadAsync("once.txt", Encoding.UTF8.GetBytes("written once"));
        var id = (await harness.RequestArchiveAsync(fileId)).GetProperty("id").GetString()!;
        var completed = await harness.WaitForStatusAsync(id, "completed");
        var path = Path.Combine(harness.ArchivesPath, $"{id}.zip");
        var written = File.GetLastWriteTimeUtc(path);
        var bytes = await File.ReadAllBytesAsync(path);
        using var metrics = new MessagingMetricsCapture(harness.Worker!.Services);

        await harness.Worker.Services.GetRequiredService<IMessagePublisher>()
            .PublishAsync(QueueNames.FileDownload, new ArchiveRequested(id, harness.Account.Id, DateTimeOffset.UtcNow));
        await MessagingTestHost.WaitUntilAsync(() => metrics.Sum("aio.messaging.messages.processed", QueueNames.FileDownload) == 1, "the second message to be handled");

        Assert.Equal(completed.ToString(), (await harness.GetArchiveAsync(id)).ToString());
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(0, metrics.Sum("aio.messaging.messages.failed", QueueNames.FileDownload));
        Assert.Equal(0u, await harness.Vhost.MessageCountAsync($"{QueueNames.FileDownload}.dlq"));
        Assert.Empty(Directory.Exists(harness.WorkPath) ? Directory.EnumerateFileSystemEntries(harness.WorkPath) : []);
    }

    [Fact]
    public async Task An_expired_archive_answers_410_and_the_cleaner_deletes_its_zip_and_later_its_record()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-expiry", output);
        var (fileId, _) = await harness.UploadAsync("short-lived.txt", Encoding.UTF8.GetBytes("for a day"));
        var id = (await harness.RequestArchiveAsync(fileId)).GetProperty("id").GetString()!;
        var completed = await harness.WaitForStatusAsync(id, "completed");
        var expiresAt = completed.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        var zip = Path.Combine(harness.ArchivesPath, $"{id}.zip");
        Assert.True(File.Exists(zip));
        // The cleaner on the api's clock, which the test moves.
        var cleaner = ActivatorUtilities.CreateInstance<ArchiveCleaner>(harness.Worker!.Services, (TimeProvider)harness.Api.Time);

        Assert.Equal(0, await cleaner.RunOnceAsync(CancellationToken.None));
        harness.Api.Time.Advance(expiresAt - harness.Api.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        // By the clock alone, before any clean-up: expired, and the content is gone for clients.
        Assert.Equal("expired", (await harness.GetArchiveAsync(id)).GetProperty("status").GetString());
        await (await harness.Client.GetAsync($"/api/v1/archives/{id}/content")).ProblemAsync(HttpStatusCode.Gone);
        await (await harness.Client.PostAsync($"/api/v1/archives/{id}/content-url", null)).ProblemAsync(HttpStatusCode.Gone);

        Assert.Equal(1, await cleaner.RunOnceAsync(CancellationToken.None));
        Assert.False(File.Exists(zip));
        Assert.Equal(JobStatus.Expired, (await harness.Jobs.GetAsync(harness.Account.Id, id, CancellationToken.None))!.Status);
        Assert.Equal(0, await cleaner.RunOnceAsync(CancellationToken.None));
        var expired = await harness.GetArchiveAsync(id);
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, expired.GetProperty("size").ValueKind);
        await (await harness.Client.GetAsync($"/api/v1/archives/{id}/content")).ProblemAsync(HttpStatusCode.Gone);

        harness.Api.Time.Advance(new ArchiveOptions().RecordRetention);
        await cleaner.RunOnceAsync(CancellationToken.None);
        await (await harness.Client.GetAsync($"/api/v1/archives/{id}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Items_trashed_before_the_worker_gets_to_them_are_skipped_and_listed_or_fail_the_job_when_nothing_is_left()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-skipped", output, startWorker: false);
        var (kept, _) = await harness.UploadAsync("kept.txt", Encoding.UTF8.GetBytes("still here"));
        var (gone, _) = await harness.UploadAsync("gone.txt", Encoding.UTF8.GetBytes("trashed meanwhile"));
        var (alone, _) = await harness.UploadAsync("alone.txt", Encoding.UTF8.GetBytes("the only one, trashed"));
        var partial = (await harness.RequestArchiveAsync(kept, gone)).GetProperty("id").GetString()!;
        var empty = (await harness.RequestArchiveAsync(alone)).GetProperty("id").GetString()!;
        await harness.TrashAsync(gone);
        await harness.TrashAsync(alone);

        await harness.StartWorkerAsync();

        var completed = await harness.WaitForStatusAsync(partial, "completed");
        Assert.Equal(1, completed.GetProperty("fileCount").GetInt32());
        var skipped = Assert.Single(completed.GetProperty("skipped").EnumerateArray());
        Assert.Equal(gone, skipped.GetProperty("id").GetString());
        Assert.Equal("'gone.txt' is in the trash.", skipped.GetProperty("reason").GetString());
        using (var archive = new ZipArchive(new MemoryStream(await harness.DownloadAsync(partial))))
        {
            Assert.Equal(["kept.txt"], archive.Entries.Select(e => e.FullName));
        }

        var failed = await harness.WaitForStatusAsync(empty, "failed");
        Assert.Equal("Nothing is left to put in the archive: 'alone.txt' is in the trash.", failed.GetProperty("error").GetString());
        var refused = await (await harness.Client.GetAsync($"/api/v1/archives/{empty}/content")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("could not be prepared", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0u, await harness.Vhost.MessageCountAsync($"{QueueNames.FileDownload}.dlq"));
    }

    [Fact]
    public async Task Content_missing_from_storage_is_retried_and_after_the_last_attempt_the_job_fails_naming_it()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-missing", output);
        using var metrics = new MessagingMetricsCapture(harness.Worker!.Services);
        var folder = await harness.CreateFolderAsync("Docs");
        var (fileId, sha256) = await harness.UploadAsync("lost.pdf", ArchiveHarness.RandomBytes(1000), folder);
        File.Delete(Path.Combine(harness.StoragePath, "blobs", sha256[..2], sha256[2..4], sha256));

        var id = (await harness.RequestArchiveAsync(folder)).GetProperty("id").GetString()!;

        var failed = await harness.WaitForStatusAsync(id, "failed");
        Assert.Equal("'Docs/lost.pdf' could not be read from storage, so the archive could not be prepared.", failed.GetProperty("error").GetString());
        await MessagingTestHost.WaitUntilAsync(async () => await harness.Vhost.MessageCountAsync($"{QueueNames.FileDownload}.dlq") == 1, "the dead letter");
        var dead = (await harness.Vhost.GetAsync($"{QueueNames.FileDownload}.dlq"))!;
        Assert.Equal(DeadLetterReasons.RetriesExhausted, MessageHeaders.GetString(dead.BasicProperties.Headers, MessageHeaders.DeadLetterReason));
        Assert.Equal(2, metrics.Sum("aio.messaging.messages.retried", QueueNames.FileDownload));
        Assert.Empty(Directory.EnumerateFileSystemEntries(harness.WorkPath));
        Assert.False(Directory.Exists(harness.ArchivesPath) && Directory.EnumerateFiles(harness.ArchivesPath).Any());
        Assert.Equal(fileId, (await harness.Client.GetFromJsonAsync<JsonElement>($"/api/v1/files/{fileId}")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_job_whose_selection_cannot_be_read_fails_and_its_message_is_dead_lettered_at_once()
    {
        await using var harness = await ArchiveHarness.StartAsync("archive-damaged", output);
        var now = DateTimeOffset.UtcNow;
        var job = new JobRecord(Ids.New(), harness.Account.Id, ArchiveJobs.Kind, JobStatus.Queued, 0,
            new Dictionary<string, string> { ["ids"] = "not json", ["name"] = "broken.zip" }, null, null, now, now, now.AddDays(1));
        await harness.Jobs.CreateAsync(job, CancellationToken.None);

        await harness.Worker!.Services.GetRequiredService<IMessagePublisher>()
            .PublishAsync(QueueNames.FileDownload, new ArchiveRequested(job.Id, harness.Account.Id, now));

        var failed = await harness.WaitForStatusAsync(job.Id, "failed");
        Assert.Equal("The archive request is damaged and cannot be prepared. Ask for a new one.", failed.GetProperty("error").GetString());
        await MessagingTestHost.WaitUntilAsync(async () => await harness.Vhost.MessageCountAsync($"{QueueNames.FileDownload}.dlq") == 1, "the dead letter");
        var dead = (await harness.Vhost.GetAsync($"{QueueNames.FileDownload}.dlq"))!;
        Assert.Equal(DeadLetterReasons.Rejected, MessageHeaders.GetString(dead.BasicProperties.Headers, MessageHeaders.DeadLetterReason));
    }

    private static string Sha(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return client.SendAsync(request);
    }
}
