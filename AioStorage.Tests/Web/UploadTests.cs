using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>
/// Uploads from a real browser straight to the real api (tus), and downloads back from it through signed links. The
/// web's chunk size is <see cref="LiveDrive.ChunkSize"/>, so a few megabytes make several PATCH requests.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class UploadTests(BrowserFixture browser, LiveDrive drive) : LiveDrivePageTest(browser, drive), IClassFixture<LiveDrive>
{
    private readonly UploadFiles files = new();
    private readonly ConcurrentQueue<IRequest> requests = new();
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        files.Dispose();
    }

    protected override async Task<LiveAccount> SignedInAsync()
    {
        var account = await base.SignedInAsync();
        Page.Request += (_, request) => requests.Enqueue(request);
        return account;
    }

    private ILocator Tray => Page.GetByTestId("upload-tray");

    private ILocator TrayTitle => Tray.Locator("#upload-tray-title");

    private ILocator Upload(string name) => Tray.Locator("li.upload[data-upload-id]").Filter(new() { Has = Page.Locator(".upload-name").GetByText(name, new() { Exact = true }) });

    private ILocator RowNames => Page.Locator("tr.drive-row .item-name");

    private ILocator Row(string name) => Page.Locator("tr.drive-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    /// <summary>The tus requests the page sent to the api for its uploads, in order.</summary>
    private IRequest[] TusRequests(string method) =>
        [.. requests.Where(r => r.Method == method && r.Url.StartsWith(TusBase, StringComparison.Ordinal))];

    private static long OffsetOf(IRequest request) => request.Headers.TryGetValue("upload-offset", out var offset)
        ? long.Parse(offset, System.Globalization.CultureInfo.InvariantCulture)
        : -1;

    private async Task ChooseFilesAsync(params string[] paths)
    {
        var chooser = await Page.RunAndWaitForFileChooserAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).First.ClickAsync());
        await chooser.SetFilesAsync(paths);
    }

    private static string IdOf(JsonElement[] items, string name) =>
        items.Single(i => i.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;

    [Fact]
    public async Task The_Upload_button_sends_files_straight_to_the_api_lists_them_with_their_sizes_and_downloads_them_back()
    {
        var account = await SignedInAsync();
        await Page.GotoAsync("files");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("0 bytes of 10 GB used");
        var photo = files.Create("photo.bin", UploadFiles.Random(2 * LiveDrive.ChunkSize + 500_000, seed: 1));
        var notes = files.Create("notes.txt", Encoding.UTF8.GetBytes("Shopping list: milk, eggs, a second hard Drive.\n"));

        await ChooseFilesAsync(photo.Path, notes.Path);

        await Expect(TrayTitle).ToHaveTextAsync("2 uploads complete", new() { Timeout = 30_000 });
        await Expect(Upload("photo.bin").GetByTestId("upload-status")).ToHaveTextAsync("Uploaded · 2.5 MB");
        await Expect(Upload("photo.bin").GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(RowNames).ToHaveTextAsync(["notes.txt", "photo.bin"]);
        await Expect(Row("photo.bin").Locator(".col-size")).ToHaveTextAsync("2.5 MB");
        await Expect(Row("notes.txt").Locator(".col-size")).ToHaveTextAsync($"{notes.Bytes.Length} bytes");
        var used = photo.Bytes.Length + notes.Bytes.Length;
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("2.5 MB of 10 GB used");
        Assert.Equal(used, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());
        await Screenshots.TakeAsync(Page, "upload-done");

        // The bytes went from the browser to the api in chunks, never through the web server.
        var patches = requests.Where(r => r.Method == "PATCH").ToArray();
        Assert.All(patches, p => Assert.StartsWith(new Uri(Drive.Api.Address, "api/v1/uploads/").ToString(), p.Url));
        Assert.Equal([0L, 0L, LiveDrive.ChunkSize, 2L * LiveDrive.ChunkSize], patches.Select(OffsetOf).Order());
        var items = await account.ItemsInAsync("root");
        Assert.Equal(photo.Bytes, await account.DownloadAsync(IdOf(items, "photo.bin")));
        Assert.Equal(notes.Bytes, await account.DownloadAsync(IdOf(items, "notes.txt")));

        // A double-click downloads through a signed link to the api, without the bearer token.
        var download = await Page.RunAndWaitForDownloadAsync(() => Row("photo.bin").Locator(".col-modified").DblClickAsync());
        Assert.StartsWith(new Uri(Drive.Api.Address, $"api/v1/files/{IdOf(items, "photo.bin")}/download?").ToString(), download.Url);
        Assert.Contains("sig=", download.Url);
        Assert.Equal("photo.bin", download.SuggestedFilename);
        Assert.Equal(photo.Bytes, await File.ReadAllBytesAsync(await download.PathAsync()));

        // Enter on a file's name downloads it too.
        await Row("notes.txt").Locator("[data-row-focus]").FocusAsync();
        download = await Page.RunAndWaitForDownloadAsync(() => Page.Keyboard.PressAsync("Enter"));
        Assert.Equal("notes.txt", download.SuggestedFilename);
        Assert.Equal(notes.Bytes, await File.ReadAllBytesAsync(await download.PathAsync()));

        await Tray.GetByRole(AriaRole.Button, new() { Name = "Close uploads" }).ClickAsync();
        await Expect(Tray).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Files_dropped_on_the_listing_go_to_the_folder_on_screen()
    {
        var account = await SignedInAsync();
        var inbox = await account.CreateFolderAsync("Inbox");
        await Page.GotoAsync($"files/{inbox}");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
        var zone = Page.GetByTestId("drop-zone");
        await Expect(zone).ToHaveAttributeAsync("data-folder-id", inbox);
        // The listing is prerendered; a drag before the circuit attached the zone's handlers would go unseen.
        await Expect(zone).ToHaveAttributeAsync("data-uploads-attached", "true");
        var dataTransfer = await Page.EvaluateHandleAsync("""
            () => {
                const transfer = new DataTransfer();
                transfer.items.add(new File([new TextEncoder().encode("dropped on the inbox\n")], "dropped.txt", { type: "text/plain" }));
                transfer.items.add(new File([new Uint8Array(70000)], "zeros.bin", { type: "application/octet-stream" }));
                return transfer;
            }
            """);

        await zone.DispatchEventAsync("dragenter", new { dataTransfer });
        await Expect(zone.Locator(".drop-overlay")).ToBeVisibleAsync();
        await Expect(zone.Locator(".drop-overlay")).ToHaveTextAsync("Drop files to upload them to Inbox");
        await Screenshots.TakeAsync(Page, "upload-drop");
        await zone.DispatchEventAsync("dragleave", new { dataTransfer });
        await Expect(zone.Locator(".drop-overlay")).ToBeHiddenAsync();

        await zone.DispatchEventAsync("dragenter", new { dataTransfer });
        await zone.DispatchEventAsync("drop", new { dataTransfer });
        await Expect(zone.Locator(".drop-overlay")).ToBeHiddenAsync();
        await Expect(TrayTitle).ToHaveTextAsync("2 uploads complete", new() { Timeout = 30_000 });
        await Expect(Upload("dropped.txt").Locator(".upload-where")).ToHaveTextAsync("to Inbox");
        await Expect(RowNames).ToHaveTextAsync(["dropped.txt", "zeros.bin"]);
        await Expect(Row("zeros.bin").Locator(".col-size")).ToHaveTextAsync("68.4 KB");
        Assert.Equal(["dropped.txt", "zeros.bin"], await account.NamesInAsync(inbox));
        Assert.Equal(["Inbox"], await account.NamesInAsync("root"));
        var dropped = await account.DownloadAsync(IdOf(await account.ItemsInAsync(inbox), "dropped.txt"));
        Assert.Equal("dropped on the inbox\n", Encoding.UTF8.GetString(dropped));
    }

    [Fact]
    public async Task An_upload_whose_connection_breaks_asks_the_api_where_it_stands_and_carries_on_from_there()
    {
        var account = await SignedInAsync();
        await Page.GotoAsync("files");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
        var big = files.Create("big.bin", UploadFiles.Random(3 * LiveDrive.ChunkSize + 12_345, seed: 2));
        var aborted = 0;
        await Page.RouteAsync(TusAddress, async route =>
        {
            // The second chunk's request dies on the way, once, as on a flaky network.
            if (route.Request.Method == "PATCH" && OffsetOf(route.Request) == LiveDrive.ChunkSize && Interlocked.Exchange(ref aborted, 1) == 0)
            {
                await route.AbortAsync("connectionreset");
                return;
            }

            await route.ContinueAsync();
        });

        await ChooseFilesAsync(big.Path);

        await Expect(TrayTitle).ToHaveTextAsync("1 upload complete", new() { Timeout = 30_000 });
        Assert.Equal(1, aborted);
        var tus = requests.Where(r => r.Url.StartsWith(TusBase, StringComparison.Ordinal) && r.Method is "POST" or "HEAD" or "PATCH")
            .Select(r => r.Method == "PATCH" ? $"PATCH {OffsetOf(r)}" : r.Method).ToArray();
        Assert.Equal(["POST", "PATCH 0", $"PATCH {LiveDrive.ChunkSize}", "HEAD", $"PATCH {LiveDrive.ChunkSize}",
            $"PATCH {2 * LiveDrive.ChunkSize}", $"PATCH {3 * LiveDrive.ChunkSize}"], tus);
        await Expect(Row("big.bin").Locator(".col-size")).ToHaveTextAsync("3 MB");
        Assert.Equal(big.Bytes, await account.DownloadAsync(IdOf(await account.ItemsInAsync("root"), "big.bin")));
        Assert.Equal(big.Bytes.Length, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task Pause_holds_an_upload_where_the_api_has_it_resume_continues_and_cancel_gives_its_space_back()
    {
        var account = await SignedInAsync();
        await Page.GotoAsync("files");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
        var big = files.Create("big.bin", UploadFiles.Random(3 * LiveDrive.ChunkSize + 12_345, seed: 3));
        var gone = files.Create("gone.bin", UploadFiles.Random(2 * LiveDrive.ChunkSize, seed: 4));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Page.RouteAsync(TusAddress, async route =>
        {
            // The second chunk of each upload waits, as on a slow network, until the test lets it go.
            if (route.Request.Method == "PATCH" && OffsetOf(route.Request) == LiveDrive.ChunkSize && !gate.Task.IsCompleted)
            {
                await gate.Task;
                try
                {
                    await route.ContinueAsync();
                }
                catch (PlaywrightException)
                {
                    // The page gave up on this request (paused or canceled) while it waited.
                }

                return;
            }

            await route.ContinueAsync();
        });

        await ChooseFilesAsync(big.Path);
        var upload = Upload("big.bin");
        await Expect(upload.GetByRole(AriaRole.Button, new() { Name = "Pause big.bin" })).ToBeVisibleAsync();
        await Eventually.TrueAsync(() => TusRequests("PATCH").Length >= 2, "the second chunk is on its way");
        await Expect(TrayTitle).ToHaveTextAsync("Uploading 1 file");
        await Expect(Tray.GetByTestId("upload-summary")).ToContainTextAsync("of 3 MB");
        await Screenshots.TakeAsync(Page, "upload-progress");

        await upload.GetByRole(AriaRole.Button, new() { Name = "Pause big.bin" }).ClickAsync();
        await Expect(upload.GetByTestId("upload-status")).ToHaveTextAsync("Paused · 1 MB of 3 MB (33%)");
        await Expect(TrayTitle).ToHaveTextAsync("1 file paused");
        await Screenshots.TakeAsync(Page, "upload-paused");
        gate.SetResult();
        var before = requests.Count;

        await upload.GetByRole(AriaRole.Button, new() { Name = "Resume big.bin" }).ClickAsync();
        await Expect(upload.GetByTestId("upload-status")).ToHaveTextAsync("Uploaded · 3 MB", new() { Timeout = 30_000 });
        var resumed = requests.Skip(before).Where(r => r.Url.StartsWith(TusBase, StringComparison.Ordinal) && r.Method is "POST" or "HEAD" or "PATCH")
            .Select(r => r.Method == "PATCH" ? $"PATCH {OffsetOf(r)}" : r.Method).ToArray();
        Assert.Equal(["HEAD", $"PATCH {LiveDrive.ChunkSize}", $"PATCH {2 * LiveDrive.ChunkSize}", $"PATCH {3 * LiveDrive.ChunkSize}"], resumed);
        Assert.Equal(big.Bytes, await account.DownloadAsync(IdOf(await account.ItemsInAsync("root"), "big.bin")));

        // A canceled upload is deleted on the api, which gives back the space it had reserved.
        await Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Page.RouteAsync(TusAddress, async route =>
        {
            if (route.Request.Method == "PATCH" && OffsetOf(route.Request) == LiveDrive.ChunkSize)
            {
                await held.Task;
                try
                {
                    await route.AbortAsync();
                }
                catch (PlaywrightException)
                {
                    // Canceled by the page while it waited, as it should be.
                }

                return;
            }

            await route.ContinueAsync();
        });
        before = requests.Count;
        await ChooseFilesAsync(gone.Path);
        await Eventually.TrueAsync(() => requests.Skip(before).Any(r => r.Method == "PATCH" && OffsetOf(r) == LiveDrive.ChunkSize), "the second chunk of gone.bin is on its way");
        Assert.Equal(big.Bytes.Length + gone.Bytes.Length, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());

        // Downloading while an upload runs keeps the page (and the upload) without asking about leaving.
        var dialogs = 0;
        Page.Dialog += (_, _) => Interlocked.Increment(ref dialogs);
        var download = await Page.RunAndWaitForDownloadAsync(() => Row("big.bin").Locator(".col-modified").DblClickAsync());
        Assert.Equal(big.Bytes, await File.ReadAllBytesAsync(await download.PathAsync()));
        Assert.Equal(0, dialogs);
        await Expect(Upload("gone.bin").GetByRole(AriaRole.Button, new() { Name = "Pause gone.bin" })).ToBeVisibleAsync();

        // Choosing the same file again while it is on its way does not start a second upload of it.
        await ChooseFilesAsync(gone.Path);
        // Nothing is expected to happen, so nothing can be waited for: a second upload would have shown by now.
        await Page.WaitForTimeoutAsync(1000);
        await Expect(Upload("gone.bin")).ToHaveCountAsync(1);
        Assert.Equal(2, TusRequests("POST").Length);
        await Upload("gone.bin").GetByRole(AriaRole.Button, new() { Name = "Cancel gone.bin" }).ClickAsync();
        await Expect(Upload("gone.bin").GetByTestId("upload-status")).ToHaveTextAsync("Canceled");
        await Eventually.TrueAsync(() => TusRequests("DELETE").Length == 1, "the upload is deleted on the api");
        await Eventually.TrueAsync(async () => (await account.MeAsync()).GetProperty("storageUsed").GetInt64() == big.Bytes.Length, "the reserved space is given back");
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("3 MB of 10 GB used");
        held.SetResult();
        Assert.Equal(["big.bin"], await account.NamesInAsync("root"));
        await Expect(RowNames).ToHaveTextAsync(["big.bin"]);

        await Upload("gone.bin").GetByRole(AriaRole.Button, new() { Name = "Remove gone.bin from the list" }).ClickAsync();
        await Expect(Upload("gone.bin")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task After_a_reload_an_unfinished_upload_is_offered_and_continues_from_where_the_api_has_it()
    {
        var account = await SignedInAsync();
        await Page.GotoAsync("files");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
        var big = files.Create("big.bin", UploadFiles.Random(3 * LiveDrive.ChunkSize + 12_345, seed: 5));
        await Page.RouteAsync(TusAddress, async route =>
        {
            // Everything after the first chunk fails: the network is gone for good, as far as this page can tell.
            if (route.Request.Method == "PATCH" && OffsetOf(route.Request) > 0)
            {
                await route.AbortAsync("internetdisconnected");
                return;
            }

            await route.ContinueAsync();
        });

        await ChooseFilesAsync(big.Path);
        await Expect(Upload("big.bin").GetByTestId("upload-status")).ToContainTextAsync("Connection trouble, trying again");
        await Expect(Upload("big.bin").GetByTestId("upload-status")).ToContainTextAsync("1 MB of 3 MB (33%)");
        await Screenshots.TakeAsync(Page, "upload-retrying");

        // Leaving the page now would stop the upload: the browser asks first.
        var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Page.Dialog += async (_, dialog) =>
        {
            asked.TrySetResult(dialog.Type);
            await dialog.AcceptAsync();
        };
        await Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        await Page.ReloadAsync();
        Assert.Equal("beforeunload", await asked.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var before = requests.Count;
        var unfinished = Page.GetByTestId("unfinished-uploads");
        await Expect(unfinished).ToBeVisibleAsync();
        await Expect(TrayTitle).ToHaveTextAsync("Uploads");
        await Expect(unfinished.Locator(".upload-name")).ToHaveTextAsync(["big.bin"]);
        await Expect(unfinished.Locator(".upload-status")).ToHaveTextAsync(["1 MB of 3 MB (33%)"]);
        await Screenshots.TakeAsync(Page, "upload-resume-offer");

        var chooser = await Page.RunAndWaitForFileChooserAsync(() => unfinished.GetByRole(AriaRole.Button, new() { Name = "Choose big.bin to resume" }).ClickAsync());
        await chooser.SetFilesAsync(big.Path);

        await Expect(Upload("big.bin").GetByTestId("upload-status")).ToHaveTextAsync("Uploaded · 3 MB (resumed)", new() { Timeout = 30_000 });
        await Expect(unfinished).ToBeHiddenAsync();
        await Expect(Row("big.bin").Locator(".col-size")).ToHaveTextAsync("3 MB");
        var resumed = requests.Skip(before).Where(r => r.Url.StartsWith(TusBase, StringComparison.Ordinal) && r.Method is "POST" or "HEAD" or "PATCH")
            .Select(r => r.Method == "PATCH" ? $"PATCH {OffsetOf(r)}" : r.Method).ToArray();
        Assert.Equal(["HEAD", $"PATCH {LiveDrive.ChunkSize}", $"PATCH {2 * LiveDrive.ChunkSize}", $"PATCH {3 * LiveDrive.ChunkSize}"], resumed);
        Assert.Equal(big.Bytes, await account.DownloadAsync(IdOf(await account.ItemsInAsync("root"), "big.bin")));

        // Done uploads are forgotten: another reload offers nothing.
        await Page.ReloadAsync();
        await Expect(RowNames).ToHaveTextAsync(["big.bin"]);
        await Expect(Tray).ToBeHiddenAsync();
    }

    [Fact]
    public async Task An_upload_whose_name_is_a_folder_here_fails_with_the_apis_words_and_can_be_retried()
    {
        var account = await SignedInAsync();
        await account.CreateFolderAsync("report.pdf");
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["report.pdf"]);
        var report = files.Create("report.pdf", UploadFiles.Random(300_000, seed: 6));

        await ChooseFilesAsync(report.Path);

        var upload = Upload("report.pdf");
        await Expect(upload.GetByTestId("upload-status")).ToHaveTextAsync("Name already taken", new() { Timeout = 30_000 });
        await Expect(upload.GetByTestId("upload-error")).ToHaveTextAsync("A file or folder named 'report.pdf' already exists here.");
        await Expect(TrayTitle).ToHaveTextAsync("1 upload failed");
        await Expect(upload.GetByRole(AriaRole.Button, new() { Name = "Retry report.pdf" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(Page, "upload-conflict");
        await Expect(RowNames).ToHaveTextAsync(["report.pdf"]);
        Assert.Equal(["report.pdf"], await account.NamesInAsync("root"));

        // The folder makes way; the same upload, tried again, is stored.
        using (var client = account.Client())
        {
            var folder = (await account.ItemsInAsync("root")).Single().GetProperty("id").GetString();
            using var renamed = await client.PatchAsync($"api/v1/folders/{folder}", JsonContent(new { name = "Reports" }));
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }

        await upload.GetByRole(AriaRole.Button, new() { Name = "Retry report.pdf" }).ClickAsync();
        await Expect(upload.GetByTestId("upload-status")).ToHaveTextAsync("Uploaded · 293 KB", new() { Timeout = 30_000 });
        await Expect(RowNames).ToHaveTextAsync(["Reports", "report.pdf"]);
        Assert.Equal(report.Bytes, await account.DownloadAsync(IdOf(await account.ItemsInAsync("root"), "report.pdf")));
    }

    private string TusBase => new Uri(Drive.Api.Address, "api/v1/uploads").ToString();

    private Func<string, bool> TusAddress => url => url.StartsWith(TusBase + "/", StringComparison.Ordinal);

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}

/// <summary>Files on disk for the browser to pick: Playwright gives picked files their real modification time.</summary>
internal sealed class UploadFiles : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("aio-web-upload-").FullName;

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public (string Path, byte[] Bytes) Create(string name, byte[] bytes, string? subfolder = null)
    {
        var directory = subfolder is null ? folder : Directory.CreateDirectory(System.IO.Path.Combine(folder, subfolder)).FullName;
        var path = System.IO.Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
