using System.Text.Json;
using AioStorage.Core.Folders;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Messaging;
using AioStorage.Worker.Processing;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Xunit.Abstractions;

namespace AioStorage.Tests.Worker;

/// <summary>
/// The file.upload and video.transcode processors end to end: real RabbitMQ (a virtual host per test), Redis, SQLite
/// and ffmpeg, worker hosts wired like the worker's Program.cs.
/// </summary>
public sealed class MediaProcessingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WorkerEnvironment _env = null!;
    private MediaSamples _samples = null!;

    public async Task InitializeAsync()
    {
        _samples = await MediaSamples.GetAsync();
        _env = await WorkerEnvironment.CreateAsync(output, "media");
    }

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task An_image_becomes_ready_with_upright_thumbnails_and_its_real_type()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        var file = await _env.AddFileAsync("photo", MediaSamples.JpegWithOrientation(6), "application/octet-stream");
        // The api's cached listing page of the folder, as a user's browser left it while the file was processing.
        var listings = worker.Services.GetRequiredService<ListingCache>();
        var query = new NodeListQuery(0, 50);
        Task<Page<NodeRecord>> ListAsync() =>
            listings.GetOrLoadAsync(_env.OwnerId, file.ParentId, query, () => _env.Nodes.ListChildrenAsync(_env.OwnerId, file.ParentId, query, CancellationToken.None));
        Assert.Equal(FileStatus.Processing, Assert.IsType<FileRecord>(Assert.Single((await ListAsync()).Items)).Status);

        await Publish(worker, WorkerEnvironment.UploadedMessage(file));

        var ready = await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        var listed = Assert.IsType<FileRecord>(Assert.Single((await ListAsync()).Items));
        Assert.Equal(FileStatus.Ready, listed.Status);
        Assert.True(listed.Media?.HasThumbnails);
        Assert.Equal("image/jpeg", ready.MimeType);
        Assert.Null(ready.StatusReason);
        Assert.Equal(new MediaInfo("image/jpeg", 100, 200, null, null, null, 90) { HasThumbnails = true }, ready.Media);
        foreach (var size in MediaStore.ThumbnailSizes)
        {
            using var thumbnail = SKBitmap.Decode(_env.Media.ThumbnailPath(file.Sha256, size));
            Assert.True(thumbnail.Height > thumbnail.Width, $"thumb-{size} is {thumbnail.Width}x{thumbnail.Height}");
        }

        Assert.False(await _env.Redis.GetDatabase().KeyExistsAsync(ProcessingProgressStore.RedisKey(file.Id)));
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync("file.upload.dlq"));
    }

    [Fact]
    public async Task A_portrait_video_gets_a_poster_then_hls_and_mp4_and_ends_ready()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        var file = await _env.AddFileAsync("clip.mp4", _samples.PortraitClip, "video/mp4");

        await Publish(worker, WorkerEnvironment.UploadedMessage(file));

        var ready = await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        var media = ready.Media!;
        Assert.Equal(("video/mp4", 360, 640, "h264", "aac"), (media.DetectedMimeType, media.Width, media.Height, media.VideoCodec, media.AudioCodec));
        Assert.Contains(media.Rotation, new int?[] { 90, 270 });
        Assert.InRange(media.DurationSeconds!.Value, 1.9, 2.1);
        Assert.True(media is { HasPoster: true, HasThumbnails: true, HasStream: true, HasMp4: true }, $"{media}");
        Assert.True(File.Exists(_env.Media.PosterPath(file.Sha256)));
        Assert.True(File.Exists(Path.Combine(_env.Media.StreamDirectory(file.Sha256), MediaStore.MasterPlaylistName)));
        Assert.True(File.Exists(_env.Media.Mp4Path(file.Sha256)));
        Assert.False(await _env.Redis.GetDatabase().KeyExistsAsync(ProcessingProgressStore.RedisKey(file.Id)));
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync("file.upload.dlq"));
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync("video.transcode.dlq"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_env.Media.WorkRoot));
    }

    [Fact]
    public async Task A_corrupt_video_ends_failed_in_the_dead_letter_queue_and_the_original_stays_untouched()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        using var metrics = new MessagingMetricsCapture(worker.Services);
        var original = await File.ReadAllBytesAsync(_samples.CorruptClip);
        var file = await _env.AddFileAsync("holiday.mp4", original, "video/mp4");

        await Publish(worker, WorkerEnvironment.UploadedMessage(file));

        var failed = await _env.WaitForStatusAsync(file.Id, FileStatus.Failed);
        Assert.StartsWith("The video could not be read: ", failed.StatusReason);
        Assert.Contains("Invalid data found", failed.StatusReason);
        Assert.DoesNotContain(_env.Root, failed.StatusReason);
        Assert.Equal("video/mp4", failed.MimeType);

        await MessagingTestHost.WaitUntilAsync(async () => await _env.VirtualHost.MessageCountAsync("file.upload.dlq") == 1, "the dead letter");
        var deadLetter = (await _env.VirtualHost.GetAsync("file.upload.dlq"))!;
        var headers = deadLetter.BasicProperties.Headers!;
        Assert.Equal("rejected", MessageHeaders.GetString(headers, MessageHeaders.DeadLetterReason));
        Assert.Equal(failed.StatusReason, MessageHeaders.GetString(headers, MessageHeaders.ExceptionMessage));
        Assert.Equal(file.Id, JsonDocument.Parse(deadLetter.Body).RootElement.GetProperty("fileId").GetString());
        await MessagingTestHost.WaitUntilAsync(() => metrics.Sum("aio.messaging.messages.dead_lettered", QueueNames.FileUpload) == 1, "the dead letter to be counted");
        Assert.Equal(0, metrics.Sum("aio.messaging.messages.retried", QueueNames.FileUpload));

        // The content is still there, byte for byte, and nothing was made from it.
        Assert.True(_env.Blobs.Exists(file.Sha256));
        Assert.Equal(original, await File.ReadAllBytesAsync(_env.Blobs.PathFor(file.Sha256)));
        Assert.False(Directory.Exists(_env.Media.DirectoryFor(file.Sha256)));
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync(QueueNames.VideoTranscode));
    }

    [Fact]
    public async Task Damaged_stored_content_fails_with_a_reason()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        var file = await _env.AddFileAsync("notes.txt", "the original text"u8.ToArray(), "text/plain");
        await File.WriteAllTextAsync(_env.Blobs.PathFor(file.Sha256), "bit rot happened");

        await Publish(worker, WorkerEnvironment.UploadedMessage(file));

        var failed = await _env.WaitForStatusAsync(file.Id, FileStatus.Failed);
        Assert.StartsWith("The stored content is damaged", failed.StatusReason);
        await MessagingTestHost.WaitUntilAsync(async () => await _env.VirtualHost.MessageCountAsync("file.upload.dlq") == 1, "the dead letter");

        // Once an operator has restored the content from a backup, sending the dead letter again finishes the job.
        await File.WriteAllTextAsync(_env.Blobs.PathFor(file.Sha256), "the original text");
        await Publish(worker, WorkerEnvironment.UploadedMessage(file));
        var ready = await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        Assert.Null(ready.StatusReason);
        Assert.Equal("text/plain", ready.MimeType);
    }

    [Fact]
    public async Task A_message_for_content_the_file_no_longer_has_is_acknowledged_without_work()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        using var metrics = new MessagingMetricsCapture(worker.Services);
        var file = await _env.AddFileAsync("a.png", MediaSamples.PngWithAlpha(64, 64), "image/png");
        var stale = WorkerEnvironment.UploadedMessage(file) with { Sha256 = new string('e', 64) };

        await Publish(worker, stale);

        await MessagingTestHost.WaitUntilAsync(() => metrics.Sum("aio.messaging.messages.processed", QueueNames.FileUpload) == 1, "the ack");
        Assert.Equal(FileStatus.Processing, (await _env.GetAsync(file.Id)).Status);
        Assert.False(Directory.Exists(_env.Media.DirectoryFor(file.Sha256)));
        Assert.False(Directory.Exists(_env.Media.DirectoryFor(stale.Sha256)));
    }

    [Fact]
    public async Task Text_and_other_files_become_ready_with_their_detected_type()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        var text = await _env.AddFileAsync("data.csv", "a,b\n1,2\n"u8.ToArray(), "text/csv");
        var pdf = await _env.AddFileAsync("doc", "%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n"u8.ToArray(), "application/octet-stream");

        await Publish(worker, WorkerEnvironment.UploadedMessage(text));
        await Publish(worker, WorkerEnvironment.UploadedMessage(pdf));

        Assert.Equal("text/csv", (await _env.WaitForStatusAsync(text.Id, FileStatus.Ready)).MimeType);
        var readyPdf = await _env.WaitForStatusAsync(pdf.Id, FileStatus.Ready);
        Assert.Equal("application/pdf", readyPdf.MimeType);
        Assert.Equal(new MediaInfo("application/pdf", null, null, null, null, null, null), readyPdf.Media);
    }

    [Fact]
    public async Task An_audio_file_is_probed_and_ready_without_a_transcode()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        var file = await _env.AddFileAsync("tone", _samples.AudioClip, "application/octet-stream");

        await Publish(worker, WorkerEnvironment.UploadedMessage(file));

        var ready = await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        Assert.Equal("audio/mpeg", ready.MimeType);
        var media = ready.Media!;
        Assert.Equal(("audio/mpeg", "mp3", (string?)null, (int?)null), (media.DetectedMimeType, media.AudioCodec, media.VideoCodec, media.Width));
        Assert.InRange(media.DurationSeconds!.Value, 0.9, 1.2);
        Assert.False(media.HasStream || media.HasMp4 || media.HasPoster);
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync(QueueNames.VideoTranscode));
    }

    [Fact]
    public async Task An_image_too_large_to_preview_is_ready_without_thumbnails_and_says_why()
    {
        using var worker = await _env.StartWorkerAsync("worker");
        var file = await _env.AddFileAsync("scan.png", MediaSamples.PngHeaderOnly(20_000, 10_000), "image/png");

        await Publish(worker, WorkerEnvironment.UploadedMessage(file));

        var ready = await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        Assert.Contains("20000x10000", ready.StatusReason);
        Assert.Equal(new MediaInfo("image/png", 20_000, 10_000, null, null, null, 0), ready.Media);
        Assert.False(File.Exists(_env.Media.ThumbnailPath(file.Sha256, 128)));
    }

    private static Task Publish<T>(Microsoft.Extensions.Hosting.IHost host, T message) where T : notnull =>
        host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(
            message is FileUploaded ? QueueNames.FileUpload : QueueNames.VideoTranscode, message);
}
