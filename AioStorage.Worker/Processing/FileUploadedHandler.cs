using System.Buffers;
using System.Security.Cryptography;
using AioStorage.Core.Blobs;
using AioStorage.Core.Media;
using AioStorage.Core.Messaging;
using AioStorage.Core.Messaging.Contracts;
using AioStorage.Core.Metadata;
using AioStorage.Worker.Media;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// file.upload: verifies the stored content against its hash, detects its real type from its bytes, reads media
/// metadata with ffprobe, makes thumbnails (images) or a poster and thumbnails (videos), and records it all on the file.
/// Images and other files become ready; a video stays processing and its transcode is queued. Corrupt content ends as
/// failed with a reason the user can read and the message dead-lettered; the stored content is never touched.
/// Idempotent: the work is keyed by the content's hash, products that exist are not made again, and a file that is
/// already ready (a redelivery) or has other content now is left alone.
/// </summary>
public sealed partial class FileUploadedHandler(
    INodeStore nodes,
    ProcessingRecorder processing,
    BlobStore blobs,
    MediaStore store,
    MediaProber prober,
    PreviewMaker previews,
    VideoTranscoder transcoder,
    ProcessingProgressStore progress,
    IMessagePublisher publisher,
    MediaWorkerMetrics metrics,
    IOptions<MediaWorkerOptions> options,
    IOptions<MessagingOptions> messaging,
    TimeProvider time,
    ILogger<FileUploadedHandler> logger) : IMessageHandler<FileUploaded>
{
    public const string Stage = "processing";

    /// <summary>The same file and content always queue the same message id, so a repeated hand-off is recognisable.</summary>
    public static string TranscodeMessageId(string fileId, string sha256) => $"transcode:{fileId}:{sha256}";

    public async Task HandleAsync(FileUploaded message, MessageContext context, CancellationToken cancellationToken)
    {
        if (await nodes.GetAsync(message.OwnerId, message.FileId, cancellationToken) is not FileRecord file || file.Sha256 != message.Sha256)
        {
            LogStale(logger, message.FileId, message.Sha256);
            metrics.Job(MediaWorkerMetrics.UploadJob, MediaWorkerMetrics.Skipped);
            return;
        }

        // Ready means a delivery before this one finished the work. A failed file is processed again: only a message
        // an operator moved back from the dead-letter queue gets here, and that is a request to try once more.
        if (file.Status == FileStatus.Ready)
        {
            LogAlreadyProcessed(logger, file.Id, file.Status);
            metrics.Job(MediaWorkerMetrics.UploadJob, MediaWorkerMetrics.Skipped);
            return;
        }

        try
        {
            var outcome = await ProcessAsync(file, cancellationToken);
            metrics.Job(MediaWorkerMetrics.UploadJob, outcome);
        }
        catch (ContentRejectedException rejected)
        {
            LogRejected(logger, file.Id, rejected.Message);
            await processing.RecordAsync(file.Id, file.Sha256, FileStatus.Failed, rejected.Message, rejected.MimeType, rejected.Media,
                time.GetUtcNow(), CancellationToken.None);
            metrics.Job(MediaWorkerMetrics.UploadJob, MediaWorkerMetrics.Failed);
            throw new MessageRejectedException(rejected.Message, rejected);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Job(MediaWorkerMetrics.UploadJob, MediaWorkerMetrics.Error);
            if (context.Attempt >= messaging.Value.MaxAttempts)
            {
                // The last attempt: the message goes to the dead-letter queue, so the file must not stay "processing" forever.
                await processing.RecordAsync(file.Id, file.Sha256, FileStatus.Failed,
                    $"The file could not be processed ({context.Attempt} attempts): {ex.Message}", null, file.Media, time.GetUtcNow(), CancellationToken.None);
                }

            throw;
        }
    }

    private async Task<string> ProcessAsync(FileRecord file, CancellationToken cancellationToken)
    {
        var path = blobs.PathFor(file.Sha256);
        await VerifyAsync(file, cancellationToken);
        var mimeType = MimeSniffer.Detect(await ReadHeaderAsync(path, cancellationToken), file.MimeType);

        if (mimeType.StartsWith("video/", StringComparison.Ordinal) || mimeType.StartsWith("audio/", StringComparison.Ordinal))
        {
            return await ProcessMediaAsync(file, path, mimeType, cancellationToken);
        }

        if (Thumbnailer.CanDecode(mimeType))
        {
            return await ProcessImageAsync(file, path, mimeType, cancellationToken);
        }

        return await FinishAsync(file, FileStatus.Ready, null, mimeType, new MediaInfo(mimeType, null, null, null, null, null, null), cancellationToken);
    }

    private async Task<string> ProcessImageAsync(FileRecord file, string path, string mimeType, CancellationToken cancellationToken)
    {
        try
        {
            var facts = previews.EnsureThumbnails(file.Sha256, path);
            var media = new MediaInfo(mimeType, facts.Width, facts.Height, null, null, null, facts.Rotation) { HasThumbnails = true };
            return await FinishAsync(file, FileStatus.Ready, null, mimeType, media, cancellationToken);
        }
        catch (ImageTooLargeException tooLarge)
        {
            // A valid file that is too big to preview safely: ready, without thumbnails, saying why.
            var media = new MediaInfo(mimeType, tooLarge.Facts.Width, tooLarge.Facts.Height, null, null, null, tooLarge.Facts.Rotation);
            return await FinishAsync(file, FileStatus.Ready, tooLarge.Message, mimeType, media, cancellationToken);
        }
        catch (ImageUnreadableException unreadable)
        {
            throw new ContentRejectedException(unreadable.Message, mimeType, new MediaInfo(mimeType, null, null, null, null, null, null));
        }
    }

    private async Task<string> ProcessMediaAsync(FileRecord file, string path, string mimeType, CancellationToken cancellationToken)
    {
        var kind = mimeType.StartsWith("video/", StringComparison.Ordinal) ? "video" : "audio";
        var unknown = new MediaInfo(mimeType, null, null, null, null, null, null);
        MediaProbe probe;
        try
        {
            probe = await prober.ProbeAsync(path, cancellationToken);
        }
        catch (MediaUnreadableException unreadable)
        {
            throw new ContentRejectedException($"The {kind} could not be read: {unreadable.Message}", mimeType, unknown);
        }

        if (probe.Video is null && probe.Audio is null)
        {
            throw new ContentRejectedException($"The {kind} could not be read: it has neither picture nor sound.", mimeType, unknown);
        }

        if (probe.Video is null || kind == "audio")
        {
            // Sound only (an .m4a, a WebM or Matroska file without picture, an MP3 with cover art): nothing to transcode.
            var audioType = probe.Video is null ? AudioCounterpart(mimeType) : mimeType;
            var audioInfo = new MediaInfo(audioType, null, null, probe.DurationSeconds, probe.Video?.Codec, probe.Audio?.Codec, null);
            return await FinishAsync(file, FileStatus.Ready, null, audioType, audioInfo, cancellationToken);
        }

        var video = probe.Video;
        var media = new MediaInfo(mimeType, video.DisplayWidth, video.DisplayHeight, probe.DurationSeconds, video.Codec, probe.Audio?.Codec, video.Rotation);
        try
        {
            await previews.EnsurePosterAsync(file.Sha256, path, probe, cancellationToken);
            previews.EnsureThumbnails(file.Sha256, store.PosterPath(file.Sha256));
        }
        catch (Exception ex) when (ex is MediaUnreadableException or ImageUnreadableException)
        {
            throw new ContentRejectedException($"The video could not be read: {ex.Message}", mimeType, media);
        }

        media = media with { HasPoster = true, HasThumbnails = true };
        if (transcoder.HasStream(file.Sha256) && transcoder.HasMp4(file.Sha256))
        {
            // The same content was transcoded before (another file, an earlier upload): its products serve this file too.
            return await FinishAsync(file, FileStatus.Ready, null, mimeType, media with { HasStream = true, HasMp4 = true }, cancellationToken);
        }

        var recorded = await processing.RecordAsync(file.Id, file.Sha256, FileStatus.Processing, null, mimeType, media, time.GetUtcNow(), cancellationToken);
        if (recorded is null)
        {
            LogStale(logger, file.Id, file.Sha256);
            return MediaWorkerMetrics.Skipped;
        }

        await progress.SetAsync(file.Id, new ProcessingProgress(file.Sha256, VideoTranscodeHandler.Stage, 0, time.GetUtcNow()));
        await publisher.PublishAsync(QueueNames.VideoTranscode, new VideoTranscodeRequested(file.Id, file.OwnerId, file.Sha256, time.GetUtcNow()),
            TranscodeMessageId(file.Id, file.Sha256), cancellationToken);
        LogTranscodeQueued(logger, file.Id, video.DisplayWidth, video.DisplayHeight, probe.DurationSeconds ?? 0);
        return MediaWorkerMetrics.TranscodeQueued;
    }

    private async Task<string> FinishAsync(FileRecord file, FileStatus status, string? reason, string mimeType, MediaInfo media, CancellationToken cancellationToken)
    {
        var recorded = await processing.RecordAsync(file.Id, file.Sha256, status, reason, mimeType, media, time.GetUtcNow(), cancellationToken);
        if (recorded is null)
        {
            LogStale(logger, file.Id, file.Sha256);
            return MediaWorkerMetrics.Skipped;
        }

        LogProcessed(logger, file.Id, mimeType, status);
        return MediaWorkerMetrics.Ready;
    }

    /// <summary>Hashes the stored content again, streamed, reporting progress for big files.</summary>
    private async Task VerifyAsync(FileRecord file, CancellationToken cancellationToken)
    {
        var reporter = new ProgressReporter(progress, time, options.Value.ProgressInterval, file.Id, file.Sha256, Stage);
        var buffer = ArrayPool<byte>.Shared.Rent(BlobStore.BufferSize);
        try
        {
            await using var content = blobs.OpenRead(file.Sha256);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BlobStore.BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
                if (file.Size > 0)
                {
                    await reporter.ReportAsync(Math.Min(99, total * 100.0 / file.Size));
                }
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != file.Sha256 || total != file.Size)
            {
                throw new ContentRejectedException(
                    $"The stored content is damaged: its SHA-256 is {actual[..12]}… ({total} bytes) where {file.Sha256[..12]}… ({file.Size} bytes) was uploaded.",
                    null, null);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ContentRejectedException("The stored content is missing.", null, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]> ReadHeaderAsync(string path, CancellationToken cancellationToken)
    {
        await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0, FileOptions.Asynchronous);
        var header = new byte[MimeSniffer.HeaderLength];
        var length = await content.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        return header[..length];
    }

    /// <summary>A container sniffed as video that turned out to hold only sound.</summary>
    private static string AudioCounterpart(string mimeType) => mimeType switch
    {
        "video/mp4" or "video/x-m4v" or "video/quicktime" => "audio/mp4",
        "video/webm" => "audio/webm",
        "video/x-matroska" => "audio/x-matroska",
        "video/ogg" => "audio/ogg",
        "video/3gpp" => "audio/3gpp",
        "video/3gpp2" => "audio/3gpp2",
        "video/x-msvideo" => "audio/x-wav",
        _ => mimeType,
    };

    [LoggerMessage(LogLevel.Information, "File {FileId} is gone or no longer has content {Sha256}; nothing to do")]
    private static partial void LogStale(ILogger logger, string fileId, string sha256);

    [LoggerMessage(LogLevel.Information, "File {FileId} was already processed ({Status}); nothing to do")]
    private static partial void LogAlreadyProcessed(ILogger logger, string fileId, FileStatus status);

    [LoggerMessage(LogLevel.Information, "File {FileId} ({MimeType}) processed: {Status}")]
    private static partial void LogProcessed(ILogger logger, string fileId, string mimeType, FileStatus status);

    [LoggerMessage(LogLevel.Information, "File {FileId}: poster and thumbnails made, transcode of {Width}x{Height} ({Duration:0.0} s) queued")]
    private static partial void LogTranscodeQueued(ILogger logger, string fileId, int width, int height, double duration);

    [LoggerMessage(LogLevel.Warning, "File {FileId} failed processing: {Reason}")]
    private static partial void LogRejected(ILogger logger, string fileId, string reason);
}

/// <summary>The content can never be processed: the file is marked failed with this message as the reason the user reads.</summary>
internal sealed class ContentRejectedException(string reason, string? mimeType, MediaInfo? media) : Exception(reason)
{
    public string? MimeType { get; } = mimeType;
    public MediaInfo? Media { get; } = media;
}
