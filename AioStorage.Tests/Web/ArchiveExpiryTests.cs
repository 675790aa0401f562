using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>
/// A ZIP whose time runs out before anyone prepares it. A class (and an api) of its own: moving the api's clock a day on
/// would make every later archive of the same api expired at once.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ArchiveExpiryTests(BrowserFixture browser, ArchiveDrive drive)
    : LiveDrivePageTest(browser, drive), IClassFixture<ArchiveDrive>
{
    private ILocator Tray => Page.GetByTestId("archive-tray");

    [Fact]
    public async Task A_zip_that_expires_before_the_worker_gets_to_it_says_so_and_can_be_prepared_again()
    {
        var account = await SignedInAsync();
        await account.CreateFolderAsync("Slow lane");
        await Page.GotoAsync("files");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Actions for Slow lane" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menuitem, new() { Name = "Download as ZIP" }).ClickAsync();
        var item = Tray.Locator("li.tray-item");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Waiting for the server to start on it…");
        var first = await item.GetAttributeAsync("data-archive-id");

        // No worker runs; a day later (archives expire after 24 h) the api reports the job expired.
        Drive.Api.Time.Advance(TimeSpan.FromHours(25));
        await Expect(Tray.Locator("#archive-tray-title")).ToHaveTextAsync("ZIP expired");
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Expired");
        await Expect(item.GetByTestId("archive-error")).ToHaveTextAsync("Its time on the server ran out. Prepare it again to download it.");
        await Screenshots.TakeAsync(Page, "archive-expired");

        await item.GetByRole(AriaRole.Button, new() { Name = "Prepare Slow lane.zip again" }).ClickAsync();
        await Expect(item.GetByTestId("archive-status")).ToHaveTextAsync("Waiting for the server to start on it…");
        await Expect(item.GetByTestId("archive-error")).ToHaveCountAsync(0);
        await Expect(Tray.Locator("#archive-tray-title")).ToHaveTextAsync("Preparing 1 ZIP");
        Assert.NotEqual(first, await item.GetAttributeAsync("data-archive-id"));
    }
}
