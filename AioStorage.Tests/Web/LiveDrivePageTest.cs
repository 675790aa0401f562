using AioStorage.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AioStorage.Tests.Web;

/// <summary>
/// A browser test class against the real api and web of a <see cref="LiveDrive"/>: one page per test, opened signed
/// in as a fresh user, checked for a live Blazor circuit and closed afterwards.
/// </summary>
public abstract class LiveDrivePageTest(BrowserFixture browser, LiveDrive drive) : IAsyncLifetime
{
    private IPage? page;

    protected BrowserFixture Browser { get; } = browser;

    protected LiveDrive Drive { get; } = drive;

    protected IPage Page
    {
        get => page ?? throw new InvalidOperationException("No page yet.");
        set => page = value;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        if (page is not null)
        {
            await Circuit.ExpectAliveAsync(page);
            await page.Context.CloseAsync();
        }
    }

    protected virtual async Task<LiveAccount> SignedInAsync()
    {
        var account = await Drive.RegisterAsync();
        Page = await Drive.SignedInPageAsync(Browser, account);
        return account;
    }
}
