using System.Net;
using System.Text;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>The Trash page in a real browser against the real api.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TrashPageTests(BrowserFixture browser, LiveDrive drive) : LiveDrivePageTest(browser, drive), IClassFixture<LiveDrive>
{

    private ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    private ILocator RowNames => Page.Locator("tr.trash-row .item-name");

    private ILocator Row(string name) => Page.Locator("tr.trash-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator Dialog => Page.Locator("dialog[open]");

    private ILocator Toast => Page.Locator(".toasts .toast");

    /// <summary>Deletes through the api, a minute after the last one, so the trash's order is known.</summary>
    private async Task TrashAsync(LiveAccount account, string kind, string id)
    {
        Drive.Api.Time.Advance(TimeSpan.FromMinutes(1));
        using var client = account.Client();
        using var response = await client.DeleteAsync($"api/v1/{kind}/{id}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task The_trash_lists_what_was_deleted_and_restores_deletes_forever_and_empties_after_asking()
    {
        var account = await SignedInAsync();
        var docs = await account.CreateFolderAsync("Docs");
        var old = await account.CreateFolderAsync("Old stuff");
        await account.UploadAsync("inside.txt", Encoding.UTF8.GetBytes("kept with its folder"), old);
        var letter = await account.UploadAsync("letter.txt", Encoding.UTF8.GetBytes("Dear api, thank you.\n"), docs);
        var photo = await account.UploadAsync("photo.jpg", UploadFiles.Random(200_000, seed: 13));
        var movie = await account.UploadAsync("movie.mp4", UploadFiles.Random(50_000, seed: 14));
        await TrashAsync(account, "folders", old);
        await TrashAsync(account, "files", letter.GetProperty("id").GetString()!);
        await TrashAsync(account, "files", photo.GetProperty("id").GetString()!);
        await TrashAsync(account, "files", movie.GetProperty("id").GetString()!);
        var used = 20 + 21 + 200_000 + 50_000;
        Assert.Equal(used, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());

        await Page.GotoAsync("files");
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Trash" }).ClickAsync();
        await Expect(Heading).ToHaveTextAsync("Trash");
        await Expect(Page).ToHaveTitleAsync("Trash · AIO Storage");
        await Expect(RowNames).ToHaveTextAsync(["movie.mp4", "photo.jpg", "letter.txt", "Old stuff"]);
        await Expect(Page.Locator("tr.trash-row .col-kind")).ToHaveTextAsync(["Video", "Image", "Text", "Folder"]);
        await Expect(Page.Locator("tr.trash-row td.col-size")).ToHaveTextAsync(["48.8 KB", "195.3 KB", "21 bytes", "—"]);
        await Expect(Page.GetByTestId("item-count")).ToHaveTextAsync("4 items");
        await Screenshots.TakeAsync(Page, "trash");

        // Restored into the folder it came from, which the toast names.
        await Row("letter.txt").GetByRole(AriaRole.Button, new() { Name = "Restore letter.txt" }).ClickAsync();
        await Expect(Toast.Filter(new() { HasText = "Restored" })).ToContainTextAsync("“letter.txt” is back in Docs");
        await Expect(RowNames).ToHaveTextAsync(["movie.mp4", "photo.jpg", "Old stuff"]);
        Assert.Equal(["letter.txt"], await account.NamesInAsync(docs));

        // A folder comes back with what it held.
        await Row("Old stuff").GetByRole(AriaRole.Button, new() { Name = "Restore Old stuff" }).ClickAsync();
        await Expect(Toast.Filter(new() { HasText = "Restored" }).Last).ToContainTextAsync("“Old stuff” is back in My files");
        await Expect(RowNames).ToHaveTextAsync(["movie.mp4", "photo.jpg"]);
        Assert.Equal(["inside.txt"], await account.NamesInAsync(old));

        // Deleting for good asks first; Cancel keeps the file.
        await Row("photo.jpg").GetByRole(AriaRole.Button, new() { Name = "Delete photo.jpg forever" }).ClickAsync();
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Delete “photo.jpg” forever?");
        await Expect(Dialog).ToContainTextAsync("This cannot be undone.");
        await Screenshots.TakeAsync(Page, "trash-delete-confirm");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(RowNames).ToHaveTextAsync(["movie.mp4", "photo.jpg"]);

        await Row("photo.jpg").GetByRole(AriaRole.Button, new() { Name = "Delete photo.jpg forever" }).ClickAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Delete forever" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Deleted forever" })).ToContainTextAsync("“photo.jpg”");
        await Expect(RowNames).ToHaveTextAsync(["movie.mp4"]);
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("48.9 KB of 10 GB used");
        Assert.Equal(used - 200_000, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());

        await Page.GetByRole(AriaRole.Button, new() { Name = "Empty trash" }).ClickAsync();
        await Expect(Dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Empty the trash?");
        await Expect(Dialog).ToContainTextAsync("The item in the trash will be deleted for good");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Empty trash" }).ClickAsync();
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Toast.Filter(new() { HasText = "Trash emptied" })).ToContainTextAsync("1 item deleted for good");
        await Expect(Page.GetByTestId("empty-trash")).ToContainTextAsync("The trash is empty");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Empty trash" })).ToBeDisabledAsync();
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("41 bytes of 10 GB used");
        await Expect(Heading).ToBeFocusedAsync();
        await Screenshots.TakeAsync(Page, "trash-empty");
        Assert.Empty(await account.TrashAsync());
        Assert.Equal(41, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());
    }

    [Fact]
    public async Task A_long_trash_loads_more_on_demand_and_keeps_every_loaded_page_after_a_restore()
    {
        var account = await SignedInAsync();
        for (var i = 0; i < 55; i++)
        {
            await TrashAsync(account, "folders", await account.CreateFolderAsync($"f{i:00}"));
        }

        await Page.GotoAsync("trash");
        await Expect(RowNames).ToHaveCountAsync(50);
        await Expect(RowNames.First).ToHaveTextAsync("f54");
        await Expect(Page.GetByTestId("item-count")).ToHaveTextAsync("Showing 50 of 55 items");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Expect(RowNames).ToHaveCountAsync(55);
        await Expect(RowNames.Last).ToHaveTextAsync("f00");
        await Expect(Page.GetByTestId("item-count")).ToHaveTextAsync("55 items");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Empty trash" }).ClickAsync();
        await Expect(Dialog).ToContainTextAsync("All 55 items in the trash will be deleted for good");
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Empty trash" })).ToBeFocusedAsync();

        // Restoring from the second page keeps both pages on screen, in the api's order.
        await Row("f00").GetByRole(AriaRole.Button, new() { Name = "Restore f00" }).ClickAsync();
        await Expect(RowNames).ToHaveCountAsync(54);
        await Expect(RowNames.Last).ToHaveTextAsync("f01");
        await Expect(Page.GetByTestId("item-count")).ToHaveTextAsync("54 items");
        Assert.Equal(54, (await account.TrashAsync()).Length);
        Assert.Equal(["f00"], await account.NamesInAsync("root"));
    }
}
