using AioStorage.Core.Folders;
using AioStorage.Core.Media;
using AioStorage.Core.Metadata;
using AioStorage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AioStorage.Tests.Api;

/// <summary>
/// What the worker makes from a video, made once per test class with the real ffmpeg from a generated 2 s clip with
/// sound (320x240, lavfi testsrc): an HLS stream with two renditions (240p, 120p) of 1 s segments, the MP4 fallback, a
/// poster frame and WebP thumbnails in every size. <see cref="PublishAsync"/> puts them where the worker would for a
/// file's content and records them the way the worker does, so the api's media routes serve real products.
/// </summary>
public sealed class MediaProducts : IAsyncLifetime
{
    public static readonly string[] Renditions = ["240p", "120p"];

    public string Root { get; } = Directory.CreateTempSubdirectory("aio-media-").FullName;

    /// <summary>The clip itself, as a user would upload it.</summary>
    public string SourcePath => Path.Combine(Root, "source.mp4");

    /// <summary>A PNG still, for an image with thumbnails and nothing else.</summary>
    public string ImagePath => Path.Combine(Root, "still.png");

    /// <summary>Laid out as in <see cref="MediaStore.DirectoryFor"/>: thumb-*.webp, poster.jpg, video.mp4, hls/.</summary>
    public string Products => Path.Combine(Root, "products");

    public static MediaInfo VideoInfo(bool thumbnails = true, bool poster = true, bool stream = true, bool mp4 = true)
        => new("video/mp4", 320, 240, 2.0, "h264", "aac", 0) { HasThumbnails = thumbnails, HasPoster = poster, HasStream = stream, HasMp4 = mp4 };

    public static MediaInfo ImageInfo() => new("image/png", 320, 240, null, "png", null, 0) { HasThumbnails = true };

    public async Task InitializeAsync()
    {
        var hls = Path.Combine(Products, "hls");
        Directory.CreateDirectory(hls);
        await FfmpegAsync(Root, "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", SourcePath);
        await FfmpegAsync(hls, "-i", SourcePath,
            "-filter_complex", "[0:v]split=2[a][b];[a]scale=320:240[v0];[b]scale=160:120[v1]",
            "-map", "[v0]", "-map", "0:a", "-map", "[v1]", "-map", "0:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac",
            "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_filename", "%v/segment-%03d.ts",
            "-master_pl_name", MediaStore.MasterPlaylistName, "-var_stream_map", $"v:0,a:0,name:{Renditions[0]} v:1,a:1,name:{Renditions[1]}",
            "%v/index.m3u8");
        await FfmpegAsync(Products, "-i", SourcePath, "-c", "copy", "-movflags", "+faststart", "video.mp4");
        await FfmpegAsync(Products, "-i", SourcePath, "-frames:v", "1", "poster.jpg");
        foreach (var size in MediaStore.ThumbnailSizes)
        {
            await FfmpegAsync(Products, "-i", SourcePath, "-frames:v", "1", "-vf", $"scale={size}:-2", $"thumb-{size}.webp");
        }

        await FfmpegAsync(Root, "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", ImagePath);
    }

    /// <summary>
    /// As the worker does: the products for <paramref name="sha256"/> go into the media store (only the kinds
    /// <paramref name="media"/> says exist), then the file's record says what was found and made, and its folder's
    /// cached listings are invalidated.
    /// </summary>
    public async Task PublishAsync(ApiFactory api, string fileId, string sha256, MediaInfo? media, FileStatus status = FileStatus.Ready, string? reason = null)
    {
        var store = api.Services.GetRequiredService<MediaStore>();
        var target = store.DirectoryFor(sha256);
        Directory.CreateDirectory(target);
        if (media is { HasThumbnails: true })
        {
            foreach (var size in MediaStore.ThumbnailSizes)
            {
                File.Copy(Path.Combine(Products, $"thumb-{size}.webp"), store.ThumbnailPath(sha256, size), overwrite: true);
            }
        }

        if (media is { HasPoster: true })
        {
            File.Copy(Path.Combine(Products, "poster.jpg"), store.PosterPath(sha256), overwrite: true);
        }

        if (media is { HasMp4: true })
        {
            File.Copy(Path.Combine(Products, "video.mp4"), store.Mp4Path(sha256), overwrite: true);
        }

        if (media is { HasStream: true } && !Directory.Exists(store.StreamDirectory(sha256)))
        {
            // Assembled next to the store and moved into place whole, as the worker does.
            var work = Path.Combine(store.WorkRoot, Guid.NewGuid().ToString("N"));
            CopyDirectory(Path.Combine(Products, "hls"), work);
            Directory.Move(work, store.StreamDirectory(sha256));
        }

        var nodes = api.Services.GetRequiredService<INodeStore>();
        var updated = await nodes.UpdateProcessingAsync(fileId, sha256, status, reason, media?.DetectedMimeType, media, api.Time.GetUtcNow(), CancellationToken.None);
        Assert.NotNull(updated);
        await api.Services.GetRequiredService<ListingCache>().InvalidateAsync(updated.OwnerId, updated.ParentId);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task FfmpegAsync(string workingDirectory, params string[] arguments)
    {
        var (exitCode, _, stderr) = await ChildProcess.RunAsync("ffmpeg", ["-v", "error", "-y", "-nostdin", .. arguments], workingDirectory);
        Assert.True(exitCode == 0, $"ffmpeg {string.Join(' ', arguments)} failed: {stderr}");
    }
}
