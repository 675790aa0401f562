using AioStorage.Core.Media;
using AioStorage.Worker.Media;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Thumbnails (every <see cref="MediaStore.ThumbnailSizes"/>) and video posters of a content, made in a work folder and
/// moved into the content's media folder. Products that already exist are not made again, so a redelivered message or
/// a second file with the same content costs nothing.
/// </summary>
public sealed class PreviewMaker(MediaStore store, MediaWorkspace workspace, FfmpegProcess runner, IOptions<MediaWorkerOptions> options)
{
    public bool HasThumbnails(string sha256) => MediaStore.ThumbnailSizes.All(size => File.Exists(store.ThumbnailPath(sha256, size)));

    /// <summary>Makes the thumbnails of an image (or of a poster) at <paramref name="sourcePath"/> and returns what the decoder saw.</summary>
    /// <exception cref="ImageTooLargeException"/>
    /// <exception cref="ImageUnreadableException"/>
    public ImageFacts EnsureThumbnails(string sha256, string sourcePath)
    {
        if (HasThumbnails(sha256))
        {
            return Thumbnailer.Inspect(sourcePath);
        }

        using var activity = WorkerTelemetry.Source.StartActivity("thumbnails");
        using var work = workspace.Create(MediaWorkspace.PreviewPrefix);
        var outputs = MediaStore.ThumbnailSizes.Select(size => (size, work.File($"thumb-{size}.webp"))).ToList();
        var facts = Thumbnailer.Make(sourcePath, outputs, options.Value.MaxImagePixels);
        foreach (var (size, path) in outputs)
        {
            MediaWorkspace.PlaceFile(path, store.ThumbnailPath(sha256, size));
        }

        return facts;
    }

    /// <summary>
    /// Makes the poster of a video: a frame a tenth into it, or the first frame when that position yields none (a clip
    /// shorter than its reported length).
    /// </summary>
    /// <exception cref="MediaUnreadableException">No frame can be decoded.</exception>
    public async Task EnsurePosterAsync(string sha256, string input, MediaProbe probe, CancellationToken cancellationToken)
    {
        var target = store.PosterPath(sha256);
        if (File.Exists(target))
        {
            return;
        }

        var video = probe.Video ?? throw new ArgumentException("A poster needs a video stream.", nameof(probe));
        using var work = workspace.Create(MediaWorkspace.PreviewPrefix);
        var output = work.File("poster.jpg");
        var position = FfmpegArguments.PosterPosition(probe.DurationSeconds);
        foreach (var at in position > 0 ? new[] { position, 0 } : [0])
        {
            var result = await runner.RunAsync(
                new FfmpegInvocation(options.Value.FfmpegPath, FfmpegArguments.Poster(input, output, video, at), options.Value.ProbeTimeout),
                cancellationToken);
            MediaProber.ThrowIfFailed(result, input, "ffmpeg");
            if (File.Exists(output) && new FileInfo(output).Length > 0)
            {
                MediaWorkspace.PlaceFile(output, target);
                return;
            }
        }

        throw new MediaUnreadableException("no frame of the picture could be decoded");
    }
}
