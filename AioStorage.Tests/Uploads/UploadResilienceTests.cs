using System.Diagnostics;
using System.Net;
using AioStorage.Core.Blobs;
using AioStorage.Core.Metadata;
using AioStorage.Core.Uploads;
using AioStorage.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Uploads;

/// <summary>What big uploads live through: dropped connections, an api restart, two writers at once, a crash mid-commit.</summary>
public class UploadResilienceTests : IAsyncLifetime
{
    /// <summary>
    /// The server writes a body in pieces of this size, each once it is full (or the body ends or breaks off): the data
    /// file reaching a piece's end is how a test knows the server has read that far.
    /// </summary>
    private const int Piece = ContentPump.PieceSize;

    private readonly ApiFactory api = new();

    /// <summary>
    /// Where the n-th piece of a PATCH at <paramref name="offset"/> ends: the first piece is cut short so that the ones
    /// after it start on a disk block boundary.
    /// </summary>
    private static int PieceEnd(int offset, int pieces) => offset - offset % DirectIo.Alignment + pieces * Piece;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task A_patch_broken_off_half_way_keeps_what_arrived_and_resumes_from_heads_offset()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(4_000_000);
        var url = await client.CreateUploadAsync(content.Length, "interrupted.bin");
        var dataFile = DataFile(api, url);

        using var connection = new CancellationTokenSource();
        var broken = ScriptedContent.BreakingOff(content, 2 * Piece, () => WaitForLengthAsync(dataFile, 2 * Piece), connection);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PatchAsync(url, 0, broken, cancellationToken: connection.Token));

        var offset = await WaitForOffsetAsync(client, url, 2 * Piece);
        Assert.Equal(2 * Piece, offset);
        using var rest = await client.PatchAsync(url, offset, content.AsSpan((int)offset));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{rest.Header("Aio-File-Id")}/download"));
    }

    [Fact]
    public async Task A_client_that_drops_its_socket_mid_body_keeps_what_arrived_on_a_real_server()
    {
        await using var kestrel = new KestrelApiFactory();
        kestrel.StartServer();
        var client = kestrel.StreamingClient().As(await kestrel.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(6_000_000);
        var url = await client.CreateUploadAsync(content.Length, "dropped.bin");
        var dataFile = DataFile(kestrel, url);

        // No cancellation here: the content's exception makes the client abort the connection, and Kestrel sees a reset.
        var broken = ScriptedContent.BreakingOff(content, 4 * Piece, () => WaitForLengthAsync(dataFile, 4 * Piece), new CancellationTokenSource());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PatchAsync(url, 0, broken));

        var offset = await WaitForOffsetAsync(client, url, 4 * Piece);
        Assert.Equal(4 * Piece, offset);
        using var rest = await client.PatchAsync(url, offset, content.AsSpan((int)offset));
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{rest.Header("Aio-File-Id")}/download"));
    }

    [Fact]
    public async Task A_broken_off_patch_with_a_checksum_keeps_nothing_as_it_cannot_be_verified()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(2_000_000);
        var url = await client.CreateUploadAsync(content.Length);
        (await client.PatchAsync(url, 0, content.AsSpan(0, 500_000))).Dispose();
        var dataFile = DataFile(api, url);

        using var connection = new CancellationTokenSource();
        var broken = ScriptedContent.BreakingOff(content[500_000..], PieceEnd(500_000, 1) - 500_000, () => WaitForLengthAsync(dataFile, PieceEnd(500_000, 1)), connection);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.PatchAsync(url, 500_000, broken, Tus.Checksum("sha256", content.AsSpan(500_000)), connection.Token));

        await WaitForLengthAsync(dataFile, 500_000);
        Assert.Equal(500_000, await client.OffsetAsync(url));
    }

    [Fact]
    public async Task An_upload_resumes_after_the_api_restarts_on_the_same_storage()
    {
        var root = Directory.CreateTempSubdirectory("aio-api-restart-").FullName;
        var settings = new Dictionary<string, string?> { ["JWT_SECRET"] = "tests-only-restart-secret-" + Guid.NewGuid().ToString("N") };
        try
        {
            var content = Tus.RandomBytes(4_000_000);
            string url;
            ApiClient.Account account;
            await using (var first = new ApiFactory(settings, root: root))
            {
                account = await first.CreateClient().RegisterAsync();
                var client = first.StreamingClient().As(account);
                url = await client.CreateUploadAsync(content.Length, "survivor.bin");
                (await client.PatchAsync(url, 0, content.AsSpan(0, 1_000_000))).Dispose();
                using var connection = new CancellationTokenSource();
                var broken = ScriptedContent.BreakingOff(content[1_000_000..], PieceEnd(1_000_000, 2) - 1_000_000, () => WaitForLengthAsync(DataFile(first, url), PieceEnd(1_000_000, 2)), connection);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PatchAsync(url, 1_000_000, broken, cancellationToken: connection.Token));
                Assert.Equal(PieceEnd(1_000_000, 2), await WaitForOffsetAsync(client, url, PieceEnd(1_000_000, 2)));
            }

            await using var second = new ApiFactory(settings, root: root);
            var again = second.StreamingClient().As(account);
            var offset = await again.OffsetAsync(url);
            Assert.Equal(PieceEnd(1_000_000, 2), offset);
            using var rest = await again.PatchAsync(url, offset, content.AsSpan((int)offset));
            Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
            Assert.Equal(content, await again.GetByteArrayAsync($"/api/v1/files/{rest.Header("Aio-File-Id")}/download"));
            var me = await (await again.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(content.Length, me.GetProperty("storageUsed").GetInt64());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Two_patches_at_once_one_writes_the_other_is_423_then_409_and_the_file_is_right()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(2_000_000);
        var url = await client.CreateUploadAsync(content.Length, "contended.bin");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = client.PatchAsync(url, 0, ScriptedContent.Pausing(content, Piece, () => gate.Task));
        await WaitForLengthAsync(DataFile(api, url), Piece);

        var rival = api.StreamingClient().As(client.DefaultRequestHeaders.Authorization!.Parameter!);
        await (await rival.PatchAsync(url, 0, content)).ProblemAsync((HttpStatusCode)423);
        await (await rival.DeleteUploadAsync(url)).ProblemAsync((HttpStatusCode)423);
        Assert.Equal(0, await rival.OffsetAsync(url));

        gate.SetResult();
        using var won = await slow;
        Assert.Equal(HttpStatusCode.NoContent, won.StatusCode);
        var fileId = won.Header("Aio-File-Id");
        await (await rival.PatchAsync(url, 0, content)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{fileId}/download"));
        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(content.Length, me.GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task A_crash_between_the_last_byte_and_the_commit_is_finished_by_the_next_head_or_the_cleaner()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var sessions = api.Services.GetRequiredService<IUploadSessionStore>();

        var byHead = Tus.RandomBytes(5000);
        var headUrl = await client.CreateUploadAsync(byHead.Length, "by-head.bin");
        await SimulateCrashAfterLastByteAsync(sessions, headUrl, byHead);
        using (var head = await client.HeadAsync(headUrl))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(byHead.Length, head.Offset());
            Assert.Equal(byHead, await client.GetByteArrayAsync($"/api/v1/files/{head.Header("Aio-File-Id")}/download"));
        }

        var byCleaner = Tus.RandomBytes(7000);
        var cleanerUrl = await client.CreateUploadAsync(byCleaner.Length, "by-cleaner.bin");
        await SimulateCrashAfterLastByteAsync(sessions, cleanerUrl, byCleaner);
        api.Time.Advance(TimeSpan.FromHours(25));
        await api.Services.GetRequiredService<UploadCleaner>().RunOnceAsync(CancellationToken.None);
        var status = await (await client.GetAsync(cleanerUrl)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(byCleaner, await client.GetByteArrayAsync($"/api/v1/files/{status.GetProperty("fileId").GetString()}/download"));

        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(byHead.Length + byCleaner.Length, me.GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task Bytes_a_crashed_writer_stored_past_the_acknowledged_offset_are_cut_off()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var content = Tus.RandomBytes(10_000);
        var url = await client.CreateUploadAsync(content.Length);
        (await client.PatchAsync(url, 0, content.AsSpan(0, 4000))).Dispose();
        await using (var data = new FileStream(DataFile(api, url), FileMode.Append))
        {
            await data.WriteAsync(Tus.RandomBytes(3000));
        }

        Assert.Equal(4000, await client.OffsetAsync(url));
        using var rest = await client.PatchAsync(url, 4000, content.AsSpan(4000));
        Assert.Equal(content, await client.GetByteArrayAsync($"/api/v1/files/{rest.Header("Aio-File-Id")}/download"));
    }

    [Fact]
    public async Task A_crash_after_the_hand_over_to_the_blob_store_ends_the_upload_and_keeps_the_reservation()
    {
        var client = api.StreamingClient().As(await api.CreateClient().RegisterAsync());
        var url = await client.CreateUploadAsync(6000);
        await SimulateCrashAfterLastByteAsync(api.Services.GetRequiredService<IUploadSessionStore>(), url, Tus.RandomBytes(6000));
        File.Delete(DataFile(api, url));

        Assert.Equal(HttpStatusCode.Gone, (await client.HeadAsync(url)).StatusCode);
        var status = await (await client.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("terminated", status.GetProperty("status").GetString());
        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(6000, me.GetProperty("storageUsed").GetInt64());
    }

    /// <summary>The state a process leaves when it dies right after recording the last byte: data complete, offset full, no file yet.</summary>
    private async Task SimulateCrashAfterLastByteAsync(IUploadSessionStore sessions, string url, byte[] content)
    {
        await File.WriteAllBytesAsync(DataFile(api, url), content);
        var now = api.Time.GetUtcNow();
        Assert.NotNull(await sessions.AdvanceAsync(Tus.IdOf(url), 0, content.Length, now.AddHours(24), now, CancellationToken.None));
    }

    private static string DataFile(ApiFactory factory, string url) => Path.Combine(factory.Root, "storage", "uploads", Tus.IdOf(url));

    private static async Task WaitForLengthAsync(string path, long length)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path) || new FileInfo(path).Length != length)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{path} never reached {length} bytes");
            await Task.Delay(20);
        }
    }

    /// <summary>The server records a broken-off body after the client has given up on it: ask until it has.</summary>
    private static async Task<long> WaitForOffsetAsync(HttpClient client, string url, long expected)
    {
        var clock = Stopwatch.StartNew();
        long offset;
        while ((offset = await client.OffsetAsync(url)) != expected && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        return offset;
    }
}
