using System.Net;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>
/// When the api stops taking the browser's token (revoked elsewhere, or expired), the next call anywhere sends the
/// person to sign in with a word about why, and back afterwards. This class moves the api's clock forward.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SessionEndTests(BrowserFixture browser, LiveDrive drive) : IClassFixture<LiveDrive>, IAsyncLifetime
{
    private const string EndedMessage = "Your session has ended, sign in again.";

    private IPage? page;

    private IPage Page => page ?? throw new InvalidOperationException("No page yet.");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (page is not null)
        {
            await Circuit.ExpectAliveAsync(page);
            await page.Context.CloseAsync();
        }
    }

    private async Task SignInAgainAsync(LiveAccount account)
    {
        await Page.GetByLabel("Email").FillAsync(account.Email);
        await Page.GetByLabel("Password").FillAsync(LiveDrive.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task A_token_revoked_elsewhere_sends_the_browser_to_sign_in_on_its_next_call()
    {
        var account = await drive.RegisterAsync();
        var work = await account.CreateFolderAsync("Work");
        page = await drive.SignedInPageAsync(browser, account);
        await Page.GotoAsync($"files/{work}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Work");

        using (var elsewhere = account.Client())
        {
            using var logout = await elsewhere.PostAsync("api/v1/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        await Page.GetByRole(AriaRole.Button, new() { Name = "New folder" }).First.ClickAsync();
        await Page.Locator("dialog[open]").GetByLabel("Folder name").FillAsync("Reports");
        await Page.Locator("dialog[open]").GetByLabel("Folder name").PressAsync("Enter");

        await Expect(Page).ToHaveURLAsync(new Uri(drive.Web.Address, $"signin?returnUrl=files%2F{work}&reason=session-ended").ToString());
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = EndedMessage })).ToBeVisibleAsync();
        await Expect(Page.Locator("dialog[open]")).ToHaveCountAsync(0);
        await Expect(Page.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await drive.StoredTokenAsync(Page));
        await Screenshots.TakeAsync(Page, "signin-session-ended");

        await SignInAgainAsync(account);
        await Expect(Page).ToHaveURLAsync(new Uri(drive.Web.Address, $"files/{work}").ToString());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Work");
        await Expect(Page.GetByTestId("empty-folder")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_expired_token_sends_the_browser_to_sign_in()
    {
        var account = await drive.RegisterAsync();
        await account.CreateFolderAsync("Music");
        page = await drive.SignedInPageAsync(browser, account);
        await Page.GotoAsync("account");
        await Expect(Page.Locator(".session-list > li")).ToHaveCountAsync(1);

        // Tokens live 7 days by default; the api's clock passes that, the web's does not.
        drive.Api.Time.Advance(TimeSpan.FromDays(8));
        Assert.Equal(HttpStatusCode.Unauthorized, await drive.MeStatusAsync(account.Token));
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "My files" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Uri(drive.Web.Address, "signin?returnUrl=files&reason=session-ended").ToString());
        await Expect(Page.GetByText(EndedMessage)).ToBeVisibleAsync();
        await SignInAgainAsync(account);
        await Expect(Page.Locator("tr.drive-row .item-name")).ToHaveTextAsync(["Music"]);
    }

    [Fact]
    public async Task A_session_signed_out_while_away_is_noticed_when_the_start_page_opens()
    {
        var account = await drive.RegisterAsync();
        page = await drive.SignedInPageAsync(browser, account);
        using (var elsewhere = account.Client())
        {
            using var logout = await elsewhere.PostAsync("api/v1/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        await Page.GotoAsync("");

        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Your session has ended, sign in again." })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your files, on your own server.");
        await Expect(Page.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await drive.StoredTokenAsync(Page));
    }
}
