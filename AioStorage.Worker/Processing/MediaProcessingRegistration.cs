using AioStorage.Core.Blobs;
using AioStorage.Core.Folders;
using AioStorage.Core.Media;
using AioStorage.Worker.Media;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AioStorage.Worker.Processing;

public static class MediaProcessingRegistration
{
    /// <summary>
    /// What the file.upload and video.transcode handlers need: <see cref="MediaWorkerOptions"/> from the <c>Worker</c>
    /// section (validated at start), the media products' store, Redis progress, ffmpeg, and the worker's metrics. Expects
    /// <c>StorageOptions</c>, the metadata stores, <c>IConnectionMultiplexer</c> and messaging to be registered as well.
    /// </summary>
    public static IServiceCollection AddMediaProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MediaWorkerOptions>()
            .Bind(configuration.GetSection(MediaWorkerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BlobStore>();
        services.TryAddSingleton<MediaStore>();
        services.TryAddSingleton<ProcessingProgressStore>();
        services.TryAddSingleton<FfmpegProcess>();
        services.TryAddSingleton<MediaProber>();
        services.TryAddSingleton<MediaWorkspace>();
        services.TryAddSingleton<PreviewMaker>();
        services.TryAddSingleton<VideoTranscoder>();
        services.TryAddSingleton<MediaWorkerMetrics>();
        services.TryAddSingleton<ListingCache>();
        services.TryAddSingleton<ProcessingRecorder>();
        services.AddHostedService<MediaProcessingStartup>();
        return services;
    }

    /// <summary>The options as configured, for sizing the consumers while the container is still being built.</summary>
    public static MediaWorkerOptions ReadMediaWorkerOptions(this IConfiguration configuration) =>
        configuration.GetSection(MediaWorkerOptions.SectionName).Get<MediaWorkerOptions>() ?? new MediaWorkerOptions();
}

/// <summary>
/// At start-up: creates the metrics (so the queue-depth gauge reports from the first export, before any job ran) and
/// sweeps work folders a killed worker left behind.
/// </summary>
internal sealed class MediaProcessingStartup(MediaWorkerMetrics metrics, MediaWorkspace workspace) : IHostedService
{
    public MediaWorkerMetrics Metrics { get; } = metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        workspace.SweepStale();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
