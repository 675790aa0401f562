using AioStorage.Core.Media;
using AioStorage.Worker.Media;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Makes a video's HLS renditions and MP4 fallback (whichever is missing) in a fresh work folder, then renames each into
/// the content's media folder: the HLS folder as a whole, so a player never finds a master playlist without all its
/// renditions. The MP4 is the best rendition rewrapped (no second encode), so it follows the stream in a fraction of a second.
/// </summary>
public sealed partial class VideoTranscoder(
    MediaStore store,
    MediaWorkspace workspace,
    FfmpegProcess runner,
    IOptions<MediaWorkerOptions> options,
    TimeProvider time,
    ILogger<VideoTranscoder> logger)
{
    /// <summary>Encoding is nearly all the work; the rewrap into MP4 gets the last percent.</summary>
    private const double StreamShare = 99;

    public bool HasStream(string sha256) => File.Exists(Path.Combine(store.StreamDirectory(sha256), MediaStore.MasterPlaylistName));

    public bool HasMp4(string sha256) => File.Exists(store.Mp4Path(sha256));

    /// <summary>Makes what is missing. Returns false when both products already existed (nothing ran).</summary>
    /// <exception cref="MediaUnreadableException">ffmpeg cannot convert the input.</exception>
    /// <exception cref="FfmpegFailedException">ffmpeg failed for another reason (retry).</exception>
    /// <exception cref="FfmpegTimeoutException">Both runs together took longer than <see cref="MediaWorkerOptions.TranscodeTimeout"/>.</exception>
    public async Task<bool> EnsureAsync(string sha256, string input, MediaProbe probe, Func<double, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        var needStream = !HasStream(sha256);
        var needMp4 = !HasMp4(sha256);
        if (!needStream && !needMp4)
        {
            return false;
        }

        var settings = options.Value;
        var video = probe.Video ?? throw new MediaUnreadableException("it has no picture");
        var deadline = time.GetUtcNow() + settings.TranscodeTimeout;
        var stream = store.StreamDirectory(sha256);

        using var work = workspace.Create(MediaWorkspace.TranscodePrefix);
        if (needStream)
        {
            var renditions = RenditionLadder.Select(video.DisplayWidth, video.DisplayHeight);
            var output = work.File("hls");
            Directory.CreateDirectory(output);
            var job = new HlsJob(input, output, video, probe.Audio, renditions, settings.Encoding);
            await RunAsync(FfmpegArguments.Hls(job), input, probe.DurationSeconds, deadline,
                percent => onProgress(percent * StreamShare / 100), cancellationToken);
            RequireCompleteStream(output, renditions);
            if (!MediaWorkspace.PlaceDirectory(output, stream))
            {
                LogAlreadyPlaced(logger, sha256, "HLS");
            }
        }

        if (needMp4)
        {
            var best = BestRendition(sha256) ?? throw new FfmpegFailedException($"The HLS master playlist of {sha256} names no rendition.");
            var output = work.File("video.mp4");
            await RunAsync(FfmpegArguments.Mp4FromRendition(best, output), best, probe.DurationSeconds, deadline, null, cancellationToken);
            if (!File.Exists(output) || new FileInfo(output).Length == 0)
            {
                throw new MediaUnreadableException("ffmpeg made no MP4 from it");
            }

            MediaWorkspace.PlaceFile(output, store.Mp4Path(sha256));
        }

        await onProgress(100);
        return true;
    }

    /// <summary>
    /// The playlist of the first (best) rendition the master playlist lists (ffmpeg writes them in ladder order), if it
    /// is a plain relative name inside the HLS folder.
    /// </summary>
    public string? BestRendition(string sha256)
    {
        var lines = File.ReadAllLines(Path.Combine(store.StreamDirectory(sha256), MediaStore.MasterPlaylistName));
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                return store.StreamFile(sha256, lines[i + 1].Trim());
            }
        }

        return null;
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, string input, double? durationSeconds, DateTimeOffset deadline,
        Func<double, ValueTask>? onProgress, CancellationToken cancellationToken)
    {
        var remaining = deadline - time.GetUtcNow();
        var invocation = new FfmpegInvocation(options.Value.FfmpegPath, arguments, remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1))
        {
            DurationSeconds = durationSeconds,
            OnProgress = onProgress,
        };
        var result = await runner.RunAsync(invocation, cancellationToken);
        MediaProber.ThrowIfFailed(result, input, "ffmpeg");
    }

    /// <summary>ffmpeg can exit 0 having written nothing useful (no decodable frame): every playlist must be there and finished.</summary>
    private static void RequireCompleteStream(string directory, IReadOnlyList<Rendition> renditions)
    {
        var master = Path.Combine(directory, MediaStore.MasterPlaylistName);
        var playlists = renditions.Select(r => Path.Combine(directory, r.Name, FfmpegArguments.RenditionPlaylistName));
        if (!File.Exists(master) || playlists.Any(p => !File.Exists(p) || !File.ReadAllText(p).Contains("#EXT-X-ENDLIST", StringComparison.Ordinal)))
        {
            throw new MediaUnreadableException("ffmpeg made no complete HLS stream from it");
        }
    }

    [LoggerMessage(LogLevel.Information, "The {Product} of {Sha256} was placed by another worker first; this copy is dropped")]
    private static partial void LogAlreadyPlaced(ILogger logger, string sha256, string product);
}
