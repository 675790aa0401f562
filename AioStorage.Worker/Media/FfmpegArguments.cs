using System.Globalization;

namespace AioStorage.Worker.Media;

/// <summary>x264 speed/quality trade-off and quality target shared by every encode (<c>Worker:VideoPreset</c>, <c>Worker:VideoQuality</c>).</summary>
public sealed record VideoEncoding(string Preset = "veryfast", int Crf = 23);

/// <summary>
/// Everything ffmpeg needs to make the HLS renditions of one video in one run (one decode, one split per rendition).
/// </summary>
/// <param name="OutputDirectory">Receives <c>master.m3u8</c> and one folder per rendition with <c>index.m3u8</c> and its segments.</param>
public sealed record HlsJob(string Input, string OutputDirectory, VideoStreamInfo Video, AudioStreamInfo? Audio,
    IReadOnlyList<Rendition> Renditions, VideoEncoding Encoding);

/// <summary>
/// The ffmpeg and ffprobe command lines, as argument lists (never a shell string: no quoting, no injection). Pure
/// functions of their inputs, so each choice is unit-tested by looking at the arguments.
/// </summary>
public static class FfmpegArguments
{
    public const int HlsSegmentSeconds = 4;
    public const string RenditionPlaylistName = "index.m3u8";
    public const string SegmentPattern = "segment-%05d.ts";
    public const int AudioKbps = 128;

    /// <summary>Posters are at most this many pixels on the long side.</summary>
    public const int PosterMaxSide = 1280;

    /// <summary>Quiet unless something goes wrong, never waiting for a terminal, progress as key=value lines on stdout.</summary>
    private static readonly string[] Common = ["-hide_banner", "-nostdin", "-y", "-v", "error"];

    private static readonly string[] Progress = ["-nostats", "-progress", "pipe:1"];

    public static IReadOnlyList<string> Probe(string input) =>
        ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", input];

    /// <summary>Where the poster frame is taken: a tenth into the video (past black openings and fades), or 1 s when the length is unknown.</summary>
    public static double PosterPosition(double? durationSeconds) =>
        durationSeconds is > 0 ? Math.Round(durationSeconds.Value * 0.1, 3) : 1.0;

    /// <summary>One frame at <paramref name="positionSeconds"/>, shown the right way up and scaled to fit <see cref="PosterMaxSide"/>, as JPEG.</summary>
    public static IReadOnlyList<string> Poster(string input, string output, VideoStreamInfo video, double positionSeconds)
    {
        var (width, height) = RenditionLadder.FitWithin(video.DisplayWidth, video.DisplayHeight, PosterMaxSide);
        // -ss before -i seeks the input (fast, to the keyframe before, then decodes to the exact time).
        return
        [
            .. Common, "-ss", Seconds(positionSeconds), "-i", input,
            "-map", $"0:{Int(video.Index)}", "-frames:v", "1",
            "-vf", $"scale={Int(width)}:{Int(height)},setsar=1",
            "-q:v", "3", "-f", "image2", "-update", "1", output,
        ];
    }

    /// <summary>
    /// All renditions in one ffmpeg run: the picture is decoded once and split; each rendition gets H.264 (CRF with a
    /// bitrate ceiling, which HLS reports as BANDWIDTH) and, when the source has sound, its own AAC track. Keyframes are
    /// forced every segment length in every rendition, so segments line up and players can switch between them.
    /// </summary>
    public static IReadOnlyList<string> Hls(HlsJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Renditions.Count == 0)
        {
            throw new ArgumentException("At least one rendition is needed.", nameof(job));
        }

        var count = job.Renditions.Count;
        var split = $"[0:{Int(job.Video.Index)}]split={Int(count)}" + string.Concat(Enumerable.Range(0, count).Select(i => $"[s{Int(i)}]"));
        var scales = job.Renditions.Select((r, i) => $"[s{Int(i)}]scale={Int(r.Width)}:{Int(r.Height)},setsar=1[v{Int(i)}]");
        var args = new List<string>(Common);
        args.AddRange(Progress);
        args.AddRange(["-i", job.Input, "-filter_complex", string.Join(';', [split, .. scales])]);
        for (var i = 0; i < count; i++)
        {
            args.AddRange(["-map", $"[v{Int(i)}]"]);
        }

        if (job.Audio is { } audio)
        {
            for (var i = 0; i < count; i++)
            {
                args.AddRange(["-map", $"0:{Int(audio.Index)}"]);
            }
        }

        args.AddRange(VideoCodec(job.Encoding));
        for (var i = 0; i < count; i++)
        {
            var rendition = job.Renditions[i];
            args.AddRange([$"-maxrate:v:{Int(i)}", Kbps(rendition.MaxVideoKbps), $"-bufsize:v:{Int(i)}", Kbps(rendition.BufferKbps)]);
        }

        args.AddRange(["-force_key_frames", $"expr:gte(t,n_forced*{Int(HlsSegmentSeconds)})", "-sc_threshold", "0"]);
        if (job.Audio is not null)
        {
            args.AddRange(AudioCodec);
        }

        var streamMap = string.Join(' ', job.Renditions.Select((r, i) =>
            job.Audio is null ? $"v:{Int(i)},name:{r.Name}" : $"v:{Int(i)},a:{Int(i)},name:{r.Name}"));
        args.AddRange(
        [
            "-f", "hls", "-hls_time", Int(HlsSegmentSeconds), "-hls_playlist_type", "vod", "-hls_list_size", "0",
            "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
            "-hls_segment_filename", Path.Combine(job.OutputDirectory, "%v", SegmentPattern),
            "-master_pl_name", Core.Media.MediaStore.MasterPlaylistName,
            "-var_stream_map", streamMap,
            Path.Combine(job.OutputDirectory, "%v", RenditionPlaylistName),
        ]);
        return args;
    }

    /// <summary>
    /// The progressive-download fallback: the best HLS rendition (H.264 + AAC, the source's size capped at 1080p, never
    /// larger) rewrapped from its segments into one MP4 without encoding again, the index (moov) moved to the front so a
    /// browser can start playing and seeking before the end arrives. Encoding a second time would double the CPU cost
    /// of every video for the same pictures.
    /// </summary>
    public static IReadOnlyList<string> Mp4FromRendition(string renditionPlaylist, string output) =>
    [
        .. Common, "-i", renditionPlaylist,
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
        "-movflags", "+faststart", "-f", "mp4", output,
    ];

    /// <summary>yuv420p and the High profile: what every browser and phone decodes, whatever the source's pixel format.</summary>
    private static string[] VideoCodec(VideoEncoding encoding) =>
        ["-c:v", "libx264", "-preset", encoding.Preset, "-crf", Int(encoding.Crf), "-pix_fmt", "yuv420p", "-profile:v", "high"];

    /// <summary>Stereo AAC: mono stays mono-sounding, surround is folded down for the browsers that could not play it.</summary>
    private static readonly string[] AudioCodec = ["-c:a", "aac", "-b:a", Kbps(AudioKbps), "-ac", "2"];

    private static string Kbps(int kbps) => Int(kbps) + "k";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
