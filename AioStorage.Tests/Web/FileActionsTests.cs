using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AioStorage.Core.Folders;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>What can be done to a file in My files, in a real browser against the real api.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FileActionsTests(BrowserFixture browser, LiveDrive drive) : LiveDrivePageTest(browser, drive), IClassFixture<LiveDrive>
{

    private ILocator RowNames => Page.Locator("tr.drive-row .item-name");

    private ILocator Row(string name) => Page.Locator("tr.drive-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator Dialog => Page.Locator("dialog[open]");

    private ILocator Toast => Page.Locator(".toasts .toast");

    private async Task OpenMenuAsync(string name)
    {
        await Row(name).GetByRole(AriaRole.Button, new() { Name = $"Actions for {name}" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
    }

    private async Task ChooseAsync(string name, string action)
    {
        await OpenMenuAsync(name);
        await Page.GetByRole(AriaRole.Menuitem, new() { Name = action }).ClickAsync();
        await Expect(Dialog).ToBeVisibleAsync();
    }

    private static string IdOf(JsonElement[] items, string name) =>
        items.Single(i => i.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;

    [Fact]
    public async Task A_file_is_renamed_copied_moved_and_moved_to_the_trash_from_its_menu()
    {
        var account = await SignedInAsync();
        var archive = await account.CreateFolderAsync("Archive");
        var content = Encoding.UTF8.GetBytes("Quarterly report: everything went up.\n");
        await account.UploadAsync("report.txt", content);
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["Archive", "report.txt"]);

        await OpenMenuAsync("report.txt");
        await Expect(Page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem)).ToHaveTextAsync(
            [new Regex("^Download"), new Regex("^Details"), new Regex("^Versions"), new Regex("^Rename"), new Regex("^Move to"), new Regex("^Copy to"), new Regex("^Move to trash")]);
        await Expect(Page.GetByRole(AriaRole.Menuitem).First).ToBeFocusedAsync();
        await Screenshots.TakeAsync(Page, "files-actions");
        await Page.Keyboard.PressAsync("Escape");

        // Rename selects the name without its extension, so typing keeps ".txt".
        await ChooseAsync("report.txt", "Rename");
        var name = Dialog.GetByLabel("New name");
        Assert.Equal("report", await name.EvaluateAsync<string>("e => e.value.substring(e.selectionStart, e.selectionEnd)"));
        await Page.Keyboard.TypeAsync("summary");
        await Expect(name).ToHaveValueAsync("summary.txt");
        await name.PressAsync("Enter");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Renamed" })).ToContainTextAsync("“report.txt” is now “summary.txt”");
        await Expect(RowNames).ToHaveTextAsync(["Archive", "summary.txt"]);
        await Expect(Row("summary.txt").Locator("[data-row-focus]")).ToBeFocusedAsync();
        Assert.Equal(["Archive", "summary.txt"], await account.NamesInAsync("root"));

        // A copy into the same folder gets a free name; it counts against the quota like any file.
        await ChooseAsync("summary.txt", "Copy to…");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Copy “summary.txt”");
        await Expect(Dialog.GetByRole(AriaRole.Button, new() { Name = "Copy here" })).ToBeEnabledAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Copy here" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Copied" })).ToContainTextAsync("“summary.txt” copied to My files as “summary (1).txt”");
        await Expect(RowNames).ToHaveTextAsync(["Archive", "summary (1).txt", "summary.txt"]);
        await Expect(Row("summary (1).txt").Locator("[data-row-focus]")).ToBeFocusedAsync();
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync($"{2 * content.Length} bytes of 10 GB used");
        Assert.Equal(content, await account.DownloadAsync(IdOf(await account.ItemsInAsync("root"), "summary (1).txt")));

        // Move uses the folder picker; the file's own folder is not a destination.
        await ChooseAsync("summary (1).txt", "Move to…");
        await Expect(Dialog.GetByRole(AriaRole.Button, new() { Name = "Move here" })).ToBeDisabledAsync();
        await Dialog.GetByRole(AriaRole.List, new() { Name = "Folders in My files" }).GetByRole(AriaRole.Button, new() { Name = "Archive" }).ClickAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Move here" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Moved" })).ToContainTextAsync("“summary (1).txt” is now in Archive");
        await Expect(RowNames).ToHaveTextAsync(["Archive", "summary.txt"]);
        Assert.Equal(["summary (1).txt"], await account.NamesInAsync(archive));

        // Del on a file's row asks, then moves it to the trash.
        await Row("summary.txt").Locator("[data-row-focus]").FocusAsync();
        await Page.Keyboard.PressAsync("Delete");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Move “summary.txt” to the trash?");
        await Expect(Dialog).ToContainTextAsync("It stays in the trash, and counts towards your storage, until you delete it from there.");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Move to trash" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Moved to trash" })).ToContainTextAsync("“summary.txt”");
        await Expect(RowNames).ToHaveTextAsync(["Archive"]);
        Assert.Equal(["summary.txt"], (await account.TrashAsync()).Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Details_show_a_files_size_type_status_and_checksum_as_the_api_has_them()
    {
        var account = await SignedInAsync();
        var bytes = UploadFiles.Random(150_000, seed: 10);
        var file = await account.UploadAsync("scan.pdf", bytes);
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["scan.pdf"]);

        await ChooseAsync("scan.pdf", "Details");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("scan.pdf");
        await Expect(Dialog.Locator("[data-fact=size]")).ToHaveTextAsync("146.5 KB (150,000 bytes)");
        await Expect(Dialog.Locator("[data-fact=type]")).ToHaveTextAsync("PDF document application/pdf");
        await Expect(Dialog.Locator("[data-fact=status]")).ToContainTextAsync("Processing");
        await Expect(Dialog.Locator("[data-fact=location]")).ToHaveTextAsync("My files");
        await Expect(Dialog.Locator("[data-fact=sha256]")).ToHaveTextAsync(file.GetProperty("sha256").GetString()!);
        await Screenshots.TakeAsync(Page, "files-details");

        var download = await Page.RunAndWaitForDownloadAsync(() => Dialog.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        Assert.Equal("scan.pdf", download.SuggestedFilename);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(await download.PathAsync()));
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).First.ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Uploading_the_same_name_twice_keeps_a_version_that_can_be_restored()
    {
        var account = await SignedInAsync();
        var first = UploadFiles.Random(1536, seed: 11);
        var second = UploadFiles.Random(3000, seed: 12);
        var file = await account.UploadAsync("plan.txt", first);
        Drive.Api.Time.Advance(TimeSpan.FromHours(2));
        await account.UploadAsync("plan.txt", second);
        var id = file.GetProperty("id").GetString()!;
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["plan.txt"]);
        await Expect(Row("plan.txt").Locator(".col-size")).ToHaveTextAsync("2.9 KB");

        await ChooseAsync("plan.txt", "Versions");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Versions of “plan.txt”");
        var versions = Dialog.Locator("li.version");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.Nth(0)).ToContainTextAsync("Current");
        await Expect(versions.Nth(0).Locator("[data-fact=size]")).ToHaveTextAsync("2.9 KB");
        await Expect(versions.Nth(0).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(versions.Nth(1).Locator("[data-fact=size]")).ToHaveTextAsync("1.5 KB");
        await Screenshots.TakeAsync(Page, "versions");

        await versions.Nth(1).GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Restore the version of ") }).ClickAsync();
        await Expect(Toast.Filter(new() { HasText = "Version restored" })).ToContainTextAsync("“plan.txt” is back to its content of");
        await Expect(versions.Nth(0).Locator("[data-fact=size]")).ToHaveTextAsync("1.5 KB");
        await Expect(versions.Nth(0)).ToContainTextAsync("Current");
        await Expect(versions.Nth(1).Locator("[data-fact=size]")).ToHaveTextAsync("2.9 KB");
        await Expect(Dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).Last).ToBeFocusedAsync();
        await Expect(Row("plan.txt").Locator(".col-size")).ToHaveTextAsync("1.5 KB");
        Assert.Equal(first, await account.DownloadAsync(id));
        Assert.Equal([1536L, 3000L], (await account.VersionsAsync(id)).Select(v => v.GetProperty("size").GetInt64()));

        await Page.Keyboard.PressAsync("Escape");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Row("plan.txt").Locator("[data-row-focus]")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Processing_badges_follow_the_servers_checks_without_a_reload()
    {
        var account = await SignedInAsync();
        var good = await account.UploadAsync("good.txt", Encoding.UTF8.GetBytes("fine content"));
        var bad = await account.UploadAsync("bad.mp4", Encoding.UTF8.GetBytes("not really a video"));
        await Page.GotoAsync("files");
        await Expect(Row("good.txt").Locator(".pill")).ToHaveTextAsync("Processing");
        await Expect(Row("bad.mp4").Locator(".pill")).ToHaveTextAsync("Processing");

        // What the worker records once it has looked at the bytes.
        await RecordProcessingAsync(account, good, FileStatus.Ready, null);
        await RecordProcessingAsync(account, bad, FileStatus.Failed, "ffprobe found no video stream.");

        await Expect(Row("good.txt").Locator(".pill")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await Expect(Row("bad.mp4").Locator(".pill")).ToHaveTextAsync("Failed", new() { Timeout = 20_000 });
        await Expect(Row("bad.mp4").Locator(".pill")).ToHaveAttributeAsync("title", "ffprobe found no video stream.");

        await ChooseAsync("bad.mp4", "Details");
        await Expect(Dialog.Locator("[data-fact=status] .pill")).ToHaveTextAsync("Failed");
        await Expect(Dialog.Locator("[data-fact=status] .details-note")).ToHaveTextAsync("ffprobe found no video stream.");
        await Page.Keyboard.PressAsync("Escape");
        await ChooseAsync("good.txt", "Details");
        await Expect(Dialog.Locator("[data-fact=status]")).ToHaveTextAsync("Ready");
    }

    private async Task RecordProcessingAsync(LiveAccount account, JsonElement file, FileStatus status, string? reason)
    {
        var services = Drive.Api.Services;
        var updated = await services.GetRequiredService<INodeStore>().UpdateProcessingAsync(file.GetProperty("id").GetString()!,
            file.GetProperty("sha256").GetString()!, status, reason, null, null, Drive.Api.Time.GetUtcNow(), CancellationToken.None);
        Assert.NotNull(updated);
        await services.GetRequiredService<ListingCache>().InvalidateAsync(account.UserId, [null]);
    }
}
