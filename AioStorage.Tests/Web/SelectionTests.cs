using System.Text;
using System.Text.RegularExpressions;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>
/// Ticking rows in a folder: select all, the selection bar, moving the ticked rows to the trash together, and how the
/// bar and the trays look on a phone. On an <see cref="ArchiveDrive"/>, so the ZIPs asked for here stay in a queue of
/// their own (no worker runs: they wait, as one would for a busy worker).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SelectionTests(BrowserFixture browser, ArchiveDrive drive)
    : LiveDrivePageTest(browser, drive), IClassFixture<ArchiveDrive>
{
    private ILocator Row(string name) => Page.Locator("tr.drive-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator RowNames => Page.Locator("tr.drive-row .item-name");

    private ILocator SelectionBar => Page.GetByTestId("selection-bar");

    private ILocator SelectAll => Page.GetByRole(AriaRole.Checkbox, new() { Name = "Select all", Exact = true });

    private ILocator Dialog => Page.Locator("dialog[open]");

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Ticked_rows_go_to_the_trash_together_after_one_question()
    {
        var account = await SignedInAsync();
        var drafts = await account.CreateFolderAsync("Drafts");
        await account.UploadAsync("draft.txt", Text("inside the folder"), drafts);
        await account.UploadAsync("keep.txt", Text("stays"));
        await account.UploadAsync("scrap.txt", Text("goes"));
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["Drafts", "keep.txt", "scrap.txt"]);
        await Expect(SelectionBar).ToHaveCountAsync(0);

        // Select all ticks every row; with every row ticked, it unticks them.
        await SelectAll.CheckAsync();
        await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("3 selected");
        await Expect(Page.Locator("tr.drive-row.is-selected")).ToHaveCountAsync(3);
        await SelectAll.UncheckAsync();
        await Expect(SelectionBar).ToHaveCountAsync(0);
        await Expect(Page.Locator("tr.drive-row.is-selected")).ToHaveCountAsync(0);

        await Row("Drafts").GetByRole(AriaRole.Checkbox, new() { Name = "Select Drafts" }).CheckAsync();
        await Row("scrap.txt").GetByRole(AriaRole.Checkbox, new() { Name = "Select scrap.txt" }).CheckAsync();
        await Expect(Page.GetByTestId("selection-count")).ToHaveTextAsync("2 selected");
        Assert.True(await SelectAll.EvaluateAsync<bool>("box => box.indeterminate"));

        await SelectionBar.GetByRole(AriaRole.Button, new() { Name = "Move to trash" }).ClickAsync();
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Move 2 items to the trash?");
        await Expect(Dialog).ToContainTextAsync("Folders go with everything in them.");
        await Screenshots.TakeAsync(Page, "selection-trash-confirm");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Move to trash" }).ClickAsync();

        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Page.Locator(".toasts .toast").Filter(new() { HasText = "Moved to trash" })).ToContainTextAsync("2 items");
        await Expect(RowNames).ToHaveTextAsync(["keep.txt"]);
        await Expect(SelectionBar).ToHaveCountAsync(0);
        await Expect(Row("keep.txt").Locator("[data-row-focus]")).ToBeFocusedAsync();
        Assert.Equal(["Drafts", "scrap.txt"], (await account.TrashAsync()).Select(i => i.GetProperty("name").GetString()).Order());
        Assert.Equal(["keep.txt"], await account.NamesInAsync("root"));
    }

    [Fact]
    public async Task On_a_phone_the_selection_bar_keeps_its_actions_as_icons_and_the_trays_stack()
    {
        var account = await Drive.RegisterAsync();
        Page = await Drive.SignedInPageAsync(Browser, account, width: 390, height: 844, colorScheme: ColorScheme.Dark);
        await account.CreateFolderAsync("Holiday photos from the long summer");
        await account.UploadAsync("boarding pass.pdf", Text("%PDF-1.4 not really"));
        await Page.GotoAsync("files");

        await Row("Holiday photos from the long summer").GetByRole(AriaRole.Checkbox).CheckAsync();
        await Row("boarding pass.pdf").GetByRole(AriaRole.Checkbox).CheckAsync();
        var zip = SelectionBar.GetByRole(AriaRole.Button, new() { Name = "Download as ZIP" });
        await Expect(zip).ToBeVisibleAsync();
        // Only the icon shows; the bar stays inside the table.
        var button = await zip.BoundingBoxAsync();
        var bar = await SelectionBar.BoundingBoxAsync();
        var table = await Page.Locator(".drive-table-wrap").BoundingBoxAsync();
        Assert.True(button!.Width < 60, $"the button is {button.Width}px wide");
        Assert.True(bar!.X + bar.Width <= table!.X + table.Width + 0.5, "the selection bar overflows the table");
        await Screenshots.TakeAsync(Page, "selection-phone-dark");

        await zip.ClickAsync();
        var archives = Page.GetByTestId("archive-tray");
        await Expect(archives.GetByTestId("archive-status")).ToHaveTextAsync("Waiting for the server to start on it…");
        var chooser = await Page.RunAndWaitForFileChooserAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).First.ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "receipt.txt", MimeType = "text/plain", Buffer = Text("12.50") });
        var uploads = Page.GetByTestId("upload-tray");
        await Expect(uploads.Locator("#upload-tray-title")).ToHaveTextAsync(new Regex("^1 upload complete$"), new() { Timeout = 30_000 });

        // Both trays show, one above the other, inside the screen.
        var above = await archives.BoundingBoxAsync();
        var below = await uploads.BoundingBoxAsync();
        Assert.True(above!.Y + above.Height <= below!.Y, $"the archive tray ({above.Y}+{above.Height}) overlaps the upload tray ({below.Y})");
        Assert.True(above.Y >= 0 && below.Y + below.Height <= 844, "a tray is off the screen");
        await Screenshots.TakeAsync(Page, "trays-phone-dark");
    }
}
