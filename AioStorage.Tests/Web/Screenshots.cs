using Microsoft.Playwright;

namespace AioStorage.Tests.Web;

/// <summary>Full-page screenshots for people to look at; the assertions are in the tests.</summary>
internal static class Screenshots
{
    public const string Folder = "/tmp/web-shots";

    public static async Task TakeAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, $"{name}.png"), FullPage = true });
    }
}
