using System.ComponentModel.DataAnnotations;
using AioStorage.Core.Messaging;
using AioStorage.Worker.Media;

namespace AioStorage.Worker.Processing;

/// <summary>
/// Configuration section <c>Worker</c> (e.g. <c>Worker__TranscodeConcurrency=2</c>) for upload processing and
/// transcoding; validated at start-up, binaries included, so a worker without ffmpeg refuses to start instead of
/// failing every video later.
/// </summary>
public sealed class MediaWorkerOptions : IValidatableObject
{
    public const string SectionName = "Worker";

    public static readonly string[] Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"];

    /// <summary>ffmpeg executable: a name looked up on PATH, or a full path.</summary>
    [Required]
    public string FfmpegPath { get; set; } = "ffmpeg";

    [Required]
    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>Transcodes one worker runs at once. ffmpeg uses several cores per job, so half the cores keeps the machine responsive.</summary>
    [Range(1, 64)]
    public int TranscodeConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Uploads one worker processes at once (hashing, probing, thumbnails: short, but memory-hungry for big images).</summary>
    [Range(1, 64)]
    public int UploadConcurrency { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>The longest one video's transcode (HLS and MP4 together) may take before it is killed and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "2.00:00:00")]
    public TimeSpan TranscodeTimeout { get; set; } = TimeSpan.FromHours(3);

    /// <summary>The longest ffprobe or a poster frame may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Work folders older than this are left over from a worker that was killed and are deleted. Longer than
    /// <see cref="TranscodeTimeout"/>, so a running job's folder is never taken for one.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan StaleWorkAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Images with more pixels get no thumbnails (decompression bombs, giant scans).</summary>
    [Range(1_000_000, 2_000_000_000)]
    public long MaxImagePixels { get; set; } = 100_000_000;

    /// <summary>x264 preset: slower presets give smaller files for the same quality at a large cost in CPU.</summary>
    [Required]
    public string VideoPreset { get; set; } = "veryfast";

    /// <summary>x264 CRF: lower is better quality and bigger files (18 is visually lossless, 28 is small).</summary>
    [Range(0, 51)]
    public int VideoQuality { get; set; } = 23;

    /// <summary>How often running work writes its progress to Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    public VideoEncoding Encoding => new(VideoPreset, VideoQuality);

    /// <summary>The file.upload consumer: <see cref="UploadConcurrency"/> handlers, a little prefetch to keep them fed.</summary>
    public void ConfigureUploadConsumer(ConsumerOptions consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        consumer.Concurrency = (ushort)UploadConcurrency;
        consumer.Prefetch = (ushort)(UploadConcurrency * 2);
    }

    /// <summary>
    /// The video.transcode consumer: <see cref="TranscodeConcurrency"/> handlers and no prefetch beyond them, so a
    /// waiting video goes to whichever worker frees up first instead of queueing behind a long job here.
    /// </summary>
    public void ConfigureTranscodeConsumer(ConsumerOptions consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        consumer.Concurrency = (ushort)TranscodeConcurrency;
        consumer.Prefetch = (ushort)TranscodeConcurrency;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StaleWorkAfter <= TranscodeTimeout)
        {
            yield return new ValidationResult(
                "Worker:StaleWorkAfter must be longer than Worker:TranscodeTimeout, or a running transcode's folder could be swept.",
                [nameof(StaleWorkAfter)]);
        }

        if (!Presets.Contains(VideoPreset))
        {
            yield return new ValidationResult($"Worker:VideoPreset must be one of {string.Join(", ", Presets)}.", [nameof(VideoPreset)]);
        }

        foreach (var (name, value, package) in new[] { (nameof(FfmpegPath), FfmpegPath, "ffmpeg"), (nameof(FfprobePath), FfprobePath, "ffmpeg") })
        {
            if (!string.IsNullOrWhiteSpace(value) && ResolveExecutable(value) is null)
            {
                yield return new ValidationResult(
                    $"Worker:{name} '{value}' is not an executable file here (install {package}, or set Worker:{name} to its full path).", [name]);
            }
        }
    }

    /// <summary>The full path of <paramref name="executable"/>: itself when it is a path, else the first match on PATH.</summary>
    public static string? ResolveExecutable(string executable)
    {
        if (executable.Contains(Path.DirectorySeparatorChar) || executable.Contains(Path.AltDirectorySeparatorChar))
        {
            return File.Exists(executable) ? Path.GetFullPath(executable) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
    }
}
