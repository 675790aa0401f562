using System.Text.Json;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Messaging;
using AioStorage.Worker.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SkiaSharp;
using Xunit.Abstractions;

namespace AioStorage.Tests.Worker;

/// <summary>Redeliveries, a worker stopped mid-transcode, competing workers, and the worker's metrics.</summary>
public sealed class WorkerReliabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WorkerEnvironment _env = null!;
    private MediaSamples _samples = null!;

    public async Task InitializeAsync()
    {
        _samples = await MediaSamples.GetAsync();
        _env = await WorkerEnvironment.CreateAsync(output, "media-reliability");
    }

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task The_same_messages_handled_twice_make_each_product_once_and_count_once()
    {
        using var host = await _env.StartWorkerAsync("direct", consume: false);
        using var metrics = new WorkerMetricsCapture(host.Services);
        var image = await _env.AddFileAsync("photo.png", MediaSamples.PngWithAlpha(300, 200), "image/png");
        var video = await _env.AddFileAsync("clip.mp4", _samples.PortraitClip, "video/mp4");

        await HandleAsync(host, WorkerEnvironment.UploadedMessage(image), "upload-1", redelivered: false);
        var thumbnail = new FileInfo(_env.Media.ThumbnailPath(image.Sha256, 512));
        var thumbnailWritten = thumbnail.LastWriteTimeUtc;
        await HandleAsync(host, WorkerEnvironment.UploadedMessage(image), "upload-1", redelivered: true);

        Assert.Equal(FileStatus.Ready, (await _env.GetAsync(image.Id)).Status);
        Assert.Equal(thumbnailWritten, new FileInfo(thumbnail.FullName).LastWriteTimeUtc);

        await HandleAsync(host, WorkerEnvironment.UploadedMessage(video), "upload-2", redelivered: false);
        Assert.Equal(FileStatus.Processing, (await _env.GetAsync(video.Id)).Status);
        var queued = (await _env.VirtualHost.GetAsync(QueueNames.VideoTranscode))!;
        Assert.Equal($"transcode:{video.Id}:{video.Sha256}", queued.BasicProperties.MessageId);
        var request = JsonSerializer.Deserialize<VideoTranscodeRequested>(queued.Body.Span, MessageSerializer.Options)!;
        Assert.Equal((video.Id, video.Sha256, video.OwnerId), (request.FileId, request.Sha256, request.OwnerId));
        var progress = await host.Services.GetRequiredService<ProcessingProgressStore>().GetAsync(video.Id, video.Sha256);
        Assert.Equal((VideoTranscodeHandler.Stage, 0.0), (progress!.Stage, progress.Percent));

        await HandleAsync(host, request, queued.BasicProperties.MessageId!, redelivered: false);
        var mp4 = new FileInfo(_env.Media.Mp4Path(video.Sha256));
        var mp4Written = mp4.LastWriteTimeUtc;
        await HandleAsync(host, request, queued.BasicProperties.MessageId!, redelivered: true);

        Assert.Equal(mp4Written, new FileInfo(mp4.FullName).LastWriteTimeUtc);
        var ready = await _env.GetAsync(video.Id);
        Assert.Equal(FileStatus.Ready, ready.Status);
        Assert.True(ready.Media is { HasStream: true, HasMp4: true, HasPoster: true });
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync(QueueNames.VideoTranscode));

        const string jobs = "aio.worker.media.jobs";
        Assert.Equal(1, metrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload"), (MediaWorkerMetrics.OutcomeTag, "ready")));
        Assert.Equal(1, metrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload"), (MediaWorkerMetrics.OutcomeTag, "transcode_queued")));
        Assert.Equal(1, metrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload"), (MediaWorkerMetrics.OutcomeTag, "skipped")));
        Assert.Equal(1, metrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "transcode"), (MediaWorkerMetrics.OutcomeTag, "ready")));
        Assert.Equal(1, metrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "transcode"), (MediaWorkerMetrics.OutcomeTag, "skipped")));
        Assert.Equal(1, metrics.Count("aio.worker.transcode.duration"));
        Assert.InRange(metrics.Last("aio.worker.transcode.duration")!.Value, 0.01, 30);
    }

    [Fact]
    public async Task A_transcode_stopped_mid_way_is_redone_cleanly_and_leaves_nothing_behind()
    {
        // The first worker encodes slowly (veryslow preset on an 8 s clip), so it is surely stopped mid-way.
        using var slow = await _env.StartWorkerAsync("slow", consume: false, settings: s => s["Worker:VideoPreset"] = "veryslow");
        var file = await _env.AddFileAsync("long.mp4", _samples.LongClip, "video/mp4");
        await HandleAsync(slow, WorkerEnvironment.UploadedMessage(file), "upload", redelivered: false);
        var request = JsonSerializer.Deserialize<VideoTranscodeRequested>(
            (await _env.VirtualHost.GetAsync(QueueNames.VideoTranscode))!.Body.Span, MessageSerializer.Options)!;

        using var stop = new CancellationTokenSource();
        var running = HandleAsync(slow, request, "transcode", redelivered: false, stop.Token);
        var progress = slow.Services.GetRequiredService<ProcessingProgressStore>();
        await MessagingTestHost.WaitUntilAsync(async () => running.IsCompleted || (await progress.GetAsync(file.Id, file.Sha256))?.Percent > 0,
            "ffmpeg to report progress", TimeSpan.FromSeconds(20));
        Assert.False(running.IsCompleted, "the transcode finished before it could be stopped");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.False(Directory.Exists(_env.Media.StreamDirectory(file.Sha256)));
        Assert.False(File.Exists(_env.Media.Mp4Path(file.Sha256)));
        Assert.Empty(WorkFolders());
        Assert.Equal(FileStatus.Processing, (await _env.GetAsync(file.Id)).Status);

        // What a worker killed outright (no chance to clean up) leaves behind: one hours ago, one just now.
        var abandoned = Directory.CreateDirectory(Path.Combine(_env.Media.WorkRoot, "transcode-abandoned"));
        await File.WriteAllTextAsync(Path.Combine(abandoned.FullName, "half.ts"), "partial");
        Directory.SetLastWriteTimeUtc(abandoned.FullName, DateTime.UtcNow - TimeSpan.FromHours(7));
        Directory.CreateDirectory(Path.Combine(_env.Media.WorkRoot, "transcode-recent"));

        using var next = await _env.StartWorkerAsync("next", consume: false);
        await HandleAsync(next, request, "transcode", redelivered: true);

        var ready = await _env.GetAsync(file.Id);
        Assert.Equal(FileStatus.Ready, ready.Status);
        var stream = _env.Media.StreamDirectory(file.Sha256);
        Assert.Equal(["360p", "master.m3u8"], Directory.EnumerateFileSystemEntries(stream).Select(Path.GetFileName).Order());
        var rendition = Directory.EnumerateFiles(Path.Combine(stream, "360p")).Select(p => Path.GetFileName(p)!).Order().ToList();
        Assert.Equal("index.m3u8", rendition[0]);
        Assert.True(rendition.Count >= 3, string.Join(", ", rendition));
        Assert.All(rendition.Skip(1), name => Assert.Matches(@"^segment-\d{5}\.ts$", name));
        Assert.Equal(["hls", "poster.jpg", "thumb-1024.webp", "thumb-128.webp", "thumb-512.webp", "video.mp4"],
            Directory.EnumerateFileSystemEntries(_env.Media.DirectoryFor(file.Sha256)).Select(Path.GetFileName).Order());
        // The hours-old leftover is swept; the fresh one could still belong to a running worker and stays.
        Assert.Equal(["transcode-recent"], WorkFolders());
    }

    [Fact]
    public async Task A_worker_shut_down_mid_transcode_hands_the_message_to_another_that_finishes_it()
    {
        using var slow = await _env.StartWorkerAsync("slow", settings: s => s["Worker:VideoPreset"] = "veryslow",
            shutdownTimeout: TimeSpan.FromMilliseconds(200));
        var file = await _env.AddFileAsync("long.mp4", _samples.LongClip, "video/mp4");
        await slow.Services.GetRequiredService<IMessagePublisher>().PublishAsync(QueueNames.FileUpload, WorkerEnvironment.UploadedMessage(file));
        var progress = slow.Services.GetRequiredService<ProcessingProgressStore>();
        await MessagingTestHost.WaitUntilAsync(async () => (await progress.GetAsync(file.Id, file.Sha256))?.Percent > 0,
            "the transcode to be under way", TimeSpan.FromSeconds(20));

        await slow.StopAsync();
        Assert.False(File.Exists(_env.Media.Mp4Path(file.Sha256)));
        using var next = await _env.StartWorkerAsync("next");

        var ready = await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        Assert.True(ready.Media is { HasStream: true, HasMp4: true });
        Assert.Empty(WorkFolders());
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync("video.transcode.dlq"));
    }

    [Fact]
    public async Task Two_workers_share_the_upload_queue_without_doing_any_file_twice()
    {
        using var first = await _env.StartWorkerAsync("worker-1", settings: s => s["Worker:UploadConcurrency"] = "1");
        using var second = await _env.StartWorkerAsync("worker-2", settings: s => s["Worker:UploadConcurrency"] = "1");
        using var firstMetrics = new WorkerMetricsCapture(first.Services);
        using var secondMetrics = new WorkerMetricsCapture(second.Services);
        await MessagingTestHost.WaitForConsumersAsync(_env.VirtualHost, QueueNames.FileUpload, 2);
        SKColor[] colours = [SKColors.Red, SKColors.Green, SKColors.Blue, SKColors.Yellow, SKColors.Purple, SKColors.Orange];
        var files = new List<FileRecord>();
        foreach (var colour in colours)
        {
            files.Add(await _env.AddFileAsync($"{colour}.webp", MediaSamples.WebP(640, 480, colour), "image/webp"));
        }

        var publisher = first.Services.GetRequiredService<IMessagePublisher>();
        foreach (var file in files)
        {
            await publisher.PublishAsync(QueueNames.FileUpload, WorkerEnvironment.UploadedMessage(file));
        }

        foreach (var file in files)
        {
            await _env.WaitForStatusAsync(file.Id, FileStatus.Ready);
        }

        // A job is counted just after its file is recorded ready.
        const string jobs = "aio.worker.media.jobs";
        double byFirst = 0, bySecond = 0;
        await MessagingTestHost.WaitUntilAsync(() =>
        {
            byFirst = firstMetrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload"));
            bySecond = secondMetrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload"));
            return byFirst + bySecond >= files.Count;
        }, "every job to be counted");
        await Task.Delay(200); // time for a duplicate, if any, to be counted as a seventh
        Assert.Equal(files.Count, firstMetrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload")) + secondMetrics.Sum(jobs, (MediaWorkerMetrics.JobTag, "upload")));
        Assert.True(byFirst > 0 && bySecond > 0, $"one worker did everything ({byFirst} / {bySecond})");
        Assert.Equal(0, firstMetrics.Sum(jobs, (MediaWorkerMetrics.OutcomeTag, "skipped")) + secondMetrics.Sum(jobs, (MediaWorkerMetrics.OutcomeTag, "skipped")));
        Assert.Equal(0u, await _env.VirtualHost.MessageCountAsync(QueueNames.FileUpload));
    }

    [Fact]
    public async Task Queue_depth_is_reported_per_queue_from_the_broker()
    {
        using var host = await _env.StartWorkerAsync("observer", consume: false);
        using var metrics = new WorkerMetricsCapture(host.Services);
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(QueueNames.FileUpload, new FileUploaded($"f{i}", "o", new string('a', 64), 1, "text/plain", "v", DateTimeOffset.UtcNow));
        }

        await host.Services.GetRequiredService<MediaWorkerMetrics>().RefreshQueueDepthsAsync();
        metrics.RecordObservables();

        const string depth = "aio.worker.queue.depth";
        Assert.Equal(3, metrics.Last(depth, (MessagingTelemetry.QueueTag, QueueNames.FileUpload)));
        Assert.Equal(0, metrics.Last(depth, (MessagingTelemetry.QueueTag, "file.upload.dlq")));
        Assert.Equal(0, metrics.Last(depth, (MessagingTelemetry.QueueTag, QueueNames.VideoTranscode)));
    }

    private List<string> WorkFolders() =>
        Directory.Exists(_env.Media.WorkRoot)
            ? Directory.EnumerateDirectories(_env.Media.WorkRoot).Select(d => Path.GetFileName(d)!).Order().ToList()
            : [];

    /// <summary>Runs the handler as the consumer would for one delivery, in a scope of its own.</summary>
    private static async Task HandleAsync<T>(IHost host, T message, string messageId, bool redelivered, CancellationToken cancellationToken = default)
        where T : notnull
    {
        await using var scope = host.Services.CreateAsyncScope();
        switch (message)
        {
            case FileUploaded uploaded:
                await scope.ServiceProvider.GetRequiredService<FileUploadedHandler>().HandleAsync(uploaded,
                    new MessageContext(QueueNames.FileUpload, messageId, 1, redelivered, DateTimeOffset.UtcNow), cancellationToken);
                break;
            case VideoTranscodeRequested transcode:
                await scope.ServiceProvider.GetRequiredService<VideoTranscodeHandler>().HandleAsync(transcode,
                    new MessageContext(QueueNames.VideoTranscode, messageId, 1, redelivered, DateTimeOffset.UtcNow), cancellationToken);
                break;
            default:
                throw new ArgumentException($"No handler for {typeof(T).Name}.", nameof(message));
        }
    }
}
