using AioStorage.Core.Media;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Writes one file's progress to Redis at most once per <see cref="MediaWorkerOptions.ProgressInterval"/> (ffmpeg
/// reports twice a second per run; the api only needs to see it move), always passing the first and the final value.
/// </summary>
public sealed class ProgressReporter(ProcessingProgressStore store, TimeProvider time, TimeSpan interval, string fileId, string sha256, string stage)
{
    private long? _lastWrite;
    private double _lastPercent = -1;

    public async ValueTask ReportAsync(double percent)
    {
        var rounded = Math.Round(Math.Clamp(percent, 0, 100), 1);
        var now = time.GetTimestamp();
        if (rounded == _lastPercent || (_lastWrite is { } last && rounded < 100 && time.GetElapsedTime(last, now) < interval))
        {
            return;
        }

        _lastWrite = now;
        _lastPercent = rounded;
        await store.SetAsync(fileId, new ProcessingProgress(sha256, stage, rounded, time.GetUtcNow()));
    }
}
