using AioStorage.Tests.Infrastructure;
using SkiaSharp;

namespace AioStorage.Tests.Worker;

/// <summary>
/// Media made for the worker tests, once per test run, with the real ffmpeg (lavfi test sources) and SkiaSharp: tiny
/// clips (2 s, small frames) so the whole worker suite stays quick on two cores.
/// </summary>
public sealed class MediaSamples
{
    private static readonly Lazy<Task<MediaSamples>> Shared = new(CreateAsync);

    private MediaSamples(string directory) => Directory = directory;

    public static Task<MediaSamples> GetAsync() => Shared.Value;

    public string Directory { get; }

    /// <summary>Stored 640x360 with a display matrix turning it a quarter: shown 360x640, like a phone held upright. H.264 + AAC, 2 s.</summary>
    public string PortraitClip => Path.Combine(Directory, "portrait.mp4");

    /// <summary>320x240 without sound, 1 s: below every rung of the ladder.</summary>
    public string SilentClip => Path.Combine(Directory, "silent.mp4");

    /// <summary>1 s of a tone as MP3 (with an ID3 tag, as encoders write it).</summary>
    public string AudioClip => Path.Combine(Directory, "tone.mp3");

    /// <summary>640x360 with sound, 8 s: long enough to be caught mid-transcode with a slow preset.</summary>
    public string LongClip => Path.Combine(Directory, "long.mp4");

    /// <summary>An MP4 header (ftyp) followed by random bytes: sniffed as video/mp4, unreadable by ffprobe.</summary>
    public string CorruptClip => Path.Combine(Directory, "corrupt.mp4");

    private static async Task<MediaSamples> CreateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"aio-media-samples-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        var samples = new MediaSamples(directory);
        var landscape = Path.Combine(directory, "landscape.mp4");
        await Task.WhenAll(
            RunAsync("ffmpeg", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", landscape),
            RunAsync("ffmpeg", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", samples.SilentClip),
            RunAsync("ffmpeg", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100",
                "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", samples.LongClip),
            RunAsync("ffmpeg", "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100", "-t", "1", "-c:a", "libmp3lame", "-b:a", "64k", samples.AudioClip));
        // ffmpeg 5.1 writes a display matrix from the "rotate" tag when remuxing (re-encoding would apply it instead).
        await RunAsync("ffmpeg", "-hide_banner", "-v", "error", "-y", "-i", landscape, "-c", "copy", "-metadata:s:v:0", "rotate=90", samples.PortraitClip);

        var corrupt = new byte[64 * 1024];
        new Random(42).NextBytes(corrupt);
        Convert.FromHexString("0000001C667479706973366F0000020069736F6D69736F326D703431").CopyTo(corrupt, 0);
        await File.WriteAllBytesAsync(samples.CorruptClip, corrupt);
        return samples;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(program, args);
        if (program == "ffmpeg" && exitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {stderr}");
        }

        return (exitCode, stdout, stderr);
    }

    /// <summary>ffprobe's JSON of <paramref name="path"/> (format and streams).</summary>
    public static async Task<System.Text.Json.JsonElement> ProbeAsync(string path)
    {
        var (exitCode, stdout, stderr) = await RunAsync("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path);
        Assert.True(exitCode == 0, $"ffprobe {path}: {stderr}");
        using var document = System.Text.Json.JsonDocument.Parse(stdout);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A JPEG stored 200x100 (left half red, right half blue) with EXIF orientation <paramref name="orientation"/>, the
    /// APP1 segment written by hand right after the start-of-image marker, as a camera does.
    /// </summary>
    public static byte[] JpegWithOrientation(int orientation, int width = 200, int height = 100)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var red = new SKPaint { Color = SKColors.Red };
            using var blue = new SKPaint { Color = SKColors.Blue };
            canvas.DrawRect(0, 0, width / 2f, height, red);
            canvas.DrawRect(width / 2f, 0, width / 2f, height, blue);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        var jpeg = data.ToArray();
        byte[] app1 =
        [
            0xFF, 0xE1, 0x00, 0x22, (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0,
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
            0x00, 0x01,
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (byte)orientation, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>A PNG of <paramref name="width"/>x<paramref name="height"/>: transparent, with an opaque green square in the middle.</summary>
    public static byte[] PngWithAlpha(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Transparent);
            using var green = new SKPaint { Color = SKColors.Lime };
            canvas.DrawRect(width / 4f, height / 4f, width / 2f, height / 2f, green);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A lossy WebP of one colour.</summary>
    public static byte[] WebP(int width, int height, SKColor color)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Webp, 80);
        return data.ToArray();
    }

    /// <summary>
    /// A valid PNG header announcing <paramref name="width"/>x<paramref name="height"/> pixels with almost no data behind
    /// it: what a decompression bomb looks like before anything is decoded.
    /// </summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        byte[] idat = [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01];
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
