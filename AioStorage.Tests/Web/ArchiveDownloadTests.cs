using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AioStorage.Tests.Archives;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>
/// "Download as ZIP" in a real Chromium: the web asks the real api (on Kestrel) for an archive, the real worker handler
/// prepares it from RabbitMQ, the archive tray follows the job and the browser downloads the finished ZIP, which is
/// opened here and compared with what was uploaded.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ArchiveDownloadTests(BrowserFixture browser, ArchiveDrive drive, ITestOutputHelper output)
    : LiveDrivePageTest(browser, drive), IClassFixture<ArchiveDrive>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Longer than the web's poll interval (1 s): a spell without a poll means polling has stopped.</summary>
    private static readonly TimeSpan QuietSpell = TimeSpan.FromSeconds(1.5);

    private readonly string downloads = Directory.CreateTempSubdirectory("aio-web-zips-").FullName;

    private ArchiveDrive Archives => (ArchiveDrive)Drive;

    private ILocator Row(string name) => Page.Locator("tr.drive-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator Tray => Page.GetByTestId("archive-tray");

    private ILocator TrayTitle => Tray.Locator("#archive-tray-title");

    private ILocator Zip(string name) => Tray.Locator("li.tray-item").Filter(new()
    {
        Has = Page.Locator(".tray-item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator SelectionBar => Page.GetByTestId("selection-bar");

    private ILocator SelectAll => Page.GetByRole(AriaRole.Checkbox, new() { Name = "Select all", Exact = true });

    public override async Task DisposeAsync()
    {
        await Archives.StopWorkerAsync();
        await base.DisposeAsync();
        Directory.Delete(downloads, recursive: true);
    }

    private async Task OpenMenuAsync(string name)
    {
        await Row(name).GetByRole(AriaRole.Button, new() { Name = $"Actions for {name}" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
    }

    private static string IdOf(JsonElement item) => item.GetProperty("id").GetString()!;

    private static async Task TrashAsync(LiveAccount account, JsonElement file)
    {
        using var client = account.Client();
        using var response = await client.DeleteAsync($"api/v1/files/{IdOf(file)}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Saves what the browser downloaded and reads it back: entry name to content, null for a folder.</summary>
    private async Task<Dictionary<string, byte[]?>> OpenZipAsync(IDownload download)
    {
        var path = Path.Combine(downloads, Guid.NewGuid().ToString("N") + ".zip");
        await download.SaveAsAsync(path);
        using var zip = ZipFile.OpenRead(path);
        var entries = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/'))
            {
                entries.Add(entry.FullName, null);
                continue;
            }

            await using var content = entry.Open();
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            entries.Add(entry.FullName, copy.ToArray());
        }

        return entries;
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_nested_folder_downloads_from_its_menu_as_a_zip_with_its_structure_and_bytes()
    {
        var account = await SignedInAsync();
        await Archives.StartWorkerAsync(output);
        var trip = await account.CreateFolderAsync("Trip");
        var photos = await account.CreateFolderAsync("Photos", trip);
        var raw = await account.CreateFolderAsync("Raw", photos);
        await account.CreateFolderAsync("Empty", trip);
        var files = new Dictionary<string, byte[]>
        {
            ["Trip/itinerary.txt"] = Text("Day 1: arrive. Day 2: the coast.\n"),
            ["Trip/Café menu.txt"] = Text("Soupe du jour, 7 €\n"),
            ["Trip/Photos/beach.jpg"] = ArchiveHarness.RandomBytes(300_000),
            ["Trip/Photos/Raw/beach.dng"] = ArchiveHarness.RandomBytes(200_000),
        };
        await account.UploadAsync("itinerary.txt", files["Trip/itinerary.txt"], trip);
        await account.UploadAsync("Café menu.txt", files["Trip/Café menu.txt"], trip);
        await account.UploadAsync("beach.jpg", files["Trip/Photos/beach.jpg"], photos);
        await account.UploadAsync("beach.dng", files["Trip/Photos/Raw/beach.dng"], raw);
        await account.UploadAsync("elsewhere.txt", Text("not in the folder"));
        await Page.GotoAsync("files");

        // A folder's menu offers the ZIP right after Open.
        await OpenMenuAsync("Trip");
        await Expect(Page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem)).ToHaveTextAsync(
            [new Regex("^Open"), new Regex("^Download as ZIP"), new Regex("^Rename"), new Regex("^Move to"), new Regex("^Move to trash")]);
        var download = await Page.RunAndWaitForDownloadAsync(
            () => Page.GetByRole(AriaRole.Menuitem, new() { Name = "Download as ZIP" }).ClickAsync(),
            new() { Timeout = (float)Patience.TotalMilliseconds });

        Assert.Equal("Trip.zip", download.SuggestedFilename);
        var entries = await OpenZipAsync(download);
        Assert.Equal(
            ["Trip/", "Trip/Café menu.txt", "Trip/Empty/", "Trip/Photos/", "Trip/Photos/Raw/", "Trip/Photos/Raw/beach.dng", "Trip/Photos/beach.jpg", "Trip/itinerary.txt"],
            entries.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in files)
        {
            Assert.True(content.AsSpan().SequenceEqual(entries[path]), $"{path} differs in the ZIP");
        }

        await Expect(TrayTitle).ToHaveTextAsync("ZIP ready");
        var item = Zip("Trip.zip");
        await Expect(item.Locator(".tray-item-where")).ToHaveTextAsync("Trip and everything in it");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync(new Regex(@"^Ready · 4 files · \d+(\.\d)? KB$"));
        await Expect(item.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(Row("Trip").Locator("[data-row-focus]")).ToBeFocusedAsync();
        await Screenshots.TakeAsync(Page, "archive-ready");

        // The tray downloads it again through a fresh link, the same bytes.
        var again = await Page.RunAndWaitForDownloadAsync(() => item.GetByRole(AriaRole.Button, new() { Name = "Download Trip.zip" }).ClickAsync());
        Assert.Equal("Trip.zip", again.SuggestedFilename);
        var second = await OpenZipAsync(again);
        Assert.Equal(entries.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        Assert.True(second["Trip/Photos/beach.jpg"].AsSpan().SequenceEqual(files["Trip/Photos/beach.jpg"]));

        await item.GetByRole(AriaRole.Button, new() { Name = "Remove Trip.zip from the list" }).ClickAsync();
        await Expect(Tray).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_selection_made_with_the_keyboard_shows_its_progress_and_downloads_what_is_left_naming_what_was_skipped()
    {
        var account = await SignedInAsync();
        var film = ArchiveHarness.RandomBytes(6 * 1024 * 1024);
        var notes = Text("Lines to remember.\n");
        await account.CreateFolderAsync("Keep out");
        var filmFile = await account.UploadAsync("film.mp4", film);
        await account.UploadAsync("notes.txt", notes);
        var old = await account.UploadAsync("old.txt", Text("soon in the trash"));
        await Page.GotoAsync("files");
        await Expect(Page.Locator("tr.drive-row .item-name")).ToHaveTextAsync(["Keep out", "film.mp4", "notes.txt", "old.txt"]);

        // Space ticks the focused row; the arrows move on. Some rows ticked: "Select all" is half ticked.
        await Row("film.mp4").Locator("[data-row-focus]").FocusAsync();
        await Page.Keyboard.PressAsync("Space");
        await Page.Keyboard.PressAsync("ArrowDown");
        await Page.Keyboard.PressAsync("Space");
        await Page.Keyboard.PressAsync("ArrowDown");
        await Page.Keyboard.PressAsync("Space");
        await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("3 selected");
        await Expect(Row("notes.txt").GetByRole(AriaRole.Checkbox)).ToBeCheckedAsync();
        await Expect(Row("Keep out").GetByRole(AriaRole.Checkbox)).Not.ToBeCheckedAsync();
        Assert.True(await SelectAll.EvaluateAsync<bool>("box => box.indeterminate"));
        await Expect(Page.Locator("tr.drive-row.is-selected")).ToHaveCountAsync(3);
        await Screenshots.TakeAsync(Page, "archive-selection");

        await SelectionBar.GetByRole(AriaRole.Button, new() { Name = "Download as ZIP" }).ClickAsync();
        await Expect(TrayTitle).ToHaveTextAsync("Preparing 1 ZIP");
        var item = Tray.Locator("li.tray-item");
        await Expect(item.Locator(".tray-item-where")).ToHaveTextAsync("3 items from My files");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Waiting for the server to start on it…");
        await Expect(item.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "0");
        await Screenshots.TakeAsync(Page, "archive-waiting");

        // Before the worker gets to it, one item goes to the trash; the film reads slowly, so its progress can be seen.
        await TrashAsync(account, old);
        await using var slow = SlowBlob.Replace(Archives.StoragePath, filmFile.GetProperty("sha256").GetString()!, (film, TimeSpan.FromMilliseconds(700)));
        var downloaded = Page.WaitForDownloadAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        await Archives.StartWorkerAsync(output);

        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync(new Regex(@"^Preparing · [1-9]\d?% of 2 files \(6 MB\)$"));
        await Expect(item.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", new Regex(@"^[1-9]\d?$"));
        await Expect(item.GetByTestId("archive-skipped")).ToHaveTextAsync("1 item was skipped: deleted or moved to the trash meanwhile (old.txt).");
        await Screenshots.TakeAsync(Page, "archive-preparing");

        var download = await downloaded;
        Assert.Matches(@"^AIO Storage \d{4}-\d{2}-\d{2}\.zip$", download.SuggestedFilename);
        var entries = await OpenZipAsync(download);
        Assert.Equal(["film.mp4", "notes.txt"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.True(film.AsSpan().SequenceEqual(entries["film.mp4"]), "film.mp4 differs in the ZIP");
        Assert.Equal(notes, entries["notes.txt"]);

        await Expect(TrayTitle).ToHaveTextAsync("ZIP ready");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Ready · 2 files · 6 MB");
        await Expect(item.GetByTestId("archive-skipped")).ToHaveTextAsync("1 item was skipped: deleted or moved to the trash meanwhile (old.txt).");
        await Screenshots.TakeAsync(Page, "archive-skipped");

        // Escape in the bar clears the selection and leaves the keyboard on "Select all".
        await SelectionBar.GetByRole(AriaRole.Button, new() { Name = "Download as ZIP" }).FocusAsync();
        await Page.Keyboard.PressAsync("Escape");
        await Expect(SelectionBar).ToHaveCountAsync(0);
        await Expect(SelectAll).ToBeFocusedAsync();
        await Expect(Page.Locator("tr.drive-row.is-selected")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_selection_trashed_before_the_worker_starts_fails_and_says_nothing_is_left()
    {
        var account = await SignedInAsync();
        var first = await account.UploadAsync("a.txt", Text("first"));
        var second = await account.UploadAsync("b.txt", Text("second"));
        await Page.GotoAsync("files");

        await SelectAll.CheckAsync();
        await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("2 selected");
        await SelectionBar.GetByRole(AriaRole.Button, new() { Name = "Download as ZIP" }).ClickAsync();
        var item = Tray.Locator("li.tray-item");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Waiting for the server to start on it…");

        await TrashAsync(account, first);
        await TrashAsync(account, second);
        await Archives.StartWorkerAsync(output);

        await Expect(TrayTitle).ToHaveTextAsync("ZIP failed", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Could not be prepared");
        await Expect(item.GetByTestId("archive-error")).ToHaveTextAsync(
            "Nothing is left to put in the archive: 'a.txt' is in the trash. 'b.txt' is in the trash.");
        await Expect(item.GetByRole(AriaRole.Progressbar)).ToHaveCountAsync(0);
        await Screenshots.TakeAsync(Page, "archive-failed");

        // Trying again asks for the same items, which the api now refuses: the reason replaces the old one.
        await item.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Prepare .* again$") }).ClickAsync();
        await Expect(item.GetByTestId("archive-error")).ToHaveTextAsync(
            "Some of the selected items are gone (deleted or in the trash), so they cannot be put in a ZIP. Select what is left and try again.");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Could not be prepared");
    }

    [Fact]
    public async Task Two_zips_prepare_together_and_download_after_moving_to_another_page_and_polling_ends_with_the_page()
    {
        var account = await SignedInAsync();
        var north = await account.CreateFolderAsync("North");
        var south = await account.CreateFolderAsync("South");
        var northBytes = ArchiveHarness.RandomBytes(40_000);
        var southBytes = ArchiveHarness.RandomBytes(50_000);
        await account.UploadAsync("n.bin", northBytes, north);
        await account.UploadAsync("s.bin", southBytes, south);
        await Page.GotoAsync("files");

        foreach (var name in new[] { "North", "South" })
        {
            await OpenMenuAsync(name);
            await Page.GetByRole(AriaRole.Menuitem, new() { Name = "Download as ZIP" }).ClickAsync();
        }

        await Expect(TrayTitle).ToHaveTextAsync("Preparing 2 ZIPs");
        await Expect(Tray.Locator(".tray-item-name")).ToHaveTextAsync(["North.zip", "South.zip"]);

        // Another page of the app keeps the tray and its work: the downloads start there.
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Trash" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Trash", Level = 1 })).ToBeVisibleAsync();
        await Expect(TrayTitle).ToHaveTextAsync("Preparing 2 ZIPs");
        var arrived = new List<IDownload>();
        Page.Download += (_, download) => arrived.Add(download);
        await Archives.StartWorkerAsync(output);
        await Expect(TrayTitle).ToHaveTextAsync("2 ZIPs ready", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Eventually.TrueAsync(() => arrived.Count == 2, "both ZIPs downloaded");
        var byName = arrived.ToDictionary(d => d.SuggestedFilename);
        Assert.Equal(northBytes, (await OpenZipAsync(byName["North.zip"]))["North/n.bin"]);
        Assert.Equal(southBytes, (await OpenZipAsync(byName["South.zip"]))["South/s.bin"]);
        await Screenshots.TakeAsync(Page, "archive-two-ready");

        // One more, with the worker away: the web asks about it every second while the page is open...
        await Archives.StopWorkerAsync();
        var west = await account.CreateFolderAsync("West");
        await Page.GotoAsync("files");
        await OpenMenuAsync("West");
        await Page.GetByRole(AriaRole.Menuitem, new() { Name = "Download as ZIP" }).ClickAsync();
        var job = await Tray.Locator("li.tray-item").GetAttributeAsync("data-archive-id");
        Assert.NotNull(job);
        Assert.NotEqual(west, job);
        int Polls() => Drive.Api.Requests.Count(r => r == $"GET /api/v1/archives/{job}");
        await Eventually.TrueAsync(() => Polls() >= 2, "the web asks about the job");

        // ...and stops when the page goes (the circuit ends with it). A poll already on its way may still arrive; after
        // a quiet spell longer than the poll interval, none does.
        await Page.GotoAsync("about:blank");
        var settled = Polls();
        await Eventually.TrueAsync(async () =>
        {
            var before = Polls();
            await Task.Delay(QuietSpell);
            settled = Polls();
            return settled == before;
        }, "the web stops asking about the job once the page is gone");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(settled, Polls());
    }
}
