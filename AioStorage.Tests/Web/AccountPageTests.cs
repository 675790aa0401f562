using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>The account page, sessions and signing out, in a real browser against the real api.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountPageTests(BrowserFixture browser, LiveDrive drive) : IClassFixture<LiveDrive>, IAsyncLifetime
{
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

    private async Task SignInThroughTheFormAsync(LiveAccount account)
    {
        page = await browser.NewPageAsync(drive.Web.Address);
        await Page.GotoAsync("signin");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeEnabledAsync();
        await Page.GetByLabel("Email").FillAsync(account.Email);
        await Page.GetByLabel("Password").FillAsync(LiveDrive.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My files");
    }

    private ILocator Sessions => Page.Locator(".session-list > li");

    private ILocator Activity => Page.Locator(".activity-list > li .activity-what");

    [Fact]
    public async Task Account_shows_the_profile_storage_sessions_and_readable_activity_and_signs_out_another_device()
    {
        // Signed up from "Firefox on Windows" (through the api), then signed in here, in Chromium.
        var account = await drive.RegisterAsync(LiveDrive.FirefoxOnWindows);
        var docs = await account.CreateFolderAsync("Docs");
        var photos = await account.CreateFolderAsync("Photos");
        using (var firefox = account.Client())
        {
            using var moved = await firefox.PatchAsJsonAsync($"api/v1/folders/{photos}", new { parentId = docs });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            using var renamed = await firefox.PatchAsJsonAsync($"api/v1/folders/{docs}", new { name = "Documents" });
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }

        await SignInThroughTheFormAsync(account);
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Account");
        await Expect(Page).ToHaveTitleAsync("Account · AIO Storage");

        await Expect(Page.Locator("[data-fact=username]")).ToHaveTextAsync(account.Username);
        await Expect(Page.Locator("[data-fact=email]")).ToHaveTextAsync(account.Email);
        await Expect(Page.Locator(".usage")).ToContainTextAsync("0 bytes of 10 GB used");
        await Expect(Page.Locator(".usage .meter")).ToHaveAttributeAsync("aria-valuenow", "0");

        await Expect(Sessions).ToHaveCountAsync(2);
        await Expect(Sessions.Nth(0)).ToContainTextAsync("Chrome (headless) on Linux");
        await Expect(Sessions.Nth(0)).ToContainTextAsync("This device");
        await Expect(Sessions.Nth(0).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(Sessions.Nth(1)).ToContainTextAsync("Firefox on Windows");
        await Expect(Sessions.Nth(1)).Not.ToContainTextAsync("This device");
        await Expect(Sessions.Nth(1)).ToContainTextAsync("127.0.0.1");

        await Expect(Activity).ToHaveTextAsync(
        [
            "Signed in from 127.0.0.1, Chrome (headless) on Linux",
            "Renamed folder Docs to Documents",
            "Moved folder Photos to Documents",
            "Created folder Photos",
            "Created folder Docs",
            "Created the account from 127.0.0.1, Firefox on Windows",
        ]);
        // The api's clock stands still here, so "when" is "just now" or a few minutes ago on a slow run.
        await Expect(Page.Locator(".activity-list > li").First.Locator(".activity-meta")).ToHaveTextAsync(new Regex("^(just now|\\d+ minutes? ago)$"));
        await Expect(Page.Locator(".activity-list > li").Nth(1).Locator(".activity-meta")).ToHaveTextAsync(new Regex(" · 127\\.0\\.0\\.1 · Firefox on Windows$"));
        await Screenshots.TakeAsync(Page, "account");

        Assert.Equal(HttpStatusCode.OK, await drive.MeStatusAsync(account.Token));
        await Sessions.Nth(1).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Sessions).ToHaveCountAsync(1);
        await Expect(Sessions.Nth(0)).ToContainTextAsync("This device");
        await Expect(Page.Locator(".toasts")).ToContainTextAsync("Firefox on Windows (127.0.0.1) is signed out.");
        await Expect(Activity.First).ToHaveTextAsync("Signed out another session from 127.0.0.1, Chrome (headless) on Linux");
        Assert.Equal(HttpStatusCode.Unauthorized, await drive.MeStatusAsync(account.Token));

        // This browser is still signed in.
        await Page.ReloadAsync();
        await Expect(Page.Locator("[data-fact=username]")).ToHaveTextAsync(account.Username);
    }

    [Fact]
    public async Task Signing_out_revokes_the_token_the_browser_held()
    {
        var account = await drive.RegisterAsync();
        await SignInThroughTheFormAsync(account);
        var token = await drive.StoredTokenAsync(Page);
        Assert.NotNull(token);
        Assert.NotEqual(account.Token, token);
        Assert.Equal(HttpStatusCode.OK, await drive.MeStatusAsync(token));

        await Page.Locator(".account").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your files, on your own server.");
        await Expect(Page.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await drive.StoredTokenAsync(Page));
        Assert.Equal(HttpStatusCode.Unauthorized, await drive.MeStatusAsync(token));
        Assert.Equal(HttpStatusCode.OK, await drive.MeStatusAsync(account.Token));

        await Page.ReloadAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your files, on your own server.");
        await Page.GotoAsync("account");
        await Expect(Page).ToHaveURLAsync(new Uri(drive.Web.Address, "signin?returnUrl=account").ToString());
    }

    [Fact]
    public async Task All_other_sessions_can_be_signed_out_at_once()
    {
        var account = await drive.RegisterAsync(LiveDrive.FirefoxOnWindows);
        var phone = await account.SignInElsewhereAsync("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36");
        var laptop = await account.SignInElsewhereAsync("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15");
        page = await drive.SignedInPageAsync(browser, account);
        await Page.GotoAsync("account");

        await Expect(Sessions).ToHaveCountAsync(3);
        await Expect(Sessions.Nth(0)).ToContainTextAsync("Firefox on Windows");
        await Expect(Sessions.Nth(0)).ToContainTextAsync("This device");
        await Expect(Page.Locator(".session-list")).ToContainTextAsync("Chrome on Android");
        await Expect(Page.Locator(".session-list")).ToContainTextAsync("Safari on macOS");
        await Expect(Page.Locator(".session.is-current .session-icon")).ToHaveCountAsync(1);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out all other sessions" }).ClickAsync();
        await Expect(Sessions).ToHaveCountAsync(1);
        await Expect(Sessions.Nth(0)).ToContainTextAsync("This device");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out all other sessions" })).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await drive.MeStatusAsync(phone));
        Assert.Equal(HttpStatusCode.Unauthorized, await drive.MeStatusAsync(laptop));
        Assert.Equal(HttpStatusCode.OK, await drive.MeStatusAsync(account.Token));
    }
}
