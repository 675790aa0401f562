using Microsoft.Playwright;

namespace AioStorage.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for every browser test in the <see cref="BrowserCollection"/>: Debian's chromium, driven by
/// Playwright without <c>playwright install</c> (it cannot download browsers on our machines).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        // We run as root, where Chromium's sandbox refuses to start.
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install it with 'apt-get install -y chromium'.");
        }

        Assertions.SetDefaultExpectTimeout(10_000);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// A fresh context per test: no cookies or storage leak from one test into the next. <paramref name="storageState"/>
    /// (Playwright's JSON: cookies and local storage per origin) starts the context with them already there.
    /// </summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, int width = 1280, int height = 860, ColorScheme colorScheme = ColorScheme.Light,
        string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
            StorageState = storageState,
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
