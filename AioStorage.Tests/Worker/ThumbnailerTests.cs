using AioStorage.Worker.Media;
using SkiaSharp;

namespace AioStorage.Tests.Worker;

public sealed class ThumbnailerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aio-thumbs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_jpeg_with_exif_orientation_6_gets_upright_thumbnails()
    {
        var source = Write("photo.jpg", MediaSamples.JpegWithOrientation(6));

        var facts = Thumbnailer.Make(source, [(128, Output("t128.webp")), (1024, Output("t1024.webp"))], 100_000_000);

        // Stored 200x100 with orientation 6 ("turn 90 degrees clockwise to show"): shown 100x200.
        Assert.Equal(new ImageFacts(100, 200, 90), facts);
        using var small = Decode(Output("t128.webp"));
        Assert.Equal((64, 128), (small.Width, small.Height));
        // The stored left half (red) is on top once turned, the right half (blue) at the bottom.
        AssertColor(SKColors.Red, small.GetPixel(32, 16));
        AssertColor(SKColors.Blue, small.GetPixel(32, 112));
        using var large = Decode(Output("t1024.webp"));
        Assert.Equal((100, 200), (large.Width, large.Height));
    }

    [Theory]
    [InlineData(1, 200, 100, "red-left")]
    [InlineData(3, 200, 100, "red-right")]
    [InlineData(8, 100, 200, "red-bottom")]
    public void Other_orientations_are_applied_too(int orientation, int width, int height, string expected)
    {
        var source = Write($"o{orientation}.jpg", MediaSamples.JpegWithOrientation(orientation));
        Thumbnailer.Make(source, [(512, Output($"o{orientation}.webp"))], 100_000_000);

        using var thumbnail = Decode(Output($"o{orientation}.webp"));
        Assert.Equal((width, height), (thumbnail.Width, thumbnail.Height));
        var (redX, redY) = expected switch
        {
            "red-left" => (width / 4, height / 2),
            "red-right" => (width * 3 / 4, height / 2),
            _ => (width / 2, height * 3 / 4),
        };
        AssertColor(SKColors.Red, thumbnail.GetPixel(redX, redY));
    }

    [Fact]
    public void A_png_keeps_its_transparency()
    {
        var source = Write("alpha.png", MediaSamples.PngWithAlpha(400, 200));

        var facts = Thumbnailer.Make(source, [(128, Output("a.webp"))], 100_000_000);

        Assert.Equal(new ImageFacts(400, 200, 0), facts);
        using var thumbnail = Decode(Output("a.webp"));
        Assert.Equal((128, 64), (thumbnail.Width, thumbnail.Height));
        Assert.Equal(0, thumbnail.GetPixel(2, 2).Alpha);
        var centre = thumbnail.GetPixel(64, 32);
        Assert.Equal(255, centre.Alpha);
        AssertColor(SKColors.Lime, centre);
    }

    [Fact]
    public void A_webp_gets_every_size_and_each_fits_its_box()
    {
        var source = Write("wide.webp", MediaSamples.WebP(2000, 1000, SKColors.Orange));
        var outputs = new[] { 128, 512, 1024 }.Select(box => (box, Output($"w{box}.webp"))).ToList();

        Thumbnailer.Make(source, outputs, 100_000_000);

        Assert.Equal(["1024x512", "512x256", "128x64"], new[] { 1024, 512, 128 }.Select(box =>
        {
            using var bitmap = Decode(Output($"w{box}.webp"));
            return $"{bitmap.Width}x{bitmap.Height}";
        }));
        using var small = Decode(Output("w128.webp"));
        AssertColor(SKColors.Orange, small.GetPixel(64, 32));
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(Output("w128.webp"))[..4]));
    }

    [Fact]
    public void A_small_image_is_never_enlarged()
    {
        var source = Write("small.png", MediaSamples.PngWithAlpha(50, 40));
        Thumbnailer.Make(source, [(1024, Output("s.webp"))], 100_000_000);

        using var thumbnail = Decode(Output("s.webp"));
        Assert.Equal((50, 40), (thumbnail.Width, thumbnail.Height));
    }

    [Fact]
    public void A_decompression_bomb_is_refused_before_decoding()
    {
        var source = Write("bomb.png", MediaSamples.PngHeaderOnly(30_000, 30_000));

        var refused = Assert.Throws<ImageTooLargeException>(() => Thumbnailer.Make(source, [(128, Output("b.webp"))], 100_000_000));

        Assert.Equal(new ImageFacts(30_000, 30_000, 0), refused.Facts);
        Assert.Contains("30000x30000", refused.Message);
        Assert.Contains("100 megapixels", refused.Message);
        Assert.False(File.Exists(Output("b.webp")));
    }

    [Fact]
    public void Garbage_behind_an_image_signature_is_unreadable()
    {
        var bytes = new byte[2048];
        new Random(3).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        var source = Write("broken.jpg", bytes);

        var error = Assert.Throws<ImageUnreadableException>(() => Thumbnailer.Make(source, [(128, Output("x.webp"))], 100_000_000));
        Assert.StartsWith("The image could not be read", error.Message);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Output(string name) => Path.Combine(_directory, name);

    private static SKBitmap Decode(string path) => SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} does not decode.");

    private static void AssertColor(SKColor expected, SKColor actual)
    {
        const int tolerance = 40;
        Assert.True(Math.Abs(expected.Red - actual.Red) <= tolerance && Math.Abs(expected.Green - actual.Green) <= tolerance
                    && Math.Abs(expected.Blue - actual.Blue) <= tolerance,
            $"expected about {expected}, got {actual}");
    }
}
