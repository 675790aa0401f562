using AioStorage.Worker.Media;
using Microsoft.Extensions.Options;

namespace AioStorage.Worker.Processing;

/// <summary>
/// The content cannot be read as the media it claims to be (corrupt, truncated, not media at all). Retrying cannot help:
/// the file is marked failed with a reason built from <see cref="Exception.Message"/>, and the message dead-lettered.
/// </summary>
public sealed class MediaUnreadableException(string reason) : Exception(reason);

/// <summary>
/// ffmpeg failed for a reason outside the input (killed, out of disk or memory, an unexpected exit): a transient error,
/// so the message is retried.
/// </summary>
public sealed class FfmpegFailedException(string message) : Exception(message);

/// <summary>Runs ffprobe on a content and reads what it found.</summary>
public sealed class MediaProber(FfmpegProcess runner, IOptions<MediaWorkerOptions> options)
{
    /// <exception cref="MediaUnreadableException">ffprobe cannot read the input.</exception>
    /// <exception cref="FfmpegFailedException">ffprobe failed for another reason.</exception>
    public async Task<MediaProbe> ProbeAsync(string input, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var result = await runner.RunAsync(
            new FfmpegInvocation(settings.FfprobePath, FfmpegArguments.Probe(input), settings.ProbeTimeout) { CaptureStdout = true },
            cancellationToken);
        ThrowIfFailed(result, input, "ffprobe");
        try
        {
            return FfprobeOutput.Parse(result.Stdout);
        }
        catch (FormatException ex)
        {
            throw new FfmpegFailedException($"ffprobe printed something unexpected: {ex.Message}");
        }
    }

    /// <summary>
    /// Sorts a failed run: exit code 1 is how ffmpeg and ffprobe report an input they cannot process, unless the
    /// machine itself ran out of something; any other code (a signal, a crash) says nothing about the input.
    /// </summary>
    public static void ThrowIfFailed(FfmpegResult result, string input, string program)
    {
        if (result.Succeeded)
        {
            return;
        }

        if (result.ExitCode == 1 && !IsResourceFailure(result.StderrTail))
        {
            throw new MediaUnreadableException(result.ShortError(input));
        }

        throw new FfmpegFailedException($"{program} exited with code {result.ExitCode}: {result.ShortError(input)}");
    }

    private static bool IsResourceFailure(string stderr) =>
        stderr.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Cannot allocate memory", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Too many open files", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase);
}
