using System.Text;
using System.Text.Json;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Api;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AioStorage.Tests.Web;

/// <summary>
/// Thumbnails, the image preview and the video player in a real Chromium against the real api, serving products made
/// by the real ffmpeg (<see cref="MediaProducts"/>) and recorded the way the worker records them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MediaPreviewTests(BrowserFixture browser, LiveDrive drive, MediaProducts products)
    : LiveDrivePageTest(browser, drive), IClassFixture<LiveDrive>, IClassFixture<MediaProducts>
{
    private ILocator Row(string name) => Page.Locator("tr.drive-row").Filter(new()
    {
        Has = Page.Locator(".item-name").GetByText(name, new() { Exact = true }),
    });

    private ILocator Dialog => Page.Locator("dialog[open]");

    private ILocator Player => Dialog.Locator("video");

    private async Task ChooseAsync(string name, string action)
    {
        await Row(name).GetByRole(AriaRole.Button, new() { Name = $"Actions for {name}" }).ClickAsync();
        await Page.GetByRole(AriaRole.Menuitem, new() { Name = action }).ClickAsync();
        await Expect(Dialog).ToBeVisibleAsync();
    }

    private Task PublishAsync(JsonElement file, MediaInfo? media, FileStatus status = FileStatus.Ready, string? reason = null)
        => products.PublishAsync(Drive.Api, file.GetProperty("id").GetString()!, file.GetProperty("sha256").GetString()!, media, status, reason);

    private Task ReportProgressAsync(JsonElement file, string stage, double percent)
        => Drive.Api.Services.GetRequiredService<ProcessingProgressStore>().SetAsync(file.GetProperty("id").GetString()!,
            new ProcessingProgress(file.GetProperty("sha256").GetString()!, stage, percent, Drive.Api.Time.GetUtcNow()));

    private static byte[] Unique(string text) => Encoding.UTF8.GetBytes($"{text} {Guid.NewGuid():N}");

    [Fact]
    public async Task The_listing_shows_thumbnails_and_an_image_opens_in_its_large_preview()
    {
        var account = await SignedInAsync();
        var still = await account.UploadAsync("still.png", await File.ReadAllBytesAsync(products.ImagePath));
        await PublishAsync(still, MediaProducts.ImageInfo());
        var lost = await account.UploadAsync("lost.jpg", Unique("a picture whose thumbnails went missing"));
        await PublishAsync(lost, MediaProducts.ImageInfo());
        File.Delete(Drive.Api.Services.GetRequiredService<MediaStore>().ThumbnailPath(lost.GetProperty("sha256").GetString()!, MediaStore.DefaultThumbnailSize));
        await account.UploadAsync("notes.txt", Unique("plain words"));
        await Page.GotoAsync("files");

        var thumbnail = Row("still.png").Locator("img.item-thumb");
        await Expect(thumbnail).ToBeVisibleAsync();
        await Expect(thumbnail).ToHaveJSPropertyAsync("complete", true);
        Assert.Equal(512, await thumbnail.EvaluateAsync<int>("img => img.naturalWidth"));
        Assert.StartsWith(Drive.Api.Address.AbsoluteUri, await thumbnail.GetAttributeAsync("src"));
        // A thumbnail that does not load leaves the file's icon; a file without one has only the icon.
        await Expect(Row("lost.jpg").Locator("img.item-thumb")).ToBeHiddenAsync();
        await Expect(Row("lost.jpg").Locator(".item-icon svg")).ToBeVisibleAsync();
        await Expect(Row("notes.txt").Locator("img")).ToHaveCountAsync(0);
        await Screenshots.TakeAsync(Page, "media-thumbnails");

        // Enter on an image opens its preview (other files still download), at the 1024 px size.
        await Row("still.png").Locator("[data-row-focus]").FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Dialog.GetByRole(AriaRole.Heading, new() { Name = "still.png" })).ToBeVisibleAsync();
        var large = Dialog.GetByTestId("media-image");
        await Expect(large).ToHaveJSPropertyAsync("complete", true);
        Assert.Equal(1024, await large.EvaluateAsync<int>("img => img.naturalWidth"));
        await Expect(Dialog.GetByTestId("media-summary")).ToHaveTextAsync("320 × 240");
        await Expect(Dialog.GetByRole(AriaRole.Button, new() { Name = "Download original" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(Page, "media-image-preview");
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Dialog).ToHaveCountAsync(0);
        await Expect(Row("still.png").Locator("[data-row-focus]")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task A_video_plays_its_hls_stream_through_hls_js_in_chromium()
    {
        var account = await SignedInAsync();
        var clip = await account.UploadAsync("clip.mp4", await File.ReadAllBytesAsync(products.SourcePath));
        await PublishAsync(clip, MediaProducts.VideoInfo());
        await Page.GotoAsync("files");
        await Expect(Row("clip.mp4").Locator("img.item-thumb")).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await Row("clip.mp4").Locator("img.item-thumb").EvaluateAsync<int>("img => img.naturalWidth") > 0);

        await ChooseAsync("clip.mp4", "Play");
        await Expect(Player).ToBeVisibleAsync();
        await Expect(Dialog.GetByTestId("media-summary")).ToHaveTextAsync("0:02 · 320 × 240 · H264 / AAC");
        // The poster is the signed poster link; hls.js plays through MediaSource, so the element's source is a blob.
        Assert.Contains("/poster?", await Player.GetAttributeAsync("poster"));
        await Expect(Player).ToHaveJSPropertyAsync("readyState", 4, new() { Timeout = 15_000 });
        Assert.StartsWith("blob:", await Player.EvaluateAsync<string>("v => v.currentSrc"));
        await Player.EvaluateAsync("v => { v.muted = true; return v.play(); }");
        await Page.WaitForFunctionAsync("() => document.querySelector('dialog[open] video').currentTime > 0.5", null, new() { Timeout = 15_000 });
        Assert.Equal(320, await Player.EvaluateAsync<int>("v => v.videoWidth"));
        await Expect(Dialog.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Screenshots.TakeAsync(Page, "media-player");
    }

    [Fact]
    public async Task A_video_with_only_the_mp4_fallback_plays_the_mp4()
    {
        var account = await Drive.RegisterAsync();
        Page = await Drive.SignedInPageAsync(Browser, account, width: 420, height: 860, colorScheme: ColorScheme.Dark);
        var clip = await account.UploadAsync("phone.mp4", Unique("a clip whose stream failed but whose mp4 did not"));
        await PublishAsync(clip, MediaProducts.VideoInfo(stream: false));
        await Page.GotoAsync("files");

        await ChooseAsync("phone.mp4", "Play");
        await Expect(Player).ToHaveJSPropertyAsync("readyState", 4, new() { Timeout = 15_000 });
        Assert.Contains("/stream/video.mp4?v=", await Player.EvaluateAsync<string>("v => v.currentSrc"));
        await Player.EvaluateAsync("v => { v.muted = true; return v.play(); }");
        await Page.WaitForFunctionAsync("() => document.querySelector('dialog[open] video').currentTime > 0.5", null, new() { Timeout = 15_000 });
        await Screenshots.TakeAsync(Page, "media-player-mp4-phone-dark");
    }

    [Fact]
    public async Task A_video_being_transcoded_shows_its_progress_and_plays_when_ready()
    {
        var account = await SignedInAsync();
        var film = await account.UploadAsync("film.mp4", Unique("a film the worker is transcoding"));
        await ReportProgressAsync(film, "transcoding", 42.5);
        await Page.GotoAsync("files");

        await ChooseAsync("film.mp4", "Details");
        await Expect(Dialog.Locator("[data-fact=status] .details-note")).ToHaveTextAsync("Transcoding for playback: 42% done. It can be downloaded meanwhile.");
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Dialog).ToHaveCountAsync(0);

        await ChooseAsync("film.mp4", "Play");
        await Expect(Dialog.GetByRole(AriaRole.Heading, new() { Name = "Preparing the video for playback" })).ToBeVisibleAsync();
        await Expect(Dialog.GetByTestId("processing-text")).ToHaveTextAsync("Transcoding… 42%");
        await Expect(Dialog.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "42");
        await Screenshots.TakeAsync(Page, "media-transcoding");

        // The dialog reads the file again on its own while the worker goes on.
        await ReportProgressAsync(film, "transcoding", 87);
        await Expect(Dialog.GetByTestId("processing-text")).ToHaveTextAsync("Transcoding… 87%");

        await PublishAsync(film, MediaProducts.VideoInfo());
        await Drive.Api.Services.GetRequiredService<ProcessingProgressStore>().ClearAsync(film.GetProperty("id").GetString()!);
        await Expect(Player).ToBeVisibleAsync();
        await Expect(Player).ToHaveJSPropertyAsync("readyState", 4, new() { Timeout = 15_000 });
        await Expect(Dialog.GetByTestId("media-state")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_video_that_fails_while_waiting_says_why()
    {
        var account = await SignedInAsync();
        var broken = await account.UploadAsync("broken.mp4", Unique("not a video at all"));
        await Page.GotoAsync("files");

        await ChooseAsync("broken.mp4", "Play");
        await Expect(Dialog.GetByTestId("processing-text")).ToHaveTextAsync("Waiting for the server to start on it…");

        await PublishAsync(broken, null, FileStatus.Failed, "ffprobe found no audio or video stream.");
        await Expect(Dialog.GetByRole(AriaRole.Heading, new() { Name = "This video cannot be played here" })).ToBeVisibleAsync();
        await Expect(Dialog.GetByTestId("media-reason")).ToHaveTextAsync("ffprobe found no audio or video stream.");
        await Screenshots.TakeAsync(Page, "media-failed");
        await Page.Keyboard.PressAsync("Escape");

        // Failed, with nothing made from it: no Play in its menu, and the badge keeps the reason.
        await Expect(Row("broken.mp4").Locator(".pill")).ToHaveTextAsync("Failed", new() { Timeout = 20_000 });
        await Row("broken.mp4").GetByRole(AriaRole.Button, new() { Name = "Actions for broken.mp4" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Menuitem, new() { Name = "Play" })).ToHaveCountAsync(0);
    }
}
