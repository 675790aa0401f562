namespace AioStorage.Core.Messaging;

/// <summary>The work queues of AIO Storage (docs/configuration.md, "Messaging").</summary>
public static class QueueNames
{
    public const string FileUpload = "file.upload";
    public const string FileDownload = "file.download";
    public const string VideoTranscode = "video.transcode";
    public const string WorkerPing = "worker.ping";

    public static IReadOnlyList<string> All { get; } = [FileUpload, FileDownload, VideoTranscode, WorkerPing];
}
