using AioStorage.Worker.Media;

namespace AioStorage.Tests.Worker;

public sealed class FfmpegArgumentsTests
{
    private static readonly VideoStreamInfo Portrait = new(0, "h264", 1920, 1080, 90, 1080, 1920);
    private static readonly AudioStreamInfo Stereo = new(1, "aac", 2, 48000);

    [Fact]
    public void Probe_asks_for_json_with_format_and_streams_and_ends_with_the_input()
    {
        Assert.Equal(["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "/data/in"], FfmpegArguments.Probe("/data/in"));
    }

    [Theory]
    [InlineData(20.0, 2.0)]
    [InlineData(2.0, 0.2)]
    [InlineData(null, 1.0)]
    [InlineData(0.0, 1.0)]
    public void Poster_position_is_a_tenth_in_or_one_second(double? duration, double expected)
        => Assert.Equal(expected, FfmpegArguments.PosterPosition(duration), 3);

    [Fact]
    public void Poster_seeks_before_the_input_maps_the_video_stream_and_scales_to_the_displayed_shape()
    {
        var args = FfmpegArguments.Poster("/in", "/out/poster.jpg", Portrait, 1.5);

        Assert.Equal(args.ToList().IndexOf("-ss") + 2, args.ToList().IndexOf("-i"));
        Assert.Equal("1.5", After(args, "-ss"));
        Assert.Equal("0:0", After(args, "-map"));
        Assert.Equal("1", After(args, "-frames:v"));
        // 1080x1920 upright, fit to 1280 on the long side: 720x1280.
        Assert.Equal("scale=720:1280,setsar=1", After(args, "-vf"));
        Assert.Equal("/out/poster.jpg", args[^1]);
        Assert.Contains("-nostdin", args);
    }

    [Fact]
    public void Poster_of_a_small_video_is_not_enlarged()
    {
        var args = FfmpegArguments.Poster("/in", "/out.jpg", new VideoStreamInfo(2, "vp9", 320, 240, 0, 320, 240), 0);
        Assert.Equal("scale=320:240,setsar=1", After(args, "-vf"));
        Assert.Equal("0:2", After(args, "-map"));
    }

    [Fact]
    public void Hls_splits_the_decoded_picture_once_per_rendition_and_maps_audio_to_each()
    {
        var renditions = RenditionLadder.Select(1080, 1920);
        var args = FfmpegArguments.Hls(new HlsJob("/in.mp4", "/work/hls", Portrait, Stereo, renditions, new VideoEncoding()));

        Assert.Equal("/in.mp4", After(args, "-i"));
        Assert.Equal(
            "[0:0]split=3[s0][s1][s2];[s0]scale=1080:1920,setsar=1[v0];[s1]scale=720:1280,setsar=1[v1];[s2]scale=360:640,setsar=1[v2]",
            After(args, "-filter_complex"));
        Assert.Equal(["[v0]", "[v1]", "[v2]", "0:1", "0:1", "0:1"], AllAfter(args, "-map"));
        Assert.Equal("v:0,a:0,name:1080p v:1,a:1,name:720p v:2,a:2,name:360p", After(args, "-var_stream_map"));
        Assert.Equal("master.m3u8", After(args, "-master_pl_name"));
        Assert.Equal("/work/hls/%v/segment-%05d.ts", After(args, "-hls_segment_filename"));
        Assert.Equal("/work/hls/%v/index.m3u8", args[^1]);
    }

    [Fact]
    public void Hls_is_h264_and_aac_vod_with_four_second_segments_and_aligned_keyframes()
    {
        var args = FfmpegArguments.Hls(new HlsJob("/in", "/o", Portrait, Stereo, RenditionLadder.Select(1080, 1920), new VideoEncoding("faster", 21)));

        Assert.Equal("libx264", After(args, "-c:v"));
        Assert.Equal("faster", After(args, "-preset"));
        Assert.Equal("21", After(args, "-crf"));
        Assert.Equal("yuv420p", After(args, "-pix_fmt"));
        Assert.Equal("aac", After(args, "-c:a"));
        Assert.Equal("2", After(args, "-ac"));
        Assert.Equal("hls", After(args, "-f"));
        Assert.Equal("4", After(args, "-hls_time"));
        Assert.Equal("vod", After(args, "-hls_playlist_type"));
        Assert.Equal("expr:gte(t,n_forced*4)", After(args, "-force_key_frames"));
        Assert.Equal("0", After(args, "-sc_threshold"));
        // A bitrate ceiling per rendition: HLS reports it as BANDWIDTH.
        Assert.Equal("5000k", After(args, "-maxrate:v:0"));
        Assert.Equal("2800k", After(args, "-maxrate:v:1"));
        Assert.Equal("800k", After(args, "-maxrate:v:2"));
        Assert.Equal("1600k", After(args, "-bufsize:v:2"));
        Assert.Equal("pipe:1", After(args, "-progress"));
    }

    [Fact]
    public void Hls_of_a_silent_video_maps_no_audio()
    {
        var args = FfmpegArguments.Hls(new HlsJob("/in", "/o", new VideoStreamInfo(0, "h264", 640, 360, 0, 640, 360), null,
            RenditionLadder.Select(640, 360), new VideoEncoding()));

        Assert.Equal(["[v0]"], AllAfter(args, "-map"));
        Assert.DoesNotContain("-c:a", args);
        Assert.Equal("v:0,name:360p", After(args, "-var_stream_map"));
    }

    [Fact]
    public void Hls_needs_a_rendition()
        => Assert.Throws<ArgumentException>(() => FfmpegArguments.Hls(new HlsJob("/in", "/o", Portrait, null, [], new VideoEncoding())));

    [Fact]
    public void Mp4_rewraps_the_best_rendition_without_encoding_again_with_the_index_first()
    {
        var args = FfmpegArguments.Mp4FromRendition("/media/hls/1080p/index.m3u8", "/work/video.mp4");

        Assert.Equal("/media/hls/1080p/index.m3u8", After(args, "-i"));
        Assert.Equal(["0:v:0", "0:a:0?"], AllAfter(args, "-map"));
        Assert.Equal("copy", After(args, "-c"));
        Assert.DoesNotContain("libx264", args);
        Assert.Equal("+faststart", After(args, "-movflags"));
        Assert.Equal("mp4", After(args, "-f"));
        Assert.Equal("/work/video.mp4", args[^1]);
    }

    [Fact]
    public void Input_paths_are_single_arguments_whatever_they_contain()
    {
        const string odd = "/data/a b;rm -rf ~ $(x)/in";
        var args = FfmpegArguments.Hls(new HlsJob(odd, "/o", Portrait, null, RenditionLadder.Select(1080, 1920), new VideoEncoding()));
        Assert.Equal(odd, After(args, "-i"));
    }

    private static string After(IReadOnlyList<string> args, string option)
    {
        var index = args.ToList().IndexOf(option);
        Assert.True(index >= 0 && index + 1 < args.Count, $"{option} missing in: {string.Join(' ', args)}");
        return args[index + 1];
    }

    private static List<string> AllAfter(IReadOnlyList<string> args, string option) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == option).Select(x => args[x.i + 1]).ToList();
}

public sealed class RenditionLadderTests
{
    [Fact]
    public void Landscape_1080p_gets_the_whole_ladder()
    {
        var ladder = RenditionLadder.Select(1920, 1080);
        Assert.Equal(["1080p 1920x1080", "720p 1280x720", "360p 640x360"], ladder.Select(r => $"{r.Name} {r.Width}x{r.Height}"));
    }

    [Fact]
    public void Portrait_phone_video_is_laddered_by_its_short_side()
    {
        var ladder = RenditionLadder.Select(1080, 1920);
        Assert.Equal(["1080p 1080x1920", "720p 720x1280", "360p 360x640"], ladder.Select(r => $"{r.Name} {r.Width}x{r.Height}"));
    }

    [Fact]
    public void A_source_between_rungs_is_never_upscaled()
    {
        var ladder = RenditionLadder.Select(1600, 900);
        Assert.Equal(["720p 1280x720", "360p 640x360"], ladder.Select(r => $"{r.Name} {r.Width}x{r.Height}"));
    }

    [Fact]
    public void A_tiny_source_gets_one_rendition_at_its_own_size()
    {
        var rendition = Assert.Single(RenditionLadder.Select(320, 240));
        Assert.Equal(("240p", 320, 240), (rendition.Name, rendition.Width, rendition.Height));
        Assert.InRange(rendition.MaxVideoKbps, RenditionLadder.MinimumKbps, 800);
    }

    [Fact]
    public void Odd_sizes_become_even_and_never_larger()
    {
        var single = Assert.Single(RenditionLadder.Select(321, 241));
        Assert.Equal((320, 240), (single.Width, single.Height));

        var top = RenditionLadder.Select(1081, 1921)[0];
        Assert.Equal((1080, 1918), (top.Width, top.Height));
        Assert.All(RenditionLadder.Select(1000, 563), r => Assert.True(r.Width % 2 == 0 && r.Height % 2 == 0));
    }

    [Fact]
    public void Ultra_wide_keeps_its_aspect()
    {
        var ladder = RenditionLadder.Select(2560, 1080);
        Assert.Equal("2560x1080", $"{ladder[0].Width}x{ladder[0].Height}");
        Assert.Equal("852x360", $"{ladder[2].Width}x{ladder[2].Height}");
    }

    [Theory]
    [InlineData(4000, 3000, 1280, 1280, 960)]
    [InlineData(3000, 4000, 1280, 960, 1280)]
    [InlineData(200, 100, 1280, 200, 100)]
    public void Fit_within_a_box(int width, int height, int box, int expectedWidth, int expectedHeight)
        => Assert.Equal((expectedWidth, expectedHeight), RenditionLadder.FitWithin(width, height, box));
}
