using System.Net;
using AioStorage.Tests.Api;
using AioStorage.Tests.Infrastructure;

namespace AioStorage.Tests.Uploads;

/// <summary>
/// Uploads are written straight to the disk (O_DIRECT) unless <c>STORAGE_DIRECT_IO=false</c>: the stored content of a
/// multipart and of a tus upload is then not in the page cache (fincore counts what is), and either way it downloads
/// byte for byte.
/// </summary>
public class DirectWriteTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task Stored_content_bypasses_the_page_cache_unless_direct_writes_are_off(string? setting, bool direct)
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["STORAGE_DIRECT_IO"] = setting });
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());

        var multipart = Tus.RandomBytes(3_000_000);
        var uploaded = await FileTransferTests.UploadAsync(client, "multipart.bin", multipart);
        var tus = Tus.RandomBytes(3_000_000);
        var url = await client.CreateUploadAsync(tus.Length, "tus.bin");
        using var committed = await client.PatchAsync(url, 0, tus);
        Assert.Equal(HttpStatusCode.NoContent, committed.StatusCode);
        var tusFile = await (await client.GetAsync($"/api/v1/files/{committed.Header("Aio-File-Id")}")).JsonAsync(HttpStatusCode.OK);

        foreach (var (file, content) in new[] { (uploaded, multipart), (tusFile, tus) })
        {
            var sha256 = file.GetProperty("sha256").GetString()!;
            var blob = Path.Combine(api.Root, "storage", "blobs", sha256[..2], sha256[2..4], sha256);
            var resident = await PageCache.ResidentBytesAsync(blob);
            if (direct)
            {
                // Only the last piece's tail (under one 4 KiB block) goes through the cache.
                Assert.InRange(resident, 0, 4096);
            }
            else
            {
                Assert.InRange(resident, content.Length - 4096, content.Length + 4096);
            }

            Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{file.GetProperty("id").GetString()}/download"));
        }
    }

    [Fact]
    public async Task A_setting_that_is_not_true_or_false_stops_the_api_at_start()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["STORAGE_DIRECT_IO"] = "sometimes" });
        var error = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains("STORAGE_DIRECT_IO", error.ToString());
    }
}
