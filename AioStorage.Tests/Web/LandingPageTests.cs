using System.Net;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

[Collection(BrowserCollection.Name)]
public sealed class LandingPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private ApiStandIn api = default!;
    private WebUnderTest web = default!;

    public async Task InitializeAsync()
    {
        api = await ApiStandIn.StartAsync();
        web = WebUnderTest.Start(api.Address);
    }

    public async Task DisposeAsync()
    {
        await web.DisposeAsync();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task Landing_says_what_the_product_is_and_leads_to_sign_in_and_registration()
    {
        var page = await browser.NewPageAsync(web.Address);
        await page.GotoAsync("");

        await Expect(page).ToHaveTitleAsync("AIO Storage · your self-hosted cloud drive");
        await Expect(page.Locator(".brand")).ToHaveTextAsync("AIO Storage");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your files, on your own server.");
        await Expect(page.Locator(".feature")).ToHaveCountAsync(6);
        await Screenshots.TakeAsync(page, "landing");

        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        var myFiles = nav.Locator(".nav-item", new() { HasText = "My files" });
        await Expect(myFiles).ToHaveAttributeAsync("aria-disabled", "true");
        await Expect(myFiles).ToHaveAttributeAsync("title", "Sign in to see your files");
        var trash = nav.Locator(".nav-item", new() { HasText = "Trash" });
        await Expect(trash).ToHaveAttributeAsync("aria-disabled", "true");
        await Expect(trash).ToHaveAttributeAsync("title", "Sign in to see your trash");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Account" })).ToHaveCountAsync(0);
        await Expect(nav.GetByTestId("storage-meter")).ToHaveCountAsync(0);
        foreach (var upcoming in new[] { "Shared with me", "Links" })
        {
            var item = nav.Locator(".nav-item", new() { HasText = upcoming });
            await Expect(item).ToHaveAttributeAsync("aria-disabled", "true");
            await Expect(item).ToHaveAttributeAsync("title", "Coming soon");
            Assert.Equal("SPAN", await item.EvaluateAsync<string>("e => e.tagName"));
        }

        await nav.GetByRole(AriaRole.Link, new() { Name = "Status" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("System status");

        await page.GotoAsync("");
        await page.Locator(".hero").GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Create your account");
        await Screenshots.TakeAsync(page, "register");

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Narrow_screens_get_the_navigation_above_the_content()
    {
        var page = await browser.NewPageAsync(web.Address, width: 390, height: 844);
        await page.GotoAsync("status");
        await Expect(page.GetByTestId("overall").GetByRole(AriaRole.Heading)).ToHaveTextAsync("All systems operational");

        var nav = await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).BoundingBoxAsync();
        var main = await page.Locator("main").BoundingBoxAsync();
        Assert.NotNull(nav);
        Assert.NotNull(main);
        Assert.True(nav.Y + nav.Height <= main.Y + 1, $"navigation ends at {nav.Y + nav.Height}, content starts at {main.Y}");
        Assert.True(main.Width > 350, $"content is only {main.Width}px wide");
        Assert.Equal(390, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        await Screenshots.TakeAsync(page, "status-mobile");

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Web_starts_and_serves_its_pages_and_health_while_the_api_is_down()
    {
        await api.StopAsync();
        using var http = new HttpClient { BaseAddress = web.Address };

        foreach (var path in new[] { "/", "/status", "/signin", "/register", "/health", "/alive" })
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        }

        using var missing = await http.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Page not found", await missing.Content.ReadAsStringAsync());
    }
}
