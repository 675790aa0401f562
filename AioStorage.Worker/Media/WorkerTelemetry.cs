using System.Diagnostics;

namespace AioStorage.Worker.Media;

/// <summary>
/// Spans of the worker's own work (each ffmpeg or ffprobe run, thumbnail making), children of the messaging layer's
/// "process" span, so one upload's trace shows where its time went. The name matches ServiceDefaults' <c>AioStorage.*</c>.
/// </summary>
public static class WorkerTelemetry
{
    public const string SourceName = "AioStorage.Worker";

    public static readonly ActivitySource Source = new(SourceName);
}
