using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AioStorage.Worker.Media;

/// <summary>One run of ffmpeg or ffprobe.</summary>
/// <param name="DurationSeconds">The input's length, to turn <c>-progress</c> times into percent.</param>
/// <param name="OnProgress">Called with 0-100 after each progress block ffmpeg writes to stdout (needs <c>-progress pipe:1</c>).</param>
/// <param name="CaptureStdout">Keep stdout (ffprobe's JSON) instead of reading it as progress.</param>
public sealed record FfmpegInvocation(string FileName, IReadOnlyList<string> Arguments, TimeSpan Timeout)
{
    public double? DurationSeconds { get; init; }

    public Func<double, ValueTask>? OnProgress { get; init; }

    public bool CaptureStdout { get; init; }
}

/// <param name="StderrTail">The last <see cref="FfmpegProcess.StderrTailChars"/> characters of stderr: where ffmpeg says what went wrong.</param>
public sealed record FfmpegResult(int ExitCode, string Stdout, string StderrTail, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last line of stderr that says something, without the input path ffmpeg puts in front, for a user-facing reason.</summary>
    public string ShortError(string? input = null) => FfmpegErrors.Summarise(StderrTail, input) ?? $"exit code {ExitCode}";
}

/// <summary>The run took longer than its timeout; the process tree was killed. A transient failure: the message is retried.</summary>
public sealed class FfmpegTimeoutException(string fileName, TimeSpan timeout, string stderrTail)
    : TimeoutException($"{Path.GetFileName(fileName)} did not finish within {timeout}.")
{
    public string StderrTail { get; } = stderrTail;
}

/// <summary>
/// Runs ffmpeg or ffprobe as a child process: arguments as a list (no shell), stdin closed, stdout read as
/// <c>-progress</c> key=value blocks (or captured, for ffprobe), the tail of stderr kept for logs and error reasons. A
/// timeout or a cancellation kills the whole process tree and waits for it to be gone, so no ffmpeg outlives its job.
/// Building the arguments is elsewhere (<see cref="FfmpegArguments"/>): this class only runs them.
/// </summary>
public sealed partial class FfmpegProcess(TimeProvider time, ILogger<FfmpegProcess> logger)
{
    /// <summary>Enough for ffmpeg's last complaints, small enough to log and keep in a header.</summary>
    public const int StderrTailChars = 16 * 1024;

    /// <summary>ffprobe's JSON for any sane file is a few KiB; more is refused rather than buffered without end.</summary>
    public const int MaxStdoutChars = 4 * 1024 * 1024;

    /// <exception cref="FfmpegTimeoutException">The run took longer than <see cref="FfmpegInvocation.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the process was killed).</exception>
    /// <exception cref="Win32Exception">The executable could not be started.</exception>
    public async Task<FfmpegResult> RunAsync(FfmpegInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(invocation.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in invocation.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var program = Path.GetFileName(invocation.FileName);
        using var activity = WorkerTelemetry.Source.StartActivity(program, ActivityKind.Internal);
        activity?.SetTag("process.executable.name", program);
        using var process = new Process { StartInfo = startInfo };
        var started = time.GetTimestamp();
        process.Start();
        LogStarted(logger, program, process.Id, invocation.Arguments.Count);
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(invocation.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stderr = new TailBuffer(StderrTailChars);
        var stdout = new StringBuilder();
        var readingStderr = ReadStderrAsync(process.StandardError, stderr);
        var readingStdout = invocation.CaptureStdout
            ? CaptureAsync(process.StandardOutput, stdout)
            : ReadProgressAsync(process.StandardOutput, invocation, linked.Token);

        try
        {
            await process.WaitForExitAsync(linked.Token);
            await Task.WhenAll(readingStdout, readingStderr).WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, cancellationToken.IsCancellationRequested ? "cancelled" : "timed out");
            await KillAsync(process);
            await Task.WhenAll(readingStdout, readingStderr).ContinueWith(_ => { }, TaskScheduler.Default);
            var elapsed = time.GetElapsedTime(started);
            if (cancellationToken.IsCancellationRequested)
            {
                LogCancelled(logger, program, process.Id, elapsed.TotalSeconds);
                throw new OperationCanceledException("The run was cancelled; its process was killed.", cancellationToken);
            }

            LogTimedOut(logger, program, process.Id, invocation.Timeout, stderr.ToString());
            throw new FfmpegTimeoutException(invocation.FileName, invocation.Timeout, stderr.ToString());
        }
        catch
        {
            // Reading its output failed (too much of it, a progress callback threw): the run is worthless, end it.
            await KillAsync(process);
            throw;
        }

        var result = new FfmpegResult(process.ExitCode, stdout.ToString(), stderr.ToString(), time.GetElapsedTime(started));
        activity?.SetTag("process.exit.code", result.ExitCode);
        if (result.Succeeded)
        {
            LogFinished(logger, program, process.Id, result.Elapsed.TotalSeconds);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.ShortError());
            LogFailed(logger, program, process.Id, result.ExitCode, result.StderrTail);
        }

        return result;
    }

    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited on its own meanwhile.
        }

        await process.WaitForExitAsync(CancellationToken.None);
    }

    private static async Task ReadStderrAsync(StreamReader reader, TailBuffer tail)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory())) > 0)
        {
            tail.Append(buffer.AsSpan(0, read));
        }
    }

    private static async Task CaptureAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory())) > 0)
        {
            if (into.Length + read > MaxStdoutChars)
            {
                throw new InvalidDataException($"More than {MaxStdoutChars} characters on stdout.");
            }

            into.Append(buffer, 0, read);
        }
    }

    private static async Task ReadProgressAsync(StreamReader reader, FfmpegInvocation invocation, CancellationToken cancellationToken)
    {
        var parser = new FfmpegProgressParser(invocation.DurationSeconds);
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (parser.Feed(line) is { } percent && invocation.OnProgress is { } report && !cancellationToken.IsCancellationRequested)
            {
                await report(percent);
            }
        }
    }

    [LoggerMessage(LogLevel.Debug, "Started {Program} (pid {Pid}) with {ArgumentCount} arguments")]
    private static partial void LogStarted(ILogger logger, string program, int pid, int argumentCount);

    [LoggerMessage(LogLevel.Debug, "{Program} (pid {Pid}) finished in {Seconds:0.00} s")]
    private static partial void LogFinished(ILogger logger, string program, int pid, double seconds);

    [LoggerMessage(LogLevel.Warning, "{Program} (pid {Pid}) exited with {ExitCode}: {StderrTail}")]
    private static partial void LogFailed(ILogger logger, string program, int pid, int exitCode, string stderrTail);

    [LoggerMessage(LogLevel.Warning, "{Program} (pid {Pid}) ran over its {Timeout} timeout and was killed: {StderrTail}")]
    private static partial void LogTimedOut(ILogger logger, string program, int pid, TimeSpan timeout, string stderrTail);

    [LoggerMessage(LogLevel.Information, "{Program} (pid {Pid}) was cancelled after {Seconds:0.00} s and killed")]
    private static partial void LogCancelled(ILogger logger, string program, int pid, double seconds);

    /// <summary>Keeps the last <c>capacity</c> characters written to it.</summary>
    private sealed class TailBuffer(int capacity)
    {
        private readonly StringBuilder _text = new();

        public void Append(ReadOnlySpan<char> chunk)
        {
            lock (_text)
            {
                _text.Append(chunk);
                if (_text.Length > capacity * 2)
                {
                    _text.Remove(0, _text.Length - capacity);
                }
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.Length > capacity ? _text.ToString(_text.Length - capacity, capacity) : _text.ToString();
            }
        }
    }
}

/// <summary>
/// Reads ffmpeg's <c>-progress</c> output: blocks of key=value lines, each ended by <c>progress=continue</c> or
/// <c>progress=end</c>. <c>out_time_us</c> (and <c>out_time_ms</c>, which despite its name is also microseconds) say
/// how far the output is; against the input's duration that is a percentage.
/// </summary>
public sealed class FfmpegProgressParser(double? durationSeconds)
{
    private double? _outSeconds;

    /// <summary>The percentage (0-100) when <paramref name="line"/> ends a block, else null. Without a duration only the end (100) is known.</summary>
    public double? Feed(string line)
    {
        var equals = line.IndexOf('=');
        if (equals <= 0)
        {
            return null;
        }

        var key = line.AsSpan(0, equals).Trim();
        var value = line.AsSpan(equals + 1).Trim();
        if (key.SequenceEqual("out_time_us") || (key.SequenceEqual("out_time_ms") && _outSeconds is null))
        {
            if (long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var microseconds) && microseconds >= 0)
            {
                _outSeconds = microseconds / 1_000_000.0;
            }

            return null;
        }

        if (!key.SequenceEqual("progress"))
        {
            return null;
        }

        if (value.SequenceEqual("end"))
        {
            return 100;
        }

        var percent = durationSeconds is > 0 && _outSeconds is { } seconds ? Math.Clamp(seconds / durationSeconds.Value * 100, 0, 100) : (double?)null;
        _outSeconds = null;
        return percent;
    }
}

/// <summary>Turns ffmpeg's stderr into one short line a user can read.</summary>
public static class FfmpegErrors
{
    private const int MaxLength = 200;

    public static string? Summarise(string stderr, string? input)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var line = lines[i];
            if (input is not null && line.StartsWith(input, StringComparison.Ordinal))
            {
                line = line[input.Length..].TrimStart(':', ' ');
            }

            // "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d...] moov atom not found": the component tag says nothing to a user.
            if (line.StartsWith('[') && line.IndexOf("] ", StringComparison.Ordinal) is > 0 and var close)
            {
                line = line[(close + 2)..];
            }

            if (line.Length == 0 || line.StartsWith("Conversion failed", StringComparison.Ordinal))
            {
                continue;
            }

            return line.Length <= MaxLength ? line : line[..MaxLength] + "…";
        }

        return null;
    }
}
