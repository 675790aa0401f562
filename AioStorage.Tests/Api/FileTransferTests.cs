using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Api;

public class FileTransferTests : IAsyncLifetime
{
    private readonly ApiFactory api = new(new Dictionary<string, string?> { ["MAX_FILE_SIZE"] = "1048576" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task An_upload_downloads_byte_identical_with_its_headers_and_counts_exactly()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = RandomBytes(300_000);
        var file = await UploadAsync(client, "Résumé 2026.pdf", content);
        Assert.Equal(300_000, file.GetProperty("size").GetInt64());
        Assert.Equal("application/pdf", file.GetProperty("mimeType").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), file.GetProperty("sha256").GetString());
        Assert.Equal("processing", file.GetProperty("status").GetString());
        var id = file.GetProperty("id").GetString();

        using var download = await client.GetAsync($"/api/v1/files/{id}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{file.GetProperty("sha256").GetString()}\"", download.Headers.ETag?.ToString());
        Assert.Equal("bytes", download.Headers.AcceptRanges.Single());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(download.Content.Headers.LastModified);
        Assert.Equal("attachment; filename=\"R_sum_ 2026.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf",
            download.Content.Headers.ContentDisposition?.ToString());

        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(300_000, me.GetProperty("storageUsed").GetInt64());
        var meta = await (await client.GetAsync($"/api/v1/files/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Résumé 2026.pdf", meta.GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_oversize_upload_is_413_and_leaves_nothing_behind()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var problem = await (await PostFileAsync(client, "big.bin", RandomBytes(1_048_577))).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1048576", problem.GetProperty("detail").GetString());

        // Chunked (no Content-Length): refused while streaming, not before.
        using var chunked = new MultipartFormDataContent { { new StreamContent(new UnknownLengthStream(RandomBytes(1_100_000))), "file", "big.bin" } };
        chunked.Headers.ContentLength = null;
        await (await client.PostAsync("/api/v1/files/upload", chunked)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        await AssertNothingStoredAsync(client);
    }

    [Fact]
    public async Task An_upload_over_quota_is_507_and_leaves_nothing_behind()
    {
        await using var small = new ApiFactory(new Dictionary<string, string?> { ["DEFAULT_STORAGE_QUOTA"] = "250000" });
        var client = small.CreateClient().As(await small.CreateClient().RegisterAsync());
        await UploadAsync(client, "fits.bin", RandomBytes(200_000));
        await (await PostFileAsync(client, "too-much.bin", RandomBytes(60_000))).ProblemAsync(HttpStatusCode.InsufficientStorage);

        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(200_000, me.GetProperty("storageUsed").GetInt64());
        var files = await (await client.GetAsync("/api/v1/files")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, files.GetProperty("total").GetInt64());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(small.Root, "storage", "staging")));
    }

    [Fact]
    public async Task Uploading_over_a_name_keeps_versions_or_renames_or_fails_as_asked()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var first = await UploadAsync(client, "report.pdf", Encoding.UTF8.GetBytes("first draft"));
        var second = await UploadAsync(client, "REPORT.pdf", Encoding.UTF8.GetBytes("second draft, longer"));
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal("report.pdf", second.GetProperty("name").GetString());
        var id = first.GetProperty("id").GetString();

        var versions = await (await client.GetAsync($"/api/v1/files/{id}/versions")).JsonAsync(HttpStatusCode.OK);
        var items = versions.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.True(items[0].GetProperty("current").GetBoolean());
        Assert.Equal(11, items[1].GetProperty("size").GetInt64());

        var renamed = await UploadAsync(client, "report.pdf", Encoding.UTF8.GetBytes("third"), "?onConflict=rename");
        Assert.Equal("report (1).pdf", renamed.GetProperty("name").GetString());
        await (await PostFileAsync(client, "report.pdf", Encoding.UTF8.GetBytes("fourth"), "?onConflict=fail")).ProblemAsync(HttpStatusCode.Conflict);

        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(11 + 20 + 5, me.GetProperty("storageUsed").GetInt64());

        var restored = await (await client.PostAsync($"/api/v1/files/{id}/versions/{items[1].GetProperty("id").GetString()}/restore", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(11, restored.GetProperty("size").GetInt64());
        Assert.Equal("first draft", await client.GetStringAsync($"/api/v1/files/{id}/download"));
        Assert.Equal(11 + 20 + 5, (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task Ranges_first_last_suffix_multiple_and_unsatisfiable()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = RandomBytes(10_000);
        var id = (await UploadAsync(client, "video.mp4", content)).GetProperty("id").GetString();
        var url = $"/api/v1/files/{id}/download";

        using var first = await GetRangeAsync(client, url, "bytes=0-99");
        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        Assert.Equal("bytes 0-99/10000", first.Content.Headers.ContentRange?.ToString());
        Assert.Equal(content[..100], await first.Content.ReadAsByteArrayAsync());

        using var last = await GetRangeAsync(client, url, "bytes=9990-");
        Assert.Equal(content[9990..], await last.Content.ReadAsByteArrayAsync());

        using var suffix = await GetRangeAsync(client, url, "bytes=-500");
        Assert.Equal("bytes 9500-9999/10000", suffix.Content.Headers.ContentRange?.ToString());
        Assert.Equal(content[9500..], await suffix.Content.ReadAsByteArrayAsync());

        using var multiple = await GetRangeAsync(client, url, "bytes=0-9,5000-5009");
        Assert.Equal(HttpStatusCode.PartialContent, multiple.StatusCode);
        Assert.Equal("multipart/byteranges", multiple.Content.Headers.ContentType?.MediaType);
        var body = await multiple.Content.ReadAsByteArrayAsync();
        Assert.Equal(multiple.Content.Headers.ContentLength, body.Length);
        var text = Encoding.Latin1.GetString(body);
        Assert.Contains("Content-Range: bytes 0-9/10000", text);
        Assert.Contains("Content-Range: bytes 5000-5009/10000", text);
        Assert.Contains(Encoding.Latin1.GetString(content[5000..5010]), text);

        using var unsatisfiable = await GetRangeAsync(client, url, "bytes=10000-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */10000", unsatisfiable.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Conditional_requests_answer_304_412_and_honour_if_range()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = RandomBytes(4096);
        var file = await UploadAsync(client, "photo.jpg", content);
        var url = $"/api/v1/files/{file.GetProperty("id").GetString()}/download";
        var etag = $"\"{file.GetProperty("sha256").GetString()}\"";

        using var notModified = new HttpRequestMessage(HttpMethod.Get, url);
        notModified.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using (var response = await client.SendAsync(notModified))
        {
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        using var precondition = new HttpRequestMessage(HttpMethod.Get, url);
        precondition.Headers.TryAddWithoutValidation("If-Match", "\"something-else\"");
        using (var response = await client.SendAsync(precondition))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        }

        using var staleRange = new HttpRequestMessage(HttpMethod.Get, url);
        staleRange.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        staleRange.Headers.TryAddWithoutValidation("If-Range", "\"an-older-version\"");
        using (var response = await client.SendAsync(staleRange))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }

        using var freshRange = new HttpRequestMessage(HttpMethod.Get, url);
        freshRange.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        freshRange.Headers.TryAddWithoutValidation("If-Range", etag);
        using (var response = await client.SendAsync(freshRange))
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        }

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(4096, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Signed_download_urls_work_without_a_token_and_refuse_tampering_and_expiry()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = RandomBytes(2048);
        var id = (await UploadAsync(client, "shared.bin", content)).GetProperty("id").GetString();
        var link = await (await client.PostAsync($"/api/v1/files/{id}/download-url", null)).JsonAsync(HttpStatusCode.OK);
        var url = link.GetProperty("url").GetString()!;
        Assert.InRange(link.GetProperty("expiresAt").GetDateTimeOffset() - api.Time.GetUtcNow(), TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        var anonymous = api.CreateClient();
        Assert.Equal(content, await anonymous.GetByteArrayAsync(url));
        var again = await (await client.PostAsync($"/api/v1/files/{id}/download-url", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(url, again.GetProperty("url").GetString());

        var tampered = url.Replace("&sig=", "&sig=x", StringComparison.Ordinal);
        await (await anonymous.GetAsync(tampered)).ProblemAsync(HttpStatusCode.Forbidden);
        var otherExpiry = System.Text.RegularExpressions.Regex.Replace(url, "exp=\\d+", m => "exp=" + (long.Parse(m.Value[4..]) + 3600));
        await (await anonymous.GetAsync(otherExpiry)).ProblemAsync(HttpStatusCode.Forbidden);
        await (await anonymous.GetAsync($"/api/v1/files/{id}/download")).ProblemAsync(HttpStatusCode.Unauthorized);

        api.Time.Advance(TimeSpan.FromMinutes(11));
        var expired = await (await anonymous.GetAsync(url)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("expired", expired.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b.txt")]
    [InlineData("..")]
    public async Task Path_like_names_are_refused(string name)
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        await (await PostFileAsync(client, name, [1, 2, 3])).ProblemAsync(HttpStatusCode.BadRequest);
        await AssertNothingStoredAsync(client);
    }

    [Fact]
    public async Task Unusual_but_valid_names_are_kept_exactly_and_never_touch_the_disk_layout()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        foreach (var name in new[] { "con", "\u202Efdp.exe", "日本語のファイル.txt", new string('a', 251) + ".txt" })
        {
            var file = await UploadAsync(client, name, Encoding.UTF8.GetBytes(name));
            Assert.Equal(name, file.GetProperty("name").GetString());
        }

        await (await PostFileAsync(client, new string('b', 297) + ".txt", [1])).ProblemAsync(HttpStatusCode.BadRequest);
        var stored = Directory.EnumerateFiles(Path.Combine(api.Root, "storage"), "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName).ToList();
        Assert.All(stored, f => Assert.Matches("^[0-9a-f]{32,64}$", f));
    }

    [Fact]
    public async Task Another_users_files_answer_404()
    {
        var owner = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var stranger = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var id = (await UploadAsync(owner, "private.txt", Encoding.UTF8.GetBytes("mine"))).GetProperty("id").GetString();

        await (await stranger.GetAsync($"/api/v1/files/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync($"/api/v1/files/{id}/download")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/api/v1/files/{id}/download-url", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PatchAsJsonAsync($"/api/v1/files/{id}", new { name = "stolen.txt" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsJsonAsync($"/api/v1/files/{id}/copy", new { })).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync($"/api/v1/files/{id}/versions")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.DeleteAsync($"/api/v1/files/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/api/v1/trash/{id}/restore", null)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("mine", await owner.GetStringAsync($"/api/v1/files/{id}/download"));
    }

    [Fact]
    public async Task Identical_content_is_stored_once_but_counted_for_each_owner()
    {
        var alice = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var bob = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = RandomBytes(50_000);
        var a = await UploadAsync(alice, "same.bin", content);
        var b = await UploadAsync(bob, "also-same.bin", content);
        Assert.Equal(a.GetProperty("sha256").GetString(), b.GetProperty("sha256").GetString());

        var blobs = Directory.EnumerateFiles(Path.Combine(api.Root, "storage", "blobs"), "*", SearchOption.AllDirectories).ToList();
        Assert.Single(blobs, p => Path.GetFileName(p) == a.GetProperty("sha256").GetString());
        Assert.Equal(50_000, (await (await alice.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
        Assert.Equal(50_000, (await (await bob.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task Storage_used_stays_exact_through_versions_copies_trash_restore_and_purge()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        async Task<long> Used() => (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64();

        var folder = (await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "Work" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        var a = (await UploadAsync(client, "a.bin", RandomBytes(100), folderId: folder)).GetProperty("id").GetString();
        var b = (await UploadAsync(client, "b.bin", RandomBytes(200))).GetProperty("id").GetString();
        await UploadAsync(client, "a.bin", RandomBytes(150), folderId: folder);
        Assert.Equal(450, await Used());

        var copy = await (await client.PostAsJsonAsync($"/api/v1/files/{b}/copy", new { folderId = folder })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("b.bin", copy.GetProperty("name").GetString());
        var sameFolderCopy = await (await client.PostAsJsonAsync($"/api/v1/files/{b}/copy", new { })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("b (1).bin", sameFolderCopy.GetProperty("name").GetString());
        Assert.Equal(850, await Used());

        (await client.DeleteAsync($"/api/v1/folders/{folder}")).EnsureSuccessStatusCode();
        Assert.Equal(850, await Used());
        var trash = await (await client.GetAsync("/api/v1/trash")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Work"], trash.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        await (await client.GetAsync($"/api/v1/files/{a}")).ProblemAsync(HttpStatusCode.NotFound);

        await (await client.PostAsync($"/api/v1/trash/{folder}/restore", null)).JsonAsync(HttpStatusCode.OK);
        await (await client.GetAsync($"/api/v1/files/{a}")).JsonAsync(HttpStatusCode.OK);

        (await client.DeleteAsync($"/api/v1/folders/{folder}")).EnsureSuccessStatusCode();
        (await client.DeleteAsync($"/api/v1/trash/{folder}")).EnsureSuccessStatusCode();
        Assert.Equal(400, await Used());
        await (await client.DeleteAsync($"/api/v1/trash/{folder}")).ProblemAsync(HttpStatusCode.NotFound);

        (await client.DeleteAsync($"/api/v1/files/{b}")).EnsureSuccessStatusCode();
        (await client.DeleteAsync("/api/v1/trash")).EnsureSuccessStatusCode();
        Assert.Equal(200, await Used());
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/trash")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Restoring_from_trash_goes_to_the_root_when_the_folder_is_gone_and_takes_a_free_name()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var folder = (await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "Old" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        var id = (await UploadAsync(client, "notes.txt", Encoding.UTF8.GetBytes("inside"), folderId: folder)).GetProperty("id").GetString();
        (await client.DeleteAsync($"/api/v1/files/{id}")).EnsureSuccessStatusCode();
        (await client.DeleteAsync($"/api/v1/folders/{folder}")).EnsureSuccessStatusCode();
        await UploadAsync(client, "notes.txt", Encoding.UTF8.GetBytes("at the top"));

        var restored = await (await client.PostAsync($"/api/v1/trash/{id}/restore", null)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, restored.GetProperty("folderId").ValueKind);
        Assert.Equal("notes (1).txt", restored.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Trash_is_purged_after_the_retention_period()
    {
        // Tokens that outlive the month this test skips over.
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["JWT_EXPIRES_IN"] = "90d" });
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var id = (await UploadAsync(client, "old.bin", RandomBytes(1000))).GetProperty("id").GetString();
        (await client.DeleteAsync($"/api/v1/files/{id}")).EnsureSuccessStatusCode();

        api.Time.Advance(TimeSpan.FromDays(29));
        await api.Services.GetRequiredService<AioStorage.Core.Files.HousekeepingService>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, (await (await client.GetAsync("/api/v1/trash")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt64());

        api.Time.Advance(TimeSpan.FromDays(2));
        await api.Services.GetRequiredService<AioStorage.Core.Files.HousekeepingService>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/trash")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt64());
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
    }

    internal static async Task<JsonElement> UploadAsync(HttpClient client, string name, byte[] content, string query = "", string? folderId = null)
        => await (await PostFileAsync(client, name, content, query, folderId)).JsonAsync(HttpStatusCode.Created);

    internal static Task<HttpResponseMessage> PostFileAsync(HttpClient client, string name, byte[] content, string query = "", string? folderId = null)
    {
        var form = new MultipartFormDataContent();
        if (folderId is not null)
        {
            form.Add(new StringContent(folderId), "folderId");
        }

        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", name);
        return client.PostAsync($"/api/v1/files/upload{query}", form);
    }

    private static Task<HttpResponseMessage> GetRangeAsync(HttpClient client, string url, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", range);
        return client.SendAsync(request);
    }

    private async Task AssertNothingStoredAsync(HttpClient client)
    {
        var staging = Path.Combine(api.Root, "storage", "staging");
        Assert.Empty(Directory.Exists(staging) ? Directory.EnumerateFiles(staging) : []);
        var blobs = Path.Combine(api.Root, "storage", "blobs");
        Assert.Empty(Directory.Exists(blobs) ? Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories) : []);
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/files")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt64());
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
    }

    internal static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
