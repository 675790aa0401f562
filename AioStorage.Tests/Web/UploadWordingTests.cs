using AioStorage.Web.Api;
using AioStorage.Web.Components.Uploads;
using AioStorage.Web.Uploads;
using Microsoft.Extensions.Configuration;

namespace AioStorage.Tests.Web;

/// <summary>The pure rules behind the upload tray and download links: what a line says, where a link points.</summary>
public sealed class UploadWordingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 5, 14, 0, 0, TimeSpan.Zero);

    private static UploadItem Item(UploadState state, long sent = 0, long size = 3 * 1024 * 1024, double speed = 0, UploadProblem? problem = null,
        DateTimeOffset? retryAt = null, bool resuming = false) => new()
        {
            Id = "u1",
            Name = "big.bin",
            Size = size,
            Sent = sent,
            State = state,
            BytesPerSecond = speed,
            Problem = problem,
            RetryAt = retryAt,
            Resuming = resuming,
        };

    [Theory]
    [InlineData(0.2, "1 s")]
    [InlineData(8.1, "9 s")]
    [InlineData(59, "59 s")]
    [InlineData(61, "2 min")]
    [InlineData(3599, "60 min")]
    [InlineData(3900, "1 h 5 min")]
    [InlineData(90000, "25 h 0 min")]
    public void Durations_are_rounded_up_the_way_people_say_them(double seconds, string text) =>
        Assert.Equal(text, UploadText.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Each_state_says_what_the_upload_is_doing()
    {
        Assert.Equal("Waiting…", UploadText.Status(Item(UploadState.Queued), Now));
        Assert.Equal("Waiting · 1 MB of 3 MB (33%)", UploadText.Status(Item(UploadState.Queued, sent: 1024 * 1024), Now));
        Assert.Equal("1 MB of 3 MB (33%) · 512 KB/s · 4 s left", UploadText.Status(Item(UploadState.Uploading, sent: 1024 * 1024, speed: 512 * 1024), Now));
        Assert.Equal("0 bytes of 3 MB (0%)", UploadText.Status(Item(UploadState.Uploading), Now));
        Assert.Equal("Connection trouble, trying again in 4 s · 1 MB of 3 MB (33%)",
            UploadText.Status(Item(UploadState.Retrying, sent: 1024 * 1024, retryAt: Now.AddSeconds(4)), Now));
        Assert.Equal("Connection trouble, trying again now · 0 bytes of 3 MB (0%)", UploadText.Status(Item(UploadState.Retrying, retryAt: Now), Now));
        Assert.Equal("Paused · 2 MB of 3 MB (66%)", UploadText.Status(Item(UploadState.Paused, sent: 2 * 1024 * 1024), Now));
        Assert.Equal("Uploaded · 3 MB", UploadText.Status(Item(UploadState.Completed, sent: 3 * 1024 * 1024), Now));
        Assert.Equal("Uploaded · 3 MB (resumed)", UploadText.Status(Item(UploadState.Completed, resuming: true), Now));
        Assert.Equal("Canceled", UploadText.Status(Item(UploadState.Canceled), Now));
    }

    [Theory]
    [InlineData(507, "Insufficient storage", "Not enough storage")]
    [InlineData(413, "Payload too large", "Too large")]
    [InlineData(409, "Conflict", "Name already taken")]
    [InlineData(404, "Not found", "Not found")]
    [InlineData(401, "Unauthorized", "Signed out")]
    [InlineData(0, null, "Connection lost")]
    [InlineData(415, "Unsupported media type", "Unsupported media type")]
    [InlineData(400, null, "Upload failed")]
    public void A_failure_is_headed_by_what_it_means_for_the_person(int status, string? title, string heading) =>
        Assert.Equal(heading, UploadText.Status(Item(UploadState.Failed, problem: new UploadProblem(status, title, "detail")), Now));

    [Fact]
    public void Whole_percent_is_rounded_down_so_100_means_every_byte()
    {
        Assert.Equal(99, Item(UploadState.Uploading, sent: 999, size: 1000).Percent);
        Assert.Equal(100, Item(UploadState.Completed, sent: 0, size: 0).Percent);
        Assert.Equal(0, Item(UploadState.Uploading, sent: 0, size: 0).Percent);
        Assert.Null(Item(UploadState.Uploading, sent: 10, speed: 0).Remaining);
        Assert.Null(Item(UploadState.Paused, sent: 10, speed: 100).Remaining);
        Assert.Equal(TimeSpan.FromSeconds(2), Item(UploadState.Uploading, sent: 800, size: 1000, speed: 100).Remaining);
    }

    [Fact]
    public void The_tray_title_and_summary_add_the_batch_up()
    {
        UploadItem[] running = [Item(UploadState.Uploading, sent: 1024 * 1024, speed: 1024 * 1024), Item(UploadState.Queued), Item(UploadState.Completed)];
        Assert.Equal("Uploading 2 files", UploadText.Title(running));
        Assert.Equal("1 MB of 6 MB (16%) · 5 s left", UploadText.Summary(running));

        Assert.Equal("1 file paused", UploadText.Title([Item(UploadState.Paused), Item(UploadState.Failed)]));
        Assert.Equal("1 upload complete", UploadText.Title([Item(UploadState.Completed), Item(UploadState.Canceled)]));
        Assert.Equal("2 uploads complete", UploadText.Title([Item(UploadState.Completed), Item(UploadState.Completed)]));
        Assert.Equal("1 upload failed", UploadText.Title([Item(UploadState.Failed)]));
        Assert.Equal("2 uploaded, 1 failed", UploadText.Title([Item(UploadState.Completed), Item(UploadState.Completed), Item(UploadState.Failed)]));
        Assert.Equal("Uploads", UploadText.Title([]));
        Assert.Null(UploadText.Summary([Item(UploadState.Completed)]));
    }

    [Theory]
    [InlineData("http://localhost:4000", "/api/v1/files/f1/download?sig=x", "http://localhost:4000/api/v1/files/f1/download?sig=x")]
    [InlineData("https://drive.example.com/storage/", "/api/v1/files/f1/download?sig=x", "https://drive.example.com/storage/api/v1/files/f1/download?sig=x")]
    [InlineData("https://drive.example.com/storage", "api/v1/files/f1/download", "https://drive.example.com/storage/api/v1/files/f1/download")]
    [InlineData("http://localhost:4000", "https://cdn.example.com/f1?sig=x", "https://cdn.example.com/f1?sig=x")]
    public void Download_links_from_the_api_are_put_under_its_public_address(string publicAddress, string link, string expected)
    {
        var endpoints = new ApiEndpoints(new Uri("http://api"), new Uri(publicAddress));
        Assert.Equal(expected, endpoints.ForBrowser(link).AbsoluteUri);
    }

    [Theory]
    [InlineData(null, UploadOptions.DefaultChunkSize)]
    [InlineData("1048576", 1048576)]
    [InlineData(" 65536 ", 65536)]
    public void The_chunk_size_is_read_from_UPLOAD_CHUNK_SIZE(string? value, int expected) =>
        Assert.Equal(expected, UploadOptions.From(Settings(value)).ChunkSize);

    [Theory]
    [InlineData("8MB")]
    [InlineData("1000")]
    [InlineData("-1")]
    [InlineData("999999999999")]
    public void A_chunk_size_that_makes_no_sense_stops_the_web_from_starting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => UploadOptions.From(Settings(value)));
        Assert.Contains("UPLOAD_CHUNK_SIZE", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Settings(string? chunkSize) =>
        new ConfigurationBuilder().AddInMemoryCollection([new(UploadOptions.ChunkSizeKey, chunkSize)]).Build();
}
