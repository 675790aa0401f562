using AioStorage.Core.Media;
using AioStorage.Worker.Media;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Makes a video's HLS renditions and MP4 fallback (whichever is missing) in a fresh work folder, then renames each into
/// the content's media folder: the HLS folder as a whole, so a player never finds a master playlist without all its
/// renditions. Progress over both runs is reported as one percentage, weighted by the pixels each has to encode.
/// </summary>
public sealed partial class VideoTranscoder(
    MediaStore store,
    MediaWorkspace workspace,
    FfmpegProcess runner,
    IOptions<MediaWorkerOptions> options,
    TimeProvider time,
    ILogger<VideoTranscoder> logger)
{
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
        var renditions = RenditionLadder.Select(video.DisplayWidth, video.DisplayHeight);
        var mp4Size = RenditionLadder.Mp4(video.DisplayWidth, video.DisplayHeight);
        double streamCost = needStream ? renditions.Sum(r => r.Pixels) : 0;
        double mp4Cost = needMp4 ? mp4Size.Pixels : 0;
        var deadline = time.GetUtcNow() + settings.TranscodeTimeout;

        using var work = workspace.Create(MediaWorkspace.TranscodePrefix);
        if (needStream)
        {
            var output = work.File("hls");
            Directory.CreateDirectory(output);
            var job = new HlsJob(input, output, video, probe.Audio, renditions, settings.Encoding);
            await RunAsync(FfmpegArguments.Hls(job), input, probe, deadline,
                percent => onProgress(percent * streamCost / (streamCost + mp4Cost)), cancellationToken);
            RequireCompleteStream(output, renditions);
            if (!MediaWorkspace.PlaceDirectory(output, store.StreamDirectory(sha256)))
            {
                LogAlreadyPlaced(logger, sha256, "HLS");
            }
        }

        if (needMp4)
        {
            var output = work.File("video.mp4");
            await RunAsync(FfmpegArguments.Mp4(input, output, video, probe.Audio, mp4Size, settings.Encoding), input, probe, deadline,
                percent => onProgress((100 * streamCost + percent * mp4Cost) / (streamCost + mp4Cost)), cancellationToken);
            if (!File.Exists(output) || new FileInfo(output).Length == 0)
            {
                throw new MediaUnreadableException("ffmpeg made no MP4 from it");
            }

            MediaWorkspace.PlaceFile(output, store.Mp4Path(sha256));
        }

        return true;
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, string input, MediaProbe probe, DateTimeOffset deadline,
        Func<double, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        var remaining = deadline - time.GetUtcNow();
        var invocation = new FfmpegInvocation(options.Value.FfmpegPath, arguments, remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1))
        {
            DurationSeconds = probe.DurationSeconds,
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
