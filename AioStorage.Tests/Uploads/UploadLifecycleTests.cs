using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using AioStorage.Core.Uploads;
using AioStorage.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Uploads;

/// <summary>How uploads end other than by completing (termination, expiry), who may see them, and what they cost.</summary>
public class UploadLifecycleTests : IAsyncLifetime
{
    private readonly ApiFactory api = new(new Dictionary<string, string?> { ["DEFAULT_STORAGE_QUOTA"] = "250000" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task A_final_chunk_refused_for_its_name_gives_the_reservation_back()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        using var created = await client.CreateAsync(1000, Tus.Metadata(("filename", "report.pdf"), ("onConflict", "fail")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var url = created.Headers.Location!.OriginalString;
        Assert.Equal(1000, (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());

        // The name is taken while the upload is under way.
        (await client.PostAsJsonAsync("/api/v1/folders", new { name = "report.pdf" })).EnsureSuccessStatusCode();
        using var last = await client.PatchAsync(url, 0, new byte[1000]);
        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);

        Assert.Equal(0, (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task A_folder_holding_the_name_refuses_a_new_version_before_any_byte_is_sent()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        (await client.PostAsJsonAsync("/api/v1/folders", new { name = "report.pdf" })).EnsureSuccessStatusCode();
        using var created = await client.CreateAsync(1000, Tus.Metadata(("filename", "report.pdf")));
        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task Termination_deletes_the_bytes_gives_the_quota_back_and_the_url_is_gone()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(100_000);
        (await client.PatchAsync(url, 0, Tus.RandomBytes(40_000))).Dispose();
        Assert.Equal(100_000, await StorageUsedAsync(client));

        using (var terminated = await client.DeleteUploadAsync(url))
        {
            Assert.Equal(HttpStatusCode.NoContent, terminated.StatusCode);
            Assert.Equal("1.0.0", terminated.Header("Tus-Resumable"));
        }

        Assert.Equal(0, await StorageUsedAsync(client));
        Assert.False(File.Exists(DataFile(url)));
        Assert.Equal(HttpStatusCode.Gone, (await client.HeadAsync(url)).StatusCode);
        await (await client.PatchAsync(url, 40_000, Tus.RandomBytes(10))).ProblemAsync(HttpStatusCode.Gone);
        await (await client.DeleteUploadAsync(url)).ProblemAsync(HttpStatusCode.Gone);
        var status = await (await client.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("terminated", status.GetProperty("status").GetString());
        Assert.Equal(0, await StorageUsedAsync(client));
    }

    [Fact]
    public async Task The_cleaner_discards_expired_uploads_returns_their_quota_and_later_forgets_them()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var stale = await client.CreateUploadAsync(100_000);
        (await client.PatchAsync(stale, 0, Tus.RandomBytes(30_000))).Dispose();
        api.Time.Advance(TimeSpan.FromHours(20));
        var fresh = await client.CreateUploadAsync(50_000);
        (await client.PatchAsync(fresh, 0, Tus.RandomBytes(10_000))).Dispose();
        Assert.Equal(150_000, await StorageUsedAsync(client));

        api.Time.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        await Cleaner.RunOnceAsync(CancellationToken.None);

        Assert.Equal(50_000, await StorageUsedAsync(client));
        Assert.False(File.Exists(DataFile(stale)));
        Assert.True(File.Exists(DataFile(fresh)));
        var status = await (await client.GetAsync(stale)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("expired", status.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Gone, (await client.HeadAsync(stale)).StatusCode);
        await (await client.PatchAsync(stale, 30_000, Tus.RandomBytes(10))).ProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(10_000, await client.OffsetAsync(fresh));

        api.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await Cleaner.RunOnceAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.NotFound, (await client.HeadAsync(stale)).StatusCode);
        await (await client.GetAsync(stale)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await StorageUsedAsync(client));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(api.Root, "storage", "uploads")));
    }

    [Fact]
    public async Task An_expired_upload_is_gone_at_once_even_before_the_cleaner_runs()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(100_000);
        (await client.PatchAsync(url, 0, Tus.RandomBytes(1000))).Dispose();
        api.Time.Advance(TimeSpan.FromHours(24));

        await (await client.PatchAsync(url, 1000, Tus.RandomBytes(1000))).ProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.Gone, (await client.HeadAsync(url)).StatusCode);
        Assert.Equal(0, await StorageUsedAsync(client));
        Assert.False(File.Exists(DataFile(url)));
    }

    [Fact]
    public async Task Creation_over_quota_is_507_and_a_reservation_counts_until_it_is_given_back()
    {
        var client = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        await (await client.CreateAsync(250_001)).ProblemAsync(HttpStatusCode.InsufficientStorage);
        var url = await client.CreateUploadAsync(200_000);
        Assert.Equal(200_000, await StorageUsedAsync(client));
        await (await client.CreateAsync(60_000)).ProblemAsync(HttpStatusCode.InsufficientStorage);

        // The reservation holds for the plain upload route too: the quota is spoken for.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Tus.RandomBytes(60_000)), "file", "plain.bin" } };
        await (await client.PostAsync("/api/v1/files/upload", form)).ProblemAsync(HttpStatusCode.InsufficientStorage);

        (await client.DeleteUploadAsync(url)).Dispose();
        Assert.Equal(0, await StorageUsedAsync(client));
        var again = await client.CreateUploadAsync(250_000);
        Assert.Equal(250_000, await StorageUsedAsync(client));
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Another_users_upload_is_404_for_every_method_and_untouched()
    {
        var owner = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var stranger = api.CreateClient().As(await api.CreateClient().RegisterAsync());
        var url = await owner.CreateUploadAsync(1000);
        (await owner.PatchAsync(url, 0, Tus.RandomBytes(100))).Dispose();

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.HeadAsync(url)).StatusCode);
        await (await stranger.PatchAsync(url, 100, Tus.RandomBytes(100))).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.DeleteUploadAsync(url)).ProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(100, await owner.OffsetAsync(url));

        foreach (var hostile in new[] { "..%2F..%2Fstaging", "0190AAAA0000700000000000000000FF", "x.lock" })
        {
            await (await owner.PatchAsync($"{Tus.Endpoint}/{hostile}", 0, Tus.RandomBytes(10))).ProblemAsync(HttpStatusCode.NotFound);
        }

        var anonymous = api.CreateClient();
        using var unauthorized = await anonymous.HeadAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("1.0.0", unauthorized.Header("Tus-Resumable"));
        await (await anonymous.CreateAsync(10)).ProblemAsync(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        await (await anonymous.PatchAsync(url, 100, Tus.RandomBytes(10))).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    private UploadCleaner Cleaner => api.Services.GetRequiredService<UploadCleaner>();

    private string DataFile(string url) => Path.Combine(api.Root, "storage", "uploads", Tus.IdOf(url));

    private static async Task<long> StorageUsedAsync(HttpClient client)
        => (await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("storageUsed").GetInt64();
}
