using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using AioStorage.Core.Configuration;
using AioStorage.Core.Media;
using AioStorage.Worker.Media;
using AioStorage.Worker.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace AioStorage.Tests.Worker;

/// <summary>The ffmpeg side of the pipeline on real clips: probe, poster, thumbnails, HLS and MP4, checked with ffprobe.</summary>
public sealed class VideoPipelineTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("aio-pipeline-").FullName;
    private ServiceProvider _services = null!;
    private MediaSamples _samples = null!;

    private MediaStore Store => _services.GetRequiredService<MediaStore>();

    public async Task InitializeAsync()
    {
        _samples = await MediaSamples.GetAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new StorageOptions(_root));
        services.AddMediaProcessing(new ConfigurationBuilder().Build());
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_portrait_clip_with_sound_becomes_valid_hls_and_a_faststart_mp4_shown_upright()
    {
        var sha = Sha256(_samples.PortraitClip);
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_samples.PortraitClip, CancellationToken.None);
        var progress = new ConcurrentQueue<double>();

        var ran = await _services.GetRequiredService<VideoTranscoder>().EnsureAsync(sha, _samples.PortraitClip, probe, p =>
        {
            progress.Enqueue(p);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.True(ran);
        var hls = Store.StreamDirectory(sha);
        var master = await File.ReadAllLinesAsync(Path.Combine(hls, "master.m3u8"));
        Assert.Equal("#EXTM3U", master[0]);
        var streamInf = Assert.Single(master, l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal));
        Assert.Matches(@"BANDWIDTH=\d+", streamInf);
        Assert.Contains("RESOLUTION=360x640", streamInf);
        Assert.Contains("CODECS=\"avc1.", streamInf);
        Assert.Contains("mp4a.40.2", streamInf);
        Assert.Equal("360p/index.m3u8", master[Array.IndexOf(master, streamInf) + 1]);

        var segments = await AssertRenditionPlaylistAsync(Path.Combine(hls, "360p", "index.m3u8"));
        foreach (var segment in segments)
        {
            var streams = (await MediaSamples.ProbeAsync(Path.Combine(hls, "360p", segment))).GetProperty("streams");
            var video = streams.EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
            Assert.Equal("h264", video.GetProperty("codec_name").GetString());
            Assert.Equal((360, 640), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
            Assert.Contains(streams.EnumerateArray(), s => s.GetProperty("codec_name").GetString() == "aac");
        }

        var mp4 = await MediaSamples.ProbeAsync(Store.Mp4Path(sha));
        var mp4Video = mp4.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal("h264", mp4Video.GetProperty("codec_name").GetString());
        Assert.Equal("High", mp4Video.GetProperty("profile").GetString());
        Assert.Equal((360, 640), (mp4Video.GetProperty("width").GetInt32(), mp4Video.GetProperty("height").GetInt32()));
        Assert.False(mp4Video.TryGetProperty("side_data_list", out _), "the MP4 is upright already; it must not be turned again");
        Assert.Contains(mp4.GetProperty("streams").EnumerateArray(), s => s.GetProperty("codec_name").GetString() == "aac");
        Assert.InRange(double.Parse(mp4.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture), 1.8, 2.3);
        var boxes = TopLevelBoxes(Store.Mp4Path(sha));
        Assert.True(boxes.IndexOf("moov") >= 0 && boxes.IndexOf("moov") < boxes.IndexOf("mdat"), $"boxes: {string.Join(',', boxes)}");

        Assert.NotEmpty(progress);
        Assert.Equal(100, progress.Last(), 1);
        Assert.Equal(progress.Order(), progress);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Store.WorkRoot));

        // Everything exists now: a second request runs nothing.
        Assert.False(await _services.GetRequiredService<VideoTranscoder>().EnsureAsync(sha, _samples.PortraitClip, probe, _ => ValueTask.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task A_tiny_silent_clip_gets_one_rendition_at_its_own_size_without_audio()
    {
        var sha = Sha256(_samples.SilentClip);
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_samples.SilentClip, CancellationToken.None);
        Assert.Null(probe.Audio);

        await _services.GetRequiredService<VideoTranscoder>().EnsureAsync(sha, _samples.SilentClip, probe, _ => ValueTask.CompletedTask, CancellationToken.None);

        var hls = Store.StreamDirectory(sha);
        var master = await File.ReadAllTextAsync(Path.Combine(hls, "master.m3u8"));
        Assert.Contains("RESOLUTION=320x240", master);
        Assert.DoesNotContain("mp4a", master);
        Assert.Equal(["240p"], Directory.GetDirectories(hls).Select(Path.GetFileName));
        var segments = await AssertRenditionPlaylistAsync(Path.Combine(hls, "240p", "index.m3u8"));
        var streams = (await MediaSamples.ProbeAsync(Path.Combine(hls, "240p", segments[0]))).GetProperty("streams");
        Assert.All(streams.EnumerateArray(), s => Assert.Equal("video", s.GetProperty("codec_type").GetString()));
        var mp4Streams = (await MediaSamples.ProbeAsync(Store.Mp4Path(sha))).GetProperty("streams").EnumerateArray().ToList();
        var video = Assert.Single(mp4Streams);
        Assert.Equal((320, 240), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
    }

    [Fact]
    public async Task The_poster_is_an_upright_frame_and_its_thumbnails_keep_the_portrait_shape()
    {
        var sha = Sha256(_samples.PortraitClip);
        var probe = await _services.GetRequiredService<MediaProber>().ProbeAsync(_samples.PortraitClip, CancellationToken.None);
        var previews = _services.GetRequiredService<PreviewMaker>();

        await previews.EnsurePosterAsync(sha, _samples.PortraitClip, probe, CancellationToken.None);
        var facts = previews.EnsureThumbnails(sha, Store.PosterPath(sha));

        using (var poster = SKBitmap.Decode(Store.PosterPath(sha)))
        {
            Assert.Equal((360, 640), (poster.Width, poster.Height));
        }

        Assert.Equal(new ImageFacts(360, 640, 0), facts);
        using var thumbnail = SKBitmap.Decode(Store.ThumbnailPath(sha, 128));
        Assert.Equal((72, 128), (thumbnail.Width, thumbnail.Height));
        Assert.True(previews.HasThumbnails(sha));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Store.WorkRoot));
    }

    [Fact]
    public async Task A_corrupt_clip_is_unreadable_for_ffprobe()
    {
        var error = await Assert.ThrowsAsync<MediaUnreadableException>(() =>
            _services.GetRequiredService<MediaProber>().ProbeAsync(_samples.CorruptClip, CancellationToken.None));
        Assert.Contains("Invalid data found", error.Message);
        Assert.DoesNotContain(_samples.CorruptClip, error.Message);
    }

    /// <summary>A finished VOD playlist whose segments all exist and last at most a segment length (plus a frame); returns the segment names.</summary>
    private static async Task<List<string>> AssertRenditionPlaylistAsync(string path)
    {
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal("#EXTM3U", lines[0]);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", lines);
        Assert.Contains("#EXT-X-ENDLIST", lines);
        var target = int.Parse(Regex.Match(string.Join('\n', lines), @"#EXT-X-TARGETDURATION:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(target, 1, FfmpegArguments.HlsSegmentSeconds + 1);
        var segments = lines.Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.NotEmpty(segments);
        Assert.All(segments, s =>
        {
            Assert.Matches(@"^segment-\d{5}\.ts$", s);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, s)), $"{s} listed but missing");
        });
        return segments;
    }

    private static List<string> TopLevelBoxes(string path)
    {
        var boxes = new List<string>();
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        while (file.Position + 8 <= file.Length)
        {
            var start = file.Position;
            file.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            boxes.Add(System.Text.Encoding.ASCII.GetString(header[4..8]));
            if (size == 1)
            {
                file.ReadExactly(header[8..16]);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[8..16]);
            }
            else if (size == 0)
            {
                break;
            }

            file.Position = start + size;
        }

        return boxes;
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
