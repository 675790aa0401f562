using System.Collections.Concurrent;
using AioStorage.Worker.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace AioStorage.Tests.Worker;

public sealed class FfmpegProcessTests
{
    private readonly FfmpegProcess _runner = new(TimeProvider.System, NullLogger<FfmpegProcess>.Instance);

    [Fact]
    public async Task Progress_is_parsed_from_stdout_and_reaches_100()
    {
        var samples = await MediaSamples.GetAsync();
        var reports = new ConcurrentQueue<double>();
        var result = await _runner.RunAsync(new FfmpegInvocation("ffmpeg",
            ["-hide_banner", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1", "-i", samples.PortraitClip, "-f", "null", "-"],
            TimeSpan.FromSeconds(30))
        {
            DurationSeconds = 2,
            OnProgress = percent =>
            {
                reports.Enqueue(percent);
                return ValueTask.CompletedTask;
            },
        }, CancellationToken.None);

        Assert.True(result.Succeeded, result.StderrTail);
        Assert.NotEmpty(reports);
        Assert.Equal(100, reports.Last());
        Assert.All(reports, p => Assert.InRange(p, 0, 100));
        Assert.Equal(reports.Order(), reports);
    }

    [Fact]
    public async Task Stdout_is_captured_for_ffprobe_and_parsed()
    {
        var samples = await MediaSamples.GetAsync();
        var result = await _runner.RunAsync(new FfmpegInvocation("ffprobe", FfmpegArguments.Probe(samples.PortraitClip), TimeSpan.FromSeconds(30))
        {
            CaptureStdout = true,
        }, CancellationToken.None);

        var probe = FfprobeOutput.Parse(result.Stdout);
        Assert.Equal(2.0, probe.DurationSeconds!.Value, 1);
        Assert.Contains("mp4", probe.FormatName);
        var video = probe.Video!;
        Assert.Equal(("h264", 640, 360), (video.Codec, video.Width, video.Height));
        Assert.Equal((360, 640), (video.DisplayWidth, video.DisplayHeight));
        Assert.Contains(video.Rotation, new[] { 90, 270 });
        Assert.Equal("aac", probe.Audio!.Codec);
        Assert.Equal(1, probe.Audio.Index);
    }

    [Fact]
    public async Task A_corrupt_input_exits_with_1_and_the_reason_is_kept_without_the_path()
    {
        var samples = await MediaSamples.GetAsync();
        var result = await _runner.RunAsync(new FfmpegInvocation("ffprobe", FfmpegArguments.Probe(samples.CorruptClip), TimeSpan.FromSeconds(30))
        {
            CaptureStdout = true,
        }, CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(samples.CorruptClip, result.StderrTail);
        var reason = result.ShortError(samples.CorruptClip);
        Assert.DoesNotContain(samples.CorruptClip, reason);
        Assert.Contains("Invalid data found", reason);
    }

    [Fact]
    public async Task A_timeout_kills_the_process_tree()
    {
        var marker = Guid.NewGuid().ToString("N");
        var started = DateTime.UtcNow;

        var timeout = await Assert.ThrowsAsync<FfmpegTimeoutException>(() => _runner.RunAsync(new FfmpegInvocation("ffmpeg",
            ["-hide_banner", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-metadata", $"comment={marker}", "-f", "null", "-"],
            TimeSpan.FromMilliseconds(700)), CancellationToken.None));

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10));
        Assert.Contains("did not finish within", timeout.Message);
        Assert.False(IsRunning(marker), "ffmpeg still runs after its timeout");
    }

    [Fact]
    public async Task Cancellation_kills_the_process_and_throws_operation_cancelled()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _runner.RunAsync(new FfmpegInvocation("ffmpeg",
            ["-hide_banner", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-metadata", $"comment={marker}", "-f", "null", "-"],
            TimeSpan.FromMinutes(1)), cancel.Token));

        Assert.False(IsRunning(marker), "ffmpeg still runs after cancellation");
    }

    [Fact]
    public async Task Only_the_tail_of_stderr_is_kept()
    {
        // showinfo logs a line of ~300 characters per frame: 1000 frames are far more than the tail holds.
        var result = await _runner.RunAsync(new FfmpegInvocation("ffmpeg",
            ["-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=25", "-t", "40", "-vf", "showinfo", "-f", "null", "-"],
            TimeSpan.FromSeconds(60)), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(FfmpegProcess.StderrTailChars, result.StderrTail.Length);
        Assert.Contains("n: 999 ", result.StderrTail);
        Assert.DoesNotContain("n:   0 ", result.StderrTail);
    }

    [Fact]
    public async Task A_missing_executable_fails_to_start()
        => await Assert.ThrowsAsync<System.ComponentModel.Win32Exception>(() =>
            _runner.RunAsync(new FfmpegInvocation("/nonexistent/ffmpeg", ["-version"], TimeSpan.FromSeconds(5)), CancellationToken.None));

    private static bool IsRunning(string marker) =>
        Directory.EnumerateDirectories("/proc").Any(dir =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });
}

public sealed class FfmpegProgressParserTests
{
    [Fact]
    public void A_block_ends_with_progress_and_gives_the_percentage_of_the_duration()
    {
        var parser = new FfmpegProgressParser(10);
        Assert.Null(parser.Feed("frame=50"));
        Assert.Null(parser.Feed("out_time_us=2500000"));
        Assert.Null(parser.Feed("out_time_ms=2500000"));
        Assert.Null(parser.Feed("out_time=00:00:02.500000"));
        Assert.Equal(25, parser.Feed("progress=continue"));
        Assert.Null(parser.Feed("out_time_ms=5000000"));
        Assert.Equal(50, parser.Feed("progress=continue"));
        Assert.Equal(100, parser.Feed("progress=end"));
    }

    [Fact]
    public void Unknown_or_missing_times_give_nothing_but_the_end()
    {
        var parser = new FfmpegProgressParser(null);
        Assert.Null(parser.Feed("out_time_us=1000000"));
        Assert.Null(parser.Feed("progress=continue"));
        Assert.Equal(100, parser.Feed("progress=end"));

        var withDuration = new FfmpegProgressParser(4);
        Assert.Null(withDuration.Feed("out_time_us=N/A"));
        Assert.Null(withDuration.Feed("progress=continue"));
        Assert.Null(withDuration.Feed("garbage line"));
    }

    [Fact]
    public void Times_past_the_duration_are_capped()
    {
        var parser = new FfmpegProgressParser(1);
        parser.Feed("out_time_us=1500000");
        Assert.Equal(100, parser.Feed("progress=continue"));
    }

    [Theory]
    [InlineData("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c] moov atom not found\n/data/blob: Invalid data found when processing input\n", "/data/blob",
        "Invalid data found when processing input")]
    [InlineData("[h264 @ 0x1] error while decoding MB 3 4\nConversion failed!\n", null, "error while decoding MB 3 4")]
    [InlineData("\n\n", null, null)]
    public void Errors_are_summarised_in_one_line(string stderr, string? input, string? expected)
        => Assert.Equal(expected, FfmpegErrors.Summarise(stderr, input));
}

public sealed class FfprobeOutputTests
{
    [Fact]
    public void Display_matrix_rotation_turns_the_displayed_size_and_is_reported_clockwise()
    {
        var probe = FfprobeOutput.Parse("""
            {"streams":[{"index":0,"codec_type":"video","codec_name":"hevc","width":1920,"height":1080,"sample_aspect_ratio":"1:1",
              "side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]},
              {"index":1,"codec_type":"audio","codec_name":"aac","channels":2,"sample_rate":"48000"}],
             "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"12.345000"}}
            """);

        Assert.Equal(new VideoStreamInfo(0, "hevc", 1920, 1080, 90, 1080, 1920), probe.Video);
        Assert.Equal(new AudioStreamInfo(1, "aac", 2, 48000), probe.Audio);
        Assert.Equal(12.345, probe.DurationSeconds);
    }

    [Fact]
    public void Cover_art_is_not_the_video_and_the_rotate_tag_still_counts()
    {
        var probe = FfprobeOutput.Parse("""
            {"streams":[{"index":0,"codec_type":"audio","codec_name":"mp3"},
              {"index":1,"codec_type":"video","codec_name":"mjpeg","width":600,"height":600,"disposition":{"attached_pic":1}}],
             "format":{"format_name":"mp3","duration":"180.0"}}
            """);
        Assert.Null(probe.Video);
        Assert.Equal("mp3", probe.Audio!.Codec);

        var tagged = FfprobeOutput.Parse("""
            {"streams":[{"index":3,"codec_type":"video","codec_name":"h264","width":640,"height":480,"tags":{"rotate":"270"}}],"format":{}}
            """);
        Assert.Equal((480, 640, 270, 3), (tagged.Video!.DisplayWidth, tagged.Video.DisplayHeight, tagged.Video.Rotation, tagged.Video.Index));
        Assert.Null(tagged.DurationSeconds);
    }

    [Fact]
    public void Anamorphic_pixels_widen_the_displayed_size()
    {
        var probe = FfprobeOutput.Parse("""
            {"streams":[{"index":0,"codec_type":"video","codec_name":"mpeg2video","width":720,"height":576,"sample_aspect_ratio":"64:45",
              "duration":"3.0"}],"format":{"format_name":"mpegts"}}
            """);
        Assert.Equal((1024, 576), (probe.Video!.DisplayWidth, probe.Video.DisplayHeight));
        Assert.Equal(3.0, probe.DurationSeconds);
    }

    [Theory]
    [InlineData(-90, 270)]
    [InlineData(90, 90)]
    [InlineData(180, 180)]
    [InlineData(-180, 180)]
    [InlineData(270, 270)]
    [InlineData(-270, 90)]
    [InlineData(359, 0)]
    [InlineData(0, 0)]
    public void Rotations_are_normalised_to_quarter_turns(double degrees, int expected)
        => Assert.Equal(expected, FfprobeOutput.NormaliseRotation(degrees));

    [Fact]
    public void Output_that_is_not_json_is_refused()
        => Assert.Throws<FormatException>(() => FfprobeOutput.Parse("moov atom not found"));
}
