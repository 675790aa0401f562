using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

internal static class Circuit
{
    /// <summary>
    /// Fails when the page's Blazor circuit died along the way (its error bar shows): a dead circuit leaves the last
    /// render on screen, so a test could otherwise pass on a page that no longer works.
    /// </summary>
    public static Task ExpectAliveAsync(IPage page) =>
        Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync(new() { Timeout = 1000 });
}
