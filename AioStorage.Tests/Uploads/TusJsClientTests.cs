using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using AioStorage.Tests.Api;

namespace AioStorage.Tests.Uploads;

/// <summary>
/// Any tus client works: tus-js-client (tests/tus-client/upload.mjs, run by Node) uploads to the api on a real
/// Kestrel port, and the downloaded file must be byte-identical. Node.js 20+ is needed (scripts/install-deps.sh test);
/// the client's packages are installed with <c>npm ci</c> from the committed lockfile when missing.
/// </summary>
public class TusJsClientTests : IAsyncLifetime
{
    private static readonly SemaphoreSlim NpmInstall = new(1, 1);

    private readonly KestrelApiFactory api = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task Tus_js_client_uploads_20_MiB_in_5_MiB_chunks_and_the_download_is_identical()
    {
        api.StartServer();
        var client = api.CreateClient();
        Assert.NotEqual(0, client.BaseAddress!.Port);
        client.As(await client.RegisterAsync());
        var (path, sha256) = await WriteRandomFileAsync("holiday-video.mp4", 20 * 1024 * 1024);

        var result = await RunClientAsync(client, path, 5 * 1024 * 1024, new() { ["TUS_FILETYPE"] = "video/mp4" });
        Assert.Equal(4, result.GetProperty("chunks").GetInt32());
        await AssertStoredAsync(client, result.GetProperty("fileId").GetString()!, "holiday-video.mp4", "video/mp4", 20 * 1024 * 1024, sha256);
        var status = await (await client.GetAsync(new Uri(result.GetProperty("uploadUrl").GetString()!).AbsolutePath)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("completed", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tus_js_client_with_data_during_creation_and_patch_over_post_works_too()
    {
        api.StartServer();
        var client = api.CreateClient();
        client.As(await client.RegisterAsync());
        var (path, sha256) = await WriteRandomFileAsync("report.pdf", 3 * 1024 * 1024 + 123);

        var result = await RunClientAsync(client, path, 1024 * 1024, new()
        {
            ["TUS_FILETYPE"] = "application/pdf",
            ["TUS_DATA_DURING_CREATION"] = "1",
            ["TUS_OVERRIDE_PATCH"] = "1",
        });
        await AssertStoredAsync(client, result.GetProperty("fileId").GetString()!, "report.pdf", "application/pdf", 3 * 1024 * 1024 + 123, sha256);
    }

    private async Task<JsonElement> RunClientAsync(HttpClient client, string path, int chunkSize, Dictionary<string, string> extra)
    {
        var folder = ClientFolder();
        await EnsurePackagesAsync(folder);
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { "upload.mjs" },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TUS_ENDPOINT"] = new Uri(client.BaseAddress!, "/api/v1/uploads").ToString();
        start.Environment["TUS_TOKEN"] = client.DefaultRequestHeaders.Authorization!.Parameter;
        start.Environment["TUS_FILE"] = path;
        start.Environment["TUS_CHUNK_SIZE"] = chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in extra)
        {
            start.Environment[key] = value;
        }

        var (exitCode, stdout, stderr) = await RunAsync(start, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"node upload.mjs exited with {exitCode}:\n{stderr}\n{stdout}");
        return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    private static async Task AssertStoredAsync(HttpClient client, string fileId, string name, string mimeType, long size, string sha256)
    {
        var file = await (await client.GetAsync($"/api/v1/files/{fileId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(name, file.GetProperty("name").GetString());
        Assert.Equal(mimeType, file.GetProperty("mimeType").GetString());
        Assert.Equal(size, file.GetProperty("size").GetInt64());
        Assert.Equal(sha256, file.GetProperty("sha256").GetString());

        await using var download = await client.GetStreamAsync($"/api/v1/files/{fileId}/download");
        Assert.Equal(sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(download)));
        var me = await (await client.GetAsync("/api/v1/auth/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(size, me.GetProperty("storageUsed").GetInt64());
    }

    /// <summary>A file of random bytes written a mebibyte at a time, and its SHA-256.</summary>
    private async Task<(string Path, string Sha256)> WriteRandomFileAsync(string name, int size)
    {
        var directory = Directory.CreateDirectory(Path.Combine(api.Root, "client")).FullName;
        var path = Path.Combine(directory, name);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = File.Create(path);
        var block = new byte[1024 * 1024];
        for (var left = size; left > 0; left -= block.Length)
        {
            var part = block.AsMemory(0, Math.Min(block.Length, left));
            Random.Shared.NextBytes(part.Span);
            hash.AppendData(part.Span);
            await file.WriteAsync(part);
        }

        return (path, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task EnsurePackagesAsync(string folder)
    {
        await NpmInstall.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", "tus-js-client")))
            {
                return;
            }

            var npm = new ProcessStartInfo("npm")
            {
                ArgumentList = { "ci", "--no-audit", "--no-fund" },
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var (exitCode, stdout, stderr) = await RunAsync(npm, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"`npm ci` in {folder} failed ({exitCode}), so tus-js-client could not be installed:\n{stderr}\n{stdout}");
        }
        finally
        {
            NpmInstall.Release();
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"`{start.FileName}` could not be started ({ex.Message}). Node.js 20+ with npm is needed: run scripts/install-deps.sh test.", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{start.FileName} {string.Join(' ', start.ArgumentList)}` did not finish within {timeout}:\n{await stderr}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }

    private static string ClientFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "tus-client");
            if (File.Exists(Path.Combine(candidate, "upload.mjs")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/tus-client/upload.mjs was not found above {AppContext.BaseDirectory}.");
    }
}
