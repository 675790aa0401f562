using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>An api with a 1 MiB quota per user and resumable uploads of at most 3 MiB.</summary>
public sealed class SmallQuotaDrive() : LiveDrive(new Dictionary<string, string?>
{
    ["DEFAULT_STORAGE_QUOTA"] = Quota.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["UPLOAD_MAX_SIZE"] = MaxUpload.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const long Quota = 1024 * 1024;
    public const long MaxUpload = 3 * 1024 * 1024;
}

/// <summary>Uploads the api refuses up front: each says why in its row of the tray, and nothing is kept or counted.</summary>
[Collection(BrowserCollection.Name)]
public sealed class UploadLimitTests(BrowserFixture browser, SmallQuotaDrive drive) : IClassFixture<SmallQuotaDrive>, IAsyncLifetime
{
    private readonly UploadFiles files = new();
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

        files.Dispose();
    }

    private ILocator Tray => Page.GetByTestId("upload-tray");

    private ILocator Upload(string name) => Tray.Locator("li.upload[data-upload-id]").Filter(new() { Has = Page.Locator(".upload-name").GetByText(name, new() { Exact = true }) });

    private async Task ChooseFilesAsync(params string[] paths)
    {
        var chooser = await Page.RunAndWaitForFileChooserAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).First.ClickAsync());
        await chooser.SetFilesAsync(paths);
    }

    [Fact]
    public async Task Uploads_over_the_quota_or_the_size_limit_show_the_apis_detail_and_keep_nothing()
    {
        var account = await drive.RegisterAsync();
        page = await drive.SignedInPageAsync(browser, account);
        await Page.GotoAsync("files");
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("0 bytes of 1 MB used");
        var small = files.Create("small.txt", UploadFiles.Random(100 * 1024, seed: 7));
        var large = files.Create("large.bin", UploadFiles.Random(2 * 1024 * 1024, seed: 8));
        var huge = files.Create("huge.bin", UploadFiles.Random(4 * 1024 * 1024, seed: 9));

        await ChooseFilesAsync(small.Path);
        await Expect(Upload("small.txt").GetByTestId("upload-status")).ToHaveTextAsync("Uploaded · 100 KB", new() { Timeout = 30_000 });
        await ChooseFilesAsync(large.Path, huge.Path);

        await Expect(Tray.Locator("#upload-tray-title")).ToHaveTextAsync("1 uploaded, 2 failed", new() { Timeout = 30_000 });
        var leftKiB = (SmallQuotaDrive.Quota - small.Bytes.Length) / 1024;
        await Expect(Upload("large.bin").GetByTestId("upload-status")).ToHaveTextAsync("Not enough storage");
        await Expect(Upload("large.bin").GetByTestId("upload-error")).ToContainTextAsync(
            $"This needs 2 MiB but only {leftKiB} KiB of your quota are left.");
        await Expect(Upload("large.bin").GetByRole(AriaRole.Link, new() { Name = "Empty the trash" })).ToHaveAttributeAsync("href", "trash");
        await Expect(Upload("large.bin").GetByRole(AriaRole.Button, new() { Name = "Retry large.bin" })).ToBeVisibleAsync();
        await Expect(Upload("huge.bin").GetByTestId("upload-status")).ToHaveTextAsync("Too large");
        await Expect(Upload("huge.bin").GetByTestId("upload-error")).ToHaveTextAsync(
            $"An upload can be at most {SmallQuotaDrive.MaxUpload} bytes (Tus-Max-Size).");
        await Expect(Page.Locator("tr.drive-row .item-name")).ToHaveTextAsync(["small.txt"]);
        await Expect(Page.GetByTestId("storage-text")).ToHaveTextAsync("100 KB of 1 MB used");
        await Screenshots.TakeAsync(Page, "upload-quota");
        Assert.Equal(["small.txt"], await account.NamesInAsync("root"));
        Assert.Equal(small.Bytes.Length, (await account.MeAsync()).GetProperty("storageUsed").GetInt64());

        // Removing a refused upload leaves nothing behind: there was never anything on the api to delete.
        await Upload("huge.bin").GetByRole(AriaRole.Button, new() { Name = "Remove huge.bin" }).ClickAsync();
        await Expect(Upload("huge.bin")).ToHaveCountAsync(0);
        await Expect(Tray.Locator("#upload-tray-title")).ToHaveTextAsync("1 uploaded, 1 failed");

        // On a phone, in the dark, the tray stays on screen and out of the way of the messages.
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await Page.SetViewportSizeAsync(390, 844);
        var tray = await Tray.BoundingBoxAsync();
        Assert.NotNull(tray);
        Assert.InRange(tray.X, 0, 390 - tray.Width);
        Assert.InRange(tray.Y + tray.Height, 0, 844);
        await Screenshots.TakeAsync(Page, "upload-narrow-dark");
    }
}
