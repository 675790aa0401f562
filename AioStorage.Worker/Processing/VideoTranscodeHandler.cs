using AioStorage.Core.Blobs;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// video.transcode: makes the HLS renditions and the MP4 fallback of a video's content, publishing progress to Redis
/// while ffmpeg runs, then records the file as ready. Products that exist are not made again (a copy, a redelivery);
/// a worker killed mid-way leaves only a work folder behind, so the redelivered message starts clean in a new one
/// (<see cref="MediaWorkspace"/>). ffmpeg refusing the input marks the file failed and dead-letters the message;
/// a timeout or any other error is retried.
/// </summary>
public sealed partial class VideoTranscodeHandler(
    INodeStore nodes,
    ProcessingRecorder processing,
    BlobStore blobs,
    MediaProber prober,
    VideoTranscoder transcoder,
    MediaWorkspace workspace,
    ProcessingProgressStore progress,
    MediaWorkerMetrics metrics,
    IOptions<MediaWorkerOptions> options,
    IOptions<MessagingOptions> messaging,
    TimeProvider time,
    ILogger<VideoTranscodeHandler> logger) : IMessageHandler<VideoTranscodeRequested>
{
    public const string Stage = "transcoding";

    public async Task HandleAsync(VideoTranscodeRequested message, MessageContext context, CancellationToken cancellationToken)
    {
        if (await nodes.GetAsync(message.OwnerId, message.FileId, cancellationToken) is not FileRecord file || file.Sha256 != message.Sha256)
        {
            LogStale(logger, message.FileId, message.Sha256);
            metrics.Job(MediaWorkerMetrics.TranscodeJob, MediaWorkerMetrics.Skipped);
            return;
        }

        if (file is { Status: FileStatus.Ready, Media: { HasStream: true, HasMp4: true } })
        {
            LogAlreadyDone(logger, file.Id);
            metrics.Job(MediaWorkerMetrics.TranscodeJob, MediaWorkerMetrics.Skipped);
            return;
        }

        workspace.SweepStale();
        var started = time.GetTimestamp();
        var input = blobs.PathFor(file.Sha256);
        try
        {
            var probe = await prober.ProbeAsync(input, cancellationToken);
            var reporter = new ProgressReporter(progress, time, options.Value.ProgressInterval, file.Id, file.Sha256, Stage);
            var ran = await transcoder.EnsureAsync(file.Sha256, input, probe, reporter.ReportAsync, cancellationToken);
            var media = (file.Media ?? FromProbe(file.MimeType, probe)) with { HasStream = true, HasMp4 = true };
            await processing.RecordAsync(file.Id, file.Sha256, FileStatus.Ready, null, null, media, time.GetUtcNow(), cancellationToken);

            var elapsed = time.GetElapsedTime(started);
            if (ran)
            {
                metrics.TranscodeDuration(elapsed, MediaWorkerMetrics.Ready);
            }

            metrics.Job(MediaWorkerMetrics.TranscodeJob, ran ? MediaWorkerMetrics.Ready : MediaWorkerMetrics.Skipped);
            LogTranscoded(logger, file.Id, ran, elapsed.TotalSeconds);
        }
        catch (MediaUnreadableException unreadable)
        {
            var reason = $"The video could not be converted: {unreadable.Message}";
            LogRejected(logger, file.Id, reason);
            await processing.RecordAsync(file.Id, file.Sha256, FileStatus.Failed, reason, null, file.Media, time.GetUtcNow(), CancellationToken.None);
            metrics.TranscodeDuration(time.GetElapsedTime(started), MediaWorkerMetrics.Failed);
            metrics.Job(MediaWorkerMetrics.TranscodeJob, MediaWorkerMetrics.Failed);
            throw new MessageRejectedException(reason, unreadable);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.TranscodeDuration(time.GetElapsedTime(started), MediaWorkerMetrics.Error);
            metrics.Job(MediaWorkerMetrics.TranscodeJob, MediaWorkerMetrics.Error);
            if (context.Attempt >= messaging.Value.MaxAttempts)
            {
                // The last attempt: the message goes to the dead-letter queue, so the file must not stay "processing" forever.
                await processing.RecordAsync(file.Id, file.Sha256, FileStatus.Failed,
                    $"The video could not be converted ({context.Attempt} attempts): {ex.Message}", null, file.Media, time.GetUtcNow(), CancellationToken.None);
                }

            throw;
        }
    }

    /// <summary>For a transcode requested without the upload step having recorded anything (it normally has).</summary>
    private static MediaInfo FromProbe(string mimeType, Media.MediaProbe probe) =>
        new(mimeType, probe.Video?.DisplayWidth, probe.Video?.DisplayHeight, probe.DurationSeconds, probe.Video?.Codec, probe.Audio?.Codec, probe.Video?.Rotation);

    [LoggerMessage(LogLevel.Information, "File {FileId} is gone or no longer has content {Sha256}; nothing to transcode")]
    private static partial void LogStale(ILogger logger, string fileId, string sha256);

    [LoggerMessage(LogLevel.Information, "File {FileId} is already transcoded; nothing to do")]
    private static partial void LogAlreadyDone(ILogger logger, string fileId);

    [LoggerMessage(LogLevel.Information, "File {FileId} transcoded (ran ffmpeg: {Ran}) in {Seconds:0.0} s")]
    private static partial void LogTranscoded(ILogger logger, string fileId, bool ran, double seconds);

    [LoggerMessage(LogLevel.Warning, "File {FileId} failed transcoding: {Reason}")]
    private static partial void LogRejected(ILogger logger, string fileId, string reason);
}
