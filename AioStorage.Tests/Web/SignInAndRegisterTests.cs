using System.Text.RegularExpressions;
using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

[Collection(BrowserCollection.Name)]
public sealed class SignInAndRegisterTests(BrowserFixture browser) : IAsyncLifetime
{
    private ApiStandIn api = default!;
    private WebUnderTest web = default!;
    private IPage page = default!;

    public async Task InitializeAsync()
    {
        api = await ApiStandIn.StartAsync();
        web = WebUnderTest.Start(api.Address);
        page = await browser.NewPageAsync(web.Address);
    }

    public async Task DisposeAsync()
    {
        await page.Context.CloseAsync();
        await web.DisposeAsync();
        await api.DisposeAsync();
    }

    private ILocator Alert => page.GetByRole(AriaRole.Alert).Filter(new() { HasNot = page.Locator("#blazor-error-ui") });

    /// <summary>The submit button turns on once the circuit is live; typing before that would be thrown away.</summary>
    private async Task OpenFormAsync(string path, string submit)
    {
        await page.GotoAsync(path);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = submit })).ToBeEnabledAsync();
    }

    [Fact]
    public async Task Sign_in_shows_the_detail_of_the_apis_401_problem()
    {
        await OpenFormAsync("signin", "Sign in");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(Alert).ToContainTextAsync("Sign-in failed");
        await Expect(Alert).ToContainTextAsync(ApiStandIn.BadLoginDetail);
        Assert.Equal(1, api.Count("POST /api/v1/auth/login"));
        await Expect(page).ToHaveURLAsync(new Uri(web.Address, "signin").ToString());
        await Screenshots.TakeAsync(page, "signin-401");
    }

    [Fact]
    public async Task Sign_in_says_it_is_not_available_yet_when_the_api_answers_404()
    {
        api.AccountsAvailable = false;
        await OpenFormAsync("signin", "Sign in");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync(ApiStandIn.GoodPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(Alert).ToContainTextAsync("Sign-in is not available yet");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Sign_in_lands_in_My_files_and_keeps_the_session_until_sign_out_revokes_it()
    {
        await OpenFormAsync("signin", "Sign in");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync(ApiStandIn.GoodPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(web.Address, "files").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My files");
        await Expect(page.Locator(".account")).ToContainTextAsync("ada");
        Assert.Contains($"Bearer {ApiStandIn.Token}", api.Authorizations);

        await page.GotoAsync("");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Welcome back, ada");
        await Expect(page.Locator(".usage")).ToContainTextAsync("1.5 GB of 10 GB used");
        await Screenshots.TakeAsync(page, "home-signed-in");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).First).ToBeVisibleAsync();
        Assert.Equal(1, api.Count("POST /api/v1/auth/logout"));

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your files, on your own server.");
    }

    [Fact]
    public async Task File_items_in_a_listing_show_their_kind_size_and_processing_status()
    {
        await OpenFormAsync("signin", "Sign in");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync(ApiStandIn.GoodPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var rows = page.Locator("tr.drive-row");
        await Expect(rows.Locator(".item-name")).ToHaveTextAsync(["Albums", "holiday.jpg", "talk.mp4", "notes.txt", "backup.zip", "mystery.bin"]);
        await Expect(rows.Locator(".col-size")).ToHaveTextAsync(["—", "2.3 MB", "700 MB", "1.2 KB", "10.2 MB", "0 bytes"]);
        Assert.Equal(["Folder", "Image", "Video", "Text", "Archive", "File"],
            await rows.Locator(".item-icon").EvaluateAllAsync<string[]>("icons => icons.map(i => i.title)"));
        await Expect(rows.Nth(2).Locator(".pill")).ToHaveTextAsync("Processing");
        await Expect(rows.Nth(3).Locator(".pill")).ToHaveTextAsync("Failed");
        await Expect(rows.Nth(3).Locator(".pill")).ToHaveAttributeAsync("title", ApiStandIn.FailedReason);
        await Expect(rows.Nth(1).Locator(".pill")).ToHaveCountAsync(0);
        await Expect(rows.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Actions for Albums" })).ToBeVisibleAsync();
        await Expect(rows.Nth(1).GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await rows.Nth(1).GetByRole(AriaRole.Button, new() { Name = "Actions for holiday.jpg" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menu).GetByRole(AriaRole.Menuitem)).ToHaveTextAsync(
            [new Regex("^Download"), new Regex("^Details"), new Regex("^Versions"), new Regex("^Rename"), new Regex("^Move to"), new Regex("^Copy to"), new Regex("^Move to trash")]);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Menu)).ToHaveCountAsync(0);
        await Screenshots.TakeAsync(page, "files-file-items");
    }

    [Fact]
    public async Task Sign_in_checks_the_fields_before_asking_the_api()
    {
        await OpenFormAsync("signin", "Sign in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.Locator("#signin-email-messages")).ToHaveTextAsync("Enter your email address.");
        await Expect(page.Locator("#signin-password-messages")).ToHaveTextAsync("Enter your password.");
        await Expect(page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(0, api.Count("POST /api/v1/auth/login"));
    }

    [Fact]
    public async Task Register_validates_username_email_and_password_as_product_md_says_without_calling_the_api()
    {
        await OpenFormAsync("register", "Create account");
        var username = page.GetByLabel("Username");
        var email = page.GetByLabel("Email");
        var password = page.GetByLabel("Password");
        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Create account" });

        await submit.ClickAsync();
        await Expect(page.Locator("#register-username-messages")).ToHaveTextAsync("Choose a username.");
        await Expect(page.Locator("#register-email-messages")).ToHaveTextAsync("Enter your email address.");
        await Expect(page.Locator("#register-password-messages")).ToHaveTextAsync("Choose a password.");

        await username.FillAsync("ab");
        await email.FillAsync("ada.example.com");
        await password.FillAsync("1234567");
        await submit.ClickAsync();
        await Expect(page.Locator("#register-username-messages")).ToHaveTextAsync("A username is 3 to 50 characters long.");
        await Expect(page.Locator("#register-email-messages")).ToHaveTextAsync("Enter a valid email address, like name@example.com.");
        await Expect(page.Locator("#register-password-messages")).ToHaveTextAsync("A password has at least 8 characters.");
        await Screenshots.TakeAsync(page, "register-validation");

        await username.FillAsync("ada lovelace!");
        await submit.ClickAsync();
        await Expect(page.Locator("#register-username-messages")).ToHaveTextAsync("Use only letters, digits, _ and - in a username.");

        await username.FillAsync(new string('a', 51));
        await submit.ClickAsync();
        await Expect(page.Locator("#register-username-messages")).ToHaveTextAsync("A username is 3 to 50 characters long.");

        await username.FillAsync("ada_lovelace-1815");
        await email.FillAsync("ada@example.com");
        await password.FillAsync("12345678");
        await password.PressAsync("Tab");
        await Expect(page.Locator("#register-username-messages")).ToBeEmptyAsync();
        await Expect(page.Locator("#register-email-messages")).ToBeEmptyAsync();
        await Expect(page.Locator("#register-password-messages")).ToBeEmptyAsync();
        Assert.Equal(0, api.Count("POST /api/v1/auth/register"));
    }

    [Fact]
    public async Task Register_sends_a_valid_form_and_shows_the_apis_answer()
    {
        await OpenFormAsync("register", "Create account");
        await page.GetByLabel("Username").FillAsync("ada");
        await page.GetByLabel("Email").FillAsync("ada@example.com");
        await page.GetByLabel("Password").FillAsync(ApiStandIn.GoodPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(Alert).ToContainTextAsync("That username is already taken.");
        Assert.Equal(1, api.Count("POST /api/v1/auth/register"));

        api.AccountsAvailable = false;
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(Alert).ToContainTextAsync("Creating accounts is not available yet");
    }
}
