using System.Net;
using System.Text.RegularExpressions;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>My files in a real browser, against the real api.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FilesPageTests(BrowserFixture browser, LiveDrive drive) : LiveDrivePageTest(browser, drive), IClassFixture<LiveDrive>
{

    private ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    private ILocator Rows => Page.Locator("tr.drive-row");

    private ILocator RowNames => Page.Locator("tr.drive-row .item-name");

    private ILocator Row(string name) => Page.Locator("tr.drive-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator Dialog => Page.Locator("dialog[open]");

    private ILocator Toast => Page.Locator(".toasts .toast");

    private ILocator Breadcrumbs => Page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" });

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

    private async Task CreateFolderInUiAsync(string name)
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "New folder" }).First.ClickAsync();
        await Dialog.GetByLabel("Folder name").FillAsync(name);
        await Dialog.GetByLabel("Folder name").PressAsync("Enter");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Row(name)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Signing_up_in_the_browser_lands_in_an_empty_My_files()
    {
        Page = await Browser.NewPageAsync(Drive.Web.Address);
        var username = "new" + Guid.NewGuid().ToString("N")[..8];
        await Page.GotoAsync("register");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Create account" })).ToBeEnabledAsync();
        await Page.GetByLabel("Username").FillAsync(username);
        await Page.GetByLabel("Email").FillAsync($"{username}@example.test");
        await Page.GetByLabel("Password").FillAsync(LiveDrive.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Uri(Drive.Web.Address, "files").ToString());
        await Expect(Heading).ToHaveTextAsync("My files");
        await Expect(Page).ToHaveTitleAsync("My files · AIO Storage");
        var empty = Page.GetByTestId("empty-folder");
        await Expect(empty).ToContainTextAsync("Nothing here yet");
        await Expect(empty.GetByRole(AriaRole.Button, new() { Name = "New folder" })).ToBeVisibleAsync();
        await Expect(Rows).ToHaveCountAsync(0);
        var nav = Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "My files" })).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(Page.Locator(".account")).ToContainTextAsync(username);

        var token = await Drive.StoredTokenAsync(Page);
        Assert.NotNull(token);
        Assert.Equal(HttpStatusCode.OK, await Drive.MeStatusAsync(token));
        await Screenshots.TakeAsync(Page, "files-empty");
    }

    [Fact]
    public async Task Nested_folders_are_created_checked_as_typed_and_navigated_by_breadcrumbs()
    {
        var account = await SignedInAsync();
        await Page.GotoAsync("files");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "New folder" }).First.ClickAsync();
        var name = Dialog.GetByLabel("Folder name");
        await Expect(name).ToBeFocusedAsync();
        await name.FillAsync("a/b");
        await Expect(Dialog.Locator("#item-name-messages")).ToHaveTextAsync("A name cannot contain / or \\.");
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await name.FillAsync("..");
        await Expect(Dialog.Locator("#item-name-messages")).ToHaveTextAsync("A name cannot be “.” or “..”.");
        await name.FillAsync(new string('é', 128));
        await Expect(Dialog.Locator("#item-name-messages")).ToContainTextAsync("too long: 256 bytes");
        await name.FillAsync("   ");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Dialog.Locator("#item-name-messages")).ToHaveTextAsync("Enter a name.");
        Assert.Empty(await account.NamesInAsync("root"));
        await Screenshots.TakeAsync(Page, "files-new-folder-invalid");

        await name.FillAsync("  Photos  ");
        await name.PressAsync("Enter");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast).ToContainTextAsync("Folder created");
        await Expect(RowNames).ToHaveTextAsync(["Photos"]);
        await Expect(Row("Photos").Locator(".col-size")).ToHaveTextAsync("—");
        Assert.Equal(["Photos"], await account.NamesInAsync("root"));

        await Row("Photos").GetByRole(AriaRole.Link, new() { Name = "Photos" }).ClickAsync();
        await Expect(Heading).ToHaveTextAsync("Photos");
        await Expect(Page.GetByTestId("empty-folder")).ToContainTextAsync("This folder is empty");
        await Expect(Breadcrumbs.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["My files", "Photos"]);
        await CreateFolderInUiAsync("2026");

        // The keyboard opens a folder: Enter on the focused row.
        await Row("2026").Locator("[data-row-focus]").FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Heading).ToHaveTextAsync("2026");
        await Expect(Breadcrumbs.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["My files", "Photos", "2026"]);
        await CreateFolderInUiAsync("Summer");

        // A double-click on the row (not on the name) opens it too.
        await Row("Summer").Locator(".col-modified").DblClickAsync();
        await Expect(Heading).ToHaveTextAsync("Summer");
        await Expect(Breadcrumbs.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["My files", "Photos", "2026", "Summer"]);
        var summerId = new Uri(Page.Url).Segments[^1];
        var (status, summer) = await account.FolderAsync(summerId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["Photos", "2026"], summer.GetProperty("ancestors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        await Screenshots.TakeAsync(Page, "files-nested");

        await Breadcrumbs.GetByRole(AriaRole.Link, new() { Name = "Photos" }).ClickAsync();
        await Expect(Heading).ToHaveTextAsync("Photos");
        await Expect(RowNames).ToHaveTextAsync(["2026"]);
        await Breadcrumbs.GetByRole(AriaRole.Link, new() { Name = "My files" }).ClickAsync();
        await Expect(Heading).ToHaveTextAsync("My files");
        await Expect(Page).ToHaveURLAsync(new Uri(Drive.Web.Address, "files").ToString());
        await Expect(RowNames).ToHaveTextAsync(["Photos"]);
        await Expect(Breadcrumbs).ToHaveCountAsync(0);

        await Page.GoBackAsync();
        await Expect(Heading).ToHaveTextAsync("Photos");
    }

    [Fact]
    public async Task Rename_shows_the_apis_conflict_detail_and_then_renames()
    {
        var account = await SignedInAsync();
        await account.CreateFolderAsync("Documents");
        await account.CreateFolderAsync("Invoices");
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["Documents", "Invoices"]);

        await ChooseAsync("Documents", "Rename");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Rename “Documents”");
        var name = Dialog.GetByLabel("New name");
        await Expect(name).ToHaveValueAsync("Documents");
        await Expect(name).ToBeFocusedAsync();
        Assert.Equal("Documents", await name.EvaluateAsync<string>("e => e.value.substring(e.selectionStart, e.selectionEnd)"));

        // Names clash without regard to case: the api decides, and its words are shown.
        await name.FillAsync("invoices");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Expect(Dialog.Locator("#item-name-messages")).ToHaveTextAsync("A file or folder named 'invoices' already exists here.");
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Screenshots.TakeAsync(Page, "files-rename-409");
        Assert.Equal(["Documents", "Invoices"], await account.NamesInAsync("root"));

        await name.FillAsync("Papers");
        await Expect(Dialog.Locator("#item-name-messages")).ToBeEmptyAsync();
        await name.PressAsync("Enter");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Renamed" })).ToContainTextAsync("“Documents” is now “Papers”");
        await Expect(RowNames).ToHaveTextAsync(["Invoices", "Papers"]);
        Assert.Equal(["Invoices", "Papers"], await account.NamesInAsync("root"));
        await Expect(Row("Papers").Locator("[data-row-focus]")).ToBeFocusedAsync();

        // F2 on a row renames it; Escape leaves it as it was.
        await Page.Keyboard.PressAsync("F2");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Rename “Papers”");
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Row("Papers").Locator("[data-row-focus]")).ToBeFocusedAsync();

        // A new folder under a taken name gets the same answer.
        await Page.GetByRole(AriaRole.Button, new() { Name = "New folder" }).ClickAsync();
        await Dialog.GetByLabel("Folder name").FillAsync("PAPERS");
        await Dialog.GetByLabel("Folder name").PressAsync("Enter");
        await Expect(Dialog.Locator("#item-name-messages")).ToHaveTextAsync("A file or folder named 'PAPERS' already exists here.");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        Assert.Equal(["Invoices", "Papers"], await account.NamesInAsync("root"));
    }

    [Fact]
    public async Task Move_browses_to_a_destination_refuses_the_folder_itself_and_shows_the_apis_conflict()
    {
        var account = await SignedInAsync();
        var projects = await account.CreateFolderAsync("Projects");
        var archive = await account.CreateFolderAsync("Archive");
        var alpha = await account.CreateFolderAsync("Alpha", projects);
        var sub = await account.CreateFolderAsync("Sub", alpha);
        await account.CreateFolderAsync("Alpha", archive);
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["Archive", "Projects"]);

        // Projects cannot go into itself, so nothing inside it can be reached as a destination either.
        await ChooseAsync("Projects", "Move to…");
        var picker = Dialog.GetByRole(AriaRole.List, new() { Name = "Folders in My files" });
        await Expect(picker.GetByRole(AriaRole.Button)).ToHaveCountAsync(2);
        await Expect(picker.GetByRole(AriaRole.Button, new() { Name = "Projects" })).ToBeDisabledAsync();
        await Expect(picker.GetByRole(AriaRole.Button, new() { Name = "Projects" })).ToContainTextAsync("the folder you are moving");
        await Expect(Dialog.GetByRole(AriaRole.Button, new() { Name = "Move here" })).ToBeDisabledAsync();
        await Expect(Dialog.Locator(".modal-footer-note")).ToHaveTextAsync("It is already in this folder. Open another one.");
        await picker.GetByRole(AriaRole.Button, new() { Name = "Projects" }).ClickAsync(new() { Force = true });
        await Expect(Dialog.GetByRole(AriaRole.List, new() { Name = "Folders in My files" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(Page, "files-move-self");
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Dialog).ToHaveCountAsync(0);

        await Row("Projects").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(Heading).ToHaveTextAsync("Projects");
        await ChooseAsync("Alpha", "Move to…");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Move “Alpha”");
        await Dialog.GetByRole(AriaRole.Navigation, new() { Name = "Destination" }).GetByRole(AriaRole.Button, new() { Name = "My files" }).ClickAsync();
        await Dialog.GetByRole(AriaRole.List, new() { Name = "Folders in My files" }).GetByRole(AriaRole.Button, new() { Name = "Archive" }).ClickAsync();
        await Expect(Dialog.GetByRole(AriaRole.List, new() { Name = "Folders in Archive" })).ToBeVisibleAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Move here" }).ClickAsync();
        await Expect(Dialog.GetByRole(AriaRole.Alert)).ToHaveTextAsync("A file or folder named 'Alpha' already exists here.");
        await Screenshots.TakeAsync(Page, "files-move-409");
        Assert.Equal(["Alpha"], await account.NamesInAsync(projects));

        await Dialog.GetByRole(AriaRole.Navigation, new() { Name = "Destination" }).GetByRole(AriaRole.Button, new() { Name = "My files" }).ClickAsync();
        await Expect(Dialog.GetByRole(AriaRole.List, new() { Name = "Folders in My files" })).ToBeVisibleAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Move here" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Moved" })).ToContainTextAsync("“Alpha” is now in My files");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
        Assert.Equal(["Alpha", "Archive", "Projects"], await account.NamesInAsync("root"));
        var (_, subView) = await account.FolderAsync(sub);
        Assert.Equal([alpha], subView.GetProperty("ancestors").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Delete_asks_first_then_moves_the_folder_and_its_contents_to_the_trash()
    {
        var account = await SignedInAsync();
        var old = await account.CreateFolderAsync("Old");
        var inner = await account.CreateFolderAsync("Inner", old);
        await account.CreateFolderAsync("Keep");
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveTextAsync(["Keep", "Old"]);

        await ChooseAsync("Keep", "Move to trash");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(RowNames).ToHaveTextAsync(["Keep", "Old"]);

        await Row("Old").Locator("[data-row-focus]").FocusAsync();
        await Page.Keyboard.PressAsync("Delete");
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Move “Old” to the trash?");
        await Expect(Dialog).ToContainTextAsync("The folder and everything in it go to the trash.");
        await Screenshots.TakeAsync(Page, "files-delete-confirm");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Move to trash" }).ClickAsync();

        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast).ToContainTextAsync("Moved to trash");
        await Expect(Toast).ToContainTextAsync("“Old” and everything in it");
        await Expect(RowNames).ToHaveTextAsync(["Keep"]);
        await Screenshots.TakeAsync(Page, "files-deleted-toast");
        Assert.Equal(HttpStatusCode.NotFound, (await account.FolderAsync(old)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await account.FolderAsync(inner)).Status);

        await Page.GotoAsync($"files/{old}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "This folder is not here" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Column_headers_sort_on_the_server_and_more_rows_load_on_demand()
    {
        var account = await SignedInAsync();
        // Created out of name order, a minute apart, so name order and modified order differ.
        string[] created = [.. Enumerable.Range(0, 55).Select(i => i * 23 % 55).Select(i => $"f{i:00}")];
        foreach (var name in created)
        {
            await account.CreateFolderAsync(name);
            Drive.Api.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var byName = created.Order(StringComparer.Ordinal).ToArray();
        await Page.GotoAsync("files");
        await Expect(RowNames).ToHaveCountAsync(50);
        Assert.Equal(byName[..50], await RowNames.AllInnerTextsAsync());
        await Expect(Page.GetByTestId("item-count")).ToHaveTextAsync("Showing 50 of 55 items");
        await Expect(Page.Locator("th.col-name")).ToHaveAttributeAsync("aria-sort", "ascending");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Expect(RowNames).ToHaveCountAsync(55);
        Assert.Equal(byName, await RowNames.AllInnerTextsAsync());
        await Expect(Page.GetByTestId("item-count")).ToHaveTextAsync("55 items");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Load more" })).ToHaveCountAsync(0);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Name" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/files\?sort=name&order=desc$"));
        await Expect(Page.Locator("th.col-name")).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(RowNames.First).ToHaveTextAsync("f54");
        Assert.Equal(byName.Reverse().Take(50), await RowNames.AllInnerTextsAsync());

        // Newest first when a date column is chosen, oldest first on a second click.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Modified" }).ClickAsync();
        await Expect(Page.Locator("th.col-modified")).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(RowNames.First).ToHaveTextAsync(created[^1]);
        Assert.Equal(created.Reverse().Take(50), await RowNames.AllInnerTextsAsync());
        await Screenshots.TakeAsync(Page, "files-sorted");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Modified" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/files\?sort=modified&order=asc$"));
        await Expect(RowNames.First).ToHaveTextAsync(created[0]);
        Assert.Equal(created.Take(50), await RowNames.AllInnerTextsAsync());
        await Expect(Page.Locator("th.col-name")).ToHaveAttributeAsync("aria-sort", "none");

        // The order is in the address, so it survives a reload and carries into folders.
        await Page.ReloadAsync();
        await Expect(RowNames.First).ToHaveTextAsync(created[0]);
        await Expect(Row(created[0]).GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", new Regex(@"\?sort=modified&order=asc$"));

        // Arrow keys walk the rows.
        await Row(created[0]).Locator("[data-row-focus]").FocusAsync();
        await Page.Keyboard.PressAsync("ArrowDown");
        await Expect(Row(created[1]).Locator("[data-row-focus]")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("End");
        await Expect(Row(created[49]).Locator("[data-row-focus]")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("ArrowUp");
        await Expect(Row(created[48]).Locator("[data-row-focus]")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in_and_back_to_the_folder_they_asked_for()
    {
        var account = await Drive.RegisterAsync();
        var inbox = await account.CreateFolderAsync("Inbox");
        Page = await Browser.NewPageAsync(Drive.Web.Address);

        await Page.GotoAsync($"files/{inbox}");
        await Expect(Page).ToHaveURLAsync(new Uri(Drive.Web.Address, $"signin?returnUrl=files%2F{inbox}").ToString());
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeEnabledAsync();
        await Expect(Page.GetByText("Your session has ended")).ToHaveCountAsync(0);
        await Page.GetByLabel("Email").FillAsync(account.Email);
        await Page.GetByLabel("Password").FillAsync(LiveDrive.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Uri(Drive.Web.Address, $"files/{inbox}").ToString());
        await Expect(Heading).ToHaveTextAsync("Inbox");
    }

    [Fact]
    public async Task A_return_address_off_this_site_is_ignored()
    {
        var account = await Drive.RegisterAsync();
        Page = await Browser.NewPageAsync(Drive.Web.Address);

        await Page.GotoAsync("signin?returnUrl=%2F%2Fevil.example%2Fphish");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeEnabledAsync();
        await Page.GetByLabel("Email").FillAsync(account.Email);
        await Page.GetByLabel("Password").FillAsync(LiveDrive.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Uri(Drive.Web.Address, "files").ToString());
        await Expect(Heading).ToHaveTextAsync("My files");
    }

    [Fact]
    public async Task Narrow_screens_keep_the_listing_within_the_screen()
    {
        var account = await Drive.RegisterAsync();
        var folder = await account.CreateFolderAsync("A folder with a rather long name that has to fit on a phone");
        await account.CreateFolderAsync("Notes", folder);
        Page = await Drive.SignedInPageAsync(Browser, account, width: 390, height: 844);

        await Page.GotoAsync($"files/{folder}");
        await Expect(RowNames).ToHaveTextAsync(["Notes"]);
        await Expect(Page.Locator("th.col-size")).ToBeHiddenAsync();
        Assert.Equal(390, await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        await Screenshots.TakeAsync(Page, "files-mobile");

        await OpenMenuAsync("Notes");
        var menu = await Page.GetByRole(AriaRole.Menu).BoundingBoxAsync();
        Assert.NotNull(menu);
        Assert.True(menu.X >= 0 && menu.X + menu.Width <= 390, $"the menu spans {menu.X} to {menu.X + menu.Width}");
    }
}
