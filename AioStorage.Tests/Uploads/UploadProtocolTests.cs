using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AioStorage.Tests.Api;

namespace AioStorage.Tests.Uploads;

/// <summary>The tus 1.0.0 conversation itself, request by request, against the real api.</summary>
public class UploadProtocolTests : IAsyncLifetime
{
    private readonly ApiFactory api = new(new Dictionary<string, string?> { ["UPLOAD_MAX_SIZE"] = "50000000" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task Options_announces_version_extensions_max_size_and_checksums_without_sign_in()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, Tus.Endpoint);
        using var response = await api.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", response.Header("Tus-Resumable"));
        Assert.Equal("1.0.0", response.Header("Tus-Version"));
        Assert.Equal("creation,creation-with-upload,termination,checksum,expiration", response.Header("Tus-Extension"));
        Assert.Equal("50000000", response.Header("Tus-Max-Size"));
        Assert.Equal("sha1,sha256", response.Header("Tus-Checksum-Algorithm"));
    }

    [Fact]
    public async Task Another_tus_version_or_none_is_412_with_Tus_Version_and_nothing_is_created()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        foreach (var version in new[] { "0.2.2", null })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Tus.Endpoint);
            request.Headers.Add("Upload-Length", "10");
            if (version is not null)
            {
                request.Headers.Add("Tus-Resumable", version);
            }

            using var response = await client.SendAsync(request);
            await response.ProblemAsync(HttpStatusCode.PreconditionFailed);
            Assert.Equal("1.0.0", response.Header("Tus-Version"));
            Assert.Equal("1.0.0", response.Header("Tus-Resumable"));
        }

        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, me.GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task Create_head_patch_in_chunks_and_the_last_patch_makes_a_byte_identical_file()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var folder = await (await client.PostAsJsonAsync("/api/v1/folders", new { name = "Holidays" })).JsonAsync(HttpStatusCode.Created);
        var folderId = folder.GetProperty("id").GetString()!;
        var content = Tus.RandomBytes(2_500_000);
        var metadata = Tus.Metadata(("filename", "Plage à Nice.mp4"), ("filetype", "video/mp4"), ("folderId", folderId), ("is_confidential", null));

        using var created = await client.CreateAsync(content.Length, metadata);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var url = created.Headers.Location!.OriginalString;
        Assert.Matches("^/api/v1/uploads/[0-9a-f]{32}$", url);
        Assert.Equal("1.0.0", created.Header("Tus-Resumable"));
        Assert.Equal(api.Time.GetUtcNow().AddHours(24), Expires(created), TimeSpan.FromSeconds(1));
        Assert.Equal(content.Length, await StorageUsedAsync(client));

        using (var head = await client.HeadAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(0, head.Offset());
            Assert.Equal(content.Length.ToString(CultureInfo.InvariantCulture), head.Header("Upload-Length"));
            Assert.Equal(metadata, head.Header("Upload-Metadata"));
            Assert.Equal("no-store", head.Header("Cache-Control"));
            Assert.Equal("1.0.0", head.Header("Tus-Resumable"));
            Assert.NotNull(head.Header("Upload-Expires"));
        }

        using (var first = await client.PatchAsync(url, 0, content.AsSpan(0, 1_000_000)))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal(1_000_000, first.Offset());
            Assert.Null(first.Header("Aio-File-Id"));
        }

        api.Time.Advance(TimeSpan.FromHours(3));
        using (var second = await client.PatchAsync(url, 1_000_000, content.AsSpan(1_000_000, 1_000_000)))
        {
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
            Assert.Equal(2_000_000, second.Offset());
            Assert.Equal(api.Time.GetUtcNow().AddHours(24), Expires(second), TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2_000_000, await client.OffsetAsync(url));
        string fileId;
        using (var last = await client.PatchAsync(url, 2_000_000, content.AsSpan(2_000_000)))
        {
            Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
            Assert.Equal(content.Length, last.Offset());
            Assert.Null(last.Header("Upload-Expires"));
            fileId = last.Header("Aio-File-Id")!;
            Assert.NotNull(fileId);
        }

        var file = await (await client.GetAsync($"/api/v1/files/{fileId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Plage à Nice.mp4", file.GetProperty("name").GetString());
        Assert.Equal(folderId, file.GetProperty("folderId").GetString());
        Assert.Equal("video/mp4", file.GetProperty("mimeType").GetString());
        Assert.Equal(content.Length, file.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), file.GetProperty("sha256").GetString());
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{fileId}/download"));
        Assert.Equal(content.Length, await StorageUsedAsync(client));

        using (var head = await client.HeadAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(content.Length, head.Offset());
            Assert.Equal(fileId, head.Header("Aio-File-Id"));
        }

        var status = await (await client.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(Tus.IdOf(url), status.GetProperty("id").GetString());
        Assert.Equal(content.Length, status.GetProperty("offset").GetInt64());
        Assert.Equal(content.Length, status.GetProperty("length").GetInt64());
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(fileId, status.GetProperty("fileId").GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(api.Root, "storage", "uploads")));

        var audit = await (await client.GetAsync("/api/v1/audit")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "file.upload"
            && e.GetProperty("resourceId").GetString() == fileId);
    }

    [Fact]
    public async Task Refused_and_broken_off_chunks_between_good_ones_leave_the_content_hash_right()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(3_000_000);
        var url = await client.CreateUploadAsync(content.Length, "mixed.bin");

        using (var first = await client.PatchAsync(url, 0, content.AsSpan(0, 1_000_000)))
        {
            Assert.Equal(1_000_000, first.Offset());
        }

        // Hashed as it arrives, then refused: neither the file nor the hash of what is kept may contain these bytes.
        var wrong = Tus.RandomBytes(500_000);
        using (var refused = await client.PatchAsync(url, 1_000_000, wrong, Tus.Checksum("sha256", content.AsSpan(1_000_000, 500_000))))
        {
            Assert.Equal(460, (int)refused.StatusCode);
        }

        using (var tooLong = await client.PatchAsync(url, 1_000_000, Tus.RandomBytes(2_000_001)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        }

        using (var second = await client.PatchAsync(url, 1_000_000, content.AsSpan(1_000_000, 1_000_000), Tus.Checksum("sha1", content.AsSpan(1_000_000, 1_000_000))))
        {
            Assert.Equal(2_000_000, second.Offset());
        }

        string fileId;
        using (var last = await client.PatchAsync(url, 2_000_000, content.AsSpan(2_000_000)))
        {
            fileId = last.Header("Aio-File-Id")!;
        }

        var file = await (await client.GetAsync($"/api/v1/files/{fileId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), file.GetProperty("sha256").GetString());
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{fileId}/download"));
    }

    [Fact]
    public async Task The_json_status_follows_an_upload_while_it_is_active()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(100);
        (await client.PatchAsync(url, 0, Tus.RandomBytes(40))).Dispose();
        var status = await (await client.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(40, status.GetProperty("offset").GetInt64());
        Assert.Equal(100, status.GetProperty("length").GetInt64());
        Assert.Equal("active", status.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("fileId").ValueKind);
    }

    [Fact]
    public async Task Creation_with_upload_stores_the_body_and_says_the_offset()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(300_000);
        using var partly = await client.CreateAsync(content.Length, Tus.Metadata(("filename", "part.bin")), Tus.Bytes(content.AsSpan(0, 120_000)));
        Assert.Equal(HttpStatusCode.Created, partly.StatusCode);
        Assert.Equal(120_000, partly.Offset());
        Assert.NotNull(partly.Header("Upload-Expires"));
        var url = partly.Headers.Location!.OriginalString;
        using var rest = await client.PatchAsync(url, 120_000, content.AsSpan(120_000));
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{rest.Header("Aio-File-Id")}/download"));

        var whole = Tus.RandomBytes(5000);
        var checksummed = Tus.Bytes(whole);
        using var request = Tus.Request(HttpMethod.Post, Tus.Endpoint, checksummed);
        request.Headers.Add("Upload-Length", "5000");
        request.Headers.Add("Upload-Checksum", Tus.Checksum("sha256", whole));
        using var all = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, all.StatusCode);
        Assert.Equal(5000, all.Offset());
        var fileId = all.Header("Aio-File-Id");
        Assert.NotNull(fileId);
        var file = await (await client.GetAsync($"/api/v1/files/{fileId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("upload", file.GetProperty("name").GetString());
        Assert.Equal(whole, await client.GetByteArrayAsync($"/api/v1/files/{fileId}/download"));
    }

    [Fact]
    public async Task Creation_with_upload_whose_body_fails_its_checksum_still_creates_the_upload_at_offset_0()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var bytes = Tus.RandomBytes(1000);
        using var request = Tus.Request(HttpMethod.Post, Tus.Endpoint, Tus.Bytes(bytes));
        request.Headers.Add("Upload-Length", "2000");
        request.Headers.Add("Upload-Checksum", Tus.Checksum("sha1", Tus.RandomBytes(1000)));
        using var created = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(0, created.Offset());
        Assert.Equal(0, await client.OffsetAsync(created.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task A_zero_length_upload_is_a_file_as_soon_as_it_is_created()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        using var created = await client.CreateAsync(0, Tus.Metadata(("filename", "empty.txt")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(0, created.Offset());
        var fileId = created.Header("Aio-File-Id");
        Assert.NotNull(fileId);
        var file = await (await client.GetAsync($"/api/v1/files/{fileId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("empty.txt", file.GetProperty("name").GetString());
        Assert.Equal("text/plain", file.GetProperty("mimeType").GetString());
        Assert.Equal(0, file.GetProperty("size").GetInt64());
        Assert.Empty(await client.GetByteArrayAsync($"/api/v1/files/{fileId}/download"));
        using var head = await client.HeadAsync(created.Headers.Location!.OriginalString);
        Assert.Equal(fileId, head.Header("Aio-File-Id"));
    }

    [Fact]
    public async Task A_patch_at_the_wrong_offset_is_409_and_changes_nothing()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(1000);
        (await client.PatchAsync(url, 0, Tus.RandomBytes(300))).Dispose();
        foreach (var wrong in new long[] { 0, 200, 301, 1000 })
        {
            await (await client.PatchAsync(url, wrong, Tus.RandomBytes(10))).ProblemAsync(HttpStatusCode.Conflict);
        }

        Assert.Equal(300, await client.OffsetAsync(url));
        Assert.Equal(300, new FileInfo(DataFile(url)).Length);
    }

    [Fact]
    public async Task A_patch_needs_offset_octet_stream_and_a_valid_offset()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(1000);
        var json = new ByteArrayContent(Encoding.UTF8.GetBytes("{}"));
        json.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await (await client.PatchAsync(url, 0, json)).ProblemAsync(HttpStatusCode.UnsupportedMediaType);

        foreach (var offset in new[] { "-1", "abc", "" })
        {
            using var request = Tus.Request(HttpMethod.Patch, url, Tus.Bytes(Tus.RandomBytes(10)));
            if (offset.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("Upload-Offset", offset);
            }

            await (await client.SendAsync(request)).ProblemAsync(HttpStatusCode.BadRequest);
        }

        Assert.Equal(0, await client.OffsetAsync(url));
    }

    [Fact]
    public async Task Sha1_and_sha256_checksums_are_verified_and_a_mismatch_is_460_keeping_nothing()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(3000);
        var url = await client.CreateUploadAsync(content.Length, "checked.bin");

        using (var sha1 = await client.PatchAsync(url, 0, content.AsSpan(0, 1000), Tus.Checksum("sha1", content.AsSpan(0, 1000))))
        {
            Assert.Equal(HttpStatusCode.NoContent, sha1.StatusCode);
            Assert.Equal(1000, sha1.Offset());
        }

        var mismatch = await client.PatchAsync(url, 1000, content.AsSpan(1000, 1000), Tus.Checksum("sha256", content.AsSpan(0, 1000)));
        Assert.Equal(460, (int)mismatch.StatusCode);
        Assert.Equal("application/problem+json", mismatch.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1000, await client.OffsetAsync(url));
        Assert.Equal(1000, new FileInfo(DataFile(url)).Length);

        await (await client.PatchAsync(url, 1000, content.AsSpan(1000, 1000), "md5 " + Convert.ToBase64String(MD5.HashData(content.AsSpan(1000, 1000)))))
            .ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PatchAsync(url, 1000, content.AsSpan(1000, 1000), "sha256 not-base64!")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(1000, await client.OffsetAsync(url));

        using (var sha256 = await client.PatchAsync(url, 1000, content.AsSpan(1000, 1000), Tus.Checksum("sha256", content.AsSpan(1000, 1000))))
        {
            Assert.Equal(2000, sha256.Offset());
        }

        using var last = await client.PatchAsync(url, 2000, content.AsSpan(2000), Tus.Checksum("sha1", content.AsSpan(2000)));
        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{last.Header("Aio-File-Id")}/download"));
    }

    [Fact]
    public async Task More_bytes_than_the_upload_has_left_are_413_and_none_are_kept()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(1000);
        (await client.PatchAsync(url, 0, Tus.RandomBytes(600))).Dispose();

        await (await client.PatchAsync(url, 600, Tus.RandomBytes(401))).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(600, await client.OffsetAsync(url));

        // Without Content-Length the server only finds out while reading: still nothing of it stays.
        await (await client.PatchAsync(url, 600, ScriptedContent.WithoutLength(Tus.RandomBytes(450)))).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(600, await client.OffsetAsync(url));
        Assert.Equal(600, new FileInfo(DataFile(url)).Length);

        using var fits = await client.PatchAsync(url, 600, ScriptedContent.WithoutLength(Tus.RandomBytes(400)));
        Assert.Equal(HttpStatusCode.NoContent, fits.StatusCode);
        Assert.NotNull(fits.Header("Aio-File-Id"));
    }

    [Fact]
    public async Task Creation_is_refused_for_bad_lengths_metadata_names_and_folders()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        await (await client.CreateAsync(50_000_001)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        using (var missing = Tus.Request(HttpMethod.Post, Tus.Endpoint))
        {
            await (await client.SendAsync(missing)).ProblemAsync(HttpStatusCode.BadRequest);
        }

        using (var deferred = Tus.Request(HttpMethod.Post, Tus.Endpoint))
        {
            deferred.Headers.Add("Upload-Defer-Length", "1");
            await (await client.SendAsync(deferred)).ProblemAsync(HttpStatusCode.BadRequest);
        }

        using (var negative = Tus.Request(HttpMethod.Post, Tus.Endpoint))
        {
            negative.Headers.TryAddWithoutValidation("Upload-Length", "-5");
            await (await client.SendAsync(negative)).ProblemAsync(HttpStatusCode.BadRequest);
        }

        await (await client.CreateAsync(10, "filename not*base64")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.CreateAsync(10, "filename " + Convert.ToBase64String([0xff, 0xfe]))).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.CreateAsync(10, Tus.Metadata(("filename", "a"), ("filename", "b")))).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.CreateAsync(10, Tus.Metadata(("filename", "../etc/passwd")))).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.CreateAsync(10, Tus.Metadata(("filename", "ok.txt"), ("onConflict", "overwrite")))).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.CreateAsync(10, Tus.Metadata(("filename", "ok.txt"), ("folderId", "0190aaaa0000700000000000000000ff")))).ProblemAsync(HttpStatusCode.NotFound);

        var json = new StringContent("{}", Encoding.UTF8, "application/json");
        await (await client.CreateAsync(10, Tus.Metadata(("filename", "ok.txt")), json)).ProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(0, await StorageUsedAsync(client));
    }

    [Fact]
    public async Task On_conflict_fail_is_409_at_creation_and_rename_picks_a_free_name()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        using (var first = await client.CreateAsync(3, Tus.Metadata(("filename", "notes.txt")), Tus.Bytes("one"u8)))
        {
            Assert.NotNull(first.Header("Aio-File-Id"));
        }

        await (await client.CreateAsync(3, Tus.Metadata(("filename", "notes.txt"), ("onConflict", "fail")))).ProblemAsync(HttpStatusCode.Conflict);
        using var renamed = await client.CreateAsync(3, Tus.Metadata(("filename", "notes.txt"), ("onConflict", "rename")), Tus.Bytes("two"u8));
        var file = await (await client.GetAsync($"/api/v1/files/{renamed.Header("Aio-File-Id")}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("notes (1).txt", file.GetProperty("name").GetString());
        Assert.Equal(6, await StorageUsedAsync(client));
    }

    [Fact]
    public async Task Post_with_X_HTTP_Method_Override_acts_as_patch_and_delete()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(10);
        using (var request = Tus.Request(HttpMethod.Post, url, Tus.Bytes("0123456789"u8)))
        {
            request.Headers.Add("X-HTTP-Method-Override", "PATCH");
            request.Headers.Add("Upload-Offset", "0");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal("0123456789", await client.GetStringAsync($"/api/v1/files/{response.Header("Aio-File-Id")}/download"));
        }

        var other = await client.CreateUploadAsync(10);
        using (var request = Tus.Request(HttpMethod.Post, other))
        {
            request.Headers.Add("X-HTTP-Method-Override", "DELETE");
            Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(request)).StatusCode);
        }

        using var gone = await client.HeadAsync(other);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
    }

    [Fact]
    public async Task The_web_origin_may_send_tus_headers_and_read_the_tus_responses()
    {
        var client = api.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{Tus.Endpoint}/0190aaaa0000700000000000000000ff");
        preflight.Headers.Add("Origin", "http://localhost:3000");
        preflight.Headers.Add("Access-Control-Request-Method", "PATCH");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,tus-resumable,upload-offset,upload-checksum");
        using (var response = await client.SendAsync(preflight))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal("http://localhost:3000", response.Header("Access-Control-Allow-Origin"));
            Assert.Contains("PATCH", response.Header("Access-Control-Allow-Methods"));
            Assert.Contains("upload-offset", response.Header("Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        }

        var user = await api.CreateClient().RegisterAsync();
        using var create = Tus.Request(HttpMethod.Post, Tus.Endpoint);
        create.Headers.Add("Origin", "http://localhost:3000");
        create.Headers.Add("Upload-Length", "5");
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var exposed = created.Header("Access-Control-Expose-Headers")!.Split(',').Select(h => h.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var header in new[] { "Location", "Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata", "Tus-Resumable", "Tus-Version",
            "Tus-Extension", "Tus-Max-Size", "Aio-File-Id" })
        {
            Assert.Contains(header, exposed);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_every_upload_route()
    {
        var document = await api.CreateClient().GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/openapi.json");
        var paths = document.GetProperty("paths");
        var collection = paths.GetProperty("/api/v1/uploads");
        Assert.True(collection.TryGetProperty("options", out _));
        Assert.True(collection.TryGetProperty("post", out _));
        var upload = paths.GetProperty("/api/v1/uploads/{id}");
        foreach (var method in new[] { "head", "patch", "delete", "get" })
        {
            Assert.True(upload.TryGetProperty(method, out _), $"{method} /api/v1/uploads/{{id}} is not in the document");
        }
    }

    private string DataFile(string url) => Path.Combine(api.Root, "storage", "uploads", Tus.IdOf(url));

    private static DateTimeOffset Expires(HttpResponseMessage response)
        => DateTimeOffset.ParseExact(response.Header("Upload-Expires")!, "r", CultureInfo.InvariantCulture);

    private static async Task<long> StorageUsedAsync(HttpClient client)
        => (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64();
}
